//! Policy: what the compiler's lints check, enforced in the cluster too
//! (Kyverno ClusterPolicies, and PolicyExceptions carrying a service's
//! stated exceptions, seed 000 §8.1); the Pod Security level of each
//! namespace; and the scanner checks written as skipped onto a workload,
//! each with its reason.
//!
//! Kyverno rules match Pods; Kyverno generates the matching rules for the
//! workload kinds (`autogen-<rule>`, and `autogen-cronjob-<rule>` for
//! CronJobs). The probe rule matches the serving workloads themselves: the
//! pods of a Job run to completion and have no probes. The lints
//! `no-pdb` and `secret-in-config` need the whole platform or the sources to
//! decide, so they have no cluster-side policy.

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::base::{BASE_WAVE, NamespacePlanner};
use super::meta::WAVE_ANNOTATION;
use super::service::ServicePlanner;
use super::{Planner, one_line};
use crate::ir::{
    ClusterPolicy, ExceptedPolicy, Meta, PlannedFile, PolicyException, Resource, Workload,
};
use crate::layout::{BASE_CLUSTER_DIR, policy_exception_file};
use crate::load::LoadedService;
use crate::model::policy::lint;
use crate::model::{ServiceFile, Spanned, WorkloadKind};

/// One cluster-side rule and the lint it mirrors.
#[derive(Debug, Clone, Copy)]
pub struct KyvernoPolicy {
    pub lint: &'static str,
    /// The policy's name after the platform's: ClusterPolicies are cluster
    /// wide, so two platforms on one cluster keep theirs apart.
    pub name: &'static str,
    pub rule: &'static str,
    /// `Pod`, `Service`, or the serving workload kinds.
    pub kinds: &'static [&'static str],
    pub message: &'static str,
    pattern: fn() -> Value,
}

const POD: &[&str] = &["Pod"];

/// The workloads that serve, and so must be probed.
const SERVING: &[&str] = &["Deployment", "StatefulSet", "DaemonSet"];

pub const KYVERNO_POLICIES: &[KyvernoPolicy] = &[
    KyvernoPolicy {
        lint: "privileged",
        name: "disallow-privileged",
        rule: "privileged-containers",
        kinds: POD,
        message: "Privileged containers are not allowed.",
        pattern: || json!({"spec": {"containers": [{"=(securityContext)": {"=(privileged)": "false"}}]}}),
    },
    KyvernoPolicy {
        lint: "run-as-root",
        name: "require-run-as-non-root",
        rule: "run-as-non-root",
        kinds: POD,
        message: "Pods must set securityContext.runAsNonRoot to true.",
        pattern: || json!({"spec": {"securityContext": {"runAsNonRoot": true}}}),
    },
    KyvernoPolicy {
        lint: "writable-root-fs",
        name: "require-read-only-root-fs",
        rule: "read-only-root-fs",
        kinds: POD,
        message: "Containers must run with a read-only root file system.",
        pattern: || json!({"spec": {"containers": [{"securityContext": {"readOnlyRootFilesystem": true}}]}}),
    },
    KyvernoPolicy {
        lint: "host-network",
        name: "disallow-host-network",
        rule: "host-network",
        kinds: POD,
        message: "Pods may not use the node's network.",
        pattern: || json!({"spec": {"=(hostNetwork)": false}}),
    },
    KyvernoPolicy {
        lint: "host-port",
        name: "disallow-host-ports",
        rule: "host-ports",
        kinds: POD,
        message: "Containers may not bind ports on the node.",
        pattern: || json!({"spec": {"containers": [{"=(ports)": [{"=(hostPort)": 0}]}]}}),
    },
    KyvernoPolicy {
        lint: "service-type",
        name: "restrict-service-type",
        rule: "cluster-ip-only",
        kinds: &["Service"],
        message: "Services must be ClusterIP; publish through the gateway.",
        pattern: || json!({"spec": {"=(type)": "ClusterIP"}}),
    },
    KyvernoPolicy {
        lint: "latest-always",
        name: "disallow-latest-always",
        rule: "latest-not-always",
        kinds: POD,
        message: "An image tagged latest may not be pulled with policy Always.",
        pattern: || json!({"spec": {"containers": [{"(image)": "*:latest", "imagePullPolicy": "!Always"}]}}),
    },
    KyvernoPolicy {
        lint: "no-probes",
        name: "require-probes",
        rule: "readiness-and-liveness",
        kinds: SERVING,
        message: "Containers of serving workloads must have readiness and liveness probes.",
        pattern: || {
            json!({"spec": {"template": {"spec": {"containers": [{
                "readinessProbe": {"periodSeconds": ">0"},
                "livenessProbe": {"periodSeconds": ">0"}
            }]}}}})
        },
    },
    KyvernoPolicy {
        lint: "capabilities",
        name: "require-drop-all",
        rule: "drop-all-add-none",
        kinds: POD,
        message: "Containers must drop all capabilities and add none.",
        pattern: || json!({"spec": {"containers": [{"securityContext": {"capabilities": {"drop": ["ALL"], "X(add)": "null"}}}]}}),
    },
];

