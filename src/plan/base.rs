//! The platform base (wave 0): `base/cluster` holds what a cluster has once
//! (priority classes, the storage class, Kyverno policies, cluster issuers),
//! `base/namespaces/<namespace>` what each namespace of the platform needs
//! (the namespace with its Pod Security level, the service account, the
//! default deny, the pull secret, its quota and limit range, the Kyverno
//! exceptions of its services, and, in the platform namespace, the edge's
//! Gateway and certificates); and the
//! deployment-defaults component every service includes.
//!
//! A namespace is planned by a [`NamespacePlanner`], as the base runs it or
//! as an environment does (the environment's overlay is the difference).

use super::Planner;
use super::policy::pod_security_labels;
use crate::ir::{
    Component, ComponentPatch, Header, Kustomization, Meta, Namespace, PlannedFile, PriorityClass,
    Resource, ServiceAccount,
};
use crate::layout::{
    BASE_CLUSTER_DIR, BASE_DIR, DEFAULTS_COMPONENT, KUSTOMIZATION, NAMESPACE_FILE,
    SERVICEACCOUNT_FILE, namespace_dir,
};
use crate::load::LoadedService;
use crate::model::Environment;

pub const BASE_WAVE: &str = "0 (base)";

/// One namespace of the platform, as the base or an environment runs it.
pub(super) struct NamespacePlanner<'p, 'a> {
    pub p: &'p Planner<'a>,
    /// The environment being planned; None for the base.
    pub env: Option<&'a Environment>,
    /// The namespace's base name (what its objects' metadata names; an
    /// environment's overlay renames it).
    pub ns: String,
    pub dir: String,
}

impl<'p, 'a> NamespacePlanner<'p, 'a> {
    pub(super) fn new(p: &'p Planner<'a>, env: Option<&'a Environment>, ns: &str) -> Self {
        NamespacePlanner {
            p,
            env,
            ns: ns.to_string(),
            dir: namespace_dir(ns),
        }
    }

    /// The namespace's name where it runs.
    pub(super) fn here(&self) -> String {
        self.p.namespace_in(self.env, &self.ns)
    }

    /// Whether this is the platform's own namespace.
    pub(super) fn is_platform(&self) -> bool {
        &self.ns == self.p.platform.platform.namespace.get_ref()
    }

    /// The services that run in this namespace here.
    pub(super) fn services(&self) -> Vec<&'a LoadedService> {
        self.p
            .services_in(self.env)
            .into_iter()
            .filter(|s| super::namespace_of(self.p.platform, s) == self.ns)
            .collect()
    }

    /// Metadata of a platform-level object of this namespace.
    pub(super) fn meta(&self, name: &str) -> Meta {
        self.p.base_meta(name, Some(&self.ns))
    }

    pub(super) fn header(&self, title: String, purpose: String, needs: String) -> Header {
        self.p.header(
            title,
            purpose,
            needs,
            BASE_WAVE.into(),
            "platform.toml".into(),
        )
    }

    /// A file of the namespace's directory.
    pub(super) fn file(&self, name: &str, header: Header, resource: Resource) -> PlannedFile {
        PlannedFile {
            path: format!("{}/{name}", self.dir),
            header,
            resource,
        }
    }

    /// Every file of the namespace's directory but its kustomization.
    pub(super) fn files(&self) -> Vec<PlannedFile> {
        let mut out = vec![self.namespace_file(), self.service_account_file()];
        out.extend(self.default_deny_file());
        out.extend(self.pull_secret_file());
        out.extend(self.quota_file());
        out.extend(self.limit_range_file());
        out.extend(self.issuer_files());
        out.extend(self.certificate_file());
        out.extend(self.gateway_files());
        out.extend(self.policy_exception_files());
        self.p.guard_substitution(&mut out);
        out
    }

    /// The namespace, labelled with the strictest Pod Security level its
    /// services meet.
    fn namespace_file(&self) -> PlannedFile {
        let ns = &self.ns;
        let mut meta = self.p.base_meta(ns, None);
        let (level, because) = self.p.pod_security_in(&self.services());
        for (k, v) in pod_security_labels(level) {
            meta.labels.insert(k.into(), v.into());
        }
        let mut header = self.header(
            format!("NAMESPACE: {ns}"),
            format!(
                "A namespace of the {} platform's workloads",
                self.p.part_of()
            ),
            "nothing".into(),
        );
        if let Some(why) = because {
            header.notes.push(format!(
                "NOTE: Pod Security enforces {level} here, not restricted, because of {why}; audit and warn stay at restricted"
            ));
        }
        self.file(
            NAMESPACE_FILE,
            header,
            Resource::Namespace(Namespace { meta }),
        )
    }

    fn service_account_file(&self) -> PlannedFile {
        let sa = self.p.platform.service_account.name.get_ref();
        let header = self.header(
            format!("SERVICEACCOUNT: {sa}"),
            "Identity of every workload; no API token is mounted".into(),
            format!("namespace {}", self.ns),
        );
        self.file(
            SERVICEACCOUNT_FILE,
            header,
            Resource::ServiceAccount(ServiceAccount {
                meta: self.meta(sa),
            }),
        )
    }

    /// The kustomization of the namespace's base directory.
    pub(super) fn kustomization(&self, files: &[PlannedFile]) -> PlannedFile {
        let prefix = format!("{}/", self.dir);
        let header = self.header(
            format!("KUSTOMIZATION: namespace {}", self.ns),
            format!(
                "Namespace {} and what its workloads rely on: {}",
                self.ns,
                contents(files)
            ),
            "nothing".into(),
        );
        self.file(
            KUSTOMIZATION,
            header,
            Resource::Kustomization(Kustomization {
                resources: files
                    .iter()
                    .filter_map(|f| f.path.strip_prefix(&prefix))
                    .map(str::to_string)
                    .collect(),
                ..Default::default()
            }),
        )
    }
}

