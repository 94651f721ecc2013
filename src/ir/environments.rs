//! Environments: the patches an overlay applies to the base.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::Serialize;

use super::{Probe, ResourceSpec, Spread};

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
    /// The environment autoscales what the base does not: the count is
    /// removed (`replicas: null`), the HPA owns it.
    pub remove_replicas: bool,
    pub pod_annotations: IndexMap<String, String>,
    pub spread: Option<SpreadChange>,
    pub selector: IndexMap<String, String>,
    pub resources: Option<ResourceSpec>,
    pub priority_class: Option<String>,
    /// Probes whose timings differ, by field name (`readinessProbe`).
    pub probes: Vec<(String, Probe)>,
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

/// A strategic-merge patch of another kind: changed ConfigMap data, or the
/// deletion of a resource.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Patch {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// The base's namespace, which the patch must name to match; None for a
    /// cluster-scoped object.
    pub namespace: Option<String>,
    pub delete: bool,
    pub data: BTreeMap<String, String>,
}
