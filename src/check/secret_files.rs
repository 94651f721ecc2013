//! The sealed and SOPS-encrypted Secrets of `secrets/`: one per service that
//! declares secrets, holding exactly its keys, never a plaintext value; a
//! sealed one unsealable wherever the environments run the service.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::layout::{SECRETS_DIR, env_secret_file, secret_file};
use crate::load::{Loaded, LoadedService, SecretFile};
use crate::model::Environment;

/// Byte span of the first occurrence of `needle` in the file, for pointing.
fn span_of(src: &SourceFile, needle: &str) -> Range<usize> {
    src.text.find(needle).map_or(0..0, |i| i..i + needle.len())
}

fn at(src: &SourceFile, needle: &str, message: String, help: String, field: &str) -> Diagnostic {
    Diagnostic::at("E0122", src, span_of(src, needle), message, help).field(field)
}

/// What a backend's file must be: its kind and the fields holding values.
struct Expected<'a> {
    backend: &'a str,
    file: String,
    namespace: &'a str,
    secret: String,
}

pub(super) fn check(loaded: &Loaded, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let backend = p
        .secrets
        .as_ref()
        .map_or("", |s| s.backend.get_ref().as_str());
    let mut expected = BTreeSet::new();
    for svc in loaded
        .services
        .iter()
        .filter(|s| !s.file.secrets.is_empty())
    {
        check_service_files(loaded, svc, backend, &mut expected, d);
    }
    for (name, sf) in &loaded.secret_files {
        let stem = name.split('.').next().unwrap_or(name);
        if !expected.contains(name) && !loaded.unparsed.iter().any(|u| u == stem) {
            d.push(Diagnostic::at(
                "E0122",
                &sf.source,
                0..0,
                format!("{SECRETS_DIR}/{name} belongs to no service of the `{backend}` secret backend"),
                "name it <service>.sealedsecret.yaml (sealed-secrets) or <service>.sops.yaml (sops) after a service that declares secrets, or <service>.<environment>.sealedsecret.yaml for an environment that runs it, or remove it",
            )
            .field(""));
        }
    }
}

/// A service's files: each environment's own where it has one (sealed or
/// encrypted for the namespace it runs in there), the shared one for the
/// others; no two environments may read one file (one's pods would hold the
/// other's credentials).
fn check_service_files<'a>(
    loaded: &'a Loaded,
    svc: &'a LoadedService,
    backend: &'a str,
    expected: &mut BTreeSet<String>,
    d: &mut Diagnostics,
) {
    let p = &loaded.platform;
    let Some(shared) = secret_file(backend, &svc.name) else {
        return;
    };
    let base_ns = p.namespace_of(&svc.file);
    let secret = format!("{}-secrets", svc.name);
    let mut on_shared: Vec<&Environment> = Vec::new();
    for env in p
        .environments
        .iter()
        .filter(|e| !e.exclude.iter().any(|x| x.get_ref() == &svc.name))
    {
        let own = env_secret_file(backend, &svc.name, env.name.get_ref()).unwrap_or_default();
        let Some(sf) = loaded.secret_files.get(&own) else {
            on_shared.push(env);
            continue;
        };
        expected.insert(own.clone());
        let here = env.namespace_for(base_ns);
        let want = Expected {
            backend,
            file: own,
            namespace: &here,
            secret: secret.clone(),
        };
        check_file(svc, sf, &want, d);
    }
    if !on_shared.is_empty() || p.environments.is_empty() {
        expected.insert(shared.clone());
        let want = Expected {
            backend,
            file: shared,
            namespace: base_ns,
            secret,
        };
        match loaded.secret_files.get(&want.file) {
            Some(sf) => {
                check_file(svc, sf, &want, d);
                check_scope(svc, sf, &want, &on_shared, d);
            }
            None => missing_file(svc, &want, d),
        }
        if let [first, second, ..] = on_shared.as_slice() {
            shared_by_environments(svc, backend, &want, first, second, d);
        }
    }
}

