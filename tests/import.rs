//! `tadqiq import articles` and `tadqiq import extracted` run as a user runs them, on the
//! fixtures of `tests/data/import/`: JSONL and CSV with Arabic text, a byte order mark, CRLF
//! line ends, a broken line, a duplicate id, ids with `/` and `..`, and extractor lines that
//! break the schema or quote what the article does not say; and on inputs made here: CSV quotes
//! that do not pair up, ids that differ only in characters a file name cannot hold or in their
//! Unicode normalisation, ids whose file holds another id, empty texts and impossible dates.

mod common;

use common::run;

use std::fs;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(name)
}

/// A corpus with the bundled schema and no articles.
fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("annotations")).unwrap();
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("annotations/schema.yaml"),
        dir.path().join("annotations/schema.yaml"),
    )
    .unwrap();
    dir
}

fn import(dir: &Path, what: &str, file: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let path = fixture(file);
    let mut args = vec!["import", what, path.to_str().unwrap()];
    args.extend(extra);
    let (code, stdout, stderr) = run(dir, &args);
    // Messages name the file as given; keep only its name for the comparisons below.
    let prefix = format!("{}", fixture("").display());
    (
        code,
        stdout.replace(&prefix, ""),
        stderr.replace(&prefix, ""),
    )
}

fn read(dir: &Path, path: &str) -> String {
    fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    n.sort();
    n
}

#[test]
fn articles_from_jsonl_are_written_once_and_problems_are_reported_by_line() {
    let dir = corpus();
    let (code, stdout, stderr) = import(dir.path(), "articles", "articles.jsonl", &[]);
    assert_eq!(code, Some(1), "a rejected line exits 1: {stderr}");
    assert_eq!(
        stdout,
        "articles.jsonl: 4 imported, 0 unchanged, 0 skipped as existing, 0 duplicates, 3 rejected\n"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].starts_with("articles.jsonl:2: not JSON: "),
        "{stderr}"
    );
    assert_eq!(
        &lines[1..],
        [
            "articles.jsonl:3: note: id `alyaoum24/2023/12/15` saved as `alyaoum24_2023_12_15_c1d67fe4102f0c47efeb6513ceb7138c`",
            "articles.jsonl:4: duplicate id `hespress-1` with other content than line 1: not imported (the first record of an id is kept)",
            "articles.jsonl:5: note: id `../../etc/passwd` saved as `____etc_passwd_3754d6cb3a38e1185e5b382d5f3ef3f1`",
            "articles.jsonl:6: no `id` (the id; --id-field names another key)",
        ]
    );
    assert_eq!(
        names(&dir.path().join("samples")),
        [
            "42.txt",
            "____etc_passwd_3754d6cb3a38e1185e5b382d5f3ef3f1.meta.yaml",
            "____etc_passwd_3754d6cb3a38e1185e5b382d5f3ef3f1.txt",
            "alyaoum24_2023_12_15_c1d67fe4102f0c47efeb6513ceb7138c.meta.yaml",
            "alyaoum24_2023_12_15_c1d67fe4102f0c47efeb6513ceb7138c.txt",
            "hespress-1.meta.yaml",
            "hespress-1.txt",
        ]
    );
    assert!(!dir.path().join("etc").exists());
    assert_eq!(
        read(dir.path(), "samples/hespress-1.txt"),
        "حموشي يستقبل سفير الولايات المتحدة\nاستقبل المدير العام للأمن الوطني بالرباط سفير الولايات المتحدة.\nوتناول اللقاء التعاون الأمني."
    );
    assert_eq!(
        read(dir.path(), "samples/hespress-1.meta.yaml"),
        "url: https://www.hespress.com/1\noutlet: هسبريس\npublished_at: '2020-09-24'\n"
    );
    assert_eq!(
        read(
            dir.path(),
            "samples/alyaoum24_2023_12_15_c1d67fe4102f0c47efeb6513ceb7138c.meta.yaml"
        ),
        "id: alyaoum24/2023/12/15\noutlet: اليوم 24\npublished_at: '2023-12-15'\n"
    );

    // The same import again changes nothing.
    let before = fs::metadata(dir.path().join("samples/hespress-1.txt"))
        .unwrap()
        .modified()
        .unwrap();
    let (_, stdout, _) = import(dir.path(), "articles", "articles.jsonl", &[]);
    assert_eq!(
        stdout,
        "articles.jsonl: 0 imported, 4 unchanged, 0 skipped as existing, 0 duplicates, 3 rejected\n"
    );
    let after = fs::metadata(dir.path().join("samples/hespress-1.txt"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after);
}

