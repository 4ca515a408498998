//! `agree --format html` and `score --format html`: one self-contained page (inline CSS and
//! SVG, no script, nothing loaded from the network) drawn from the JSON value that
//! `--format json` prints, so that the page and the JSON cannot tell two stories.
//!
//! The renderers are pure: a [`Value`] in, a `String` out. Every text that comes from the data
//! (field and analyst names, labels, values, article ids) goes through [`escape`], the one
//! escaping function, and sits in a `<bdi>` so that an Arabic label cannot reorder its
//! neighbours. A key the value lacks is left out of the page: a page drawn from an older JSON
//! shows what there is.
//!
//! Every number shown carries `data-key` (its JSON pointer in the value) and `data-value` (the
//! number as the JSON writes it, empty for null or absent), so that a test can compare what a
//! browser shows with the JSON.
//!
//! The lists (`disagreements`, `mistakes`) show their first [`LIST_LIMIT`] entries and say how
//! many more there are: `<list>_total` when the value has it (see [`report_value`], which
//! builds the value without holding a long list), else the list's length.

use std::fmt::Write as _;
use std::io::{BufReader, BufWriter, Write as _};

use serde::Serialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::text::sanitize::is_unsafe_control;

/// Entries of a long list (disagreements, mistakes, analysts, pairs) shown in the page.
pub const LIST_LIMIT: usize = 300;

/// Krippendorff's thresholds: at least 0.800 to rely on a field, 0.667 for tentative
/// conclusions.
const RELY: f64 = 0.8;
const TENTATIVE: f64 = 0.667;

/// Text for HTML, in an element or in a quoted attribute: `& < > " '` as references, and the
/// C0 and C1 controls (which HTML forbids) as U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(' '),
            c if is_unsafe_control(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Whether `s` has an Arabic letter (the Arabic blocks and presentation forms).
fn has_arabic(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}'
            | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
    })
}

/// Data text, escaped and isolated; `lang="ar"` when it is Arabic.
fn bdi(s: &str) -> String {
    let lang = if has_arabic(s) { " lang=\"ar\"" } else { "" };
    format!("<bdi{lang}>{}</bdi>", escape(s))
}

/// The JSON pointer (RFC 6901) of a path.
fn pointer(parts: &[&str]) -> String {
    let mut out = String::new();
    for p in parts {
        out.push('/');
        out.push_str(&p.replace('~', "~0").replace('/', "~1"));
    }
    out
}

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, p| match v {
        Value::Object(m) => m.get(*p),
        Value::Array(a) => p.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// Two paths end to end.
fn join<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<&'a str> {
    [a, b].concat()
}

fn f64_at(v: &Value, path: &[&str]) -> Option<f64> {
    at(v, path).and_then(Value::as_f64)
}

/// How a number is written.
#[derive(Clone, Copy, Debug)]
enum Shown {
    /// This many decimals.
    Fixed(usize),
    /// A share as a percentage with one decimal.
    Percent,
    /// As the JSON writes it when whole, else two decimals (counts, coincidences).
    Count,
}

fn shown_text(x: &Value, shown: Shown) -> Option<String> {
    let f = x.as_f64()?;
    Some(match shown {
        Shown::Fixed(d) => format!("{f:.d$}"),
        Shown::Percent => format!("{:.1}%", 100.0 * f),
        Shown::Count if x.is_i64() || x.is_u64() => x.to_string(),
        Shown::Count if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Shown::Count => format!("{f:.2}"),
    })
}

/// The class of an agreement coefficient: reliable, tentative or not.
fn rating(x: Option<f64>) -> &'static str {
    match x {
        Some(x) if x >= RELY => "good",
        Some(x) if x >= TENTATIVE => "tentative",
        Some(_) => "bad",
        None => "",
    }
}

/// One number in an element `tag` with its key and value; `—` when null or absent.
fn number(tag: &str, class: &str, root: &Value, path: &[&str], shown: Shown) -> String {
    let v = at(root, path);
    let (data, text) = match v.and_then(|x| shown_text(x, shown).map(|t| (x.to_string(), t))) {
        Some(pair) => pair,
        None => (String::new(), "—".to_string()),
    };
    format!(
        "<{tag} class=\"num {class}\" data-key=\"{}\" data-value=\"{}\">{}</{tag}>",
        escape(&pointer(path)),
        escape(&data),
        escape(&text)
    )
}

/// `[lo, hi]` of an interval at `path`, each bound a number; `—` when null or absent.
fn interval(root: &Value, path: &[&str]) -> String {
    match at(root, path) {
        Some(Value::Array(a)) if a.len() == 2 => {
            let bound = |i: &str| {
                let mut p = path.to_vec();
                p.push(i);
                number("span", "", root, &p, Shown::Fixed(3))
            };
            format!("[{}, {}]", bound("0"), bound("1"))
        }
        _ => "—".into(),
    }
}

