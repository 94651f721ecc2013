//! The platform base (wave 0): `base/cluster` holds what a cluster has once
//! (priority classes, the storage class, Kyverno policies), `base/namespace`
//! what every namespace of the platform needs (the namespace with its Pod
//! Security level, the service account, the default deny, the pull
//! secret); and the deployment-defaults component every service includes.

use super::Planner;
use super::policy::pod_security_labels;
use crate::ir::{
    Component, ComponentPatch, Kustomization, Namespace, PlannedFile, PriorityClass, Resource,
    ServiceAccount,
};
use crate::layout::{
    BASE_CLUSTER_DIR, BASE_DIR, BASE_NAMESPACE_DIR, DEFAULTS_COMPONENT, KUSTOMIZATION,
    per_namespace,
};

const BASE_WAVE: &str = "0 (base)";

impl Planner<'_> {
    pub(super) fn plan_base(&mut self) {
        let mut ns_res = self.plan_namespaces();
        ns_res.extend(self.plan_default_deny());
        ns_res.extend(self.plan_pull_secrets());
        let mut cluster_res = self.plan_priority_classes();
        cluster_res.extend(self.plan_storage_class());
        cluster_res.extend(self.plan_cluster_policies());
        self.plan_defaults_component();
        self.plan_base_kustomizations(cluster_res, ns_res);
    }

    /// Each namespace, labelled with its Pod Security level, and its service
    /// account; returns the files' names in `base/namespace`.
    fn plan_namespaces(&mut self) -> Vec<String> {
        let platform_ns = self.platform.platform.namespace.get_ref().clone();
        let sa = self.platform.service_account.name.get_ref().clone();
        let mut files = Vec::new();
        for ns in self.namespaces() {
            let file = per_namespace("namespace", &ns, &platform_ns);
            let mut meta = self.base_meta(&ns, None);
            let (level, because) = self.pod_security_in(&ns);
            for (k, v) in pod_security_labels(level) {
                meta.labels.insert(k.into(), v.into());
            }
            let mut header = self.header(
                format!("NAMESPACE: {ns}"),
                format!("Namespace of the {} platform's workloads", self.part_of()),
                "nothing".into(),
                BASE_WAVE.into(),
                "platform.toml".into(),
            );
            if let Some(why) = because {
                header.notes.push(format!(
                    "NOTE: Pod Security enforces {level} here, not restricted, because of {why}; audit and warn stay at restricted"
                ));
            }
            self.files.push(PlannedFile {
                path: format!("{BASE_NAMESPACE_DIR}/{file}"),
                header,
                resource: Resource::Namespace(Namespace { meta }),
            });
            files.push(file);

            let file = per_namespace("serviceaccount", &ns, &platform_ns);
            let header = self.header(
                format!("SERVICEACCOUNT: {sa}"),
                "Identity of every workload; no API token is mounted".into(),
                format!("namespace {ns}"),
                BASE_WAVE.into(),
                "platform.toml".into(),
            );
            self.files.push(PlannedFile {
                path: format!("{BASE_NAMESPACE_DIR}/{file}"),
                header,
                resource: Resource::ServiceAccount(ServiceAccount {
                    meta: self.base_meta(&sa, Some(&ns)),
                }),
            });
            files.push(file);
        }
        files
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
                    meta: self.base_meta(name, None),
                    value: pc.value,
                    global_default: pc.global_default,
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

    fn plan_base_kustomizations(&mut self, cluster_res: Vec<String>, ns_res: Vec<String>) {
        for (dir, purpose, resources) in [
            (
                BASE_CLUSTER_DIR,
                "Cluster-scoped resources, once per cluster: priority classes, storage, policies",
                cluster_res,
            ),
            (
                BASE_NAMESPACE_DIR,
                "The platform namespace and what every workload in it relies on: service account, default-deny policy, pull secret",
                ns_res,
            ),
        ] {
            let header = self.header(
                format!("KUSTOMIZATION: {dir}"),
                purpose.into(),
                "nothing".into(),
                BASE_WAVE.into(),
                "platform.toml".into(),
            );
            self.files.push(PlannedFile {
                path: format!("{dir}/{KUSTOMIZATION}"),
                header,
                resource: Resource::Kustomization(Kustomization {
                    resources,
                    ..Default::default()
                }),
            });
        }
        let header = self.header(
            "KUSTOMIZATION: base".into(),
            "The platform's own resources, cluster-scoped and namespaced".into(),
            "nothing".into(),
            BASE_WAVE.into(),
            "platform.toml".into(),
        );
        self.files.push(PlannedFile {
            path: format!("{BASE_DIR}/{KUSTOMIZATION}"),
            header,
            resource: Resource::Kustomization(Kustomization {
                resources: vec!["cluster".into(), "namespace".into()],
                ..Default::default()
            }),
        });
    }
}
