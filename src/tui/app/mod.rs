//! The review screen's state and everything that changes it: `App::update(action)`.
//!
//! No drawing and no terminal here (views read the state; the event loop turns keys into
//! actions), so the whole review workflow — navigation, verdicts, saving, quitting with
//! unsaved changes, recovery — is tested without a screen.

mod adjudicate;
pub mod clock;
mod corpus;
mod editing;
mod search;
mod selection;
mod table;
mod twins;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;
use std::sync::mpsc::Receiver;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};

use super::edit::{Checklist, Items, LineEdit, Picker};
use super::indexing::{self, IndexUse, Refreshed};
use super::keymap::{self, Action, Context};
use super::scan::{self, ScanEvent};
use super::theme::Theme;
use crate::model::review::Review;
use crate::model::{Article, FieldDef, Gold, Schema, Status};

use crate::store::{AnalystLock, Fingerprint, LoadError, LockError, SaveError, Store, recovery};
use crate::text::layout::LayoutCache;
use crate::text::{BidiMode, DirectionPolicy, Layout, LayoutOptions};
pub use adjudicate::{Adjudication, EXTRACTOR};
pub use search::{Hit, Place, Search, places};
pub use table::{QueueState, TABLE_FIRST};
pub use twins::{Suggestion, TwinState};

pub use crate::model::summary::StatusFilter as Filter;
use crate::model::summary::{Queue, Sort};

/// Where the article pane sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// On the right, as an Arabic reader scans (the default).
    Right,
    /// On the left.
    Left,
}

/// What the review screen is opened on.
#[derive(Clone, Debug)]
pub struct Config {
    /// The corpus.
    pub store: Store,
    /// Who is reviewing.
    pub analyst: String,
    /// Where the article pane is.
    pub article_side: Side,
    /// Arabic shaping.
    pub shape: bool,
    /// Who reorders right-to-left text.
    pub bidi: BidiMode,
    /// Colours or not.
    pub theme: Theme,
    /// Whether the article list and the search come from the corpus index.
    pub index: IndexUse,
    /// The keys: the defaults, or with the analyst's keymap file applied.
    pub keymap: Arc<keymap::Keymap>,
    /// The review queue to follow from the start (`--queue`), if any.
    pub queue: Option<Queue>,
}

/// Which pane has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// The fields panel.
    Fields,
    /// The article pane.
    Article,
}

/// The article table overlay.
#[derive(Clone, Debug)]
pub struct ListState {
    /// Which articles, by status.
    pub filter: Filter,
    /// What is typed: a text (id, headline, outlet; folded), `outlet:`, `from:`, `to:`,
    /// `date:FROM..TO`.
    pub query: String,
    /// The sort column and direction.
    pub sort: Sort,
    /// Only articles with a field below `low_confidence`.
    pub low_only: bool,
    /// Only articles analysts disagree on.
    pub disagreements_only: bool,
    /// The rows are this queue's, in its order (filtered as the table is).
    pub queue: Option<Queue>,
    /// Indices into `App::ids` of the articles shown.
    pub shown: Vec<usize>,
    /// The selected entry of `shown`.
    pub selected: usize,
}

/// Something drawn over the main screen, which takes the keys while it is open.
#[derive(Clone, Debug)]
pub enum Overlay {
    /// The keys.
    Help {
        /// First line shown.
        scroll: usize,
    },
    /// The focused field, whole.
    Detail {
        /// First line shown.
        scroll: usize,
    },
    /// The article list.
    List(ListState),
    /// Quitting with unsaved changes: save, keep them for recovery, discard or cancel.
    Quit,
    /// The open gold file (or the unsaved edits restored for it) says it is another
    /// analyst's review or another article's: adopt it as this analyst's review of this
    /// article, or leave it unchanged.
    NotItsPlace {
        /// What disagrees.
        problem: String,
    },
    /// Unsaved edits from an earlier session: restore or discard.
    Recovery {
        /// The articles they belong to.
        ids: Vec<String>,
    },
    /// Choosing the value of a choice field.
    Picker(Picker),
    /// Ticking the values of a multi_choice field.
    Checklist(Checklist),
    /// The items of a list or the records of a record_list field.
    Items(Items),
    /// The corpus's agreement: alpha per field, kappa per pair of analysts.
    Overview(Box<crate::agree::Agreement>),
}

/// A long text to edit in `$EDITOR`: the event loop gives the terminal to the editor and
/// hands the result back with [`App::finish_external_edit`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalEdit {
    /// The field.
    pub field: String,
    /// Its text now.
    pub text: String,
}

/// The changes to one article that can be undone and redone: whole documents, since a gold
/// document is small and a snapshot cannot go wrong the way inverse operations can.
#[derive(Clone, Debug, Default)]
struct History {
    undo: Vec<Gold>,
    redo: Vec<Gold>,
}

/// At most this many steps back per article.
const HISTORY: usize = 500;

/// How a message in the status bar is meant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Done as asked.
    Info,
    /// Not done, or something is wrong.
    Error,
}

/// What is known of an article's review, for counts and the list's filters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Info {
    /// The gold file's status; `None`: not reviewed.
    pub status: Option<Status>,
    /// Whether the article changed since (`None`: not known yet).
    pub stale: Option<bool>,
}