/// A column of a field table: what it shows of each field's object.
enum Col {
    /// A number at the path, rated as an agreement coefficient or not.
    Num(&'static str, &'static [&'static str], Shown, bool),
    /// A `[lo, hi]` interval.
    Interval(&'static str, &'static [&'static str]),
    /// An object of numbers, shown as `key: value` pairs.
    Pairs(&'static str, &'static [&'static str], Shown),
    /// A string.
    Text(&'static str, &'static [&'static str]),
    /// A tally of values and wrong ones: `wrong/values (rate)`.
    Tally(&'static str, &'static [&'static str]),
}

impl Col {
    fn path(&self) -> &'static [&'static str] {
        match self {
            Col::Num(_, p, ..)
            | Col::Interval(_, p)
            | Col::Pairs(_, p, _)
            | Col::Text(_, p)
            | Col::Tally(_, p) => p,
        }
    }
    fn head(&self) -> &'static str {
        match self {
            Col::Num(h, ..)
            | Col::Interval(h, _)
            | Col::Pairs(h, ..)
            | Col::Text(h, _)
            | Col::Tally(h, _) => h,
        }
    }
}

/// A table of the fields, one row each in `order`, with the columns some field has.
fn field_table(out: &mut String, root: &Value, order: &[&str], cols: &[Col]) {
    let cols: Vec<&Col> = cols
        .iter()
        .filter(|c| {
            order
                .iter()
                .any(|f| at(root, &[&["fields", f][..], c.path()].concat()).is_some())
        })
        .collect();
    out.push_str("<div class=\"scroll\"><table class=\"fields\"><thead><tr><th>field</th>");
    for c in &cols {
        let _ = write!(out, "<th>{}</th>", c.head());
    }
    out.push_str("</tr></thead><tbody>");
    for f in order {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", bdi(f));
        for c in &cols {
            let path = [&["fields", f][..], c.path()].concat();
            match c {
                Col::Num(_, _, shown, rated) => {
                    let class = if *rated {
                        rating(f64_at(root, &path))
                    } else {
                        ""
                    };
                    out.push_str(&number("td", class, root, &path, *shown));
                }
                Col::Interval(..) => {
                    let _ = write!(out, "<td class=\"interval\">{}</td>", interval(root, &path));
                }
                Col::Pairs(_, _, shown) => {
                    out.push_str("<td class=\"pairs\">");
                    if let Some(Value::Object(m)) = at(root, &path) {
                        for k in m.keys() {
                            let mut p = path.clone();
                            p.push(k);
                            let _ = write!(
                                out,
                                "<span class=\"pair\">{}: {}</span> ",
                                bdi(k),
                                number("span", "", root, &p, *shown)
                            );
                        }
                    } else {
                        out.push('—');
                    }
                    out.push_str("</td>");
                }
                Col::Tally(..) => {
                    let part = |k: &'static str, shown| {
                        number("span", "", root, &join(&path, &[k]), shown)
                    };
                    let _ = write!(
                        out,
                        "<td class=\"tally\">{}/{} ({})</td>",
                        part("wrong", Shown::Count),
                        part("values", Shown::Count),
                        part("wrong_rate", Shown::Percent)
                    );
                }
                Col::Text(..) => {
                    let text = at(root, &path).and_then(Value::as_str).unwrap_or("—");
                    let _ = write!(out, "<td>{}</td>", bdi(text));
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
}

const STYLE: &str = r#"
:root{--ink:#1b2430;--muted:#5d6b7c;--line:#dde2e8;--bg:#f4f6f8;--card:#fff;--alpha:#2457c5;--ac1:#c2410c;--good:#157a3c;--tentative:#a15c07;--bad:#b42323;--soft:#eef2f7}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Naskh Arabic","Noto Sans Arabic","DejaVu Sans",sans-serif}
main{max-width:1400px;margin:0 auto;padding:28px 24px 48px}
h1{font-size:26px;margin:0 0 4px;font-weight:650}
h2{font-size:18px;margin:0 0 12px;font-weight:620}
h3{font-size:15px;margin:14px 0 6px;font-weight:600}
.sub{color:var(--muted);margin:0 0 18px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:0 0 8px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 16px;min-width:150px}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .big{font-size:24px;font-weight:650;font-variant-numeric:tabular-nums}
.card .names{font-size:13px;color:var(--muted);max-width:420px}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:18px 22px;margin:18px 0;box-shadow:0 1px 2px rgba(20,30,40,.04)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:14px}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:start;vertical-align:top;white-space:nowrap}
thead th{font-size:13px;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line)}
tbody th{font-weight:600}
td.num{text-align:end}
td.interval,td.pairs,td.tally{color:var(--muted)}
.pair{margin-inline-end:10px}
tr:hover td,tr:hover th{background:var(--soft)}
.good{color:var(--good);font-weight:600}
.tentative{color:var(--tentative);font-weight:600}
.bad{color:var(--bad);font-weight:600}
.note{color:var(--muted);font-size:13px;max-width:900px;margin:10px 0 0}
.legend{display:flex;gap:18px;flex-wrap:wrap;font-size:13px;color:var(--muted);margin:6px 0 0}
.legend i{display:inline-block;width:12px;height:12px;border-radius:50%;vertical-align:-1px;margin-inline-end:5px}
.matrices{display:flex;flex-wrap:wrap;gap:24px}
figure{margin:0}
figcaption{font-weight:600;margin:0 0 6px}
table.heat td.cell{min-width:46px;text-align:center;border:1px solid #fff}
table.heat th{font-size:13px;text-transform:none;letter-spacing:0;color:var(--ink)}
table.heat td.num.agreement{border-inline-start:2px solid var(--line)}
.chip{display:inline-block;background:var(--soft);border-radius:6px;padding:0 7px;margin:1px 3px 1px 0;white-space:nowrap}
.chip .who{color:var(--muted)}
.none{color:var(--muted);font-style:italic}
.more{color:var(--muted);font-style:italic;margin:8px 0 0}
details{margin:8px 0}
summary{cursor:pointer;color:var(--alpha)}
td.values{white-space:normal;max-width:760px}
svg{display:block;max-width:100%;height:auto}
svg text{font-size:12px;fill:var(--ink);font-family:inherit}
svg .axis{stroke:#c6ccd4;stroke-width:1}
svg .grid{stroke:#eceff3;stroke-width:1}
svg .ref{stroke-width:1.2;stroke-dasharray:4 3}
svg .tick{fill:var(--muted);font-size:11px}
footer{color:var(--muted);font-size:12px;text-align:center;margin:24px 0 0}
"#;

/// The page's head, up to the opening of `main`.
fn open_page(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(title)
    );
}

fn close_page(out: &mut String, what: &str) {
    let _ = write!(
        out,
        "<footer>tadqiq {} · the figures of <code>{}</code></footer>\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        escape(what)
    );
}

fn card(out: &mut String, label: &str, big: &str, extra: &str) {
    let _ = write!(
        out,
        "<div class=\"card\"><div class=\"label\">{label}</div><div class=\"big\">{big}</div>{extra}</div>"
    );
}

/// The names of a list, for a card: up to twenty, then how many more.
fn names(list: &[&str]) -> String {
    let mut out = String::from("<div class=\"names\">");
    for (i, n) in list.iter().take(20).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&bdi(n));
    }
    if list.len() > 20 {
        let _ = write!(out, " and {} more", list.len() - 20);
    }
    out.push_str("</div>");
    out
}

/// How a value of the data reads in a list: text as itself, a list's items joined, a record's
/// sub-fields as `name: value`, none as nothing.
fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(value_text).collect::<Vec<_>>().join(" · "),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}: {}", value_text(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn value_html(v: &Value) -> String {
    match value_text(v) {
        t if t.is_empty() => "<span class=\"none\">none</span>".into(),
        t => bdi(&t),
    }
}

/// How long a list was: `<name>_total` when given, else its length.
fn list_total(root: &Value, name: &str) -> usize {
    root.get(format!("{name}_total"))
        .and_then(Value::as_u64)
        .map(|n| n as usize)
        .or_else(|| root.get(name).and_then(Value::as_array).map(Vec::len))
        .unwrap_or(0)
}

fn more_line(out: &mut String, shown: usize, total: usize, what: &str) {
    if total > shown {
        let _ = write!(
            out,
            "<p class=\"more\">and {} more {what} not shown here (the first {shown} of {total}); \
             <code>--format json</code> lists them all.</p>",
            total - shown
        );
    }
}

/// The fields of `root`, weakest first by `key` (undefined last), then by name.
fn fields_by(root: &Value, key: impl Fn(&Value) -> Option<f64>) -> Vec<&str> {
    let mut fields: Vec<(&str, Option<f64>)> = root
        .get("fields")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.as_str(), key(v))).collect())
        .unwrap_or_default();
    fields.sort_by(|a, b| {
        (a.1.is_none(), a.1.unwrap_or(0.0))
            .partial_cmp(&(b.1.is_none(), b.1.unwrap_or(0.0)))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    fields.into_iter().map(|(k, _)| k).collect()
}

fn fmt3(x: f64) -> String {
    format!("{x:.3}")
}

/// A horizontal axis from `lo` to `hi` over `left..right` pixels.
struct Axis {
    lo: f64,
    hi: f64,
    left: f64,
    right: f64,
}

impl Axis {
    fn x(&self, v: f64) -> f64 {
        self.left
            + (v.clamp(self.lo, self.hi) - self.lo) / (self.hi - self.lo) * (self.right - self.left)
    }
}

/// α per field (a dot and its 95% interval) with AC1 beside it (a diamond and its interval),
/// against the reference lines 0.667 and 0.800.
fn forest_plot(out: &mut String, root: &Value, order: &[&str]) {
    let get = |f: &str, p: &[&str]| f64_at(root, &[&["fields", f][..], p].concat());
    let mut lo: f64 = 0.0;
    for f in order {
        for p in [
            &["alpha"][..],
            &["alpha_ci95", "0"],
            &["ac1", "value"],
            &["ac1", "ci95", "0"],
        ] {
            if let Some(v) = get(f, p) {
                lo = lo.min(v);
            }
        }
    }
    let lo = ((lo * 5.0).floor() / 5.0).max(-1.0);
    let row = 34.0;
    let top = 34.0;
    let width = 820.0;
    let axis = Axis {
        lo,
        hi: 1.0,
        left: 190.0,
        right: width - 24.0,
    };
    let height = top + row * order.len() as f64 + 30.0;
    let _ = write!(
        out,
        "<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" role=\"img\" \
         aria-label=\"Krippendorff's alpha and Gwet's AC1 per field, with 95% intervals\">"
    );
    let bottom = height - 26.0;
    let mut t = (lo * 5.0).round() / 5.0;
    while t <= 1.0 + 1e-9 {
        let x = axis.x(t);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{bottom}\"/>\
             <text class=\"tick\" x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{t:.1}</text>",
            bottom + 16.0
        );
        t += 0.2;
    }
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"{}\" y1=\"{bottom}\" x2=\"{}\" y2=\"{bottom}\"/>",
        axis.left, axis.right
    );
    for (r, color) in [(TENTATIVE, "var(--tentative)"), (RELY, "var(--good)")] {
        let x = axis.x(r);
        let _ = write!(
            out,
            "<line class=\"ref\" stroke=\"{color}\" x1=\"{x:.1}\" y1=\"{}\" x2=\"{x:.1}\" y2=\"{bottom}\"/>\
             <text class=\"tick\" x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{r:.3}</text>",
            top - 14.0,
            top - 18.0
        );
    }
    for (i, f) in order.iter().enumerate() {
        let y = top + row * i as f64 + row / 2.0;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}</text>",
            axis.left - 12.0,
            y,
            escape(f)
        );
        let marks = [
            (
                "alpha",
                "var(--alpha)",
                &["alpha"][..],
                &["alpha_ci95"][..],
                y - 6.0,
            ),
            (
                "AC1",
                "var(--ac1)",
                &["ac1", "value"],
                &["ac1", "ci95"],
                y + 6.0,
            ),
        ];
        let mut drawn = false;
        for (name, color, value, ci, y) in marks {
            let base = |p: &[&'static str]| join(&["fields", f], p);
            let ci_lo = get(f, &[ci, &["0"]].concat());
            let ci_hi = get(f, &[ci, &["1"]].concat());
            if let (Some(a), Some(b)) = (ci_lo, ci_hi) {
                let (xa, xb) = (axis.x(a), axis.x(b));
                let _ = write!(
                    out,
                    "<path d=\"M{xa:.1} {y:.1}H{xb:.1}M{xa:.1} {:.1}V{:.1}M{xb:.1} {:.1}V{:.1}\" \
                     stroke=\"{color}\" stroke-width=\"1.6\" fill=\"none\"/>",
                    y - 4.0,
                    y + 4.0,
                    y - 4.0,
                    y + 4.0
                );
            }
            let Some(v) = get(f, value) else { continue };
            drawn = true;
            let x = axis.x(v);
            let key = escape(&pointer(&base(value)));
            let title = match (ci_lo, ci_hi) {
                (Some(a), Some(b)) => format!(
                    "{} {name} = {} (95%: {} to {})",
                    f,
                    fmt3(v),
                    fmt3(a),
                    fmt3(b)
                ),
                _ => format!("{} {name} = {}", f, fmt3(v)),
            };
            let data = at(root, &base(value))
                .map(Value::to_string)
                .unwrap_or_default();
            if name == "alpha" {
                let _ = write!(
                    out,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"{color}\" data-key=\"{key}\" data-value=\"{}\"><title>{}</title></circle>",
                    escape(&data),
                    escape(&title)
                );
            } else {
                let _ = write!(
                    out,
                    "<path d=\"M{x:.1} {:.1}L{:.1} {y:.1}L{x:.1} {:.1}L{:.1} {y:.1}Z\" fill=\"{color}\" data-key=\"{key}\" data-value=\"{}\"><title>{}</title></path>",
                    y - 5.5,
                    x + 5.5,
                    y + 5.5,
                    x - 5.5,
                    escape(&data),
                    escape(&title)
                );
            }
        }
        if !drawn {
            let _ = write!(
                out,
                "<text class=\"tick\" x=\"{}\" y=\"{y:.1}\" dominant-baseline=\"middle\">undefined (no items, or no variation)</text>",
                axis.left + 6.0
            );
        }
    }
    out.push_str("</svg>");
    let has = |p: &[&str]| order.iter().any(|f| get(f, p).is_some());
    out.push_str(
        "<div class=\"legend\"><span><i style=\"background:var(--alpha)\"></i>Krippendorff's α</span>",
    );
    if has(&["ac1", "value"]) {
        out.push_str(
            "<span><i style=\"background:var(--ac1);border-radius:0;transform:rotate(45deg) scale(.8)\"></i>Gwet's AC1</span>",
        );
    }
    if has(&["alpha_ci95", "0"]) || has(&["ac1", "ci95", "0"]) {
        out.push_str("<span>whiskers: 95% interval</span>");
    }
    out.push_str(
        "<span style=\"color:var(--tentative)\">- - 0.667 tentative</span>\
         <span style=\"color:var(--good)\">- - 0.800 reliable</span></div>",
    );
}

/// A coincidence matrix as a heat map: agreements (the diagonal) in blue, confusions in red,
/// the darker the more; labels right to left when one is Arabic.
fn coincidence_map(out: &mut String, root: &Value, field: &str) {
    let base = ["fields", field, "coincidence"];
    let labels: Vec<&str> = at(root, &[&base[..], &["labels"]].concat())
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|l| l.as_str().unwrap_or("")).collect())
        .unwrap_or_default();
    let matrix = at(root, &[&base[..], &["matrix"]].concat()).and_then(Value::as_array);
    let cell = |i: usize, j: usize| {
        matrix
            .and_then(|m| m.get(i))
            .and_then(|r| r.get(j))
            .and_then(Value::as_f64)
    };
    let max = (0..labels.len())
        .flat_map(|i| (0..labels.len()).map(move |j| (i, j)))
        .filter_map(|(i, j)| cell(i, j))
        .fold(0.0, f64::max);
    let arabic = labels.iter().any(|l| has_arabic(l));
    let per_category = at(root, &["fields", field, "per_category"]).is_some();
    let _ = write!(
        out,
        "<figure dir=\"{dir}\"><figcaption>{}</figcaption><div class=\"scroll\"><table class=\"heat\" dir=\"{dir}\"{}>\
         <thead><tr><th></th>",
        bdi(field),
        if arabic { " lang=\"ar\"" } else { "" },
        dir = if arabic { "rtl" } else { "ltr" },
    );
    // One way of writing for the whole matrix: whole counts, or two decimals throughout
    // when a value pairs with more than one other.
    let whole = (0..labels.len())
        .flat_map(|i| (0..labels.len()).map(move |j| (i, j)))
        .filter_map(|(i, j)| cell(i, j))
        .all(|v| v.fract() == 0.0);
    let shown = if whole { Shown::Count } else { Shown::Fixed(2) };
    for l in &labels {
        let _ = write!(out, "<th>{}</th>", bdi(l));
    }
    if per_category {
        out.push_str("<th lang=\"en\" dir=\"ltr\">agreement</th>");
    }
    out.push_str("</tr></thead><tbody>");
    for (i, l) in labels.iter().enumerate() {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", bdi(l));
        for (j, column) in labels.iter().enumerate() {
            let v = cell(i, j).unwrap_or(0.0);
            let strength = if max > 0.0 && v > 0.0 {
                0.12 + 0.78 * v / max
            } else {
                0.0
            };
            let (r, g, b) = if i == j { (36, 87, 197) } else { (196, 40, 40) };
            let ink = if strength > 0.55 { "#fff" } else { "inherit" };
            let (si, sj) = (i.to_string(), j.to_string());
            let path = [&base[..], &["matrix", &si, &sj]].concat();
            let td = number("td", "cell", root, &path, shown);
            let styled = td.replacen(
                "<td ",
                &format!(
                    "<td style=\"background:rgba({r},{g},{b},{strength:.3});color:{ink}\" title=\"{} × {}\" ",
                    escape(l),
                    escape(column)
                ),
                1,
            );
            out.push_str(&styled);
        }
        if per_category {
            let path = ["fields", field, "per_category", l];
            let class = rating(f64_at(root, &path));
            out.push_str(&number(
                "td",
                &format!("agreement {class}"),
                root,
                &path,
                Shown::Fixed(3),
            ));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div></figure>");
}

/// `agree --format html`: the page of `agree --format json`'s value.
pub fn agreement_page(root: &Value) -> String {
    let mut out = String::with_capacity(64 * 1024);
    open_page(&mut out, "tadqiq: agreement between analysts");
    let analysts: Vec<&str> = root
        .get("analysts")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let order = fields_by(root, |f| f.get("alpha").and_then(Value::as_f64));
    out.push_str("<header><h1>Agreement between analysts</h1>");
    let _ = write!(
        out,
        "<p class=\"sub\">How far the analysts agree, field by field, on the articles at least two of them reviewed (done reviews only).</p><div class=\"cards\">"
    );
    card(
        &mut out,
        "analysts",
        &analysts.len().to_string(),
        &names(&analysts),
    );
    card(
        &mut out,
        "articles",
        &number("span", "", root, &["articles"], Shown::Count),
        "<div class=\"names\">reviewed by at least two</div>",
    );
    card(&mut out, "fields", &order.len().to_string(), "");
    if root.get("bootstrap").is_some() {
        card(
            &mut out,
            "bootstrap",
            &number("span", "", root, &["bootstrap", "samples"], Shown::Count),
            &format!(
                "<div class=\"names\">resamplings of the articles, seed {}</div>",
                number("span", "", root, &["bootstrap", "seed"], Shown::Count)
            ),
        );
    }
    out.push_str("</div></header>");

    if order.is_empty() {
        out.push_str("<section><p>No field to compare.</p></section>");
    } else {
        out.push_str("<section><h2>Agreement per field</h2>");
        forest_plot(&mut out, root, &order);
        out.push_str(
            "<p class=\"note\">Weakest field first. Krippendorff's α: 1 is perfect agreement, 0 is \
             chance level; at least 0.800 to rely on a field, 0.667 for tentative conclusions.",
        );
        let has = |p: &[&str]| {
            order
                .iter()
                .any(|f| at(root, &join(&["fields", f], p)).is_some())
        };
        if has(&["ac1"]) {
            out.push_str(
                " Gwet's AC1 stays meaningful where one category dominates and α collapses.",
            );
        }
        if has(&["alpha_ci95"]) || has(&["ac1"]) {
            out.push_str(
                " The whiskers are 95% intervals: α's from a bootstrap over articles, AC1's from \
                 its standard error.",
            );
        }
        out.push_str("</p></section>");

        out.push_str("<section><h2>The figures</h2>");
        field_table(
            &mut out,
            root,
            &order,
            &[
                Col::Text("kind", &["kind"]),
                Col::Num("items", &["items"], Shown::Count, false),
                Col::Num("agree", &["percent_agreement"], Shown::Percent, false),
                Col::Num("α", &["alpha"], Shown::Fixed(3), true),
                Col::Interval("α 95%", &["alpha_ci95"]),
                Col::Pairs("P(α below)", &["p_alpha_below"], Shown::Fixed(3)),
                Col::Num("α interval", &["alpha_interval"], Shown::Fixed(3), true),
                Col::Num("AC1", &["ac1", "value"], Shown::Fixed(3), true),
                Col::Num("AC1 se", &["ac1", "se"], Shown::Fixed(3), false),
                Col::Interval("AC1 95%", &["ac1", "ci95"]),
                Col::Num("Fleiss κ", &["fleiss_kappa"], Shown::Fixed(3), false),
                Col::Num("disagree", &["disagreements"], Shown::Count, false),
            ],
        );
        out.push_str(
            "<p class=\"note\">items: articles where at least two analysts reviewed the field. \
             agree: mean share of analyst pairs giving the same value. α: nominal (MASI for set \
             fields); α interval: dates compared by their distance in days. P(α below): the \
             bootstrap's share of resamplings where α falls below each threshold. Fleiss κ: all \
             analysts on the items all of them reviewed. —: undefined.</p>",
        );
        cohen_pairs(&mut out, root, &order);
        ac1_per_value(&mut out, root, &order);
        out.push_str("</section>");

        let matrices: Vec<&str> = order
            .iter()
            .copied()
            .filter(|f| at(root, &["fields", f, "coincidence"]).is_some_and(Value::is_object))
            .collect();
        if !matrices.is_empty() {
            out.push_str(
                "<section><h2>Which categories the analysts confuse</h2><div class=\"matrices\">",
            );
            for f in matrices {
                coincidence_map(&mut out, root, f);
            }
            out.push_str(
                "</div><p class=\"note\">Krippendorff's coincidence matrices: each cell counts \
                 the pairable values of one item, the row's category from one analyst and the \
                 column's from another (a value pairs with the m − 1 others of its item, \
                 weighted 1/(m − 1)). The diagonal is agreement; a dark cell off it, a pair of \
                 categories the guideline should tell apart. agreement: the diagonal's share of \
                 its row.</p></section>",
            );
        }
    }

    analysts_section(&mut out, root, &order);
    disagreements_section(&mut out, root);
    close_page(&mut out, "tadqiq agree --format json");
    out
}

/// Cohen's kappa of each pair, field by field, folded away.
fn cohen_pairs(out: &mut String, root: &Value, order: &[&str]) {
    for f in order {
        let Some(Value::Object(pairs)) = at(root, &["fields", f, "cohen_kappa"]) else {
            continue;
        };
        if pairs.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "<details><summary>Cohen's κ of each pair of analysts on {} ({} pairs)</summary>\
             <table><thead><tr><th>pair</th><th>κ</th></tr></thead><tbody>",
            bdi(f),
            pairs.len()
        );
        for pair in pairs.keys().take(LIST_LIMIT) {
            let path = ["fields", f, "cohen_kappa", pair.as_str()];
            let (a, b) = pair.split_once('|').unwrap_or((pair, ""));
            let _ = write!(
                out,
                "<tr><td>{} · {}</td>{}</tr>",
                bdi(a),
                bdi(b),
                number(
                    "td",
                    rating(f64_at(root, &path)),
                    root,
                    &path,
                    Shown::Fixed(3)
                )
            );
        }
        out.push_str("</tbody></table>");
        more_line(out, pairs.len().min(LIST_LIMIT), pairs.len(), "pairs");
        out.push_str("</details>");
    }
}

/// Multi-choice fields: AC1 of each value (chosen or not), folded away.
fn ac1_per_value(out: &mut String, root: &Value, order: &[&str]) {
    for f in order {
        let Some(Value::Object(values)) = at(root, &["fields", f, "ac1_per_value"]) else {
            continue;
        };
        let arabic = values.keys().any(|k| has_arabic(k));
        let _ = write!(
            out,
            "<details open><summary>Gwet's AC1 of each value of {}</summary>\
             <table><thead><tr><th>value</th><th>AC1</th><th>se</th><th>95%</th></tr></thead><tbody>",
            bdi(f)
        );
        for v in values.keys().take(LIST_LIMIT) {
            let base = ["fields", f, "ac1_per_value", v.as_str()];
            let path = |p: &'static str| join(&base, &[p]);
            let _ = write!(
                out,
                "<tr><th scope=\"row\"{}>{}</th>{}{}<td class=\"interval\">{}</td></tr>",
                if arabic { " dir=\"rtl\"" } else { "" },
                bdi(v),
                number(
                    "td",
                    rating(f64_at(root, &path("value"))),
                    root,
                    &path("value"),
                    Shown::Fixed(3)
                ),
                number("td", "", root, &path("se"), Shown::Fixed(3)),
                interval(root, &path("ci95"))
            );
        }
        out.push_str("</tbody></table>");
        more_line(out, values.len().min(LIST_LIMIT), values.len(), "values");
        out.push_str("</details>");
    }
}

/// Each analyst against the others: who diverges, the lowest first.
fn analysts_section(out: &mut String, root: &Value, order: &[&str]) {
    let Some(Value::Object(analysts)) = root.get("analysts_agreement") else {
        return;
    };
    let columns: Vec<&str> = order
        .iter()
        .copied()
        .filter(|f| {
            analysts
                .values()
                .any(|a| at(a, &["alpha_with_rest", f]).is_some())
        })
        .collect();
    let mean = |a: &Value| {
        let xs: Vec<f64> = columns
            .iter()
            .filter_map(|f| f64_at(a, &["alpha_with_rest", f]))
            .collect();
        (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
    };
    let mut rows: Vec<(&String, Option<f64>)> =
        analysts.iter().map(|(k, a)| (k, mean(a))).collect();
    rows.sort_by(|a, b| {
        (a.1.is_none(), a.1.unwrap_or(0.0))
            .partial_cmp(&(b.1.is_none(), b.1.unwrap_or(0.0)))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    out.push_str(
        "<section><h2>Each analyst against the others</h2><div class=\"scroll\"><table><thead><tr><th>analyst</th><th>items</th>",
    );
    for f in &columns {
        let _ = write!(out, "<th>α {}</th>", bdi(f));
    }
    out.push_str("</tr></thead><tbody>");
    for (name, _) in rows.iter().take(LIST_LIMIT) {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th>{}",
            bdi(name),
            number(
                "td",
                "",
                root,
                &["analysts_agreement", name, "items"],
                Shown::Count
            )
        );
        for f in &columns {
            let path = ["analysts_agreement", name.as_str(), "alpha_with_rest", f];
            out.push_str(&number(
                "td",
                rating(f64_at(root, &path)),
                root,
                &path,
                Shown::Fixed(3),
            ));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    more_line(out, rows.len().min(LIST_LIMIT), rows.len(), "analysts");
    out.push_str(
        "<p class=\"note\">α of each analyst's values with the other analysts' on the same items, \
         the analyst who diverges most first. items: the items the analyst shares with another.</p></section>",
    );
}

fn disagreements_section(out: &mut String, root: &Value) {
    let list = root
        .get("disagreements")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let total = list_total(root, "disagreements");
    let _ = write!(out, "<section><h2>Disagreements ({total})</h2>");
    if list.is_empty() {
        out.push_str("<p>None: on every item the analysts gave the same value.</p></section>");
        return;
    }
    out.push_str(
        "<div class=\"scroll\"><table><thead><tr><th>article</th><th>field</th><th>values</th></tr></thead><tbody>",
    );
    for d in list.iter().take(LIST_LIMIT) {
        let text = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("");
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"values\">",
            bdi(text("article")),
            bdi(text("field"))
        );
        if let Some(Value::Object(values)) = d.get("values") {
            for (who, v) in values {
                let _ = write!(
                    out,
                    "<span class=\"chip\"><span class=\"who\">{}</span>: {}</span> ",
                    bdi(who),
                    value_html(v)
                );
            }
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table></div>");
    more_line(out, list.len().min(LIST_LIMIT), total, "disagreements");
    out.push_str("</section>");
}

/// Horizontal bars of each field's F1: strict (dark) over lenient (light).
fn f1_chart(out: &mut String, root: &Value, order: &[&str]) {
    let row = 30.0;
    let top = 12.0;
    let width = 820.0;
    let axis = Axis {
        lo: 0.0,
        hi: 1.0,
        left: 190.0,
        right: width - 170.0,
    };
    let height = top + row * order.len() as f64 + 30.0;
    let bottom = height - 26.0;
    let _ = write!(
        out,
        "<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" role=\"img\" aria-label=\"the extractor's F1 per field\">"
    );
    for i in 0..=5 {
        let t = f64::from(i) / 5.0;
        let x = axis.x(t);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{bottom}\"/>\
             <text class=\"tick\" x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{t:.1}</text>",
            bottom + 16.0
        );
    }
    for (i, f) in order.iter().enumerate() {
        let y = top + row * i as f64;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}</text>",
            axis.left - 12.0,
            y + row / 2.0,
            escape(f)
        );
        let strict = f64_at(root, &["fields", f, "f1"]);
        let lenient = f64_at(root, &["fields", f, "f1_lenient"]);
        if let Some(l) = lenient {
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"#9db7ea\"><title>{} F1 lenient = {}</title></rect>",
                axis.left,
                y + 6.0,
                axis.x(l) - axis.left,
                row - 12.0,
                escape(f),
                fmt3(l)
            );
        }
        match strict {
            Some(s) => {
                let data = at(root, &["fields", f, "f1"])
                    .map(Value::to_string)
                    .unwrap_or_default();
                let label = match lenient {
                    Some(l) => format!("{} · lenient {}", fmt3(s), fmt3(l)),
                    None => fmt3(s),
                };
                let _ = write!(
                    out,
                    "<rect x=\"{}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"var(--alpha)\" data-key=\"{}\" data-value=\"{}\"><title>{} F1 = {}</title></rect>\
                     <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" dominant-baseline=\"middle\">{}</text>",
                    axis.left,
                    y + 9.0,
                    axis.x(s) - axis.left,
                    row - 18.0,
                    escape(&pointer(&["fields", f, "f1"])),
                    escape(&data),
                    escape(f),
                    fmt3(s),
                    axis.x(lenient.unwrap_or(s).max(s)) + 6.0,
                    y + row / 2.0,
                    label
                );
            }
            None => {
                let (x, text) = match lenient {
                    Some(l) => (
                        axis.x(l) + 6.0,
                        format!("lenient {}; strict undefined", fmt3(l)),
                    ),
                    None => (axis.left + 6.0, "undefined (no item)".into()),
                };
                let _ = write!(
                    out,
                    "<text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" dominant-baseline=\"middle\">{}</text>",
                    y + row / 2.0,
                    escape(&text)
                );
            }
        }
    }
    out.push_str("</svg>");
    out.push_str(
        "<div class=\"legend\"><span><i style=\"background:var(--alpha);border-radius:2px\"></i>F1 (strict: a partly right value counts wrong)</span>\
         <span><i style=\"background:#9db7ea;border-radius:2px\"></i>F1 lenient (a partly right value counts half)</span></div>",
    );
}

/// The reliability diagram: per confidence band, how often the extractor was right, against
/// the diagonal of a perfectly calibrated extractor.
fn calibration_section(out: &mut String, root: &Value) {
    let Some(bins) = at(root, &["calibration", "bins"]).and_then(Value::as_array) else {
        return;
    };
    out.push_str("<section><h2>Is the extractor's confidence calibrated?</h2>");
    let _ = write!(
        out,
        "<p>Expected calibration error (ECE): <strong>{}</strong></p>",
        number("span", "", root, &["calibration", "ece"], Shown::Fixed(3))
    );
    let (size, pad) = (360.0, 44.0);
    let x = |v: f64| pad + v.clamp(0.0, 1.0) * size;
    let y = |v: f64| pad / 2.0 + (1.0 - v.clamp(0.0, 1.0)) * size;
    let most = bins
        .iter()
        .filter_map(|b| b.get("count").and_then(Value::as_f64))
        .fold(0.0, f64::max);
    out.push_str("<div style=\"display:flex;flex-wrap:wrap;gap:28px;align-items:flex-start\">");
    let _ = write!(
        out,
        "<svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" role=\"img\" aria-label=\"reliability diagram\">",
        w = size + pad + 16.0,
        h = size + pad + 22.0
    );
    for i in 0..=5 {
        let t = f64::from(i) / 5.0;
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>\
             <line class=\"grid\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>\
             <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{t:.1}</text>\
             <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" dominant-baseline=\"middle\">{t:.1}</text>",
            x(t),
            y(0.0),
            x(t),
            y(1.0),
            x(0.0),
            y(t),
            x(1.0),
            y(t),
            x(t),
            y(0.0) + 16.0,
            x(0.0) - 6.0,
            y(t)
        );
    }
    for (i, b) in bins.iter().enumerate() {
        let (Some(lo), Some(hi)) = (
            b.get("lo").and_then(Value::as_f64),
            b.get("hi").and_then(Value::as_f64),
        ) else {
            continue;
        };
        let Some(acc) = b.get("accuracy").and_then(Value::as_f64) else {
            continue;
        };
        let count = b.get("count").and_then(Value::as_f64).unwrap_or(0.0);
        let opacity = if most > 0.0 {
            0.35 + 0.6 * count / most
        } else {
            0.35
        };
        let data = b["accuracy"].to_string();
        let _ = write!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"var(--alpha)\" fill-opacity=\"{opacity:.2}\" stroke=\"#fff\" data-key=\"{}\" data-value=\"{}\">\
             <title>confidence {lo:.1}–{hi:.1}: {} values, right {:.1}%</title></rect>",
            x(lo),
            y(acc),
            x(hi) - x(lo),
            y(0.0) - y(acc),
            escape(&pointer(&[
                "calibration",
                "bins",
                &i.to_string(),
                "accuracy"
            ])),
            escape(&data),
            count,
            100.0 * acc
        );
        if let Some(c) = b.get("mean_confidence").and_then(Value::as_f64) {
            let _ = write!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"var(--ac1)\"/>",
                x(c),
                y(acc)
            );
        }
    }
    let _ = write!(
        out,
        "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"var(--muted)\" stroke-width=\"1.4\" stroke-dasharray=\"5 4\"/>\
         <line class=\"axis\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>\
         <line class=\"axis\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>\
         <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">confidence</text>\
         <text class=\"tick\" transform=\"translate(12 {:.1}) rotate(-90)\" text-anchor=\"middle\">share right</text>",
        x(0.0),
        y(0.0),
        x(1.0),
        y(1.0),
        x(0.0),
        y(0.0),
        x(1.0),
        y(0.0),
        x(0.0),
        y(0.0),
        x(0.0),
        y(1.0),
        x(0.5),
        y(0.0) + 34.0,
        y(0.5)
    );
    out.push_str("</svg>");
    out.push_str(
        "<div class=\"scroll\"><table><thead><tr><th>confidence</th><th>values</th><th>mean confidence</th><th>share right</th></tr></thead><tbody>",
    );
    for i in 0..bins.len() {
        let si = i.to_string();
        let p = |k: &'static str| ["calibration", "bins", si.as_str(), k];
        let _ = write!(
            out,
            "<tr><td>{}–{}</td>{}{}{}</tr>",
            number("span", "", root, &p("lo"), Shown::Fixed(1)),
            number("span", "", root, &p("hi"), Shown::Fixed(1)),
            number("td", "", root, &p("count"), Shown::Count),
            number("td", "", root, &p("mean_confidence"), Shown::Fixed(3)),
            number("td", "", root, &p("accuracy"), Shown::Percent)
        );
    }
    out.push_str("</tbody></table></div></div>");
    out.push_str(
        "<p class=\"note\">The values the extractor delivered with a confidence, in ten bands. \
         Bars: the share of each band's values that were right; dots: the band's mean \
         confidence. A calibrated extractor's bars reach the dashed diagonal; bars below it are \
         overconfidence. ECE: the gap between confidence and share right, weighted by the \
         values in each band.</p></section>",
    );
}

