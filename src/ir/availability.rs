//! Availability: disruption budgets, autoscalers and node spread.

use indexmap::IndexMap;
use serde::Serialize;

use super::Meta;
pub use crate::model::IntOrPercent;

#[derive(Debug, Clone, Serialize)]
pub struct Pdb {
    pub meta: Meta,
    pub min_available: Option<IntOrPercent>,
    pub max_unavailable: Option<IntOrPercent>,
    pub unhealthy_pod_eviction: Option<String>,
    pub selector: IndexMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hpa {
    pub meta: Meta,
    /// Kind and name of the scaled workload.
    pub kind: String,
    pub target: String,
    pub min: u32,
    pub max: u32,
    /// Target average utilisation in percent.
    pub cpu: Option<u32>,
    pub memory: Option<u32>,
}

/// The node spread of a replicated workload: at most one pod more on any
/// node than on another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Spread {
    pub max_skew: u32,
    pub topology_key: &'static str,
    /// `DoNotSchedule` or `ScheduleAnyway` (platform default).
    pub when_unsatisfiable: String,
}
