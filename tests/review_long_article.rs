//! An article that is one very long line (a scraper that lost the paragraph breaks): the review
//! screen lays it out in pieces, opens on it and scrolls to its end, with memory that grows with
//! the rows kept, not with what laying out one paragraph whole would cost.

mod common;

use common::{FIRST, app, corpus, key};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tadqiq::tui::views;

/// The peak resident memory of this process so far, in bytes.
fn peak_memory() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
        .map_or(0, |kb| kb * 1024)
}

#[test]
fn a_one_line_article_of_megabytes_opens_and_scrolls_to_its_end() {
    let dir = corpus();
    let words = [
        "استقبل",
        "المدير",
        "العام",
        "Nicolas",
        "Lerner",
        "2023/12/15",
        "(الوزير)",
    ];
    let mut text = String::new();
    let mut k = 0usize;
    while text.len() < 3 << 20 {
        text.push_str(words[k % words.len()]);
        text.push(' ');
        k = (k * 7 + 3) % 1009;
    }
    text.push_str("نهاية\n");
    std::fs::write(
        dir.path().join("samples").join(format!("{FIRST}.txt")),
        &text,
    )
    .unwrap();

    let before = peak_memory();
    let mut app = app(dir.path(), "amina");
    assert_eq!(app.id(), FIRST);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| views::draw(f, &mut app)).unwrap();
    let screen = format!("{}", terminal.backend());
    assert!(
        screen.contains("ﻞﺒﻘﺘﺳﺍ"),
        "the article's first rows:\n{screen}"
    );

    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::End);
    terminal.draw(|f| views::draw(f, &mut app)).unwrap();
    let screen = format!("{}", terminal.backend());
    assert!(
        screen.contains("ﺔﻳﺎﻬﻧ"),
        "the article's last row:\n{screen}"
    );

    // Laid out whole, the paragraph cost about 50 bytes per byte of text at its peak; in
    // pieces, the peak is the rows the pane keeps.
    let grown = peak_memory().saturating_sub(before);
    if before > 0 {
        assert!(
            grown < 35 * text.len(),
            "{grown} bytes for a {} byte article",
            text.len()
        );
    }
}
