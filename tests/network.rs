//! The rendered NetworkPolicies allow exactly the declared edges. The
//! reachability below is computed from the policies alone, with
//! Kubernetes' semantics (a pod selected by no policy of a direction is open
//! in that direction; otherwise it is allowed what any selecting policy
//! allows, and traffic needs both the sender's egress and the receiver's
//! ingress), and compared with the graph declared in the sources: the
//! dependencies, the edge's routes (through an auth proxy where a Gateway
//! routes through one), metrics scrapes, the internet, and egress to
//! address ranges, other namespaces and named externals. It runs on Orbit
//! and on a platform with a namespace per service, as the base and as every
//! environment builds.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::*;
use platformc::load::{Loaded, LoadedService};
use platformc::model::{Environment, Route};
use serde_json::Value;

/// Something that sends or receives traffic.
#[derive(Debug, Clone)]
struct Endpoint {
    name: String,
    namespace: Option<String>,
    labels: BTreeMap<String, String>,
    ip: [u8; 4],
    ports: Vec<(String, u64)>,
}

fn labels(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn selects(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    let want = selector
        .get("matchLabels")
        .map(self::labels)
        .unwrap_or_default();
    assert!(
        selector.get("matchExpressions").is_none(),
        "matchExpressions not modelled"
    );
    want.iter().all(|(k, v)| labels.get(k) == Some(v))
}

fn parse_cidr(c: &str) -> ([u8; 4], u32) {
    let (ip, bits) = c.split_once('/').unwrap();
    let o: Vec<u8> = ip.split('.').map(|x| x.parse().unwrap()).collect();
    ([o[0], o[1], o[2], o[3]], bits.parse().unwrap())
}

fn in_cidr(ip: [u8; 4], cidr: &str) -> bool {
    let (net, bits) = parse_cidr(cidr);
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    u32::from_be_bytes(ip) & mask == u32::from_be_bytes(net) & mask
}

/// An address inside a range (its first host).
fn host_in(cidr: &str) -> [u8; 4] {
    let (net, bits) = parse_cidr(cidr);
    let n = u32::from_be_bytes(net);
    (if bits >= 31 { n } else { n + 1 }).to_be_bytes()
}

/// Whether `peer` (one entry of from/to) in a policy of namespace `ns`
/// matches endpoint `e`.
fn peer_matches(peer: &Value, ns: &str, e: &Endpoint) -> bool {
    if let Some(block) = peer.get("ipBlock") {
        let cidr = block["cidr"].as_str().unwrap();
        let except = block["except"].as_array().cloned().unwrap_or_default();
        return in_cidr(e.ip, cidr) && !except.iter().any(|x| in_cidr(e.ip, x.as_str().unwrap()));
    }
    let Some(e_ns) = &e.namespace else {
        return false;
    };
    let ns_ok = match peer.get("namespaceSelector") {
        Some(sel) => {
            let mut l = BTreeMap::new();
            l.insert("kubernetes.io/metadata.name".to_string(), e_ns.clone());
            selects(sel, &l)
        }
        None => e_ns == ns,
    };
    let pod_ok = peer
        .get("podSelector")
        .is_none_or(|sel| selects(sel, &e.labels));
    ns_ok && pod_ok
}

fn port_matches(rule: &Value, proto: &str, port: u64) -> bool {
    match rule.get("ports").and_then(Value::as_array) {
        None => true,
        Some(ports) => ports.iter().any(|p| {
            p.get("protocol").and_then(Value::as_str).unwrap_or("TCP") == proto
                && p["port"].as_u64() == Some(port)
        }),
    }
}

struct Policies(Vec<Value>);

impl Policies {
    /// Whether `subject` may send (egress) to or receive (ingress) from
    /// `other` on `proto`/`port`, as far as `subject`'s policies decide.
    fn allows(
        &self,
        direction: &str,
        subject: &Endpoint,
        other: &Endpoint,
        proto: &str,
        port: u64,
    ) -> bool {
        let Some(ns) = &subject.namespace else {
            return true;
        };
        let (list, peers, kind) = match direction {
            "ingress" => ("ingress", "from", "Ingress"),
            _ => ("egress", "to", "Egress"),
        };
        let selecting: Vec<&Value> = self
            .0
            .iter()
            .filter(|p| p["metadata"]["namespace"].as_str() == Some(ns.as_str()))
            .filter(|p| selects(&p["spec"]["podSelector"], &subject.labels))
            .filter(|p| {
                p["spec"]["policyTypes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t == kind)
            })
            .collect();
        if selecting.is_empty() {
            return true;
        }
        selecting.iter().any(|p| {
            p["spec"][list]
                .as_array()
                .into_iter()
                .flatten()
                .any(|rule| {
                    let peer_ok = match rule.get(peers).and_then(Value::as_array) {
                        None => true,
                        Some(ps) => ps.iter().any(|peer| peer_matches(peer, ns, other)),
                    };
                    peer_ok && port_matches(rule, proto, port)
                })
        })
    }
}

type Flow = (String, String, String, u64);

/// The platform's workloads and policies in a set of rendered documents.
fn endpoints(docs: &[Value]) -> (Vec<Endpoint>, Policies) {
    let mut policies = Vec::new();
    let mut endpoints = Vec::new();
    for doc in docs {
        let template = match doc["kind"].as_str().unwrap_or("") {
            "NetworkPolicy" => {
                policies.push(doc.clone());
                continue;
            }
            "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => doc["spec"]["template"].clone(),
            "CronJob" => doc["spec"]["jobTemplate"]["spec"]["template"].clone(),
            _ => continue,
        };
        let i = endpoints.len();
        let c = &template["spec"]["containers"][0];
        endpoints.push(Endpoint {
            name: doc["metadata"]["name"].as_str().unwrap().to_string(),
            namespace: Some(doc["metadata"]["namespace"].as_str().unwrap().to_string()),
            labels: labels(&template["metadata"]["labels"]),
            ip: [10, 244, (i / 250) as u8, (i % 250) as u8 + 1],
            ports: c["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    (
                        p["protocol"].as_str().unwrap_or("TCP").to_string(),
                        p["containerPort"].as_u64().unwrap(),
                    )
                })
                .collect(),
        });
    }
    (endpoints, Policies(policies))
}

