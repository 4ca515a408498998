//! The default keys, as data: each binding has its context, its keys, its action and a
//! description. Key handling looks actions up here and the help screen is generated from the
//! same table, so help never lies.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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
}

impl Context {
    /// The heading of this context in the help screen.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Fields => "Fields panel",
            Context::Article => "Article pane",
            Context::List => "Article list",
            Context::Overlay => "Help, details, messages",
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
    /// In the article list: open the selected article.
    ListOpen,
    /// In the article list: delete a character of the search.
    ListBackspace,
    /// Close the overlay.
    Close,
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
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{}", base.to_uppercase())
        } else {
            base
        }
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
        [code(KeyCode::Char(' ')), code(KeyCode::Enter)],
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
        "scroll down"
    ),
    bind!(
        Article,
        [key('k'), code(KeyCode::Up)],
        ScrollUp,
        "scroll up"
    ),
    bind!(
        Article,
        [code(KeyCode::PageDown), code(KeyCode::Char(' '))],
        PageDown,
        "page down"
    ),
    bind!(Article, [code(KeyCode::PageUp)], PageUp, "page up"),
    bind!(Article, [code(KeyCode::Home)], Top, "top of the article"),
    bind!(Article, [code(KeyCode::End)], Bottom, "end of the article"),
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
    bind!(List, [code(KeyCode::Enter)], ListOpen, "open the article"),
    bind!(
        List,
        [code(KeyCode::Backspace)],
        ListBackspace,
        "other keys type a search in the ids"
    ),
    bind!(List, [code(KeyCode::Esc)], Close, "close the list"),
    bind!(
        Overlay,
        [code(KeyCode::Esc), key('q'), key('?'), code(KeyCode::Enter)],
        Close,
        "close"
    ),
];

/// The action bound to a key in a context; `Global` bindings apply under `Fields` and
/// `Article`.
pub fn lookup(context: Context, event: &KeyEvent) -> Option<Action> {
    let applies = |b: &&Binding| {
        b.context == context
            || (b.context == Context::Global
                && matches!(context, Context::Fields | Context::Article))
    };
    DEFAULT
        .iter()
        .filter(applies)
        .find(|b| b.keys.iter().any(|k| k.matches(event)))
        .map(|b| b.action)
}

/// The help screen's lines: for each context, its bindings as (keys, description).
pub fn help() -> Vec<(Context, Vec<(String, &'static str)>)> {
    let mut out: Vec<(Context, Vec<(String, &'static str)>)> = Vec::new();
    for b in DEFAULT {
        let keys = b.keys.iter().map(Key::label).collect::<Vec<_>>().join(" ");
        match out.iter_mut().find(|(c, _)| *c == b.context) {
            Some((_, v)) => v.push((keys, b.help)),
            None => out.push((b.context, vec![(keys, b.help)])),
        }
    }
    out
}

/// The keys of an action in a context, for hints in the status bar.
pub fn keys_of(context: Context, action: Action) -> String {
    DEFAULT
        .iter()
        .find(|b| b.action == action && (b.context == context || b.context == Context::Global))
        .map(|b| b.keys[0].label())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
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
    fn help_lists_every_binding() {
        let help = help();
        let n: usize = help.iter().map(|(_, v)| v.len()).sum();
        assert_eq!(n, DEFAULT.len());
        let fields = &help.iter().find(|(c, _)| *c == Context::Fields).unwrap().1;
        assert!(fields.contains(&("j ↓".to_string(), "next field")));
        assert_eq!(keys_of(Context::Fields, Action::Save), "Ctrl-S");
    }
}