#[test]
fn an_article_changed_on_disk_is_replaced_only_with_force() {
    let dir = corpus();
    import(dir.path(), "articles", "articles.jsonl", &[]);
    let path = dir.path().join("samples/42.txt");
    fs::write(&path, "نص عدّله أحد").unwrap();
    let (_, stdout, stderr) = import(dir.path(), "articles", "articles.jsonl", &[]);
    assert!(
        stdout.contains(" 3 unchanged, 1 skipped as existing,"),
        "{stdout}"
    );
    assert!(
        stderr.contains(
            "articles.jsonl:7: note: samples/42.txt exists with other content: skipped (--force replaces it)"
        ),
        "{stderr}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "نص عدّله أحد");
    let (_, stdout, _) = import(dir.path(), "articles", "articles.jsonl", &["--force"]);
    assert!(
        stdout.starts_with("articles.jsonl: 1 imported, 3 unchanged,"),
        "{stdout}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "مقال برقم");
}

#[test]
fn articles_from_csv_keep_their_text_as_given() {
    let dir = corpus();
    let (code, stdout, stderr) = import(
        dir.path(),
        "articles",
        "articles.csv",
        &["--articles", "corpus"],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stdout,
        "articles.csv: 3 imported, 0 unchanged, 0 skipped as existing, 0 duplicates, 2 rejected\n"
    );
    assert_eq!(
        stderr,
        "articles.csv:5: duplicate id `le360-7` with other content than line 2: not imported (the first record of an id is kept)\n\
         articles.csv:6: note: id `..\\hidden` saved as `__hidden_4597fc477561a14734ff1ca125752489`\n\
         articles.csv:7: 2 values for 4 columns\n"
    );
    assert_eq!(
        read(dir.path(), "corpus/le360-7.txt"),
        "الرباط تحتضن \"منتدى\" الأمن\nانطلقت أشغال المنتدى صباح اليوم.\r\nوشارك فيه خبراء من عدة دول."
    );
    assert_eq!(read(dir.path(), "corpus/le360-8.txt"), "خبر قصير بلا عنوان");
    assert!(!dir.path().join("corpus/le360-8.meta.yaml").exists());
    // The format can be given when the extension does not say.
    let renamed = dir.path().join("feed.txt");
    fs::copy(fixture("articles.csv"), &renamed).unwrap();
    let (code, _, stderr) = run(dir.path(), &["import", "articles", "feed.txt"]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "tadqiq: feed.txt: cannot tell the format from the extension (.jsonl, .ndjson, .csv): give --format jsonl|csv\n"
    );
    let (_, stdout, _) = run(
        dir.path(),
        &[
            "import",
            "articles",
            "feed.txt",
            "--format",
            "csv",
            "--articles",
            "corpus",
        ],
    );
    assert_eq!(
        stdout,
        "feed.txt: 0 imported, 3 unchanged, 0 skipped as existing, 0 duplicates, 2 rejected\n"
    );
}

#[test]
fn user_errors_exit_2_with_one_line() {
    let dir = corpus();
    let (code, _, stderr) = run(dir.path(), &["import", "articles", "missing.jsonl"]);
    assert_eq!(code, Some(2));
    assert!(stderr.starts_with("tadqiq: missing.jsonl: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);
    let csv = fixture("articles.csv");
    let (code, _, stderr) = run(
        dir.path(),
        &[
            "import",
            "articles",
            csv.to_str().unwrap(),
            "--text-field",
            "body",
        ],
    );
    assert_eq!(code, Some(2));
    assert!(
        stderr.ends_with(
            "articles.csv: no column `body` in the header (columns: id, title, text, url): give --text-field NAME\n"
        ),
        "{stderr}"
    );
}

#[test]
fn extracted_lines_are_checked_like_check_does_and_the_rest_imported() {
    let dir = corpus();
    import(dir.path(), "articles", "articles.jsonl", &[]);
    import(
        dir.path(),
        "articles",
        "articles.csv",
        &["--articles", "samples"],
    );
    let (code, stdout, stderr) = import(
        dir.path(),
        "extracted",
        "extracted.jsonl",
        &["--extractor", "khabar-extract@2.3.1"],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stdout,
        "extracted.jsonl: 2 imported, 0 unchanged, 0 skipped as existing, 0 duplicates, 5 rejected\n"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines[0],
        "extracted.jsonl:2: note: id `alyaoum24/2023/12/15` saved as `alyaoum24_2023_12_15_c1d67fe4102f0c47efeb6513ceb7138c`"
    );
    assert!(
        lines[1].starts_with(
            "extracted.jsonl:3: fields.event_type.value: `party` is not a value of `event_type`; one of: meeting,"
        ),
        "{stderr}"
    );
    assert!(
        lines[2].starts_with(
            "extracted.jsonl:4: fields.mood: `mood` is not a field of the schema; fields: headline,"
        ),
        "{stderr}"
    );
    assert!(
        lines[3].starts_with("extracted.jsonl:5: not JSON: "),
        "{stderr}"
    );
    assert_eq!(
        lines[4],
        "extracted.jsonl:6: duplicate id `hespress-1` with other content than line 1: not imported (the first record of an id is kept)"
    );
    assert!(
        lines[5].starts_with("extracted.jsonl:7: fields.location.evidence: "),
        "{stderr}"
    );
    assert_eq!(lines.len(), 6, "{stderr}");
    assert_eq!(
        read(dir.path(), "annotations/extracted/hespress-1.yaml"),
        "article: hespress-1\nextractor:\n  name: khabar-extract\n  version: '2.3.1'\nfields:\n  event_type:\n    value: reception\n  location:\n    value:\n    - الرباط\n  countries:\n    value:\n    - Morocco\n    - United States\n"
    );
    let second = read(
        dir.path(),
        "annotations/extracted/alyaoum24_2023_12_15_c1d67fe4102f0c47efeb6513ceb7138c.yaml",
    );
    assert!(
        second.starts_with(
            "article: alyaoum24_2023_12_15_c1d67fe4102f0c47efeb6513ceb7138c\nextractor:\n  name: khabar-extract\n  version: '2.4.0'\nextracted_at: '2026-11-23T08:00:00Z'\n"
        ),
        "{second}"
    );
    // What was imported passes `check`, and a second run changes nothing.
    let (code, stdout, stderr) = run(dir.path(), &["check"]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""), "{stderr}");
    let (_, stdout, _) = import(
        dir.path(),
        "extracted",
        "extracted.jsonl",
        &["--extractor", "khabar-extract@2.3.1"],
    );
    assert!(stdout.contains(": 0 imported, 2 unchanged,"), "{stdout}");
}

/// Writes `name` in `dir` and imports it as articles: exit code, stdout, stderr.
fn import_text(dir: &Path, name: &str, input: &[u8]) -> (Option<i32>, String, String) {
    fs::write(dir.join(name), input).unwrap();
    run(dir, &["import", "articles", name])
}

#[test]
fn an_unterminated_csv_quote_is_reported_where_it_opened_and_swallows_nothing() {
    let dir = corpus();
    // A few megabytes after the quote that is never closed: every line of it used to become
    // the value of one article (and the whole of it held in memory).
    let feed = |rows: usize| {
        let mut csv =
            String::from("id,text\na1,نص\na2,\"نص\nعلى سطرين\"\na3,نص ثالث\nb1,\"نص لم يغلق\n");
        for i in 0..rows {
            csv.push_str(&format!("c{i},نص لم يستورد بعد {i}\n"));
        }
        csv
    };
    let csv = feed(60_000);
    assert!(csv.len() > 2 << 20);
    let (code, stdout, stderr) = import_text(dir.path(), "feed.csv", csv.as_bytes());
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stderr,
        "feed.csv:6:4: unterminated quote opened here: it runs to the end of the file (line \
         60006): nothing was imported from this file, whose rows cannot be told apart until its \
         quotes pair up\n"
    );
    assert_eq!(
        stdout,
        "feed.csv: 0 imported, 0 unchanged, 0 skipped as existing, 0 duplicates, 4 rejected\n"
    );
    assert!(!dir.path().join("samples").exists());

    // Once the quote is closed, the rows import.
    let fixed = feed(2).replacen("نص لم يغلق", "نص مغلق\"", 1);
    let (code, stdout, stderr) = import_text(dir.path(), "feed.csv", fixed.as_bytes());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with("feed.csv: 6 imported,"), "{stdout}");
    assert_eq!(read(dir.path(), "samples/a2.txt"), "نص\nعلى سطرين");
    assert_eq!(read(dir.path(), "samples/b1.txt"), "نص مغلق");

    // A quote left open and closed by the next quote further down: the rows between are not
    // made into one article, nor is anything else imported.
    let csv = "id,text\na1,نص\nb1,\"نص لم يغلق\nc1,عادي\nd1,\"مقتبس\"\ne1,نص\n";
    let (code, stdout, stderr) = import_text(dir.path(), "shifted.csv", csv.as_bytes());
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stderr,
        "shifted.csv:3:4: the quote opened here is closed on line 5, column 4, and followed by \
         text (a quote left open? a quote inside a quoted value is written \"\"): nothing was \
         imported from this file, whose rows cannot be told apart until its quotes pair up\n"
    );
    assert_eq!(
        stdout,
        "shifted.csv: 0 imported, 0 unchanged, 0 skipped as existing, 0 duplicates, 3 rejected\n"
    );
    assert!(!dir.path().join("samples/e1.txt").exists());

    // In the header, it stops the import before anything is read.
    let (code, stdout, stderr) = import_text(dir.path(), "head.csv", b"id,\"text\na,b\n");
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with("tadqiq: head.csv:1:4: the CSV header: unterminated quote opened here"),
        "{stderr}"
    );
}

