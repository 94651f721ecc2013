//! Network: a default deny in every namespace (seed 000 §2.3) and, per
//! service, a NetworkPolicy allowing both sides of every edge of the
//! dependency graph (derived from the one declaration on the consumer's
//! side), the gateway on routed ports, the monitoring namespace on metrics
//! ports, and the internet where a service declares it.

use indexmap::IndexMap;

use super::service::ServicePlanner;
use super::{Planner, namespace_of};
use crate::ir::{NetworkPolicy, Peer, PlannedFile, PolicyPort, PolicyRule, Resource};
use crate::layout::{BASE_NAMESPACE_DIR, NETWORKPOLICY_FILE, per_namespace};
use crate::load::LoadedService;
use crate::model::Network;

/// DNS over UDP and TCP.
pub fn dns_ports() -> Vec<PolicyPort> {
    ["UDP", "TCP"]
        .iter()
        .map(|p| PolicyPort {
            protocol: p.to_string(),
            port: 53,
        })
        .collect()
}

impl Planner<'_> {
    /// The default-deny policy of every namespace; returns the files' names
    /// in `base/namespace`.
    pub(super) fn plan_default_deny(&mut self) -> Vec<String> {
        let Some(net) = &self.platform.network else {
            return vec![];
        };
        let platform_ns = self.platform.platform.namespace.get_ref();
        let mut files = Vec::new();
        for ns in self.namespaces() {
            let file = per_namespace("networkpolicy-default-deny", &ns, platform_ns);
            let dns: IndexMap<String, String> = net
                .dns_labels
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let mut header = self.header(
                "NETWORKPOLICY: default-deny".into(),
                format!("Denies all traffic to and from the pods of {ns}, except DNS"),
                format!("namespace {ns}; the CNI enforcing NetworkPolicy"),
                "0 (base)".into(),
                "platform.toml [network]".into(),
            );
            header.notes.push(
                "CRITICAL: each service's own policy allows exactly its declared edges; never widen this one".into(),
            );
            self.files.push(PlannedFile {
                path: format!("{BASE_NAMESPACE_DIR}/{file}"),
                header,
                resource: Resource::NetworkPolicy(NetworkPolicy {
                    meta: self.base_meta("default-deny", Some(&ns)),
                    pod_selector: IndexMap::new(),
                    ingress: vec![],
                    egress: vec![PolicyRule {
                        why: "cluster DNS".into(),
                        peers: vec![Peer::Pods {
                            namespace: Some(net.dns_namespace.clone()),
                            labels: dns,
                        }],
                        ports: dns_ports(),
                    }],
                }),
            });
            files.push(file);
        }
        files
    }
}

impl ServicePlanner<'_, '_> {
    pub(super) fn network_policy_file(&self) -> Option<PlannedFile> {
        let net = self.p.platform.network.as_ref()?;
        let name = self.name();
        Some(self.file_needing(
            NETWORKPOLICY_FILE,
            "NETWORKPOLICY",
            format!("Allows {name} exactly the traffic its declared edges need"),
            format!("default-deny of namespace {} (base)", self.namespace),
            Resource::NetworkPolicy(NetworkPolicy {
                meta: self.meta(name.to_string()),
                pod_selector: self.selector(),
                ingress: self.ingress_rules(net),
                egress: self.egress_rules(net),
            }),
        ))
    }

    /// The pods of `svc`, in its namespace when that is not this one's.
    fn peer(&self, svc: &LoadedService) -> Peer {
        let ns = namespace_of(self.p.platform, svc);
        let mut labels = IndexMap::new();
        labels.insert("app".to_string(), svc.name.clone());
        Peer::Pods {
            namespace: (ns != self.namespace).then_some(ns),
            labels,
        }
    }

    fn policy_port(svc: &LoadedService, name: &str) -> PolicyPort {
        let p = svc.file.ports.iter().find(|p| p.name.get_ref() == name);
        PolicyPort {
            protocol: p
                .and_then(|p| p.protocol.as_ref())
                .map_or_else(|| "TCP".to_string(), |x| x.get_ref().clone()),
            port: p.map_or(0, |p| *p.port.get_ref()),
        }
    }

