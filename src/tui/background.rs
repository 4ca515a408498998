//! Passes over the corpus that the review screen runs beside the event loop: started only
//! after the first frame is drawn, so that they never compete with it.

use std::sync::mpsc::{self, Receiver, Sender};

/// Runs `work` on a thread named `name` once told on the returned sender (the event loop's
/// first tick); its result arrives on the receiver. If the review ends before telling, the
/// sender is dropped and `work` never runs; if no thread can be made, the receiver reports
/// disconnection, which callers take as a failed pass.
pub fn after_first_frame<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> (Sender<()>, Receiver<T>) {
    let (go, start) = mpsc::channel::<()>();
    let (tx, rx) = mpsc::channel();
    let _ = std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            if start.recv().is_err() {
                return; // the review ended first
            }
            let _ = tx.send(work());
        });
    (go, rx)
}
