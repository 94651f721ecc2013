//! Configuration: the keys of a service's ConfigMap (its `env`, and the
//! addresses its dependencies and routes write there) and its mounted
//! config file sets.

use std::collections::{BTreeMap, BTreeSet};

use super::{ServiceCx, require_unique};
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::model::Spanned;
use crate::names::{is_dns_label, is_env_name};

/// `env` keys are valid variable names; they claim their ConfigMap keys.
pub(super) fn check_env(cx: &mut ServiceCx<'_>, d: &mut Diagnostics) {
    for (k, v) in &cx.f.env {
        if !is_env_name(k) {
            d.push(Diagnostic::at(
                "E0120",
                cx.src,
                v.span(),
                format!("`{k}` is not a valid environment variable name"),
                "use letters, digits and `_`, not starting with a digit",
            ));
        }
        cx.env_names.insert(k.clone(), "env");
    }
}

/// The most data the API server takes in one ConfigMap (1 MiB).
const CONFIGMAP_MAX_BYTES: usize = 1024 * 1024;

/// E0315 when a ConfigMap's keys and values add up to more than the API
/// server stores in one.
fn fits_configmap<'a>(
    cx: &ServiceCx<'_>,
    what: &str,
    span: std::ops::Range<usize>,
    entries: impl Iterator<Item = (&'a str, &'a str)>,
    d: &mut Diagnostics,
) {
    let size: usize = entries.map(|(k, v)| k.len() + v.len()).sum();
    if size > CONFIGMAP_MAX_BYTES {
        d.push(Diagnostic::at(
            "E0315",
            cx.src,
            span,
            format!("{what} holds {size} bytes; the API server refuses a ConfigMap over {CONFIGMAP_MAX_BYTES} (1 MiB)"),
            "keep large data out of configuration: bake it into the image, or serve it from storage",
        ));
    }
}

/// Config file sets: valid, unique names that do not collide with the
/// service's own ConfigMap and Secret, each within a ConfigMap's size; and
/// the service's own ConfigMap (its `env`) within it too.
pub(super) fn check_files(cx: &ServiceCx<'_>, d: &mut Diagnostics) {
    if let Some((_, first)) = cx.f.env.iter().next() {
        fits_configmap(
            cx,
            "the service's ConfigMap (`env`)",
            first.span(),
            cx.f.env
                .iter()
                .map(|(k, v)| (k.as_str(), v.get_ref().as_str())),
            d,
        );
    }
    let mut cm_names = BTreeSet::new();
    for c in &cx.f.config_files {
        fits_configmap(
            cx,
            &format!("config file set `{}`", c.name.get_ref()),
            c.name.span(),
            c.files.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            d,
        );
        let name = c.name.get_ref();
        if !is_dns_label(name) || name == "config" || name == "secrets" {
            d.push(Diagnostic::at(
                "E0010",
                cx.src,
                c.name.span(),
                format!("`{name}` cannot name a config file set"),
                "use lower-case letters, digits and `-`, other than `config` and `secrets`",
            ));
        }
        require_unique(&mut cm_names, &c.name, "config file set", cx.src, d);
    }
}

/// A ConfigMap key that a dependency or route writes: a valid variable name
/// that nothing else sets.
pub(super) fn check_env_slot<T>(
    src: &SourceFile,
    at: &Spanned<T>,
    env: &str,
    what: &'static str,
    env_names: &mut BTreeMap<String, &'static str>,
    d: &mut Diagnostics,
) {
    if !is_env_name(env) {
        d.push(Diagnostic::at(
            "E0120",
            src,
            at.span(),
            format!("`{env}` is not a valid environment variable name"),
            "use letters, digits and `_`, not starting with a digit",
        ));
    }
    if let Some(prev) = env_names.insert(env.to_string(), what) {
        d.push(Diagnostic::at(
            "E0119",
            src,
            at.span(),
            format!("`{env}` is set by {what} and by {prev}"),
            "set each environment variable in one place",
        ));
    }
}
