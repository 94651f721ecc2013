//! Diagnostics: what the compiler says about bad input.
//!
//! A diagnostic carries a stable code, the source file, line and column, the
//! dotted path of the field (computed from the TOML syntax tree, so every
//! stage only needs a byte span), a message and what to do about it.

use std::fmt;
use std::ops::Range;

use anstyle::{AnsiColor, Style};
use toml::de::{DeTable, DeValue};

pub mod codes;
mod suggest;

pub use suggest::{did_you_mean, suggest};

/// One source file, kept for the whole run so any stage can point into it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the platform root, with `/` separators.
    pub path: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: String, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path,
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self.text[start..offset].chars().count() + 1;
        (line + 1, col)
    }

    fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&e| e.saturating_sub(1));
        self.text[start..end].trim_end_matches('\r')
    }

    /// Dotted path of the innermost key or value containing `offset`
    /// (`depends_on[2].port`); empty when the file does not parse.
    pub fn field_at(&self, offset: usize) -> String {
        match DeTable::parse(&self.text) {
            Ok(table) => {
                let mut path = String::new();
                walk_table(table.get_ref(), offset, &mut path);
                path
            }
            Err(_) => String::new(),
        }
    }
}

fn walk_table(table: &DeTable<'_>, offset: usize, path: &mut String) -> bool {
    for (key, value) in table.iter() {
        let key_hit = key.span().contains(&offset);
        let value_hit = value.span().contains(&offset) || value.span().end == offset;
        if key_hit || value_hit {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key.get_ref());
            if value_hit {
                walk_value(value.get_ref(), offset, path);
            }
            return true;
        }
    }
    // Array-of-tables and dotted headers place a table's entries outside the
    // table's own span: search the children.
    for (key, value) in table.iter() {
        let mark = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key.get_ref());
        if walk_value(value.get_ref(), offset, path) {
            return true;
        }
        path.truncate(mark);
    }
    false
}

fn walk_value(value: &DeValue<'_>, offset: usize, path: &mut String) -> bool {
    match value {
        DeValue::Table(t) => walk_table(t, offset, path),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let mark = path.len();
                path.push_str(&format!("[{i}]"));
                if item.span().contains(&offset) || item.span().end == offset {
                    walk_value(item.get_ref(), offset, path);
                    return true;
                }
                if walk_value(item.get_ref(), offset, path) {
                    return true;
                }
                path.truncate(mark);
            }
            false
        }
        _ => false,
    }
}

/// A finding about the sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code, `E0xxx`.
    pub code: &'static str,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Dotted field path; empty when the error is about the whole file.
    pub field: String,
    pub message: String,
    /// What to change.
    pub help: String,
    /// The offending source line and a caret under the span.
    pub snippet: Option<(String, usize, usize)>,
}

impl Diagnostic {
    /// A diagnostic at a byte span of a source file. The empty span at the
    /// file's start (`0..0`) means the file as a whole: no line is shown and
    /// no field guessed (name it with [`Diagnostic::field`]).
    pub fn at(
        code: &'static str,
        file: &SourceFile,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        if span == (0..0) {
            return Diagnostic::file(code, &file.path, message, help);
        }
        let (line, column) = file.line_col(span.start);
        let line_text = file.line_text(line).to_string();
        let (end_line, end_col) = file.line_col(span.end);
        let width = if end_line == line && end_col > column {
            end_col - column
        } else {
            line_text.chars().count().saturating_sub(column - 1).max(1)
        };
        Diagnostic {
            code,
            file: file.path.clone(),
            line,
            column,
            field: file.field_at(span.start),
            message: message.into(),
            help: help.into(),
            snippet: Some((line_text, column, width)),
        }
    }

    /// A diagnostic about a whole file (missing, unreadable).
    pub fn file(
        code: &'static str,
        path: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            file: path.to_string(),
            line: 1,
            column: 1,
            field: String::new(),
            message: message.into(),
            help: help.into(),
            snippet: None,
        }
    }

    /// Replaces the stable code.
    pub fn code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }

    /// Overrides the field path computed from the span.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }
}

