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
    /// Refused when true (E0013): the API server admits one default class
    /// per cluster and refuses a second, and every workload platformc
    /// renders names its class (`[defaults] priority_class`).
    pub global_default: Option<Spanned<bool>>,
    pub description: String,
    /// Whether pods of this class may preempt others (`Never` for batch work).
    pub preemption_policy: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceAccount {
    pub name: Spanned<String>,
}
