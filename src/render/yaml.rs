//! How a value is written as YAML, decided here by rule and nowhere else.
//!
//! A string is written plain when every YAML reader reads it back as that
//! same string: YAML 1.2 (serde-saphyr, go-yaml v3 in kustomize) and YAML 1.1
//! (go-yaml v2 behind `kubectl apply`, PyYAML behind checkov), whose implicit
//! types differ (`yes`, `on`, `0777`, `1:30` are a bool, an octal and a
//! sexagesimal number in 1.1 only). Otherwise it is double-quoted, with every
//! character a reader could take for a line break or drop (U+0085, U+2028,
//! U+2029, BOM, C0 and C1 controls, DEL, non-characters) escaped; the quoted
//! form is also a JSON string. Multi-line text becomes a literal block when a
//! block carries it exactly. Nested values (a Kyverno pattern) become block
//! mappings and sequences under the same rules.

use serde_json::Value;

/// Characters that begin a YAML indicator when a scalar starts with them.
const INDICATORS: &[char] = &[
    '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`',
    ' ', '\t',
];

/// Plain words YAML 1.1 or 1.2 resolves to a bool, a null or a special
/// float, compared case-insensitively, and 1.1's merge and value keys.
const RESERVED: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", ".inf", "-.inf", "+.inf",
    ".nan", "<<", "=",
];

/// A character a reader could take for a line break, or that YAML does not
/// allow unescaped (outside its printable set).
fn needs_escape(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{c}' | '\u{e}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

/// Whether `s` could be read as a number (int, float, octal, hex, binary,
/// sexagesimal, timestamp) by YAML 1.1 or 1.2: after an optional sign it
/// starts with a digit, or a dot and a digit, and holds nothing but digits
/// and the letters and marks numbers are written with.
fn looks_numeric(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let mut chars = body.chars();
    let starts = match chars.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some('.') => chars.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    };
    starts
        && body
            .chars()
            .all(|c| c.is_ascii_hexdigit() || "._:+-xXoObB ".contains(c) || c == 'T' || c == 'Z')
}

