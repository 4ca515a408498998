//! The corpus index's article list and search answer exactly what reading every article
//! answers: for random small corpora and queries, and after the files change.

mod common;

use std::fs;
use std::path::Path;

use proptest::prelude::*;
use tadqiq::index::{Index, articles};
use tadqiq::model::review::Review;
use tadqiq::store::Store;
use tadqiq::text::fold::fold_query;
use tadqiq::tui::app::places;

/// Pieces of Arabic news text, with the variants folding makes equal (hamza, ta marbuta,
/// alef maqsura, harakat, tatweel, digits of both scripts), Latin of both cases, and
/// whitespace runs.
const SNIPPETS: &[&str] = &[
    "استقبل المدير العام للأمن الوطني",
    "بمدينة   الرباط",
    "المديرية العامة للأمن الداخلي",
    "الامن العام",
    "مستشفى المدينة",
    "مستشفي المدينه",
    "إقرأ أيضاً",
    "اقرا ايضا",
    "يوم ١٥ ديسمبر 2023",
    "Nicolas LERNER",
    "الأَمْـــن",
    "فرنسا\t وإسبانيا",
    "\"مراكش\" الآن",
];

const FIELDS: &[&str] = &["headline", "source", "location", "organizations"];
const LISTS: &[bool] = &[false, false, true, true];
const ANALYSTS: &[&str] = &["amina", "karim"];

/// A field value: a few snippets (one for a text field).
fn value() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..SNIPPETS.len(), 1..3)
}

/// A gold file: per field, not reviewed (`None`), reviewed null, or a value.
type GoldFields = Vec<Option<Option<Vec<usize>>>>;

#[derive(Clone, Debug)]
struct Article {
    text: Vec<usize>,
    extracted: Option<Vec<Option<Vec<usize>>>>,
    /// Per analyst: a gold file with, per field, not reviewed / reviewed null / a value.
    gold: Vec<Option<GoldFields>>,
}

fn article() -> impl Strategy<Value = Article> {
    let fields = || prop::collection::vec(prop::option::of(value()), FIELDS.len());
    let gold = prop::collection::vec(
        prop::option::of(prop::collection::vec(
            prop::option::of(prop::option::of(value())),
            FIELDS.len(),
        )),
        ANALYSTS.len(),
    );
    (
        prop::collection::vec(0..SNIPPETS.len(), 1..4),
        prop::option::of(fields()),
        gold,
    )
        .prop_map(|(text, extracted, gold)| Article {
            text,
            extracted,
            gold,
        })
}

fn yaml_value(field: usize, v: &[usize]) -> String {
    let quote = |s: &str| serde_json_string(s);
    if LISTS[field] {
        let items: Vec<String> = v.iter().map(|&i| quote(SNIPPETS[i])).collect();
        format!("[{}]", items.join(", "))
    } else {
        quote(SNIPPETS[v[0]])
    }
}

/// A string as a YAML double-quoted scalar.
fn serde_json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn write_article(dir: &Path, id: &str, a: &Article) {
    let seps = [" ", "\n", "  \n "];
    let text: Vec<&str> = a.text.iter().map(|&i| SNIPPETS[i]).collect();
    let mut body = String::new();
    for (k, t) in text.iter().enumerate() {
        if k > 0 {
            body.push_str(seps[k % seps.len()]);
        }
        body.push_str(t);
    }
    fs::write(dir.join("samples").join(format!("{id}.txt")), body).unwrap();
    let ann = dir.join("annotations");
    let extracted = ann.join("extracted").join(format!("{id}.yaml"));
    match &a.extracted {
        Some(fields) => {
            let mut y = format!("article: {id}\nfields:\n");
            for (f, v) in fields.iter().enumerate() {
                if let Some(v) = v {
                    y.push_str(&format!(
                        "  {}: {{value: {}}}\n",
                        FIELDS[f],
                        yaml_value(f, v)
                    ));
                }
            }
            fs::write(extracted, y).unwrap();
        }
        None => {
            let _ = fs::remove_file(extracted);
        }
    }
    for (k, analyst) in ANALYSTS.iter().enumerate() {
        let path = ann.join("gold").join(analyst).join(format!("{id}.yaml"));
        match &a.gold[k] {
            Some(fields) => {
                let mut y =
                    format!("article: {id}\nanalyst: {analyst}\nstatus: in_progress\nfields:\n");
                for (f, v) in fields.iter().enumerate() {
                    match v {
                        None => {}
                        Some(None) => y.push_str(&format!(
                            "  {}: {{value: null, verdict: rejected}}\n",
                            FIELDS[f]
                        )),
                        Some(Some(v)) => y.push_str(&format!(
                            "  {}: {{value: {}, verdict: added}}\n",
                            FIELDS[f],
                            yaml_value(f, v)
                        )),
                    }
                }
                fs::write(path, y).unwrap();
            }
            None => {
                let _ = fs::remove_file(path);
            }
        }
    }
}

fn corpus(articles: &[Article]) -> tempfile::TempDir {
    let dir = common::empty_corpus(ANALYSTS);
    for (i, a) in articles.iter().enumerate() {
        write_article(dir.path(), &format!("a{i}"), a);
    }
    dir
}

/// The hits of a full read: each article's review, searched as the review screen does.
fn full_scan(store: &Store, query: &[char], analyst: &str) -> Vec<String> {
    let schema = store.load_schema().unwrap().value;
    let mut out = Vec::new();
    for id in store.list_articles().unwrap() {
        let Ok(article) = store.read_article(&id) else {
            continue;
        };
        let extracted = store
            .load_extracted(&id, &schema)
            .ok()
            .flatten()
            .map(|l| l.value);
        let gold = store
            .load_gold(analyst, &id, &schema)
            .ok()
            .flatten()
            .map(|l| l.value);
        let review = Review::new(article, extracted, gold, analyst);
        if !places(&review, &schema, query).1.is_empty() {
            out.push(id);
        }
    }
    out
}

