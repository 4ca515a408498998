//! The corpus index is never the truth: after any sequence of edits, additions, deletions,
//! renames, rewrites in place with the size and modification time restored, and corruptions,
//! every command prints through the index exactly what it prints with `--no-index`; and a
//! process killed while it writes the index leaves one that answers right.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{agree_corpus, index_dir, run};

/// The commands compared, each run in the corpus's folder.
const COMMANDS: &[&[&str]] = &[
    &["status", "--articles", "articles"],
    &["status", "--articles", "articles", "--format", "json"],
    &["agree", "--articles", "articles", "--format", "json"],
    &["agree", "--articles", "articles"],
    &["score", "--articles", "articles", "--format", "json"],
    &[
        "score",
        "--articles",
        "articles",
        "--against",
        "amina",
        "--format",
        "json",
    ],
    &["export", "--articles", "articles", "--format", "jsonl"],
    &[
        "export",
        "--articles",
        "articles",
        "--format",
        "csv",
        "--skip-invalid",
    ],
    &["check", "--articles", "articles"],
    &["twins", "--articles", "articles", "--format", "json"],
];

/// A small deterministic generator: the same seed, the same rounds.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

/// Every regular file under `dir`, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// One random change to the corpus; returns what it did, for the failure message.
fn mutate(root: &Path, rng: &mut Rng) -> String {
    let annotations = root.join("annotations");
    let all: Vec<PathBuf> = files(&annotations)
        .into_iter()
        .chain(files(&root.join("articles")))
        .filter(|p| !p.ends_with("schema.yaml"))
        .collect();
    let gold: Vec<PathBuf> = all
        .iter()
        .filter(|p| p.starts_with(annotations.join("gold")))
        .cloned()
        .collect();
    let Some(file) = rng.pick(&all).cloned() else {
        return "nothing to change".into();
    };
    let name = file.strip_prefix(root).unwrap().display().to_string();
    match rng.below(9) {
        0 => {
            // Another status or value, as an analyst's edit.
            let text = fs::read_to_string(&file).unwrap_or_default();
            let edited = match rng.below(3) {
                0 => text.replacen("status: done", "status: in_progress", 1),
                1 => text.replacen("status: in_progress", "status: done", 1),
                _ => text.replacen("confirmed", "corrected", 1),
            };
            fs::write(&file, edited).unwrap();
            format!("edited {name}")
        }
        1 => {
            // A line that breaks the file, or not.
            let mut text = fs::read(&file).unwrap_or_default();
            text.extend_from_slice(
                [&b"\nnote: x\n"[..], b"\n  - : [\n", b"\nstatus: maybe\n"][rng.below(3)],
            );
            fs::write(&file, text).unwrap();
            format!("appended to {name}")
        }
        2 => {
            // Rewritten in place, same size, modification time restored.
            let mtime = fs::metadata(&file).unwrap().modified().unwrap();
            let mut bytes = fs::read(&file).unwrap();
            if let Some(i) = bytes.iter().position(|b| b.is_ascii_lowercase()) {
                bytes[i] = if bytes[i] == b'z' { b'a' } else { bytes[i] + 1 };
            }
            fs::write(&file, &bytes).unwrap();
            fs::File::options()
                .write(true)
                .open(&file)
                .unwrap()
                .set_modified(mtime)
                .unwrap();
            format!("rewrote {name} in place, same size and mtime")
        }
        3 => {
            fs::remove_file(&file).unwrap();
            format!("deleted {name}")
        }
        4 => {
            // Renamed to another article's name (its `article:` then disagrees).
            let stem = format!("a{}", 1 + rng.below(10));
            let ext = file.extension().unwrap().to_str().unwrap().to_string();
            let to = file.with_file_name(format!("{stem}.{ext}"));
            fs::rename(&file, &to).unwrap();
            format!("renamed {name} to {stem}.{ext}")
        }
        5 => {
            // Garbage of the same length.
            let len = fs::metadata(&file).unwrap().len() as usize;
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            fs::write(&file, bytes).unwrap();
            format!("corrupted {name}")
        }
        6 => {
            // A colleague's review copied into another analyst's folder, or fixed to be theirs.
            let Some(from) = rng.pick(&gold).cloned() else {
                return "no gold file to copy".into();
            };
            let analysts = ["amina", "karim", "youssef", "_adjudicated", "salma"];
            let to_analyst = analysts[rng.below(analysts.len())];
            let to_dir = annotations.join("gold").join(to_analyst);
            fs::create_dir_all(&to_dir).unwrap();
            let to = to_dir.join(from.file_name().unwrap());
            let mut text = fs::read_to_string(&from).unwrap_or_default();
            if rng.below(2) == 0 {
                let from_analyst = from.parent().unwrap().file_name().unwrap();
                text = text.replacen(
                    &format!("analyst: {}", from_analyst.to_str().unwrap()),
                    &format!("analyst: {to_analyst}"),
                    1,
                );
            }
            fs::write(&to, text).unwrap();
            format!("copied {} to {}", from.display(), to.display())
        }
        7 => {
            // The article changes: reviews of it become stale.
            let id = format!("a{}", 1 + rng.below(9));
            let path = root.join("articles").join(format!("{id}.txt"));
            let mut text = fs::read(&path).unwrap_or_default();
            text.extend_from_slice(" وأضاف".as_bytes());
            fs::write(&path, text).unwrap();
            format!("edited articles/{id}.txt")
        }
        _ => {
            // Touched: same bytes, new times.
            let bytes = fs::read(&file).unwrap();
            fs::write(&file, bytes).unwrap();
            format!("touched {name}")
        }
    }
}