fn outsider(
    name: &str,
    ns: Option<&str>,
    labels: BTreeMap<String, String>,
    ip: [u8; 4],
    ports: Vec<(String, u64)>,
) -> Endpoint {
    Endpoint {
        name: name.into(),
        namespace: ns.map(str::to_string),
        labels,
        ip,
        ports,
    }
}

fn tcp(port: u64) -> (String, u64) {
    ("TCP".to_string(), port)
}

/// What a platform declares, as one environment runs it.
struct Declared<'a> {
    loaded: &'a Loaded,
    env: Option<&'a Environment>,
}

impl<'a> Declared<'a> {
    fn runs(&self) -> Vec<&'a LoadedService> {
        self.loaded
            .services
            .iter()
            .filter(|s| {
                self.env
                    .is_none_or(|e| !e.exclude.iter().any(|x| x.get_ref() == &s.name))
            })
            .collect()
    }

    fn port_of(&self, svc: &str, name: &str) -> u64 {
        let s = self.loaded.services.iter().find(|s| s.name == svc).unwrap();
        *s.file.port(name).unwrap().port.get_ref() as u64
    }

    fn routes(&self, s: &LoadedService) -> Vec<Route> {
        s.file
            .routes_in(self.env.and_then(|e| e.overrides.get(&s.name)))
    }

    fn auth_of(&self, r: &Route) -> Option<String> {
        let p = &self.loaded.platform;
        p.policy_in(self.env, r.policy.as_ref().map(|x| x.get_ref().as_str()))
            .auth
            .map(|a| a.get_ref().clone())
    }

    /// The outsiders: the edge's proxies, the scraper, DNS, the internet, a
    /// private address, another namespace's pods, and every declared egress
    /// destination.
    fn outsiders(&self) -> (Vec<Endpoint>, Vec<Endpoint>) {
        let p = &self.loaded.platform;
        let net = p.network.as_ref().unwrap();
        let mut sources = Vec::new();
        if let Some(e) = &p.edge {
            sources.push(outsider(
                "(edge)",
                Some(e.proxy_namespace.get_ref()),
                e.proxy_labels.clone(),
                [10, 1, 0, 1],
                vec![],
            ));
        }
        if let Some(mon) = &net.monitoring_namespace {
            sources.push(outsider(
                "(monitoring)",
                Some(mon),
                BTreeMap::new(),
                [10, 1, 0, 2],
                vec![],
            ));
        }
        let mut web = vec![tcp(443), tcp(80)];
        for s in &self.loaded.services {
            web.extend(
                s.file
                    .internet
                    .iter()
                    .map(|i| tcp(*i.port.get_ref() as u64)),
            );
        }
        web.sort();
        web.dedup();
        let private = net.private_ranges[0].get_ref();
        let mut dests = vec![
            outsider(
                "(dns)",
                Some(&net.dns_namespace),
                net.dns_labels.clone(),
                [10, 96, 0, 10],
                vec![("UDP".into(), 53), tcp(53)],
            ),
            outsider(
                "(internet)",
                None,
                BTreeMap::new(),
                [140, 82, 112, 3],
                web.clone(),
            ),
            outsider(
                "(lan)",
                None,
                BTreeMap::new(),
                host_in(private),
                web.clone(),
            ),
            outsider(
                "(elsewhere)",
                Some("default"),
                BTreeMap::new(),
                [10, 2, 0, 9],
                web,
            ),
        ];
        for (i, r) in self.loaded.releases.iter().enumerate() {
            let Some(pods) = &r.file.pods else { continue };
            let labels = pods
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                .collect();
            let ports = pods
                .ports
                .iter()
                .map(|p| tcp(*p.port.get_ref() as u64))
                .collect();
            dests.push(outsider(
                &format!("(release {})", r.name),
                Some(r.file.namespace.get_ref()),
                labels,
                [10, 4, i as u8, 1],
                ports,
            ));
        }
        for x in &p.externals {
            let ports = x.ports.iter().map(|p| tcp(*p.get_ref() as u64)).collect();
            dests.push(outsider(
                &format!("(external {})", x.name.get_ref()),
                None,
                BTreeMap::new(),
                host_in(x.cidrs[0].get_ref()),
                ports,
            ));
        }
        for s in &self.loaded.services {
            for (i, e) in s.file.egress.iter().enumerate() {
                let ports: Vec<_> = e.ports.iter().map(|p| tcp(*p.get_ref() as u64)).collect();
                if let Some(ns) = &e.namespace {
                    let name = format!("({}/{})", ns.get_ref(), s.name);
                    dests.push(outsider(
                        &name,
                        Some(ns.get_ref()),
                        e.pods.clone(),
                        [10, 3, i as u8, 1],
                        ports,
                    ));
                } else if let Some(c) = e.cidrs.as_ref().and_then(|c| c.first()) {
                    dests.push(outsider(
                        &format!("(range {})", c.get_ref()),
                        None,
                        BTreeMap::new(),
                        host_in(c.get_ref()),
                        ports,
                    ));
                }
            }
        }
        (sources, dests)
    }

    /// Whether `s` declares traffic to an outside destination.
    fn egress_declared(&self, s: &LoadedService, d: &Endpoint, port: u64) -> bool {
        let p = &self.loaded.platform;
        let net = p.network.as_ref().unwrap();
        if d.name == "(dns)" {
            return port == 53;
        }
        let public = !net
            .private_ranges
            .iter()
            .any(|r| in_cidr(d.ip, r.get_ref()));
        if d.namespace.is_none()
            && public
            && s.file
                .internet
                .iter()
                .any(|i| *i.port.get_ref() as u64 == port)
        {
            return true;
        }
        s.file.egress.iter().any(|e| {
            if let Some(x) = &e.external {
                let ext = p
                    .externals
                    .iter()
                    .find(|y| y.name.get_ref() == x.get_ref())
                    .unwrap();
                let ports = if e.ports.is_empty() {
                    &ext.ports
                } else {
                    &e.ports
                };
                d.namespace.is_none()
                    && ext.cidrs.iter().any(|c| in_cidr(d.ip, c.get_ref()))
                    && ports.iter().any(|p| *p.get_ref() as u64 == port)
            } else if let Some(ns) = &e.namespace {
                d.namespace.as_deref() == Some(ns.get_ref())
                    && e.pods.iter().all(|(k, v)| d.labels.get(k) == Some(v))
                    && e.ports.iter().any(|p| *p.get_ref() as u64 == port)
            } else {
                d.namespace.is_none()
                    && e.cidrs.iter().flatten().any(|c| in_cidr(d.ip, c.get_ref()))
                    && e.ports.iter().any(|p| *p.get_ref() as u64 == port)
            }
        })
    }

    /// The declared flows between platform services and with the
    /// outsiders.
    fn flows(&self, dests: &[Endpoint]) -> BTreeSet<Flow> {
        let p = &self.loaded.platform;
        let gateway = p
            .edge
            .as_ref()
            .is_some_and(|e| e.kind.get_ref() == "gateway");
        let mut declared = BTreeSet::new();
        let runs = self.runs();
        let running: BTreeSet<&str> = runs.iter().map(|s| s.name.as_str()).collect();
        for s in &runs {
            for d in dests
                .iter()
                .filter(|d| d.namespace.as_deref() != Some("default"))
            {
                for (proto, port) in &d.ports {
                    if self.egress_declared(s, d, *port) {
                        declared.insert((s.name.clone(), d.name.clone(), proto.clone(), *port));
                    }
                }
            }
            for dep in &s.file.depends_on {
                let Some(port) = &dep.port else { continue };
                let target = dep.service.get_ref();
                if running.contains(target.as_str()) {
                    let port = self.port_of(target, port.get_ref());
                    declared.insert((s.name.clone(), target.clone(), "TCP".into(), port));
                } else if let Some(r) = self.loaded.releases.iter().find(|r| &r.name == target) {
                    // A dependency on a Helm release reaches its pods.
                    let pods = r.file.pods.as_ref().unwrap();
                    let p = pods
                        .ports
                        .iter()
                        .find(|p| p.name.get_ref() == port.get_ref());
                    declared.insert((
                        s.name.clone(),
                        format!("(release {target})"),
                        "TCP".into(),
                        *p.unwrap().port.get_ref() as u64,
                    ));
                }
            }
            for r in self.routes(s) {
                let port = self.port_of(&s.name, r.port.get_ref());
                match self.auth_of(&r) {
                    Some(proxy) if gateway => {
                        declared.insert((proxy.clone(), s.name.clone(), "TCP".into(), port));
                        declared.insert((
                            "(edge)".into(),
                            proxy.clone(),
                            "TCP".into(),
                            self.port_of(&proxy, "http"),
                        ));
                    }
                    Some(proxy) => {
                        declared.insert(("(edge)".into(), s.name.clone(), "TCP".into(), port));
                        declared.insert((
                            "(edge)".into(),
                            proxy.clone(),
                            "TCP".into(),
                            self.port_of(&proxy, "http"),
                        ));
                    }
                    None => {
                        declared.insert(("(edge)".into(), s.name.clone(), "TCP".into(), port));
                    }
                }
            }
            if p.network.as_ref().unwrap().monitoring_namespace.is_some() {
                for port in s.file.ports.iter().filter(|p| p.serves_metrics()) {
                    declared.insert((
                        "(monitoring)".into(),
                        s.name.clone(),
                        "TCP".into(),
                        *port.port.get_ref() as u64,
                    ));
                }
            }
        }
        declared
    }
}

