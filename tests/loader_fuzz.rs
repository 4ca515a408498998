//! The annotation loaders on hostile input: arbitrary bytes, YAML-ish noise and mutations of
//! real files never panic, and every problem comes back as a positioned diagnostic.

use std::path::Path;

use proptest::prelude::*;
use tadqiq::model::{Extracted, Gold, Problems, Schema};
use tadqiq::store::yaml;

fn schema() -> Schema {
    let bytes = std::fs::read("annotations/schema.yaml").unwrap();
    let parsed = yaml::parse(Path::new("schema.yaml"), bytes).unwrap();
    Schema::from_yaml(&parsed.doc, &mut Problems::default()).unwrap()
}

fn real_files() -> Vec<String> {
    let mut out = vec![std::fs::read_to_string("annotations/schema.yaml").unwrap()];
    for e in std::fs::read_dir("annotations/extracted").unwrap() {
        out.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    out.push(
        "article: a\nanalyst: amina\nstatus: done\nreviewed_at: 2026-11-22T10:15:00Z\n\
         fields:\n  event_date: {value: '2023-12-14', verdict: corrected, was: '2023-12-15', \
         evidence: {start: 3, end: 9}, note: «أمس الخميس»}\n  countries: {value: null, verdict: rejected}\n"
            .to_string(),
    );
    out
}

/// Runs every loader on the bytes; returns the number of diagnostics.
fn load_all(schema: &Schema, bytes: Vec<u8>) -> usize {
    let path = Path::new("f.yaml");
    let parsed = match yaml::parse(path, bytes) {
        Ok(p) => p,
        Err(d) => {
            assert!(d.line >= 1 && d.col >= 1);
            return 1;
        }
    };
    let mut n = 0;
    let mut p = Problems::default();
    let _ = Gold::from_yaml(&parsed.doc, schema, &mut p);
    n += yaml::diagnostics(path, parsed.text(), &p).len();
    let mut p = Problems::default();
    let _ = Extracted::from_yaml(&parsed.doc, schema, &mut p);
    n += yaml::diagnostics(path, parsed.text(), &p).len();
    let mut p = Problems::default();
    let _ = Schema::from_yaml(&parsed.doc, &mut p);
    for d in yaml::diagnostics(path, parsed.text(), &p) {
        assert!(d.line >= 1 && d.col >= 1);
        n += 1;
    }
    n
}

fn yamlish() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "article: ",
        "fields:",
        "value: ",
        "verdict: ",
        "confirmed",
        "null",
        "~",
        "- ",
        "[",
        "]",
        "{",
        "}",
        ", ",
        ": ",
        "\n",
        "\n  ",
        "\n    ",
        "&a ",
        "*a",
        "!!binary ",
        "'",
        "\"",
        "#",
        "---\n",
        "start: ",
        "end: ",
        "12",
        "-1",
        "1e999",
        "حموشي",
        "\u{1b}[2J",
        "\t",
        "?",
        "|",
        ">-\n  ",
        "status: done",
        "was: ",
        "evidence: ",
        "<<: *a",
    ]);
    prop::collection::vec(token, 0..80).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
    ))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        load_all(&schema(), bytes);
    }

    #[test]
    fn yaml_noise_never_panics(text in yamlish()) {
        load_all(&schema(), text.into_bytes());
    }

    #[test]
    fn mutated_real_files_never_panic(
        file in 0usize..7,
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, "[ -~\n\u{600}-\u{6ff}]{0,3}"), 1..6),
    ) {
        let files = real_files();
        let mut text = files[file % files.len()].clone();
        for (at, op, s) in edits {
            let chars: Vec<char> = text.chars().collect();
            let i = at.index(chars.len() + 1);
            let mut v = chars;
            match op {
                0 => v.splice(i..i, s.chars()).for_each(drop),
                1 => { let j = (i + s.chars().count().max(1)).min(v.len()); v.drain(i.min(j)..j); }
                _ => { if i < v.len() { v[i] = s.chars().next().unwrap_or(' '); } }
            }
            text = v.into_iter().collect();
        }
        load_all(&schema(), text.into_bytes());
    }
}

/// The nodes of a parsed document, as serde_yaml built it (aliases expanded).
fn nodes(v: &serde_yaml::Value) -> u64 {
    1 + match v {
        serde_yaml::Value::Sequence(s) => s.iter().map(nodes).sum(),
        serde_yaml::Value::Mapping(m) => m.iter().map(|(k, v)| nodes(k) + nodes(v)).sum(),
        serde_yaml::Value::Tagged(t) => nodes(&t.value),
        _ => 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Chains of anchors, each a list of aliases to the one before: whatever the file is
    /// accepted holds at most `MAX_NODES` nodes once serde_yaml has expanded it, and a small
    /// expansion is not refused for its aliases.
    #[test]
    fn aliases_never_expand_past_the_limit(
        base in 1usize..6,
        word in 1usize..40,
        levels in prop::collection::vec(1usize..14, 1..8),
    ) {
        let mut text = format!("l0: &l0 [{}]\n", vec!["x".repeat(word); base].join(", "));
        // What each level expands to, as the test counts it: the list and its items.
        let mut size = 1 + base as u64;
        let mut total = 2 + size;
        for (i, &n) in levels.iter().enumerate() {
            let aliases = vec![format!("*l{i}"); n].join(", ");
            text.push_str(&format!("l{}: &l{} [{aliases}]\n", i + 1, i + 1));
            size = 1 + n as u64 * size;
            total += 1 + size;
        }
        match yaml::parse(Path::new("a.yaml"), text.into_bytes()) {
            Ok(parsed) => {
                let n = nodes(&parsed.doc);
                prop_assert_eq!(n, total);
                prop_assert!(n <= yaml::MAX_NODES + 1);
            }
            // serde_yaml's own limit on alias jumps (a hundred per event) may come first.
            Err(d) if d.message.contains("repetition limit") => {}
            Err(d) => {
                prop_assert!(d.message.starts_with("too many aliases"), "{}", d);
                prop_assert!(total > 10_000, "{} refused at {} nodes", d, total);
            }
        }
    }
}
