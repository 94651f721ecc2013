//! The platform base: the priority classes and the service account every
//! workload uses.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityClass {
    pub name: Spanned<String>,
    /// At most 1,000,000,000: higher values are kept for the system's
    /// own classes.
    pub value: Spanned<i32>,
    #[serde(default)]
    pub global_default: bool,
    pub description: String,
    /// Whether pods of this class may preempt others (`Never` for batch work).
    pub preemption_policy: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceAccount {
    pub name: Spanned<String>,
}
