//! The default keys, as data: each binding has its context, its keys, its action and a
//! description. Key handling looks actions up here and the help screen is generated from the
//! same table, so help never lies.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::layouts::{Keyboard, qwerty_of_arabic};

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    /// Anywhere on the main screen.
    Global,
    /// The fields panel has the focus.
    Fields,
    /// The article pane has the focus.
    Article,
    /// The article list (`g`).
    List,
    /// A dialog or overlay that only closes.
    Overlay,
    /// A search is active (after `/`).
    Search,
    /// Typing in a line editor: a field's value, a list item, a search.
    Editor,
    /// Choosing one value of a choice field.
    Picker,
    /// Ticking the values of a multi_choice field.
    Checklist,
    /// The items of a list or the records of a record_list.
    Items,
    /// The sub-fields of one record.
    Form,
    /// Comparing analysts and adjudicating (`c`).
    Compare,
}

impl Context {
    /// Every context, in the order of the help screen's sections.
    pub const ALL: [Context; 12] = [
        Context::Global,
        Context::Fields,
        Context::Article,
        Context::List,
        Context::Overlay,
        Context::Search,
        Context::Editor,
        Context::Picker,
        Context::Checklist,
        Context::Items,
        Context::Form,
        Context::Compare,
    ];

    /// Its name in the keymap file: `fields`, `article`…
    pub fn name(self) -> String {
        format!("{self:?}").to_lowercase()
    }

    /// The heading of this context in the help screen.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Fields => "Fields panel",
            Context::Article => "Article pane",
            Context::List => "Article list",
            Context::Overlay => "Help, details, messages",
            Context::Search => "After a search (/)",
            Context::Editor => "Editing a value",
            Context::Picker => "Choosing a value",
            Context::Checklist => "Ticking values",
            Context::Items => "List items and records",
            Context::Form => "A record's sub-fields",
            Context::Compare => "Comparing and adjudicating (c)",
        }
    }
}

