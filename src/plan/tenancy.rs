//! Tenancy: the ResourceQuota of a namespace (stated bounds, and bounds
//! derived from what its services need at most plus the headroom) and the
//! LimitRange of its containers (seed 000 §7.4, §7.5; seed 003 §2, §3).

use indexmap::IndexMap;

use super::base::NamespacePlanner;
use crate::ir::{LimitRange, PlannedFile, Resource, ResourceQuota};
use crate::layout::{LIMITRANGE_FILE, RESOURCEQUOTA_FILE};
use crate::model::{CpuMemory, Needs, Quota, service_needs};
use crate::quantity;

/// `need` plus `headroom` percent.
fn with_headroom(need: f64, headroom: u32) -> f64 {
    need * (100.0 + f64::from(headroom)) / 100.0
}

/// CPU cores as a quantity: whole millicores, rounded up.
pub fn cpu_quantity(cores: f64) -> String {
    let milli = (cores * 1000.0 - 1e-6).ceil().max(0.0) as u64;
    if milli.is_multiple_of(1000) {
        (milli / 1000).to_string()
    } else {
        format!("{milli}m")
    }
}

/// Bytes as a quantity: whole mebibytes (gibibytes when exact), rounded up.
pub fn bytes_quantity(bytes: f64) -> String {
    let mi = (bytes / 1_048_576.0 - 1e-6).ceil().max(0.0) as u64;
    if mi.is_multiple_of(1024) {
        format!("{}Gi", mi / 1024)
    } else {
        format!("{mi}Mi")
    }
}

/// The quota's `hard` bounds: each stated one as written, each other one
/// derived from `need` when the quota has a headroom (none for a need that
/// is unknown or zero).
pub fn quota_bounds(q: &Quota, need: Option<Needs>) -> IndexMap<String, String> {
    let mut hard = IndexMap::new();
    let h = q.headroom.as_ref().map(|h| *h.get_ref());
    let derived = |v: f64| h.filter(|_| v > 0.0).map(|h| with_headroom(v, h));
    let mut put = |key: &str, stated: Option<String>, d: Option<String>| {
        if let Some(v) = stated.or(d) {
            hard.insert(key.to_string(), v);
        }
    };
    let n = need.unwrap_or_default();
    let known = need.is_some();
    let count = |v: u32| derived(f64::from(v)).map(|x| (x.ceil() as u64).to_string());
    let stated = |b: &Option<CpuMemory>, cpu: bool| {
        b.as_ref()
            .and_then(|b| {
                if cpu {
                    b.cpu.as_ref()
                } else {
                    b.memory.as_ref()
                }
            })
            .map(|v| v.get_ref().clone())
    };
    for (key, bound, cpu, v) in [
        ("requests.cpu", &q.requests, true, n.cpu_request),
        ("limits.cpu", &q.limits, true, n.cpu_limit),
        ("requests.memory", &q.requests, false, n.memory_request),
        ("limits.memory", &q.limits, false, n.memory_limit),
    ] {
        let shown = if cpu { cpu_quantity } else { bytes_quantity };
        put(
            key,
            stated(bound, cpu),
            derived(v).filter(|_| known).map(shown),
        );
    }
    put(
        "pods",
        q.pods.as_ref().map(|p| p.get_ref().to_string()),
        count(n.pods).filter(|_| known),
    );
    put(
        "persistentvolumeclaims",
        q.claims.as_ref().map(|c| c.get_ref().to_string()),
        count(n.claims),
    );
    put(
        "requests.storage",
        q.storage.as_ref().map(|s| s.get_ref().clone()),
        derived(n.storage).map(bytes_quantity),
    );
    put(
        "services",
        q.services.as_ref().map(|s| s.get_ref().to_string()),
        count(n.services),
    );
    hard
}

/// The map of one LimitRange bound (`cpu`, `memory`).
fn bound(b: Option<&CpuMemory>) -> IndexMap<String, String> {
    let mut m = IndexMap::new();
    if let Some(b) = b {
        for (k, v) in [("cpu", &b.cpu), ("memory", &b.memory)] {
            if let Some(v) = v {
                m.insert(k.to_string(), v.get_ref().clone());
            }
        }
    }
    m
}

impl NamespacePlanner<'_, '_> {
    /// What the namespace's services need at most here; None when a
    /// DaemonSet runs on a cluster of unknown size.
    pub(super) fn needs(&self) -> Option<Needs> {
        let mut total = Needs::default();
        for s in self.services() {
            total += service_needs(self.p.platform, self.env, &s.name, &s.file)?;
        }
        Some(total)
    }

