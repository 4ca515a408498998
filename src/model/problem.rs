//! What is wrong in a YAML document, and where, as a path of keys and indices.
//!
//! Models are built from a parsed `serde_yaml::Value` by hand-written readers that keep going
//! after the first problem, so that `tadqiq check` reports everything in one run. A problem
//! knows its path in the document (`fields.event_date.value`); the store turns paths into
//! `line:col` only when there is something to report.

use std::fmt;

/// One step into a YAML document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// Where a node is in a YAML document, from the root.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct YamlPath(pub Vec<Seg>);

impl YamlPath {
    /// The document's root.
    pub fn root() -> Self {
        YamlPath(Vec::new())
    }

    /// This path, one key deeper.
    pub fn key(&self, key: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Key(key.to_string()));
        p
    }

    /// This path, one index deeper.
    pub fn index(&self, i: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }
}

impl fmt::Display for YamlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; the file is still usable (a stale article hash).
    Warning,
    /// The file breaks the format or the schema.
    Error,
}

/// Whether a problem is about a mapping key itself (an unknown field) or about a node's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum At {
    /// The key of the mapping entry at the path.
    Key,
    /// The value at the path.
    Value,
}

/// One thing wrong in a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where.
    pub path: YamlPath,
    /// The key or the value at `path`.
    pub at: At,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, for a person.
    pub message: String,
}

/// Problems collected while reading a document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// An error about the value at `path`.
    pub fn error(&mut self, path: &YamlPath, message: impl Into<String>) {
        self.push(path, At::Value, Severity::Error, message);
    }

    /// An error about the key at `path` (an unknown or misspelt key).
    pub fn key_error(&mut self, path: &YamlPath, message: impl Into<String>) {
        self.push(path, At::Key, Severity::Error, message);
    }

    /// A warning about the value at `path`.
    pub fn warning(&mut self, path: &YamlPath, message: impl Into<String>) {
        self.push(path, At::Value, Severity::Warning, message);
    }

    fn push(&mut self, path: &YamlPath, at: At, severity: Severity, message: impl Into<String>) {
        self.0.push(Problem {
            path: path.clone(),
            at,
            severity,
            message: message.into(),
        });
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|p| p.severity == Severity::Error)
    }

    /// Whether there is no problem at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_like_yaml_selectors() {
        let p = YamlPath::root()
            .key("fields")
            .key("participants")
            .key("value")
            .index(2);
        assert_eq!(p.to_string(), "fields.participants.value[2]");
        assert_eq!(YamlPath::root().to_string(), "");
    }
}
