//! The source language: `platform.toml` and `services/<name>.toml` as typed
//! serde structs, one module per concern.
//!
//! Every struct rejects unknown fields. Values that a later stage may have to
//! point at are wrapped in [`Spanned`], so a diagnostic can name the file,
//! line and column. Nothing here fills defaults or derives facts: that is the
//! plan's job. The few helpers below answer questions every stage asks the
//! same way (a service's namespace, kind, replicas, image).

use std::collections::BTreeMap;

use serde::Deserialize;
pub use toml::Spanned;

mod availability;
mod base;
mod config;
mod environments;
mod gitops;
mod jobs;
mod network;
mod observability;
mod platform;
pub mod policy;
mod releases;
mod routes;
mod secrets;
mod storage;
mod workload;

pub use availability::*;
pub use base::*;
pub use config::*;
pub use environments::*;
pub use gitops::*;
pub use jobs::*;
pub use network::*;
pub use observability::*;
pub use platform::*;
pub use policy::{Exception, Kyverno, ScannerException};
pub use releases::*;
pub use routes::*;
pub use secrets::*;
pub use storage::*;
pub use workload::*;

/// `platform.toml`: the facts shared by every service of a platform.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformFile {
    pub platform: PlatformMeta,
    pub images: Images,
    /// Categories in wave order; a service names one.
    pub categories: Vec<Category>,
    pub priority_classes: Vec<PriorityClass>,
    pub service_account: ServiceAccount,
    pub defaults: Defaults,
    pub secrets: Option<SecretStore>,
    pub storage: Option<Storage>,
    pub gateway: Option<Gateway>,
    /// Network isolation; without it no NetworkPolicy is emitted.
    pub network: Option<Network>,
    /// Kyverno policies that enforce in the cluster what the compiler checks.
    pub kyverno: Option<Kyverno>,
    /// Monitors of the services' metrics ports and their alert rules.
    pub monitoring: Option<Monitoring>,
    /// Checks of a manifest scanner (checkov `CKV_K8S_*`) the platform
    /// deliberately does not follow, each with the reason; written onto every
    /// workload as `checkov.io/skip` annotations.
    #[serde(default)]
    pub scanner_exceptions: Vec<ScannerException>,
    /// How the rendered tree reaches the clusters.
    pub gitops: Option<GitOps>,
    #[serde(default)]
    pub clusters: Vec<Cluster>,
    /// Each gets an overlay of every service it runs.
    #[serde(default)]
    pub environments: Vec<Environment>,
}

