//! Network: the dependency graph, egress to the internet, and the isolation
//! settings NetworkPolicies are derived from.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Where cluster DNS runs; every pod may reach it on port 53.
    pub dns_namespace: String,
    /// Labels of the DNS pods (`k8s-app = "kube-dns"` for CoreDNS).
    pub dns_labels: BTreeMap<String, String>,
    /// Namespace of the metrics scraper, allowed to reach metrics ports only.
    pub monitoring_namespace: Option<String>,
    /// Address ranges that "the internet" excludes.
    pub private_ranges: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternetEgress {
    /// Whom the service calls, for the policy's comments.
    pub purpose: String,
    pub port: Spanned<u32>,
    #[serde(default)]
    pub protocol: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    pub service: Spanned<String>,
    /// The port used; required unless the service is a Job, which serves
    /// nothing: a dependency on a Job only orders the two (it runs to
    /// completion first).
    pub port: Option<Spanned<String>>,
    /// Environment variable (in the ConfigMap) that receives the address.
    pub env: Option<String>,
    /// Scheme prefixed to the address (`http`, `tcp`, `redis`…).
    pub scheme: Option<String>,
    /// Why the edge exists, for the headers.
    pub purpose: Option<String>,
}
