//! The analyst's keymap file: rebinding actions and naming the keyboard's layout, read once
//! when the review opens.
//!
//! `$XDG_CONFIG_HOME/tadqiq/keys.conf` (else `~/.config/tadqiq/keys.conf`), or the file given
//! with `review --keys FILE`. One setting per line; `#` starts a comment line:
//!
//! ```text
//! keyboard = azerty            # the Latin layout the keys are labelled in: qwerty or azerty
//! fields.confirm = y Enter     # <context>.<action> = its keys, as the help screen writes them
//! global.quit = Ctrl-Q
//! fields.reject =              # no key
//! ```
//!
//! A line replaces the keys of that action in that context. A key the file binds is taken
//! from any default binding that had it where the file's applies (the file wins); two lines of
//! the file binding one key where both apply is an error. Every problem is reported, as
//! `path:line:col: message`, and the review does not open on a file with one: keys an analyst
//! did not ask for would act on their gold set.

use std::path::{Path, PathBuf};

use super::keymap::{Action, Context, DEFAULT, Key, Keymap, overlap};
use super::layouts::Keyboard;
use crate::model::Severity;
use crate::store::{Diagnostic, Limit, LoadError, read_corpus_file};

/// The keymap file's usual place: `$XDG_CONFIG_HOME/tadqiq/keys.conf`, else
/// `$HOME/.config/tadqiq/keys.conf`.
pub fn default_path() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    var("XDG_CONFIG_HOME")
        .or_else(|| var("HOME").map(|h| h.join(".config")))
        .map(|c| c.join("tadqiq").join("keys.conf"))
}

/// The keymap: the defaults with the file at `path` applied. A file that does not exist is no
/// change (`required`: unless it was asked for by name).
pub fn load(path: &Path, required: bool) -> Result<Keymap, Vec<Diagnostic>> {
    let bytes = match read_corpus_file(path, Limit::YAML) {
        Ok(Some(bytes)) => bytes,
        Ok(None) if !required => return Ok(Keymap::default()),
        Ok(None) => {
            return Err(vec![Diagnostic::file(
                path,
                Severity::Error,
                "no such keymap file",
            )]);
        }
        Err(LoadError::Io { source, .. }) => {
            return Err(vec![Diagnostic::file(
                path,
                Severity::Error,
                format!("cannot read the keymap file: {source}"),
            )]);
        }
        Err(LoadError::Invalid(d)) => return Err(d),
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Err(vec![Diagnostic::file(
            path,
            Severity::Error,
            "the keymap file is not UTF-8 text",
        )]);
    };
    parse(text, path)
}

/// A binding the file sets, and where.
struct Set {
    context: Context,
    action: Action,
    /// Each key, as written and at which column.
    keys: Vec<(Key, String, usize)>,
    line: usize,
}

