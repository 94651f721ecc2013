//! Workloads: the Deployment, StatefulSet or DaemonSet of a service (its
//! pod, container, probes, security contexts and volumes, hardened by
//! default per seed 000 §9.2) and the Service in front of it.

use std::collections::BTreeMap;

use indexmap::IndexMap;

use super::meta::EXCEPTION_ANNOTATION;
use super::one_line;
use super::service::ServicePlanner;
use crate::ir::{
    Container, ContainerSecurity, Handler, Mount, PlannedFile, Pod, PodSecurity, PodVolume,
    PortSpec, Probe, Resource, ResourceSpec, Rollout, Service, Workload,
};
use crate::layout::{SERVICE_FILE, workload_file};
use crate::model::{Check, ProbeTiming, WorkloadKind};

/// The `appProtocol` of a gRPC port: HTTP/2 over cleartext.
pub const H2C: &str = "kubernetes.io/h2c";

/// How each kind rolls: a Deployment starts the new pod before it stops the
/// old one (000 §3.4); a DaemonSet's pods hold node resources (and a shared
/// cache), so one is replaced at a time without surge.
pub fn rollout(kind: WorkloadKind) -> Option<Rollout> {
    match kind {
        WorkloadKind::Deployment => Some(Rollout {
            max_unavailable: 0,
            max_surge: 1,
        }),
        WorkloadKind::DaemonSet => Some(Rollout {
            max_unavailable: 1,
            max_surge: 0,
        }),
        WorkloadKind::StatefulSet | WorkloadKind::Job | WorkloadKind::CronJob => None,
    }
}

/// Volume name for a writable path: `/var/run/postgresql` → `rw-var-run-postgresql`.
pub fn volume_name_for_path(path: &str) -> String {
    let mut name: String = path
        .trim_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    let name = name.trim_matches('-');
    let name = if name.is_empty() { "root" } else { name };
    let mut n = format!("rw-{name}");
    n.truncate(63);
    n.trim_end_matches('-').to_string()
}

/// Probe timings as a workload gets them: the platform's, with an
/// environment's changes.
#[derive(Debug, Clone, Copy)]
struct Timing {
    initial_delay_seconds: Option<i32>,
    period_seconds: i32,
    timeout_seconds: i32,
    failure_threshold: i32,
}

impl From<&ProbeTiming> for Timing {
    fn from(t: &ProbeTiming) -> Self {
        Timing {
            initial_delay_seconds: t.initial_delay_seconds.as_ref().map(|v| *v.get_ref()),
            period_seconds: *t.period_seconds.get_ref(),
            timeout_seconds: *t.timeout_seconds.get_ref(),
            failure_threshold: *t.failure_threshold.get_ref(),
        }
    }
}

/// The probe of a check with the platform's timings.
fn probe(handler: Handler, t: Timing, failure_threshold: Option<i32>) -> Probe {
    Probe {
        handler,
        initial_delay_seconds: t.initial_delay_seconds,
        period_seconds: t.period_seconds,
        timeout_seconds: t.timeout_seconds,
        failure_threshold: failure_threshold.unwrap_or(t.failure_threshold),
    }
}

impl ServicePlanner<'_, '_> {
    /// The workload, with its stated exceptions and the scanner checks they
    /// and the platform waive written onto it.
    pub(super) fn workload_file(&self, config: &BTreeMap<String, String>) -> PlannedFile {
        let f = &self.svc.file;
        let p = self.p.platform;
        let name = self.name().to_string();
        // An HPA owns an autoscaled workload's count: a stated `replicas`
        // would be applied again at every reconciliation, resetting the
        // scale (Flux corrects drift; flux2 #1842).
        let replicas = self.replicas().filter(|_| self.scaling().is_none());
        let mut workload = Workload {
            kind: self.kind,
            meta: self.meta(name.clone()),
            replicas,
            revision_history_limit: *p.defaults.revision_history_limit.get_ref(),
            min_ready_seconds: *p.defaults.min_ready_seconds.get_ref(),
            rollout: rollout(self.kind),
            selector: self.selector(),
            service_name: (self.kind == WorkloadKind::StatefulSet).then(|| name.clone()),
            job: self.job_spec(),
            pod: self.pod(config),
        };
        if self.kind == WorkloadKind::Job && self.p.engine("argocd") {
            let (k, v) = super::jobs::ARGOCD_RECREATE;
            workload.meta.annotations.insert(k.into(), v.into());
        }
        for e in &f.exceptions {
            workload.meta.annotations.insert(
                format!("{EXCEPTION_ANNOTATION}{}", e.rule.get_ref()),
                one_line(e.reason.get_ref()),
            );
        }
        for (i, (check, reason)) in self.scanner_skips(&workload).into_iter().enumerate() {
            workload.meta.annotations.insert(
                format!("checkov.io/skip{}", i + 1),
                format!("{check}={reason}"),
            );
        }
        let kind = format!("{:?}", self.kind).to_uppercase();
        self.file(
            workload_file(self.kind),
            &kind,
            f.description.clone(),
            Resource::Workload(Box::new(workload)),
        )
    }

