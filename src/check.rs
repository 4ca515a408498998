//! `tadqiq check`: validate the schema, every extracted file and every gold file, and report
//! every problem in one run, one per line, `path:line:col: message`.
//!
//! Besides the format and the schema, a file is checked against its article (evidence quotes
//! that are not in it, ranges outside it or cutting a letter from its mark, an article that
//! changed since it was reviewed) and a gold file against the extraction it reviews (a
//! `confirmed` value that is not the extracted one). The `.meta.yaml` beside an article is held
//! to the rules `import` applies when it writes one (a real publication date).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::index::{Index, Reader};
use crate::model::article::meta_problems;
use crate::model::problem::YamlPath;
use crate::model::{
    Article, Evidence, Extracted, Gold, Problems, Schema, Severity, Value, Verdict,
};
use crate::store::atomic::is_temporary;
use crate::store::yaml::{self, Diagnostic};
use crate::store::{LoadError, Store, read_file, reason};

/// What `check` found.
#[derive(Debug, Default)]
pub struct Report {
    /// Every finding, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Files examined.
    pub files: usize,
}

impl Report {
    /// Findings that are errors.
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Findings that are warnings.
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Checks the whole corpus, through the index `open_index` gives for the schema (none: every
/// file is read).
pub fn check(store: &Store, open_index: &dyn Fn(&Schema) -> Option<Index>) -> Report {
    let mut report = Report::default();
    report.files += 1;
    let schema = match store.load_schema() {
        Ok(loaded) => {
            report.diagnostics.extend(loaded.warnings);
            loaded.value
        }
        Err(e) => {
            push_load_error(&mut report, e);
            report.diagnostics.push(Diagnostic::file(
                &store.schema_path(),
                Severity::Error,
                "annotations were not checked: they are checked against the schema",
            ));
            report.diagnostics.sort();
            return report;
        }
    };
    let articles: BTreeSet<String> = match store.list_articles() {
        Ok(ids) => ids.into_iter().collect(),
        Err(e) => {
            report.diagnostics.push(Diagnostic::file(
                store.articles_dir(),
                Severity::Error,
                format!("cannot list the articles: {}", reason(&e)),
            ));
            BTreeSet::new()
        }
    };

    let index = open_index(&schema);
    let reader = Reader::new(store, index.as_ref());
    check_meta_files(&reader, &mut report);

    // Group the work by article so each article is read once.
    let mut by_article: HashMap<String, (bool, Vec<String>)> = HashMap::new();
    match store.list_extracted() {
        Ok(ids) => {
            for id in ids {
                by_article.entry(id).or_default().0 = true;
            }
        }
        Err(e) => report.diagnostics.push(Diagnostic::file(
            &store.extracted_dir(),
            Severity::Error,
            format!("cannot list: {}", reason(&e)),
        )),
    }
    let analysts = store.list_analysts().unwrap_or_else(|e| {
        report.diagnostics.push(Diagnostic::file(
            &store.gold_root(),
            Severity::Error,
            format!("cannot list the gold set: {}", reason(&e)),
        ));
        Vec::new()
    });
    for analyst in analysts {
        match store.list_gold(&analyst) {
            Ok(ids) => {
                for id in ids {
                    by_article.entry(id).or_default().1.push(analyst.clone());
                }
            }
            Err(e) => report.diagnostics.push(Diagnostic::file(
                &store.gold_dir(&analyst),
                Severity::Error,
                format!("cannot list: {}", reason(&e)),
            )),
        }
        report
            .diagnostics
            .extend(leftovers(&store.gold_dir(&analyst)));
    }

    let mut ids: Vec<_> = by_article.into_iter().collect();
    ids.sort();
    report.files += ids
        .iter()
        .map(|(_, (has_extracted, analysts))| usize::from(*has_extracted) + analysts.len())
        .sum::<usize>();
    // A chunk of articles at a time on every core; the findings are sorted at the end.
    for chunk in ids.chunks(1024) {
        let found: Vec<Vec<Diagnostic>> = chunk
            .par_iter()
            .map(|(id, (has_extracted, analysts))| {
                check_one(&reader, &schema, &articles, id, *has_extracted, analysts)
            })
            .collect();
        report.diagnostics.extend(found.into_iter().flatten());
    }
    report.diagnostics.sort();
    report
}

/// What is wrong with one article's files, from the index while none of them changed.
fn check_one(
    reader: &Reader,
    schema: &Schema,
    articles: &BTreeSet<String>,
    id: &str,
    has_extracted: bool,
    analysts: &[String],
) -> Vec<Diagnostic> {
    let store = reader.store();
    let in_corpus = articles.contains(id);
    // What is found about one article's files depends on those files only: the index keeps
    // it while none of them changed.
    let mut paths = vec![store.article_path(id), store.extracted_path(id)];
    paths.extend(analysts.iter().map(|a| store.gold_path(a, id)));
    let paths: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let mut context = format!("{id}\0{in_corpus}\0{has_extracted}");
    for a in analysts {
        context.push('\0');
        context.push_str(a);
    }
    reader.memo_findings(&format!("check/{id}"), &paths, context.as_bytes(), || {
        check_article(store, schema, id, in_corpus, has_extracted, analysts)
    })
}

/// What is wrong with one article's files: the article, its extracted file (when
/// `has_extracted`) and its gold files (by `analysts`).
fn check_article(
    store: &Store,
    schema: &Schema,
    id: &str,
    in_corpus: bool,
    has_extracted: bool,
    analysts: &[String],
) -> Vec<Diagnostic> {
    let mut report = Report::default();
    let article = if in_corpus {
        match store.read_article(id) {
            Ok(a) => Some(a),
            Err(e) => {
                push_load_error(&mut report, e);
                None
            }
        }
    } else {
        None
    };
    let extracted = has_extracted
        .then(|| check_extracted(store, schema, id, article.as_ref(), &mut report))
        .flatten();
    for analyst in analysts {
        check_gold(
            store,
            schema,
            analyst,
            id,
            article.as_ref(),
            extracted.as_ref(),
            &mut report,
        );
    }
    report.diagnostics
}

/// Every `<articles>/*.meta.yaml`, against [`meta_problems`]: the function `import` uses, so
/// that a file `import` would refuse to write is reported here.
fn check_meta_files(reader: &Reader, report: &mut Report) {
    let store = reader.store();
    let Ok(entries) = std::fs::read_dir(store.articles_dir()) else {
        // A missing or unreadable folder is reported with the articles.
        return;
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.ends_with(".meta.yaml") && !is_temporary(n))
                && e.file_type().is_ok_and(|t| t.is_file())
        })
        .map(|e| e.path())
        .collect();
    paths.sort();
    for path in paths {
        report.files += 1;
        let key = format!("meta/{}", path.display());
        let found = reader.memo_findings(&key, &[&path], b"", || {
            let mut found = Report::default();
            if let Some(parsed) = parse(&path, &mut found) {
                let mut problems = Problems::default();
                meta_problems(&parsed.doc, &mut problems);
                found
                    .diagnostics
                    .extend(yaml::diagnostics(&path, parsed.text(), &problems));
            }
            found.diagnostics
        });
        report.diagnostics.extend(found);
    }
}