#[test]
fn distinct_ids_are_distinct_articles() {
    let dir = corpus();
    let jsonl = concat!(
        r#"{"id": "news:123", "text": "الأول"}"#,
        "\n",
        r#"{"id": "news/123", "text": "الثاني"}"#,
        "\n",
        r#"{"id": "news 123", "text": "الثالث"}"#,
        "\n",
        r#"{"id": "news_123", "text": "الرابع"}"#,
        "\n",
    );
    let (code, stdout, stderr) = import_text(dir.path(), "feed.jsonl", jsonl.as_bytes());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with("feed.jsonl: 4 imported,"), "{stdout}");
    let samples = dir.path().join("samples");
    let texts: Vec<String> = names(&samples)
        .into_iter()
        .filter(|n| n.ends_with(".txt"))
        .map(|n| read(&samples, &n))
        .collect();
    assert_eq!(texts.len(), 4, "{texts:?}");
    for text in ["الأول", "الثاني", "الثالث", "الرابع"] {
        assert!(texts.iter().any(|t| t == text), "{text}: {texts:?}");
    }
    assert_eq!(read(&samples, "news_123.txt"), "الرابع");
    // Each file says which id it holds.
    for line in stderr.lines() {
        let stem = line
            .rsplit_once(" saved as `")
            .unwrap()
            .1
            .trim_end_matches('`');
        let id = line.split('`').nth(1).unwrap();
        assert_eq!(
            read(&samples, &format!("{stem}.meta.yaml")),
            format!("id: {id}\n")
        );
    }

    // Long ids sharing their first 200 bytes too.
    let long = "https://www.hespress.com/politique/".repeat(8);
    let jsonl = format!(
        "{{\"id\": \"{long}1\", \"text\": \"أ\"}}\n{{\"id\": \"{long}2\", \"text\": \"ب\"}}\n"
    );
    let (code, stdout, _) = import_text(dir.path(), "long.jsonl", jsonl.as_bytes());
    assert_eq!(code, Some(0));
    assert!(stdout.starts_with("long.jsonl: 2 imported,"), "{stdout}");
    // 6 articles, all but `news_123` with the id in their `.meta.yaml`.
    assert_eq!(fs::read_dir(&samples).unwrap().count(), 11);
}

