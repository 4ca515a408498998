//! The layout engine: from an article's logical text to terminal rows in visual order.
//!
//! No terminal here. Each step is its own module, in the order text flows through them.

pub mod shape;
mod shape_table;
