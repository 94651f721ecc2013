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

/// A named endpoint outside the platform (`[[externals]]`) that services
/// reach by name: a database service, an object store on the internal
/// network, another cluster's API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct External {
    pub name: Spanned<String>,
    pub description: String,
    /// The DNS name services use (`s3.example.com`), for the address an
    /// egress writes into the ConfigMap.
    pub host: Option<Spanned<String>>,
    /// The addresses it answers on; egress is allowed to these only.
    pub cidrs: Vec<Spanned<String>>,
    pub ports: Vec<Spanned<u32>>,
    /// `TCP` (the default), `UDP` or `SCTP`.
    pub protocol: Option<Spanned<String>>,
}

/// Traffic a service sends outside the platform's own services, to exactly
/// one of: address ranges (`cidrs`), pods of another namespace
/// (`namespace`), or a named external endpoint (`external`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Egress {
    /// Why, for the policy's comments.
    pub purpose: Option<String>,
    pub cidrs: Option<Vec<Spanned<String>>>,
    /// A namespace the platform does not manage (`observability`).
    pub namespace: Option<Spanned<String>>,
    /// Labels of the pods in `namespace`; all its pods when empty.
    #[serde(default)]
    pub pods: BTreeMap<String, String>,
    /// The Service in `namespace` whose address `env` receives.
    pub service: Option<Spanned<String>>,
    /// An `[[externals]]` name.
    pub external: Option<Spanned<String>>,
    /// Ports allowed (an external's own ports when omitted).
    #[serde(default)]
    pub ports: Vec<Spanned<u32>>,
    pub protocol: Option<Spanned<String>>,
    /// Environment variable (in the ConfigMap) that receives the address:
    /// `<service>.<namespace>.svc.cluster.local:<first port>` or
    /// `<host>:<first port>` of an external.
    pub env: Option<String>,
    /// Scheme prefixed to that address (`http`, `https`).
    pub scheme: Option<String>,
}
