//! Tenancy: which namespace each service lives in, how an environment names
//! those namespaces, and the resource quota and container limit range of a
//! namespace.
//!
//! A service lives in its own `namespace`, else its category's, else the
//! platform's: its *base namespace*. An environment runs every base namespace
//! under a name of its own ([`Environment::namespace_for`]).

use serde::Deserialize;
use toml::Spanned;

use super::{Environment, PlatformFile, Quantities, ServiceFile, WorkloadKind};
use crate::quantity;

/// Settings of one namespace (`[namespaces.<base name>]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamespaceSettings {
    /// A ResourceQuota for the namespace.
    pub quota: Option<Quota>,
    /// A LimitRange for the namespace's containers.
    pub limits: Option<LimitRange>,
}

/// Bounds on what the namespace's pods may request and use together. A bound
/// that is stated is checked against what the namespace's services need at
/// most (their replicas or autoscaling maxima, plus one surge pod per
/// Deployment); with `headroom`, every bound not stated is derived from that
/// need, plus the headroom.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    /// Percent added to the derived bounds (`25`: a quarter more than the
    /// services need at most). Without it, only stated bounds are rendered.
    pub headroom: Option<Spanned<u32>>,
    /// Total CPU and memory the pods request (`requests.cpu`,
    /// `requests.memory`).
    pub requests: Option<CpuMemory>,
    /// Total CPU and memory limits of the pods (`limits.cpu`,
    /// `limits.memory`).
    pub limits: Option<CpuMemory>,
    /// Number of pods.
    pub pods: Option<Spanned<u32>>,
    /// Number of PersistentVolumeClaims.
    pub claims: Option<Spanned<u32>>,
    /// Total storage the claims request (`requests.storage`).
    pub storage: Option<Spanned<String>>,
    /// Number of Services.
    pub services: Option<Spanned<u32>>,
}

/// CPU and memory: a quota's total, or one LimitRange bound.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpuMemory {
    pub cpu: Option<Spanned<String>>,
    pub memory: Option<Spanned<String>>,
}

/// The LimitRange of a namespace's containers. Every container the platform
/// renders must fit `min` and `max`; `default` and `default_request` apply to
/// containers that state no resources (pods the platform does not render).
/// With `headroom`, a `max` not stated is derived from the largest limits of
/// the namespace's containers, plus the headroom.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitRange {
    pub headroom: Option<Spanned<u32>>,
    /// Limits of a container that states none.
    pub default: Option<CpuMemory>,
    /// Requests of a container that states none.
    pub default_request: Option<CpuMemory>,
    /// The smallest request a container may make.
    pub min: Option<CpuMemory>,
    /// The largest limit a container may set.
    pub max: Option<CpuMemory>,
}

impl Environment {
    /// The name environment `self` gives the base namespace `base`: its
    /// entry in `namespace_names`, else `<prefix><base><suffix>`.
    pub fn namespace_for(&self, base: &str) -> String {
        if let Some(n) = self.namespace_names.get(base) {
            return n.get_ref().clone();
        }
        let prefix = self.namespace_prefix.as_ref().map_or("", |p| p.get_ref());
        let suffix = self.namespace_suffix.as_ref().map_or("", |s| s.get_ref());
        format!("{prefix}{base}{suffix}")
    }
}

/// What the services of a namespace need at most, together: each at its
/// replicas (or autoscaling maximum) plus the Deployment's surge pod, a
/// DaemonSet on every node of its cluster, a Job or CronJob's one running
/// pod (finished pods count against no quota). A per-pod volume is the
/// pod's own disk, not a claim.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Needs {
    /// CPU (cores) and memory (bytes), requests and limits.
    pub cpu_request: f64,
    pub cpu_limit: f64,
    pub memory_request: f64,
    pub memory_limit: f64,
    pub pods: u32,
    pub claims: u32,
    /// Bytes the claims request.
    pub storage: f64,
    pub services: u32,
}

/// One service's share of [`Needs`]: the most pods it runs at once (None
/// for a DaemonSet on a cluster of unknown size).
pub fn service_needs(
    p: &PlatformFile,
    env: Option<&Environment>,
    name: &str,
    s: &ServiceFile,
) -> Option<Needs> {
    let o = env.and_then(|e| e.overrides.get(name));
    let pods = match s.kind() {
        WorkloadKind::DaemonSet => {
            let cluster = match env {
                Some(e) => p.cluster_for(e, s.category.get_ref()),
                None => p.clusters.first(),
            };
            *cluster?.nodes.as_ref()?.get_ref()
        }
        kind => {
            let most = match s.scaling_in(o) {
                Some(sc) => sc.max,
                None => s
                    .replicas_in(*p.defaults.replicas.get_ref(), o)
                    .unwrap_or(1),
            };
            most + u32::from(kind == WorkloadKind::Deployment)
        }
    };
    let q = |over: Option<&Quantities>, base: &Quantities| {
        let q = over.unwrap_or(base);
        (
            quantity::parse(q.request.get_ref()).unwrap_or(0.0),
            quantity::parse(q.limit.get_ref()).unwrap_or(0.0),
        )
    };
    let (cpu_r, cpu_l) = q(o.and_then(|o| o.cpu.as_ref()), &s.resources.cpu);
    let (mem_r, mem_l) = q(o.and_then(|o| o.memory.as_ref()), &s.resources.memory);
    let n = f64::from(pods);
    let claims = || s.volumes.iter().filter(|v| !v.is_per_pod());
    let storage = claims()
        .map(|v| {
            let size = o
                .and_then(|o| o.volumes.get(v.name.get_ref()))
                .unwrap_or(&v.size);
            quantity::parse(size.get_ref()).unwrap_or(0.0)
        })
        .sum();
    Some(Needs {
        cpu_request: cpu_r * n,
        cpu_limit: cpu_l * n,
        memory_request: mem_r * n,
        memory_limit: mem_l * n,
        pods,
        claims: claims().count() as u32,
        storage,
        services: u32::from(!s.ports.is_empty()),
    })
}

impl std::ops::AddAssign for Needs {
    fn add_assign(&mut self, o: Needs) {
        self.cpu_request += o.cpu_request;
        self.cpu_limit += o.cpu_limit;
        self.memory_request += o.memory_request;
        self.memory_limit += o.memory_limit;
        self.pods += o.pods;
        self.claims += o.claims;
        self.storage += o.storage;
        self.services += o.services;
    }
}