    fn pod(&self, config: &BTreeMap<String, String>) -> Pod {
        let f = &self.svc.file;
        let p = self.p.platform;
        let (volumes, mounts) = self.volumes_and_mounts();
        let mut annotations = IndexMap::new();
        if !config.is_empty() || !f.config_files.is_empty() {
            annotations.insert(
                "platformc.dev/config-hash".to_string(),
                super::config::config_hash(config, f),
            );
        }
        Pod {
            spread: self.spread(),
            image_pull_secrets: match (&p.images.pull_secret, &p.secrets) {
                (Some(ps), Some(_)) if f.own_image() => vec![ps.name.get_ref().clone()],
                _ => vec![],
            },
            host_network: f
                .security
                .as_ref()
                .and_then(|s| s.host_network.as_ref())
                .is_some_and(|h| *h.get_ref()),
            labels: self.labels(),
            annotations,
            service_account: p.service_account.name.get_ref().clone(),
            termination_grace_period_seconds: f
                .shutdown
                .as_ref()
                .and_then(|s| s.grace_period_seconds)
                .unwrap_or(p.defaults.grace_period_seconds),
            priority_class: self
                .env_override()
                .and_then(|o| o.priority_class.as_ref())
                .or(f.priority_class.as_ref())
                .map_or_else(
                    || p.defaults.priority_class.get_ref().clone(),
                    |c| c.get_ref().clone(),
                ),
            restart_policy: self.restart_policy(),
            security: self.pod_security(),
            container: self.container(config, mounts),
            volumes,
        }
    }

    fn container(&self, config: &BTreeMap<String, String>, mounts: Vec<Mount>) -> Container {
        let f = &self.svc.file;
        let p = self.p.platform;
        let name = self.name().to_string();
        let (readiness, liveness, startup) = self.probes();
        Container {
            image: self.image(),
            image_pull_policy: f
                .pull_policy
                .as_ref()
                .unwrap_or(&p.images.pull_policy)
                .get_ref()
                .clone(),
            command: f.command.clone(),
            args: f.args.clone(),
            ports: self.ports(),
            config_map: (!config.is_empty()).then(|| format!("{name}-config")),
            secret: (!f.secrets.is_empty()).then(|| format!("{name}-secrets")),
            security: self.container_security(),
            resources: self.resources(),
            startup_probe: startup,
            readiness_probe: readiness,
            liveness_probe: liveness,
            pre_stop_sleep_seconds: f.shutdown.as_ref().and_then(|s| s.pre_stop_sleep_seconds),
            mounts,
            name,
        }
    }

    /// `/tmp` and every writable path as emptyDirs (the root file system is
    /// read-only), then the claims, then the config file sets.
    fn volumes_and_mounts(&self) -> (Vec<PodVolume>, Vec<Mount>) {
        let f = &self.svc.file;
        let name = self.name();
        let mut volumes = vec![PodVolume::EmptyDir {
            name: "tmp".into(),
            size_limit: None,
        }];
        let mut mounts = vec![Mount {
            name: "tmp".into(),
            path: "/tmp".into(),
            read_only: false,
        }];
        let mut add = |volume: PodVolume, name: String, path: &str, read_only: bool| {
            volumes.push(volume);
            mounts.push(Mount {
                name,
                path: path.to_string(),
                read_only,
            });
        };
        for path in &f.writable_paths {
            let vname = volume_name_for_path(path);
            add(
                PodVolume::EmptyDir {
                    name: vname.clone(),
                    size_limit: None,
                },
                vname,
                path,
                false,
            );
        }
        for v in &f.volumes {
            let vname = v.name.get_ref().clone();
            let volume = if v.is_per_pod() {
                PodVolume::EmptyDir {
                    name: vname.clone(),
                    size_limit: Some(v.size.get_ref().clone()),
                }
            } else {
                PodVolume::Claim {
                    name: vname.clone(),
                    claim: format!("{name}-{vname}"),
                }
            };
            add(volume, vname, &v.mount, false);
        }
        for c in &f.config_files {
            let vname = format!("config-{}", c.name.get_ref());
            let config_map = format!("{name}-{}", c.name.get_ref());
            add(
                PodVolume::ConfigMap {
                    name: vname.clone(),
                    config_map,
                },
                vname,
                &c.mount,
                true,
            );
        }
        (volumes, mounts)
    }

