//! The command line: parse once, validate once, then hand plain values to a command.
//!
//! Errors a user can fix (a missing file, a width of 0) print one line on stderr and exit 2, as
//! clap's own usage errors do; a broken pipe (`tadqiq render x | head`) is not an error.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::import::Format;
use crate::index::{Index, Reader};
use crate::model::{FieldDef, Schema};
use crate::store::{ADJUDICATED, Diagnostic, LoadError, Store};
use crate::text::layout::{DirectionScan, Layouter, Paragraph, ParagraphInParts, Row, paragraphs};
use crate::text::sanitize::{DecodeWarning, decode, sanitize_inline};
use crate::text::{BidiMode, Direction, DirectionPolicy, LayoutOptions, bidi};

/// The widest row `render` accepts: wider is surely a mistake, and would only waste memory.
pub const MAX_WIDTH: u16 = 10_000;

/// Review and correct what an extraction pipeline pulled out of Arabic news articles.
#[derive(Debug, Parser)]
#[command(name = "tadqiq", version, about, long_about = None)]
pub struct Cli {
    /// Read every file, as if there were no corpus index (it is neither read nor updated).
    #[arg(long, global = true)]
    no_index: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print an article laid out for a terminal: wrapped, in visual order, RTL rows
    /// right-aligned.
    Render(RenderArgs),
    /// Review the articles and their extracted fields, and save corrections to the gold set
    /// (the default command).
    Review(ReviewArgs),
    /// Validate the schema, the extracted files and the gold files; one problem per line,
    /// `path:line:col: message`; exit 1 when there is an error.
    Check(CorpusArgs),
    /// How far analysts agree, field by field: percent agreement, Krippendorff's alpha with its
    /// bootstrap interval, Gwet's AC1, Cohen's and Fleiss' kappa, coincidence matrices, each
    /// analyst against the others, and the items where they differ. Only `done` reviews count.
    Agree(AgreeArgs),
    /// Export the gold set as JSONL, CSV or a YAML stream, sorted by article then analyst.
    Export(ExportArgs),
    /// The extractor measured against the gold set, field by field: accuracy, precision,
    /// recall and F1, and how often its low-confidence values were wrong.
    Score(ScoreArgs),
    /// Bring a pipeline's output into the corpus: articles (`<id>.txt`) or the extractor's
    /// fields (`extracted/<id>.yaml`). Nothing existing is overwritten without --force.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Where the team is: per analyst, articles done, in progress, skipped, stale and not
    /// reviewed yet, and the agreement in one line.
    Status(StatusArgs),
    /// Bring the corpus index up to date ahead of time (every command also does, for what it
    /// reads), build it anew, or compare it with a full read of the files.
    Index(IndexArgs),
    /// Articles that report the same event (near-duplicate bodies after Arabic folding), in
    /// groups with their similarity; exit 1 when an article could not be read.
    Twins(StatusArgs),
}

#[derive(Debug, Args)]
struct IndexArgs {
    #[command(flatten)]
    corpus: CorpusArgs,
    /// Delete the index and build it from the files.
    #[arg(long)]
    rebuild: bool,
    /// Compare what the index holds with a full read of the files; exit 1 on a difference.
    #[arg(long, conflicts_with = "rebuild")]
    check: bool,
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Articles from a JSONL or CSV file → `<articles>/<id>.txt` (the title, if any, on the
    /// first line), with url, outlet and date in `<articles>/<id>.meta.yaml`.
    Articles(ImportArticlesArgs),
    /// The extractor's output from a JSONL file, one article per line →
    /// `<annotations>/extracted/<id>.yaml`, checked against the schema; exit 1 if a line was
    /// rejected.
    Extracted(ImportExtractedArgs),
}

/// The layout of an import file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
}

#[derive(Debug, Args)]
struct ImportArticlesArgs {
    /// The file to import (`.jsonl`, `.ndjson` or `.csv`).
    file: PathBuf,
    /// The folder of article files.
    #[arg(long, value_name = "DIR", default_value = "samples")]
    articles: PathBuf,
    /// The file's format [default: from its extension].
    #[arg(long, value_enum)]
    format: Option<InputFormat>,
    /// The key or column holding the article id (the file name).
    #[arg(long, value_name = "NAME", default_value = "id")]
    id_field: String,
    /// The key or column holding the text.
    #[arg(long, value_name = "NAME", default_value = "text")]
    text_field: String,
    /// The key or column holding the title (written as the first line).
    #[arg(long, value_name = "NAME", default_value = "title")]
    title_field: String,
    /// The key or column holding the article's address.
    #[arg(long, value_name = "NAME", default_value = "url")]
    url_field: String,
    /// The key or column holding the publication date.
    #[arg(long, value_name = "NAME", default_value = "published_at")]
    date_field: String,
    /// The key or column holding the outlet.
    #[arg(long, value_name = "NAME", default_value = "source")]
    outlet_field: String,
    /// Replace article files that exist with other content.
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Args)]
struct ImportExtractedArgs {
    /// The JSONL file to import: one object per article, with its id and fields.
    file: PathBuf,
    #[command(flatten)]
    corpus: CorpusArgs,
    /// The key holding the article id.
    #[arg(long, value_name = "NAME", default_value = "id")]
    id_field: String,
    /// The extractor, `NAME` or `NAME@VERSION`, for lines that do not name one.
    #[arg(long, value_name = "NAME")]
    extractor: Option<String>,
    /// Replace extracted files that exist with other content.
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Args)]
struct StatusArgs {
    #[command(flatten)]
    corpus: CorpusArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    format: FormatArg,
}

/// How `status` prints its results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A table for people.
    Table,
    /// JSON for scripts.
    Json,
}

/// How `agree` and `score` print their results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormatArg {
    /// A table for people: one row per field, the weakest first, and a legend.
    Table,
    /// JSON for scripts, with every item that disagrees or is wrong.
    Json,
    /// One self-contained HTML page to share: charts and tables of the JSON's figures.
    Html,
}