    /// From each consumer on the port it uses, from the gateway on routed
    /// ports, from the monitoring namespace on metrics ports.
    fn ingress_rules(&self, net: &Network) -> Vec<PolicyRule> {
        let f = &self.svc.file;
        let mut ingress = Vec::new();
        for (consumer, d) in self.p.consumers_of(self.name()) {
            let Some(port) = &d.port else { continue };
            ingress.push(PolicyRule {
                why: format!("from {} ({})", consumer.name, port.get_ref()),
                peers: vec![self.peer(consumer)],
                ports: vec![Self::policy_port(self.svc, port.get_ref())],
            });
        }
        if let Some(gw) = &self.p.platform.gateway {
            let mut ports: Vec<PolicyPort> = f
                .routes
                .iter()
                .map(|r| Self::policy_port(self.svc, r.port.get_ref()))
                .collect();
            ports.sort();
            ports.dedup();
            if !ports.is_empty() {
                ingress.push(PolicyRule {
                    why: format!("from gateway {}/{} (routes)", gw.namespace, gw.name),
                    peers: vec![Peer::Namespace {
                        namespace: gw.namespace.clone(),
                    }],
                    ports,
                });
            }
        }
        if let Some(mon) = &net.monitoring_namespace {
            let ports: Vec<PolicyPort> = f
                .ports
                .iter()
                .filter(|p| p.serves_metrics())
                .map(|p| Self::policy_port(self.svc, p.name.get_ref()))
                .collect();
            if !ports.is_empty() {
                ingress.push(PolicyRule {
                    why: format!("metrics scrapes from {mon}"),
                    peers: vec![Peer::Namespace {
                        namespace: mon.clone(),
                    }],
                    ports,
                });
            }
        }
        ingress
    }

    /// To the pods of a release, on the port of them it names.
    fn release_egress(&self, d: &crate::model::Dependency) -> Option<PolicyRule> {
        let (r, _) = self
            .p
            .releases
            .iter()
            .find(|(r, _)| &r.name == d.service.get_ref())?;
        let port = d.port.as_ref()?;
        let pods = r.file.pods.as_ref()?;
        let p = pods
            .ports
            .iter()
            .find(|p| p.name.get_ref() == port.get_ref())?;
        Some(PolicyRule {
            why: format!("to the release {} ({})", r.name, port.get_ref()),
            peers: vec![Peer::Pods {
                namespace: Some(self.p.release_namespace(r)),
                labels: pods
                    .labels
                    .iter()
                    .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                    .collect(),
            }],
            ports: vec![PolicyPort {
                protocol: p
                    .protocol
                    .as_ref()
                    .map_or_else(|| "TCP".to_string(), |x| x.get_ref().clone()),
                port: *p.port.get_ref(),
            }],
        })
    }

    /// To each dependency on the port it uses; to the internet (every
    /// address outside the private ranges) on the declared ports.
    fn egress_rules(&self, net: &Network) -> Vec<PolicyRule> {
        let f = &self.svc.file;
        let mut egress = Vec::new();
        for d in &f.depends_on {
            if let Some(rule) = self.release_egress(d) {
                egress.push(rule);
                continue;
            }
            let (Some(t), Some(port)) = (self.p.by_name.get(d.service.get_ref().as_str()), &d.port)
            else {
                continue;
            };
            egress.push(PolicyRule {
                why: format!("to {} ({})", t.name, port.get_ref()),
                peers: vec![self.peer(t)],
                ports: vec![Self::policy_port(t, port.get_ref())],
            });
        }
        if f.internet.is_empty() {
            return egress;
        }
        let mut ports: Vec<PolicyPort> = f
            .internet
            .iter()
            .map(|i| PolicyPort {
                protocol: i
                    .protocol
                    .as_ref()
                    .map_or_else(|| "TCP".to_string(), |x| x.get_ref().clone()),
                port: *i.port.get_ref(),
            })
            .collect();
        ports.sort();
        ports.dedup();
        egress.push(PolicyRule {
            why: format!(
                "to the internet: {}",
                f.internet
                    .iter()
                    .map(|i| i.purpose.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            peers: vec![Peer::Addresses {
                cidr: "0.0.0.0/0".into(),
                except: net
                    .private_ranges
                    .iter()
                    .map(|r| r.get_ref().clone())
                    .collect(),
            }],
            ports,
        });
        egress
    }
}