/// The open article.
#[derive(Clone, Debug)]
pub struct Current {
    /// The review in progress.
    pub review: Review,
    /// The gold file as last read or saved.
    pub saved: Gold,
    /// Its fingerprint then.
    pub fingerprint: Fingerprint,
    /// Why this article cannot be changed (its gold file is broken), if so.
    pub blocked: Option<String>,
    /// The document's `analyst:` or `article:` disagrees with where it was read from (a copy
    /// of a colleague's review, say): it is shown unchanged until the analyst adopts it.
    pub not_its_place: Option<String>,
    /// Bumped whenever the article text is (re)read, so layouts are not reused across versions.
    pub generation: u64,
    /// The url, outlet and date the pipeline gave with the article, if any.
    pub meta: Option<crate::model::ArticleMeta>,
}

impl Current {
    /// Whether there are changes not saved yet.
    pub fn dirty(&self) -> bool {
        self.review.gold != self.saved
    }
}

/// The review screen's whole state.
pub struct App {
    /// The corpus.
    pub store: Store,
    /// The fields.
    pub schema: Schema,
    /// Who is reviewing.
    pub analyst: String,
    /// Where the article pane is.
    pub article_side: Side,
    /// Layout options of the article (the width is the pane's).
    pub text: LayoutOptions,
    /// Styles.
    pub theme: Theme,
    /// The article ids, sorted.
    pub ids: Vec<String>,
    /// The open article's index in `ids`.
    pub index: usize,
    /// The open article.
    pub current: Current,
    /// Which pane has the keys.
    pub focus: Focus,
    /// The focused field's index in the schema.
    pub field: usize,
    /// The article pane's first row.
    pub scroll: usize,
    /// Scroll the focused field's evidence into view at the next draw.
    pub follow_evidence: bool,
    /// The overlay, if one is open.
    pub overlay: Option<Overlay>,
    /// The status bar's message.
    pub message: Option<(String, Level)>,
    /// Why the whole session is read-only (another instance holds the analyst's lock).
    pub read_only: Option<String>,
    /// What is known of each article's review.
    pub info: HashMap<String, Info>,
    /// Set when the app should exit.
    pub quit: bool,
    /// Rows the article pane showed at the last draw (for paging).
    pub article_height: usize,
    /// Entries the list showed at the last draw (for paging).
    pub list_height: usize,
    /// Layouts of article texts, by (id, generation) and options.
    pub layouts: RefCell<LayoutCache<(String, u64)>>,
    /// The inline editor on the focused field, if open.
    pub editing: Option<LineEdit>,
    /// The search being typed after `/`.
    pub prompt: Option<LineEdit>,
    /// The active search.
    pub search: Option<Search>,
    /// Articles a search reads at most per key press (the search module's `SEARCH_BUDGET`; a
    /// field so that tests can make it small).
    pub search_budget: usize,
    /// The article pane's word cursor: the word's char range.
    pub word: Option<Range<u32>>,
    /// Where the selection started (a word), if one is being made.
    pub anchor: Option<Range<u32>>,
    /// Scroll the word cursor or the search hit into view at the next draw.
    pub follow_word: bool,
    /// A long text waiting to be edited in `$EDITOR`.
    pub external: Option<ExternalEdit>,
    /// Width of the box the open line editor was last drawn in (for moving visually).
    pub editor_width: u16,
    /// Width of the article pane at the last draw.
    pub article_width: u16,
    /// The adjudication in progress (`c`), if any.
    pub adjudication: Option<Adjudication>,
    /// The corpus's twins and the suggestions offered from them (`T`).
    pub twins: TwinState,
    /// The review queue followed by `n`, `p`, `d` and `s`, if any.
    pub queue: Option<QueueState>,
    /// A queue chosen on the command line, waiting for the summaries to be known.
    pending_queue: Option<Queue>,
    summaries: table::Summaries,
    words: Option<Vec<Range<u32>>>,
    history: HashMap<String, History>,
    recovered: HashSet<String>,
    scan: Option<Receiver<ScanEvent>>,
    scanned_locally: HashSet<String>,
    /// The corpus index, when used (and until it fails).
    corpus_index: Option<Arc<crate::index::Index>>,
    /// The freshness pass of the index, while it runs.
    indexing: Option<Receiver<Refreshed>>,
    /// Starts the freshness pass, at the first tick (after the first frame).
    start_indexing: Option<std::sync::mpsc::Sender<()>>,
    /// Whether the index has an article list (from an earlier pass or this session's): only
    /// then does a search ask it.
    index_listed: bool,
    /// Articles saved while the freshness pass ran: read into the index again after it, which
    /// may have read them before the save.
    saved_while_indexing: HashSet<String>,
    generation: u64,
    /// The keys.
    pub keymap: Arc<keymap::Keymap>,
    /// Where the time comes from (a test moves it by hand).
    pub clock: clock::Clock,
    /// Active review time not saved yet.
    active: clock::ActiveTime,
    _lock: Option<AnalystLock>,
}

/// What can stop the review screen from opening at all.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The schema is missing or broken.
    #[error("{0}")]
    Schema(LoadError),
    /// The articles folder cannot be listed.
    #[error("{0}")]
    Listing(std::io::Error),
    /// There is nothing to review.
    #[error("{0}: no articles (*.txt)")]
    Empty(String),
}

