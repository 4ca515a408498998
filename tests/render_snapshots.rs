//! Snapshots of every sample as `tadqiq render` lays it out, at widths 40 and 80, shaping on and
//! off. Each was read by eye before it was accepted: a change here is a change users see.

use tadqiq::text::{Layout, LayoutOptions};

fn render(path: &str, width: u16, shape: bool) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let options = LayoutOptions {
        shape,
        ..LayoutOptions::new(width)
    };
    let mut out = String::new();
    for row in Layout::new(&text, options).rows() {
        // A visible right margin, so that alignment shows in the snapshot.
        let line = row.to_line();
        let pad = width as usize - (row.indent + row.width) as usize;
        out.push_str(&line);
        out.push_str(&" ".repeat(pad));
        out.push_str("|\n");
    }
    out
}

#[test]
fn samples() {
    let mut paths: Vec<_> = std::fs::read_dir("samples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    for path in paths {
        let id = path.file_stem().unwrap().to_str().unwrap().to_string();
        for width in [40, 80] {
            for shape in [true, false] {
                let name = format!("{id}_w{width}_{}", if shape { "shaped" } else { "plain" });
                insta::assert_snapshot!(name, render(path.to_str().unwrap(), width, shape));
            }
        }
    }
}