/// Something the user asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Focus the next field.
    NextField,
    /// Focus the previous field.
    PrevField,
    /// Move the focus between the fields panel and the article pane.
    SwitchPane,
    /// Open the next article (saving this one).
    NextArticle,
    /// Open the previous article (saving this one).
    PrevArticle,
    /// Scroll the article one row down.
    ScrollDown,
    /// Scroll the article one row up.
    ScrollUp,
    /// Scroll the article one page down.
    PageDown,
    /// Scroll the article one page up.
    PageUp,
    /// Scroll to the top of the article.
    Top,
    /// Scroll to the end of the article.
    Bottom,
    /// Confirm the focused field as extracted.
    Confirm,
    /// Reject the focused field: the article has no such value.
    Reject,
    /// Confirm every field not reviewed yet.
    ConfirmAll,
    /// Mark the article done and open the next one.
    MarkDone,
    /// Mark the article skipped and open the next one.
    Skip,
    /// Show the focused field whole.
    Detail,
    /// Open the article list.
    OpenList,
    /// Show the keys.
    Help,
    /// Save the review of this article.
    Save,
    /// Quit (asking first if there are unsaved changes).
    Quit,
    /// In the article list: next entry.
    ListDown,
    /// In the article list: previous entry.
    ListUp,
    /// In the article list: a page down.
    ListPageDown,
    /// In the article list: a page up.
    ListPageUp,
    /// In the article list: next filter.
    ListFilter,
    /// In the article table: sort by the next column.
    ListSort,
    /// In the article table: reverse the sort.
    ListReverse,
    /// In the article table: only articles with a low-confidence field, or all.
    ListLowOnly,
    /// In the article table: only articles analysts disagree on, or all.
    ListDisagreementsOnly,
    /// In the article table: follow the next review queue (none after the last).
    ListQueue,
    /// In the article list: open the selected article.
    ListOpen,
    /// In the article list: delete a character of the search.
    ListBackspace,
    /// Close the overlay.
    Close,
    /// Edit the focused field: the editor, picker or list its type calls for.
    Edit,
    /// Edit a long text in `$EDITOR`.
    ExternalEdit,
    /// Undo the last change to this article.
    Undo,
    /// Redo what was undone.
    Redo,
    /// Search the corpus.
    Search,
    /// The next search hit, across articles.
    NextHit,
    /// The previous search hit.
    PrevHit,
    /// Forget the search.
    EndSearch,
    /// In the article: the word cursor to the next word (extends a selection).
    NextWord,
    /// In the article: the word cursor to the previous word.
    PrevWord,
    /// In the article: start or drop a selection at the word cursor.
    Select,
    /// In the article: the selection becomes the focused field's evidence (a span field's
    /// value).
    UseSelection,
    /// In the article: the selection becomes the focused field's evidence and its value.
    CopySelection,
    /// In the article: drop the selection and the word cursor.
    Unselect,
    /// Editor: keep the value.
    Commit,
    /// Editor, picker, checklist: leave without changing anything.
    Cancel,
    /// Editor: clear the line.
    ClearLine,
    /// Editor: delete the word before the cursor.
    DeleteWordBack,
    /// Editor: to the logical start.
    Home,
    /// Editor: to the logical end.
    End,
    /// Editor: one position left on screen.
    Left,
    /// Editor: one position right on screen.
    Right,
    /// Editor: one word left on screen.
    WordLeft,
    /// Editor: one word right on screen.
    WordRight,
    /// Editor: one row up (long texts).
    Up,
    /// Editor: one row down (long texts).
    Down,
    /// Editor: delete back.
    Backspace,
    /// Editor: delete forward.
    Delete,
    /// Editor: a new line (long texts).
    Newline,
    /// Picker, checklist, items, form: next entry.
    Next,
    /// Picker, checklist, items, form: previous entry.
    Prev,
    /// Checklist: tick or untick.
    Toggle,
    /// Items: add one after the selected one.
    AddItem,
    /// Items: delete the selected one.
    DeleteItem,
    /// Items: move the selected one down.
    MoveDown,
    /// Items: move the selected one up.
    MoveUp,
    /// Compare the analysts' reviews of the article and adjudicate (again: back to reviewing).
    Compare,
    /// Adjudicating: take the value of source 0 (the extractor) or 1… (the analysts).
    Pick,
    /// Adjudicating: take the value most analysts gave.
    AcceptMajority,
    /// Adjudicating: type the reason for the choice (the field's note).
    Reason,
    /// Adjudicating: the agreement overview of the corpus.
    Overview,
    /// Export the analyst's finished reviews as JSONL (saving first).
    Export,
    /// Open the next twin of the article (the same event, another outlet).
    NextTwin,
    /// Offer a twin's reviewed values for the fields not reviewed yet.
    OfferTwin,
}

impl Action {
    /// Its name in the keymap file: `next-field`, `confirm-all`…
    pub fn name(self) -> String {
        let mut out = String::new();
        for (i, c) in format!("{self:?}").chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }
}

/// A key with its modifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Ctrl, Alt…
    pub modifiers: KeyModifiers,
}

const fn key(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::NONE,
    }
}

const fn code(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::NONE,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
    }
}

const fn ctrl_code(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::CONTROL,
    }
}

const fn alt_code(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::ALT,
    }
}

