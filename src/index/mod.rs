//! The derived index of a corpus: what reading each file gave, kept so that unchanged files are not parsed again.

pub mod codec;