/// The keymap the text of a keymap file gives (`path` names it in problems).
pub fn parse(text: &str, path: &Path) -> Result<Keymap, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut problem = |line: usize, col: usize, message: String| {
        problems.push(Diagnostic {
            path: path.to_path_buf(),
            line,
            col,
            severity: Severity::Error,
            message,
        });
    };
    let mut keymap = Keymap::default();
    let mut keyboard_line: Option<usize> = None;
    let mut sets: Vec<Set> = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // Columns count chars, from 1; `part` is a slice of `line`.
        let col_of = |part: &str| {
            let offset = (part.as_ptr() as usize)
                .saturating_sub(line.as_ptr() as usize)
                .min(line.len());
            line.get(..offset)
                .map_or(1, |before| before.chars().count() + 1)
        };
        let Some((name, value)) = trimmed.split_once('=') else {
            problem(
                n,
                col_of(trimmed),
                "expected `<context>.<action> = <keys>` or `keyboard = qwerty|azerty`".into(),
            );
            continue;
        };
        let name = name.trim();
        if name == "keyboard" {
            let value = value.trim();
            match (Keyboard::from_name(value), keyboard_line) {
                (_, Some(first)) => problem(
                    n,
                    col_of(name),
                    format!("the keyboard is already set on line {first}"),
                ),
                (Some(k), None) => {
                    keymap.keyboard = k;
                    keyboard_line = Some(n);
                }
                (None, None) => problem(
                    n,
                    col_of(value.split_whitespace().next().unwrap_or(name)),
                    format!("unknown keyboard `{value}`; keyboards: qwerty, azerty"),
                ),
            }
            continue;
        }
        let Some((context_name, action_name)) = name.split_once('.') else {
            problem(
                n,
                col_of(name),
                format!("`{name}` is not `<context>.<action>` nor `keyboard`"),
            );
            continue;
        };
        let Some(context) = Context::ALL.into_iter().find(|c| c.name() == context_name) else {
            let names: Vec<String> = Context::ALL.iter().map(|c| c.name()).collect();
            problem(
                n,
                col_of(name),
                format!(
                    "unknown context `{context_name}`; contexts: {}",
                    names.join(", ")
                ),
            );
            continue;
        };
        let Some(action) = DEFAULT
            .iter()
            .filter(|b| b.context == context)
            .map(|b| b.action)
            .find(|a| a.name() == action_name)
        else {
            let names: Vec<String> = DEFAULT
                .iter()
                .filter(|b| b.context == context)
                .map(|b| b.action.name())
                .collect();
            problem(
                n,
                col_of(name) + context_name.chars().count() + 1,
                format!(
                    "`{context_name}` has no action `{action_name}`; its actions: {}",
                    names.join(", ")
                ),
            );
            continue;
        };
        if let Some(first) = sets
            .iter()
            .find(|s| s.context == context && s.action == action)
        {
            problem(
                n,
                col_of(name),
                format!("`{name}` is already set on line {}", first.line),
            );
            continue;
        }
        let mut keys = Vec::new();
        for word in value.split_whitespace() {
            match Key::parse(word) {
                Some(k) if keys.iter().any(|(seen, _, _)| *seen == k) => problem(
                    n,
                    col_of(word),
                    format!("`{word}` is given twice on this line"),
                ),
                Some(k) => keys.push((k, word.to_string(), col_of(word))),
                None => problem(
                    n,
                    col_of(word),
                    format!(
                        "`{word}` is not a key: a char (`y`), `Ctrl-` or `Alt-` and one, or a name (Space, Enter, Esc, Tab, Shift-Tab, Backspace, Delete, Up, Down, Left, Right, PgUp, PgDn, Home, End, F1–F12)"
                    ),
                ),
            }
        }
        // The same key given by two lines where both apply.
        for (k, word, col) in &keys {
            if let Some(other) = sets
                .iter()
                .find(|s| overlap(s.context, context) && s.keys.iter().any(|(o, _, _)| o == k))
            {
                problem(
                    n,
                    *col,
                    format!(
                        "`{word}` is also bound on line {} (`{}.{}`), where this binding applies too",
                        other.line,
                        other.context.name(),
                        other.action.name()
                    ),
                );
            }
        }
        sets.push(Set {
            context,
            action,
            keys,
            line: n,
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    for set in &sets {
        let keys: Vec<Key> = set.keys.iter().map(|(k, _, _)| *k).collect();
        // The file wins: its keys leave the other bindings where they would clash.
        for e in keymap.entries.iter_mut() {
            if overlap(e.context, set.context) {
                e.keys.retain(|k| !keys.contains(k));
            }
        }
        if let Some(e) = keymap
            .entries
            .iter_mut()
            .find(|e| e.context == set.context && e.action == set.action)
        {
            e.keys = keys;
        }
    }
    Ok(keymap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn press(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn errors(text: &str) -> Vec<String> {
        parse(text, Path::new("keys.conf"))
            .unwrap_err()
            .iter()
            .map(|d| format!("{}:{}:{}: {}", d.path.display(), d.line, d.col, d.message))
            .collect()
    }

    #[test]
    fn a_line_replaces_the_keys_of_an_action_and_takes_them_from_others() {
        let keymap = parse(
            "# mine\n\nkeyboard = azerty\nfields.confirm = y Enter\nglobal.quit = Ctrl-Q\nfields.reject =\n",
            Path::new("keys.conf"),
        )
        .unwrap();
        assert_eq!(keymap.keyboard, Keyboard::Azerty);
        assert_eq!(
            keymap.lookup(Context::Fields, &press('y')),
            Some(Action::Confirm)
        );
        assert_eq!(keymap.lookup(Context::Fields, &press('a')), None);
        let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(
            keymap.lookup(Context::Fields, &enter),
            Some(Action::Confirm)
        );
        // Enter still edits where the file did not bind it.
        assert_eq!(keymap.lookup(Context::Items, &enter), Some(Action::Edit));
        let ctrl_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(keymap.lookup(Context::Fields, &ctrl_q), Some(Action::Quit));
        assert_eq!(keymap.lookup(Context::Fields, &press('q')), None);
        assert_eq!(keymap.lookup(Context::Fields, &press('x')), None);
        // Help is generated from the result.
        let help = keymap.help();
        let fields = &help.iter().find(|(c, _)| *c == Context::Fields).unwrap().1;
        assert!(fields.contains(&("y Enter".to_string(), "confirm the field as extracted")));
        assert!(fields.contains(&(
            "(no key)".to_string(),
            "reject it: the article has no such value"
        )));
        assert!(
            fields
                .iter()
                .any(|(k, what)| k.is_empty() || what.starts_with("edit the field"))
        );
        assert_eq!(keymap.keys_of(Context::Fields, Action::Quit), "Ctrl-Q");
    }

    #[test]
    fn an_empty_file_is_the_default_keymap() {
        assert_eq!(parse("", Path::new("k")).unwrap(), Keymap::default());
        assert_eq!(
            parse("\u{feff}# nothing\n", Path::new("k")).unwrap(),
            Keymap::default()
        );
    }

    #[test]
    fn each_problem_is_named_by_its_line_and_column() {
        let fields: Vec<String> = DEFAULT
            .iter()
            .filter(|b| b.context == Context::Fields)
            .map(|b| b.action.name())
            .collect();
        let fields = fields.join(", ");
        assert!(fields.starts_with("next-field, prev-field, confirm, reject, confirm-all"));
        assert_eq!(
            errors(
                "fields.confirm y\nkeyboard = dvorak\nfeilds.confirm = y\nfields.confrim = y\nfields.confirm = yy\n"
            ),
            [
                "keys.conf:1:1: expected `<context>.<action> = <keys>` or `keyboard = qwerty|azerty`",
                "keys.conf:2:12: unknown keyboard `dvorak`; keyboards: qwerty, azerty",
                "keys.conf:3:1: unknown context `feilds`; contexts: global, fields, article, list, overlay, search, editor, picker, checklist, items, form, compare",
                &format!("keys.conf:4:8: `fields` has no action `confrim`; its actions: {fields}"),
                "keys.conf:5:18: `yy` is not a key: a char (`y`), `Ctrl-` or `Alt-` and one, or a name (Space, Enter, Esc, Tab, Shift-Tab, Backspace, Delete, Up, Down, Left, Right, PgUp, PgDn, Home, End, F1–F12)",
            ]
        );
        assert_eq!(
            errors(
                "fields.confirm = y\n  global.quit = Q y\nfields.confirm = z\nkeyboard = qwerty\nkeyboard = azerty\n"
            ),
            [
                "keys.conf:2:19: `y` is also bound on line 1 (`fields.confirm`), where this binding applies too",
                "keys.conf:3:1: `fields.confirm` is already set on line 1",
                "keys.conf:5:1: the keyboard is already set on line 4",
            ]
        );
        // A key in two contexts that never apply together is fine.
        assert!(parse("list.list-down = y\nfields.confirm = y\n", Path::new("k")).is_ok());
    }

    #[test]
    fn a_missing_file_is_no_change_unless_it_was_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.conf");
        assert_eq!(load(&path, false).unwrap(), Keymap::default());
        assert_eq!(
            load(&path, true).unwrap_err()[0].message,
            "no such keymap file"
        );
        std::fs::write(&path, b"fields.confirm = \xff\n").unwrap();
        assert_eq!(
            load(&path, false).unwrap_err()[0].message,
            "the keymap file is not UTF-8 text"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_a_keymap_or_problems_never_a_panic(
            text in "([a-z.= #\t\n-]|Ctrl-|Alt-|fields|global|confirm|[ش-ي]|\\PC){0,80}"
        ) {
            if let Err(problems) = parse(&text, Path::new("k")) {
                for d in problems {
                    proptest::prop_assert!(d.line >= 1 && d.col >= 1);
                    proptest::prop_assert!(d.line <= text.lines().count().max(1));
                }
            }
        }
    }

    #[test]
    fn a_fifo_is_refused_not_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.conf");
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(load(&path, false).is_err());
    }
}