fn push_load_error(report: &mut Report, e: LoadError) {
    match e {
        LoadError::Invalid(d) => report.diagnostics.extend(d),
        LoadError::Io { path, source } => report.diagnostics.push(Diagnostic::file(
            &path,
            Severity::Error,
            format!("cannot read: {source}"),
        )),
    }
}

/// Reads a YAML file for checking: the text and document, or a diagnostic.
fn parse(path: &Path, report: &mut Report) -> Option<yaml::Parsed> {
    let bytes = match read_file(path) {
        Ok(Some((bytes, _))) => bytes,
        Ok(None) => {
            report.diagnostics.push(Diagnostic::file(
                path,
                Severity::Error,
                "vanished while checking",
            ));
            return None;
        }
        Err(e) => {
            push_load_error(report, e);
            return None;
        }
    };
    match yaml::parse(path, bytes) {
        Ok(p) => Some(p),
        Err(d) => {
            report.diagnostics.push(d);
            None
        }
    }
}

fn check_extracted(
    store: &Store,
    schema: &Schema,
    id: &str,
    article: Option<&Article>,
    report: &mut Report,
) -> Option<Extracted> {
    let path = store.extracted_path(id);
    let parsed = parse(&path, report)?;
    let mut problems = Problems::default();
    let extracted = Extracted::from_yaml(&parsed.doc, schema, &mut problems);
    let root = YamlPath::root();
    if let Some(e) = &extracted {
        if e.article != id {
            problems.error(
                &root.key("article"),
                format!("`article: {}` but the file is for `{id}`", e.article),
            );
        }
        match article {
            None => problems.error(
                &root,
                format!("no article `{id}` in {}", store.articles_dir().display()),
            ),
            Some(a) => {
                for (name, f) in &e.fields {
                    let fp = root.key("fields").key(name);
                    check_value_in_article(a, &f.value, &fp.key("value"), &mut problems);
                    if let Some(ev) = &f.evidence {
                        check_evidence(a, ev, &fp.key("evidence"), &mut problems);
                    }
                }
            }
        }
    }
    report
        .diagnostics
        .extend(yaml::diagnostics(&path, parsed.text(), &problems));
    extracted
}

