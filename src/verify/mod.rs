//! Stage 5, verify: every rendered document is parsed back and checked.
//!
//! Core kinds are deserialized into `k8s-openapi` types and serialized again;
//! k8s-openapi ignores unknown fields, so a misspelt key silently disappears
//! in that round trip, and the comparison reports it with the file and the
//! field path. Kinds outside k8s-openapi (Kustomize, Gateway API, External
//! Secrets) are read into local structs that deny unknown fields. A failed
//! verification is a bug in a template or the plan, never in the sources, and
//! nothing is written.

use anyhow::{Result, anyhow, bail};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::render::Tree;

mod kinds;
mod traffic;

use kinds::*;
use traffic::*;

/// Verifies every YAML file of a rendered tree, spread over the machine's
/// cores; reports every failure, in path order.
pub fn verify(tree: &Tree) -> Result<()> {
    let files: Vec<(&String, &String)> = tree
        .iter()
        .filter(|(path, _)| path.ends_with(".yaml"))
        .collect();
    let failures: Vec<String> = crate::parallel::map(&files, |(path, text)| {
        let result = if crate::layout::patched_file(path).is_some() {
            verify_patch(tree, path, text)
        } else if path.ends_with(".sops.yaml") {
            verify_sops(text)
        } else if path.ends_with(crate::layout::VALUES_SUFFIX) {
            verify_values(text)
        } else {
            verify_document(text)
        };
        result.err().map(|e| format!("{path}: {e:#}"))
    })
    .into_iter()
    .flatten()
    .collect();
    if failures.is_empty() {
        Ok(())
    } else {
        bail!(
            "the rendered tree failed verification (a bug in platformc's templates, not in your sources; please report it with the lines below):\n  {}",
            failures.join("\n  ")
        )
    }
}

fn parse(text: &str) -> Result<Value> {
    if !text.ends_with('\n') || text.ends_with("\n\n") || text.contains('\r') {
        bail!("a file must end with exactly one LF newline and contain no CR");
    }
    // The documents are our own output, so the parser's resource budget
    // (a defence against hostile input) is not needed.
    let mut options = serde_saphyr::Options::default();
    options.budget = None;
    serde_saphyr::from_str_with_options(text, options).map_err(|e| anyhow!("not valid YAML: {e}"))
}

/// Parses one YAML document and checks it against its kind's type.
pub fn verify_document(text: &str) -> Result<()> {
    verify_value(&parse(text)?)
}

/// A strategic-merge patch of an overlay (`overlays/<env>/<dir>/patch-<file>`)
/// is merged onto the base document it patches (`<dir>/<file>`), and the
/// result checked like any document: a misspelt field in a patch is caught.
pub fn verify_patch(tree: &Tree, path: &str, text: &str) -> Result<()> {
    let patch = parse(text)?;
    let target = crate::layout::patched_file(path)
        .ok_or_else(|| anyhow!("is not an overlay's patch of a base file"))?;
    let base = tree
        .get(&target)
        .ok_or_else(|| anyhow!("patches {target}, which is not in the tree"))?;
    let mut doc = parse(base)?;
    if doc["kind"] != patch["kind"] || doc["metadata"]["name"] != patch["metadata"]["name"] {
        bail!("does not name the kind and name of {target}");
    }
    if patch.get("$patch").and_then(Value::as_str) == Some("delete") {
        return Ok(());
    }
    // In a strategic merge patch `null` deletes; an empty key renders as
    // `null` too, so only the deletions platformc means are allowed.
    let mut nulls = Vec::new();
    find_nulls(&patch, String::new(), &mut nulls);
    nulls.retain(|p| !p.ends_with(".topologySpreadConstraints") && p != ".spec.replicas");
    if !nulls.is_empty() {
        bail!("would delete {} from {target}", nulls.join(", "));
    }
    merge(&mut doc, &patch);
    verify_value(&doc).map_err(|e| anyhow!("merged onto {target}: {e:#}"))
}