/// `score --format html`: the page of `score --format json`'s value.
pub fn score_page(root: &Value) -> String {
    let mut out = String::with_capacity(64 * 1024);
    open_page(&mut out, "tadqiq: the extractor against the gold set");
    let against = root.get("against").and_then(Value::as_str).unwrap_or("");
    let order = fields_by(root, |f| {
        f.get("f1")
            .and_then(Value::as_f64)
            .or_else(|| f.get("accuracy").and_then(Value::as_f64))
    });
    let _ = write!(
        out,
        "<header><h1>The extractor against {}</h1>\
         <p class=\"sub\">What the extractor delivered, field by field, compared with the reference gold set.</p><div class=\"cards\">",
        bdi(against)
    );
    card(&mut out, "reference", &bdi(against), "");
    card(
        &mut out,
        "articles",
        &number("span", "", root, &["articles"], Shown::Count),
        "<div class=\"names\">in the reference with an extraction</div>",
    );
    card(&mut out, "fields", &order.len().to_string(), "");
    card(
        &mut out,
        "low confidence",
        &number("span", "", root, &["low_confidence"], Shown::Fixed(2)),
        "<div class=\"names\">below this, a value is flagged</div>",
    );
    if root.get("fuzzy_threshold").is_some() {
        card(
            &mut out,
            "fuzzy threshold",
            &number("span", "", root, &["fuzzy_threshold"], Shown::Fixed(2)),
            "<div class=\"names\">from this similarity, texts match partly</div>",
        );
    }
    if root.get("calibration").is_some() {
        card(
            &mut out,
            "calibration error",
            &number("span", "", root, &["calibration", "ece"], Shown::Fixed(3)),
            "<div class=\"names\">ECE, 0 is calibrated</div>",
        );
    }
    out.push_str("</div></header>");

    if !order.is_empty() {
        if order
            .iter()
            .any(|f| f64_at(root, &["fields", f, "f1"]).is_some())
        {
            out.push_str("<section><h2>F1 per field</h2>");
            f1_chart(&mut out, root, &order);
            out.push_str("<p class=\"note\">Weakest field first.</p></section>");
        }
        out.push_str("<section><h2>The figures</h2>");
        field_table(
            &mut out,
            root,
            &order,
            &[
                Col::Text("kind", &["kind"]),
                Col::Text("match", &["match"]),
                Col::Num("items", &["items"], Shown::Count, false),
                Col::Num("accuracy", &["accuracy"], Shown::Percent, false),
                Col::Num("correct", &["correct"], Shown::Count, false),
                Col::Num("partial", &["partial"], Shown::Count, false),
                Col::Num("incorrect", &["incorrect"], Shown::Count, false),
                Col::Num("missing", &["missing"], Shown::Count, false),
                Col::Num("spurious", &["spurious"], Shown::Count, false),
                Col::Num("precision", &["precision"], Shown::Fixed(3), false),
                Col::Num("recall", &["recall"], Shown::Fixed(3), false),
                Col::Num("F1", &["f1"], Shown::Fixed(3), false),
                Col::Num("F1 lenient", &["f1_lenient"], Shown::Fixed(3), false),
            ],
        );
        out.push_str(
            "<p class=\"note\">items: articles whose reference review has the field. correct, \
             partial, incorrect, missing (in the reference, not delivered), spurious (delivered, \
             not in the reference): MUC-style counts. precision, recall, F1: strict, a partly \
             right value counts wrong; F1 lenient counts it half. match: normalized when Arabic \
             spelling variants count as equal.</p>",
        );
        subfields_table(&mut out, root, &order);
        out.push_str("<h3>Evidence and confidence</h3>");
        field_table(
            &mut out,
            root,
            &order,
            &[
                Col::Num(
                    "evidence items",
                    &["evidence", "items"],
                    Shown::Count,
                    false,
                ),
                Col::Num(
                    "evidence overlap",
                    &["evidence", "mean_overlap"],
                    Shown::Fixed(3),
                    false,
                ),
                Col::Tally("low-conf wrong", &["low_confidence"]),
                Col::Tally("confident wrong", &["confident"]),
            ],
        );
        out.push_str(
            "<p class=\"note\">evidence overlap: the mean overlap of the extractor's \
             evidence span with the reference's; evidence items: how many were compared. \
             low-conf wrong, confident wrong: of the values delivered below and at or above the \
             confidence threshold, how many were wrong.</p></section>",
        );
    }
    calibration_section(&mut out, root);
    mistakes_section(&mut out, root);
    close_page(&mut out, "tadqiq score --format json");
    out
}