fn check_gold(
    store: &Store,
    schema: &Schema,
    analyst: &str,
    id: &str,
    article: Option<&Article>,
    extracted: Option<&Extracted>,
    report: &mut Report,
) {
    let path = store.gold_path(analyst, id);
    let Some(parsed) = parse(&path, report) else {
        return;
    };
    let mut problems = Problems::default();
    let Some(gold) = Gold::from_yaml(&parsed.doc, schema, &mut problems) else {
        report
            .diagnostics
            .extend(yaml::diagnostics(&path, parsed.text(), &problems));
        return;
    };
    let root = YamlPath::root();
    crate::store::identity_problems(&gold, analyst, id, &mut problems);
    match article {
        None => problems.error(
            &root,
            format!("no article `{id}` in {}", store.articles_dir().display()),
        ),
        Some(a) => {
            match &gold.article_sha256 {
                Some(h) if *h != a.sha256 => problems.warning(
                    &root.key("article_sha256"),
                    "stale: the article changed since this review (its SHA-256 differs)",
                ),
                None => problems.warning(
                    &root,
                    "no `article_sha256`: cannot tell if the article changed",
                ),
                _ => {}
            }
            for (name, r) in &gold.fields {
                let fp = root.key("fields").key(name);
                check_value_in_article(a, &r.value, &fp.key("value"), &mut problems);
                if let Some(ev) = &r.evidence {
                    check_evidence(a, ev, &fp.key("evidence"), &mut problems);
                }
            }
        }
    }
    for (name, r) in &gold.fields {
        let extracted_value = extracted.and_then(|e| e.field(name)).map(|f| &f.value);
        if let Some(message) = verdict_problem(r.verdict, &r.value, extracted_value) {
            problems.warning(&root.key("fields").key(name).key("verdict"), message);
        }
    }
    report
        .diagnostics
        .extend(yaml::diagnostics(&path, parsed.text(), &problems));
}

/// Whether a verdict fits the values: `confirmed` keeps the extracted value, `corrected`
/// changes it, `added` fills a field the extractor left empty.
pub fn verdict_problem(
    verdict: Verdict,
    value: &Value,
    extracted: Option<&Value>,
) -> Option<String> {
    let had = extracted.is_some_and(|v| !v.is_null());
    // Confirming "there is none" where the extractor found none is fine.
    let same = extracted == Some(value) || (value.is_null() && !had);
    match verdict {
        Verdict::Confirmed if !same => {
            Some("`confirmed`, but the value is not the extracted one".into())
        }
        Verdict::Corrected if extracted == Some(value) => {
            Some("`corrected`, but the value is the extracted one".into())
        }
        Verdict::Added if had => {
            Some("`added`, but the extractor had a value: `corrected`?".into())
        }
        _ => None,
    }
}

fn check_value_in_article(
    article: &Article,
    value: &Value,
    path: &YamlPath,
    problems: &mut Problems,
) {
    if let Value::Span(s) = value
        && let Some(m) = article.span_problem(*s)
    {
        problems.error(path, m);
    }
}

fn check_evidence(
    article: &Article,
    evidence: &Evidence,
    path: &YamlPath,
    problems: &mut Problems,
) {
    if let Some(m) = article.evidence_problem(evidence) {
        problems.error(path, m);
    }
}

/// Temporary files left by a save that was killed: harmless, worth deleting.
fn leftovers(dir: &Path) -> Vec<Diagnostic> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<Diagnostic> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_str().is_some_and(is_temporary))
        .map(|e| {
            Diagnostic::file(
                &e.path(),
                Severity::Warning,
                "temporary file of an interrupted save; the gold file beside it is intact, this can be deleted",
            )
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_must_fit_the_values() {
        let v = |s: &str| Value::Text(s.into());
        assert_eq!(
            verdict_problem(Verdict::Confirmed, &v("a"), Some(&v("a"))),
            None
        );
        assert!(verdict_problem(Verdict::Confirmed, &v("b"), Some(&v("a"))).is_some());
        assert_eq!(
            verdict_problem(Verdict::Confirmed, &Value::Null, None),
            None
        );
        assert!(verdict_problem(Verdict::Corrected, &v("a"), Some(&v("a"))).is_some());
        assert_eq!(
            verdict_problem(Verdict::Corrected, &v("b"), Some(&v("a"))),
            None
        );
        assert_eq!(verdict_problem(Verdict::Added, &v("b"), None), None);
        assert!(verdict_problem(Verdict::Added, &v("b"), Some(&v("a"))).is_some());
        assert_eq!(
            verdict_problem(Verdict::Rejected, &Value::Null, Some(&v("a"))),
            None
        );
    }

    #[test]
    fn the_shipped_annotations_are_clean() {
        let store = Store::new("samples", "annotations");
        let report = check(&store, &|_| None);
        let errors: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(ToString::to_string)
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
        assert!(report.files >= 6);
    }
}
