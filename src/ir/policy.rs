//! Policy: Kyverno ClusterPolicies and PolicyExceptions.

use serde::Serialize;
use serde_json::Value;

use super::Meta;

#[derive(Debug, Clone, Serialize)]
pub struct ClusterPolicy {
    pub meta: Meta,
    pub rule: String,
    pub kinds: Vec<String>,
    /// Namespaces are matched by their `app.kubernetes.io/part-of` label, so
    /// the policy covers every environment's namespace.
    pub part_of: String,
    pub failure_action: String,
    pub message: String,
    pub pattern: Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyException {
    pub meta: Meta,
    pub exceptions: Vec<ExceptedPolicy>,
    pub kinds: Vec<String>,
    /// Matched by label, like the policies, so one exception serves every
    /// environment's namespace.
    pub part_of: String,
    /// The workload and the pods it creates.
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExceptedPolicy {
    pub policy: String,
    pub rules: Vec<String>,
    /// The reason stated in the service file.
    pub reason: String,
}
