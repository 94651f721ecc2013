//! The platform base: namespaces, the service account, priority classes and
//! the deployment-defaults component.

use serde::Serialize;

use super::Meta;

#[derive(Debug, Clone, Serialize)]
pub struct Namespace {
    pub meta: Meta,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceAccount {
    pub meta: Meta,
}

#[derive(Debug, Clone, Serialize)]
pub struct PriorityClass {
    pub meta: Meta,
    pub value: i32,
    pub description: String,
    pub preemption_policy: Option<String>,
}

/// The deployment-defaults component: JSON patches per workload kind.
#[derive(Debug, Clone, Serialize)]
pub struct Component {
    pub patches: Vec<ComponentPatch>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComponentPatch {
    pub kind: String,
    pub path: String,
    pub value: u32,
}