impl Key {
    /// How the key is written in help: `j`, `↓`, `Ctrl-S`, `PgDn`.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Down => "↓".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Delete".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            match self.code {
                KeyCode::Char(_) => format!("Ctrl-{}", base.to_uppercase()),
                _ => format!("Ctrl-{base}"),
            }
        } else if self.modifiers.contains(KeyModifiers::ALT) {
            format!("Alt-{base}")
        } else {
            base
        }
    }

    /// The key a label names, as [`Key::label`] writes it (`j`, `Ctrl-S`, `PgDn`, `Space`,
    /// `↓`) or with a word for an arrow (`Down`); `Ctrl-` and `Alt-` take a char or a named
    /// key. `None` for anything else.
    pub fn parse(label: &str) -> Option<Key> {
        let (modifiers, base) = if let Some(rest) = label.strip_prefix("Ctrl-") {
            (KeyModifiers::CONTROL, rest)
        } else if let Some(rest) = label.strip_prefix("Alt-") {
            (KeyModifiers::ALT, rest)
        } else {
            (KeyModifiers::NONE, label)
        };
        let named = match base {
            "Space" => Some(KeyCode::Char(' ')),
            "Down" | "↓" => Some(KeyCode::Down),
            "Up" | "↑" => Some(KeyCode::Up),
            "Left" | "←" => Some(KeyCode::Left),
            "Right" | "→" => Some(KeyCode::Right),
            "PgDn" | "PageDown" => Some(KeyCode::PageDown),
            "PgUp" | "PageUp" => Some(KeyCode::PageUp),
            "Home" => Some(KeyCode::Home),
            "End" => Some(KeyCode::End),
            "Tab" => Some(KeyCode::Tab),
            "Shift-Tab" => Some(KeyCode::BackTab),
            "Enter" => Some(KeyCode::Enter),
            "Esc" => Some(KeyCode::Esc),
            "Backspace" => Some(KeyCode::Backspace),
            "Delete" => Some(KeyCode::Delete),
            _ => base
                .strip_prefix('F')
                .and_then(|n| n.parse::<u8>().ok())
                .filter(|n| (1..=12).contains(n))
                .map(KeyCode::F),
        };
        let code = match named {
            Some(code) => code,
            None => {
                let mut chars = base.chars();
                match (chars.next(), chars.next()) {
                    // One printable char; a control char or a space is named instead.
                    (Some(c), None) if !c.is_control() && !c.is_whitespace() => {
                        if modifiers.is_empty() {
                            KeyCode::Char(c)
                        } else {
                            KeyCode::Char(c.to_ascii_lowercase())
                        }
                    }
                    _ => return None,
                }
            }
        };
        Some(Key { code, modifiers })
    }

    fn matches(&self, event: &KeyEvent) -> bool {
        // Shift is part of the char itself (`A`, `?`); terminals disagree on reporting it.
        let mods = event.modifiers - KeyModifiers::SHIFT;
        let wanted = self.modifiers - KeyModifiers::SHIFT;
        let code_matches = match (self.code, event.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) if !wanted.is_empty() => {
                a.eq_ignore_ascii_case(&b)
            }
            (a, b) => a == b,
        };
        code_matches && mods == wanted
    }
}

/// One entry of the keymap.
#[derive(Clone, Debug)]
pub struct Binding {
    /// Where it applies.
    pub context: Context,
    /// The keys that do it.
    pub keys: &'static [Key],
    /// What it does.
    pub action: Action,
    /// The description in the help screen.
    pub help: &'static str,
}

macro_rules! bind {
    ($ctx:ident, [$($k:expr),+], $action:ident, $help:expr) => {
        Binding { context: Context::$ctx, keys: &[$($k),+], action: Action::$action, help: $help }
    };
}

