//! tadqiq: review and correct the fields an extraction pipeline pulled out of Arabic news
//! articles, in a terminal, and build a gold set from the corrections.
//!
//! Data flows one way: article text → [`text`] (sanitize, wrap, bidi, shape) → rows → the
//! review screen; YAML → model → app state → edits → store → gold YAML → export and agreement.
//! Only `tui` talks to the terminal; everything else is pure and testable without one.

pub mod agree;
pub mod check;
pub mod cli;
pub mod export;
pub mod import;
pub mod index;
pub mod model;
pub mod status;
pub mod store;
pub mod text;
pub mod tui;
pub mod twins;
