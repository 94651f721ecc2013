//! Environments: the patches an overlay applies to the base.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::Serialize;

use super::{ResourceSpec, Spread};

/// A strategic-merge patch of a workload: only the fields that differ.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadPatch {
    /// `apps/v1`, or `batch/v1` for a Job or CronJob.
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// The base's namespace, which the patch must name to match.
    pub namespace: String,
    pub container: String,
    pub replicas: Option<u32>,
    pub pod_annotations: IndexMap<String, String>,
    pub spread: Option<SpreadChange>,
    pub selector: IndexMap<String, String>,
    pub resources: Option<ResourceSpec>,
}

/// How an environment changes a workload's node spread.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum SpreadChange {
    Set {
        spread: Spread,
    },
    /// Deleted with `null`, the one deletion patches make.
    Remove,
}

/// A strategic-merge patch of another kind: changed ConfigMap data, new
/// route hostnames, or the deletion of a resource.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Patch {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// The base's namespace, which the patch must name to match.
    pub namespace: String,
    pub delete: bool,
    pub data: BTreeMap<String, String>,
    pub hostnames: Vec<String>,
}
