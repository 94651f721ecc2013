//! Tenancy: the ResourceQuota and LimitRange of a namespace.

use indexmap::IndexMap;
use serde::Serialize;

use super::Meta;

/// `spec.hard`: each bound by its quota key (`requests.cpu`, `pods`…).
#[derive(Debug, Clone, Serialize)]
pub struct ResourceQuota {
    pub meta: Meta,
    pub hard: IndexMap<String, String>,
}

/// One `Container` limit: each map by resource name (`cpu`, `memory`);
/// empty maps are not written.
#[derive(Debug, Clone, Serialize)]
pub struct LimitRange {
    pub meta: Meta,
    pub default: IndexMap<String, String>,
    pub default_request: IndexMap<String, String>,
    pub min: IndexMap<String, String>,
    pub max: IndexMap<String, String>,
}