/// The sub-fields of record fields, each counted on its own, one row per `field.sub-field`.
fn subfields_table(out: &mut String, root: &Value, order: &[&str]) {
    const COUNTS: [(&str, &str, Shown); 9] = [
        ("correct", "correct", Shown::Count),
        ("partial", "partial", Shown::Count),
        ("incorrect", "incorrect", Shown::Count),
        ("missing", "missing", Shown::Count),
        ("spurious", "spurious", Shown::Count),
        ("precision", "precision", Shown::Fixed(3)),
        ("recall", "recall", Shown::Fixed(3)),
        ("f1", "F1", Shown::Fixed(3)),
        ("f1_lenient", "F1 lenient", Shown::Fixed(3)),
    ];
    let rows: Vec<(&str, &str)> = order
        .iter()
        .filter_map(|f| match at(root, &["fields", f, "subfields"]) {
            Some(Value::Object(m)) => Some(m.keys().map(move |k| (*f, k.as_str()))),
            _ => None,
        })
        .flatten()
        .collect();
    if rows.is_empty() {
        return;
    }
    let cols: Vec<&(&str, &str, Shown)> = COUNTS
        .iter()
        .filter(|(key, ..)| {
            rows.iter()
                .any(|(f, sub)| at(root, &["fields", f, "subfields", sub, key]).is_some())
        })
        .collect();
    out.push_str(
        "<h3>Record sub-fields</h3><div class=\"scroll\"><table class=\"fields\"><thead><tr><th>field</th><th>sub-field</th>",
    );
    for (_, head, _) in &cols {
        let _ = write!(out, "<th>{head}</th>");
    }
    out.push_str("</tr></thead><tbody>");
    for (f, sub) in &rows {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td>",
            bdi(f),
            bdi(sub)
        );
        for (key, _, shown) in &cols {
            out.push_str(&number(
                "td",
                "",
                root,
                &["fields", f, "subfields", sub, key],
                *shown,
            ));
        }
        out.push_str("</tr>");
    }
    out.push_str(
        "</tbody></table></div><p class=\"note\">Each sub-field of the records paired one to \
         one, counted as the fields are.</p>",
    );
}

