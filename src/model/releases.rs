//! Releases: third-party components installed from a Helm chart, one
//! `releases/<name>.toml` each, with values inline and in
//! `releases/*.values.yaml` files.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::Port;

/// `releases/<name>.toml`: a Helm chart installed once on every cluster
/// that runs its category, in a namespace of its own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseFile {
    /// Defaults to the file's stem; the Helm release's name.
    pub name: Option<Spanned<String>>,
    /// What it is, for the file headers.
    pub description: String,
    /// A category of platform.toml: the clusters it runs on and the
    /// `app.kubernetes.io/component` label. A release is installed before
    /// any environment's services, whatever the category's wave.
    pub category: Spanned<String>,
    /// The namespace it is installed in (created if missing); not one of
    /// the platform's own namespaces.
    pub namespace: Spanned<String>,
    /// The chart's name in its repository.
    pub chart: Spanned<String>,
    /// `https://…` (a Helm repository's index) or `oci://registry/path`
    /// (the chart is `<repository>/<chart>`).
    pub repository: Spanned<String>,
    /// The exact chart version (`65.1.0`): ranges would let a render mean
    /// different charts on different days.
    pub version: Spanned<String>,
    /// Values files beside this file (`releases/<x>.values.yaml`), applied
    /// in order; `[values]` is applied over them.
    #[serde(default)]
    pub values_files: Vec<Spanned<String>>,
    /// Inline values, applied last.
    #[serde(default)]
    pub values: toml::Table,
    /// API groups whose CRDs the chart installs (`monitoring.coreos.com`):
    /// what uses them is applied after it, and the rendered README names it
    /// as the one that installs them.
    #[serde(default)]
    pub provides: Vec<Spanned<String>>,
    /// Other releases installed before this one.
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    /// The chart's pods, where services reach them: the labels that select
    /// them and the ports they serve. A service depends on a release
    /// through one of these ports, and its network policy allows exactly
    /// that.
    pub pods: Option<ReleasePods>,
    /// Seconds Helm waits for the release to be ready (default 600).
    pub timeout_seconds: Option<Spanned<u32>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleasePods {
    pub labels: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub ports: Vec<Port>,
}