#[derive(Debug, Args)]
struct AgreeArgs {
    #[command(flatten)]
    corpus: CorpusArgs,
    /// Compare only these analysts (repeat the option) [default: every folder of gold/ but
    /// _adjudicated].
    #[arg(long = "analyst", value_name = "NAME")]
    analysts: Vec<String>,
    /// Only these fields (repeat the option) [default: every field of the schema].
    #[arg(long = "field", value_name = "NAME")]
    fields: Vec<String>,
    /// Bootstrap samples for alpha's 95 % interval, articles resampled; 0: no interval; at
    /// most 100 000.
    #[arg(
        long,
        value_name = "N",
        default_value_t = crate::agree::DEFAULT_BOOTSTRAP as u64,
        value_parser = clap::value_parser!(u64).range(0..=crate::agree::MAX_BOOTSTRAP)
    )]
    bootstrap: u64,
    /// The bootstrap's seed: the same seed gives the same intervals.
    #[arg(long, value_name = "S", default_value_t = crate::agree::DEFAULT_SEED)]
    seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormatArg::Table)]
    format: ReportFormatArg,
}

/// `export --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    /// One JSON object per gold file.
    Jsonl,
    /// One row per reviewed field (or per gold file with --layout wide).
    Csv,
    /// One YAML document per gold file.
    Yaml,
}

/// `export --status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum StatusArg {
    /// Finished reviews.
    Done,
    /// Started, not finished.
    InProgress,
    /// Set aside.
    Skipped,
    /// All of them.
    Any,
}

/// `export --layout`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum CsvLayoutArg {
    /// One row per reviewed field.
    Long,
    /// One row per gold file, one column per field.
    Wide,
}

#[derive(Debug, Args)]
struct ExportArgs {
    #[command(flatten)]
    corpus: CorpusArgs,
    /// Output format.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Only these analysts (repeat the option) [default: every analyst but _adjudicated].
    #[arg(long = "analyst", value_name = "NAME", conflicts_with = "adjudicated")]
    analysts: Vec<String>,
    /// The adjudicated gold set (gold/_adjudicated) instead of the analysts'.
    #[arg(long)]
    adjudicated: bool,
    /// Which reviews, by status.
    #[arg(long, value_enum, default_value_t = StatusArg::Done)]
    status: StatusArg,
    /// Add each article's text and each evidence's text (JSONL): self-contained training data.
    #[arg(long)]
    with_text: bool,
    /// Start the CSV with a UTF-8 byte order mark, so spreadsheet programs read Arabic right.
    #[arg(long)]
    bom: bool,
    /// CSV layout.
    #[arg(long, value_enum, default_value_t = CsvLayoutArg::Long)]
    layout: CsvLayoutArg,
    /// Export the valid files and list the invalid ones on stderr, instead of failing.
    #[arg(long)]
    skip_invalid: bool,
    /// CSV cells exactly as they are: no `'` before a cell starting with `=`, `+`, `-`, `@`,
    /// tab or CR (which a spreadsheet would otherwise evaluate as a formula).
    #[arg(long)]
    raw_cells: bool,
    /// Write to this file instead of stdout: a regular file appears whole or not at all; a
    /// FIFO or device is written straight; a symbolic link is refused; `-` is stdout.
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ScoreArgs {
    #[command(flatten)]
    corpus: CorpusArgs,
    /// The reference gold set: `_adjudicated` or an analyst [default: _adjudicated when it has
    /// a done review, else the only analyst if there is just one].
    #[arg(long, value_name = "NAME")]
    against: Option<String>,
    /// Only these fields (repeat the option) [default: every field of the schema].
    #[arg(long = "field", value_name = "NAME")]
    fields: Vec<String>,
    /// Texts equal after Arabic folding (harakat, hamza forms, ى/ي, ة/ه, digits) count as
    /// correct (`normalized`) or as partial (`exact`).
    #[arg(long = "match", value_enum, default_value_t = MatchArg::Normalized)]
    matching: MatchArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormatArg::Table)]
    format: ReportFormatArg,
}

/// How `score` compares texts that differ only in how Arabic is spelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MatchArg {
    /// Folded-equal texts are correct.
    Normalized,
    /// Only equal texts (trimmed, NFC) are correct; folded-equal ones are partial.
    Exact,
}

/// Where the article pane goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    /// The article on the right, as an Arabic reader scans.
    Rtl,
    /// The article on the left.
    Ltr,
}

#[derive(Debug, Args)]
struct ReviewArgs {
    #[command(flatten)]
    corpus: CorpusArgs,
    /// Who is reviewing [default: $TADQIQ_ANALYST, else the login name].
    #[arg(long, value_name = "NAME")]
    analyst: Option<String>,
    /// Where the article pane goes.
    #[arg(long, value_enum, default_value_t = LayoutArg::Rtl)]
    layout: LayoutArg,
    /// Arabic shaping into presentation forms.
    #[arg(long, value_enum, default_value_t = Switch::On)]
    shape: Switch,
    /// Who reorders right-to-left text.
    #[arg(long, value_enum, default_value_t = BidiArg::App)]
    bidi: BidiArg,
    /// The keymap file [default: $XDG_CONFIG_HOME/tadqiq/keys.conf, else
    /// ~/.config/tadqiq/keys.conf, when it exists].
    #[arg(long, value_name = "FILE")]
    keys: Option<PathBuf>,
    /// Follow a review queue: `n`, `p`, `d` and `s` go to its next article.
    #[arg(long, value_enum, value_name = "QUEUE")]
    queue: Option<QueueArg>,
}

/// A review queue (see the README).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum QueueArg {
    /// Articles the analyst has not reviewed, in id order.
    NotReviewed,
    /// By the lowest extractor confidence among the fields not reviewed, lowest first.
    LowConfidence,
    /// Articles analysts disagree on, the most disagreements first.
    Disagreements,
    /// Reviewed articles that changed since, in id order.
    Stale,
    /// Articles with a twin, each group together.
    Twins,
}