fn mistakes_section(out: &mut String, root: &Value) {
    let list = root
        .get("mistakes")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let total = list_total(root, "mistakes");
    let _ = write!(out, "<section><h2>Mistakes ({total})</h2>");
    if list.is_empty() {
        out.push_str("<p>None: every value delivered is the reference's.</p></section>");
        return;
    }
    out.push_str(
        "<div class=\"scroll\"><table><thead><tr><th>article</th><th>field</th><th>extracted</th><th>confidence</th><th>reference</th></tr></thead><tbody>",
    );
    for (i, m) in list.iter().take(LIST_LIMIT).enumerate() {
        let text = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("");
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"values\">{}</td>{}<td class=\"values\">{}</td></tr>",
            bdi(text("article")),
            bdi(text("field")),
            m.get("extracted").map_or_else(String::new, value_html),
            number(
                "td",
                "",
                root,
                &["mistakes", &i.to_string(), "confidence"],
                Shown::Fixed(2)
            ),
            m.get("reference").map_or_else(String::new, value_html)
        );
    }
    out.push_str("</tbody></table></div>");
    more_line(out, list.len().min(LIST_LIMIT), total, "mistakes");
    out.push_str("</section>");
}

/// The JSON value of `x` (`AgreementJson`, `ScoreJson`) for a page, with each top-level list
/// named in `lists` cut to its first `keep` entries and its length kept as `<list>_total`.
/// `x` is serialized on another thread into a pipe and read back as it comes, so a list of
/// millions of disagreements is never held whole, as text or as values.
pub fn report_value<T: Serialize + Sync>(
    x: &T,
    lists: &[&str],
    keep: usize,
) -> std::io::Result<Value> {
    let (reader, writer) = std::io::pipe()?;
    std::thread::scope(|s| {
        let written = s.spawn(move || {
            let mut w = BufWriter::with_capacity(1 << 16, writer);
            serde_json::to_writer(&mut w, x).map_err(std::io::Error::from)?;
            w.flush()
        });
        let mut de =
            serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, reader));
        let read = Cut { lists, keep }
            .deserialize(&mut de)
            .and_then(|v| de.end().map(|()| v))
            .map_err(std::io::Error::from);
        // The reader goes before the writer is awaited: a reader that stopped on an error must
        // not leave the writer blocked on a full pipe.
        drop(de);
        let written = written
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        // A failed write ends the text early, so its error is the cause of the reader's.
        written?;
        read
    })
}

