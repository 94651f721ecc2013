//! Secrets: ExternalSecrets and SealedSecrets (SOPS files are
//! [`super::Verbatim`]).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Meta;

#[derive(Debug, Clone, Serialize)]
pub struct ExternalSecret {
    pub meta: Meta,
    pub refresh_interval: String,
    pub store: String,
    pub store_kind: String,
    pub target: String,
    pub data: Vec<SecretRef>,
    /// For an image pull secret: the registry whose credentials it holds.
    pub docker_config: Option<DockerConfig>,
}

/// The `.dockerconfigjson` an ExternalSecret templates from two keys.
#[derive(Debug, Clone, Serialize)]
pub struct DockerConfig {
    /// The Go template External Secrets renders into `.dockerconfigjson`.
    pub template: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecretRef {
    pub key: String,
    pub remote: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SealedSecret {
    pub meta: Meta,
    /// Ciphertext per key, as kubeseal wrote it.
    pub encrypted_data: BTreeMap<String, String>,
    /// The Secret's template, as kubeseal wrote it.
    pub template: Option<serde_json::Value>,
}
