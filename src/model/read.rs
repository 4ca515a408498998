//! Small readers over a parsed `serde_yaml::Value` that record problems instead of stopping at
//! the first, shared by the schema, extracted and gold models.

use serde_yaml::{Mapping, Value as Yaml};

use super::problem::{Problems, YamlPath};

/// What kind of YAML node this is, for messages ("expected a list, found a string").
pub fn describe(v: &Yaml) -> &'static str {
    match v {
        Yaml::Null => "null",
        Yaml::Bool(_) => "a boolean",
        Yaml::Number(_) => "a number",
        Yaml::String(_) => "a string",
        Yaml::Sequence(_) => "a list",
        Yaml::Mapping(_) => "a mapping",
        Yaml::Tagged(_) => "a tagged value",
    }
}

/// The mapping at `path`, or a problem.
pub fn mapping<'a>(v: &'a Yaml, path: &YamlPath, problems: &mut Problems) -> Option<&'a Mapping> {
    match v {
        Yaml::Mapping(m) => Some(m),
        other => {
            problems.error(
                path,
                format!("expected a mapping, found {}", describe(other)),
            );
            None
        }
    }
}

/// The string at `path`, or a problem. Numbers and booleans are not strings: a gold set whose
/// types drift between files is a gold set scripts choke on.
pub fn string(v: &Yaml, path: &YamlPath, problems: &mut Problems) -> Option<String> {
    match v {
        Yaml::String(s) => Some(s.clone()),
        other => {
            problems.error(
                path,
                format!("expected a string, found {}", describe(other)),
            );
            None
        }
    }
}

/// Reads the entries of one mapping, remembering which keys were used so that unknown keys
/// (typos such as `verdcit`) are reported.
pub struct MapReader<'a> {
    map: &'a Mapping,
    /// Path of the mapping itself.
    pub path: YamlPath,
    used: Vec<&'a str>,
}

impl<'a> MapReader<'a> {
    /// Reads `map`, found at `path`. Keys that are not strings are reported at once.
    pub fn new(map: &'a Mapping, path: YamlPath, problems: &mut Problems) -> Self {
        for k in map.keys() {
            if !matches!(k, Yaml::String(_)) {
                problems.error(&path, format!("a key is {}, not a string", describe(k)));
            }
        }
        MapReader {
            map,
            path,
            used: Vec::new(),
        }
    }

    /// The value under `key`, if present.
    pub fn get(&mut self, key: &'a str) -> Option<&'a Yaml> {
        self.used.push(key);
        self.map.get(key)
    }

    /// The value under `key`, or a problem if it is missing.
    pub fn required(&mut self, key: &'a str, problems: &mut Problems) -> Option<&'a Yaml> {
        let v = self.get(key);
        if v.is_none() {
            problems.error(&self.path, format!("`{key}` is missing"));
        }
        v
    }

    /// The string under `key`, if present and a string.
    pub fn string(&mut self, key: &'a str, problems: &mut Problems) -> Option<String> {
        let path = self.path.key(key);
        self.get(key).and_then(|v| string(v, &path, problems))
    }

    /// The string under `key`; a problem if missing or not a string.
    pub fn required_string(&mut self, key: &'a str, problems: &mut Problems) -> Option<String> {
        let path = self.path.key(key);
        self.required(key, problems)
            .and_then(|v| string(v, &path, problems))
    }

    /// Entries whose key was never asked for, in document order.
    pub fn unused(&self) -> impl Iterator<Item = (&'a str, &'a Yaml)> + '_ {
        self.map.iter().filter_map(|(k, v)| match k {
            Yaml::String(k) if !self.used.contains(&k.as_str()) => Some((k.as_str(), v)),
            _ => None,
        })
    }

    /// Reports every key that was never asked for as unknown.
    pub fn deny_unknown(&self, what: &str, problems: &mut Problems) {
        for (k, _) in self.unused() {
            problems.key_error(&self.path.key(k), format!("unknown key `{k}` in {what}"));
        }
    }
}
