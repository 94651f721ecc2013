//! The rendered tree's README.

use serde::Serialize;

/// The rendered tree's README: layout, waves, environments, engines.
#[derive(Debug, Clone, Serialize)]
pub struct Readme {
    pub platform: String,
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