impl KyvernoPolicy {
    /// `<platform>-<name>`.
    pub fn name_in(&self, part_of: &str) -> String {
        format!("{part_of}-{}", self.name)
    }
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
        kinds: p.kinds.iter().map(|k| k.to_string()).collect(),
        part_of: part_of.to_string(),
        failure_action: failure_action.to_string(),
        message: p.message.to_string(),
        pattern: (p.pattern)(),
    }
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
            if p.kinds.contains(&"Service") {
                kinds.push("Service".into());
            }
            let autogen = if kind == WorkloadKind::CronJob {
                format!("autogen-cronjob-{}", p.rule)
            } else {
                format!("autogen-{}", p.rule)
            };
            exceptions.push(ExceptedPolicy {
                policy: p.name_in(part_of),
                rules: vec![p.rule.to_string(), autogen],
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

impl Planner<'_> {
    /// The ClusterPolicies; returns their file names in `base/cluster`.
    pub(super) fn plan_cluster_policies(&mut self) -> Vec<String> {
        let Some(k) = &self.platform.kyverno else {
            return vec![];
        };
        let mut files = Vec::new();
        for policy in KYVERNO_POLICIES {
            let name = policy.name_in(self.part_of());
            let file = format!("clusterpolicy-{name}.yaml");
            let header = self.header(
                format!("CLUSTERPOLICY: {name}"),
                format!(
                    "Enforces in the cluster the compiler's lint `{}`: {}",
                    policy.lint, policy.message
                ),
                "Kyverno installed in the cluster".into(),
                "0 (base)".into(),
                "platform.toml [kyverno]".into(),
            );
            let resource = Resource::ClusterPolicy(cluster_policy(
                policy,
                self.base_meta(&name, None),
                k.failure_action.get_ref(),
                self.part_of(),
            ));
            self.files.push(PlannedFile {
                path: format!("{BASE_CLUSTER_DIR}/{file}"),
                header,
                resource,
            });
            files.push(file);
        }
        files
    }

    /// The strictest Pod Security level every one of `services` meets, and
    /// which exceptions lower it.
    pub(super) fn pod_security_in(
        &self,
        services: &[&LoadedService],
    ) -> (&'static str, Option<String>) {
        let mut level = "restricted";
        let mut why = Vec::new();
        for s in services {
            let l = pod_security_level(&s.file);
            if l != "restricted" {
                why.push(format!("{}'s exceptions", s.name));
            }
            if l == "privileged" || (l == "baseline" && level == "restricted") {
                level = l;
            }
        }
        (level, (!why.is_empty()).then(|| why.join(", ")))
    }
}

/// Capabilities the baseline Pod Security Standard lets a container add.
const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// The strictest Pod Security Standard a service's pods meet: privileged
/// mode, the host network, host ports or capabilities beyond baseline's
/// need `privileged`; root or baseline capabilities need `baseline`.
pub fn pod_security_level(f: &ServiceFile) -> &'static str {
    let sec = f.security.as_ref();
    let on = |v: Option<&Spanned<bool>>| v.is_some_and(|b| *b.get_ref());
    let caps: Vec<&str> = sec
        .map(|s| {
            s.add_capabilities
                .iter()
                .map(|c| c.get_ref().as_str())
                .collect()
        })
        .unwrap_or_default();
    if on(sec.and_then(|s| s.privileged.as_ref()))
        || on(sec.and_then(|s| s.host_network.as_ref()))
        || f.ports.iter().any(|p| p.host_port.is_some())
        || caps.iter().any(|c| !BASELINE_CAPABILITIES.contains(c))
    {
        "privileged"
    } else if sec
        .and_then(|s| s.run_as_user.as_ref())
        .is_some_and(|u| *u.get_ref() == 0)
        || caps.iter().any(|c| *c != "NET_BIND_SERVICE")
    {
        "baseline"
    } else {
        "restricted"
    }
}

