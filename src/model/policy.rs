//! Policy: the rules of the hardening plan a service may state an exception
//! to ([`LINTS`]), Kyverno enforcement, and the scanner checks a platform
//! deliberately does not follow.
//!
//! The lint table is part of the source language: an `[[exceptions]]` entry
//! names one of its lints. The check stage finds what breaks a lint, the plan
//! writes the stated reasons and the scanner checks a lint's exception
//! excuses onto the rendered objects.

use serde::Deserialize;
use toml::Spanned;

/// A scanner check (checkov `CKV_K8S_*`) the platform does not follow, the
/// services it is waived for, and why.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScannerException {
    pub check: Spanned<String>,
    /// Services the waiver covers, by name; `"*"` covers every service. The
    /// skip is written only onto the workloads the check would flag.
    pub services: Spanned<Vec<Spanned<String>>>,
    pub reason: Spanned<String>,
}

impl ScannerException {
    /// Whether the waiver covers `service`.
    pub fn covers(&self, service: &str) -> bool {
        self.services
            .get_ref()
            .iter()
            .any(|s| s.get_ref() == "*" || s.get_ref() == service)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kyverno {
    /// `Enforce` (reject) or `Audit` (report only).
    pub failure_action: Spanned<String>,
}

/// A service's departure from a lint, with the reason rendered into its
/// objects.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    pub rule: Spanned<String>,
    pub reason: Spanned<String>,
}

/// A rule of the hardening plan.
#[derive(Debug, Clone, Copy)]
pub struct Lint {
    pub code: &'static str,
    /// What an exception names.
    pub name: &'static str,
    /// The rule, as a sentence.
    pub rule: &'static str,
    /// How to follow it.
    pub fix: &'static str,
    /// The field the lint is about.
    pub field: &'static str,
    /// The checkov checks that report the same thing, so an exception to
    /// the lint also excuses them (`checkov.io/skip` annotations).
    pub scanner: &'static [&'static str],
}

pub const LINTS: &[Lint] = &[
    Lint {
        code: "E0201",
        name: "privileged",
        rule: "containers are not privileged",
        fix: "drop `security.privileged`",
        field: "security.privileged",
        // A privileged container escalates and holds every capability.
        scanner: &["CKV_K8S_16", "CKV_K8S_20", "CKV_K8S_28", "CKV_K8S_37"],
    },
    Lint {
        code: "E0202",
        name: "run-as-root",
        rule: "containers run as a non-root user",
        fix: "run as the image's non-root user (`security.run_as_user`)",
        field: "security.run_as_user",
        scanner: &["CKV_K8S_23", "CKV_K8S_40"],
    },
    Lint {
        code: "E0203",
        name: "writable-root-fs",
        rule: "the root file system is read-only",
        fix: "list the directories the process writes in `writable_paths` instead",
        field: "security.read_only_root_filesystem",
        scanner: &["CKV_K8S_22"],
    },
    Lint {
        code: "E0204",
        name: "host-network",
        rule: "pods do not use the node's network",
        fix: "drop `security.host_network`",
        field: "security.host_network",
        scanner: &["CKV_K8S_19"],
    },
    Lint {
        code: "E0205",
        name: "host-port",
        rule: "containers do not bind ports on the node",
        fix: "drop `host_port` and publish through the gateway ([[routes]])",
        field: "ports.host_port",
        scanner: &["CKV_K8S_26"],
    },
    Lint {
        code: "E0206",
        name: "service-type",
        rule: "Services are ClusterIP; traffic from outside comes through the gateway",
        fix: "drop `service_type` and add a [[routes]] entry",
        field: "service_type",
        scanner: &[],
    },
    Lint {
        code: "E0207",
        name: "latest-always",
        rule: "a `latest` image is never pulled with policy Always",
        fix: "pin a tag, or use pull policy IfNotPresent",
        field: "pull_policy",
        scanner: &["CKV_K8S_14"],
    },
    Lint {
        code: "E0208",
        name: "no-probes",
        rule: "every container has real readiness and liveness probes",
        fix: "add a [health] table with one of http, grpc, exec or tcp",
        field: "health",
        scanner: &["CKV_K8S_8", "CKV_K8S_9"],
    },
    Lint {
        code: "E0209",
        name: "no-pdb",
        rule: "a workload with more than one replica has a PodDisruptionBudget",
        fix: "drop `pdb = false`",
        field: "pdb",
        scanner: &[],
    },
    Lint {
        code: "E0210",
        name: "capabilities",
        rule: "containers drop all capabilities and add none",
        fix: "drop `security.add_capabilities`",
        field: "security.add_capabilities",
        scanner: &["CKV_K8S_37"],
    },
    Lint {
        code: "E0211",
        name: "secret-in-config",
        rule: "no secret value is written in a source file",
        fix: "list the key in `secrets` so its value comes from the secret store",
        field: "env",
        scanner: &[],
    },
];

pub fn lint(name: &str) -> Option<&'static Lint> {
    LINTS.iter().find(|l| l.name == name)
}
