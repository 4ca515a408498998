//! End to end: twins on the review screen of the real binary in a pseudo-terminal. The
//! samples' 000 and 001 report one visit: the border names the twin, `t` opens it, and after
//! 000 is reviewed, `T` on 001 offers its values and `a` keeps one with `from_twin`.

mod common;

use common::corpus;
use common::pty::{Session, assert_terminal_restored};

const FIRST: &str = "000_f130585a628a6cea";
const SECOND: &str = "001_ac28270826723f34";

#[test]
fn the_border_names_the_twin_t_opens_it_and_shift_t_offers_its_values() {
    let dir = corpus();
    let mut s = Session::review(dir.path(), 160, 45);
    s.wait_for(FIRST);
    // Found in the background, after the first frame.
    s.wait_for(&format!("twin of {SECOND} (0.52)"));
    s.send("t");
    s.wait_for(&format!("twin of {FIRST} (0.52)"));
    assert!(
        s.contents().contains(&format!("┌ {SECOND} ")),
        "{}",
        s.contents()
    );
    s.send("t");
    s.wait_for(&format!("twin of {SECOND} (0.52)"));

    // 000 reviewed as extracted and done: 001 opens.
    s.send("A");
    s.wait_for("● unsaved");
    s.send("d");
    s.wait_for(&format!("twin of {FIRST} (0.52)"));
    s.send("T");
    s.wait_for(&format!("≈ from twin {FIRST} (e2e)"));
    // The headline as 000's review has it: none (000's text has no headline), which rejects
    // 001's: why each offered value is kept one by one.
    s.send("a");
    s.wait_for("● unsaved");
    s.send("\x13"); // Ctrl-S
    s.wait_for("saved annotations/");
    let text = std::fs::read_to_string(
        dir.path()
            .join("annotations/gold/e2e")
            .join(format!("{SECOND}.yaml")),
    )
    .unwrap();
    assert!(
        text.contains("  headline:\n    value: null\n    verdict: rejected\n")
            && text.contains(&format!("    from_twin: {FIRST}\n")),
        "{text}"
    );
    s.send("q");
    s.wait_success();
    assert_terminal_restored(dir.path(), &s, "the review");
}