/// The default keymap.
pub static DEFAULT: &[Binding] = &[
    bind!(
        Fields,
        [key('j'), code(KeyCode::Down)],
        NextField,
        "next field"
    ),
    bind!(
        Fields,
        [key('k'), code(KeyCode::Up)],
        PrevField,
        "previous field"
    ),
    bind!(
        Fields,
        [key('a')],
        Confirm,
        "confirm the field as extracted"
    ),
    bind!(
        Fields,
        [key('x')],
        Reject,
        "reject it: the article has no such value"
    ),
    bind!(
        Fields,
        [key('A')],
        ConfirmAll,
        "confirm every field not reviewed yet"
    ),
    bind!(
        Fields,
        [code(KeyCode::Enter)],
        Edit,
        "edit the field (editor, picker, checklist or list, by its type)"
    ),
    bind!(
        Fields,
        [key('e')],
        ExternalEdit,
        "edit a long text in $EDITOR"
    ),
    bind!(
        Fields,
        [code(KeyCode::Char(' '))],
        Detail,
        "show the field whole"
    ),
    bind!(
        Fields,
        [key('n'), code(KeyCode::PageDown)],
        NextArticle,
        "next article (saves this one)"
    ),
    bind!(
        Fields,
        [key('p'), code(KeyCode::PageUp)],
        PrevArticle,
        "previous article (saves this one)"
    ),
    bind!(
        Article,
        [key('j'), code(KeyCode::Down)],
        ScrollDown,
        "scroll down (with a word cursor: move it a row down)"
    ),
    bind!(
        Article,
        [key('k'), code(KeyCode::Up)],
        ScrollUp,
        "scroll up (with a word cursor: move it a row up)"
    ),
    bind!(
        Article,
        [code(KeyCode::PageDown), code(KeyCode::Char(' '))],
        PageDown,
        "page down (with a word cursor: move it a page)"
    ),
    bind!(Article, [code(KeyCode::PageUp)], PageUp, "page up"),
    bind!(Article, [code(KeyCode::Home)], Top, "top of the article"),
    bind!(Article, [code(KeyCode::End)], Bottom, "end of the article"),
    bind!(
        Article,
        [key('w')],
        NextWord,
        "word cursor to the next word (extends the selection)"
    ),
    bind!(
        Article,
        [key('b')],
        PrevWord,
        "word cursor to the previous word (extends the selection)"
    ),
    bind!(
        Article,
        [key('v')],
        Select,
        "start a selection at the word cursor (again: drop it)"
    ),
    bind!(
        Article,
        [code(KeyCode::Enter)],
        UseSelection,
        "selection → the field's evidence (a span field's value)"
    ),
    bind!(
        Article,
        [key('V')],
        CopySelection,
        "selection → the field's evidence and value"
    ),
    bind!(
        Article,
        [code(KeyCode::Esc)],
        Unselect,
        "drop the selection and the word cursor"
    ),
    bind!(
        Article,
        [key('n')],
        NextArticle,
        "next article (saves this one)"
    ),
    bind!(
        Article,
        [key('p')],
        PrevArticle,
        "previous article (saves this one)"
    ),
    bind!(
        Global,
        [code(KeyCode::Tab), code(KeyCode::BackTab)],
        SwitchPane,
        "switch between fields and article"
    ),
    bind!(
        Global,
        [key('t')],
        NextTwin,
        "next twin of the article: the same event, another outlet"
    ),
    bind!(
        Fields,
        [key('T')],
        OfferTwin,
        "offer a twin's reviewed values (≈): a keeps one, Enter edits it"
    ),
    bind!(
        Global,
        [key('d')],
        MarkDone,
        "mark the article done and go to the next"
    ),
    bind!(
        Global,
        [key('s')],
        Skip,
        "skip the article and go to the next"
    ),
    bind!(
        Global,
        [key('g')],
        OpenList,
        "article list: filter and jump"
    ),
    bind!(Global, [ctrl('s')], Save, "save"),
    bind!(
        Global,
        [key('E')],
        Export,
        "export your finished reviews to annotations/exports/<you>.jsonl"
    ),
    bind!(
        Global,
        [key('c')],
        Compare,
        "compare the analysts and adjudicate (again: back)"
    ),
    bind!(
        Global,
        [key('u')],
        Undo,
        "undo the last change to this article"
    ),
    bind!(Global, [ctrl('r')], Redo, "redo"),
    bind!(
        Global,
        [key('/')],
        Search,
        "search articles and values (أ/ا, harakat, digits folded)"
    ),
    bind!(Global, [key('?')], Help, "this help"),
    bind!(
        Global,
        [key('q'), ctrl('c')],
        Quit,
        "quit (asks if there are unsaved changes)"
    ),
    bind!(
        List,
        [key('j'), code(KeyCode::Down)],
        ListDown,
        "next article"
    ),
    bind!(
        List,
        [key('k'), code(KeyCode::Up)],
        ListUp,
        "previous article"
    ),
    bind!(List, [code(KeyCode::PageDown)], ListPageDown, "page down"),
    bind!(List, [code(KeyCode::PageUp)], ListPageUp, "page up"),
    bind!(
        List,
        [code(KeyCode::Tab)],
        ListFilter,
        "filter: all, not reviewed, in progress, done, skipped, stale"
    ),
    bind!(List, [ctrl('o')], ListSort, "sort by the next column"),
    bind!(List, [ctrl('r')], ListReverse, "reverse the sort"),
    bind!(
        List,
        [ctrl('l')],
        ListLowOnly,
        "only articles with a low-confidence field (again: all)"
    ),
    bind!(
        List,
        [ctrl('d')],
        ListDisagreementsOnly,
        "only articles analysts disagree on (again: all)"
    ),
    bind!(
        List,
        [ctrl('n')],
        ListQueue,
        "follow the next queue (after the last: none)"
    ),
    bind!(List, [code(KeyCode::Enter)], ListOpen, "open the article"),
    bind!(
        List,
        [code(KeyCode::Backspace)],
        ListBackspace,
        "other keys type a filter: text, outlet:X, date:A..B"
    ),
    bind!(List, [code(KeyCode::Esc)], Close, "close the list"),
    bind!(
        Overlay,
        [code(KeyCode::Esc), key('q'), key('?'), code(KeyCode::Enter)],
        Close,
        "close"
    ),
    bind!(Search, [key('n')], NextHit, "next hit (across articles)"),
    bind!(Search, [key('N')], PrevHit, "previous hit"),
    bind!(
        Search,
        [code(KeyCode::Esc)],
        EndSearch,
        "end the search (n and p move by article again)"
    ),
    bind!(Editor, [code(KeyCode::Enter)], Commit, "keep the value"),
    bind!(
        Editor,
        [code(KeyCode::Esc)],
        Cancel,
        "leave, changing nothing"
    ),
    bind!(
        Editor,
        [alt_code(KeyCode::Enter), ctrl('j')],
        Newline,
        "new line (long texts)"
    ),
    bind!(Editor, [ctrl('u')], ClearLine, "clear the line"),
    bind!(
        Editor,
        [ctrl('w')],
        DeleteWordBack,
        "delete the word before"
    ),
    bind!(
        Editor,
        [ctrl('a'), code(KeyCode::Home)],
        Home,
        "logical start (the right end of Arabic)"
    ),
    bind!(
        Editor,
        [ctrl('e'), code(KeyCode::End)],
        End,
        "logical end (the left end of Arabic)"
    ),
    bind!(
        Editor,
        [code(KeyCode::Left)],
        Left,
        "left on screen, whatever the text's direction"
    ),
    bind!(Editor, [code(KeyCode::Right)], Right, "right on screen"),
    bind!(
        Editor,
        [ctrl_code(KeyCode::Left)],
        WordLeft,
        "a word left on screen"
    ),
    bind!(
        Editor,
        [ctrl_code(KeyCode::Right)],
        WordRight,
        "a word right on screen"
    ),
    bind!(Editor, [code(KeyCode::Up)], Up, "row up (long texts)"),
    bind!(Editor, [code(KeyCode::Down)], Down, "row down (long texts)"),
    bind!(
        Editor,
        [code(KeyCode::Backspace)],
        Backspace,
        "delete back (a haraka alone)"
    ),
    bind!(
        Editor,
        [code(KeyCode::Delete)],
        Delete,
        "delete forward; other keys type, pasting works"
    ),
    bind!(Picker, [code(KeyCode::Down), ctrl('n')], Next, "next value"),
    bind!(
        Picker,
        [code(KeyCode::Up), ctrl('p')],
        Prev,
        "previous value"
    ),
    bind!(Picker, [code(KeyCode::Enter)], Commit, "pick it"),
    bind!(
        Picker,
        [code(KeyCode::Esc)],
        Cancel,
        "leave, changing nothing; other keys type a filter"
    ),
    bind!(
        Checklist,
        [key('j'), code(KeyCode::Down)],
        Next,
        "next value"
    ),
    bind!(
        Checklist,
        [key('k'), code(KeyCode::Up)],
        Prev,
        "previous value"
    ),
    bind!(
        Checklist,
        [code(KeyCode::Char(' '))],
        Toggle,
        "tick or untick"
    ),
    bind!(Checklist, [code(KeyCode::Enter)], Commit, "keep the ticks"),
    bind!(
        Checklist,
        [code(KeyCode::Esc)],
        Cancel,
        "leave, changing nothing"
    ),
    bind!(Items, [key('j'), code(KeyCode::Down)], Next, "next item"),
    bind!(Items, [key('k'), code(KeyCode::Up)], Prev, "previous item"),
    bind!(
        Items,
        [code(KeyCode::Enter)],
        Edit,
        "edit the item (a record: its sub-fields)"
    ),
    bind!(Items, [key('o')], AddItem, "add an item after this one"),
    bind!(Items, [key('D')], DeleteItem, "delete the item"),
    bind!(Items, [key('J')], MoveDown, "move the item down"),
    bind!(Items, [key('K')], MoveUp, "move the item up"),
    bind!(Items, [key('u')], Undo, "undo the last change"),
    bind!(
        Items,
        [code(KeyCode::Esc), key('q')],
        Close,
        "close (every change is already kept)"
    ),
    bind!(
        Compare,
        [
            key('0'),
            key('1'),
            key('2'),
            key('3'),
            key('4'),
            key('5'),
            key('6'),
            key('7'),
            key('8'),
            key('9')
        ],
        Pick,
        "take the value of the extractor (0) or of analyst 1…9"
    ),
    bind!(
        Compare,
        [code(KeyCode::Enter)],
        AcceptMajority,
        "take the value most analysts gave"
    ),
    bind!(Compare, [key('e')], Edit, "edit the adjudicated value"),
    bind!(
        Compare,
        [key('r')],
        Reason,
        "the reason for the choice (a note)"
    ),
    bind!(
        Compare,
        [key('n'), code(KeyCode::PageDown)],
        NextArticle,
        "next article with a disagreement (saves this one)"
    ),
    bind!(
        Compare,
        [key('p'), code(KeyCode::PageUp)],
        PrevArticle,
        "previous article with a disagreement"
    ),
    bind!(
        Compare,
        [key('o')],
        Overview,
        "agreement overview: alpha per field, kappa per pair"
    ),
    bind!(Compare, [code(KeyCode::Esc)], Compare, "back to reviewing"),
    bind!(
        Form,
        [key('j'), code(KeyCode::Down)],
        Next,
        "next sub-field"
    ),
    bind!(
        Form,
        [key('k'), code(KeyCode::Up)],
        Prev,
        "previous sub-field"
    ),
    bind!(Form, [code(KeyCode::Enter)], Edit, "edit the sub-field"),
    bind!(
        Form,
        [code(KeyCode::Esc), key('q')],
        Close,
        "back to the records"
    ),
];

