//! stub
use crate::model::{Extracted, Gold};
use crate::store::Diagnostic;
use std::path::Path;
pub type GoldReading = Result<Gold, Vec<Diagnostic>>;
pub type ExtractedReading = Result<(Extracted, Vec<Diagnostic>), Vec<Diagnostic>>;
pub fn encode_gold(_r: &GoldReading, _path: &Path) -> Option<Vec<u8>> {
    None
}
pub fn decode_gold(_bytes: &[u8], _path: &Path) -> Option<GoldReading> {
    None
}
pub fn encode_extracted(_r: &ExtractedReading, _path: &Path) -> Option<Vec<u8>> {
    None
}
pub fn decode_extracted(_bytes: &[u8], _path: &Path) -> Option<ExtractedReading> {
    None
}
pub fn encode_diagnostics(_d: &[Diagnostic], _path: &Path) -> Vec<u8> {
    Vec::new()
}
pub fn decode_diagnostics(_bytes: &[u8], _path: &Path) -> Option<Vec<Diagnostic>> {
    None
}