impl QueueArg {
    fn queue(self) -> crate::model::summary::Queue {
        use crate::model::summary::Queue;
        match self {
            QueueArg::NotReviewed => Queue::NotReviewed,
            QueueArg::LowConfidence => Queue::LowConfidence,
            QueueArg::Disagreements => Queue::Disagreements,
            QueueArg::Stale => Queue::Stale,
            QueueArg::Twins => Queue::Twins,
        }
    }
}

/// Where the corpus is.
#[derive(Debug, Args, Clone)]
pub struct CorpusArgs {
    /// The folder of article files (`<id>.txt`).
    #[arg(long, value_name = "DIR", default_value = "samples")]
    pub articles: PathBuf,
    /// The folder with `schema.yaml`, `extracted/` and `gold/`.
    #[arg(long, value_name = "DIR", default_value = "annotations")]
    pub annotations: PathBuf,
}

impl CorpusArgs {
    /// The store over these folders, once both are known to be folders.
    fn store(&self) -> Result<Store> {
        for dir in [&self.articles, &self.annotations] {
            if !dir.is_dir() {
                bail!("{}: {}", dir.display(), not_a_folder(dir));
            }
        }
        Ok(Store::new(&self.articles, &self.annotations))
    }
}

/// Why a path that should be a folder is not one: absent, or something else.
fn not_a_folder(path: &Path) -> &'static str {
    match std::fs::symlink_metadata(path) {
        Err(_) => "no such folder",
        Ok(m) if m.file_type().is_symlink() => "a symbolic link to nothing, not a folder",
        Ok(_) => "not a folder (a file is in its place)",
    }
}

/// On or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

/// A paragraph direction choice on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DirectionArg {
    /// Each paragraph by its first strong character (UAX #9 P2–P3).
    Auto,
    /// Every paragraph right to left.
    Rtl,
    /// Every paragraph left to right.
    Ltr,
}

/// Who reorders right-to-left text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BidiArg {
    /// tadqiq does (the default; right for xterm, Alacritty, Windows Terminal, tmux, and for
    /// VTE, mintty and WezTerm, which tadqiq switches to explicit mode).
    App,
    /// The terminal does (Konsole, mlterm): text is sent in logical order.
    Terminal,
}

/// Options shared by every command that lays text out.
#[derive(Debug, Args)]
struct TextArgs {
    /// Arabic shaping into presentation forms.
    #[arg(long, value_enum, default_value_t = Switch::On)]
    shape: Switch,
    /// Paragraph direction.
    #[arg(long, value_enum, default_value_t = DirectionArg::Auto)]
    direction: DirectionArg,
    /// Who reorders right-to-left text.
    #[arg(long, value_enum, default_value_t = BidiArg::App)]
    bidi: BidiArg,
}

impl TextArgs {
    fn options(&self, width: u16) -> LayoutOptions {
        LayoutOptions {
            width,
            shape: self.shape == Switch::On,
            direction: match self.direction {
                DirectionArg::Auto => DirectionPolicy::Auto,
                DirectionArg::Rtl => DirectionPolicy::Forced(Direction::Rtl),
                DirectionArg::Ltr => DirectionPolicy::Forced(Direction::Ltr),
            },
            bidi: match self.bidi {
                BidiArg::App => BidiMode::App,
                BidiArg::Terminal => BidiMode::Terminal,
            },
        }
    }
}

#[derive(Debug, Args)]
struct RenderArgs {
    /// The article: a UTF-8 text file, one paragraph per line.
    file: PathBuf,
    /// Row width in terminal cells [default: the terminal's width, else 80].
    #[arg(long, short, value_parser = clap::value_parser!(u16).range(1..=MAX_WIDTH as i64))]
    width: Option<u16>,
    #[command(flatten)]
    text: TextArgs,
}

/// Runs the command line; the binary's `main` is only this.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version on stdout with success, usage errors with code 2.
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tadqiq: {}", sanitize_inline(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> Result<ExitCode> {
    let ix = IndexChoice {
        no_index: cli.no_index,
    };
    match cli.command {
        Some(Command::Render(args)) => render(&args),
        Some(Command::Check(args)) => check(&args, ix),
        Some(Command::Review(args)) => review(&args, ix),
        Some(Command::Agree(args)) => agree(&args, ix),
        Some(Command::Export(args)) => export(&args, ix),
        Some(Command::Score(args)) => score(&args, ix),
        Some(Command::Import(ImportCommand::Articles(args))) => import_articles(&args),
        Some(Command::Import(ImportCommand::Extracted(args))) => import_extracted(&args),
        Some(Command::Status(args)) => status(&args, ix),
        Some(Command::Index(args)) => index(&args),
        Some(Command::Twins(args)) => twins(&args, ix),
        None => review(
            &ReviewArgs {
                corpus: CorpusArgs {
                    articles: "samples".into(),
                    annotations: "annotations".into(),
                },
                analyst: None,
                layout: LayoutArg::Rtl,
                shape: Switch::On,
                bidi: BidiArg::App,
                keys: None,
                queue: None,
            },
            ix,
        ),
    }
}

