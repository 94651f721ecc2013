//! The sealed and SOPS-encrypted Secrets of `secrets/`: one per service that
//! declares secrets, holding exactly its keys, never a plaintext value.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::load::{Loaded, SECRETS_DIR};

/// File name of a service's secret file under a backend.
pub fn file_name(backend: &str, service: &str) -> Option<String> {
    match backend {
        "sealed-secrets" => Some(format!("{service}.sealedsecret.yaml")),
        "sops" => Some(format!("{service}.sops.yaml")),
        _ => None,
    }
}

/// Byte span of the first occurrence of `needle` in the file, for pointing.
fn span_of(src: &SourceFile, needle: &str) -> Range<usize> {
    src.text.find(needle).map_or(0..0, |i| i..i + needle.len())
}

fn at(src: &SourceFile, needle: &str, message: String, help: String, field: &str) -> Diagnostic {
    Diagnostic::at("E0122", src, span_of(src, needle), message, help).field(field)
}

pub fn check(loaded: &Loaded, d: &mut Diagnostics) {
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
        let Some(file) = file_name(backend, &svc.name) else {
            continue;
        };
        expected.insert(file.clone());
        let namespace = p.namespace_of(&svc.file);
        let secret = format!("{}-secrets", svc.name);
        let Some(sf) = loaded.secret_files.get(&file) else {
            let hint = match backend {
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
            continue;
        };
        let src = &sf.source;
        let doc = &sf.doc;
        if backend == "sops" && (src.text.contains('\r') || !src.text.ends_with('\n')) {
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
        let (api, kind, data_fields) = match backend {
            "sealed-secrets" => (
                "bitnami.com/v1alpha1",
                "SealedSecret",
                vec!["encryptedData"],
            ),
            _ => ("v1", "Secret", vec!["data", "stringData"]),
        };
        if doc["apiVersion"] != api || doc["kind"] != kind {
            d.push(at(
                src,
                "kind",
                format!("expected a {kind} ({api})"),
                format!("the {backend} backend reads a {kind} for each service"),
                "kind",
            ));
            continue;
        }
        if doc["metadata"]["name"] != secret.as_str() {
            d.push(at(
                src,
                "name:",
                format!("the Secret must be named `{secret}`"),
                format!(
                    "{} reads exactly that Secret; rename it and seal or encrypt again",
                    svc.name
                ),
                "metadata.name",
            ));
        }
        if let Some(ns) = doc["metadata"]["namespace"].as_str()
            && ns != namespace
        {
            d.push(at(
                src,
                "namespace:",
                format!("namespace `{ns}` is not the service's namespace `{namespace}`"),
                "seal or encrypt the Secret for the service's namespace".into(),
                "metadata.namespace",
            ));
        }
        let sealed = backend == "sealed-secrets";
        let holder = if sealed { &doc["spec"] } else { doc };
        let path = |field: &str, key: &str| {
            if sealed {
                format!("spec.{field}.{key}")
            } else {
                format!("{field}.{key}")
            }
        };
        let mut keys = BTreeSet::new();
        for field in &data_fields {
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
                        &path(field, k),
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
        let declared: BTreeSet<String> = svc
            .file
            .secrets
            .iter()
            .map(|k| k.get_ref().clone())
            .collect();
        for missing in declared.difference(&keys) {
            d.push(Diagnostic::at(
                "E0122",
                &svc.source,
                svc.file.secrets.iter().find(|k| k.get_ref() == missing).map_or(0..0, |k| k.span()),
                format!("{SECRETS_DIR}/{file} holds no key `{missing}`"),
                "add the key to the Secret and seal or encrypt it again, or remove it from `secrets`",
            ));
        }
        for extra in keys.difference(&declared) {
            d.push(at(
                src,
                extra,
                format!("`{extra}` is not one of the keys `{}` declares", svc.name),
                "declare it in the service's `secrets`, or remove it from the file".into(),
                &path(data_fields[0], extra),
            ));
        }
    }
    for (name, sf) in &loaded.secret_files {
        if !expected.contains(name) {
            d.push(Diagnostic::at(
                "E0122",
                &sf.source,
                0..0,
                format!("{SECRETS_DIR}/{name} belongs to no service of the `{backend}` secret backend"),
                "name it <service>.sealedsecret.yaml (sealed-secrets) or <service>.sops.yaml (sops) after a service that declares secrets, or remove it",
            )
            .field(""));
        }
    }
}
