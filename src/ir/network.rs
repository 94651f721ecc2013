//! Network: NetworkPolicies.

use indexmap::IndexMap;
use serde::Serialize;

use super::Meta;

/// A NetworkPolicy: which pods it selects and the traffic it allows them.
/// Policies add up: a pod may send (receive) what any policy selecting it
/// allows, and nothing else once one selects it.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkPolicy {
    pub meta: Meta,
    /// Empty: every pod of the namespace.
    pub pod_selector: IndexMap<String, String>,
    pub ingress: Vec<PolicyRule>,
    pub egress: Vec<PolicyRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRule {
    /// Why the rule exists, rendered as a comment.
    pub why: String,
    pub peers: Vec<Peer>,
    pub ports: Vec<PolicyPort>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "peer", rename_all = "camelCase")]
pub enum Peer {
    /// Pods with these labels, in `namespace` (or the policy's own).
    Pods {
        namespace: Option<String>,
        labels: IndexMap<String, String>,
    },
    /// Every pod of a namespace.
    Namespace { namespace: String },
    /// Addresses: `cidr` minus `except`.
    Addresses { cidr: String, except: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PolicyPort {
    pub protocol: String,
    pub port: u32,
}