    /// Non-root unless stated otherwise; a service that names its image's
    /// user gets that user's group too, unless it names another.
    fn pod_security(&self) -> PodSecurity {
        let sec = self.svc.file.security.as_ref();
        let d = &self.p.platform.defaults.security;
        let own_user = sec.and_then(|s| s.run_as_user.as_ref());
        let run_as_user = *own_user.unwrap_or(&d.run_as_user).get_ref();
        let group = sec.and_then(|s| s.run_as_group.as_ref()).map_or(
            if own_user.is_some() {
                run_as_user
            } else {
                *d.run_as_group.get_ref()
            },
            |g| *g.get_ref(),
        );
        PodSecurity {
            run_as_non_root: run_as_user != 0,
            run_as_user,
            run_as_group: group,
            fs_group: sec.and_then(|s| s.fs_group.as_ref()).map_or(
                if own_user.is_some() {
                    group
                } else {
                    *d.fs_group.get_ref()
                },
                |g| *g.get_ref(),
            ),
        }
    }

    /// No privilege, no escalation, read-only root, all capabilities dropped,
    /// unless a stated exception says otherwise.
    fn container_security(&self) -> ContainerSecurity {
        let sec = self.svc.file.security.as_ref();
        let privileged = sec
            .and_then(|s| s.privileged.as_ref())
            .is_some_and(|p| *p.get_ref());
        ContainerSecurity {
            privileged,
            allow_privilege_escalation: privileged,
            add_capabilities: sec
                .map(|s| {
                    s.add_capabilities
                        .iter()
                        .map(|c| c.get_ref().clone())
                        .collect()
                })
                .unwrap_or_default(),
            read_only_root_filesystem: sec
                .and_then(|s| s.read_only_root_filesystem.as_ref())
                .is_none_or(|r| *r.get_ref()),
            drop_all_capabilities: !privileged,
        }
    }

    /// The platform's probe timings (readiness, liveness, startup), with
    /// the environment's changes.
    fn timings(&self) -> [Timing; 3] {
        let d = &self.p.platform.defaults.probes;
        let mut t = [
            (&d.readiness).into(),
            (&d.liveness).into(),
            (&d.startup).into(),
        ];
        let Some(o) = self.env_override().and_then(|o| o.probes.as_ref()) else {
            return t;
        };
        let [readiness, liveness, startup] = &mut t;
        for (timing, over) in [
            (readiness, &o.readiness),
            (liveness, &o.liveness),
            (startup, &o.startup),
        ] {
            let Some(over) = over else { continue };
            let v = |x: &Option<toml::Spanned<i32>>| x.as_ref().map(|x| *x.get_ref());
            if let Some(d) = v(&over.initial_delay_seconds) {
                timing.initial_delay_seconds = Some(d);
            }
            timing.period_seconds = v(&over.period_seconds).unwrap_or(timing.period_seconds);
            timing.timeout_seconds = v(&over.timeout_seconds).unwrap_or(timing.timeout_seconds);
            timing.failure_threshold =
                v(&over.failure_threshold).unwrap_or(timing.failure_threshold);
        }
        t
    }

    /// Readiness, liveness and startup probes, with the platform's timings
    /// (the environment's where it changes them).
    fn probes(&self) -> (Option<Probe>, Option<Probe>, Option<Probe>) {
        let [readiness, liveness, startup_timing] = self.timings();
        let Some(h) = &self.svc.file.health else {
            return (None, None, None);
        };
        let ready = self.handler(&h.check());
        let live = h
            .liveness
            .as_ref()
            .map_or_else(|| ready.clone(), |l| self.handler(l));
        // The service's startup attempts, unless the environment sets them.
        let env_attempts = self
            .env_override()
            .and_then(|o| o.probes.as_ref())
            .and_then(|p| p.startup.as_ref())
            .and_then(|t| t.failure_threshold.as_ref())
            .map(|v| *v.get_ref());
        let startup = h.startup.as_ref().map(|s| {
            let attempts = env_attempts.unwrap_or(*s.failure_threshold.get_ref());
            probe(ready.clone(), startup_timing, Some(attempts))
        });
        (
            Some(probe(ready, readiness, None)),
            Some(probe(live, liveness, None)),
            startup,
        )
    }

    fn handler(&self, c: &Check) -> Handler {
        if let Some(h) = &c.http {
            Handler::HttpGet {
                path: h.path.clone(),
                port: h.port.get_ref().clone(),
            }
        } else if let Some(g) = &c.grpc {
            Handler::Grpc {
                port: Self::port_of(self.svc, g.port.get_ref()),
                service: g.service.clone(),
            }
        } else if let Some(e) = &c.exec {
            Handler::Exec {
                command: e.command.get_ref().clone(),
            }
        } else if let Some(t) = &c.tcp {
            Handler::TcpSocket {
                port: t.port.get_ref().clone(),
            }
        } else {
            Handler::Exec { command: vec![] }
        }
    }

