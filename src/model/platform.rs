//! The platform itself: its name and namespace, images, categories (waves),
//! and the defaults every service starts from.

use serde::Deserialize;

use super::{ProbeDefaults, PullSecret, SecurityDefaults};
use toml::Spanned;

fn do_not_schedule() -> String {
    "DoNotSchedule".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformMeta {
    /// Short name, used for `app.kubernetes.io/part-of`.
    pub name: Spanned<String>,
    /// The namespace every service lives in unless it names another.
    pub namespace: Spanned<String>,
    /// The base domain routes are published under.
    pub domain: Spanned<String>,
    /// The git repository the rendered tree is committed to.
    pub repository: String,
    /// Who owns the platform, written into every file header.
    pub owner: String,
    pub description: Option<String>,
    /// The values a category's `component` may take
    /// (`["backend", "frontend", "database"]`); any label value when empty.
    #[serde(default)]
    pub components: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Images {
    /// Registry and path prefix of the platform's own images; a service image
    /// given as a bare name (no `/`, `:` or `@`) is resolved under it.
    pub registry: Spanned<String>,
    /// Tag of the platform's own images.
    pub tag: Spanned<String>,
    /// `IfNotPresent`, `Always` or `Never`.
    pub pull_policy: Spanned<String>,
    /// Credentials for a private registry, from the secret store; every
    /// workload running one of the platform's own images uses them.
    pub pull_secret: Option<PullSecret>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub name: Spanned<String>,
    /// Argo CD sync wave of everything in this category.
    pub wave: Spanned<u32>,
    /// Value of `app.kubernetes.io/component` for its services: a label
    /// value, one of `[platform] components` when the platform lists them.
    pub component: Spanned<String>,
    pub description: String,
    /// The namespace of its services (a service may name its own); the
    /// platform's when omitted.
    pub namespace: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub replicas: Spanned<u32>,
    pub revision_history_limit: Spanned<u32>,
    pub min_ready_seconds: Spanned<u32>,
    pub grace_period_seconds: u32,
    /// Priority class of a service that names none.
    pub priority_class: Spanned<String>,
    /// `whenUnsatisfiable` of the spread over nodes of a replicated workload
    /// (`DoNotSchedule` or `ScheduleAnyway`).
    #[serde(default = "do_not_schedule")]
    pub topology_spread: String,
    pub security: SecurityDefaults,
    pub probes: ProbeDefaults,
}