/// E0324: two environments would read one secret file.
fn shared_by_environments(
    svc: &LoadedService,
    backend: &str,
    want: &Expected<'_>,
    first: &Environment,
    second: &Environment,
    d: &mut Diagnostics,
) {
    let (a, b) = (first.name.get_ref(), second.name.get_ref());
    let own = env_secret_file(backend, &svc.name, a).unwrap_or_default();
    d.push(Diagnostic::at(
        "E0324",
        &svc.source,
        svc.file.secrets[0].span(),
        format!(
            "environments `{a}` and `{b}` would both read {SECRETS_DIR}/{}: `{}`'s pods in one would hold the other's credentials",
            want.file, svc.name
        ),
        format!("give each environment its own: seal or encrypt `{a}`'s keys into {SECRETS_DIR}/{own}, for the namespace it runs in there"),
    ));
}

fn missing_file(svc: &LoadedService, want: &Expected<'_>, d: &mut Diagnostics) {
    let (secret, namespace, file) = (&want.secret, want.namespace, &want.file);
    let hint = match want.backend {
        "sealed-secrets" => format!(
            "seal the keys with kubeseal: kubectl create secret generic {secret} -n {namespace} --from-literal=KEY=… --dry-run=client -o yaml | kubeseal -o yaml > {SECRETS_DIR}/{file}"
        ),
        _ => format!(
            "write the Secret {secret} (namespace {namespace}) with its keys and encrypt it in place: sops --encrypt --in-place {SECRETS_DIR}/{file}"
        ),
    };
    d.push(Diagnostic::at(
        "E0122",
        &svc.source,
        svc.file.secrets[0].span(),
        format!(
            "`{}` declares secrets but {SECRETS_DIR}/{file} does not exist",
            svc.name
        ),
        hint,
    ));
}

fn check_file(svc: &LoadedService, sf: &SecretFile, want: &Expected<'_>, d: &mut Diagnostics) {
    let src = &sf.source;
    if want.backend == "sops" && (src.text.contains('\r') || !src.text.ends_with('\n')) {
        d.push(
            Diagnostic::at(
                "E0122",
                src,
                0..0,
                "the file must use LF line endings and end with a newline",
                "fix the line endings before encrypting, then encrypt again (platformc copies the file byte for byte)",
            )
            .field(""),
        );
    }
    if !check_identity(svc, sf, want, d) {
        return;
    }
    let keys = check_values(sf, want, d);
    check_keys(svc, sf, want, &keys, d);
}

/// A SealedSecret unseals only in the namespace it was sealed for, unless
/// it was sealed cluster-wide: every environment that renames the
/// service's namespace needs a cluster-wide seal.
fn check_scope(
    svc: &LoadedService,
    sf: &SecretFile,
    want: &Expected<'_>,
    envs: &[&Environment],
    d: &mut Diagnostics,
) {
    if want.backend != "sealed-secrets" {
        return;
    }
    let cluster_wide =
        sf.doc["metadata"]["annotations"]["sealedsecrets.bitnami.com/cluster-wide"] == "true";
    if cluster_wide {
        return;
    }
    for env in envs {
        let here = env.namespace_for(want.namespace);
        if here != want.namespace {
            d.push(at(
                &sf.source,
                "namespace:",
                format!(
                    "{} is sealed for namespace `{}`, but environment `{}` runs `{}` in `{here}`, where it cannot be unsealed",
                    want.file,
                    want.namespace,
                    env.name.get_ref(),
                    svc.name
                ),
                format!(
                    "seal it cluster-wide (kubeseal --scope cluster-wide), or keep the namespace's name in `{}` (namespace_names)",
                    env.name.get_ref()
                ),
                "metadata.namespace",
            ).code("E0167"));
            return;
        }
    }
}

