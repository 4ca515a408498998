//! What tadqiq knows about: articles, the field schema, the extractor's annotations and the
//! analysts' reviews (the gold set). Pure data and validation; files are the store's business.

pub mod annotation;
pub mod article;
pub mod items;
pub mod problem;
mod read;
pub mod review;
pub mod schema;
pub mod summary;
pub mod value;

pub use annotation::{Extracted, ExtractedField, FieldReview, Gold, Status, Verdict};
pub use article::{Article, ArticleMeta};
pub use problem::{Problem, Problems, Severity, YamlPath};
pub use schema::{FieldDef, FieldType, Schema, ScoreSettings};
pub use value::{Evidence, Record, Span, Value, check_date};
