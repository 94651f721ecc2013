//! Configuration: a service's ConfigMap (its `env`, the addresses of its
//! dependencies and the public URLs of its routes) and its mounted config
//! file sets; and the hash that rolls the pods when either changes.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::namespace_of;
use super::service::ServicePlanner;
use crate::ir::{ConfigMap, PlannedFile, Resource};
use crate::layout::{CONFIGMAP_FILE, config_files_file};
use crate::model::ServiceFile;

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
    /// The ConfigMap's data: `env`, dependency addresses, route URLs.
    pub(super) fn config_data(&self) -> BTreeMap<String, String> {
        let f = &self.svc.file;
        let mut data: BTreeMap<String, String> = f
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.get_ref().clone()))
            .collect();
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
                    &namespace_of(self.p.platform, t),
                    &self.namespace,
                    Self::port_of(t, port.get_ref()),
                    d.scheme.as_deref(),
                ),
            );
        }
        for r in &f.routes {
            if let Some(env) = &r.env {
                let mut url = format!("https://{}", self.hostname(r.host.get_ref()));
                if r.path != "/" {
                    url.push_str(r.path.trim_end_matches('/'));
                }
                data.insert(env.clone(), url);
            }
        }
        data
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