fn review(args: &ReviewArgs, ix: IndexChoice) -> Result<ExitCode> {
    let analyst = match &args.analyst {
        Some(a) => a.clone(),
        None => default_analyst(),
    };
    if !crate::store::valid_analyst(&analyst) {
        bail!(
            "`{}` cannot be an analyst name (letters, digits, `_`, `-`, `.`; not starting with `.`): give --analyst NAME",
            sanitize_inline(&analyst)
        );
    }
    if crate::store::reserved_analyst(&analyst) {
        bail!(
            "`{}` is a name tadqiq keeps for itself (names starting with `_`; adjudicate with `c` on the review screen): give --analyst NAME",
            sanitize_inline(&analyst)
        );
    }
    // Before the terminal is needed, so that `review --keys FILE` checks a keymap file.
    let keys = match &args.keys {
        Some(path) => Some((path.clone(), true)),
        None => crate::tui::keyfile::default_path().map(|p| (p, false)),
    };
    let keymap = match keys {
        None => crate::tui::keymap::Keymap::default(),
        Some((path, required)) => match crate::tui::keyfile::load(&path, required) {
            Ok(keymap) => keymap,
            Err(problems) => {
                for d in problems {
                    eprintln!("{d}");
                }
                eprintln!("tadqiq: the keymap file has problems; the review does not open");
                return Ok(ExitCode::from(2));
            }
        },
    };
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        bail!("review needs a terminal; for scripts there are `render` and `check`");
    }
    let store = args.corpus.store().context(
        "run tadqiq from the repository (it opens samples/ and annotations/) or give --articles and --annotations",
    )?;
    crate::tui::run(crate::tui::Config {
        store,
        analyst,
        article_side: match args.layout {
            LayoutArg::Rtl => crate::tui::Side::Right,
            LayoutArg::Ltr => crate::tui::Side::Left,
        },
        shape: args.shape == Switch::On,
        bidi: match args.bidi {
            BidiArg::App => BidiMode::App,
            BidiArg::Terminal => BidiMode::Terminal,
        },
        theme: crate::tui::theme::Theme::from_env(),
        index: if ix.no_index {
            crate::tui::IndexUse::Off
        } else {
            crate::tui::IndexUse::CacheFolder
        },
        keymap: std::sync::Arc::new(keymap),
        queue: args.queue.map(QueueArg::queue),
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `$TADQIQ_ANALYST`, else the login name.
fn default_analyst() -> String {
    ["TADQIQ_ANALYST", "USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "analyst".into())
}

fn render(args: &RenderArgs) -> Result<ExitCode> {
    let path = &args.file;
    let stdout = io::stdout();
    let tty = stdout.is_terminal();
    let width = match args.width {
        Some(w) => w,
        None if tty => crossterm::terminal::size().map_or(80, |(w, _)| w.max(1)),
        None => 80,
    };
    let options = args.text.options(width);
    // The file is read twice, a block of lines at a time, so that memory stays flat whatever its size:
    // once for the direction of paragraphs without a strong character (which depends on the
    // whole text), once to lay it out.
    let mut strong = bidi::StrongCount::default();
    // Lines longer than a block come in parts: the direction of each such paragraph is found
    // here, over all of it, for the second read to lay it out in parts.
    let mut long_directions = std::collections::HashMap::new();
    let mut scan: Option<DirectionScan> = None;
    let mut index = 0u32;
    let input = RenderInput::open(path)?;
    let warning = each_block(path, &input, |text, continues| {
        strong.add(text);
        let count = paragraphs(text).count();
        for (k, p) in paragraphs(text).enumerate() {
            let unfinished = continues && k + 1 == count;
            if unfinished || (k == 0 && scan.is_some()) {
                scan.get_or_insert_default().add(p.text);
            }
            if !unfinished {
                if let Some(done) = scan.take() {
                    long_directions.insert(index, done.direction());
                }
                index += 1;
            }
        }
        Ok(())
    })?;
    if let Some(w) = warning {
        eprintln!(
            "tadqiq: {}: {w}",
            sanitize_inline(&path.display().to_string())
        );
    }
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    // On a terminal that implements the BiDi recommendation (VTE, mintty, WezTerm), explicit
    // mode stops it from reordering our visual rows a second time.
    let explicit = tty && options.bidi == BidiMode::App;
    if explicit {
        out.write_all(b"\x1b[8l")?;
    }
    let mut layouter = Layouter::with_fallback(options, strong.dominant());
    let (mut start, mut index) = (0u32, 0u32);
    let mut long: Option<ParagraphInParts> = None;
    each_block(path, &input, |block, continues| {
        // Whole lines, newlines included, or the part of a line longer than a block:
        // `paragraphs` sees them as in the whole text.
        let count = paragraphs(block).count();
        for (k, p) in paragraphs(block).enumerate() {
            let unfinished = continues && k + 1 == count;
            let p = Paragraph {
                start: start + p.start,
                index,
                ..p
            };
            let write = |row: Row| write_row(&mut out, row.indent, row.text());
            // Rows are written as they are made: a long paragraph's never all wait in memory.
            match (long.take().filter(|_| k == 0), unfinished) {
                (None, false) => layouter.paragraph_rows(p, write)?,
                (None, true) => {
                    let direction = long_directions.get(&index).copied().flatten();
                    let mut parts = layouter.paragraph_in_parts(p.start, index, direction);
                    layouter.paragraph_part(&mut parts, p.text, write)?;
                    long = Some(parts);
                }
                (Some(mut parts), true) => {
                    layouter.paragraph_part(&mut parts, p.text, write)?;
                    long = Some(parts);
                }
                (Some(parts), false) => layouter.paragraph_end(parts, p.text, write)?,
            }
            if !unfinished {
                index += 1;
            }
        }
        start += block.chars().count() as u32;
        Ok(())
    })?;
    if explicit {
        out.write_all(b"\x1b[8h")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_row(out: &mut impl Write, indent: u16, text: &str) -> io::Result<()> {
    const SPACES: [u8; 64] = [b' '; 64];
    let mut indent = usize::from(indent);
    while indent > 0 {
        let n = indent.min(SPACES.len());
        out.write_all(&SPACES[..n])?;
        indent -= n;
    }
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")
}

/// What `render` reads: a regular file is read from disk once per pass, from the one handle
/// opened; anything else — a FIFO, `/dev/stdin` on a pipe — can be read only once, so it is
/// kept in memory, at most an article's limit.
enum RenderInput {
    File(std::fs::File),
    Piped(Vec<u8>),
}

impl RenderInput {
    fn open(path: &Path) -> Result<RenderInput> {
        use std::io::Read;
        let context = || format!("{}", path.display());
        // A blocking open: a FIFO named on the command line is waited on, as `cat` does.
        let file = std::fs::File::open(path).with_context(context)?;
        let meta = file.metadata().with_context(context)?;
        if meta.is_dir() {
            bail!("{}: is a directory, not an article file", path.display());
        }
        if meta.is_file() {
            return Ok(RenderInput::File(file));
        }
        let limit = crate::store::MAX_ARTICLE_BYTES;
        let mut bytes = Vec::new();
        file.take(limit + 1)
            .read_to_end(&mut bytes)
            .with_context(context)?;
        if bytes.len() as u64 > limit {
            bail!(
                "{}: more than {} MiB, the most of an article read from a pipe; save it to a file",
                path.display(),
                limit >> 20
            );
        }
        Ok(RenderInput::Piped(bytes))
    }
}

/// Calls `f` with an article file's text a block of whole lines at a time (about 1 MiB, more
/// when a line is longer), decoded as UTF-8 with invalid sequences replaced; returns the
/// warning about them for the whole file. Blocks end after a newline, and an invalid sequence
/// never spans one (0x0A is never part of one), so this decodes exactly as the whole file would.
fn each_block(
    path: &Path,
    input: &RenderInput,
    mut f: impl FnMut(&str, bool) -> io::Result<()>,
) -> Result<Option<DecodeWarning>> {
    use std::io::Read;
    const BLOCK: usize = 1 << 20;
    let context = || format!("{}", path.display());
    let mut file: Box<dyn Read + '_> = match input {
        RenderInput::File(file) => {
            use std::io::Seek;
            let mut file = file.try_clone().with_context(context)?;
            file.rewind().with_context(context)?;
            Box::new(file)
        }
        RenderInput::Piped(bytes) => Box::new(&bytes[..]),
    };
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK);
    let mut offset = 0usize;
    let mut warning: Option<DecodeWarning> = None;
    let mut at_end = false;
    while !at_end {
        // Read up to a block (twice what is left over, for a line longer than that), then
        // hand over everything up to the last newline.
        let want = buf.len().max(BLOCK / 2) * 2 - buf.len();
        let read = (&mut file)
            .take(want as u64)
            .read_to_end(&mut buf)
            .with_context(context)?;
        at_end = read < want;
        let (end, continues) = if at_end {
            (buf.len(), false)
        } else {
            match buf.iter().rposition(|&b| b == b'\n') {
                Some(i) => (i + 1, false),
                // One line longer than the buffer: hand over what there is of it, up to the
                // start of its last char, which may not all be here.
                None => match buf
                    .iter()
                    .rposition(|&b| b & 0xC0 != 0x80)
                    .filter(|&i| i > 0)
                {
                    Some(i) => (i, true),
                    None => continue,
                },
            }
        };
        let (text, w) = decode(&buf[..end]);
        if let Some(w) = w {
            match &mut warning {
                Some(total) => total.replaced += w.replaced,
                None => {
                    warning = Some(DecodeWarning {
                        first_byte: offset + w.first_byte,
                        ..w
                    })
                }
            }
        }
        // The caller's own error (writing the output), as it is.
        // A part that ends at a paragraph separator ends its paragraph.
        f(&text, continues && !text.ends_with('\u{2029}'))?;
        offset += end;
        buf.drain(..end);
    }
    Ok(warning)
}

/// A progress bar of `len` `what` on stderr, when it is a terminal and there are more than
/// `above` of them (a short run does not flash one); hidden otherwise.
fn progress_bar(len: usize, above: usize, what: &str) -> indicatif::ProgressBar {
    if !io::stderr().is_terminal() || len <= above {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what}, {{eta}} left"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Whether commands read through the corpus index (`--no-index`).
#[derive(Clone, Copy, Debug)]
struct IndexChoice {
    no_index: bool,
}

impl IndexChoice {
    /// The corpus index for reads of `store` against `schema`: none with `--no-index`, or
    /// when it cannot be opened (said once on stderr; the files are then read, as without it).
    fn open(self, store: &Store, schema: &Schema) -> Option<Index> {
        if self.no_index {
            return None;
        }
        match Index::open(store, schema) {
            Ok(index) => Some(index),
            Err(e) => {
                eprintln!(
                    "tadqiq: reading every file: the corpus index cannot be used: {}",
                    sanitize_inline(&e.to_string())
                );
                None
            }
        }
    }
}

fn check(args: &CorpusArgs, ix: IndexChoice) -> Result<ExitCode> {
    let store = args.store()?;
    let report = crate::check::check(&store, &|schema| ix.open(&store, schema));
    let mut out = io::BufWriter::new(io::stdout().lock());
    for d in &report.diagnostics {
        writeln!(out, "{d}")?;
    }
    out.flush()?;
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    eprintln!(
        "checked {}: {}, {}",
        plural(report.files, "file"),
        plural(report.errors(), "error"),
        plural(report.warnings(), "warning")
    );
    Ok(if report.errors() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The store for `agree` and `score`, which read annotations (`--articles` is accepted for
/// symmetry with the other commands; only `score` reads an article, to place evidence given as
/// a quote), and its schema. An invalid schema is
/// reported like `check` does, and ends the command with exit 1 (`Err(code)`).
fn annotations(corpus: &CorpusArgs) -> Result<std::result::Result<(Store, Schema), ExitCode>> {
    if !corpus.annotations.is_dir() {
        bail!(
            "{}: {} (give --annotations DIR, the folder with schema.yaml and gold/)",
            corpus.annotations.display(),
            not_a_folder(&corpus.annotations)
        );
    }
    let store = Store::new(&corpus.articles, &corpus.annotations);
    match store.load_schema() {
        Ok(loaded) => Ok(Ok((store, loaded.value))),
        Err(LoadError::Invalid(d)) => {
            for d in d.iter().filter(|d| d.is_error()) {
                eprintln!("{d}");
            }
            eprintln!("tadqiq: the schema is not valid; nothing was measured");
            Ok(Err(ExitCode::from(1)))
        }
        Err(e) => Err(e.into()),
    }
}

/// The schema's fields named on the command line (all of them when none is).
fn chosen_fields<'s>(schema: &'s Schema, names: &[String]) -> Result<Vec<&'s FieldDef>> {
    if names.is_empty() {
        return Ok(schema.fields.iter().collect());
    }
    let mut out: Vec<&FieldDef> = Vec::new();
    for name in names {
        let Some(def) = schema.field(name) else {
            let known: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
            bail!(
                "--field {}: not a field of the schema; fields: {}",
                sanitize_inline(name),
                known.join(", ")
            );
        };
        if !out.iter().any(|d| d.name == def.name) {
            out.push(def);
        }
    }
    // Schema order, whatever the order on the command line.
    out.sort_by_key(|d| schema.position(&d.name));
    Ok(out)
}

/// Prints the problems of invalid gold or extracted files and returns exit code 1.
fn report_invalid(problems: &[Diagnostic]) -> ExitCode {
    for d in problems {
        eprintln!("{d}");
    }
    let files: std::collections::BTreeSet<&Path> =
        problems.iter().map(|d| d.path.as_path()).collect();
    eprintln!(
        "tadqiq: {} invalid file{}; nothing was measured (`tadqiq check` lists every problem)",
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    );
    ExitCode::from(1)
}

fn print_result<J: serde::Serialize>(
    format: FormatArg,
    table: impl FnOnce() -> String,
    json: impl FnOnce() -> J,
) -> Result<ExitCode> {
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    match format {
        FormatArg::Table => out.write_all(table().as_bytes())?,
        FormatArg::Json => {
            crate::text::sanitize::write_json_pretty(&mut out, &json()).map_err(io::Error::from)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `agree` and `score`: a table or JSON as [`print_result`] prints them, or the page that
/// `html` draws from the JSON, its long `lists` cut to what the page shows.
fn print_report<J: serde::Serialize + Sync>(
    format: ReportFormatArg,
    table: impl FnOnce() -> String,
    json: impl FnOnce() -> J,
    lists: &[&str],
    html: fn(&serde_json::Value) -> String,
) -> Result<ExitCode> {
    match format {
        ReportFormatArg::Table => print_result(FormatArg::Table, table, json),
        ReportFormatArg::Json => print_result(FormatArg::Json, table, json),
        ReportFormatArg::Html => {
            let value =
                crate::agree::html::report_value(&json(), lists, crate::agree::html::LIST_LIMIT)?;
            let mut out = io::stdout().lock();
            out.write_all(html(&value).as_bytes())?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn agree(args: &AgreeArgs, ix: IndexChoice) -> Result<ExitCode> {
    let (store, schema) = match annotations(&args.corpus)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let index = ix.open(&store, &schema);
    let reader = Reader::new(&store, index.as_ref());
    let fields = chosen_fields(&schema, &args.fields)?;
    let existing = analysts_of(&store, &args.analysts)?;
    let mut analysts: Vec<String> = if args.analysts.is_empty() {
        existing
            .iter()
            .filter(|a| a.as_str() != ADJUDICATED)
            .cloned()
            .collect()
    } else {
        args.analysts.clone()
    };
    analysts.sort();
    analysts.dedup();
    if analysts.len() < 2 {
        bail!(
            "agreement needs at least two analysts; {} has: {}",
            store.gold_root().display(),
            list_or_none(&existing)
        );
    }
    let options = crate::agree::Options {
        // At most MAX_BOOTSTRAP (the parser's range), so it fits.
        bootstrap: args.bootstrap as usize,
        seed: args.seed,
        detail: true,
    };
    match crate::agree::agree(&reader, &schema, &analysts, &fields, options) {
        Ok(a) => print_report(
            args.format,
            || crate::agree::report::agreement_table(&a),
            || crate::agree::report::AgreementJson(&a),
            &["disagreements"],
            crate::agree::html::agreement_page,
        ),
        Err(problems) => Ok(report_invalid(&problems)),
    }
}

fn export(args: &ExportArgs, ix: IndexChoice) -> Result<ExitCode> {
    use crate::export::{CsvLayout, ExportError, ExportOptions, Format, StatusFilter};
    use crate::model::Status;
    let (store, schema) = match annotations(&args.corpus)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    analysts_of(&store, &args.analysts)?;
    if args.bom && args.format != ExportFormat::Csv {
        bail!("--bom is for --format csv");
    }
    if args.layout == CsvLayoutArg::Wide && args.format != ExportFormat::Csv {
        bail!("--layout wide is for --format csv");
    }
    if args.raw_cells && args.format != ExportFormat::Csv {
        bail!("--raw-cells is for --format csv");
    }
    let mut out = match &args.out {
        Some(path) => crate::store::atomic::Output::open(path)
            .with_context(|| format!("{}", path.display()))?,
        None => crate::store::atomic::Output::stdout(),
    };
    let options = ExportOptions {
        format: match args.format {
            ExportFormat::Jsonl => Format::Jsonl,
            ExportFormat::Csv => Format::Csv,
            ExportFormat::Yaml => Format::Yaml,
        },
        analysts: args.analysts.clone(),
        adjudicated: args.adjudicated,
        status: match args.status {
            StatusArg::Done => StatusFilter::Only(Status::Done),
            StatusArg::InProgress => StatusFilter::Only(Status::InProgress),
            StatusArg::Skipped => StatusFilter::Only(Status::Skipped),
            StatusArg::Any => StatusFilter::Any,
        },
        with_text: args.with_text,
        bom: args.bom,
        layout: match args.layout {
            CsvLayoutArg::Long => CsvLayout::Long,
            CsvLayoutArg::Wide => CsvLayout::Wide,
        },
        skip_invalid: args.skip_invalid,
        raw_cells: args.raw_cells,
        terminal: out.is_terminal(),
    };
    // The store's listing errors name their folder.
    let units = crate::export::units(&store, &options)?;
    let index = ix.open(&store, &schema);
    let reader = Reader::new(&store, index.as_ref());
    // A progress bar for long exports, on a terminal only.
    let bar = progress_bar(units.len(), 2000, "gold files");
    let progress = |n: usize| bar.set_position(n as u64);
    // A file appears whole or not at all by itself; a stream (stdout, a FIFO) cannot take back
    // what it was given, so its export is completed aside first.
    let result = if out.is_atomic() {
        crate::export::export(&reader, &schema, &options, &units, &mut out, &progress)
    } else {
        crate::export::export_whole(&reader, &schema, &options, &units, &mut out, &progress)
    };
    if result.is_ok() {
        let name = args.out.as_deref().unwrap_or(Path::new("-"));
        out.commit()
            .with_context(|| format!("{}", name.display()))?;
    }
    bar.finish_and_clear();
    match result {
        Ok(summary) => {
            for d in &summary.skipped {
                eprintln!("{d}");
            }
            let skipped: std::collections::BTreeSet<&Path> =
                summary.skipped.iter().map(|d| d.path.as_path()).collect();
            eprintln!(
                "exported {} gold file{}{}",
                summary.exported,
                if summary.exported == 1 { "" } else { "s" },
                if skipped.is_empty() {
                    String::new()
                } else {
                    format!("; skipped {} invalid", skipped.len())
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(ExportError::Invalid(problems)) => {
            for d in &problems {
                eprintln!("{d}");
            }
            eprintln!(
                "tadqiq: export stopped at an invalid file; nothing was written (--skip-invalid exports the rest; `tadqiq check` lists every problem)"
            );
            Ok(ExitCode::from(1))
        }
        Err(ExportError::Io(e)) => Err(e.into()),
    }
}

/// The analysts of the gold set (its folders), and `named` checked against them: a name
/// without a folder is a user error.
fn analysts_of(store: &Store, named: &[String]) -> Result<Vec<String>> {
    let existing: Vec<String> = store.list_analysts()?; // its errors name the folder
    for a in named {
        if !existing.contains(a) {
            bail!(
                "--analyst {}: no folder {} (analysts: {})",
                sanitize_inline(a),
                store.gold_dir(a).display(),
                list_or_none(&existing)
            );
        }
    }
    Ok(existing)
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        sanitize_inline(&names.join(", ")).into_owned()
    }
}

fn score(args: &ScoreArgs, ix: IndexChoice) -> Result<ExitCode> {
    let (store, schema) = match annotations(&args.corpus)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let index = ix.open(&store, &schema);
    let reader = Reader::new(&store, index.as_ref());
    let fields = chosen_fields(&schema, &args.fields)?;
    let existing = analysts_of(&store, &[])?;
    let against = match &args.against {
        Some(a) if existing.contains(a) => a.clone(),
        Some(a) => bail!(
            "--against {}: no folder {} (gold sets: {})",
            sanitize_inline(a),
            store.gold_dir(a).display(),
            list_or_none(&existing)
        ),
        None if crate::agree::score::has_done(&reader, &schema, ADJUDICATED) => ADJUDICATED.into(),
        None => {
            let analysts: Vec<String> = existing
                .iter()
                .filter(|a| a.as_str() != ADJUDICATED)
                .cloned()
                .collect();
            match analysts.as_slice() {
                [only] => {
                    eprintln!(
                        "tadqiq: no adjudicated gold set yet; scoring against the only analyst, {}",
                        sanitize_inline(only)
                    );
                    only.clone()
                }
                [] => bail!(
                    "no gold set in {} yet: review articles first, or give --annotations DIR",
                    store.gold_root().display()
                ),
                many => bail!(
                    "no adjudicated gold set yet ({} has no done review): give --against NAME, one of: {}",
                    store.gold_dir(ADJUDICATED).display(),
                    list_or_none(many)
                ),
            }
        }
    };
    let mode = match args.matching {
        MatchArg::Normalized => crate::agree::matching::MatchMode::Normalized,
        MatchArg::Exact => crate::agree::matching::MatchMode::Exact,
    };
    match crate::agree::score::score(&reader, &schema, &against, &fields, mode) {
        Ok(s) => print_report(
            args.format,
            || crate::agree::report::score_table(&s),
            || crate::agree::report::ScoreJson(&s),
            &["mistakes"],
            crate::agree::html::score_page,
        ),
        Err(problems) => Ok(report_invalid(&problems)),
    }
}

/// Shows an import's progress on stderr (when it is a terminal) and its notices as
/// `FILE:LINE: message`.
struct ImportSink {
    file: String,
    bar: indicatif::ProgressBar,
}

impl ImportSink {
    fn new(file: &Path, len: u64) -> ImportSink {
        let bar = if io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(len);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}",
            ) {
                bar.set_style(style);
            }
            bar
        } else {
            indicatif::ProgressBar::hidden()
        };
        ImportSink {
            file: sanitize_inline(&file.display().to_string()).into_owned(),
            bar,
        }
    }
}

impl crate::import::Sink for ImportSink {
    fn progress(&mut self, bytes: u64) {
        self.bar.set_position(bytes);
    }

    fn notice(&mut self, n: crate::import::Notice) {
        let level = match n.level {
            crate::import::Level::Info => "note: ",
            crate::import::Level::Warning => "warning: ",
            crate::import::Level::Error => "",
        };
        // Messages quote the input file: never let a control character through.
        let col = n.col.map(|c| format!(":{c}")).unwrap_or_default();
        let line = format!(
            "{}:{}{col}: {level}{}",
            self.file,
            n.line,
            sanitize_inline(&n.message)
        );
        self.bar.suspend(|| eprintln!("{line}"));
    }
}

/// Opens an import file: its reader and size.
fn open_input(path: &Path) -> Result<(std::fs::File, u64)> {
    let file = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
    let meta = file
        .metadata()
        .with_context(|| format!("{}", path.display()))?;
    if meta.is_dir() {
        bail!("{}: is a directory, not a file to import", path.display());
    }
    Ok((file, meta.len()))
}

/// Prints an import's summary; exit 1 when a record was rejected.
fn import_done(sink: ImportSink, summary: crate::import::Summary) -> Result<ExitCode> {
    sink.bar.finish_and_clear();
    println!("{}: {summary}", sink.file);
    Ok(if summary.rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn import_articles(args: &ImportArticlesArgs) -> Result<ExitCode> {
    use crate::import::articles;
    let format = match args.format {
        Some(InputFormat::Jsonl) => Format::Jsonl,
        Some(InputFormat::Csv) => Format::Csv,
        None => Format::of_path(&args.file).with_context(|| {
            format!(
                "{}: cannot tell the format from the extension (.jsonl, .ndjson, .csv): give --format jsonl|csv",
                args.file.display()
            )
        })?,
    };
    if args.articles.exists() && !args.articles.is_dir() {
        bail!("{}: not a folder (--articles DIR)", args.articles.display());
    }
    let (file, len) = open_input(&args.file)?;
    let store = Store::new(&args.articles, "annotations");
    let columns = articles::Columns {
        id: args.id_field.clone(),
        text: args.text_field.clone(),
        title: args.title_field.clone(),
        url: args.url_field.clone(),
        date: args.date_field.clone(),
        outlet: args.outlet_field.clone(),
    };
    let mut sink = ImportSink::new(&args.file, len);
    let summary = articles::import(
        &args.file, file, format, &store, &columns, args.force, &mut sink,
    )?;
    import_done(sink, summary)
}

fn import_extracted(args: &ImportExtractedArgs) -> Result<ExitCode> {
    use crate::import::extracted;
    if Format::of_path(&args.file) == Some(Format::Csv) {
        bail!(
            "{}: extracted fields are imported from JSONL (one JSON object per line); CSV cannot hold lists and records",
            args.file.display()
        );
    }
    let (store, schema) = match annotations(&args.corpus)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let (file, len) = open_input(&args.file)?;
    let options = extracted::Options {
        id_field: args.id_field.clone(),
        extractor: args.extractor.clone(),
        force: args.force,
    };
    let mut sink = ImportSink::new(&args.file, len);
    let summary = extracted::import(&args.file, file, &store, &schema, &options, &mut sink)?;
    import_done(sink, summary)
}

fn index(args: &IndexArgs) -> Result<ExitCode> {
    use crate::index::build;
    args.corpus.store()?;
    let (store, schema) = match annotations(&args.corpus)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    if args.rebuild {
        crate::index::delete(&store)?;
    }
    let index = Index::open(&store, &schema)?;
    let units = build::units(&store)?;
    let bar = progress_bar(units.units.len(), 0, "files");
    let progress = |n: usize| bar.set_position(n as u64);
    if args.check {
        let c = build::compare(&index, &store, &schema, &units, &progress);
        bar.finish_and_clear();
        for d in &c.differences {
            println!("{}", sanitize_inline(d));
        }
        eprintln!(
            "{}: {} entries equal a full read, {} differ, {} files not indexed yet (they are read)",
            index.path().display(),
            c.same,
            c.differences.len(),
            c.unknown
        );
        return Ok(if c.differences.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let started = std::time::Instant::now();
    build::update(
        &Reader::new(&store, Some(&index)),
        &schema,
        &units,
        &progress,
    );
    bar.finish_and_clear();
    // The review screen's article list and search rows.
    bar.set_length(0);
    bar.reset();
    let searched = crate::index::articles::refresh(&index, &store, &schema, &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    let pruned = build::prune(&index, &store);
    if index.is_broken() {
        bail!(
            "{}: SQLite failed while updating the index; it is deleted and will be built again",
            index.path().display()
        );
    }
    let searched = searched.with_context(|| {
        format!(
            "{}: cannot update the article list and search",
            index.path().display()
        )
    })?;
    let (entries, bytes) = index.size();
    let (_, rows) = crate::index::articles::counts(&index).unwrap_or_default();
    eprintln!(
        "{}: {} files, {entries} entries ({pruned} of gone files removed), {} articles ({} read, {} removed) in {rows} search rows, {:.1} MiB, in {:.1} s",
        index.path().display(),
        units.units.len(),
        searched.ids.len(),
        searched.read,
        searched.removed,
        bytes as f64 / (1024.0 * 1024.0),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn status(args: &StatusArgs, ix: IndexChoice) -> Result<ExitCode> {
    args.corpus.store()?;
    let (store, schema) = match annotations(&args.corpus)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let index = ix.open(&store, &schema);
    let s = crate::status::status(&Reader::new(&store, index.as_ref()), &schema)?;
    print_result(
        args.format,
        || crate::status::table(&s),
        || crate::status::json(&s),
    )
}

fn twins(args: &StatusArgs, ix: IndexChoice) -> Result<ExitCode> {
    let store = args.corpus.store()?;
    let schema = match annotations(&args.corpus)? {
        Ok((_, schema)) => schema,
        Err(code) => return Ok(code),
    };
    let index = ix.open(&store, &schema);
    let reader = Reader::new(&store, index.as_ref());
    let ids = store.list_articles()?;
    let found = crate::twins::find(&reader, &schema, &ids);
    for problem in &found.problems {
        eprintln!("{problem}");
    }
    let code = print_result(
        args.format,
        || crate::twins::table(&found),
        || crate::twins::json(&found),
    )?;
    if found.problems.is_empty() {
        Ok(code)
    } else {
        eprintln!(
            "tadqiq: {} article{} could not be read and {} left out",
            found.problems.len(),
            if found.problems.len() == 1 { "" } else { "s" },
            if found.problems.len() == 1 {
                "was"
            } else {
                "were"
            }
        );
        Ok(ExitCode::from(1))
    }
}
