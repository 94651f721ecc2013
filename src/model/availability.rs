//! Availability: autoscaling and the shape of the disruption budget (the
//! replica count is a top-level field of a service, [`super::ServiceFile`]).

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Autoscaling {
    pub min: Spanned<u32>,
    pub max: Spanned<u32>,
    /// Target average utilisation, percent of the request.
    pub cpu: Option<Spanned<u32>>,
    pub memory: Option<Spanned<u32>>,
}

/// `pdb`: `false` (no budget, lint `no-pdb`), `true` (the default budget:
/// one pod unavailable at a time) or a shape. A budget renders only where
/// the workload runs more than one replica.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum PdbSetting {
    Enabled(bool),
    Shape(PdbShape),
}

/// A disruption budget: exactly one of `min_available` and
/// `max_unavailable`, each a pod count (`1`) or a percentage (`"50%"`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PdbShape {
    pub min_available: Option<IntOrPercent>,
    pub max_unavailable: Option<IntOrPercent>,
    /// `IfHealthyBudget` (Kubernetes' default) or `AlwaysAllow`: whether
    /// pods that are not ready may be evicted when the budget is spent.
    pub unhealthy_pod_eviction: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(untagged)]
pub enum IntOrPercent {
    Int(u32),
    Percent(String),
}

impl IntOrPercent {
    /// The percentage of a `"N%"` value (None for a count or a malformed
    /// percentage).
    pub fn percent(&self) -> Option<u32> {
        match self {
            IntOrPercent::Int(_) => None,
            IntOrPercent::Percent(p) => p.strip_suffix('%')?.parse().ok(),
        }
    }
}

impl PdbSetting {
    /// Whether the setting asks for a budget (`true` or a shape).
    pub fn enabled(&self) -> bool {
        !matches!(self, PdbSetting::Enabled(false))
    }
}

/// The budget a `pdb` setting asks for (the default budget when unset); None
/// for `false`.
pub fn pdb_shape(setting: Option<&Spanned<PdbSetting>>) -> Option<PdbShape> {
    match setting.map(|s| s.get_ref()) {
        Some(PdbSetting::Enabled(false)) => None,
        Some(PdbSetting::Shape(s)) => Some(s.clone()),
        Some(PdbSetting::Enabled(true)) | None => Some(PdbShape {
            min_available: None,
            max_unavailable: Some(IntOrPercent::Int(1)),
            unhealthy_pod_eviction: None,
        }),
    }
}