/// Whether a binding of `binding` applies in `context`: its own, and `Global` under `Fields`
/// and `Article`.
fn applies(binding: Context, context: Context) -> bool {
    binding == context
        || (binding == Context::Global && matches!(context, Context::Fields | Context::Article))
}

/// Whether a key bound in one context can be typed where the other's bindings apply.
pub fn overlap(a: Context, b: Context) -> bool {
    a == b || applies(a, b) || applies(b, a)
}

/// One binding of the keymap in use.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Where it applies.
    pub context: Context,
    /// The keys that do it (none: the keymap file took them all away).
    pub keys: Vec<Key>,
    /// What it does.
    pub action: Action,
    /// The description in the help screen.
    pub help: &'static str,
}

/// The keymap in use: [`DEFAULT`], with the analyst's keymap file applied (see
/// [`super::keyfile`]), and the layout the keyboard is labelled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Keymap {
    /// The bindings, in the order of [`DEFAULT`].
    pub entries: Vec<Entry>,
    /// How the keyboard's keys are labelled.
    pub keyboard: Keyboard,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            entries: DEFAULT
                .iter()
                .map(|b| Entry {
                    context: b.context,
                    keys: b.keys.to_vec(),
                    action: b.action,
                    help: b.help,
                })
                .collect(),
            keyboard: Keyboard::default(),
        }
    }
}

