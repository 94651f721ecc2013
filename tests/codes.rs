//! Every diagnostic code the compiler emits is explained (`platformc explain
//! <CODE>`), and every explained code is still emitted.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use common::repo_root;

/// The `"E0123"` literals of the sources under `dir`.
fn codes_in(dir: &Path, acc: &mut BTreeSet<String>) {
    for e in fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            codes_in(&path, acc);
        } else if path.extension().is_some_and(|x| x == "rs") && !path.ends_with("codes.rs") {
            let text = fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices("\"E0") {
                let code = &text[i + 1..(i + 6).min(text.len())];
                if code.len() == 5 && code[1..].bytes().all(|b| b.is_ascii_digit()) {
                    acc.insert(code.to_string());
                }
            }
        }
    }
}

#[test]
fn every_emitted_code_is_explained_and_every_explained_code_emitted() {
    let mut emitted = BTreeSet::new();
    codes_in(&repo_root().join("src"), &mut emitted);
    let explained: BTreeSet<String> = platformc::diag::codes::all().map(str::to_string).collect();
    let unexplained: Vec<_> = emitted.difference(&explained).collect();
    let stale: Vec<_> = explained.difference(&emitted).collect();
    assert!(
        unexplained.is_empty(),
        "codes without an explanation: {unexplained:?}"
    );
    assert!(stale.is_empty(), "explained codes nothing emits: {stale:?}");
    for code in &explained {
        let (title, text) = platformc::diag::codes::explain(code).unwrap();
        assert!(!title.is_empty() && text.len() > 40, "{code}");
    }
}
