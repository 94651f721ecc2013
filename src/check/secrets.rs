//! Secrets: the platform's store and pull secret, and the keys each service
//! reads from its own Secret. The files of the sealed and SOPS backends are
//! checked in [`super::secret_files`].

use std::collections::BTreeSet;

use super::{ServiceCx, one_of, require_label};
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::load::Loaded;
use crate::model::PlatformFile;
use crate::names::is_env_name;

pub(super) fn check_platform(file: &SourceFile, p: &PlatformFile, d: &mut Diagnostics) {
    if let Some(ps) = &p.images.pull_secret {
        require_label(&ps.name, "Secret name", file, d);
        if p.secrets
            .as_ref()
            .is_none_or(|s| s.backend.get_ref() != "external-secrets")
        {
            d.push(Diagnostic::at(
                "E0115",
                file,
                ps.name.span(),
                "an image pull secret needs the external-secrets backend",
                "add a [secrets] table with backend = \"external-secrets\" to platform.toml",
            ));
        }
    }
    let Some(s) = &p.secrets else { return };
    one_of(
        &s.backend,
        &["external-secrets", "sealed-secrets", "sops"],
        file,
        d,
    );
    let external = s.backend.get_ref() == "external-secrets";
    if let Some(kind) = &s.store_kind {
        one_of(kind, &["ClusterSecretStore", "SecretStore"], file, d);
    }
    let missing: Vec<&str> = [
        ("store", s.store.is_some()),
        ("store_kind", s.store_kind.is_some()),
        ("refresh_interval", s.refresh_interval.is_some()),
    ]
    .iter()
    .filter(|(_, present)| external != *present)
    .map(|(f, _)| *f)
    .collect();
    if !missing.is_empty() {
        d.push(Diagnostic::at(
            "E0115",
            file,
            s.backend.span(),
            if external {
                format!("the external-secrets backend needs {}", missing.join(", "))
            } else {
                format!(
                    "{} only apply to the external-secrets backend",
                    missing.join(", ")
                )
            },
            if external {
                "name the store, its kind and the refresh interval in [secrets]"
            } else {
                "remove them: sealed and sops files come from secrets/"
            },
        ));
    }
}

/// The service's secret keys: valid variable names, each once, none also
/// set in `env`, each source naming a declared key.
pub(super) fn check_service(cx: &mut ServiceCx<'_>, d: &mut Diagnostics) {
    let (f, src) = (cx.f, cx.src);
    let mut secret_keys = BTreeSet::new();
    for s in &f.secrets {
        let k = s.get_ref();
        if !is_env_name(k) {
            d.push(Diagnostic::at(
                "E0120",
                src,
                s.span(),
                format!("`{k}` is not a valid secret key"),
                "use letters, digits and `_`: the key becomes an environment variable",
            ));
        }
        if !secret_keys.insert(k.as_str()) {
            d.push(Diagnostic::at(
                "E0115",
                src,
                s.span(),
                format!("secret key `{k}` is listed twice"),
                "list each key once",
            ));
        }
        if let Some(prev) = cx.env_names.get(k) {
            d.push(Diagnostic::at(
                "E0119",
                src,
                s.span(),
                format!("`{k}` is both a secret key and set by {prev}"),
                "keep one of the two",
            ));
        }
    }
    if !f.secrets.is_empty() && cx.ix.platform.secrets.is_none() {
        d.push(Diagnostic::at(
            "E0115",
            src,
            f.secrets[0].span(),
            "the service declares secrets but platform.toml has no [secrets] store",
            "add a [secrets] table to platform.toml",
        ));
    }
    for (k, v) in &f.secret_sources {
        if !secret_keys.contains(k.as_str()) {
            d.push(Diagnostic::at(
                "E0115",
                src,
                v.span(),
                format!("`{k}` has a source but is not in `secrets`"),
                "add the key to `secrets` or remove its source",
            ));
        }
    }
}

/// Each environment reads its own secrets: an external-secrets store and
/// prefix no other environment reads (`[environments.secrets]`); with the
/// other backends, its own files (checked with them).
pub(super) fn check_environment_stores(loaded: &Loaded, d: &mut Diagnostics) {
    let (p, file) = (&loaded.platform, &loaded.platform_source);
    let Some(s) = &p.secrets else { return };
    let reads = p.images.pull_secret.is_some()
        || loaded.services.iter().any(|s| !s.file.secrets.is_empty());
    let mut seen: Vec<(String, String, String, &str)> = Vec::new();
    for env in &p.environments {
        let name = env.name.get_ref();
        if let Some(own) = &env.secrets {
            if s.backend.get_ref() != "external-secrets" {
                d.push(Diagnostic::at(
                    "E0115",
                    file,
                    env.name.span(),
                    format!("environment `{name}` names a secret store, which only the external-secrets backend reads"),
                    format!("remove [environments.secrets]: with {} each environment has its own files, secrets/<service>.{name}.<kind>.yaml", s.backend.get_ref()),
                ).field(format!("environments.{name}.secrets")));
            }
            if let Some(k) = &own.store_kind {
                one_of(k, &["ClusterSecretStore", "SecretStore"], file, d);
            }
        }
        let Some(store) = s.external_in(Some(env)).filter(|_| reads) else {
            continue;
        };
        let key = (
            store.store_kind.to_string(),
            store.store.to_string(),
            store.prefix.to_string(),
        );
        if let Some((.., other)) = seen
            .iter()
            .find(|(k, st, pre, _)| (k, st, pre) == (&key.0, &key.1, &key.2))
        {
            d.push(Diagnostic::at(
                "E0324",
                file,
                env.name.span(),
                format!(
                    "environments `{other}` and `{name}` would read the same keys from {} `{}` (prefix `{}`): one's pods would hold the other's credentials",
                    key.0, key.1, key.2
                ),
                format!("give `{name}` its own store or prefix: [environments.secrets] store = \"…\" or prefix = \"…\""),
            ));
        } else {
            seen.push((key.0, key.1, key.2, name));
        }
    }
}