impl Keymap {
    /// The action bound to a key in a context; `Global` bindings apply under `Fields` and
    /// `Article`. Where nothing is typed (not in an editor, the list's filter or a picker's),
    /// a char of the Arabic (PC) layout acts as the label of its key on the keyboard's Latin
    /// layout (`ت` as `j`), so that an analyst typing Arabic corrections need not switch
    /// layouts to move on; on AZERTY the digit row acts as digits without Shift.
    pub fn lookup(&self, context: Context, event: &KeyEvent) -> Option<Action> {
        let find = |event: &KeyEvent| {
            self.entries
                .iter()
                .filter(|e| applies(e.context, context))
                .find(|e| e.keys.iter().any(|k| k.matches(event)))
                .map(|e| e.action)
        };
        let typing = matches!(context, Context::Editor | Context::List | Context::Picker);
        find(event).or_else(|| match event.code {
            KeyCode::Char(c) if !typing => {
                let label = self.command_char(c)?;
                find(&KeyEvent::new(KeyCode::Char(label), event.modifiers))
            }
            _ => None,
        })
    }

    /// The char a typed char stands for where a command is expected, if another: an Arabic
    /// char's key as labelled on the keyboard, AZERTY's digit row as digits.
    fn command_char(&self, c: char) -> Option<char> {
        let label = qwerty_of_arabic(c).map_or(c, |q| self.keyboard.label_at(q));
        let label = self.keyboard.command_char(label).unwrap_or(label);
        (label != c).then_some(label)
    }

