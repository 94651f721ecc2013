//! Text: every string of every source, keys included, holds only characters
//! the rest of the way can carry. kustomize's YAML emitter refuses DEL, the
//! C1 controls and the non-characters outright, and rewrites U+2028 and
//! U+2029 as line breaks; YAML 1.1 readers (go-yaml v2, PyYAML) take U+0085
//! for one. So these, and the C0 controls other than tab and line feed, are
//! refused where they are written, whatever field they are in.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::load::Loaded;

pub(super) fn check(loaded: &Loaded, d: &mut Diagnostics) {
    check_source(&loaded.platform_source, d);
    for s in &loaded.services {
        check_source(&s.source, d);
    }
}

/// A character no string of the sources may hold.
fn forbidden(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && c != '\t' && c != '\n')
        || (0x7f..=0x9f).contains(&u)
        || c == '\u{2028}'
        || c == '\u{2029}'
        || (0xfdd0..=0xfdef).contains(&u)
        || u & 0xfffe == 0xfffe
}

fn check_source(src: &SourceFile, d: &mut Diagnostics) {
    let Ok(table) = DeTable::parse(&src.text) else {
        return;
    };
    let mut strings = Vec::new();
    collect_table(table.get_ref(), &mut strings);
    for (span, text) in strings {
        if let Some(c) = text.chars().find(|c| forbidden(*c)) {
            d.push(Diagnostic::at(
                "E0021",
                src,
                span,
                format!(
                    "the text holds the character U+{:04X}, which Kubernetes tooling cannot carry",
                    c as u32
                ),
                "remove it: write printable characters (tabs and line breaks are fine)",
            ));
        }
    }
}

/// Every key and string value of a table, with its span.
fn collect_table(table: &DeTable<'_>, out: &mut Vec<(Range<usize>, String)>) {
    for (key, value) in table.iter() {
        out.push((key.span(), key.get_ref().to_string()));
        collect_value(value.get_ref(), value.span(), out);
    }
}

fn collect_value(value: &DeValue<'_>, span: Range<usize>, out: &mut Vec<(Range<usize>, String)>) {
    match value {
        DeValue::String(s) => out.push((span, s.to_string())),
        DeValue::Table(t) => collect_table(t, out),
        DeValue::Array(items) => {
            for item in items.iter() {
                collect_value(item.get_ref(), item.span(), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::forbidden;

    #[test]
    fn only_what_tooling_cannot_carry_is_forbidden() {
        for c in [
            '\u{0}',
            '\u{1b}',
            '\r',
            '\u{7f}',
            '\u{85}',
            '\u{90}',
            '\u{2028}',
            '\u{2029}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{1fffe}',
            '\u{fdd0}',
        ] {
            assert!(forbidden(c), "{:?}", c);
        }
        for c in ['\t', '\n', 'a', 'é', '東', '\u{feff}', '\u{a0}', '😀'] {
            assert!(!forbidden(c), "{:?}", c);
        }
    }
}