/// The `null`s of a patch, but those inside a map it replaces whole (`$patch:
/// replace` takes the map as it is: nothing of the base's is deleted).
fn find_nulls(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Null => out.push(path),
        Value::Object(m) if m.get("$patch").and_then(Value::as_str) == Some("replace") => {}
        Value::Object(m) => {
            for (k, x) in m {
                find_nulls(x, format!("{path}.{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                find_nulls(x, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Strategic merge, as far as platformc's patches use it: maps merge
/// recursively (a map marked `$patch: replace` replaces the base's whole),
/// `null` removes a field, lists of objects with a `name` merge item by
/// item, other lists are replaced.
fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (b, Value::Object(p)) if p.get("$patch").and_then(Value::as_str) == Some("replace") => {
            let mut p = p.clone();
            p.remove("$patch");
            *b = Value::Object(p);
        }
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    b.remove(k);
                } else if let Some(existing) = b.get_mut(k) {
                    merge(existing, v);
                } else {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        (Value::Array(b), Value::Array(p))
            if p.iter().all(|i| i.get("name").is_some())
                && b.iter().all(|i| i.get("name").is_some()) =>
        {
            for item in p {
                match b.iter_mut().find(|x| x.get("name") == item.get("name")) {
                    Some(existing) => merge(existing, item),
                    None => b.push(item.clone()),
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

fn verify_value(doc: &Value) -> Result<()> {
    let doc = doc.clone();
    let api = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
    use k8s_openapi::api;
    match (api, kind) {
        ("v1", "Namespace") => round_trip::<api::core::v1::Namespace>(&doc),
        ("v1", "ServiceAccount") => round_trip::<api::core::v1::ServiceAccount>(&doc),
        ("v1", "Service") => round_trip::<api::core::v1::Service>(&doc),
        ("v1", "ConfigMap") => round_trip::<api::core::v1::ConfigMap>(&doc),
        ("v1", "PersistentVolumeClaim") => round_trip::<api::core::v1::PersistentVolumeClaim>(&doc),
        ("apps/v1", "Deployment") => round_trip::<api::apps::v1::Deployment>(&doc),
        ("apps/v1", "StatefulSet") => round_trip::<api::apps::v1::StatefulSet>(&doc),
        ("apps/v1", "DaemonSet") => round_trip::<api::apps::v1::DaemonSet>(&doc),
        ("batch/v1", "Job") => round_trip::<api::batch::v1::Job>(&doc),
        ("batch/v1", "CronJob") => round_trip::<api::batch::v1::CronJob>(&doc),
        ("networking.k8s.io/v1", "NetworkPolicy") => {
            round_trip::<api::networking::v1::NetworkPolicy>(&doc)
        }
        ("autoscaling/v2", "HorizontalPodAutoscaler") => {
            round_trip::<api::autoscaling::v2::HorizontalPodAutoscaler>(&doc)
        }
        ("policy/v1", "PodDisruptionBudget") => {
            round_trip::<api::policy::v1::PodDisruptionBudget>(&doc)
        }
        ("scheduling.k8s.io/v1", "PriorityClass") => {
            round_trip::<api::scheduling::v1::PriorityClass>(&doc)
        }
        ("storage.k8s.io/v1", "StorageClass") => round_trip::<api::storage::v1::StorageClass>(&doc),
        ("kustomize.config.k8s.io/v1beta1", "Kustomization") => strict::<Kustomization>(&doc),
        ("kustomize.config.k8s.io/v1alpha1", "Component") => strict::<Component>(&doc),
        ("gateway.networking.k8s.io/v1", "HTTPRoute") => strict::<HttpRoute>(&doc),
        ("gateway.networking.k8s.io/v1", "GRPCRoute") => strict::<GrpcRoute>(&doc),
        ("gateway.networking.k8s.io/v1", "Gateway") => strict::<Gateway>(&doc),
        ("traefik.io/v1alpha1", "Middleware") => strict::<Middleware>(&doc),
        ("cert-manager.io/v1", "Certificate") => strict::<Certificate>(&doc),
        ("cert-manager.io/v1", "Issuer" | "ClusterIssuer") => strict::<Issuer>(&doc),
        ("networking.k8s.io/v1", "Ingress") => round_trip::<api::networking::v1::Ingress>(&doc),
        ("v1", "ResourceQuota") => round_trip::<api::core::v1::ResourceQuota>(&doc),
        ("v1", "LimitRange") => round_trip::<api::core::v1::LimitRange>(&doc),
        ("kyverno.io/v1", "ClusterPolicy") => strict::<ClusterPolicy>(&doc),
        ("argoproj.io/v1alpha1", "Application") => strict::<argo::Application>(&doc),
        ("argoproj.io/v1alpha1", "ApplicationSet") => strict::<argo::ApplicationSet>(&doc),
        ("argoproj.io/v1alpha1", "AppProject") => strict::<argo::AppProject>(&doc),
        ("source.toolkit.fluxcd.io/v1", "GitRepository") => strict::<flux::GitRepository>(&doc),
        ("kustomize.toolkit.fluxcd.io/v1", "Kustomization") => strict::<flux::Kustomization>(&doc),
        ("source.toolkit.fluxcd.io/v1", "HelmRepository") => strict::<flux::HelmRepository>(&doc),
        ("source.toolkit.fluxcd.io/v1", "OCIRepository") => strict::<flux::OciRepository>(&doc),
        ("helm.toolkit.fluxcd.io/v2", "HelmRelease") => strict::<flux::HelmRelease>(&doc),
        ("monitoring.coreos.com/v1", "ServiceMonitor" | "PodMonitor")
        | ("operator.victoriametrics.com/v1beta1", "VMServiceScrape" | "VMPodScrape") => {
            strict::<monitoring::Monitor>(&doc)
        }
        ("monitoring.coreos.com/v1", "PrometheusRule")
        | ("operator.victoriametrics.com/v1beta1", "VMRule") => strict::<monitoring::Rules>(&doc),
        ("bitnami.com/v1alpha1", "SealedSecret") => strict::<SealedSecret>(&doc),
        ("kyverno.io/v2", "PolicyException") => strict::<PolicyException>(&doc),
        ("external-secrets.io/v1", "ExternalSecret") => strict::<ExternalSecret>(&doc),
        _ => bail!("no verifier for apiVersion {api:?}, kind {kind:?}"),
    }
}

/// A release's values file, copied as the user wrote it: one mapping.
pub fn verify_values(text: &str) -> Result<()> {
    match serde_saphyr::from_str(text).map_err(|e| anyhow!("not valid YAML: {e}"))? {
        Value::Object(_) => Ok(()),
        _ => bail!("a values file holds one mapping"),
    }
}

/// A SOPS-encrypted Secret, emitted as the user encrypted it: a Secret with
/// sops metadata and no plaintext value.
pub fn verify_sops(text: &str) -> Result<()> {
    let doc: Value = serde_saphyr::from_str(text).map_err(|e| anyhow!("not valid YAML: {e}"))?;
    if doc["apiVersion"] != "v1" || doc["kind"] != "Secret" || doc["sops"]["mac"].as_str().is_none()
    {
        bail!("not a SOPS-encrypted Secret");
    }
    for field in ["data", "stringData"] {
        for (k, v) in doc[field].as_object().into_iter().flatten() {
            if !v.as_str().is_some_and(|s| s.starts_with("ENC[")) {
                bail!("{field}.{k} is not encrypted");
            }
        }
    }
    Ok(())
}

fn round_trip<T: DeserializeOwned + serde::Serialize>(doc: &Value) -> Result<()> {
    let typed =
        T::deserialize(doc).map_err(|e| anyhow!("does not match the Kubernetes type: {e}"))?;
    let back = serde_json::to_value(&typed)?;
    let mut lost = Vec::new();
    compare(doc, &back, String::new(), &mut lost);
    if lost.is_empty() {
        Ok(())
    } else {
        bail!(
            "fields lost in the round trip through k8s-openapi (misspelt or misplaced): {}",
            lost.join(", ")
        )
    }
}

/// Paths under `orig` that `back` does not carry with the same value.
pub fn compare(orig: &Value, back: &Value, path: String, lost: &mut Vec<String>) {
    match (orig, back) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match b.get(k) {
                    Some(w) => compare(v, w, p, lost),
                    None => lost.push(p),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, v) in a.iter().enumerate() {
                let p = format!("{path}[{i}]");
                match b.get(i) {
                    Some(w) => compare(v, w, p, lost),
                    None => lost.push(p),
                }
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (a, b) if a == b => {}
        _ => lost.push(path),
    }
}

fn strict<T: DeserializeOwned>(doc: &Value) -> Result<()> {
    T::deserialize(doc)
        .map(|_| ())
        .map_err(|e| anyhow!("does not match the expected schema: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_field_is_caught() {
        let doc =
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  selectr:\n    app: x\n";
        let err = verify_document(doc).unwrap_err().to_string();
        assert!(err.contains("spec.selectr"), "{err}");
    }

    #[test]
    fn a_correct_document_passes() {
        let doc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  selector:\n    app: x\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n";
        verify_document(doc).unwrap();
    }

    #[test]
    fn a_patch_that_deletes_by_accident_is_refused() {
        let mut tree = Tree::new();
        tree.insert(
            "svc/x/deployment.yaml".into(),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  selector:\n    matchLabels:\n      app: x\n  template:\n    metadata:\n      labels:\n        app: x\n    spec:\n      containers:\n        - name: x\n          image: x\n".into(),
        );
        let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: 2\n  template:\n";
        let err =
            verify_patch(&tree, "overlays/dev/svc/x/patch-deployment.yaml", patch).unwrap_err();
        assert!(err.to_string().contains("spec.template"), "{err}");
        let ok =
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: 2\n";
        verify_patch(&tree, "overlays/dev/svc/x/patch-deployment.yaml", ok).unwrap();
    }

    #[test]
    fn unknown_kinds_are_refused() {
        let err = verify_document("apiVersion: x/v1\nkind: Thing\n").unwrap_err();
        assert!(err.to_string().contains("no verifier"));
    }

    #[test]
    fn crd_fields_are_checked_strictly() {
        let doc = "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: x\nspec:\n  refreshInterval: 1h\n  secretStoreRef: {kind: ClusterSecretStore, name: s}\n  target: {name: x, creationPolicy: Owner}\n  data:\n    - secretKey: A\n      remoteRef: {key: A, versoin: 1}\n";
        let err = format!("{:#}", verify_document(doc).unwrap_err());
        assert!(err.contains("versoin"), "{err}");
    }
}
