//! [`Reader`]: how the commands read the corpus, through the index when there is one.
//!
//! Every method answers exactly what the store's own read answers (the index stores that
//! answer, and uses it only while the files it came from are unchanged); without an index,
//! or for a file the index cannot vouch for, it is the store's read.

use std::path::Path;

use super::codec::{self, ExtractedReading, GoldReading};
use super::{Index, Inputs};
use crate::model::article::sha256_hex;
use crate::model::{Extracted, Gold, Schema};
use crate::store::{Diagnostic, Limit, LoadError, Store, read_corpus_file};

/// Reads the corpus for a command: from the files, or from the index kept fresh against them.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    store: &'a Store,
    index: Option<&'a Index>,
}

impl<'a> Reader<'a> {
    /// Reads through `index` when there is one.
    pub fn new(store: &'a Store, index: Option<&'a Index>) -> Reader<'a> {
        Reader { store, index }
    }

    /// Reads every file (`--no-index`).
    pub fn files(store: &'a Store) -> Reader<'a> {
        Reader { store, index: None }
    }

    /// The corpus's files.
    pub fn store(&self) -> &'a Store {
        self.store
    }

    /// The index, when reading through one.
    pub fn index(&self) -> Option<&'a Index> {
        self.index
    }

    /// What [`Store::read_gold`] answers.
    pub fn read_gold(
        &self,
        analyst: &str,
        id: &str,
        schema: &Schema,
    ) -> Result<Option<Gold>, LoadError> {
        let Some(index) = self.index else {
            return self.store.read_gold(analyst, id, schema);
        };
        let path = self.store.gold_path(analyst, id);
        let key = format!("gold/{analyst}/{id}");
        let inputs = Inputs::stat(index.schema_context(), &[&path]);
        if let Some(reading) = index
            .lookup(&key, &inputs)
            .and_then(|p| codec::decode_gold(&p, &path))
        {
            return reading.map(Some).map_err(LoadError::Invalid);
        }
        let reading: GoldReading = match self.store.read_gold(analyst, id, schema) {
            Ok(Some(gold)) => Ok(gold),
            Err(LoadError::Invalid(d)) => Err(d),
            // Absent or unreadable: nothing worth remembering.
            other => return other,
        };
        if let Some(payload) = codec::encode_gold(&reading, &path) {
            index.record(key, &inputs, payload);
        }
        reading.map(Some).map_err(LoadError::Invalid)
    }

    /// What [`Store::load_extracted`] answers: the document and its warnings.
    pub fn load_extracted(
        &self,
        id: &str,
        schema: &Schema,
    ) -> Result<Option<(Extracted, Vec<Diagnostic>)>, LoadError> {
        let full = || {
            self.store
                .load_extracted(id, schema)
                .map(|l| l.map(|l| (l.value, l.warnings)))
        };
        let Some(index) = self.index else {
            return full();
        };
        let path = self.store.extracted_path(id);
        let key = format!("extracted/{id}");
        let inputs = Inputs::stat(index.schema_context(), &[&path]);
        if let Some(reading) = index
            .lookup(&key, &inputs)
            .and_then(|p| codec::decode_extracted(&p, &path))
        {
            return reading.map(Some).map_err(LoadError::Invalid);
        }
        let reading: ExtractedReading = match full() {
            Ok(Some(loaded)) => Ok(loaded),
            Err(LoadError::Invalid(d)) => Err(d),
            other => return other,
        };
        if let Some(payload) = codec::encode_extracted(&reading, &path) {
            index.record(key, &inputs, payload);
        }
        reading.map(Some).map_err(LoadError::Invalid)
    }

    /// The extractor's document for article `id`, without its warnings.
    pub fn read_extracted(
        &self,
        id: &str,
        schema: &Schema,
    ) -> Result<Option<Extracted>, LoadError> {
        self.load_extracted(id, schema).map(|e| e.map(|(e, _)| e))
    }

    /// The SHA-256 (hex) of article `id`'s bytes; `None` when it cannot be read.
    pub fn article_sha256(&self, id: &str) -> Option<String> {
        let path = self.store.article_path(id);
        let read = |path: &Path| {
            read_corpus_file(path, Limit::ARTICLE)
                .ok()
                .flatten()
                .map(|b| sha256_hex(&b))
        };
        let Some(index) = self.index else {
            return read(&path);
        };
        let key = format!("sha/{id}");
        let inputs = Inputs::stat(b"sha256", &[&path]);
        if let Some(hex) = index
            .lookup(&key, &inputs)
            .and_then(|p| String::from_utf8(p).ok())
        {
            return Some(hex);
        }
        let hex = read(&path)?;
        index.record(key, &inputs, hex.clone().into_bytes());
        Some(hex)
    }

    /// What the index would answer for `analyst`'s gold file of article `id`, without reading
    /// it: `None` when it has no entry it trusts.
    pub fn indexed_gold(&self, analyst: &str, id: &str) -> Option<Result<Gold, LoadError>> {
        let index = self.index?;
        let path = self.store.gold_path(analyst, id);
        let inputs = Inputs::stat(index.schema_context(), &[&path]);
        let payload = index.lookup(&format!("gold/{analyst}/{id}"), &inputs)?;
        Some(codec::decode_gold(&payload, &path)?.map_err(LoadError::Invalid))
    }

    /// What the index would answer for article `id`'s extracted file, without reading it.
    pub fn indexed_extracted(
        &self,
        id: &str,
    ) -> Option<Result<(Extracted, Vec<Diagnostic>), LoadError>> {
        let index = self.index?;
        let path = self.store.extracted_path(id);
        let inputs = Inputs::stat(index.schema_context(), &[&path]);
        let payload = index.lookup(&format!("extracted/{id}"), &inputs)?;
        Some(codec::decode_extracted(&payload, &path)?.map_err(LoadError::Invalid))
    }

    /// What the index would answer for article `id`'s hash, without reading it.
    pub fn indexed_article_sha256(&self, id: &str) -> Option<String> {
        let index = self.index?;
        let path = self.store.article_path(id);
        let inputs = Inputs::stat(b"sha256", &[&path]);
        String::from_utf8(index.lookup(&format!("sha/{id}"), &inputs)?).ok()
    }

    /// What `compute` makes of some files (`paths`, read against the schema, with whatever
    /// else it depends on in `context`), unless the index has it for these very files. The
    /// computation gives its result and, when it may be remembered, its encoding; `decode`
    /// turns an encoding back into the result (`None`: not usable, computed again).
    pub fn memo<T>(
        &self,
        key: &str,
        paths: &[&Path],
        context: &[u8],
        decode: impl FnOnce(&[u8]) -> Option<T>,
        compute: impl FnOnce() -> (T, Option<Vec<u8>>),
    ) -> T {
        let Some(index) = self.index else {
            return compute().0;
        };
        let context = [index.schema_context(), context].concat();
        let inputs = Inputs::stat(&context, paths);
        if let Some(t) = index.lookup(key, &inputs).and_then(|p| decode(&p)) {
            return t;
        }
        let (t, payload) = compute();
        if let Some(payload) = payload {
            index.record(key.to_string(), &inputs, payload);
        }
        t
    }

    /// `check`'s findings about some files (`paths`, with whatever else they depend on in
    /// `context`), computed by `compute` unless the index has them for these very files.
    pub fn memo_findings(
        &self,
        key: &str,
        paths: &[&Path],
        context: &[u8],
        compute: impl FnOnce() -> Vec<Diagnostic>,
    ) -> Vec<Diagnostic> {
        let Some(index) = self.index else {
            return compute();
        };
        // Stored paths are verbatim: the context holds the corpus's folders as spelled.
        let mut context = [index.check_context().as_slice(), context].concat();
        context.shrink_to_fit();
        let inputs = Inputs::stat(&context, paths);
        let nowhere = Path::new("");
        if let Some(d) = index
            .lookup(key, &inputs)
            .and_then(|p| codec::decode_diagnostics(&p, nowhere))
        {
            return d;
        }
        let d = compute();
        index.record(
            key.to_string(),
            &inputs,
            codec::encode_diagnostics(&d, nowhere),
        );
        d
    }
}
