//! Configuration: a service's ConfigMap (its `env`, the addresses of its
//! dependencies and the public URLs of its routes) and its mounted config
//! file sets; and the hash that rolls the pods when either changes.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::namespace_of;
use super::service::ServicePlanner;
use crate::ir::{ConfigMap, PlannedFile, Resource};
use crate::layout::{CONFIGMAP_FILE, config_files_file};
use crate::model::{AUTH_UPSTREAMS, Egress, ServiceFile};

/// Address of a service port as seen from another namespace (or the same).
pub fn address(
    target: &str,
    target_ns: &str,
    from_ns: &str,
    port: u32,
    scheme: Option<&str>,
) -> String {
    let host = if target_ns == from_ns {
        target.to_string()
    } else {
        format!("{target}.{target_ns}.svc.cluster.local")
    };
    match scheme {
        Some(s) => format!("{s}://{host}:{port}"),
        None => format!("{host}:{port}"),
    }
}

/// Hash of everything a pod reads from its ConfigMaps, so a config change
/// rolls the pods.
pub fn config_hash(env: &BTreeMap<String, String>, f: &ServiceFile) -> String {
    let mut h = Sha256::new();
    for (k, v) in env {
        h.update(k.as_bytes());
        h.update([0]);
        h.update(v.as_bytes());
        h.update([0]);
    }
    for c in &f.config_files {
        h.update(c.name.get_ref().as_bytes());
        h.update([1]);
        for (k, v) in &c.files {
            h.update(k.as_bytes());
            h.update([0]);
            h.update(v.as_bytes());
            h.update([0]);
        }
    }
    let digest = h.finalize();
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

impl ServicePlanner<'_, '_> {
    /// The ConfigMap's data: `env` (with the environment's values),
    /// dependency and egress addresses, route URLs, and the upstreams of an
    /// auth proxy in front of routes on a Gateway.
    pub(super) fn config_data(&self) -> BTreeMap<String, String> {
        let f = &self.svc.file;
        let mut data: BTreeMap<String, String> = f
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.get_ref().clone()))
            .collect();
        if let Some(o) = self.env_override() {
            data.extend(o.env.iter().map(|(k, v)| (k.clone(), v.get_ref().clone())));
        }
        for d in &f.depends_on {
            let (Some(env), Some(port), Some(t)) = (
                &d.env,
                &d.port,
                self.p.by_name.get(d.service.get_ref().as_str()),
            ) else {
                continue;
            };
            data.insert(
                env.clone(),
                address(
                    &t.name,
                    &self.ns_in(&namespace_of(self.p.platform, t)),
                    &self.runs_in(),
                    Self::port_of(t, port.get_ref()),
                    d.scheme.as_deref(),
                ),
            );
        }
        for e in &f.egress {
            if let (Some(env), Some(addr)) = (&e.env, self.egress_address(e)) {
                data.insert(env.clone(), addr);
            }
        }
        let scheme = self.p.scheme();
        for r in f.routes_in(self.env_override()) {
            if let Some(env) = &r.env {
                let mut url = format!(
                    "{scheme}://{}",
                    self.p.platform.hostname(self.env, r.host.get_ref())
                );
                if r.path != "/" {
                    url.push_str(r.path.trim_end_matches('/'));
                }
                data.insert(env.clone(), url);
            }
        }
        if let Some(upstreams) = self.auth_upstreams() {
            data.insert(AUTH_UPSTREAMS.to_string(), upstreams);
        }
        data
    }

    /// The address an egress writes into the ConfigMap.
    fn egress_address(&self, e: &Egress) -> Option<String> {
        let (host, port) = if let Some(x) = &e.external {
            let ext = self
                .p
                .platform
                .externals
                .iter()
                .find(|y| y.name.get_ref() == x.get_ref())?;
            let port = e.ports.first().or(ext.ports.first())?;
            (ext.host.as_ref()?.get_ref().clone(), *port.get_ref())
        } else {
            let ns = e.namespace.as_ref()?;
            let svc = e.service.as_ref()?;
            let port = e.ports.first()?;
            (
                format!("{}.{}.svc.cluster.local", svc.get_ref(), ns.get_ref()),
                *port.get_ref(),
            )
        };
        Some(match &e.scheme {
            Some(s) => format!("{s}://{host}:{port}"),
            None => format!("{host}:{port}"),
        })
    }

    /// oauth2-proxy's upstreams, when a Gateway routes the routes it
    /// authenticates through it: each route's service and path.
    fn auth_upstreams(&self) -> Option<String> {
        let edge = self.p.platform.edge.as_ref()?;
        if edge.kind.get_ref() != "gateway" {
            return None;
        }
        let routes = self.p.protected_by(self.env, self.name());
        if routes.is_empty() {
            return None;
        }
        let ups: Vec<String> = routes
            .iter()
            .map(|(s, r)| {
                let host = address(
                    &s.name,
                    &self.ns_in(&namespace_of(self.p.platform, s)),
                    &self.runs_in(),
                    Self::port_of(s, r.port.get_ref()),
                    Some("http"),
                );
                format!("{host}{}", r.path)
            })
            .collect();
        Some(ups.join(","))
    }

    /// The ConfigMap read through `envFrom` (when it has data) and one per
    /// config file set.
    pub(super) fn config_map_files(&self, config: BTreeMap<String, String>) -> Vec<PlannedFile> {
        let name = self.name().to_string();
        let mut out = Vec::new();
        if !config.is_empty() {
            out.push(self.file_needing(
                CONFIGMAP_FILE,
                "CONFIGMAP",
                format!("Non-secret environment of {name}, dependency addresses included"),
                "nothing; read by the workload through envFrom".into(),
                Resource::ConfigMap(ConfigMap {
                    meta: self.meta(format!("{name}-config")),
                    data: config,
                }),
            ));
        }
        for c in &self.svc.file.config_files {
            let suffix = c.name.get_ref();
            out.push(self.file_needing(
                &config_files_file(suffix),
                "CONFIGMAP",
                format!("Files mounted read-only at {} in {name}", c.mount),
                "nothing; mounted by the workload".into(),
                Resource::ConfigMap(ConfigMap {
                    meta: self.meta(format!("{name}-{suffix}")),
                    data: c.files.clone(),
                }),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_short_in_the_same_namespace() {
        assert_eq!(
            address("redis", "orbit", "orbit", 6379, Some("redis")),
            "redis://redis:6379"
        );
        assert_eq!(
            address("temporal", "orbit", "apps", 7233, None),
            "temporal.orbit.svc.cluster.local:7233"
        );
    }
}
