//! Storage: the storage class and volume claims.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Meta;

#[derive(Debug, Clone, Serialize)]
pub struct StorageClass {
    pub meta: Meta,
    pub provisioner: String,
    pub parameters: BTreeMap<String, String>,
    pub mount_options: Vec<String>,
    pub reclaim_policy: String,
    pub volume_binding_mode: String,
    pub allow_volume_expansion: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pvc {
    pub meta: Meta,
    pub access_mode: String,
    pub storage_class: String,
    pub size: String,
}
