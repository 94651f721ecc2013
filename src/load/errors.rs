//! Parse errors that say what to do: the closest field to a misspelt one, a
//! top-level key that TOML placed inside the table above it, a missing
//! field named where it belongs, and the ports a dependency may name.

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean, suggest};
use crate::load::LoadedService;

/// The names between backquotes in a serde message, after `after`.
fn quoted_after<'m>(message: &'m str, after: &str) -> Vec<&'m str> {
    message
        .split_once(after)
        .map(|(_, rest)| rest.split('`').skip(1).step_by(2).collect())
        .unwrap_or_default()
}

/// The first name between backquotes.
fn first_quoted(message: &str) -> Option<&str> {
    message.split('`').nth(1)
}

/// The top-level fields of `T`, from serde's own list.
fn top_level_fields<T: DeserializeOwned>() -> Vec<String> {
    match toml::from_str::<T>("__platformc_probe__ = 0") {
        Err(e) => quoted_after(e.message(), "expected")
            .into_iter()
            .map(str::to_string)
            .collect(),
        Ok(_) => vec![],
    }
}

/// The diagnostic of a source that does not deserialize into `T`.
pub(super) fn parse_error<T: DeserializeOwned>(
    source: &SourceFile,
    e: &toml::de::Error,
) -> Diagnostic {
    let span = e.span().unwrap_or(0..0);
    let message = e.message().trim();
    if message.starts_with("unknown field") {
        unknown_field::<T>(source, span, message)
    } else if message.starts_with("missing field") {
        let field = first_quoted(message).unwrap_or_default();
        let d = Diagnostic::at("E0004", source, span.clone(), message, "add the field");
        let path = if d.field.is_empty() || span.start == 0 {
            field.to_string()
        } else {
            format!("{}.{field}", d.field)
        };
        d.field(path)
    } else if message.starts_with("invalid type") || message.starts_with("invalid value") {
        let d = Diagnostic::at(
            "E0005",
            source,
            span,
            message,
            "give the field a value of the expected type",
        );
        if d.field.ends_with("port") && message.contains("expected a string") {
            Diagnostic {
                help: "name the port, as a string: ports are referred to by the names their service declares in [[ports]]".into(),
                ..d
            }
        } else {
            d
        }
    } else if message.starts_with("unknown variant") {
        let value = first_quoted(message).unwrap_or_default();
        let help = did_you_mean(
            value,
            quoted_after(message, "expected"),
            "use one of the listed values",
        );
        Diagnostic::at("E0006", source, span, message, help)
    } else {
        Diagnostic::at("E0001", source, span, message, "fix the TOML syntax")
    }
}

fn unknown_field<T: DeserializeOwned>(
    source: &SourceFile,
    span: std::ops::Range<usize>,
    message: &str,
) -> Diagnostic {
    let field = first_quoted(message).unwrap_or_default();
    let expected = quoted_after(message, "expected");
    let d = Diagnostic::at(
        "E0003",
        source,
        span,
        format!("unknown field `{field}`"),
        "",
    );
    let table = d.field.rsplit_once('.').map(|(t, _)| t.to_string());
    let help = match (replaced(&d.field), table) {
        (Some(help), _) => help.to_string(),
        (None, Some(table)) if top_level_fields::<T>().iter().any(|f| f == field) => format!(
            "`{field}` belongs at the top of the file, not in [{table}]: in TOML, keys written after a [table] header belong to that table; move `{field}` above the first table"
        ),
        _ => match suggest(field, expected.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "remove the field; this table's fields are: {}",
                expected.join(", ")
            ),
        },
    };
    Diagnostic { help, ..d }
}

/// The help for a field an earlier model had, which another replaced:
/// where its setting lives now.
fn replaced(field: &str) -> Option<&'static str> {
    let path: String = field
        .split('[')
        .map(|part| part.split_once(']').map_or(part, |(_, rest)| rest))
        .collect();
    match path.as_str() {
        "environments.namespace" => Some(
            "an environment renames the platform's namespaces: namespace_suffix = \"-staging\" (or namespace_prefix, or namespace_names = { <namespace> = \"<its name here>\" })",
        ),
        "gateway" => Some(
            "routes enter through [edge]: kind = \"gateway\", proxy_namespace, and [edge.gateway] with the Gateway's name and its namespace and section",
        ),
        _ => None,
    }
}

/// `depends_on[N].port` of an unparsed service file written as a number:
/// names the ports of the service it depends on, when that one loaded.
pub(super) fn name_the_ports(
    diags: &mut Diagnostics,
    unparsed: &[SourceFile],
    services: &[LoadedService],
) {
    for d in diags.0.iter_mut().filter(|d| d.code == "E0005") {
        let Some(index) = d
            .field
            .strip_prefix("depends_on[")
            .and_then(|r| r.strip_suffix("].port"))
            .and_then(|i| i.parse::<usize>().ok())
        else {
            continue;
        };
        let Some(target) = unparsed
            .iter()
            .find(|s| s.path == d.file)
            .and_then(|s| dependency_target(&s.text, index))
        else {
            continue;
        };
        if let Some(t) = services.iter().find(|s| s.name == target) {
            let ports: Vec<&str> = t
                .file
                .ports
                .iter()
                .map(|p| p.name.get_ref().as_str())
                .collect();
            d.help = format!(
                "name the port, as a string: `{target}` declares {}",
                ports
                    .iter()
                    .map(|p| format!("port = \"{p}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
}

/// The `service` of the file's `index`-th `[[depends_on]]`.
fn dependency_target(text: &str, index: usize) -> Option<String> {
    let table = DeTable::parse(text).ok()?;
    let deps = table.get_ref().get("depends_on")?;
    let DeValue::Array(items) = deps.get_ref() else {
        return None;
    };
    let DeValue::Table(dep) = items.get(index)?.get_ref() else {
        return None;
    };
    match dep.get("service")?.get_ref() {
        DeValue::String(s) => Some(s.to_string()),
        _ => None,
    }
}