    /// The service's ports, named, with their protocol; a gRPC port's
    /// Service port says it speaks HTTP/2 without TLS (Gateway API's backend
    /// protocol selection).
    fn ports(&self) -> Vec<PortSpec> {
        self.svc
            .file
            .ports
            .iter()
            .map(|p| PortSpec {
                name: p.name.get_ref().clone(),
                port: *p.port.get_ref(),
                protocol: p
                    .protocol
                    .as_ref()
                    .map_or_else(|| "TCP".to_string(), |x| x.get_ref().clone()),
                app_protocol: p.speaks_grpc().then(|| H2C.to_string()),
                host_port: p.host_port.as_ref().map(|h| *h.get_ref()),
            })
            .collect()
    }

    /// The image: a full reference as written, or the platform's own image
    /// under its registry with its tag as the environment runs it.
    fn image(&self) -> String {
        let i = self.svc.file.image.get_ref();
        if !self.svc.file.own_image() {
            return i.clone();
        }
        let p = self.p.platform;
        let tag = p.own_image_tag(&self.svc.file, self.name(), self.env);
        format!("{}/{i}:{}", p.images.registry.get_ref(), tag.get_ref())
    }

    /// Requests and limits: the environment's, or the service's.
    pub(super) fn resources(&self) -> ResourceSpec {
        let f = &self.svc.file;
        let o = self.env_override();
        let cpu = o.and_then(|o| o.cpu.as_ref()).unwrap_or(&f.resources.cpu);
        let memory = o
            .and_then(|o| o.memory.as_ref())
            .unwrap_or(&f.resources.memory);
        ResourceSpec {
            cpu_request: cpu.request.get_ref().clone(),
            cpu_limit: cpu.limit.get_ref().clone(),
            memory_request: memory.request.get_ref().clone(),
            memory_limit: memory.limit.get_ref().clone(),
        }
    }

    /// The Service in front of the pods (headless for a StatefulSet, seed 000
    /// §9.3); none for a service without ports.
    pub(super) fn service_file(&self) -> Option<PlannedFile> {
        let f = &self.svc.file;
        if f.ports.is_empty() {
            return None;
        }
        let name = self.name().to_string();
        let headless = self.kind == WorkloadKind::StatefulSet;
        let mut meta = self.meta(name.clone());
        if self.traefik_h2c() {
            meta.annotations.insert(
                "traefik.ingress.kubernetes.io/service.serversscheme".into(),
                "h2c".into(),
            );
        }
        Some(
            self.file_needing(
                SERVICE_FILE,
                "SERVICE",
                if headless {
                    format!("Headless service governing the {name} StatefulSet")
                } else {
                    format!("Cluster-internal address of {name}")
                },
                format!("the {name} pods it selects"),
                Resource::Service(Service {
                    meta,
                    service_type: f
                        .service_type
                        .as_ref()
                        .map_or_else(|| "ClusterIP".to_string(), |t| t.get_ref().clone()),
                    headless,
                    selector: self.selector(),
                    ports: self.ports(),
                }),
            ),
        )
    }
}

impl ServicePlanner<'_, '_> {
    /// Whether Traefik must speak HTTP/2 without TLS to this Service: it
    /// routes a gRPC port (Traefik reads the scheme from the Service).
    fn traefik_h2c(&self) -> bool {
        self.p
            .platform
            .edge
            .as_ref()
            .is_some_and(|e| e.kind.get_ref() == "traefik")
            && self.host_groups().iter().any(|g| g.grpc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writable_path_volume_names_are_valid() {
        assert_eq!(
            volume_name_for_path("/var/run/postgresql"),
            "rw-var-run-postgresql"
        );
        assert_eq!(
            volume_name_for_path("/app/.next/cache"),
            "rw-app-next-cache"
        );
        assert!(crate::names::is_dns_label(&volume_name_for_path(
            &"/x".repeat(80)
        )));
    }

    #[test]
    fn deployments_surge_and_daemonsets_replace_one_at_a_time() {
        assert_eq!(
            rollout(WorkloadKind::Deployment),
            Some(Rollout {
                max_unavailable: 0,
                max_surge: 1
            })
        );
        assert_eq!(rollout(WorkloadKind::StatefulSet), None);
        assert_eq!(rollout(WorkloadKind::DaemonSet).unwrap().max_surge, 0);
    }
}