/// Whether `s` may be written as a plain scalar.
pub fn plain_safe(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(INDICATORS)
        && !s.ends_with([' ', '\t', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains(['\t', '\n', '\r'])
        && !s.chars().any(needs_escape)
        && !s.starts_with("...")
        && !RESERVED.iter().any(|w| w.eq_ignore_ascii_case(s))
        && !looks_numeric(s)
}

/// `s` double-quoted, escaping what YAML (and JSON) need escaped.
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A string as a scalar: plain when safe, double-quoted otherwise.
pub fn string(s: &str) -> String {
    if plain_safe(s) {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// Multi-line text as a literal block scalar indented by `indent` spaces, or
/// None when a block cannot carry it exactly (leading white space, trailing
/// white space on a line, a trailing empty line, characters to escape).
pub fn literal_block(s: &str, indent: usize) -> Option<String> {
    let representable = s.contains('\n')
        && !s.ends_with("\n\n")
        && !s.starts_with([' ', '\t', '\n'])
        && !s.contains('\r')
        && !s.chars().any(needs_escape)
        && !s.lines().any(|l| l.ends_with([' ', '\t']));
    if !representable {
        return None;
    }
    let chomp = if s.ends_with('\n') { "" } else { "-" };
    let pad = " ".repeat(indent);
    let mut out = format!("|{chomp}");
    for line in s.trim_end_matches('\n').split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    Some(out)
}

/// A scalar JSON value (string, number, bool) as YAML; None for null,
/// arrays and objects.
pub fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(string(s)),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// A value as the rest of a `key:` line: ` scalar`, ` {}`, ` []`, or a
/// block mapping or sequence on the following lines at `indent` spaces.
pub fn tree(v: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if m.is_empty() => " {}".into(),
        Value::Array(a) if a.is_empty() => " []".into(),
        Value::Object(m) => m
            .iter()
            .map(|(k, x)| format!("\n{pad}{}:{}", string(k), tree(x, indent + 2)))
            .collect(),
        Value::Array(a) => a
            .iter()
            .map(|x| format!("\n{pad}-{}", item(x, indent + 2)))
            .collect(),
        Value::Null => " null".into(),
        v => format!(" {}", scalar(v).unwrap_or_default()),
    }
}

/// A sequence item after its `-`: a mapping's first entry on the dash's
/// line, the rest under it.
fn item(v: &Value, indent: usize) -> String {
    match v {
        Value::Object(m) if !m.is_empty() => {
            let rest = tree(v, indent);
            let first = rest.trim_start_matches('\n');
            format!(" {}", first.trim_start_matches(' '))
        }
        Value::Array(a) if !a.is_empty() => format!(" {}", tree(v, indent).trim_start()),
        _ => tree(v, indent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_yaml_reads_as_something_else_are_quoted() {
        for s in [
            "",
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "N",
            "true",
            "False",
            "null",
            "~",
            "0777",
            "0o17",
            "0x1F",
            "0b101",
            "1e3",
            "1_000",
            "12:30:00",
            "2026-11-25",
            "-1",
            "+1",
            ".5",
            ".inf",
            "-.Inf",
            ".NaN",
            "<<",
            "=",
            "a: b",
            "a #b",
            "a:",
            "-x",
            "*x",
            "&x",
            "!x",
            "|x",
            ">x",
            "%x",
            "@x",
            "`x",
            "'x",
            "\"x",
            "{x}",
            "[x]",
            ",x",
            "?x",
            ":x",
            "#x",
            " lead",
            "trail ",
            "tab\there",
            "two\nlines",
            "...",
            "---",
        ] {
            assert!(!plain_safe(s), "{s:?} would be written plain");
        }
    }

    #[test]
    fn ordinary_strings_stay_plain() {
        for s in [
            "orbit-www",
            "app.kubernetes.io/name",
            "256Mi",
            "100m",
            "2Gi",
            "10m",
            "1h",
            "https://orbit.hoytlabs.app/docs",
            "temporal:7233",
            "10.0.0.0/8",
            "ghcr.io/drewpayment/orbit/bifrost:latest",
            "ServerSideApply=true",
            "${pvc.metadata.namespace}/${pvc.metadata.name}",
            "a#b",
            "0 */6 * * *",
            "v24.2.10",
            "Pathfinder nœud",
        ] {
            assert!(plain_safe(s), "{s:?} would be quoted");
        }
    }

    #[test]
    fn line_breaks_and_non_printables_are_escaped() {
        assert_eq!(double_quoted("a\u{2028}b"), "\"a\\u2028b\"");
        assert_eq!(double_quoted("a\u{85}b"), "\"a\\u0085b\"");
        assert_eq!(
            double_quoted("x\u{7f}\u{fffe}\u{ffff}"),
            "\"x\\u007f\\ufffe\\uffff\""
        );
        assert_eq!(double_quoted("q\"\\\n\t"), "\"q\\\"\\\\\\n\\t\"");
        assert_eq!(string("a\u{2029}"), "\"a\\u2029\"");
    }

    #[test]
    fn blocks_keep_text_exactly_or_decline() {
        assert_eq!(literal_block("a\nb\n", 2).unwrap(), "|\n  a\n  b");
        assert_eq!(literal_block("a\nb", 2).unwrap(), "|-\n  a\n  b");
        assert_eq!(literal_block("a\n\nb\n", 2).unwrap(), "|\n  a\n\n  b");
        assert_eq!(literal_block("one line", 2), None);
        assert_eq!(literal_block(" lead\nx\n", 2), None);
        assert_eq!(literal_block("a\n\n", 2), None);
        assert_eq!(literal_block("a\u{2028}\nb", 2), None);
    }

    #[test]
    fn nested_values_become_blocks() {
        let v = json!({"spec": {"containers": [{"=(securityContext)": {"=(privileged)": "false"}}], "hostNetwork": false}});
        assert_eq!(
            tree(&v, 2),
            "\n  spec:\n    containers:\n      - =(securityContext):\n          =(privileged): \"false\"\n    hostNetwork: false"
        );
        assert_eq!(tree(&json!({}), 2), " {}");
        assert_eq!(tree(&json!(["a", 1]), 0), "\n- a\n- 1");
    }
}
