//! Policy lints: the rules of seed 000 §9.4 that a service could break.
//!
//! Each lint is an error with a stable code unless the service states an
//! exception naming the lint and the reason (`[[exceptions]] rule = "…"`);
//! the reason is carried into the rendered objects. An exception that
//! excuses nothing is itself an error, so exceptions stay true.
//!
//! Rules the model cannot break are not lints: every object gets its labels,
//! named ports, requests and limits, and every workload reads only its own
//! Secret, because the compiler writes them.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::load::LoadedService;
use crate::model::PlatformFile;

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

/// Parts of a variable name that mark its value as a credential.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "ACCESSKEY",
    "CREDENTIAL",
];

/// Whether a configuration entry looks like it carries a secret value: a
/// credential-like name with a value, or a URL with a password in it.
pub fn looks_secret(key: &str, value: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    let named = SECRET_WORDS.iter().any(|w| upper.contains(w)) && !value.is_empty();
    let url_password = value.split("://").nth(1).is_some_and(|rest| {
        let authority = rest.split('/').next().unwrap_or("");
        authority
            .rsplit_once('@')
            .is_some_and(|(userinfo, _)| userinfo.contains(':'))
    });
    named || url_password
}

pub fn lint(name: &str) -> Option<&'static Lint> {
    LINTS.iter().find(|l| l.name == name)
}

/// Records which lints a service triggers and reports those not excused.
struct Linter<'a> {
    src: &'a SourceFile,
    excepted: BTreeSet<&'a str>,
    triggered: BTreeSet<&'static str>,
}

impl Linter<'_> {
    fn hit(
        &mut self,
        name: &'static str,
        span: Range<usize>,
        message: String,
        d: &mut Diagnostics,
    ) {
        self.triggered.insert(name);
        if self.excepted.contains(name) {
            return;
        }
        let Some(l) = lint(name) else { return };
        let at_file = span == (0..0);
        let mut diag = Diagnostic::at(
            l.code,
            self.src,
            span,
            format!("{message} (lint `{name}`: {})", l.rule),
            format!(
                "{}, or state an exception: [[exceptions]] rule = \"{name}\" with the reason",
                l.fix
            ),
        );
        if at_file {
            // A missing table has no span: name the field that is missing.
            diag = diag.field(l.field);
        }
        d.push(diag);
    }
}

pub fn check(svc: &LoadedService, platform: &PlatformFile, d: &mut Diagnostics) {
    let f = &svc.file;
    let src = &svc.source;
    let mut l = Linter {
        src,
        excepted: f
            .exceptions
            .iter()
            .map(|e| e.rule.get_ref().as_str())
            .collect(),
        triggered: BTreeSet::new(),
    };

    if let Some(sec) = &f.security {
        if let Some(p) = sec.privileged.as_ref().filter(|p| *p.get_ref()) {
            l.hit(
                "privileged",
                p.span(),
                "the container is privileged".into(),
                d,
            );
        }
        if let Some(u) = sec.run_as_user.as_ref().filter(|u| *u.get_ref() == 0) {
            l.hit(
                "run-as-root",
                u.span(),
                "the container runs as root".into(),
                d,
            );
        }
        if let Some(r) = sec
            .read_only_root_filesystem
            .as_ref()
            .filter(|r| !*r.get_ref())
        {
            l.hit(
                "writable-root-fs",
                r.span(),
                "the root file system is writable".into(),
                d,
            );
        }
        if let Some(h) = sec.host_network.as_ref().filter(|h| *h.get_ref()) {
            l.hit(
                "host-network",
                h.span(),
                "the pod uses the node's network".into(),
                d,
            );
        }
        if let Some(c) = sec.add_capabilities.first() {
            l.hit(
                "capabilities",
                c.span(),
                format!("the container adds capability {}", c.get_ref()),
                d,
            );
        }
    }
    for p in &f.ports {
        if let Some(h) = &p.host_port {
            l.hit(
                "host-port",
                h.span(),
                format!(
                    "port `{}` binds node port {}",
                    p.name.get_ref(),
                    h.get_ref()
                ),
                d,
            );
        }
    }
    if let Some(t) = f
        .service_type
        .as_ref()
        .filter(|t| t.get_ref() != "ClusterIP")
    {
        l.hit(
            "service-type",
            t.span(),
            format!("the Service is of type {}", t.get_ref()),
            d,
        );
    }
    let policy = f
        .pull_policy
        .as_ref()
        .map_or(platform.images.pull_policy.get_ref(), |p| p.get_ref());
    let image = f.image.get_ref();
    let tag = if f.own_image() {
        Some(platform.images.tag.get_ref().as_str())
    } else {
        f.image_tag()
    };
    if policy == "Always" && tag == Some("latest") {
        let span = f.pull_policy.as_ref().map_or(f.image.span(), |p| p.span());
        l.hit(
            "latest-always",
            span,
            format!("image `{image}` is tagged latest and pulled Always"),
            d,
        );
    }
    for (k, v) in &f.env {
        if looks_secret(k, v.get_ref()) {
            l.hit(
                "secret-in-config",
                v.span(),
                format!(
                    "`{k}` looks like a secret, and its value would be committed in a ConfigMap"
                ),
                d,
            );
        }
    }
    if f.health.is_none() {
        l.hit(
            "no-probes",
            0..0,
            format!("service `{}` has no health check", svc.name),
            d,
        );
    }
    let replicas = f.replicas(platform.defaults.replicas).unwrap_or(1);
    if let Some(p) = f.pdb.as_ref().filter(|p| !*p.get_ref())
        && replicas > 1
    {
        l.hit(
            "no-pdb",
            p.span(),
            format!("{replicas} replicas run without a PodDisruptionBudget"),
            d,
        );
    }

    for e in &f.exceptions {
        let rule = e.rule.get_ref().as_str();
        if lint(rule).is_none() {
            d.push(Diagnostic::at(
                "E0114",
                src,
                e.rule.span(),
                format!("unknown exception rule `{rule}`"),
                format!(
                    "name one of the lints: {}",
                    LINTS.iter().map(|l| l.name).collect::<Vec<_>>().join(", ")
                ),
            ));
        } else if !l.triggered.contains(rule) {
            d.push(Diagnostic::at(
                "E0114",
                src,
                e.rule.span(),
                format!(
                    "exception `{rule}` is not needed: the service does not do what it excuses"
                ),
                "remove the exception",
            ));
        }
        if e.reason.get_ref().trim().len() < 10 {
            d.push(Diagnostic::at(
                "E0114",
                src,
                e.reason.span(),
                "an exception needs a real reason",
                "say in a sentence why the service cannot follow the rule",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::looks_secret;

    #[test]
    fn secret_values_are_recognised() {
        assert!(looks_secret("DB_PASSWORD", "hunter2"));
        assert!(looks_secret("github_token", "ghp_x"));
        assert!(looks_secret(
            "DATABASE_URL",
            "postgres://app:hunter2@db:5432/app"
        ));
        assert!(!looks_secret("DATABASE_URL", "postgres://db:5432/app"));
        assert!(!looks_secret("DATABASE_URL", "postgres://app@db:5432/app"));
        assert!(!looks_secret("REGISTRY_STORAGE_S3_SECURE", "false"));
        assert!(!looks_secret("TOKEN_FILE", ""));
    }
}