/// Runs every command with and without the index and asserts the same output.
fn compare(dir: &Path, history: &[String]) {
    for args in COMMANDS {
        let indexed = run(dir, args);
        let mut plain_args = vec!["--no-index"];
        plain_args.extend_from_slice(args);
        let plain = run(dir, &plain_args);
        assert_eq!(
            indexed,
            plain,
            "`tadqiq {}` differs with the index after:\n{}",
            args.join(" "),
            history.join("\n")
        );
    }
}

fn rounds(seed: u64, rounds: usize) {
    let dir = agree_corpus();
    let mut rng = Rng(seed);
    let mut history = Vec::new();
    compare(dir.path(), &history);
    for round in 0..rounds {
        for _ in 0..1 + rng.below(3) {
            let what = mutate(dir.path(), &mut rng);
            history.push(format!("round {round}: {what}"));
        }
        // Past the racily-clean margin, so that entries recorded in the previous round are
        // trusted unless the identity of their files says they changed.
        std::thread::sleep(Duration::from_millis(3100));
        compare(dir.path(), &history);
    }
    let (code, out, err) = run(dir.path(), &["index", "--articles", "articles", "--check"]);
    assert_eq!(code, Some(0), "{out}{err}");
}

#[test]
fn commands_print_through_the_index_what_they_print_without_it() {
    rounds(0x7ad9_1c0d, 8);
}

/// The long run: `cargo test --test index -- --ignored`.
#[test]
#[ignore]
fn commands_print_through_the_index_what_they_print_without_it_over_many_rounds() {
    for seed in 1..=4 {
        rounds(seed, 40);
    }
}

/// A corpus of `copies` × 8 articles made from the agreement fixture.
fn big_corpus(copies: usize) -> tempfile::TempDir {
    let dir = agree_corpus();
    let annotations = dir.path().join("annotations");
    let originals: Vec<PathBuf> = files(&annotations)
        .into_iter()
        .chain(files(&dir.path().join("articles")))
        .filter(|p| !p.ends_with("schema.yaml"))
        .collect();
    for path in &originals {
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        let ext = path.extension().unwrap().to_str().unwrap().to_string();
        let text = fs::read_to_string(path).unwrap();
        for k in 0..copies {
            let id = format!("{stem}x{k}");
            let copy = text.replacen(&format!("article: {stem}"), &format!("article: {id}"), 1);
            fs::write(path.with_file_name(format!("{id}.{ext}")), copy).unwrap();
        }
    }
    dir
}

#[test]
fn an_index_killed_while_it_is_written_still_answers_right() {
    let dir = big_corpus(300);
    let plain = |args: &[&str]| {
        let mut a = vec!["--no-index"];
        a.extend_from_slice(args);
        run(dir.path(), &a)
    };
    let expected = plain(&["status", "--articles", "articles", "--format", "json"]);
    for delay_ms in [30, 120, 400] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tadqiq"))
            .env("TADQIQ_INDEX_DIR", index_dir())
            .args(["index", "--articles", "articles", "--rebuild"])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let got = run(
            dir.path(),
            &["status", "--articles", "articles", "--format", "json"],
        );
        assert_eq!(got, expected, "after a kill at {delay_ms} ms");
        let (code, out, err) = run(dir.path(), &["index", "--articles", "articles", "--check"]);
        assert_eq!(code, Some(0), "after a kill at {delay_ms} ms: {out}{err}");
    }
}

#[test]
fn a_damaged_index_is_built_again() {
    let dir = agree_corpus();
    let args = ["agree", "--articles", "articles", "--format", "json"];
    let expected = run(dir.path(), &args);
    // `tadqiq index` names the index on stderr: `<path>: N files, …`.
    let (code, _, err) = run(dir.path(), &["index", "--articles", "articles"]);
    assert_eq!(code, Some(0), "{err}");
    let newest = PathBuf::from(err.split(".sqlite:").next().unwrap().to_string() + ".sqlite");
    assert!(newest.starts_with(index_dir()), "{err}");
    let len = fs::metadata(&newest).unwrap().len() as usize;
    fs::write(&newest, vec![0x5a; len.max(8192)]).unwrap();
    for sidecar in ["sqlite-wal", "sqlite-shm"] {
        let _ = fs::remove_file(newest.with_extension(sidecar));
    }
    assert_eq!(run(dir.path(), &args), expected);
    assert_eq!(run(dir.path(), &args), expected);
}
