//! Kyverno ClusterPolicies that enforce in the cluster what the compiler's
//! lints check at compile time, and the PolicyExceptions that carry a
//! service's stated exceptions there too.
//!
//! Rules match Pods; Kyverno generates the matching rules for Deployments,
//! StatefulSets and DaemonSets (`autogen-<rule>`). The lints `no-pdb` and
//! `secret-in-config` need the whole platform or the sources to decide, so
//! they have no cluster-side policy.

use serde::Serialize;
use serde_json::{Value, json};

use super::Meta;
use crate::model::{ServiceFile, WorkloadKind};

/// One cluster-side rule and the lint it mirrors.
#[derive(Debug, Clone, Copy)]
pub struct KyvernoPolicy {
    pub lint: &'static str,
    pub name: &'static str,
    pub rule: &'static str,
    /// `Pod` or `Service`.
    pub kind: &'static str,
    pub message: &'static str,
    pattern: fn() -> Value,
}

pub const KYVERNO_POLICIES: &[KyvernoPolicy] = &[
    KyvernoPolicy {
        lint: "privileged",
        name: "platformc-disallow-privileged",
        rule: "privileged-containers",
        kind: "Pod",
        message: "Privileged containers are not allowed.",
        pattern: || json!({"spec": {"containers": [{"=(securityContext)": {"=(privileged)": "false"}}]}}),
    },
    KyvernoPolicy {
        lint: "run-as-root",
        name: "platformc-require-run-as-non-root",
        rule: "run-as-non-root",
        kind: "Pod",
        message: "Pods must set securityContext.runAsNonRoot to true.",
        pattern: || json!({"spec": {"securityContext": {"runAsNonRoot": true}}}),
    },
    KyvernoPolicy {
        lint: "writable-root-fs",
        name: "platformc-require-read-only-root-fs",
        rule: "read-only-root-fs",
        kind: "Pod",
        message: "Containers must run with a read-only root file system.",
        pattern: || json!({"spec": {"containers": [{"securityContext": {"readOnlyRootFilesystem": true}}]}}),
    },
    KyvernoPolicy {
        lint: "host-network",
        name: "platformc-disallow-host-network",
        rule: "host-network",
        kind: "Pod",
        message: "Pods may not use the node's network.",
        pattern: || json!({"spec": {"=(hostNetwork)": false}}),
    },
    KyvernoPolicy {
        lint: "host-port",
        name: "platformc-disallow-host-ports",
        rule: "host-ports",
        kind: "Pod",
        message: "Containers may not bind ports on the node.",
        pattern: || json!({"spec": {"containers": [{"=(ports)": [{"=(hostPort)": 0}]}]}}),
    },
    KyvernoPolicy {
        lint: "service-type",
        name: "platformc-restrict-service-type",
        rule: "cluster-ip-only",
        kind: "Service",
        message: "Services must be ClusterIP; publish through the gateway.",
        pattern: || json!({"spec": {"=(type)": "ClusterIP"}}),
    },
    KyvernoPolicy {
        lint: "latest-always",
        name: "platformc-disallow-latest-always",
        rule: "latest-not-always",
        kind: "Pod",
        message: "An image tagged latest may not be pulled with policy Always.",
        pattern: || json!({"spec": {"containers": [{"(image)": "*:latest", "imagePullPolicy": "!Always"}]}}),
    },
    KyvernoPolicy {
        lint: "no-probes",
        name: "platformc-require-probes",
        rule: "readiness-and-liveness",
        kind: "Pod",
        message: "Containers must have readiness and liveness probes.",
        pattern: || {
            json!({"spec": {"containers": [{
                "readinessProbe": {"periodSeconds": ">0"},
                "livenessProbe": {"periodSeconds": ">0"}
            }]}})
        },
    },
    KyvernoPolicy {
        lint: "capabilities",
        name: "platformc-require-drop-all",
        rule: "drop-all-add-none",
        kind: "Pod",
        message: "Containers must drop all capabilities and add none.",
        pattern: || json!({"spec": {"containers": [{"securityContext": {"capabilities": {"drop": ["ALL"], "X(add)": "null"}}}]}}),
    },
];

#[derive(Debug, Clone, Serialize)]
pub struct ClusterPolicy {
    pub meta: Meta,
    pub rule: String,
    pub kind: String,
    /// Namespaces are matched by their `app.kubernetes.io/part-of` label, so
    /// the policy covers every environment's namespace.
    pub part_of: String,
    pub failure_action: String,
    pub message: String,
    pub pattern: Value,
}

pub fn cluster_policy(
    p: &KyvernoPolicy,
    meta: Meta,
    failure_action: &str,
    part_of: &str,
) -> ClusterPolicy {
    ClusterPolicy {
        meta,
        rule: p.rule.to_string(),
        kind: p.kind.to_string(),
        part_of: part_of.to_string(),
        failure_action: failure_action.to_string(),
        message: p.message.to_string(),
        pattern: (p.pattern)(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyException {
    pub meta: Meta,
    pub exceptions: Vec<ExceptedPolicy>,
    pub kinds: Vec<String>,
    /// Matched by label, like the policies, so one exception serves every
    /// environment's namespace.
    pub part_of: String,
    /// The workload and the pods it creates.
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExceptedPolicy {
    pub policy: String,
    pub rules: Vec<String>,
    /// The reason stated in the service file.
    pub reason: String,
}

/// The PolicyException of a service whose exceptions have cluster-side
/// policies; none when it has no such exception.
pub fn exception_for(
    f: &ServiceFile,
    kind: WorkloadKind,
    part_of: &str,
    meta: Meta,
) -> Option<PolicyException> {
    let mut exceptions = Vec::new();
    let mut kinds = vec!["Pod".to_string(), format!("{kind:?}")];
    for e in &f.exceptions {
        for p in KYVERNO_POLICIES
            .iter()
            .filter(|p| p.lint == e.rule.get_ref())
        {
            if p.kind == "Service" {
                kinds.push("Service".into());
            }
            exceptions.push(ExceptedPolicy {
                policy: p.name.to_string(),
                rules: vec![p.rule.to_string(), format!("autogen-{}", p.rule)],
                reason: e
                    .reason
                    .get_ref()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            });
        }
    }
    if exceptions.is_empty() {
        return None;
    }
    let name = meta.name.clone();
    Some(PolicyException {
        meta,
        exceptions,
        kinds,
        part_of: part_of.to_string(),
        names: vec![name.clone(), format!("{name}-*")],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::LINTS;

    #[test]
    fn every_policy_mirrors_a_lint() {
        for p in KYVERNO_POLICIES {
            assert!(LINTS.iter().any(|l| l.name == p.lint), "{}", p.lint);
            assert!((p.pattern)().is_object());
        }
    }
}
