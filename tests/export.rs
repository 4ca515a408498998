//! `tadqiq export` through the binary: each format read back gives the gold files' values,
//! the output is deterministic, invalid files stop it (or are skipped), `--out` is atomic.

mod common;

use common::copy_dir;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value as Json;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/agree")
}

fn tadqiq(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tadqiq"))
        .env("TADQIQ_INDEX_DIR", common::index_dir())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "{:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Every gold file of the fixture with `status: done`, outside `_adjudicated`, as JSON read
/// independently of tadqiq (serde_yaml straight into JSON), keyed by (article, analyst).
fn gold_files(root: &Path) -> Vec<((String, String), Json)> {
    let mut out = Vec::new();
    let gold = root.join("annotations/gold");
    for analyst in std::fs::read_dir(&gold).unwrap() {
        let analyst = analyst.unwrap();
        let name = analyst.file_name().to_string_lossy().into_owned();
        if name == "_adjudicated" {
            continue;
        }
        for f in std::fs::read_dir(analyst.path()).unwrap() {
            let path = f.unwrap().path();
            let yaml: serde_yaml::Value =
                serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let json: Json = serde_json::to_value(&yaml).unwrap();
            if json["status"] == "done" {
                let id = path.file_stem().unwrap().to_string_lossy().into_owned();
                out.push(((id, name.clone()), json));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn jsonl_read_back_equals_the_yaml_values() {
    let dir = fixture();
    let text = stdout(&tadqiq(
        &dir,
        &[
            "export",
            "--format",
            "jsonl",
            "--annotations",
            "annotations",
        ],
    ));
    let records: Vec<Json> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let expected = gold_files(&dir);
    assert_eq!(records.len(), expected.len());
    for (r, ((id, analyst), yaml)) in records.iter().zip(&expected) {
        // Sorted by article then analyst.
        assert_eq!(
            (&r["article"], &r["analyst"]),
            (&Json::from(id.as_str()), &Json::from(analyst.as_str()))
        );
        assert_eq!(r["status"], "done");
        let fields = yaml["fields"].as_object().unwrap();
        assert_eq!(
            r["fields"].as_object().unwrap().len(),
            fields.len(),
            "{id}/{analyst}"
        );
        for (name, f) in fields {
            // Types preserved: lists stay lists, null stays null, records are objects.
            assert_eq!(
                r["fields"][name]["value"], f["value"],
                "{id}/{analyst}/{name}"
            );
            assert_eq!(r["fields"][name]["verdict"], f["verdict"]);
            assert_eq!(r["fields"][name].get("was"), f.get("was"));
        }
    }
}

/// A value of the YAML as the CSV writes it.
fn csv_cell(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Array(items) if items.iter().all(Json::is_string) => items
            .iter()
            .map(|i| i.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join(" | "),
        other => serde_json::to_string(other).unwrap(),
    }
}

#[test]
fn csv_read_back_gives_the_same_values_with_or_without_a_bom() {
    let dir = fixture();
    let expected = gold_files(&dir);
    for bom in [false, true] {
        let mut args = vec!["export", "--format", "csv", "--annotations", "annotations"];
        if bom {
            args.push("--bom");
        }
        let out = tadqiq(&dir, &args);
        let bytes = out.stdout.clone();
        stdout(&out);
        assert_eq!(bytes.starts_with("\u{feff}".as_bytes()), bom);
        let body = if bom { &bytes[3..] } else { &bytes[..] };
        let mut reader = csv::Reader::from_reader(body);
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header, tadqiq::export::LONG_HEADER);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let mut n = 0;
        for ((id, analyst), yaml) in &expected {
            for (name, f) in yaml["fields"].as_object().unwrap() {
                let row = rows
                    .iter()
                    .find(|r| &r[0] == id && &r[1] == analyst && &r[2] == name)
                    .unwrap_or_else(|| panic!("no row for {id}/{analyst}/{name}"));
                let value = match &f["value"] {
                    // Records and spans are written as compact JSON.
                    Json::Object(_) => serde_json::from_str::<Json>(&row[3]).unwrap() == f["value"],
                    Json::Array(items) if items.iter().any(Json::is_object) => {
                        serde_json::from_str::<Json>(&row[3]).unwrap() == f["value"]
                    }
                    v => row[3] == csv_cell(v),
                };
                assert!(
                    value,
                    "{id}/{analyst}/{name}: {:?} vs {}",
                    &row[3], f["value"]
                );
                assert_eq!(&row[4], f["verdict"].as_str().unwrap());
                n += 1;
            }
        }
        assert_eq!(rows.len(), n);
        // Arabic intact.
        assert!(rows.iter().any(|r| r[3].contains("حموشي")));
    }
}

#[test]
fn wide_csv_has_a_column_per_field_and_yaml_a_document_per_file() {
    let dir = fixture();
    let text = stdout(&tadqiq(
        &dir,
        &[
            "export",
            "--format",
            "csv",
            "--layout",
            "wide",
            "--annotations",
            "annotations",
        ],
    ));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "article",
            "analyst",
            "status",
            "source",
            "published_at",
            "event_type",
            "countries",
            "participants",
            "body_span"
        ]
    );
    assert_eq!(reader.records().count(), gold_files(&dir).len());

    let text = stdout(&tadqiq(
        &dir,
        &["export", "--format", "yaml", "--annotations", "annotations"],
    ));
    let docs: Vec<serde_yaml::Value> = serde_yaml::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect();
    assert_eq!(docs.len(), gold_files(&dir).len());
    assert_eq!(docs[0]["article"], "a1");
}

#[test]
fn two_exports_are_byte_identical() {
    let dir = fixture();
    for format in ["jsonl", "csv", "yaml"] {
        let args = [
            "export",
            "--format",
            format,
            "--annotations",
            "annotations",
            "--status",
            "any",
        ];
        let a = tadqiq(&dir, &args);
        let b = tadqiq(&dir, &args);
        assert!(a.status.success());
        assert_eq!(a.stdout, b.stdout, "{format}");
    }
}

#[test]
fn the_adjudicated_set_and_analysts_can_be_chosen() {
    let dir = fixture();
    let text = stdout(&tadqiq(
        &dir,
        &[
            "export",
            "--format",
            "jsonl",
            "--annotations",
            "annotations",
            "--adjudicated",
        ],
    ));
    assert!(
        text.lines()
            .all(|l| l.contains(r#""analyst":"_adjudicated""#))
    );
    let text = stdout(&tadqiq(
        &dir,
        &[
            "export",
            "--format",
            "jsonl",
            "--annotations",
            "annotations",
            "--analyst",
            "karim",
        ],
    ));
    assert!(!text.is_empty());
    assert!(text.lines().all(|l| l.contains(r#""analyst":"karim""#)));
}

#[test]
fn an_invalid_gold_file_stops_the_export_unless_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), tmp.path());
    let broken = tmp.path().join("annotations/gold/karim/a2.yaml");
    std::fs::write(
        &broken,
        "article: a2\nanalyst: karim\nstatus: done\nfields:\n  event_type: {value: party, verdict: corrected}\n",
    )
    .unwrap();
    let out_file = tmp.path().join("out.jsonl");
    let o = tadqiq(
        tmp.path(),
        &[
            "export",
            "--format",
            "jsonl",
            "--annotations",
            "annotations",
            "--out",
            "out.jsonl",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("annotations/gold/karim/a2.yaml:5:"), "{err}");
    assert!(!out_file.exists(), "nothing written to --out on failure");

    let o = tadqiq(
        tmp.path(),
        &[
            "export",
            "--format",
            "jsonl",
            "--annotations",
            "annotations",
            "--out",
            "out.jsonl",
            "--skip-invalid",
        ],
    );
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("karim/a2.yaml:5:"), "{err}");
    assert!(err.contains("skipped 1 invalid"), "{err}");
    let text = std::fs::read_to_string(&out_file).unwrap();
    assert!(!text.contains(r#""article":"a2","analyst":"karim""#));
    assert_eq!(text.lines().count(), gold_files(&fixture()).len() - 1);
}

#[test]
fn with_text_the_records_are_self_contained() {
    let dir = common::corpus();
    common::team(dir.path());
    let text = stdout(&tadqiq(
        dir.path(),
        &["export", "--format", "jsonl", "--with-text"],
    ));
    let first: Json = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert!(
        first["text"]
            .as_str()
            .unwrap()
            .starts_with("استقبل المدير العام")
    );
    let location = &first["fields"]["location"];
    assert_eq!(location["evidence"], "بمدينة الرباط");
    assert_eq!(location["evidence_text"], "بمدينة الرباط");
    // Without the articles, --with-text cannot be honoured.
    std::fs::remove_file(dir.path().join("samples/000_f130585a628a6cea.txt")).unwrap();
    let o = tadqiq(dir.path(), &["export", "--format", "jsonl", "--with-text"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("000_f130585a628a6cea.txt"));
}

#[test]
fn bad_arguments_exit_2() {
    let dir = fixture();
    for args in [
        vec![
            "export",
            "--format",
            "jsonl",
            "--annotations",
            "annotations",
            "--bom",
        ],
        vec!["export", "--format", "xml", "--annotations", "annotations"],
        vec![
            "export",
            "--format",
            "jsonl",
            "--annotations",
            "annotations",
            "--analyst",
            "nobody",
        ],
        vec!["export", "--format", "jsonl", "--annotations", "nowhere"],
    ] {
        let o = tadqiq(&dir, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!o.stderr.is_empty());
    }
}

#[test]
fn jsonl_carries_the_review_time_when_the_gold_file_has_one() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), tmp.path());
    let path = tmp.path().join("annotations/gold/amina/a1.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("status: done\n", "status: done\nreview_seconds: 95\n", 1),
    )
    .unwrap();
    let text = stdout(&tadqiq(
        tmp.path(),
        &[
            "export",
            "--format",
            "jsonl",
            "--annotations",
            "annotations",
        ],
    ));
    let records: Vec<Json> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let seconds: Vec<(&str, &str, &Json)> = records
        .iter()
        .filter_map(|r| {
            Some((
                r["article"].as_str()?,
                r["analyst"].as_str()?,
                r.get("review_seconds")?,
            ))
        })
        .collect();
    assert_eq!(seconds, [("a1", "amina", &Json::from(95))]);
}
