//! GitOps: Argo CD Applications, ApplicationSets and AppProjects; Flux
//! GitRepositories and Kustomizations.

use serde::Serialize;

use super::{HelmSource, Meta};

#[derive(Debug, Clone, Serialize)]
pub struct Application {
    pub meta: Meta,
    pub project: String,
    /// The git source (a kustomization directory); unused with `helm`.
    pub repo: String,
    pub revision: String,
    pub path: String,
    /// A release's chart, with its values files read from git.
    pub helm: Option<HelmSource>,
    pub server: String,
    pub namespace: String,
    pub sync: SyncPolicy,
    pub ignore_differences: Vec<IgnoreDifference>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplicationSet {
    pub meta: Meta,
    pub repo: String,
    pub revision: String,
    /// Git directory generator glob.
    pub directories: String,
    /// Go templates of the generated Application's name and path.
    pub app_name: String,
    pub app_path: String,
    pub project: String,
    pub argocd_namespace: String,
    pub sync: SyncPolicy,
    /// Keep what an environment's Application deployed when its directory
    /// vanishes from git, rather than cascading to its Namespace and claims.
    pub preserve_resources: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AppProject {
    pub meta: Meta,
    pub description: String,
    /// The platform's repository; the chart repositories too, for the releases' project.
    pub source_repos: Vec<String>,
    pub destinations: Vec<(String, String)>,
    /// (group, kind) of every cluster-scoped kind the platform uses; `*`
    /// for the releases' project, whose charts install what they need;
    /// none when empty.
    pub cluster_resources: Vec<(String, String)>,
    /// The namespaced kinds its Applications may deploy.
    pub namespaced: NamespacedKinds,
}

/// The namespaced kinds a project admits.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", content = "kinds")]
pub enum NamespacedKinds {
    All,
    /// Only these (group, kind).
    Only(Vec<(String, String)>),
    /// None: its Applications deploy cluster-scoped objects only.
    None,
}

#[derive(Debug, Clone, Serialize)]
pub struct IgnoreDifference {
    pub group: &'static str,
    pub kind: String,
    pub name: Option<String>,
    pub json_pointers: &'static [&'static str],
}

/// How every Application syncs: automatically, pruning and self-healing,
/// retrying with backoff (003 §10).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SyncPolicy {
    pub prune: bool,
    pub self_heal: bool,
    pub options: &'static [&'static str],
    /// Negative: retry without limit (Argo CD reads `limit < 0` so).
    pub retry_limit: i32,
    pub backoff_duration: &'static str,
    pub backoff_factor: u32,
    pub backoff_max_duration: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct GitRepository {
    pub meta: Meta,
    pub url: String,
    pub branch: String,
    pub interval: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FluxKustomization {
    pub meta: Meta,
    pub source: String,
    pub path: String,
    pub interval: String,
    pub depends_on: Vec<String>,
    /// Cluster variables for `${VAR}` substitution.
    pub substitute: Vec<(String, String)>,
    /// Decrypt SOPS-encrypted Secrets with this secret's key.
    pub sops_secret: Option<String>,
    /// Deletes and creates again what cannot be updated in place (a Job,
    /// whose pod template is immutable), so a changed Job runs again.
    pub force: bool,
    pub policy: FluxPolicy,
}

/// How every Flux Kustomization applies: pruning what left git, waiting for
/// its resources to be Ready (the health check dependsOn relies on), and
/// retrying sooner than the sync interval.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FluxPolicy {
    pub prune: bool,
    pub wait: bool,
    pub timeout: &'static str,
    pub retry_interval: &'static str,
}
