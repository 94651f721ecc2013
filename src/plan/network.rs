//! Network: a default deny in every namespace (seed 000 §2.3) and, per
//! service, a NetworkPolicy allowing both sides of every edge of the
//! dependency graph (derived from the one declaration on the consumer's
//! side), the gateway on routed ports, the monitoring namespace on metrics
//! ports, and the internet where a service declares it.

use indexmap::IndexMap;

use super::base::NamespacePlanner;
use super::namespace_of;
use super::routes::HostRoutes;
use super::service::ServicePlanner;
use crate::ir::{NetworkPolicy, Peer, PlannedFile, PolicyPort, PolicyRule, Resource};
use crate::layout::{DEFAULT_DENY_FILE, NETWORKPOLICY_FILE};
use crate::load::LoadedService;
use crate::model::{Egress, Network, Route};

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

impl NamespacePlanner<'_, '_> {
    /// The namespace's default deny: nothing in or out but DNS.
    pub(super) fn default_deny_file(&self) -> Option<PlannedFile> {
        let net = self.p.platform.network.as_ref()?;
        let ns = &self.ns;
        let dns: IndexMap<String, String> = net
            .dns_labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut header = self.header(
            "NETWORKPOLICY: default-deny".into(),
            format!("Denies all traffic to and from the pods of {ns}, except DNS"),
            format!("namespace {ns}; the CNI enforcing NetworkPolicy"),
        );
        header.notes.push(
            "CRITICAL: each service's own policy allows exactly its declared edges; never widen this one".into(),
        );
        header.source = "platform.toml [network]".into();
        Some(self.file(
            DEFAULT_DENY_FILE,
            header,
            Resource::NetworkPolicy(NetworkPolicy {
                meta: self.meta("default-deny"),
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
        ))
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

    /// The pods of `svc`, in its namespace (as this environment names it)
    /// when that is not this one's.
    pub(super) fn peer(&self, svc: &LoadedService) -> Peer {
        let ns = namespace_of(self.p.platform, svc);
        let mut labels = IndexMap::new();
        labels.insert("app".to_string(), svc.name.clone());
        Peer::Pods {
            namespace: (ns != self.namespace).then(|| self.ns_in(&ns)),
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

    /// Whether `svc` runs here (its consumers and dependencies in an
    /// environment are those it runs).
    fn runs_here(&self, svc: &LoadedService) -> bool {
        self.env
            .is_none_or(|e| !e.exclude.iter().any(|x| x.get_ref() == &svc.name))
    }

    /// From each consumer on the port it uses, from the edge's proxies on
    /// routed ports (from the auth proxy instead where a Gateway routes
    /// through it), from the monitoring namespace on metrics ports.
    fn ingress_rules(&self, net: &Network) -> Vec<PolicyRule> {
        let f = &self.svc.file;
        let mut ingress = Vec::new();
        for (consumer, d) in self.p.consumers_of(self.name()) {
            if !self.runs_here(consumer) {
                continue;
            }
            let Some(port) = &d.port else { continue };
            ingress.push(PolicyRule {
                why: format!("from {} ({})", consumer.name, port.get_ref()),
                peers: vec![self.peer(consumer)],
                ports: vec![Self::policy_port(self.svc, port.get_ref())],
            });
        }
        ingress.extend(self.edge_ingress());
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

    /// The edge's proxy pods.
    fn edge_peer(&self) -> Option<Peer> {
        let e = self.p.platform.edge.as_ref()?;
        let ns = e.proxy_namespace.get_ref().clone();
        Some(if e.proxy_labels.is_empty() {
            Peer::Namespace { namespace: ns }
        } else {
            Peer::Pods {
                namespace: Some(ns),
                labels: e
                    .proxy_labels
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            }
        })
    }

    /// Whether requests to this route go through its auth proxy (Gateway
    /// API) rather than straight from the edge.
    fn through_proxy(&self, g: &HostRoutes) -> bool {
        g.policy.auth.is_some()
            && self
                .p
                .platform
                .edge
                .as_ref()
                .is_some_and(|e| e.kind.get_ref() == "gateway")
    }

    /// Edge traffic: to routed ports, to this service's auth port when it
    /// authenticates routes, and from the auth proxy it sits behind.
    fn edge_ingress(&self) -> Vec<PolicyRule> {
        let Some(edge) = self.edge_peer() else {
            return vec![];
        };
        let groups = self.host_groups();
        let port_of = |r: &Route| Self::policy_port(self.svc, r.port.get_ref());
        let mut direct: Vec<PolicyPort> = groups
            .iter()
            .filter(|g| !self.through_proxy(g))
            .flat_map(|g| g.routes.iter().map(port_of))
            .collect();
        if !self.p.protected_by(self.env, self.name()).is_empty() {
            direct.extend(
                self.svc
                    .file
                    .port("http")
                    .map(|_| Self::policy_port(self.svc, "http")),
            );
        }
        direct.sort();
        direct.dedup();
        let mut rules = Vec::new();
        if !direct.is_empty() {
            let ns = self
                .p
                .platform
                .edge
                .as_ref()
                .map_or("", |e| e.proxy_namespace.get_ref());
            rules.push(PolicyRule {
                why: format!("from the edge's proxies in {ns} (routes)"),
                peers: vec![edge],
                ports: direct,
            });
        }
        let mut by_proxy: IndexMap<String, Vec<PolicyPort>> = IndexMap::new();
        for g in groups.iter().filter(|g| self.through_proxy(g)) {
            if let Some(a) = &g.policy.auth {
                by_proxy
                    .entry(a.get_ref().clone())
                    .or_default()
                    .extend(g.routes.iter().map(port_of));
            }
        }
        for (proxy, mut ports) in by_proxy {
            let Some(p) = self.p.by_name.get(proxy.as_str()) else {
                continue;
            };
            ports.sort();
            ports.dedup();
            rules.push(PolicyRule {
                why: format!("from {proxy} (authenticated routes)"),
                peers: vec![self.peer(p)],
                ports,
            });
        }
        rules
    }

    /// To each dependency on the port it uses; to the services this one
    /// authenticates for through a Gateway; to the internet (every address
    /// outside the private ranges) on the declared ports; to each declared
    /// egress.
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
        egress.extend(self.proxied_egress());
        egress.extend(self.internet_egress(net));
        for e in &f.egress {
            egress.push(self.declared_egress(e));
        }
        egress
    }

    /// An auth proxy in front of routes on a Gateway reaches their services.
    fn proxied_egress(&self) -> Vec<PolicyRule> {
        let gateway = self
            .p
            .platform
            .edge
            .as_ref()
            .is_some_and(|e| e.kind.get_ref() == "gateway");
        if !gateway {
            return vec![];
        }
        let mut by_service: IndexMap<&str, (&LoadedService, Vec<PolicyPort>)> = IndexMap::new();
        for (s, r) in self.p.protected_by(self.env, self.name()) {
            by_service
                .entry(s.name.as_str())
                .or_insert_with(|| (s, Vec::new()))
                .1
                .push(Self::policy_port(s, r.port.get_ref()));
        }
        by_service
            .into_values()
            .map(|(s, mut ports)| {
                ports.sort();
                ports.dedup();
                PolicyRule {
                    why: format!("to {} (routes it authenticates)", s.name),
                    peers: vec![self.peer(s)],
                    ports,
                }
            })
            .collect()
    }

    fn internet_egress(&self, net: &Network) -> Option<PolicyRule> {
        let f = &self.svc.file;
        if f.internet.is_empty() {
            return None;
        }
        let mut ports: Vec<PolicyPort> = f
            .internet
            .iter()
            .map(|i| PolicyPort {
                protocol: protocol(i.protocol.as_ref()),
                port: *i.port.get_ref(),
            })
            .collect();
        ports.sort();
        ports.dedup();
        Some(PolicyRule {
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
        })
    }

    /// One `[[egress]]`: address ranges, pods of another namespace, or a
    /// named external endpoint.
    fn declared_egress(&self, e: &Egress) -> PolicyRule {
        let external = e.external.as_ref().and_then(|x| {
            self.p
                .platform
                .externals
                .iter()
                .find(|y| y.name.get_ref() == x.get_ref())
        });
        let port_list = if e.ports.is_empty() {
            external.map_or(&e.ports, |x| &x.ports)
        } else {
            &e.ports
        };
        let proto = protocol(
            e.protocol
                .as_ref()
                .or(external.and_then(|x| x.protocol.as_ref())),
        );
        let mut ports: Vec<PolicyPort> = port_list
            .iter()
            .map(|p| PolicyPort {
                protocol: proto.clone(),
                port: *p.get_ref(),
            })
            .collect();
        ports.sort();
        ports.dedup();
        let cidrs = |v: &[toml::Spanned<String>]| -> Vec<Peer> {
            v.iter()
                .map(|c| Peer::Addresses {
                    cidr: c.get_ref().clone(),
                    except: vec![],
                })
                .collect()
        };
        let (what, peers) = if let Some(x) = external {
            (format!("external {}", x.name.get_ref()), cidrs(&x.cidrs))
        } else if let Some(ns) = &e.namespace {
            let peer = if e.pods.is_empty() {
                Peer::Namespace {
                    namespace: ns.get_ref().clone(),
                }
            } else {
                Peer::Pods {
                    namespace: Some(ns.get_ref().clone()),
                    labels: e.pods.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                }
            };
            (format!("namespace {}", ns.get_ref()), vec![peer])
        } else {
            let list = e.cidrs.as_deref().unwrap_or_default();
            let names: Vec<&str> = list.iter().map(|c| c.get_ref().as_str()).collect();
            (names.join(", "), cidrs(list))
        };
        let why = match &e.purpose {
            Some(p) => format!("to {what}: {p}"),
            None => format!("to {what}"),
        };
        PolicyRule { why, peers, ports }
    }
}

/// A protocol as written, TCP by default.
fn protocol(p: Option<&toml::Spanned<String>>) -> String {
    p.map_or_else(|| "TCP".to_string(), |x| x.get_ref().clone())
}
