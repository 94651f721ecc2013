//! GitOps: the engines that carry the rendered tree to the clusters, and the
//! clusters themselves.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitOps {
    /// `argocd`, `flux`, or both.
    pub engines: Vec<Spanned<String>>,
    /// Where the rendered tree lives in the repository.
    pub path: String,
    /// The branch (or revision) clusters follow unless they say otherwise.
    pub revision: String,
    /// Argo CD: its namespace and the name of the AppProject.
    #[serde(default = "argocd_namespace")]
    pub argocd_namespace: String,
    /// Flux: its namespace and how often it reconciles.
    #[serde(default = "flux_namespace")]
    pub flux_namespace: String,
    #[serde(default = "flux_interval")]
    pub interval: String,
}

fn argocd_namespace() -> String {
    "argocd".into()
}

fn flux_namespace() -> String {
    "flux-system".into()
}

fn flux_interval() -> String {
    "10m".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    pub name: Spanned<String>,
    /// API server URL as Argo CD knows it (`https://kubernetes.default.svc`
    /// for the cluster Argo CD runs in).
    pub server: Spanned<String>,
    /// Categories whose services run here; all when empty.
    #[serde(default)]
    pub categories: Vec<Spanned<String>>,
    /// Flux: the branch this cluster follows, when it is not the platform's
    /// revision (a staged rollout promotes commits to it after a soak).
    pub revision: Option<String>,
    /// Flux: why and how this cluster's revision lags, for the README.
    pub promotion: Option<String>,
    /// Flux: variables substituted into this cluster's manifests.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Schedulable nodes, where a DaemonSet runs a pod each: needed to
    /// check a namespace quota that holds a DaemonSet.
    pub nodes: Option<Spanned<u32>>,
    /// The engine that manages this cluster (`argocd` or `flux`), required
    /// when `[gitops]` names both: two engines applying and pruning the
    /// same objects undo each other.
    pub engine: Option<Spanned<String>>,
}

impl GitOps {
    /// Whether `engine` manages `cluster`: the engine it names, else the
    /// platform's one engine.
    pub fn manages(&self, engine: &str, cluster: &Cluster) -> bool {
        match &cluster.engine {
            Some(e) => e.get_ref() == engine,
            None => self.engines.iter().any(|e| e.get_ref() == engine),
        }
    }
}

impl Cluster {
    /// Whether services of `category` run here.
    pub fn runs(&self, category: &str) -> bool {
        self.categories.is_empty() || self.categories.iter().any(|k| k.get_ref() == category)
    }
}
