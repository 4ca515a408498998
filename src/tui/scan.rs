//! Finds out, in the background, where the analyst is with each article (the status in each
//! gold file, and whether the article changed since), so that the first frame never waits for
//! 100 000 files to be read.

use std::sync::mpsc::{self, Receiver, Sender};

use crate::model::Status;
use crate::model::article::sha256_hex;
use crate::store::{Limit, Store, read_corpus_file};

/// What the scan found about one article.
#[derive(Debug)]
pub enum ScanEvent {
    /// The status of the analyst's gold file.
    Status {
        /// The article.
        id: String,
        /// Its status.
        status: Status,
    },
    /// Whether the article changed since the review.
    Stale {
        /// The article.
        id: String,
        /// True when its SHA-256 differs from the gold file's.
        stale: bool,
    },
    /// Nothing more will come.
    Done,
}

/// Starts scanning the analyst's gold files; results arrive on the receiver.
pub fn spawn(store: Store, analyst: String) -> Receiver<ScanEvent> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("tadqiq-scan".into())
        .spawn(move || run(&store, &analyst, &tx))
        .map_err(|_| ())
        .ok();
    rx
}

fn run(store: &Store, analyst: &str, tx: &Sender<ScanEvent>) {
    let ids = store.list_gold(analyst).unwrap_or_default();
    let mut hashes = Vec::new();
    // Statuses first: they feed the counts in the status bar.
    for id in ids {
        // Through the store's reader: a FIFO or a huge file is skipped, not waited on.
        let Ok(Some(bytes)) = read_corpus_file(&store.gold_path(analyst, &id), Limit::YAML) else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        let (status, sha) = summary(text);
        if let Some(status) = status
            && tx
                .send(ScanEvent::Status {
                    id: id.clone(),
                    status,
                })
                .is_err()
        {
            return;
        }
        if let Some(sha) = sha {
            hashes.push((id, sha));
        }
    }
    // Then staleness, which reads every reviewed article.
    for (id, sha) in hashes {
        let Ok(Some(bytes)) = read_corpus_file(&store.article_path(&id), Limit::ARTICLE) else {
            continue;
        };
        let stale = sha256_hex(&bytes) != sha;
        if tx.send(ScanEvent::Stale { id, stale }).is_err() {
            return;
        }
    }
    let _ = tx.send(ScanEvent::Done);
}

/// The status and article hash of a gold file, read from its top-level lines (as tadqiq writes
/// them), else from a full parse.
fn summary(text: &str) -> (Option<Status>, Option<String>) {
    let mut status = None;
    let mut sha = None;
    for line in text.lines() {
        if let Some(s) = line.strip_prefix("status:") {
            status = Status::from_name(s.trim().trim_matches(['\'', '"']));
        } else if let Some(s) = line.strip_prefix("article_sha256:") {
            sha = Some(s.trim().trim_matches(['\'', '"']).to_string());
        }
        if status.is_some() && sha.is_some() {
            break;
        }
    }
    if status.is_none()
        // The store's parser, whose limits keep an alias bomb from exhausting memory.
        && let Ok(parsed) = crate::store::yaml::parse(std::path::Path::new(""), text.into())
    {
        let doc = &parsed.doc;
        status = doc
            .get("status")
            .and_then(serde_yaml::Value::as_str)
            .and_then(Status::from_name);
        sha = doc
            .get("article_sha256")
            .and_then(serde_yaml::Value::as_str)
            .map(str::to_string);
    }
    (status, sha)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_status_from_lines_or_a_parse() {
        assert_eq!(
            summary("article: a\nstatus: done\narticle_sha256: ab\nfields: {}\n"),
            (Some(Status::Done), Some("ab".into()))
        );
        assert_eq!(
            summary("{article: a, status: skipped, fields: {}}"),
            (Some(Status::Skipped), None)
        );
        assert_eq!(summary("garbage: ["), (None, None));
    }
}