/// Reads a JSON object, cutting the lists it names (see [`report_value`]).
struct Cut<'a> {
    lists: &'a [&'a str],
    keep: usize,
}

impl<'de> DeserializeSeed<'de> for Cut<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Cut<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if self.lists.contains(&key.as_str()) {
                let (kept, total) = map.next_value_seed(First(self.keep))?;
                out.insert(format!("{key}_total"), total.into());
                out.insert(key, Value::Array(kept));
            } else {
                let v: Value = map.next_value()?;
                out.insert(key, v);
            }
        }
        Ok(Value::Object(out))
    }
}

/// Reads a JSON array: its first n elements, and its length.
struct First(usize);

impl<'de> DeserializeSeed<'de> for First {
    type Value = (Vec<Value>, u64);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for First {
    type Value = (Vec<Value>, u64);

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut kept = Vec::new();
        let mut total = 0u64;
        while total < self.0 as u64 {
            match seq.next_element::<Value>()? {
                Some(v) => kept.push(v),
                None => return Ok((kept, total)),
            }
            total += 1;
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {
            total += 1;
        }
        Ok((kept, total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escape_leaves_no_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(escape("a\u{1B}[31mb\u{85}"), "a\u{FFFD}[31mb\u{FFFD}");
        assert_eq!(escape("مراكش"), "مراكش");
    }

    #[test]
    fn pointers_escape_slash_and_tilde() {
        assert_eq!(pointer(&["fields", "a/b~c", "0"]), "/fields/a~1b~0c/0");
        let v = json!({"fields": {"a/b~c": [1.5]}});
        assert_eq!(
            v.pointer(&pointer(&["fields", "a/b~c", "0"])),
            Some(&json!(1.5))
        );
    }

    #[test]
    fn a_number_carries_its_key_and_exact_value() {
        let v = json!({"fields": {"x": {"alpha": 0.123456789, "n": 5, "none": null}}});
        assert_eq!(
            number("td", "", &v, &["fields", "x", "alpha"], Shown::Fixed(3)),
            "<td class=\"num \" data-key=\"/fields/x/alpha\" data-value=\"0.123456789\">0.123</td>"
        );
        assert!(number("td", "", &v, &["fields", "x", "n"], Shown::Count).ends_with(">5</td>"));
        assert!(
            number("td", "", &v, &["fields", "x", "none"], Shown::Fixed(3))
                .ends_with("data-value=\"\">—</td>")
        );
        assert!(
            number("td", "", &v, &["fields", "x", "gone"], Shown::Percent)
                .ends_with("data-value=\"\">—</td>")
        );
    }

    #[test]
    fn the_value_for_a_page_cuts_long_lists_and_keeps_their_length() {
        let list: Vec<u32> = (0..10_000).collect();
        let v = report_value(
            &json!({"a": 1, "disagreements": list, "b": [1, 2, 3]}),
            &["disagreements"],
            3,
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"a": 1, "disagreements": [0, 1, 2], "disagreements_total": 10_000, "b": [1, 2, 3]})
        );
        let short = report_value(&json!({"disagreements": [7]}), &["disagreements"], 3).unwrap();
        assert_eq!(
            short,
            json!({"disagreements": [7], "disagreements_total": 1})
        );
    }

    #[test]
    fn a_failed_serialization_is_the_error_reported() {
        struct Failing;
        impl Serialize for Failing {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::{Error, SerializeMap};
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("articles", &3)?;
                Err(S::Error::custom(
                    "the spooled disagreements could not be read",
                ))
            }
        }
        let e = report_value(&Failing, &["disagreements"], 3).unwrap_err();
        assert!(e.to_string().contains("could not be read"), "{e}");
    }

    #[test]
    fn a_page_of_hostile_names_has_no_markup_of_theirs() {
        let v = json!({
            "analysts": ["<b>x</b>", "y"],
            "articles": 1,
            "fields": {"<img src=x>": {"kind": "choice", "items": 1, "alpha": 0.5,
                "coincidence": {"labels": ["<script>alert(1)</script>", "زيارة"], "matrix": [[1, 0], [0, 1]]}}},
            "disagreements": [{"article": "\"><script>", "field": "f", "values": {"x": "</td>"}}],
        });
        let page = agreement_page(&v);
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(!page.contains("<b>x"));
        assert!(!page.contains("<img"));
        assert!(!page.contains("</td>\"") && !page.contains("\"><script>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("dir=\"rtl\" lang=\"ar\""));
        assert!(!page.contains("<script"));
    }
}