impl Planner<'_> {
    pub(super) fn plan_base(&mut self) {
        let mut cluster_res = self.plan_priority_classes();
        cluster_res.extend(self.plan_storage_class());
        cluster_res.extend(self.plan_cluster_policies());
        cluster_res.extend(self.plan_cluster_issuers());
        self.plan_defaults_component();
        let mut dirs = vec!["cluster".to_string()];
        for ns in self.namespaces(None) {
            let unit = NamespacePlanner::new(self, None, &ns);
            let files = unit.files();
            let kustomization = unit.kustomization(&files);
            self.files.extend(files);
            self.files.push(kustomization);
            dirs.push(format!("namespaces/{ns}"));
        }
        self.plan_base_kustomizations(cluster_res, dirs);
    }

    /// The priority classes (seed 000 §3.6); returns their file names in
    /// `base/cluster`.
    fn plan_priority_classes(&mut self) -> Vec<String> {
        let mut files = Vec::new();
        for pc in &self.platform.priority_classes {
            let name = pc.name.get_ref();
            let file = format!("priorityclass-{name}.yaml");
            let header = self.header(
                format!("PRIORITYCLASS: {name}"),
                pc.description.clone(),
                "nothing".into(),
                BASE_WAVE.into(),
                "platform.toml".into(),
            );
            self.files.push(PlannedFile {
                path: format!("{BASE_CLUSTER_DIR}/{file}"),
                header,
                resource: Resource::PriorityClass(PriorityClass {
                    meta: {
                        let mut meta = self.base_meta(name, None);
                        meta.annotations.extend(
                            super::storage::RECREATE
                                .iter()
                                .map(|(k, v)| (k.to_string(), v.to_string())),
                        );
                        meta
                    },
                    value: *pc.value.get_ref(),
                    description: pc.description.clone(),
                    preemption_policy: pc.preemption_policy.as_ref().map(|v| v.get_ref().clone()),
                }),
            });
            files.push(file);
        }
        files
    }

    /// The component that keeps `revision_history_limit` old revisions of
    /// every workload, whatever a manifest says (seed 000 §3.5).
    fn plan_defaults_component(&mut self) {
        let limit = *self.platform.defaults.revision_history_limit.get_ref();
        let header = self.header(
            "COMPONENT: deployment-defaults".into(),
            format!("Keeps {limit} old revisions of every workload, whatever a manifest says"),
            "nothing".into(),
            BASE_WAVE.into(),
            "platform.toml [defaults]".into(),
        );
        self.files.push(PlannedFile {
            path: format!("{DEFAULTS_COMPONENT}/{KUSTOMIZATION}"),
            header,
            resource: Resource::Component(Component {
                patches: ["Deployment", "StatefulSet", "DaemonSet"]
                    .iter()
                    .map(|k| ComponentPatch {
                        kind: k.to_string(),
                        path: "/spec/revisionHistoryLimit".into(),
                        value: limit,
                    })
                    .collect(),
            }),
        });
    }

    fn plan_base_kustomizations(&mut self, cluster_res: Vec<String>, dirs: Vec<String>) {
        let header = self.header(
            format!("KUSTOMIZATION: {BASE_CLUSTER_DIR}"),
            "Cluster-scoped resources, once per cluster: priority classes, storage, policies, issuers".into(),
            "nothing".into(),
            BASE_WAVE.into(),
            "platform.toml".into(),
        );
        self.push_kustomization(
            format!("{BASE_CLUSTER_DIR}/{KUSTOMIZATION}"),
            header,
            cluster_res,
        );
        let header = self.header(
            "KUSTOMIZATION: base".into(),
            "The platform's own resources: cluster-scoped, then each namespace".into(),
            "nothing".into(),
            BASE_WAVE.into(),
            "platform.toml".into(),
        );
        self.push_kustomization(format!("{BASE_DIR}/{KUSTOMIZATION}"), header, dirs);
    }
}

/// What a namespace's files hold, in their order: `service account,
/// default-deny policy, quota`.
fn contents(files: &[PlannedFile]) -> String {
    let mut v: Vec<&str> = Vec::new();
    for f in files {
        let what = match &f.resource {
            Resource::ServiceAccount(_) => "service account",
            Resource::NetworkPolicy(_) => "default-deny policy",
            Resource::ExternalSecret(_) | Resource::SealedSecret(_) | Resource::Verbatim(_) => {
                "pull secret"
            }
            Resource::ResourceQuota(_) => "quota",
            Resource::LimitRange(_) => "limit range",
            Resource::Issuer(_) => "issuer",
            Resource::Certificate(_) => "certificate",
            Resource::Gateway(_) => "Gateway",
            Resource::HttpRoute(_) => "HTTPS redirect",
            Resource::PolicyException(_) => "policy exceptions",
            _ => continue,
        };
        if !v.contains(&what) {
            v.push(what);
        }
    }
    v.join(", ")
}