/// Reachability among the documents' workloads and the outsiders, compared
/// with the declared flows; returns the number of allowed flows.
fn check_reachability(
    loaded: &Loaded,
    env: Option<&Environment>,
    docs: &[Value],
    what: &str,
) -> usize {
    let (endpoints, policies) = endpoints(docs);
    assert!(!endpoints.is_empty(), "{what}: no workload");
    let declared = Declared { loaded, env };
    let (outside_sources, dests) = declared.outsiders();
    let sources: Vec<Endpoint> = endpoints.iter().cloned().chain(outside_sources).collect();
    let destinations: Vec<Endpoint> = endpoints
        .iter()
        .cloned()
        .chain(dests.iter().cloned())
        .collect();
    let ours: BTreeSet<String> = endpoints.iter().map(|e| e.name.clone()).collect();
    let mut actual: BTreeSet<Flow> = BTreeSet::new();
    for s in &sources {
        for d in &destinations {
            // Traffic between two outsiders is not the platform's to decide.
            if s.name == d.name || !(ours.contains(&s.name) || ours.contains(&d.name)) {
                continue;
            }
            for (proto, port) in &d.ports {
                if policies.allows("egress", s, d, proto, *port)
                    && policies.allows("ingress", d, s, proto, *port)
                {
                    actual.insert((s.name.clone(), d.name.clone(), proto.clone(), *port));
                }
            }
        }
    }
    let want = declared.flows(&dests);
    let extra: Vec<_> = actual.difference(&want).collect();
    let missing: Vec<_> = want.difference(&actual).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "{what}:\nallowed but not declared: {extra:#?}\ndeclared but not allowed: {missing:#?}"
    );
    assert!(
        !actual
            .iter()
            .any(|f| f.1 == "(lan)" || f.1 == "(elsewhere)"),
        "{what}"
    );
    actual.len()
}

