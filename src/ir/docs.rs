//! The rendered tree's README, and the dependency graph it draws (which
//! `platformc graph` prints too).

use serde::Serialize;

/// The rendered tree's README: layout, waves, environments, engines.
#[derive(Debug, Clone, Serialize)]
pub struct Readme {
    pub platform: String,
    /// The git repository the tree is committed to.
    pub repository: String,
    pub path: String,
    pub revision: String,
    pub argocd: bool,
    pub argocd_namespace: String,
    pub flux: bool,
    pub kyverno: bool,
    pub waves: Vec<ReadmeWave>,
    pub environments: Vec<ReadmeEnv>,
    pub clusters: Vec<ReadmeCluster>,
    pub edge: Option<ReadmeEdge>,
    pub graph: Graph,
    /// The operators and CRDs the tree needs, in install order.
    pub prerequisites: Vec<Prerequisite>,
    /// The secret backend (`external-secrets`, `sealed-secrets`, `sops`),
    /// and where the secret files of the sealed and sops backends live.
    pub secret_backend: String,
    pub secrets_dir: String,
    /// Every Secret a service reads, and its keys.
    pub secrets: Vec<ReadmeSecret>,
    /// Each environment's store, kind and prefix (external-secrets).
    pub secret_stores: Vec<(String, String, String, String)>,
    /// The name of the Flux secret holding the age key, with SOPS.
    pub sops_secret: Option<String>,
}

/// How traffic reaches the platform, and what the cluster must provide for
/// it.
#[derive(Debug, Clone, Serialize)]
pub struct ReadmeEdge {
    pub summary: String,
    /// Whether the platform declares cert-manager issuers.
    pub issuers: bool,
    pub notes: Vec<String>,
}

/// A service's Secret and its keys.
#[derive(Debug, Clone, Serialize)]
pub struct ReadmeSecret {
    pub service: String,
    pub secret: String,
    pub namespace: String,
    /// Each key of the Secret, with the store's key it comes from
    /// (external-secrets), or the file that holds it sealed or encrypted.
    pub keys: Vec<(String, String)>,
}

/// An API group the tree uses, and who serves and installs it.
#[derive(Debug, Clone, Serialize)]
pub struct Prerequisite {
    pub group: String,
    /// The kinds of it the tree renders (none: only the platform's release
    /// uses it, through its chart).
    pub kinds: Vec<String>,
    pub operator: String,
    pub installed_by: String,
}

/// The services by wave and the edges of the dependency graph.
#[derive(Debug, Clone, Serialize)]
pub struct Graph {
    /// In wave order, each with its services.
    pub waves: Vec<ReadmeWave>,
    pub edges: Vec<GraphEdge>,
}

/// `from` depends on `to`, through its port `port`.
#[derive(Debug, Clone, Serialize)]
pub struct GraphEdge {
    pub from: String,
    pub to: String,
    pub port: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadmeWave {
    pub wave: u32,
    pub category: String,
    pub services: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadmeEnv {
    pub name: String,
    pub namespace: String,
    pub domain: String,
    pub tag: String,
    pub clusters: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadmeCluster {
    pub name: String,
    pub branch: String,
    pub promotion: String,
}