/// Kind, name and namespace; false when the file is not the backend's kind
/// at all (nothing else is worth checking then).
fn check_identity(
    svc: &LoadedService,
    sf: &SecretFile,
    want: &Expected<'_>,
    d: &mut Diagnostics,
) -> bool {
    let (src, doc) = (&sf.source, &sf.doc);
    let (api, kind) = match want.backend {
        "sealed-secrets" => ("bitnami.com/v1alpha1", "SealedSecret"),
        _ => ("v1", "Secret"),
    };
    if doc["apiVersion"] != api || doc["kind"] != kind {
        d.push(at(
            src,
            "kind",
            format!("expected a {kind} ({api})"),
            format!(
                "the {} backend reads a {kind} for each service",
                want.backend
            ),
            "kind",
        ));
        return false;
    }
    if doc["metadata"]["name"] != want.secret.as_str() {
        d.push(at(
            src,
            "name:",
            format!("the Secret must be named `{}`", want.secret),
            format!(
                "{} reads exactly that Secret; rename it and seal or encrypt again",
                svc.name
            ),
            "metadata.name",
        ));
    }
    if let Some(ns) = doc["metadata"]["namespace"].as_str()
        && ns != want.namespace
    {
        d.push(at(
            src,
            "namespace:",
            format!(
                "namespace `{ns}` is not the service's namespace `{}`",
                want.namespace
            ),
            "seal or encrypt the Secret for the service's namespace".into(),
            "metadata.namespace",
        ));
    }
    true
}

/// The fields holding the values, and the path a diagnostic names for a key.
fn data_fields(backend: &str) -> &'static [&'static str] {
    match backend {
        "sealed-secrets" => &["encryptedData"],
        _ => &["data", "stringData"],
    }
}

fn key_path(backend: &str, field: &str, key: &str) -> String {
    if backend == "sealed-secrets" {
        format!("spec.{field}.{key}")
    } else {
        format!("{field}.{key}")
    }
}

/// Every value is encrypted (and the file carries sops metadata); returns
/// the keys the file holds.
fn check_values(sf: &SecretFile, want: &Expected<'_>, d: &mut Diagnostics) -> BTreeSet<String> {
    let (src, doc, backend, file) = (&sf.source, &sf.doc, want.backend, &want.file);
    let holder = if backend == "sealed-secrets" {
        &doc["spec"]
    } else {
        doc
    };
    let mut keys = BTreeSet::new();
    for field in data_fields(backend) {
        for (k, v) in holder[*field].as_object().into_iter().flatten() {
            keys.insert(k.clone());
            let encrypted = match backend {
                "sops" => v.as_str().is_some_and(|s| s.starts_with("ENC[")),
                _ => v.as_str().is_some_and(|s| !s.is_empty()),
            };
            if !encrypted {
                d.push(at(
                    src,
                    k,
                    format!("the value of `{k}` is not encrypted"),
                    match backend {
                        "sops" => format!(
                            "encrypt the file: sops --encrypt --in-place {SECRETS_DIR}/{file}"
                        ),
                        _ => "seal the value with kubeseal".to_string(),
                    },
                    &key_path(backend, field, k),
                ));
            }
        }
    }
    if backend == "sops" && doc["sops"]["mac"].as_str().is_none() {
        d.push(at(
            src,
            "apiVersion",
            "the file carries no sops metadata: it is not encrypted".into(),
            format!("encrypt it: sops --encrypt --in-place {SECRETS_DIR}/{file}"),
            "sops",
        ));
    }
    keys
}

/// The file holds exactly the keys the service declares.
fn check_keys(
    svc: &LoadedService,
    sf: &SecretFile,
    want: &Expected<'_>,
    keys: &BTreeSet<String>,
    d: &mut Diagnostics,
) {
    let declared: BTreeSet<String> = svc
        .file
        .secrets
        .iter()
        .map(|k| k.get_ref().clone())
        .collect();
    for missing in declared.difference(keys) {
        d.push(Diagnostic::at(
            "E0122",
            &svc.source,
            svc.file
                .secrets
                .iter()
                .find(|k| k.get_ref() == missing)
                .map_or(0..0, |k| k.span()),
            format!("{SECRETS_DIR}/{} holds no key `{missing}`", want.file),
            "add the key to the Secret and seal or encrypt it again, or remove it from `secrets`",
        ));
    }
    for extra in keys.difference(&declared) {
        d.push(at(
            &sf.source,
            extra,
            format!("`{extra}` is not one of the keys `{}` declares", svc.name),
            "declare it in the service's `secrets`, or remove it from the file".into(),
            &key_path(want.backend, data_fields(want.backend)[0], extra),
        ));
    }
}
