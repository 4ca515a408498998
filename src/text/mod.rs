//! The layout engine: from an article's logical text to terminal rows in visual order.
//!
//! No terminal here: the same rows feed `tadqiq render`, the review screen and the tests. The
//! modules follow the text through the pipeline:
//! [`sanitize`] → [`bidi`] levels → [`shape`] → [`width`] → wrap and reorder in [`layout`].

pub mod bidi;
pub mod editor;
pub mod fold;
pub mod layout;
pub mod sanitize;
pub mod shape;
mod shape_table;
pub mod width;

pub use bidi::Direction;
pub use layout::{BidiMode, Cell, DirectionPolicy, Layout, LayoutCache, LayoutOptions, Row};