impl App {
    /// Opens the review on the first article (ids sorted), fields panel focused on the first
    /// field. Takes the analyst's lock, or opens read-only if another instance has it.
    pub fn new(config: Config) -> Result<App, OpenError> {
        let schema = config.store.load_schema().map_err(OpenError::Schema)?.value;
        // With an index that has a list, the first frame does not list the articles folder:
        // the freshness pass sends the list as it is now.
        let corpus_index = indexing::open(&config.index, &config.store, &schema);
        let listed = corpus_index
            .as_deref()
            .and_then(crate::index::articles::ids);
        let index_listed = listed.is_some();
        let ids = match listed {
            Some(ids) => ids,
            None => config.store.list_articles().map_err(OpenError::Listing)?,
        };
        let (start_indexing, indexing) = corpus_index
            .clone()
            .map(|i| indexing::spawn(i, config.store.clone(), schema.clone()))
            .unzip();
        if ids.is_empty() {
            return Err(OpenError::Empty(
                config.store.articles_dir().display().to_string(),
            ));
        }
        let (lock, read_only) = match config.store.lock_analyst(&config.analyst) {
            Ok(lock) => (Some(lock), None),
            Err(e @ LockError::Busy { .. }) => (None, Some(format!("read-only: {e}"))),
            Err(e) => (
                None,
                Some(format!("read-only: cannot take the analyst's lock: {e}")),
            ),
        };
        let text = LayoutOptions {
            width: 80,
            shape: config.shape,
            direction: DirectionPolicy::Auto,
            bidi: config.bidi,
        };
        let recovered = if read_only.is_none() {
            recovery::list(&config.store, &config.analyst)
        } else {
            Vec::new()
        };
        let scan = scan::spawn(
            config.store.clone(),
            config.analyst.clone(),
            schema.clone(),
            corpus_index.clone(),
        );
        let (start_twins, twins) =
            super::twins::spawn(config.store.clone(), schema.clone(), corpus_index.clone());
        let placeholder = Current {
            review: Review::new(Article::from_bytes("", b""), None, None, &config.analyst),
            saved: Gold::new("", &config.analyst),
            fingerprint: Fingerprint::ABSENT,
            blocked: None,
            not_its_place: None,
            generation: 0,
            meta: None,
        };
        let mut app = App {
            store: config.store,
            schema,
            analyst: config.analyst,
            article_side: config.article_side,
            text,
            theme: config.theme,
            ids,
            index: 0,
            current: placeholder,
            focus: Focus::Fields,
            field: 0,
            scroll: 0,
            follow_evidence: true,
            overlay: None,
            message: None,
            read_only,
            info: HashMap::new(),
            quit: false,
            article_height: 20,
            list_height: 10,
            layouts: RefCell::new(LayoutCache::new(8)),
            editing: None,
            prompt: None,
            search: None,
            search_budget: search::SEARCH_BUDGET,
            word: None,
            anchor: None,
            follow_word: false,
            external: None,
            editor_width: 40,
            article_width: 80,
            adjudication: None,
            twins: TwinState::new(start_twins, twins),
            queue: None,
            pending_queue: config.queue,
            summaries: table::Summaries::default(),
            words: None,
            history: HashMap::new(),
            recovered: HashSet::new(),
            scan: Some(scan),
            scanned_locally: HashSet::new(),
            corpus_index,
            indexing,
            start_indexing,
            index_listed,
            saved_while_indexing: HashSet::new(),
            generation: 0,
            keymap: config.keymap,
            clock: clock::Clock::default(),
            active: clock::ActiveTime::new(),
            _lock: lock,
        };
        app.open(0);
        if app.pending_queue.is_none() && app.ids.len() > TABLE_FIRST {
            app.open_list();
        }
        if !recovered.is_empty() {
            app.overlay = Some(Overlay::Recovery { ids: recovered });
        }
        Ok(app)
    }

    /// Times the review with `clock` from now on (tests move a manual clock by hand).
    pub fn use_clock(&mut self, clock: clock::Clock) {
        self.clock = clock;
        let id = self.id().to_string();
        self.active = clock::ActiveTime::new();
        self.active.open(&id, self.clock.now());
    }

    /// The open article's active review time: what its gold file says plus what this session
    /// has not saved yet.
    pub fn review_time(&self) -> std::time::Duration {
        let saved = self.current.saved.review_seconds.unwrap_or(0);
        std::time::Duration::from_secs(saved) + self.active.pending(self.id(), self.clock.now())
    }

    /// The focused field's definition.
    pub fn field_def(&self) -> &FieldDef {
        &self.schema.fields[self.field.min(self.schema.fields.len() - 1)]
    }

    /// The open article's id.
    pub fn id(&self) -> &str {
        &self.ids[self.index]
    }

    /// Why changes are refused now, if they are.
    pub fn blocked(&self) -> Option<&str> {
        self.read_only
            .as_deref()
            .or(self.current.blocked.as_deref())
            .or(self.current.not_its_place.as_deref())
    }

    /// Whether changes are refused now; if so, says why, or asks again whether to adopt a
    /// gold file that is not in its place.
    fn refuse_change(&mut self) -> bool {
        let Some(why) = self.blocked() else {
            return false;
        };
        match &self.current.not_its_place {
            Some(problem) if self.read_only.is_none() && self.current.blocked.is_none() => {
                self.overlay = Some(Overlay::NotItsPlace {
                    problem: problem.clone(),
                });
            }
            _ => {
                let why = why.to_string();
                self.say(why, Level::Error);
            }
        }
        true
    }

