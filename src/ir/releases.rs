//! Releases: Flux's HelmRepository, OCIRepository and HelmRelease (Argo CD
//! installs a release through an [`super::Application`] with a Helm
//! source).

use serde::Serialize;
use serde_json::Value;

use super::Meta;

/// Where Flux fetches a chart from: a Helm repository's index.
#[derive(Debug, Clone, Serialize)]
pub struct HelmRepository {
    pub meta: Meta,
    pub url: String,
    pub interval: String,
}

/// Where Flux fetches a chart from: an OCI artifact, at the chart's version.
#[derive(Debug, Clone, Serialize)]
pub struct OciRepository {
    pub meta: Meta,
    pub url: String,
    pub tag: String,
    pub interval: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HelmRelease {
    pub meta: Meta,
    pub release_name: String,
    pub chart: String,
    pub version: String,
    /// `HelmRepository` (with chart and version) or `OCIRepository` (a
    /// chartRef: the artifact is the chart at its version).
    pub source_kind: String,
    pub source_name: String,
    pub interval: String,
    pub chart_interval: String,
    pub timeout: String,
    /// Other HelmReleases: (name, namespace).
    pub depends_on: Vec<(String, String)>,
    /// Keys of the values ConfigMap, one per values file, in order.
    pub values_from: Vec<ValuesRef>,
    /// Inline values, merged last.
    pub values: Option<Value>,
    pub policy: HelmPolicy,
}

#[derive(Debug, Clone, Serialize)]
pub struct ValuesRef {
    pub config_map: String,
    pub key: String,
}

/// How every HelmRelease installs and upgrades: CRDs created and replaced,
/// failed actions retried (rolled back or uninstalled in between), and
/// drift from the chart's manifests corrected.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct HelmPolicy {
    pub crds: &'static str,
    pub retries: u32,
    pub cleanup_on_fail: bool,
    pub remediate_last_failure: bool,
    pub drift_detection: &'static str,
}

/// Argo CD's Helm source of a release's Application, and the git source
/// its values files are read from.
#[derive(Debug, Clone, Serialize)]
pub struct HelmSource {
    /// A Helm repository's URL, or an OCI registry path without `oci://`.
    pub repo: String,
    pub chart: String,
    pub version: String,
    pub release_name: String,
    /// `$values/<path>` of each values file.
    pub value_files: Vec<String>,
    pub values: Option<Value>,
    /// The repository and revision `$values` names.
    pub values_repo: String,
    pub values_revision: String,
}