    pub(super) fn quota_file(&self) -> Option<PlannedFile> {
        let settings = self.p.platform.namespace_settings(self.env, &self.ns)?;
        let q = settings.quota.as_ref()?;
        let hard = quota_bounds(q, self.needs());
        if hard.is_empty() {
            return None;
        }
        let mut header = self.header(
            format!("RESOURCEQUOTA: {}", self.ns),
            format!(
                "Bounds what the pods of {} may request and use together",
                self.here()
            ),
            format!("namespace {}", self.ns),
        );
        if let Some(h) = &q.headroom {
            header.notes.push(format!(
                "NOTE: bounds platform.toml does not state are what the services need at most (replicas or autoscaling maxima, surge pods), plus {}%",
                h.get_ref()
            ));
        }
        Some(self.file(
            RESOURCEQUOTA_FILE,
            header,
            Resource::ResourceQuota(ResourceQuota {
                meta: self.meta(&format!("{}-quota", self.ns)),
                hard,
            }),
        ))
    }

    pub(super) fn limit_range_file(&self) -> Option<PlannedFile> {
        let settings = self.p.platform.namespace_settings(self.env, &self.ns)?;
        let l = settings.limits.as_ref()?;
        let mut max = bound(l.max.as_ref());
        if let Some(h) = &l.headroom {
            for (key, largest) in self.largest_limits() {
                if largest > 0.0 && !max.contains_key(key) {
                    let v = with_headroom(largest, *h.get_ref());
                    let q = if key == "cpu" {
                        cpu_quantity(v)
                    } else {
                        bytes_quantity(v)
                    };
                    max.insert(key.to_string(), q);
                }
            }
        }
        let header = self.header(
            format!("LIMITRANGE: {}", self.ns),
            format!(
                "Bounds each container of {}, and its defaults when it states no resources",
                self.here()
            ),
            format!("namespace {}", self.ns),
        );
        Some(self.file(
            LIMITRANGE_FILE,
            header,
            Resource::LimitRange(LimitRange {
                meta: self.meta(&format!("{}-limits", self.ns)),
                default: bound(l.default.as_ref()),
                default_request: bound(l.default_request.as_ref()),
                min: bound(l.min.as_ref()),
                max,
            }),
        ))
    }

    /// The largest CPU and memory limit of a container here.
    fn largest_limits(&self) -> [(&'static str, f64); 2] {
        let mut cpu: f64 = 0.0;
        let mut memory: f64 = 0.0;
        for s in self.services() {
            let o = self.env.and_then(|e| e.overrides.get(&s.name));
            let c = o
                .and_then(|o| o.cpu.as_ref())
                .unwrap_or(&s.file.resources.cpu);
            let m = o
                .and_then(|o| o.memory.as_ref())
                .unwrap_or(&s.file.resources.memory);
            cpu = cpu.max(quantity::parse(c.limit.get_ref()).unwrap_or(0.0));
            memory = memory.max(quantity::parse(m.limit.get_ref()).unwrap_or(0.0));
        }
        [("cpu", cpu), ("memory", memory)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_round_up_to_readable_units() {
        assert_eq!(cpu_quantity(4.65), "4650m");
        assert_eq!(cpu_quantity(2.0), "2");
        assert_eq!(cpu_quantity(0.0501), "51m");
        assert_eq!(bytes_quantity(1024.0 * 1048576.0), "1Gi");
        assert_eq!(bytes_quantity(1.5 * 1048576.0), "2Mi");
    }

    fn quota(toml: &str) -> Quota {
        toml::from_str(toml).unwrap()
    }

    #[test]
    fn stated_bounds_stand_and_the_rest_is_derived_with_headroom() {
        let need = Needs {
            cpu_request: 4.0,
            cpu_limit: 10.0,
            memory_request: 8.0 * 1073741824.0,
            memory_limit: 16.0 * 1073741824.0,
            pods: 20,
            claims: 2,
            storage: 30.0 * 1073741824.0,
            services: 5,
        };
        let hard = quota_bounds(
            &quota("headroom = 25\nrequests = { cpu = \"8\" }"),
            Some(need),
        );
        assert_eq!(hard["requests.cpu"], "8");
        assert_eq!(hard["limits.cpu"], "12500m");
        assert_eq!(hard["limits.memory"], "20Gi");
        assert_eq!(hard["pods"], "25");
        assert_eq!(hard["requests.storage"], "38400Mi");
        let stated_only = quota_bounds(&quota("pods = 50"), Some(need));
        assert_eq!(stated_only.len(), 1);
        // A DaemonSet on a cluster of unknown size: no cpu, memory or pods.
        let unknown = quota_bounds(&quota("headroom = 10"), None);
        assert!(!unknown.contains_key("requests.cpu") && !unknown.contains_key("pods"));
    }
}
