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
        let full = || self.store.read_gold(analyst, id, schema);
        let Some(index) = self.index else {
            return full();
        };
        let path = self.store.gold_path(analyst, id);
        let encode = |r: &GoldReading| codec::encode_gold(r, &path);
        remember(
            index,
            &gold_key(analyst, id),
            index.schema_context(),
            &[&path],
            |p| codec::decode_gold(p, &path).map(answer),
            || match full() {
                Ok(Some(gold)) => remembered(Ok(gold), encode),
                Err(LoadError::Invalid(d)) => remembered(Err(d), encode),
                // Absent or unreadable: nothing worth remembering.
                other => (other, None),
            },
        )
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
        let encode = |r: &ExtractedReading| codec::encode_extracted(r, &path);
        remember(
            index,
            &extracted_key(id),
            index.schema_context(),
            &[&path],
            |p| codec::decode_extracted(p, &path).map(answer),
            || match full() {
                Ok(Some(loaded)) => remembered(Ok(loaded), encode),
                Err(LoadError::Invalid(d)) => remembered(Err(d), encode),
                other => (other, None),
            },
        )
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
        let full = || {
            read_corpus_file(&path, Limit::ARTICLE)
                .ok()
                .flatten()
                .map(|b| sha256_hex(&b))
        };
        let Some(index) = self.index else {
            return full();
        };
        remember(
            index,
            &sha_key(id),
            SHA_CONTEXT,
            &[&path],
            |p| String::from_utf8(p.to_vec()).ok().map(Some),
            || {
                let hex = full();
                let payload = hex.clone().map(String::into_bytes);
                (hex, payload)
            },
        )
    }

    /// What the index would answer for `analyst`'s gold file of article `id`, without reading
    /// it: `None` when it has no entry it trusts.
    pub fn indexed_gold(&self, analyst: &str, id: &str) -> Option<Result<Gold, LoadError>> {
        let index = self.index?;
        let path = self.store.gold_path(analyst, id);
        let payload = peek(index, &gold_key(analyst, id), index.schema_context(), &path)?;
        Some(codec::decode_gold(&payload, &path)?.map_err(LoadError::Invalid))
    }

    /// What the index would answer for article `id`'s extracted file, without reading it.
    pub fn indexed_extracted(
        &self,
        id: &str,
    ) -> Option<Result<(Extracted, Vec<Diagnostic>), LoadError>> {
        let index = self.index?;
        let path = self.store.extracted_path(id);
        let payload = peek(index, &extracted_key(id), index.schema_context(), &path)?;
        Some(codec::decode_extracted(&payload, &path)?.map_err(LoadError::Invalid))
    }

    /// What the index would answer for article `id`'s hash, without reading it.
    pub fn indexed_article_sha256(&self, id: &str) -> Option<String> {
        let index = self.index?;
        let path = self.store.article_path(id);
        String::from_utf8(peek(index, &sha_key(id), SHA_CONTEXT, &path)?).ok()
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
        remember(index, key, &context, paths, decode, compute)
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
        let context = [index.check_context().as_slice(), context].concat();
        let nowhere = Path::new("");
        remember(
            index,
            key,
            &context,
            paths,
            |p| codec::decode_diagnostics(p, nowhere),
            || {
                let d = compute();
                let payload = codec::encode_diagnostics(&d, nowhere);
                (d, Some(payload))
            },
        )
    }
}

/// An article's hash depends on its bytes alone, not on the schema.
const SHA_CONTEXT: &[u8] = b"sha256";

fn gold_key(analyst: &str, id: &str) -> String {
    format!("gold/{analyst}/{id}")
}

fn extracted_key(id: &str) -> String {
    format!("extracted/{id}")
}

fn sha_key(id: &str) -> String {
    format!("sha/{id}")
}

/// The one way an answer goes through the index: the files stat'ed first, the entry used if
/// it is trusted and decodes, else `compute` (its result, and the payload to remember if any).
fn remember<T>(
    index: &Index,
    key: &str,
    context: &[u8],
    paths: &[&Path],
    decode: impl FnOnce(&[u8]) -> Option<T>,
    compute: impl FnOnce() -> (T, Option<Vec<u8>>),
) -> T {
    let inputs = Inputs::stat(context, paths);
    if let Some(t) = index.lookup(key, &inputs).and_then(|p| decode(&p)) {
        return t;
    }
    let (t, payload) = compute();
    if let Some(payload) = payload {
        index.record(key.to_string(), &inputs, payload);
    }
    t
}

/// The payload of the entry about the file at `path`, if trusted, without reading the file.
fn peek(index: &Index, key: &str, context: &[u8], path: &Path) -> Option<Vec<u8>> {
    index.lookup(key, &Inputs::stat(context, &[path]))
}

/// A reading as a store's read answers it.
fn answer<T>(reading: Result<T, Vec<Diagnostic>>) -> Result<Option<T>, LoadError> {
    reading.map(Some).map_err(LoadError::Invalid)
}

/// A reading as answered, and its encoding when `encode` can make one.
fn remembered<T>(
    reading: Result<T, Vec<Diagnostic>>,
    encode: impl FnOnce(&Result<T, Vec<Diagnostic>>) -> Option<Vec<u8>>,
) -> (Result<Option<T>, LoadError>, Option<Vec<u8>>) {
    let payload = encode(&reading);
    (answer(reading), payload)
}