/// `services/<name>.toml`: one service.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceFile {
    /// Defaults to the file's stem.
    pub name: Option<Spanned<String>>,
    /// What the service does, for the file headers.
    pub description: String,
    pub category: Spanned<String>,
    /// `Deployment` (the default), `StatefulSet`, `DaemonSet`, or `Job` and
    /// `CronJob`, which run to completion ([job]).
    #[serde(default)]
    pub kind: Option<Spanned<WorkloadKind>>,
    /// Defaults to the platform namespace.
    pub namespace: Option<Spanned<String>>,
    /// A full reference (`mongo:7`) or a bare name under the platform registry.
    pub image: Spanned<String>,
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default)]
    pub args: Vec<String>,
    pub replicas: Option<Spanned<u32>>,
    /// `false` drops the PodDisruptionBudget of a replicated workload
    /// (lint `no-pdb`).
    pub pdb: Option<Spanned<bool>>,
    /// Overrides the platform's image pull policy.
    pub pull_policy: Option<Spanned<String>>,
    /// `NodePort` or `LoadBalancer` (lint `service-type`); ClusterIP by default.
    pub service_type: Option<Spanned<String>>,
    pub priority_class: Option<Spanned<String>>,
    #[serde(default)]
    pub ports: Vec<Port>,
    pub health: Option<Health>,
    pub resources: Resources,
    #[serde(default)]
    pub shutdown: Option<Shutdown>,
    #[serde(default)]
    pub security: Option<Security>,
    /// Non-secret configuration, rendered into the service's ConfigMap.
    #[serde(default)]
    pub env: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub config_files: Vec<ConfigFiles>,
    /// Keys of the service's own Secret.
    #[serde(default)]
    pub secrets: Vec<Spanned<String>>,
    /// Remote key (without the platform prefix) of a secret key whose remote
    /// name differs from the key.
    #[serde(default)]
    pub secret_sources: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub volumes: Vec<Volume>,
    /// Paths that must stay writable under a read-only root file system.
    #[serde(default)]
    pub writable_paths: Vec<String>,
    #[serde(default)]
    pub depends_on: Vec<Dependency>,
    #[serde(default)]
    pub routes: Vec<Route>,
    /// How a Job or CronJob runs: schedule, concurrency, history, retries,
    /// deadline.
    pub job: Option<JobSettings>,
    /// How its metrics ports (`metrics = true`) are scraped.
    pub metrics: Option<Metrics>,
    /// Alert rules of its own, beside the platform's.
    #[serde(default)]
    pub alerts: Vec<Alert>,
    /// Horizontal autoscaling (an HPA); `replicas` defaults to its minimum.
    pub autoscaling: Option<Autoscaling>,
    /// Destinations outside the cluster the service calls (egress to the
    /// internet, private ranges excluded).
    #[serde(default)]
    pub internet: Vec<InternetEgress>,
    #[serde(default)]
    pub exceptions: Vec<Exception>,
}

impl PlatformFile {
    /// A service's namespace: its own, or the platform's.
    pub fn namespace_of<'a>(&'a self, s: &'a ServiceFile) -> &'a str {
        s.namespace
            .as_ref()
            .map_or(self.platform.namespace.get_ref(), |n| n.get_ref())
    }

    /// The clusters an environment runs on: those it names, or the first.
    pub fn env_clusters<'a>(&'a self, env: &Environment) -> Vec<&'a Cluster> {
        if env.clusters.is_empty() {
            self.clusters.iter().take(1).collect()
        } else {
            self.clusters
                .iter()
                .filter(|c| env.clusters.iter().any(|n| n.get_ref() == c.name.get_ref()))
                .collect()
        }
    }

    /// The cluster of an environment that runs a category.
    pub fn cluster_for<'a>(&'a self, env: &Environment, category: &str) -> Option<&'a Cluster> {
        self.env_clusters(env)
            .into_iter()
            .find(|c| c.runs(category))
    }
}

impl ServiceFile {
    pub fn kind(&self) -> WorkloadKind {
        self.kind
            .as_ref()
            .map_or(WorkloadKind::Deployment, |k| *k.get_ref())
    }

    /// Whether the image is one of the platform's own: a bare name, resolved
    /// under the platform registry with the platform (or environment) tag.
    pub fn own_image(&self) -> bool {
        !self.image.get_ref().contains(['/', ':', '@'])
    }

    /// The tag of a full image reference (None for a digest or no tag).
    pub fn image_tag(&self) -> Option<&str> {
        let last = self.image.get_ref().rsplit('/').next()?;
        last.split_once(':').map(|(_, t)| t)
    }

    /// Whether the service runs to completion (a Job or a CronJob) rather
    /// than serving.
    pub fn runs_to_completion(&self) -> bool {
        self.kind().runs_to_completion()
    }

    /// Base replicas: stated, else the autoscaling minimum, else `default`;
    /// None for a DaemonSet, a Job or a CronJob.
    pub fn replicas(&self, default: u32) -> Option<u32> {
        let kind = self.kind();
        (kind != WorkloadKind::DaemonSet && !kind.runs_to_completion()).then(|| {
            self.replicas
                .as_ref()
                .map(|r| *r.get_ref())
                .or_else(|| self.autoscaling.as_ref().map(|a| *a.min.get_ref()))
                .unwrap_or(default)
        })
    }
}