/// The documents of a tree's base (everything but the overlays).
fn base_docs(out: &Path) -> Vec<Value> {
    read_tree(out)
        .into_iter()
        .filter(|(rel, _)| rel.ends_with(".yaml") && !rel.starts_with("overlays/"))
        .map(|(_, bytes)| serde_saphyr::from_str(&String::from_utf8(bytes).unwrap()).unwrap())
        .collect()
}

/// The base and every environment of a platform root and its rendered tree.
fn check_platform(root: &Path, out: &Path) -> usize {
    let (loaded, diags) = platformc::load::load(root);
    assert!(diags.is_empty(), "{diags}");
    let loaded = loaded.unwrap();
    let what = format!("{} (base)", out.display());
    let mut flows = check_reachability(&loaded, None, &base_docs(out), &what);
    for env in &loaded.platform.environments {
        let Some(docs) = built(&out.join("overlays").join(env.name.get_ref())) else {
            assert!(
                std::env::var("CI").map_or(true, |v| v != "true"),
                "kubectl is missing"
            );
            return flows;
        };
        flows += check_reachability(&loaded, Some(env), &docs, env.name.get_ref());
    }
    flows
}

#[test]
fn orbits_policies_allow_exactly_the_declared_edges() {
    let flows = check_platform(&repo_root(), &repo_root().join("output"));
    // Sanity: the comparison saw real traffic.
    assert!(flows > 40, "{flows}");
}