/// Pod Security admission labels: `level` enforced, restricted audited and
/// warned about.
pub fn pod_security_labels(level: &'static str) -> [(&'static str, &'static str); 3] {
    [
        ("pod-security.kubernetes.io/enforce", level),
        ("pod-security.kubernetes.io/audit", "restricted"),
        ("pod-security.kubernetes.io/warn", "restricted"),
    ]
}

/// Whether the scanner's check `id` flags the workload; None for a check
/// whose logic platformc does not know (its skip is written wherever the
/// platform's exception covers the service). Mirrors checkov 3.3.
pub fn scanner_flags(id: &str, w: &Workload) -> Option<bool> {
    let c = &w.pod.container;
    let digest = c.image.contains('@');
    let tag = c.image.rsplit('/').next().and_then(|l| l.split_once(':'));
    Some(match id {
        // Image tag fixed: not `latest`, not missing.
        "CKV_K8S_14" => !digest && tag.is_none_or(|(_, t)| t == "latest" || t.is_empty()),
        // Image pull policy Always.
        "CKV_K8S_15" => !digest && c.image_pull_policy != "Always",
        // Secrets as files rather than environment variables.
        "CKV_K8S_35" => c.secret.is_some(),
        // A high UID (10000 or more).
        "CKV_K8S_40" => w.pod.security.run_as_user < 10000,
        // Images pinned by digest.
        "CKV_K8S_43" => !digest,
        _ => return None,
    })
}

impl NamespacePlanner<'_, '_> {
    /// The PolicyExceptions of the services of this namespace: in the
    /// namespace's base, which both engines apply before any service (Argo
    /// CD's wave 0, the Flux Kustomization every service depends on). Flux
    /// dry-runs every object of a Kustomization before applying any
    /// (kustomize-controller #1194), and Kyverno's webhook judges the dry
    /// run: an exception applied with the workload it excuses would not yet
    /// exist. None without Kyverno.
    pub(super) fn policy_exception_files(&self) -> Vec<PlannedFile> {
        if self.p.platform.kyverno.is_none() {
            return vec![];
        }
        let mut files = Vec::new();
        for svc in self.services() {
            let sp = ServicePlanner::new(self.p, svc);
            let mut meta = sp.meta(svc.name.clone());
            meta.annotations.insert(WAVE_ANNOTATION.into(), "0".into());
            let Some(exception) = exception_for(&svc.file, sp.kind, self.p.part_of(), meta) else {
                continue;
            };
            let mut header = sp.header(
                "POLICYEXCEPTION",
                format!(
                    "Exempts {} from the cluster policies its stated exceptions excuse",
                    svc.name
                ),
            );
            header.depends_on = "Kyverno, and the platform's ClusterPolicies (cluster base)".into();
            header.wave = BASE_WAVE.into();
            header.notes.push(format!(
                "NOTE: in the namespace's base, applied before {}: Kyverno judges the workload when it is applied (and dry-run), so its exception must exist first",
                svc.name
            ));
            files.push(self.file(
                &policy_exception_file(&svc.name),
                header,
                Resource::PolicyException(exception),
            ));
        }
        files
    }
}

