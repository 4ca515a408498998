//! Styles of the review screen, in two sets: colours from the 16 every terminal has, and none
//! at all when `NO_COLOR` is set (https://no-color.org), where bold, dim, underline and
//! reverse still tell things apart.

use ratatui::style::{Color, Modifier, Style};

use crate::model::Verdict;

/// The styles in use.
#[derive(Clone, Copy, Debug)]
pub struct Theme {
    /// Whether colours are used.
    pub color: bool,
}

impl Theme {
    /// Colours unless the environment has `NO_COLOR` set to anything non-empty.
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// Plain text.
    pub fn text(&self) -> Style {
        Style::new()
    }

    /// Secondary text: hints, labels of secondary things.
    pub fn dim(&self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    /// The article outside `body_span`: boilerplate.
    pub fn boilerplate(&self) -> Style {
        self.fg(Color::DarkGray).add_modifier(Modifier::DIM)
    }

    /// The focused field's evidence in the article.
    pub fn evidence(&self) -> Style {
        if self.color {
            Style::new().bg(Color::Yellow).fg(Color::Black)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    /// The selection being made in the article.
    pub fn selection(&self) -> Style {
        if self.color {
            Style::new().bg(Color::Blue).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::UNDERLINED)
        }
    }

    /// The article pane's word cursor.
    pub fn word_cursor(&self) -> Style {
        Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
    }

    /// A search hit in the article.
    pub fn hit(&self) -> Style {
        if self.color {
            Style::new().bg(Color::Magenta).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }

    /// The box a value is typed in.
    pub fn input(&self) -> Style {
        if self.color {
            // Both colours set: readable on light and dark terminals alike.
            Style::new().bg(Color::Indexed(236)).fg(Color::Indexed(255))
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }

    /// The focused entry of a list.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// A pane's border: bright when it has the focus.
    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            self.dim()
        }
    }

    /// A field label.
    pub fn label(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// A confidence below the schema's threshold.
    pub fn low_confidence(&self) -> Style {
        self.fg(Color::Red)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// Something wrong: an evidence quote not found, an error message.
    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// An informational message.
    pub fn info(&self) -> Style {
        self.fg(Color::Green)
    }

    /// The unsaved-changes mark.
    pub fn unsaved(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// The status bar.
    pub fn bar(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// A verdict's mark and style; `None` is "not reviewed".
    pub fn verdict(&self, v: Option<Verdict>) -> (&'static str, Style) {
        match v {
            None => ("·", self.dim()),
            Some(Verdict::Confirmed) => ("✓", self.fg(Color::Green).add_modifier(Modifier::BOLD)),
            Some(Verdict::Corrected) => ("✎", self.fg(Color::Yellow).add_modifier(Modifier::BOLD)),
            Some(Verdict::Added) => ("+", self.fg(Color::Cyan).add_modifier(Modifier::BOLD)),
            Some(Verdict::Rejected) => ("✗", self.fg(Color::Red).add_modifier(Modifier::BOLD)),
        }
    }
}
