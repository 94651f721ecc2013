//! The rendered NetworkPolicies allow exactly the declared edges. The
//! reachability below is computed from the policies in output/ alone, with
//! Kubernetes' semantics (a pod selected by no policy of a direction is open
//! in that direction; otherwise it is allowed what any selecting policy
//! allows, and traffic needs both the sender's egress and the receiver's
//! ingress), and compared with the graph declared in the service files.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use common::*;
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

#[test]
fn rendered_policies_allow_exactly_the_declared_edges() {
    let out = repo_root().join("output");
    let mut policies = Vec::new();
    let mut endpoints = Vec::new();
    for (i, (rel, bytes)) in read_tree(&out).into_iter().enumerate() {
        // The base tree: the overlays change namespaces, not edges.
        if !rel.ends_with(".yaml") || rel.starts_with("overlays/") {
            continue;
        }
        let doc: Value = serde_saphyr::from_str(&String::from_utf8(bytes).unwrap()).unwrap();
        let template = match doc["kind"].as_str().unwrap_or("") {
            "NetworkPolicy" => {
                policies.push(doc);
                continue;
            }
            "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => doc["spec"]["template"].clone(),
            "CronJob" => doc["spec"]["jobTemplate"]["spec"]["template"].clone(),
            _ => continue,
        };
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

    let platform: toml::Value =
        toml::from_str(&fs::read_to_string(repo_root().join("platform.toml")).unwrap()).unwrap();
    let gateway_ns = platform["gateway"]["namespace"]
        .as_str()
        .unwrap()
        .to_string();
    let net = &platform["network"];
    let monitoring_ns = net["monitoring_namespace"].as_str().unwrap().to_string();
    let outsider = |name: &str,
                    ns: Option<&str>,
                    labels: BTreeMap<String, String>,
                    ip,
                    ports: Vec<(String, u64)>| Endpoint {
        name: name.into(),
        namespace: ns.map(str::to_string),
        labels,
        ip,
        ports,
    };
    let dns_labels: BTreeMap<String, String> = net["dns_labels"]
        .as_table()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    let web = vec![("TCP".to_string(), 443), ("TCP".to_string(), 80)];
    let sources: Vec<Endpoint> = endpoints
        .iter()
        .cloned()
        .chain([
            outsider(
                "gateway",
                Some(&gateway_ns),
                BTreeMap::new(),
                [10, 1, 0, 1],
                vec![],
            ),
            outsider(
                "monitoring",
                Some(&monitoring_ns),
                BTreeMap::new(),
                [10, 1, 0, 2],
                vec![],
            ),
        ])
        .collect();
    let destinations: Vec<Endpoint> = endpoints
        .iter()
        .cloned()
        .chain([
            outsider(
                "dns",
                Some(net["dns_namespace"].as_str().unwrap()),
                dns_labels,
                [10, 96, 0, 10],
                vec![("UDP".into(), 53), ("TCP".into(), 53)],
            ),
            outsider(
                "internet",
                None,
                BTreeMap::new(),
                [140, 82, 112, 3],
                web.clone(),
            ),
            outsider(
                "lan",
                None,
                BTreeMap::new(),
                [192, 168, 86, 44],
                web.clone(),
            ),
            outsider(
                "pods-elsewhere",
                Some("default"),
                BTreeMap::new(),
                [10, 2, 0, 9],
                web,
            ),
        ])
        .collect();

    let p = Policies(policies);
    let ours: BTreeSet<String> = endpoints.iter().map(|e| e.name.clone()).collect();
    let mut actual: BTreeSet<Flow> = BTreeSet::new();
    for s in &sources {
        for d in &destinations {
            // Traffic between two outsiders is not the platform's to decide.
            if s.name == d.name || !(ours.contains(&s.name) || ours.contains(&d.name)) {
                continue;
            }
            for (proto, port) in &d.ports {
                if p.allows("egress", s, d, proto, *port) && p.allows("ingress", d, s, proto, *port)
                {
                    actual.insert((s.name.clone(), d.name.clone(), proto.clone(), *port));
                }
            }
        }
    }

    // The declared graph, read from the sources.
    let (loaded, diags) = platformc::load::load(&repo_root());
    assert!(diags.is_empty(), "{diags}");
    let loaded = loaded.unwrap();
    assert_eq!(
        endpoints.len(),
        loaded.services.len(),
        "one workload per service"
    );
    let port_of = |svc: &str, name: &str| -> u64 {
        let s = loaded.services.iter().find(|s| s.name == svc).unwrap();
        *s.file
            .ports
            .iter()
            .find(|p| p.name.get_ref() == name)
            .unwrap()
            .port
            .get_ref() as u64
    };
    let mut declared: BTreeSet<Flow> = BTreeSet::new();
    let tcp = || "TCP".to_string();
    for s in &loaded.services {
        declared.insert((s.name.clone(), "dns".into(), "UDP".into(), 53));
        declared.insert((s.name.clone(), "dns".into(), tcp(), 53));
        // An edge without a port (to a Job) orders and opens nothing.
        for d in &s.file.depends_on {
            let Some(port) = &d.port else { continue };
            declared.insert((
                s.name.clone(),
                d.service.get_ref().clone(),
                tcp(),
                port_of(d.service.get_ref(), port.get_ref()),
            ));
        }
        for r in &s.file.routes {
            declared.insert((
                "gateway".into(),
                s.name.clone(),
                tcp(),
                port_of(&s.name, r.port.get_ref()),
            ));
        }
        for port in s.file.ports.iter().filter(|p| p.serves_metrics()) {
            declared.insert((
                "monitoring".into(),
                s.name.clone(),
                tcp(),
                *port.port.get_ref() as u64,
            ));
        }
        for i in &s.file.internet {
            declared.insert((
                s.name.clone(),
                "internet".into(),
                tcp(),
                *i.port.get_ref() as u64,
            ));
        }
    }

    let extra: Vec<_> = actual.difference(&declared).collect();
    let missing: Vec<_> = declared.difference(&actual).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "allowed but not declared: {extra:#?}\ndeclared but not allowed: {missing:#?}"
    );
    // Sanity: the comparison saw real traffic, including cross-checks.
    assert!(actual.len() > 40, "{}", actual.len());
    assert!(actual.contains(&("orbit-www".into(), "internet".into(), tcp(), 443)));
    assert!(
        !actual
            .iter()
            .any(|f| f.1 == "lan" || f.1 == "pods-elsewhere")
    );
}

#[test]
fn every_namespace_has_a_default_deny() {
    let out = repo_root().join("output");
    let mut namespaces = BTreeSet::new();
    let mut denied = BTreeSet::new();
    for (rel, bytes) in read_tree(&out) {
        if !rel.ends_with(".yaml") {
            continue;
        }
        let doc: Value = serde_saphyr::from_str(&String::from_utf8(bytes).unwrap()).unwrap();
        match doc["kind"].as_str().unwrap_or("") {
            "Namespace" => {
                namespaces.insert(doc["metadata"]["name"].as_str().unwrap().to_string());
            }
            "NetworkPolicy" if doc["spec"]["podSelector"] == serde_json::json!({}) => {
                assert_eq!(doc["spec"]["ingress"], serde_json::json!([]), "{rel}");
                denied.insert(doc["metadata"]["namespace"].as_str().unwrap().to_string());
            }
            _ => {}
        }
    }
    assert!(!namespaces.is_empty());
    assert_eq!(namespaces, denied);
}