    /// Makes the open document this analyst's review of this article (after
    /// [`Overlay::NotItsPlace`]): its `analyst:` and `article:` rewritten, saved by Ctrl-S.
    fn adopt(&mut self) {
        let id = self.id().to_string();
        let gold = &mut self.current.review.gold;
        gold.article.clone_from(&id);
        gold.analyst.clone_from(&self.analyst);
        self.current.not_its_place = None;
        self.overlay = None;
        self.say(
            format!(
                "adopted as {}'s review of {}: Ctrl-S saves it",
                self.analyst, id
            ),
            Level::Info,
        );
        self.keep_for_recovery();
    }

    /// Checks that the open document is this analyst's review of this article; if not, shows
    /// it with the problem and asks.
    fn check_its_place(&mut self) {
        let problem = crate::store::identity_problem(
            &self.current.review.gold,
            &self.analyst,
            &self.ids[self.index],
        );
        if let Some(problem) = &problem {
            self.say(
                format!("{problem}: shown unchanged until you adopt it"),
                Level::Error,
            );
            if self.current.blocked.is_none() && self.read_only.is_none() {
                self.overlay = Some(Overlay::NotItsPlace {
                    problem: problem.clone(),
                });
            }
        }
        self.current.not_its_place = problem;
    }

    /// How many articles are done, in progress and skipped (as far as known).
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for i in self.info.values() {
            match i.status {
                Some(Status::Done) => c.0 += 1,
                Some(Status::InProgress) => c.1 += 1,
                Some(Status::Skipped) => c.2 += 1,
                None => {}
            }
        }
        c
    }

    /// Whether the background scan of review statuses is still running.
    pub fn scanning(&self) -> bool {
        self.scan.is_some()
            || self.indexing.is_some()
            || self.summaries.reading.is_some()
            || self.pending_queue.is_some()
    }

    /// The article's layout at `width`, from the cache.
    pub fn article_layout(&self, width: u16) -> std::sync::Arc<Layout> {
        let options = LayoutOptions {
            width: width.max(1),
            ..self.text
        };
        let key = (
            self.current.review.article.id.clone(),
            self.current.generation,
        );
        self.layouts
            .borrow_mut()
            .get(&key, options, &self.current.review.article.text)
    }

    fn say(&mut self, text: impl Into<String>, level: Level) {
        self.message = Some((text.into(), level));
    }

    /// Opens article `index`, discarding the open one (callers save it first).
    fn open(&mut self, index: usize) {
        let index = index.min(self.ids.len() - 1);
        let id = self.ids[index].clone();
        self.active.open(&id, self.clock.now());
        self.index = index;
        self.scroll = 0;
        self.follow_evidence = true;
        self.generation += 1;
        self.editing = None;
        self.word = None;
        self.anchor = None;
        self.words = None;
        self.twins.suggestions.clear();
        let mut blocked = None;
        let mut notes: Vec<String> = Vec::new();
        let article = match self.store.read_article(&id) {
            Ok(a) => {
                if let Some(w) = &a.decode_warning {
                    notes.push(format!("{id}: {w}"));
                }
                a
            }
            Err(e) => {
                blocked = Some(format!("cannot read the article: {e}"));
                Article::from_bytes(&id, b"")
            }
        };
        let extracted = match self.store.load_extracted(&id, &self.schema) {
            Ok(e) => e.map(|l| l.value),
            Err(e) => {
                notes.push(format!(
                    "extracted file not used: {}",
                    first_line(&e.to_string())
                ));
                None
            }
        };
        let (gold, fingerprint) = match self.store.load_gold(&self.analyst, &id, &self.schema) {
            Ok(Some(l)) => (Some(l.value), l.fingerprint),
            Ok(None) => (None, Fingerprint::ABSENT),
            Err(e) => {
                blocked = Some(format!(
                    "fix the gold file first: {}",
                    first_line(&e.to_string())
                ));
                (
                    None,
                    self.store
                        .gold_fingerprint(&self.analyst, &id)
                        .unwrap_or_default(),
                )
            }
        };
        let review = Review::new(article, extracted, gold, &self.analyst);
        self.current = Current {
            saved: review.gold.clone(),
            review,
            fingerprint,
            blocked,
            not_its_place: None,
            generation: self.generation,
            meta: self.store.read_article_meta(&id),
        };
        self.message = if let Some(b) = &self.current.blocked {
            Some((b.clone(), Level::Error))
        } else {
            notes.pop().map(|n| (n, Level::Error))
        };
        // After the message above, so that what it says about the restored edits is seen.
        if self.recovered.remove(&id) {
            self.restore_recovered(&id);
        }
        self.check_its_place();
        self.load_reviews();
        self.follow_queue();
    }

    fn restore_recovered(&mut self, id: &str) {
        match recovery::load(&self.store, &self.analyst, id, &self.schema) {
            Ok(r) => {
                self.current.review.gold = r.gold;
                if r.base_unchanged {
                    self.say(
                        format!("restored the unsaved edits of {id}: Ctrl-S saves them"),
                        Level::Info,
                    );
                } else {
                    self.say(
                        format!("restored the unsaved edits of {id}, made over an older version of its gold file: Ctrl-S replaces the newer one"),
                        Level::Error,
                    );
                }
            }
            Err(e) => self.say(
                format!("could not restore {id}: {}", first_line(&e.to_string())),
                Level::Error,
            ),
        }
    }

    /// Saves the open article if it has unsaved changes. On failure nothing moves and the
    /// edits stay (in memory and in the recovery file).
    pub fn save(&mut self) -> Result<bool, String> {
        if !self.current.dirty() {
            return Ok(false);
        }
        if let Some(b) = self.blocked() {
            return Err(b.to_string());
        }
        let now = jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .unwrap_or_else(|_| jiff::Timestamp::now());
        let mut review = self.current.review.clone();
        let id = self.id().to_string();
        let seconds = self.active.take_seconds(&id, self.clock.now());
        review.stamp(&now.to_string(), seconds);
        let saved =
            self.store
                .save_gold(&self.analyst, &id, &review.gold, self.current.fingerprint);
        if saved.is_err() {
            self.active.give_back(&id, seconds);
        }
        match saved {
            Ok(f) => {
                self.current.review = review;
                self.current.saved = self.current.review.gold.clone();
                self.current.fingerprint = f;
                let _ = recovery::remove(&self.store, &self.analyst, &id);
                self.info.insert(
                    id.clone(),
                    Info {
                        status: Some(self.current.saved.status),
                        stale: Some(false),
                    },
                );
                self.reindex(&id);
                self.summarize_saved(&id);
                self.scanned_locally.insert(id);
                Ok(true)
            }
            Err(e @ SaveError::Conflict { .. }) => Err(format!(
                "{e}; your edits are kept in {}",
                recovery::path(&self.store, &self.analyst, self.id()).display()
            )),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Keeps unsaved edits in the recovery file, or removes it when there are none.
    fn keep_for_recovery(&mut self) {
        if self.current.blocked.is_some() || self.read_only.is_some() {
            return;
        }
        let id = self.id().to_string();
        let result = if self.current.dirty() {
            recovery::write(
                &self.store,
                &self.analyst,
                &id,
                &self.current.review.gold,
                self.current.fingerprint,
            )
        } else {
            recovery::remove(&self.store, &self.analyst, &id)
        };
        if let Err(e) = result {
            self.say(
                format!("cannot keep unsaved edits for recovery: {e}"),
                Level::Error,
            );
        }
    }

    /// Saves the open article, then opens article `index`; stays if the save fails.
    fn go(&mut self, index: usize) {
        if index == self.index || index >= self.ids.len() {
            return;
        }
        match self.save() {
            Ok(_) => self.open(index),
            Err(e) => self.say(format!("not moved: {e}"), Level::Error),
        }
    }

    /// Changes the review through `f`, unless changes are refused.
    fn change(&mut self, f: impl FnOnce(&mut Review, &Schema) -> Option<String>) {
        if self.refuse_change() {
            return;
        }
        let before = self.current.review.gold.clone();
        let note = f(&mut self.current.review, &self.schema);
        self.message = note.map(|n| (n, Level::Info));
        self.update_sources();
        self.remember(before);
        self.keep_for_recovery();
    }

    /// Records `before` as an undo step if the document changed since.
    fn remember(&mut self, before: Gold) {
        if before == self.current.review.gold {
            return;
        }
        let h = self.history.entry(self.id().to_string()).or_default();
        h.undo.push(before);
        if h.undo.len() > HISTORY {
            h.undo.remove(0);
        }
        h.redo.clear();
    }

    /// Undoes (or redoes) the last change to this article, saved or not.
    fn undo(&mut self, redo: bool) {
        if self.refuse_change() {
            return;
        }
        let id = self.id().to_string();
        let h = self.history.entry(id).or_default();
        let (from, to) = if redo {
            (&mut h.redo, &mut h.undo)
        } else {
            (&mut h.undo, &mut h.redo)
        };
        let Some(mut gold) = from.pop() else {
            self.say(
                if redo {
                    "nothing to redo"
                } else {
                    "nothing to undo"
                },
                Level::Info,
            );
            return;
        };
        let left = from.len();
        // The document keeps the save stamp of the file on disk, so that undoing to what was
        // saved is not a change.
        gold.reviewed_at.clone_from(&self.current.saved.reviewed_at);
        gold.review_seconds = self.current.saved.review_seconds;
        gold.article_sha256
            .clone_from(&self.current.saved.article_sha256);
        let now = std::mem::replace(&mut self.current.review.gold, gold);
        to.push(now);
        self.say(
            format!("{} ({left} more)", if redo { "redone" } else { "undone" }),
            Level::Info,
        );
        self.keep_for_recovery();
    }

    /// Does what an action asks.
    pub fn update(&mut self, action: Action) {
        let last_field = self.schema.fields.len() - 1;
        match action {
            Action::NextField => {
                self.field = (self.field + 1).min(last_field);
                self.follow_evidence = true;
            }
            Action::PrevField => {
                self.field = self.field.saturating_sub(1);
                self.follow_evidence = true;
            }
            Action::SwitchPane => {
                self.focus = match self.focus {
                    Focus::Fields => Focus::Article,
                    Focus::Article => Focus::Fields,
                }
            }
            Action::NextArticle | Action::PrevArticle => {
                match self.step(action == Action::NextArticle) {
                    Ok(i) => self.go(i),
                    Err(why) => self.say(why, Level::Info),
                }
            }
            // With a word cursor in the article, the scrolling keys move it instead (the view
            // follows), so that a long selection is made a row or a page at a time.
            Action::ScrollDown if self.word.is_some() => self.move_word_rows(1),
            Action::ScrollUp if self.word.is_some() => self.move_word_rows(-1),
            Action::PageDown if self.word.is_some() => {
                self.move_word_rows(self.article_height.saturating_sub(2).max(1) as isize)
            }
            Action::PageUp if self.word.is_some() => {
                self.move_word_rows(-(self.article_height.saturating_sub(2).max(1) as isize))
            }
            Action::ScrollDown => self.scroll += 1,
            Action::ScrollUp => self.scroll = self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll += self.article_height.saturating_sub(2).max(1),
            Action::PageUp => {
                self.scroll = self
                    .scroll
                    .saturating_sub(self.article_height.saturating_sub(2).max(1))
            }
            Action::Top => self.scroll = 0,
            Action::Bottom => self.scroll = usize::MAX / 2,
            Action::Confirm if self.keep_suggestion() => self.advance_field(),
            Action::Confirm => {
                let name = self.field_def().name.clone();
                self.change(|r, s| {
                    r.confirm(s, &name);
                    None
                });
                self.advance_field();
            }
            Action::Reject => {
                let name = self.field_def().name.clone();
                self.change(|r, s| {
                    r.reject(s, &name);
                    None
                });
                self.advance_field();
            }
            Action::ConfirmAll => self.change(|r, s| {
                let n = r.confirm_unreviewed(s);
                Some(format!(
                    "confirmed {n} field{} as extracted",
                    if n == 1 { "" } else { "s" }
                ))
            }),
            Action::MarkDone => self.mark(Status::Done),
            Action::Skip => self.mark(Status::Skipped),
            Action::Detail => self.overlay = Some(Overlay::Detail { scroll: 0 }),
            Action::OpenList => self.open_list(),
            Action::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::Save => match self.save() {
                Ok(true) => {
                    let path = self.store.gold_path(&self.analyst, self.id());
                    self.say(format!("saved {}", path.display()), Level::Info);
                }
                Ok(false) => self.say("nothing to save", Level::Info),
                Err(e) => self.say(format!("not saved: {e}"), Level::Error),
            },
            Action::Quit => {
                if self.current.dirty() && self.blocked().is_none() {
                    self.overlay = Some(Overlay::Quit);
                } else {
                    self.quit = true;
                }
            }
            Action::ListDown
            | Action::ListUp
            | Action::ListPageDown
            | Action::ListPageUp
            | Action::ListFilter
            | Action::ListSort
            | Action::ListReverse
            | Action::ListLowOnly
            | Action::ListDisagreementsOnly
            | Action::ListQueue
            | Action::ListOpen
            | Action::ListBackspace => self.update_list(action),
            Action::Close => self.overlay = None,
            Action::Compare => self.toggle_adjudication(),
            Action::Export => self.export(),
            Action::AcceptMajority => self.accept_majority(),
            Action::Overview => self.open_overview(),
            Action::Reason => {
                if !self.refuse_change() {
                    let def = self.field_def().name.clone();
                    let note = self
                        .current
                        .review
                        .field(&def)
                        .review
                        .and_then(|r| r.note.clone())
                        .unwrap_or_default();
                    let mut edit = LineEdit::new(&note, false);
                    edit.note = true;
                    self.editing = Some(edit);
                }
            }
            // Needs the digit: handled with the key.
            Action::Pick => {}
            Action::NextTwin => self.next_twin(),
            Action::OfferTwin => self.offer_twin(),
            Action::Undo => self.undo(false),
            Action::Redo => self.undo(true),
            Action::Edit => self.edit_field(),
            Action::ExternalEdit => self.external_edit(),
            Action::Search => self.prompt = Some(LineEdit::new("", false)),
            Action::NextHit => self.next_hit(true),
            Action::PrevHit => self.next_hit(false),
            Action::EndSearch => {
                self.search = None;
                self.say("search ended", Level::Info);
            }
            Action::NextWord => self.move_word(true),
            Action::PrevWord => self.move_word(false),
            Action::Select => self.toggle_selection(),
            Action::UseSelection => self.use_selection(false),
            Action::CopySelection => self.use_selection(true),
            Action::Unselect => {
                self.anchor = None;
                self.word = None;
            }
            // The keys of editors, pickers and lists are handled where they are open.
            Action::Commit
            | Action::Cancel
            | Action::ClearLine
            | Action::DeleteWordBack
            | Action::Home
            | Action::End
            | Action::Left
            | Action::Right
            | Action::WordLeft
            | Action::WordRight
            | Action::Up
            | Action::Down
            | Action::Backspace
            | Action::Delete
            | Action::Newline
            | Action::Next
            | Action::Prev
            | Action::Toggle
            | Action::AddItem
            | Action::DeleteItem
            | Action::MoveDown
            | Action::MoveUp => {}
        }
    }

    /// Exports the analyst's finished reviews (the adjudicated set while adjudicating) as
    /// JSONL to `<annotations>/exports/<analyst>.jsonl`, saving the open article first.
    fn export(&mut self) {
        if let Err(e) = self.save() {
            self.say(format!("not saved, so not exported: {e}"), Level::Error);
            return;
        }
        let folder = self.store.annotations_dir().join("exports");
        if std::fs::symlink_metadata(&folder).is_ok_and(|m| m.file_type().is_symlink()) {
            self.say(
                format!(
                    "not exported: {} is a symbolic link; tadqiq does not write through links",
                    folder.display()
                ),
                Level::Error,
            );
            return;
        }
        let path = folder.join(format!("{}.jsonl", self.analyst));
        let options = crate::export::ExportOptions {
            analysts: vec![self.analyst.clone()],
            ..Default::default()
        };
        match crate::export::export_to_file(
            &crate::index::Reader::files(&self.store),
            &self.schema,
            &options,
            &path,
        ) {
            Ok(s) => self.say(
                format!(
                    "exported {} finished review{} to {}",
                    s.exported,
                    if s.exported == 1 { "" } else { "s" },
                    path.display()
                ),
                Level::Info,
            ),
            Err(crate::export::ExportError::Invalid(d)) => self.say(
                format!(
                    "not exported: {} (tadqiq check lists every problem)",
                    d.first().map(ToString::to_string).unwrap_or_default()
                ),
                Level::Error,
            ),
            Err(e) => self.say(format!("not exported: {e}"), Level::Error),
        }
    }

    /// After a verdict, the next field, so a run of confirmations is a run of `a`.
    fn advance_field(&mut self) {
        if self.blocked().is_none() && self.field + 1 < self.schema.fields.len() {
            self.field += 1;
            self.follow_evidence = true;
        }
    }

    fn mark(&mut self, status: Status) {
        if self.refuse_change() {
            return;
        }
        let mut review = self.current.review.clone();
        match status {
            Status::Done => {
                if let Err(missing) = review.mark_done(&self.schema) {
                    self.say(
                        format!(
                            "not done: required fields not reviewed: {} (A confirms them as extracted)",
                            missing.join(", ")
                        ),
                        Level::Error,
                    );
                    return;
                }
            }
            _ => review.skip(),
        }
        let before = std::mem::replace(&mut self.current.review, review).gold;
        self.remember(before);
        self.keep_for_recovery();
        match self.save() {
            Ok(_) => match self.step(true) {
                Ok(next) => {
                    let id = self.id().to_string();
                    self.open(next);
                    if self.message.is_none() {
                        self.say(format!("{id}: {status}"), Level::Info);
                    }
                }
                Err(why) => self.say(
                    format!(
                        "{status}; {} (g: the table)",
                        why.replace("this is", "that was")
                    ),
                    Level::Info,
                ),
            },
            Err(e) => self.say(format!("not saved: {e}"), Level::Error),
        }
    }

    fn open_list(&mut self) {
        let mut list = ListState {
            filter: Filter::All,
            query: String::new(),
            sort: Sort::default(),
            low_only: false,
            disagreements_only: false,
            queue: self.queue.as_ref().map(|q| q.queue),
            shown: Vec::new(),
            selected: 0,
        };
        self.refilter(&mut list);
        list.selected = list
            .shown
            .iter()
            .position(|&i| i == self.index)
            .unwrap_or(0);
        self.overlay = Some(Overlay::List(list));
    }

    fn update_list(&mut self, action: Action) {
        let Some(Overlay::List(mut list)) = self.overlay.take() else {
            return;
        };
        let page = self.list_height.max(1);
        let last = list.shown.len().saturating_sub(1);
        match action {
            Action::ListDown => list.selected = (list.selected + 1).min(last),
            Action::ListUp => list.selected = list.selected.saturating_sub(1),
            Action::ListPageDown => list.selected = (list.selected + page).min(last),
            Action::ListPageUp => list.selected = list.selected.saturating_sub(page),
            Action::ListFilter => {
                list.filter = list.filter.next();
                self.refilter(&mut list);
            }
            Action::ListSort => {
                list.sort.column = list.sort.column.next();
                list.sort.reverse = false;
                self.refilter(&mut list);
            }
            Action::ListReverse => {
                list.sort.reverse = !list.sort.reverse;
                self.refilter(&mut list);
            }
            Action::ListLowOnly => {
                list.low_only = !list.low_only;
                self.refilter(&mut list);
            }
            Action::ListDisagreementsOnly => {
                list.disagreements_only = !list.disagreements_only;
                self.refilter(&mut list);
            }
            Action::ListQueue => {
                list.queue = Queue::next(list.queue);
                match list.queue {
                    Some(q) => self.choose_queue(q, false),
                    None => self.queue = None,
                }
                list.selected = 0;
                self.refilter(&mut list);
            }
            Action::ListBackspace => {
                list.query.pop();
                self.refilter(&mut list);
            }
            Action::ListOpen => {
                if let Some(&i) = list.shown.get(list.selected) {
                    self.go(i);
                    return;
                }
            }
            _ => {}
        }
        self.overlay = Some(Overlay::List(list));
    }

    /// Turns a key press into an action for the current context and does it.
    pub fn handle_key(&mut self, key: KeyEvent) {
        self.active.touch(self.clock.now());
        if self.handle_editing_key(&key) {
            return;
        }
        match &mut self.overlay {
            Some(Overlay::Quit) => {
                match key.code {
                    // A refused save leaves the dialog open, so that keeping the edits for
                    // recovery is one key away.
                    KeyCode::Char('s') | KeyCode::Char('S') => match self.save() {
                        Ok(_) => self.quit = true,
                        Err(e) => self.say(format!("not saved: {e}"), Level::Error),
                    },
                    KeyCode::Char('k') | KeyCode::Char('K') => {
                        let id = self.id().to_string();
                        match recovery::write(
                            &self.store,
                            &self.analyst,
                            &id,
                            &self.current.review.gold,
                            self.current.fingerprint,
                        ) {
                            Ok(()) => self.quit = true,
                            Err(e) => self.say(
                                format!("cannot keep the edits for recovery, not quitting: {e}"),
                                Level::Error,
                            ),
                        }
                    }
                    KeyCode::Char('d') | KeyCode::Char('D') => {
                        let id = self.id().to_string();
                        let _ = recovery::remove(&self.store, &self.analyst, &id);
                        self.quit = true;
                    }
                    KeyCode::Esc | KeyCode::Char('c') | KeyCode::Char('C') | KeyCode::Char('q') => {
                        self.overlay = None
                    }
                    _ => {}
                }
                return;
            }
            Some(Overlay::NotItsPlace { .. }) => {
                match key.code {
                    KeyCode::Char('a') | KeyCode::Char('A') => self.adopt(),
                    KeyCode::Esc | KeyCode::Char('l') | KeyCode::Char('L') | KeyCode::Enter => {
                        self.overlay = None;
                        self.say(
                            "left as it is: this article is read-only until you adopt its gold file",
                            Level::Info,
                        );
                    }
                    _ => {}
                }
                return;
            }
            Some(Overlay::Recovery { ids }) => {
                match key.code {
                    KeyCode::Char('r') | KeyCode::Char('R') | KeyCode::Enter => {
                        let ids = std::mem::take(ids);
                        self.overlay = None;
                        self.recovered = ids.iter().cloned().collect();
                        let first = ids
                            .first()
                            .and_then(|id| self.ids.iter().position(|i| i == id));
                        match first {
                            Some(i) if i != self.index => self.open(i),
                            _ => {
                                let id = self.id().to_string();
                                if self.recovered.remove(&id) {
                                    self.restore_recovered(&id);
                                }
                            }
                        }
                        self.keep_for_recovery();
                    }
                    KeyCode::Char('d') | KeyCode::Char('D') => {
                        for id in std::mem::take(ids) {
                            let _ = recovery::remove(&self.store, &self.analyst, &id);
                        }
                        self.overlay = None;
                        self.say(
                            "discarded the unsaved edits of the earlier session",
                            Level::Info,
                        );
                    }
                    _ => {}
                }
                return;
            }
            Some(Overlay::Help { scroll } | Overlay::Detail { scroll }) => {
                match key.code {
                    KeyCode::Char('j') | KeyCode::Down => *scroll += 1,
                    KeyCode::Char('k') | KeyCode::Up => *scroll = scroll.saturating_sub(1),
                    KeyCode::PageDown => *scroll += 10,
                    KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
                    _ => {
                        if let Some(a) = self.keymap.lookup(Context::Overlay, &key) {
                            self.update(a);
                        }
                    }
                }
                return;
            }
            Some(Overlay::List(list)) => {
                if let Some(a) = self.keymap.lookup(Context::List, &key) {
                    self.update(a);
                } else if let KeyCode::Char(c) = key.code
                    && !key.modifiers.contains(KeyModifiers::CONTROL)
                {
                    list.query.push(c);
                    let mut list = list.clone();
                    self.refilter(&mut list);
                    list.selected = 0;
                    self.overlay = Some(Overlay::List(list));
                }
                return;
            }
            Some(Overlay::Picker(_) | Overlay::Checklist(_) | Overlay::Items(_)) => return,
            Some(Overlay::Overview(_)) => {
                if let Some(a) = self.keymap.lookup(Context::Overlay, &key) {
                    self.update(a);
                }
                return;
            }
            None => {}
        }
        if self.adjudication.is_some()
            && self.focus == Focus::Fields
            && let Some(a) = self.keymap.lookup(Context::Compare, &key)
        {
            match a {
                Action::Pick => {
                    if let KeyCode::Char(c) = key.code
                        && let Some(n) = c.to_digit(10)
                    {
                        self.pick(n as usize);
                    }
                }
                Action::NextArticle => self.next_disagreement(true),
                Action::PrevArticle => self.next_disagreement(false),
                a => self.update(a),
            }
            return;
        }
        if self.search.is_some()
            && let Some(a) = self.keymap.lookup(Context::Search, &key)
        {
            self.update(a);
            return;
        }
        let context = match self.focus {
            Focus::Fields => Context::Fields,
            Focus::Article => Context::Article,
        };
        if let Some(a) = self.keymap.lookup(context, &key) {
            self.update(a);
        }
    }

    /// The mouse wheel scrolls the article pane.
    pub fn handle_mouse(&mut self, m: MouseEvent) {
        self.active.touch(self.clock.now());
        if self.overlay.is_some() {
            return;
        }
        match m.kind {
            MouseEventKind::ScrollDown => self.scroll += 3,
            MouseEventKind::ScrollUp => self.scroll = self.scroll.saturating_sub(3),
            _ => {}
        }
    }

    /// Takes in what the background scan found; returns whether anything changed.
    pub fn tick(&mut self) -> bool {
        let indexed = self.tick_index();
        let twins = self.tick_twins();
        let scanned = self.tick_scan();
        self.tick_table() || scanned || indexed || twins
    }

    /// Takes in the review statuses the background scan found; returns whether any came.
    fn tick_scan(&mut self) -> bool {
        let Some(rx) = &self.scan else { return false };
        let mut changed = false;
        loop {
            match rx.try_recv() {
                Ok(ScanEvent::Status { id, status }) => {
                    if !self.scanned_locally.contains(&id) {
                        self.info.entry(id).or_default().status = Some(status);
                        changed = true;
                    }
                }
                Ok(ScanEvent::Stale { id, stale }) => {
                    if !self.scanned_locally.contains(&id) {
                        self.info.entry(id).or_default().stale = Some(stale);
                        changed = true;
                    }
                }
                Ok(ScanEvent::Done) | Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.scan = None;
                    return true;
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => return changed,
            }
        }
    }

    /// Waits for the background scan, the index's freshness pass and the twins to finish (for
    /// tests and scripts).
    pub fn finish_scan(&mut self) {
        while self.scanning() || self.twins.running() {
            if !self.tick() {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}
