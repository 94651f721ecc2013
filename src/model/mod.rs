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
mod edge;
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
mod tenancy;
mod tls;
mod workload;

pub use availability::*;
pub use base::*;
pub use config::*;
pub use edge::*;
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
pub use tenancy::*;
pub use tls::*;
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
    /// How traffic from outside reaches the services' routes.
    pub edge: Option<Edge>,
    /// HTTPS for every route, with certificates derived from the hosts
    /// served.
    pub tls: Option<Tls>,
    /// cert-manager issuers, by name; `[tls]` and environments choose one.
    #[serde(default)]
    pub issuers: Vec<Issuer>,
    /// Quota and limit range of namespaces, by base name.
    #[serde(default)]
    pub namespaces: BTreeMap<String, NamespaceSettings>,
    /// Network isolation; without it no NetworkPolicy is emitted.
    pub network: Option<Network>,
    /// Endpoints outside the platform that services reach by name.
    #[serde(default)]
    pub externals: Vec<External>,
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
    /// The service's own namespace; defaults to its category's, else the
    /// platform's.
    pub namespace: Option<Spanned<String>>,
    /// A full reference (`mongo:7`) or a bare name under the platform registry.
    pub image: Spanned<String>,
    /// The tag of its own image (a bare `image`), replacing `[images] tag`:
    /// the build CI last pushed for the service (`sha-1a2b3c4`).
    pub image_tag: Option<Spanned<String>>,
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default)]
    pub args: Vec<String>,
    pub replicas: Option<Spanned<u32>>,
    /// The disruption budget of a replicated workload: `true` (the default:
    /// one pod unavailable at a time), a shape
    /// (`{ min_available = 1 }`, `{ max_unavailable = "25%" }`), or `false`
    /// (none, lint `no-pdb`).
    pub pdb: Option<Spanned<PdbSetting>>,
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
    /// Destinations outside the platform's services other than the
    /// internet: address ranges, other namespaces, named externals.
    #[serde(default)]
    pub egress: Vec<Egress>,
    #[serde(default)]
    pub exceptions: Vec<Exception>,
}

impl PlatformFile {
    /// A service's base namespace: its own, else its category's, else the
    /// platform's.
    pub fn namespace_of<'a>(&'a self, s: &'a ServiceFile) -> &'a str {
        if let Some(n) = &s.namespace {
            return n.get_ref();
        }
        self.categories
            .iter()
            .find(|c| c.name.get_ref() == s.category.get_ref())
            .and_then(|c| c.namespace.as_ref())
            .map_or(self.platform.namespace.get_ref(), |n| n.get_ref())
    }

    /// The name `env` gives a base namespace (the base name itself outside
    /// an environment).
    pub fn namespace_in(&self, env: Option<&Environment>, base: &str) -> String {
        env.map_or_else(|| base.to_string(), |e| e.namespace_for(base))
    }

    /// The domain routes are published under in `env`.
    pub fn domain_in<'a>(&'a self, env: Option<&'a Environment>) -> &'a str {
        env.map_or(self.platform.domain.get_ref(), |e| e.domain.get_ref())
    }

    /// A route's host name in `env`: `<host>.<domain>`, or the domain itself
    /// for an empty host.
    pub fn hostname(&self, env: Option<&Environment>, host: &str) -> String {
        let domain = self.domain_in(env);
        if host.is_empty() {
            domain.to_string()
        } else {
            format!("{host}.{domain}")
        }
    }

    /// The issuer of the certificates in `env`: the environment's, else
    /// `[tls] issuer`.
    pub fn issuer_in<'a>(&'a self, env: Option<&'a Environment>) -> Option<&'a Issuer> {
        let name = env
            .and_then(|e| e.issuer.as_ref())
            .or(self.tls.as_ref().map(|t| &t.issuer))?;
        self.issuers
            .iter()
            .find(|i| i.name.get_ref() == name.get_ref())
    }

    /// The route policy `name` in `env`: the platform's, with the fields the
    /// environment states replaced; the edge's default for None.
    pub fn policy_in(&self, env: Option<&Environment>, name: Option<&str>) -> RoutePolicy {
        let edge = self.edge.as_ref();
        let Some(name) = name.or_else(|| edge?.policy.as_ref().map(|p| p.get_ref().as_str()))
        else {
            return RoutePolicy::default();
        };
        let base = edge
            .and_then(|e| e.policies.get(name))
            .cloned()
            .unwrap_or_default();
        match env.and_then(|e| e.policies.get(name)) {
            Some(over) => base.overlaid(over),
            None => base,
        }
    }