/// The styles a diagnostic is written with: none for files and tests,
/// rustc's for a terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct Palette {
    pub error: Style,
    pub message: Style,
    pub gutter: Style,
    pub caret: Style,
    pub label: Style,
}

impl Palette {
    /// Red errors and carets, blue gutters, bold messages and labels.
    pub fn colored() -> Palette {
        let red = Style::new()
            .fg_color(Some(AnsiColor::BrightRed.into()))
            .bold();
        let blue = Style::new()
            .fg_color(Some(AnsiColor::BrightBlue.into()))
            .bold();
        Palette {
            error: red,
            message: Style::new().bold(),
            gutter: blue,
            caret: red,
            label: Style::new().bold(),
        }
    }
}

impl Diagnostic {
    /// Writes the diagnostic in rustc's layout with the palette's styles.
    pub fn write(&self, f: &mut dyn fmt::Write, p: &Palette) -> fmt::Result {
        let (e, m, g, c, l) = (p.error, p.message, p.gutter, p.caret, p.label);
        writeln!(f, "{e}error[{}]{e:#}{m}: {}{m:#}", self.code, self.message)?;
        writeln!(
            f,
            "  {g}-->{g:#} {}:{}:{}",
            self.file, self.line, self.column
        )?;
        if let Some((text, column, width)) = &self.snippet {
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            writeln!(f, "{g}{pad} |{g:#}")?;
            writeln!(f, "{g}{number} |{g:#} {text}")?;
            writeln!(
                f,
                "{g}{pad} |{g:#} {}{c}{}{c:#}",
                " ".repeat(column - 1),
                "^".repeat(*width)
            )?;
        }
        if !self.field.is_empty() {
            writeln!(f, "  {g}={g:#} {l}field{l:#}: {}", self.field)?;
        }
        write!(f, "  {g}={g:#} {l}help{l:#}: {}", self.help)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, &Palette::default())
    }
}

/// Every diagnostic of a run, in source order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Err(self)` when anything was reported, sorted by file and position.
    pub fn into_result(mut self) -> Result<(), Diagnostics> {
        if self.0.is_empty() {
            Ok(())
        } else {
            self.0.sort_by(|a, b| {
                (&a.file, a.line, a.column, a.code).cmp(&(&b.file, b.line, b.column, b.code))
            });
            self.0.dedup();
            Err(self)
        }
    }
}

impl Diagnostics {
    /// Every diagnostic and the count, with the palette's styles.
    pub fn write(&self, f: &mut dyn fmt::Write, p: &Palette) -> fmt::Result {
        for d in &self.0 {
            d.write(f, p)?;
            writeln!(f, "\n")?;
        }
        let n = self.0.len();
        write!(
            f,
            "{n} error{} in the sources; nothing was written",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, &Palette::default())
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("x.toml".into(), text.into())
    }

    #[test]
    fn line_and_column_are_one_based() {
        let f = file("a = 1\nbé = 2\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(6), (2, 1));
        assert_eq!(f.line_col(11), (2, 5));
    }

    #[test]
    fn field_path_follows_tables_and_arrays() {
        let text = "name = \"x\"\n[resources]\ncpu = { request = \"1\", limit = \"2\" }\n\n[[depends_on]]\nservice = \"a\"\n\n[[depends_on]]\nservice = \"b\"\nport = \"grpc\"\n";
        let f = file(text);
        let at = |needle: &str| f.field_at(text.find(needle).unwrap());
        assert_eq!(at("\"x\""), "name");
        assert_eq!(at("\"2\""), "resources.cpu.limit");
        assert_eq!(at("\"b\""), "depends_on[1].service");
        assert_eq!(at("\"grpc\""), "depends_on[1].port");
    }
}
