//! Kill a process in the middle of repeated saves, many times, at arbitrary instants: every gold
//! file left behind must be complete and valid (the old version or the new one, never a
//! truncated one).
//!
//! The saving process is this test binary itself, re-run with `TADQIQ_SAVE_LOOP` set, which
//! makes `save_loop_child` save in a loop instead of returning.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use tadqiq::model::{FieldReview, Gold, Status, Value, Verdict};
use tadqiq::store::{Fingerprint, Store};

const IDS: [&str; 3] = ["a", "b", "c"];

fn corpus(root: &Path) -> Store {
    let store = Store::new(root.join("articles"), root.join("annotations"));
    std::fs::create_dir_all(store.articles_dir()).unwrap();
    std::fs::create_dir_all(store.annotations_dir()).unwrap();
    std::fs::copy("annotations/schema.yaml", store.schema_path()).unwrap();
    for id in IDS {
        std::fs::write(store.article_path(id), "استقبل حموشي نظيره").unwrap();
    }
    store
}

#[test]
fn save_loop_child() {
    let Some(root) = std::env::var_os("TADQIQ_SAVE_LOOP") else {
        return;
    };
    let store = Store::new(
        Path::new(&root).join("articles"),
        Path::new(&root).join("annotations"),
    );
    let schema = store.load_schema().unwrap().value;
    // Load once; then only save, so that most of the time is spent writing files.
    let mut golds: Vec<(Gold, Fingerprint)> = IDS
        .iter()
        .map(|id| match store.load_gold("amina", id, &schema).unwrap() {
            Some(l) => (l.value, l.fingerprint),
            None => (Gold::new(id, "amina"), Fingerprint::ABSENT),
        })
        .collect();
    for round in 0u64.. {
        for (gold, fingerprint) in &mut golds {
            gold.status = if round % 2 == 0 {
                Status::InProgress
            } else {
                Status::Done
            };
            // Notes of varying, large size keep each write long enough to be interrupted.
            let note = "ملاحظة طويلة ".repeat(1000 + (round as usize * 7919) % 20_000);
            gold.set_field(
                &schema,
                "headline",
                Some(FieldReview {
                    value: Value::Text(format!("عنوان {round}")),
                    verdict: Verdict::Added,
                    was: None,
                    evidence: None,
                    note: Some(note),
                    from_twin: None,
                }),
            );
            *fingerprint = store
                .save_gold(&gold.analyst, &gold.article, gold, *fingerprint)
                .unwrap();
        }
    }
}

#[test]
fn killing_a_saving_process_never_leaves_a_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = corpus(dir.path());
    let schema = store.load_schema().unwrap().value;
    let mut seed = std::process::id() as u64 | 1;
    let mut saw_files = false;
    for _ in 0..40 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "save_loop_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("TADQIQ_SAVE_LOOP", dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // xorshift: a different instant each round.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(30 + seed % 100));
        child.kill().unwrap(); // SIGKILL: no destructor, no cleanup
        child.wait().unwrap();

        for id in IDS {
            match store.load_gold("amina", id, &schema) {
                Ok(Some(loaded)) => {
                    saw_files = true;
                    assert_eq!(loaded.value.article, id);
                    let note = loaded.value.field("headline").and_then(|f| f.note.clone());
                    assert!(
                        note.is_some_and(|n| n.ends_with("طويلة ")),
                        "a note was cut"
                    );
                }
                Ok(None) => {}
                Err(e) => panic!("a save was interrupted into a broken file: {e}"),
            }
        }
    }
    assert!(
        saw_files,
        "the child never got to save: the test proved nothing"
    );
}