    /// The help screen's lines: for each context, its bindings as (keys, description).
    pub fn help(&self) -> Vec<(Context, Vec<(String, &'static str)>)> {
        let mut out: Vec<(Context, Vec<(String, &'static str)>)> = Vec::new();
        for e in &self.entries {
            let keys = if e.keys.is_empty() {
                "(no key)".to_string()
            } else {
                e.keys.iter().map(Key::label).collect::<Vec<_>>().join(" ")
            };
            match out.iter_mut().find(|(c, _)| *c == e.context) {
                Some((_, v)) => v.push((keys, e.help)),
                None => out.push((e.context, vec![(keys, e.help)])),
            }
        }
        out
    }

    /// The first key of an action in a context, for hints in the status bar.
    pub fn keys_of(&self, context: Context, action: Action) -> String {
        let with_keys = |e: &&Entry| e.action == action && !e.keys.is_empty();
        self.entries
            .iter()
            .filter(with_keys)
            .find(|e| e.context == context || e.context == Context::Global)
            .or_else(|| self.entries.iter().find(with_keys))
            .map(|e| e.keys[0].label())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    fn lookup(context: Context, event: &KeyEvent) -> Option<Action> {
        Keymap::default().lookup(context, event)
    }

    #[test]
    fn keys_resolve_in_their_context() {
        let j = ev(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(lookup(Context::Fields, &j), Some(Action::NextField));
        assert_eq!(lookup(Context::Article, &j), Some(Action::ScrollDown));
        assert_eq!(lookup(Context::List, &j), Some(Action::ListDown));
        let ctrl_s = ev(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(lookup(Context::Fields, &ctrl_s), Some(Action::Save));
        let s = ev(KeyCode::Char('s'), KeyModifiers::NONE);
        assert_eq!(lookup(Context::Fields, &s), Some(Action::Skip));
        // Shift comes with the char on some terminals and not on others.
        let big_a = ev(KeyCode::Char('A'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Context::Fields, &big_a), Some(Action::ConfirmAll));
        let q = ev(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Context::Fields, &q), Some(Action::Help));
        assert_eq!(
            lookup(Context::List, &s),
            None,
            "typing in the list is a search"
        );
    }

    #[test]
    fn a_key_of_the_arabic_layout_acts_as_the_qwerty_key_in_its_place_where_nothing_is_typed() {
        let press = |c: char| ev(KeyCode::Char(c), KeyModifiers::NONE);
        for (arabic, qwerty) in crate::tui::layouts::ARABIC_PC {
            for context in [
                Context::Fields,
                Context::Article,
                Context::Overlay,
                Context::Compare,
            ] {
                assert_eq!(
                    lookup(context, &press(*arabic)),
                    lookup(context, &press(*qwerty)),
                    "{arabic} in {context:?}"
                );
            }
        }
        assert_eq!(
            lookup(Context::Fields, &press('ت')),
            Some(Action::NextField)
        );
        assert_eq!(lookup(Context::Fields, &press('ش')), Some(Action::Confirm));
        assert_eq!(
            lookup(Context::Fields, &press('ِ')),
            Some(Action::ConfirmAll)
        );
        assert_eq!(lookup(Context::Fields, &press('؟')), Some(Action::Help));
        // Where Arabic is typed, it stays text.
        for context in [Context::Editor, Context::List, Context::Picker] {
            assert_eq!(lookup(context, &press('ت')), None, "{context:?}");
        }
    }

    #[test]
    fn on_azerty_an_arabic_char_acts_as_the_label_of_its_key_and_latin_keys_keep_their_labels() {
        let keymap = Keymap {
            keyboard: Keyboard::Azerty,
            ..Keymap::default()
        };
        let press = |c: char| ev(KeyCode::Char(c), KeyModifiers::NONE);
        // Latin keys are mnemonics: `a` confirms, `q` quits, wherever they sit.
        assert_eq!(
            keymap.lookup(Context::Fields, &press('a')),
            Some(Action::Confirm)
        );
        assert_eq!(
            keymap.lookup(Context::Fields, &press('q')),
            Some(Action::Quit)
        );
        // ض is on the key labelled `a` on AZERTY, ش on the one labelled `q`.
        assert_eq!(
            keymap.lookup(Context::Fields, &press('ض')),
            Some(Action::Confirm)
        );
        assert_eq!(
            keymap.lookup(Context::Fields, &press('ش')),
            Some(Action::Quit)
        );
        assert_eq!(
            keymap.lookup(Context::Fields, &press('ت')),
            Some(Action::NextField)
        );
        // The digit row without Shift picks a source when adjudicating.
        assert_eq!(
            keymap.lookup(Context::Compare, &press('é')),
            Some(Action::Pick)
        );
        assert_eq!(
            keymap.lookup(Context::Compare, &press('1')),
            Some(Action::Pick)
        );
        // In text entry every char is text.
        assert_eq!(keymap.lookup(Context::Editor, &press('ض')), None);
        assert_eq!(keymap.lookup(Context::Picker, &press('é')), None);
    }

    #[test]
    fn every_label_parses_back_to_its_key() {
        for b in DEFAULT {
            for k in b.keys {
                assert_eq!(Key::parse(&k.label()), Some(*k), "{}", k.label());
            }
        }
        assert_eq!(Key::parse("Down"), Some(code(KeyCode::Down)));
        assert_eq!(Key::parse("Ctrl-q"), Some(ctrl('q')));
        assert_eq!(Key::parse("F5"), Some(code(KeyCode::F(5))));
        assert_eq!(Key::parse("ش"), Some(key('ش')));
        for bad in ["", "jj", "Ctrl-", "F13", "\u{1b}", " ", "Meta-x", "\t"] {
            assert_eq!(Key::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn each_action_appears_once_per_context() {
        let mut seen = std::collections::HashSet::new();
        for b in DEFAULT {
            assert!(
                seen.insert((b.context, b.action)),
                "{:?} {:?}",
                b.context,
                b.action
            );
        }
    }

    #[test]
    fn help_lists_every_binding() {
        let keymap = Keymap::default();
        let help = keymap.help();
        let n: usize = help.iter().map(|(_, v)| v.len()).sum();
        assert_eq!(n, DEFAULT.len());
        let fields = &help.iter().find(|(c, _)| *c == Context::Fields).unwrap().1;
        assert!(fields.contains(&("j ↓".to_string(), "next field")));
        assert_eq!(keymap.keys_of(Context::Fields, Action::Save), "Ctrl-S");
    }
}