/// Queries: pieces of the snippets (some folded, some not), short ones, and absent ones.
fn queries() -> Vec<String> {
    let mut out = vec![
        "zzq".to_string(),
        "ال".into(),
        "ا".into(),
        "الامن".into(),
        "الأمن".into(),
        "مدينه الرباط".into(),
        "بمدينة الرباط".into(),
        "15 ديسمبر".into(),
        "lerner".into(),
        "\"مراكش\"".into(),
        "الرباط الامن".into(),
        "فرنسا واسبانيا".into(),
    ];
    for s in SNIPPETS {
        let chars: Vec<char> = s.chars().collect();
        for (from, len) in [(0, 4), (2, 6), (3, 3), (1, 2)] {
            if from + len <= chars.len() {
                out.push(chars[from..from + len].iter().collect());
            }
        }
    }
    out
}

fn index_of(dir: &Path, store: &Store) -> Index {
    let schema = store.load_schema().unwrap().value;
    Index::open_in(&dir.join("index"), store, &schema).unwrap()
}

/// Checks every query for every analyst (and one with no gold set) against the full scan.
fn assert_same(index: &Index, store: &Store) {
    for q in queries() {
        let folded = fold_query(&q);
        for analyst in ["amina", "karim", "salma"] {
            let indexed = articles::search(index, &folded, analyst);
            if folded.len() < articles::MIN_QUERY_CHARS {
                assert_eq!(indexed, None, "«{q}» is too short for the index");
                continue;
            }
            assert_eq!(
                indexed.as_deref(),
                Some(full_scan(store, &folded, analyst).as_slice()),
                "«{q}» for {analyst}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn the_index_search_equals_a_full_read(
        arts in prop::collection::vec(article(), 1..6),
        edits in prop::collection::vec((0usize..8, article()), 0..4),
    ) {
        let dir = corpus(&arts);
        let store = Store::new(dir.path().join("samples"), dir.path().join("annotations"));
        let index_dir = tempfile::tempdir().unwrap();
        let index = index_of(index_dir.path(), &store);
        let schema = store.load_schema().unwrap().value;
        let r = articles::refresh(&index, &store, &schema, &|_, _| {}).unwrap();
        prop_assert_eq!(&r.ids, &store.list_articles().unwrap());
        assert_same(&index, &store);
        // Articles rewritten (new ones among them), one removed; then a fresh pass.
        for (i, a) in &edits {
            write_article(dir.path(), &format!("a{i}"), a);
        }
        if edits.len() > 1 {
            let _ = fs::remove_file(dir.path().join("samples/a0.txt"));
        }
        let r = articles::refresh(&index, &store, &schema, &|_, _| {}).unwrap();
        prop_assert_eq!(&r.ids, &store.list_articles().unwrap());
        prop_assert_eq!(articles::ids(&index), Some(r.ids.clone()));
        assert_same(&index, &store);
    }
}

#[test]
fn only_changed_articles_are_read_again_and_gone_ones_are_removed() {
    let a = |text: usize, gold: Option<Option<Vec<usize>>>| Article {
        text: vec![text],
        extracted: Some(vec![Some(vec![3]), None, Some(vec![1, 2]), None]),
        gold: vec![Some(vec![gold, None, None, None]), None],
    };
    let arts = vec![a(0, None), a(4, Some(Some(vec![6]))), a(8, Some(None))];
    let dir = corpus(&arts);
    let store = Store::new(dir.path().join("samples"), dir.path().join("annotations"));
    let schema = store.load_schema().unwrap().value;
    let index_dir = tempfile::tempdir().unwrap();
    let index = index_of(index_dir.path(), &store);
    // Files changed less than the racy window ago are never trusted: let them age.
    std::thread::sleep(std::time::Duration::from_millis(3_200));
    let r = articles::refresh(&index, &store, &schema, &|_, _| {}).unwrap();
    assert_eq!(r.read, 3);
    let r = articles::refresh(&index, &store, &schema, &|_, _| {}).unwrap();
    assert_eq!((r.read, r.removed), (0, 0), "nothing changed");
    assert_same(&index, &store);
    // A gold value changed, an article edited, one deleted, one added.
    write_article(dir.path(), "a1", &a(4, Some(Some(vec![12]))));
    fs::write(dir.path().join("samples/a2.txt"), "نص جديد عن الأمن").unwrap();
    fs::remove_file(dir.path().join("samples/a0.txt")).unwrap();
    write_article(dir.path(), "a9", &a(5, None));
    let r = articles::refresh(&index, &store, &schema, &|_, _| {}).unwrap();
    assert_eq!((r.read, r.removed), (3, 1));
    assert_eq!(r.ids, ["a1", "a2", "a9"]);
    assert_same(&index, &store);
    assert_eq!(
        articles::search(&index, &fold_query("مراكش"), "amina").unwrap(),
        ["a1"]
    );
    // A gold file alone changes: only its article is read, by a pass or after a save.
    write_article(dir.path(), "a1", &a(4, Some(None)));
    articles::refresh_article(&index, &store, &schema, "a1").unwrap();
    assert!(
        articles::search(&index, &fold_query("مراكش"), "amina")
            .unwrap()
            .is_empty()
    );
    assert_same(&index, &store);
}