#[test]
fn composed_and_decomposed_spellings_of_an_id_are_one_article() {
    let dir = corpus();
    // آ composed (U+0622), then as ا and a madda (U+0627 U+0653).
    let jsonl =
        "{\"id\": \"آخر\", \"text\": \"نص\"}\n{\"id\": \"\u{0627}\u{0653}خر\", \"text\": \"نص\"}\n";
    let (code, stdout, stderr) = import_text(dir.path(), "feed.jsonl", jsonl.as_bytes());
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stdout,
        "feed.jsonl: 1 imported, 0 unchanged, 0 skipped as existing, 1 duplicate, 0 rejected\n"
    );
    assert_eq!(
        stderr,
        "feed.jsonl:2: note: duplicate id `\u{0627}\u{0653}خر` (the same id once in Unicode NFC), first on line 1: skipped\n"
    );
    assert_eq!(names(&dir.path().join("samples")), ["آخر.txt"]);
    // Extracted fields of the decomposed id go to the same article.
    let line = "{\"id\": \"\u{0627}\u{0653}خر\", \"fields\": {}}\n";
    fs::write(dir.path().join("x.jsonl"), line).unwrap();
    let (code, _, stderr) = run(dir.path(), &["import", "extracted", "x.jsonl"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(dir.path().join("annotations/extracted/آخر.yaml").exists());
}

#[test]
fn an_id_whose_file_holds_another_id_is_refused() {
    let dir = corpus();
    let samples = dir.path().join("samples");
    fs::create_dir_all(&samples).unwrap();
    fs::write(samples.join("report.txt"), "نص").unwrap();
    fs::write(samples.join("report.meta.yaml"), "id: report?\n").unwrap();
    let (code, stdout, stderr) = import_text(
        dir.path(),
        "feed.jsonl",
        "{\"id\": \"report\", \"text\": \"نص آخر\"}\n".as_bytes(),
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stderr,
        "feed.jsonl:1: id `report` would be saved as `report`, but samples/report.txt is the \
         article of id `report?`: not imported\n"
    );
    assert!(stdout.ends_with(" 1 rejected\n"), "{stdout}");
    assert_eq!(read(&samples, "report.txt"), "نص");
    let (code, _, stderr) = run(
        dir.path(),
        &["import", "extracted", "feed.jsonl", "--force"],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("is the article of id `report?`"),
        "{stderr}"
    );
}

#[test]
fn an_article_imported_under_its_former_name_keeps_it() {
    let dir = corpus();
    let samples = dir.path().join("samples");
    fs::create_dir_all(&samples).unwrap();
    // What an earlier import made of `a/2`.
    fs::write(samples.join("a_2.txt"), "نص").unwrap();
    fs::write(samples.join("a_2.meta.yaml"), "id: a/2\n").unwrap();
    let (code, stdout, stderr) = import_text(
        dir.path(),
        "feed.jsonl",
        "{\"id\": \"a/2\", \"text\": \"نص\"}\n".as_bytes(),
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.starts_with("feed.jsonl: 0 imported, 1 unchanged,"),
        "{stdout}"
    );
    assert_eq!(names(&samples), ["a_2.meta.yaml", "a_2.txt"]);
    // And its extracted fields go beside it.
    fs::write(dir.path().join("x.jsonl"), "{\"id\": \"a/2\"}\n").unwrap();
    let (code, _, stderr) = run(dir.path(), &["import", "extracted", "x.jsonl"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(dir.path().join("annotations/extracted/a_2.yaml").exists());

    // An id imported in NFD, as it came, before ids were normalised.
    let nfd = "\u{0627}\u{0653}خر";
    fs::write(samples.join(format!("{nfd}.txt")), "نص").unwrap();
    let (code, stdout, stderr) = import_text(
        dir.path(),
        "feed.jsonl",
        format!("{{\"id\": \"{nfd}\", \"text\": \"نص\"}}\n").as_bytes(),
    );
    assert_eq!(code, Some(0), "{stderr}");
    // The text is unchanged; the id, now that the file name differs from it, goes beside it.
    assert!(stdout.starts_with("feed.jsonl: 1 imported,"), "{stdout}");
    assert_eq!(
        names(&samples),
        [
            "a_2.meta.yaml".to_string(),
            "a_2.txt".into(),
            format!("{nfd}.meta.yaml"),
            format!("{nfd}.txt"),
        ]
    );
    assert_eq!(read(&samples, &format!("{nfd}.meta.yaml")), "id: آخر\n");
}

#[test]
fn empty_text_and_impossible_dates_are_refused() {
    let dir = corpus();
    let jsonl = concat!(
        r#"{"id": "a", "text": ""}"#,
        "\n",
        r#"{"id": "b", "text": "نص", "published_at": "2023-02-30"}"#,
        "\n",
        r#"{"id": "c", "text": "نص", "published_at": "24/09/2020"}"#,
        "\n",
        r#"{"id": "", "text": "نص"}"#,
        "\n",
        r#"{"id": "d", "text": "نص", "published_at": "2020-09-24T15:57:00+01:00"}"#,
        "\n",
    );
    let (code, stdout, stderr) = import_text(dir.path(), "feed.jsonl", jsonl.as_bytes());
    assert_eq!(code, Some(1));
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            "feed.jsonl:1: `text` is empty: an article needs a text",
            "feed.jsonl:2: `published_at`: `2023-02-30` is not a day of the calendar",
            "feed.jsonl:3: `published_at`: `24/09/2020` is not a date: write YYYY-MM-DD, or a date and time such as 2023-12-15T08:30:00Z",
            "feed.jsonl:4: `id` (the id) is empty",
        ]
    );
    assert_eq!(
        stdout,
        "feed.jsonl: 1 imported, 0 unchanged, 0 skipped as existing, 0 duplicates, 4 rejected\n"
    );
    assert_eq!(names(&dir.path().join("samples")), ["d.meta.yaml", "d.txt"]);
}
