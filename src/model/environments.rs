//! Environments: the namespaces a platform runs in, with per-service
//! overrides.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::Quantities;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub name: Spanned<String>,
    /// Replaces the platform namespace.
    pub namespace: Spanned<String>,
    /// Clusters the environment runs on (each service goes to the one whose
    /// categories hold it); the first cluster when omitted.
    #[serde(default)]
    pub clusters: Vec<Spanned<String>>,
    /// Replaces the platform domain in hostnames.
    pub domain: Spanned<String>,
    /// Tag of the platform's own images here.
    pub image_tag: Option<String>,
    /// Services that do not run here.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Per-service changes, by service name.
    #[serde(default)]
    pub overrides: BTreeMap<String, Override>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub replicas: Option<Spanned<u32>>,
    pub cpu: Option<Quantities>,
    pub memory: Option<Quantities>,
}