impl ServicePlanner<'_, '_> {
    /// Scanner checks this workload skips and why: the platform's scanner
    /// exceptions that cover the service and whose check flags the workload,
    /// then those the service's lint exceptions imply (first reason wins for
    /// a check named twice).
    pub(super) fn scanner_skips(&self, w: &Workload) -> Vec<(String, String)> {
        let mut skips: IndexMap<String, String> = IndexMap::new();
        for e in &self.p.platform.scanner_exceptions {
            let id = e.check.get_ref();
            if e.covers(self.name()) && scanner_flags(id, w) != Some(false) {
                skips
                    .entry(id.clone())
                    .or_insert_with(|| one_line(e.reason.get_ref()));
            }
        }
        for e in &self.svc.file.exceptions {
            let checks = lint(e.rule.get_ref()).map_or(&[][..], |l| l.scanner);
            for check in checks {
                skips
                    .entry(check.to_string())
                    .or_insert_with(|| one_line(e.reason.get_ref()).replace('=', " "));
            }
        }
        skips.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::policy::LINTS;

    #[test]
    fn every_policy_mirrors_a_lint() {
        for p in KYVERNO_POLICIES {
            assert!(LINTS.iter().any(|l| l.name == p.lint), "{}", p.lint);
            assert!((p.pattern)().is_object());
        }
    }

    fn workload(image: &str, pull: &str, uid: i64, secret: bool) -> Workload {
        use crate::ir::{Container, ContainerSecurity, Pod, PodSecurity, ResourceSpec};
        let meta = Meta {
            name: "w".into(),
            namespace: None,
            labels: IndexMap::new(),
            annotations: IndexMap::new(),
        };
        let resources = ResourceSpec {
            cpu_request: "1".into(),
            cpu_limit: "1".into(),
            memory_request: "1".into(),
            memory_limit: "1".into(),
        };
        let container = Container {
            name: "w".into(),
            image: image.into(),
            image_pull_policy: pull.into(),
            command: vec![],
            args: vec![],
            ports: vec![],
            config_map: None,
            secret: secret.then(|| "w-secrets".into()),
            security: ContainerSecurity {
                privileged: false,
                allow_privilege_escalation: false,
                read_only_root_filesystem: true,
                drop_all_capabilities: true,
                add_capabilities: vec![],
            },
            resources,
            startup_probe: None,
            readiness_probe: None,
            liveness_probe: None,
            pre_stop_sleep_seconds: None,
            mounts: vec![],
        };
        Workload {
            kind: WorkloadKind::Deployment,
            meta,
            replicas: Some(1),
            revision_history_limit: 3,
            min_ready_seconds: 0,
            rollout: None,
            selector: IndexMap::new(),
            service_name: None,
            job: None,
            pod: Pod {
                host_network: false,
                spread: None,
                image_pull_secrets: vec![],
                labels: IndexMap::new(),
                annotations: IndexMap::new(),
                service_account: "sa".into(),
                termination_grace_period_seconds: 30,
                priority_class: "p".into(),
                restart_policy: None,
                security: PodSecurity {
                    run_as_non_root: true,
                    run_as_user: uid,
                    run_as_group: uid,
                    fs_group: uid,
                },
                container,
                volumes: vec![],
            },
        }
    }

    #[test]
    fn scanner_checks_flag_what_checkov_flags() {
        let tagged = workload("r.io/a:1.0", "IfNotPresent", 65534, false);
        let latest = workload("r.io/a:latest", "Always", 999, true);
        let digest = workload("r.io/a@sha256:00", "IfNotPresent", 10000, false);
        let untagged = workload("registry:5000/a", "IfNotPresent", 65534, false);
        let flags = |id, w: &Workload| scanner_flags(id, w).unwrap();
        assert!(!flags("CKV_K8S_14", &tagged) && flags("CKV_K8S_14", &latest));
        assert!(flags("CKV_K8S_14", &untagged) && !flags("CKV_K8S_14", &digest));
        assert!(flags("CKV_K8S_15", &tagged) && !flags("CKV_K8S_15", &latest));
        assert!(!flags("CKV_K8S_15", &digest));
        assert!(!flags("CKV_K8S_35", &tagged) && flags("CKV_K8S_35", &latest));
        assert!(!flags("CKV_K8S_40", &tagged) && flags("CKV_K8S_40", &latest));
        assert!(!flags("CKV_K8S_40", &digest));
        assert!(flags("CKV_K8S_43", &tagged) && !flags("CKV_K8S_43", &digest));
        assert_eq!(scanner_flags("CKV_K8S_999", &tagged), None);
    }

    fn svc(extra: &str) -> ServiceFile {
        toml::from_str(&format!(
            "description = \"x\"\ncategory = \"c\"\nimage = \"x\"\n[resources]\ncpu = {{ request = \"1\", limit = \"1\" }}\nmemory = {{ request = \"1\", limit = \"1\" }}\n{extra}"
        ))
        .unwrap()
    }

    #[test]
    fn pod_security_follows_privileged_exceptions() {
        assert_eq!(pod_security_level(&svc("")), "restricted");
        assert_eq!(
            pod_security_level(&svc(
                "[security]\nadd_capabilities = [\"NET_BIND_SERVICE\"]"
            )),
            "restricted"
        );
        assert_eq!(
            pod_security_level(&svc("[security]\nrun_as_user = 0")),
            "baseline"
        );
        assert_eq!(
            pod_security_level(&svc("[security]\nadd_capabilities = [\"CHOWN\"]")),
            "baseline"
        );
        assert_eq!(
            pod_security_level(&svc("[security]\nadd_capabilities = [\"NET_ADMIN\"]")),
            "privileged"
        );
        assert_eq!(
            pod_security_level(&svc("[security]\nhost_network = true")),
            "privileged"
        );
        assert_eq!(
            pod_security_level(&svc("[security]\nprivileged = true")),
            "privileged"
        );
        assert_eq!(
            pod_security_labels("baseline")[0],
            ("pod-security.kubernetes.io/enforce", "baseline")
        );
    }
}