    /// The settings of a base namespace in `env`: the environment's quota
    /// and limit range where it states them, else the platform's.
    pub fn namespace_settings(
        &self,
        env: Option<&Environment>,
        base: &str,
    ) -> Option<NamespaceSettings> {
        let here = env.and_then(|e| e.namespaces.get(base));
        let platform = self.namespaces.get(base);
        let pick = |f: fn(&NamespaceSettings) -> bool| here.filter(|h| f(h)).or(platform);
        let s = NamespaceSettings {
            quota: pick(|s| s.quota.is_some()).and_then(|s| s.quota.clone()),
            limits: pick(|s| s.limits.is_some()).and_then(|s| s.limits.clone()),
        };
        (s.quota.is_some() || s.limits.is_some()).then_some(s)
    }

    /// The tag of a service's own image as `env` runs it, with the field
    /// that sets it: the environment's override for the service, else the
    /// environment's, else the service's, else `[images] tag`.
    pub fn own_image_tag<'a>(
        &'a self,
        s: &'a ServiceFile,
        name: &str,
        env: Option<&'a Environment>,
    ) -> &'a Spanned<String> {
        env.and_then(|e| e.overrides.get(name))
            .and_then(|o| o.image_tag.as_ref())
            .or_else(|| env.and_then(|e| e.image_tag.as_ref()))
            .or(s.image_tag.as_ref())
            .unwrap_or(&self.images.tag)
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
    pub fn reference_tag(&self) -> Option<&str> {
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
        self.replicas_in(default, None)
    }

    /// Replicas as an environment with override `o` runs the service: the
    /// autoscaling minimum, else the stated replicas, else `default`; None
    /// for a DaemonSet.
    pub fn replicas_in(&self, default: u32, o: Option<&Override>) -> Option<u32> {
        let kind = self.kind();
        if kind == WorkloadKind::DaemonSet || kind.runs_to_completion() {
            return None;
        }
        if let Some(s) = self.scaling_in(o) {
            return Some(s.min);
        }
        let stated = o
            .and_then(|o| o.replicas.as_ref())
            .or(self.replicas.as_ref());
        Some(stated.map_or(default, |r| *r.get_ref()))
    }

    /// Autoscaling as an environment with override `o` runs the service:
    /// the service's `[autoscaling]` with the override's fields, or the
    /// override's alone once it names both bounds.
    pub fn scaling_in(&self, o: Option<&Override>) -> Option<Scaling> {
        let over = o.and_then(|o| o.autoscaling.as_ref());
        let val = |v: &Option<Spanned<u32>>| v.as_ref().map(|x| *x.get_ref());
        let base = self.autoscaling.as_ref().map(|a| Scaling {
            min: *a.min.get_ref(),
            max: *a.max.get_ref(),
            cpu: val(&a.cpu),
            memory: val(&a.memory),
        });
        match (base, over) {
            (b, None) => b,
            (Some(b), Some(o)) => Some(Scaling {
                min: val(&o.min).unwrap_or(b.min),
                max: val(&o.max).unwrap_or(b.max),
                cpu: val(&o.cpu).or(b.cpu),
                memory: val(&o.memory).or(b.memory),
            }),
            (None, Some(o)) => Some(Scaling {
                min: val(&o.min)?,
                max: val(&o.max)?,
                cpu: val(&o.cpu),
                memory: val(&o.memory),
            }),
        }
    }

    /// The routes as an environment with override `o` publishes them: the
    /// override's list, or the service's, with hosts renamed by the
    /// override's `hosts`.
    pub fn routes_in(&self, o: Option<&Override>) -> Vec<Route> {
        let mut routes = o
            .and_then(|o| o.routes.as_ref())
            .map_or_else(|| self.routes.clone(), |r| r.get_ref().clone());
        if let Some(o) = o {
            for r in &mut routes {
                if let Some(h) = o.hosts.get(r.host.get_ref()) {
                    r.host = h.clone();
                }
            }
        }
        routes
    }

    /// A port by name.
    pub fn port(&self, name: &str) -> Option<&Port> {
        self.ports.iter().find(|p| p.name.get_ref() == name)
    }
}

/// Autoscaling bounds and targets, resolved for one environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scaling {
    pub min: u32,
    pub max: u32,
    pub cpu: Option<u32>,
    pub memory: Option<u32>,
}
