//! Unsaved edits kept beside the gold file they belong to, so that nothing an analyst did is
//! lost to a crash, a kill or a closed SSH session.
//!
//! The review screen rewrites an article's recovery file after every change that is not saved
//! yet and removes it once the gold file is saved, so even `kill -9` loses at most the change
//! being made. The next start for the same analyst offers to restore what it finds.
//! Recovery files are hidden (`.<id>.recovery.yaml`), so listings and `check` skip them, and
//! `annotations/.gitignore` keeps them out of git.

use std::fs;
use std::io;
use std::path::PathBuf;

use serde_yaml::{Mapping, Value as Yaml};

use super::{Fingerprint, LoadError, Store, atomic, read_file, yaml};
use crate::model::{Gold, Problems, Schema};

/// Where the recovery file of an analyst's article is.
pub fn path(store: &Store, analyst: &str, id: &str) -> PathBuf {
    store.gold_dir(analyst).join(format!(".{id}.recovery.yaml"))
}

/// Keeps `gold`, `analyst`'s unsaved review of article `id` (not yet saved over a file whose
/// fingerprint was `base`), for recovery. The path comes from `analyst` and `id` only, checked
/// as for a save ([`Store::save_gold`]), never from what `gold` says.
pub fn write(
    store: &Store,
    analyst: &str,
    id: &str,
    gold: &Gold,
    base: Fingerprint,
) -> io::Result<()> {
    super::check_id(id)?;
    store.writable_gold_dir(analyst)?;
    let path = path(store, analyst, id);
    super::refuse_link(&path)?;
    let mut m = Mapping::new();
    m.insert(
        "base_sha256".into(),
        base.to_hex().map_or(Yaml::Null, Yaml::String),
    );
    m.insert("gold".into(), gold.to_yaml());
    atomic::write(&path, yaml::to_string(&Yaml::Mapping(m)).as_bytes())
}

/// Forgets the recovery file of an article (its edits were saved or discarded).
pub fn remove(store: &Store, analyst: &str, id: &str) -> io::Result<()> {
    match fs::remove_file(path(store, analyst, id)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The articles an analyst has recovery files for, sorted.
pub fn list(store: &Store, analyst: &str) -> Vec<String> {
    let Ok(entries) = fs::read_dir(store.gold_dir(analyst)) else {
        return Vec::new();
    };
    let mut ids: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let id = name.strip_prefix('.')?.strip_suffix(".recovery.yaml")?;
            (!id.is_empty()).then(|| id.to_string())
        })
        .collect();
    ids.sort();
    ids
}

/// A recovered review: the unsaved document and the fingerprint of the file it was based on.
#[derive(Clone, Debug)]
pub struct Recovered {
    /// The unsaved gold document.
    pub gold: Gold,
    /// Whether the gold file on disk is still the one the edits were made over.
    pub base_unchanged: bool,
}

/// Reads an article's recovery file.
pub fn load(
    store: &Store,
    analyst: &str,
    id: &str,
    schema: &Schema,
) -> Result<Recovered, LoadError> {
    let p = path(store, analyst, id);
    let Some((bytes, _)) = read_file(&p)? else {
        return Err(LoadError::Io {
            path: p,
            source: io::Error::new(io::ErrorKind::NotFound, "no recovery file"),
        });
    };
    let parsed = yaml::parse(&p, bytes).map_err(|d| LoadError::Invalid(vec![d]))?;
    let mut problems = Problems::default();
    let base = parsed
        .doc
        .get("base_sha256")
        .and_then(Yaml::as_str)
        .and_then(Fingerprint::from_hex)
        .unwrap_or(Fingerprint::ABSENT);
    let gold = parsed
        .doc
        .get("gold")
        .and_then(|g| Gold::from_yaml(g, schema, &mut problems));
    let current = store
        .gold_fingerprint(analyst, id)
        .map_err(|source| LoadError::Io {
            path: p.clone(),
            source,
        })?;
    match gold {
        Some(gold) if !problems.has_errors() => Ok(Recovered {
            gold,
            base_unchanged: current == base,
        }),
        _ => Err(LoadError::Invalid(yaml::diagnostics(
            &p,
            parsed.text(),
            &problems,
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    #[test]
    fn recovery_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("a"), dir.path().join("n"));
        fs::create_dir_all(store.annotations_dir()).unwrap();
        fs::write(
            store.schema_path(),
            "fields:\n- {name: headline, type: text}\n",
        )
        .unwrap();
        let schema = store.load_schema().unwrap().value;
        let mut gold = Gold::new("x", "amina");
        gold.status = Status::Done;
        write(&store, "amina", "x", &gold, Fingerprint::ABSENT).unwrap();
        assert_eq!(list(&store, "amina"), ["x"]);
        assert!(
            store.list_gold("amina").unwrap().is_empty(),
            "hidden from listings"
        );
        let r = load(&store, "amina", "x", &schema).unwrap();
        assert_eq!(r.gold, gold);
        assert!(r.base_unchanged);
        store
            .save_gold("amina", "x", &Gold::new("x", "amina"), Fingerprint::ABSENT)
            .unwrap();
        assert!(!load(&store, "amina", "x", &schema).unwrap().base_unchanged);
        remove(&store, "amina", "x").unwrap();
        assert!(list(&store, "amina").is_empty());
        remove(&store, "amina", "x").unwrap();
    }
}
