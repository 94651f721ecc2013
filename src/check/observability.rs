//! Observability: the platform's monitoring engine and where its rules
//! live; each service's metrics settings (on a metrics port) and alerts
//! (valid names, durations and severities), all needing `[monitoring]`.

use std::collections::BTreeSet;

use super::{ServiceCx, one_of, require_label};
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::model::PlatformFile;

pub(super) fn check_platform(file: &SourceFile, p: &PlatformFile, d: &mut Diagnostics) {
    let Some(m) = &p.monitoring else { return };
    one_of(
        &m.engine,
        &["prometheus-operator", "victoriametrics"],
        file,
        d,
    );
    require_label(&m.rules_namespace, "namespace", file, d);
    if let Some(i) = &m.interval {
        duration(file, i, d);
    }
}

/// A Prometheus duration: `30s`, `5m`, `1h30m`.
pub fn is_duration(s: &str) -> bool {
    let mut rest = s;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let Some(unit) = ["ms", "s", "m", "h", "d", "w", "y"]
            .iter()
            .find(|u| rest.starts_with(*u))
        else {
            return false;
        };
        rest = &rest[unit.len()..];
    }
    true
}

fn duration(src: &SourceFile, v: &toml::Spanned<String>, d: &mut Diagnostics) {
    if !is_duration(v.get_ref()) {
        d.push(Diagnostic::at(
            "E0182",
            src,
            v.span(),
            format!("`{}` is not a duration", v.get_ref()),
            "write a number and a unit, as Prometheus reads it: 30s, 5m, 1h",
        ));
    }
}

pub(super) fn check_service(cx: &ServiceCx<'_>, d: &mut Diagnostics) {
    let (f, src) = (cx.f, cx.src);
    let monitoring = cx.ix.platform.monitoring.is_some();
    if let Some(m) = &f.metrics {
        if !f.ports.iter().any(|p| p.serves_metrics()) {
            d.push(
                Diagnostic::at(
                    "E0181",
                    src,
                    0..0,
                    format!("`{}` has [metrics] but no metrics port", cx.svc.name),
                    "mark the port that serves them: metrics = true (a port named *metrics is one already)",
                )
                .field("metrics"),
            );
        }
        if let Some(k) = &m.monitor {
            one_of(k, &["service", "pod"], src, d);
        }
        if let Some(p) = m.path.as_ref().filter(|p| !p.get_ref().starts_with('/')) {
            d.push(Diagnostic::at(
                "E0182",
                src,
                p.span(),
                format!("`{}` is not an HTTP path", p.get_ref()),
                "write the path of the metrics, from `/` (/metrics)",
            ));
        }
        if let Some(i) = &m.interval {
            duration(src, i, d);
        }
    }
    let mut names = BTreeSet::new();
    for a in &f.alerts {
        let n = a.name.get_ref();
        let valid = n.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid || !names.insert(n.as_str()) {
            d.push(Diagnostic::at(
                "E0182",
                src,
                a.name.span(),
                format!("`{n}` is not a valid alert name, or is used twice"),
                "name each alert with letters, digits and `_` (TemporalWorkflowFailures)",
            ));
        }
        if a.expr.get_ref().trim().is_empty() {
            d.push(Diagnostic::at(
                "E0182",
                src,
                a.expr.span(),
                "an alert needs an expression",
                "write the PromQL expression that fires it",
            ));
        }
        if let Some(v) = &a.for_ {
            duration(src, v, d);
        }
        if let Some(s) = &a.severity {
            one_of(s, &["critical", "warning", "info"], src, d);
        }
    }
    if !monitoring && (f.metrics.is_some() || !f.alerts.is_empty()) {
        let span = f.alerts.first().map_or(0..0, |a| a.name.span());
        d.push(
            Diagnostic::at(
                "E0181",
                src,
                span,
                "metrics and alerts need the platform's monitoring, and platform.toml has no [monitoring]",
                "add [monitoring] with the engine and the rules' namespace to platform.toml",
            )
            .field(if f.alerts.is_empty() { "metrics" } else { "alerts" }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::is_duration;

    #[test]
    fn prometheus_durations() {
        for v in ["30s", "5m", "1h30m", "500ms", "7d"] {
            assert!(is_duration(v), "{v}");
        }
        for v in ["", "5", "m", "5 m", "1.5h", "-5m"] {
            assert!(!is_duration(v), "{v}");
        }
    }
}