/// Every tree fixture with network isolation: among them a platform with
/// a namespace per service and egress of every kind (`tenancy`), and one
/// per edge implementation.
#[test]
fn every_tree_fixture_allows_exactly_its_edges() {
    let mut checked = Vec::new();
    for case in std::fs::read_dir(fixtures().join("trees")).unwrap() {
        let case = case.unwrap().path();
        let root = fixture_root(&case);
        let text = std::fs::read_to_string(root.path().join("platform.toml")).unwrap();
        if !text.contains("\n[network]") {
            continue;
        }
        let flows = check_platform(root.path(), &case.join("expected"));
        assert!(flows > 0, "{}: {flows}", case.display());
        checked.push(case.file_name().unwrap().to_string_lossy().into_owned());
    }
    assert!(checked.contains(&"tenancy".to_string()), "{checked:?}");
}

#[test]
fn every_namespace_has_a_default_deny() {
    let out = repo_root().join("output");
    let mut namespaces = BTreeSet::new();
    let mut denied = BTreeSet::new();
    for doc in base_docs(&out) {
        match doc["kind"].as_str().unwrap_or("") {
            "Namespace" => {
                namespaces.insert(doc["metadata"]["name"].as_str().unwrap().to_string());
            }
            "NetworkPolicy" if doc["spec"]["podSelector"] == serde_json::json!({}) => {
                assert_eq!(doc["spec"]["ingress"], serde_json::json!([]));
                denied.insert(doc["metadata"]["namespace"].as_str().unwrap().to_string());
            }
            _ => {}
        }
    }
    assert!(!namespaces.is_empty());
    assert_eq!(namespaces, denied);
}
