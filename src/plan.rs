//! Stage 3, plan: the intermediate representation.
//!
//! Every default is filled in and every derived fact computed here, in Rust:
//! labels, annotations, security contexts, probes with resolved ports,
//! dependency addresses, sync waves, priority classes, and the list of files
//! to emit with their headers. Templates receive these structs and only
//! format them. The plan assumes a model that passed [`crate::check`].

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::Serialize;
use sha2::{Digest, Sha256};

mod argocd;
mod flux;
mod kyverno;
mod overlay;

pub use argocd::{
    APPLICATION_HEALTH_LUA, ARGOCD_DIR, AppProject, Application, ApplicationSet, IgnoreDifference,
    SYNC_OPTIONS,
};
pub use flux::{FLUX_DIR, FluxKustomization, GitRepository};

pub use overlay::{OVERLAYS_DIR, Patch, Placement, WorkloadPatch};

pub use kyverno::{ClusterPolicy, KYVERNO_POLICIES, KyvernoPolicy, PolicyException};

use crate::load::{Loaded, LoadedService};
use crate::model::{Check, PlatformFile, ProbeTiming, WorkloadKind};

/// Directory of the platform's own resources (wave 0).
pub const BASE_DIR: &str = "base";
/// The Kustomize component every service includes (000 §3.5).
pub const DEFAULTS_COMPONENT: &str = "base/common/deployment-defaults";
/// Annotation carrying the Argo CD sync wave.
pub const WAVE_ANNOTATION: &str = "argocd.argoproj.io/sync-wave";
/// Prefix of the annotations carrying a service's stated exceptions.
pub const EXCEPTION_ANNOTATION: &str = "exceptions.platformc.dev/";

/// The whole rendering, file by file, in output order.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub files: Vec<PlannedFile>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlannedFile {
    /// Relative to the output directory, `/`-separated.
    pub path: String,
    pub header: Header,
    pub resource: Resource,
}

/// The generated comment block that opens every file (000 §9.7).
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    /// `DEPLOYMENT: orbit-www`.
    pub title: String,
    pub purpose: String,
    pub depends_on: String,
    pub exposes: Option<String>,
    pub wave: String,
    pub owner: String,
    pub source: String,
    /// `NOTE:` and `EXCEPTION:` lines.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type")]
pub enum Resource {
    Namespace(Namespace),
    ServiceAccount(ServiceAccount),
    PriorityClass(PriorityClass),
    StorageClass(StorageClass),
    Component(Component),
    Kustomization(Kustomization),
    Workload(Box<Workload>),
    Service(Service),
    ConfigMap(ConfigMap),
    Pvc(Pvc),
    Pdb(Pdb),
    HttpRoute(HttpRoute),
    ExternalSecret(ExternalSecret),
    NetworkPolicy(NetworkPolicy),
    ClusterPolicy(ClusterPolicy),
    PolicyException(PolicyException),
    SealedSecret(SealedSecret),
    Hpa(Hpa),
    WorkloadPatch(WorkloadPatch),
    Application(Application),
    ApplicationSet(ApplicationSet),
    AppProject(AppProject),
    GitRepository(GitRepository),
    Readme(Readme),
    FluxKustomization(FluxKustomization),
    Patch(Patch),
    /// A file the user produced, emitted byte for byte (a SOPS-encrypted
    /// Secret: its MAC covers the text, so it cannot be reformatted).
    Verbatim(Verbatim),
}

#[derive(Debug, Clone, Serialize)]
pub struct SealedSecret {
    pub meta: Meta,
    /// Ciphertext per key, as kubeseal wrote it.
    pub encrypted_data: BTreeMap<String, String>,
    /// The Secret's template, as kubeseal wrote it.
    pub template: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hpa {
    pub meta: Meta,
    /// Kind and name of the scaled workload.
    pub kind: String,
    pub target: String,
    pub min: u32,
    pub max: u32,
    /// Target average utilisation in percent.
    pub cpu: Option<u32>,
    pub memory: Option<u32>,
}

/// The rendered tree's README: layout, waves, environments, engines.
#[derive(Debug, Clone, Serialize)]
pub struct Readme {
    pub platform: String,
    pub path: String,
    pub revision: String,
    pub argocd: bool,
    pub argocd_namespace: String,
    pub flux: bool,
    pub kyverno: bool,
    pub waves: Vec<ReadmeWave>,
    pub environments: Vec<ReadmeEnv>,
    pub clusters: Vec<ReadmeCluster>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadmeWave {
    pub wave: u32,
    pub category: String,
    pub services: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadmeEnv {
    pub name: String,
    pub namespace: String,
    pub domain: String,
    pub tag: String,
    pub clusters: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadmeCluster {
    pub name: String,
    pub branch: String,
    pub promotion: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verbatim {
    pub text: String,
}

impl Resource {
    /// The template that formats this resource.
    pub fn template(&self) -> &'static str {
        match self {
            Resource::Namespace(_) => "namespace.yaml.j2",
            Resource::ServiceAccount(_) => "serviceaccount.yaml.j2",
            Resource::PriorityClass(_) => "priorityclass.yaml.j2",
            Resource::StorageClass(_) => "storageclass.yaml.j2",
            Resource::Component(_) => "component.yaml.j2",
            Resource::Kustomization(_) => "kustomization.yaml.j2",
            Resource::Workload(w) => match w.kind {
                WorkloadKind::Deployment => "deployment.yaml.j2",
                WorkloadKind::StatefulSet => "statefulset.yaml.j2",
                WorkloadKind::DaemonSet => "daemonset.yaml.j2",
            },
            Resource::Service(_) => "service.yaml.j2",
            Resource::ConfigMap(_) => "configmap.yaml.j2",
            Resource::Pvc(_) => "pvc.yaml.j2",
            Resource::Pdb(_) => "pdb.yaml.j2",
            Resource::HttpRoute(_) => "httproute.yaml.j2",
            Resource::ExternalSecret(_) => "externalsecret.yaml.j2",
            Resource::NetworkPolicy(_) => "networkpolicy.yaml.j2",
            Resource::ClusterPolicy(_) => "clusterpolicy.yaml.j2",
            Resource::PolicyException(_) => "policyexception.yaml.j2",
            Resource::SealedSecret(_) => "sealedsecret.yaml.j2",
            Resource::Hpa(_) => "hpa.yaml.j2",
            Resource::WorkloadPatch(_) => "workloadpatch.yaml.j2",
            Resource::Application(_) => "application.yaml.j2",
            Resource::ApplicationSet(_) => "applicationset.yaml.j2",
            Resource::AppProject(_) => "appproject.yaml.j2",
            Resource::GitRepository(_) => "gitrepository.yaml.j2",
            Resource::Readme(_) => "readme.md.j2",
            Resource::FluxKustomization(_) => "fluxkustomization.yaml.j2",
            Resource::Patch(_) => "patch.yaml.j2",
            Resource::Verbatim(_) => "",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub name: String,
    pub namespace: Option<String>,
    pub labels: IndexMap<String, String>,
    pub annotations: IndexMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Namespace {
    pub meta: Meta,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceAccount {
    pub meta: Meta,
}

#[derive(Debug, Clone, Serialize)]
pub struct PriorityClass {
    pub meta: Meta,
    pub value: i32,
    pub global_default: bool,
    pub description: String,
    pub preemption_policy: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StorageClass {
    pub meta: Meta,
    pub provisioner: String,
    pub parameters: BTreeMap<String, String>,
    pub mount_options: Vec<String>,
    pub reclaim_policy: String,
    pub volume_binding_mode: String,
    pub allow_volume_expansion: bool,
}

/// The deployment-defaults component: JSON patches per workload kind.
#[derive(Debug, Clone, Serialize)]
pub struct Component {
    pub patches: Vec<ComponentPatch>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComponentPatch {
    pub kind: String,
    pub path: String,
    pub value: u32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Kustomization {
    pub namespace: Option<String>,
    pub resources: Vec<String>,
    pub components: Vec<String>,
    /// Strategic-merge patch files (overlays).
    pub patches: Vec<String>,
    /// Image tags the overlay sets.
    pub images: Vec<ImageTag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageTag {
    pub name: String,
    pub tag: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Workload {
    pub kind: WorkloadKind,
    pub meta: Meta,
    pub replicas: Option<u32>,
    pub revision_history_limit: u32,
    pub min_ready_seconds: u32,
    /// Rolling update bounds; None for a StatefulSet (one pod at a time).
    pub rollout: Option<Rollout>,
    pub selector: IndexMap<String, String>,
    /// StatefulSet only: the governing (headless) Service.
    pub service_name: Option<String>,
    pub pod: Pod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rollout {
    pub max_unavailable: u32,
    pub max_surge: u32,
}

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
        WorkloadKind::StatefulSet => None,
    }
}

/// The node spread of a replicated workload: at most one pod more on any
/// node than on another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Spread {
    pub max_skew: u32,
    pub topology_key: &'static str,
    /// `DoNotSchedule` or `ScheduleAnyway` (platform default).
    pub when_unsatisfiable: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pod {
    pub host_network: bool,
    /// Spread over nodes, when replicas > 1.
    pub spread: Option<Spread>,
    pub image_pull_secrets: Vec<String>,
    pub labels: IndexMap<String, String>,
    pub annotations: IndexMap<String, String>,
    pub service_account: String,
    pub termination_grace_period_seconds: u32,
    pub priority_class: String,
    pub security: PodSecurity,
    pub container: Container,
    pub volumes: Vec<PodVolume>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PodSecurity {
    pub run_as_non_root: bool,
    pub run_as_user: i64,
    pub run_as_group: i64,
    pub fs_group: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Container {
    pub name: String,
    pub image: String,
    pub image_pull_policy: String,
    pub command: Vec<String>,
    pub args: Vec<String>,
    pub ports: Vec<PortSpec>,
    pub config_map: Option<String>,
    pub secret: Option<String>,
    pub security: ContainerSecurity,
    pub resources: ResourceSpec,
    pub startup_probe: Option<Probe>,
    /// None only under a `no-probes` exception.
    pub readiness_probe: Option<Probe>,
    pub liveness_probe: Option<Probe>,
    pub pre_stop_sleep_seconds: Option<u32>,
    pub mounts: Vec<Mount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContainerSecurity {
    pub privileged: bool,
    pub allow_privilege_escalation: bool,
    pub read_only_root_filesystem: bool,
    pub drop_all_capabilities: bool,
    pub add_capabilities: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PortSpec {
    pub name: String,
    pub port: u32,
    pub protocol: String,
    /// Only under a `host-port` exception.
    pub host_port: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceSpec {
    pub cpu_request: String,
    pub cpu_limit: String,
    pub memory_request: String,
    pub memory_limit: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "handler", rename_all = "camelCase")]
pub enum Handler {
    HttpGet {
        path: String,
        port: String,
    },
    /// The gRPC probe takes a port number, not a name.
    Grpc {
        port: u32,
        service: Option<String>,
    },
    Exec {
        command: Vec<String>,
    },
    TcpSocket {
        port: String,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    #[serde(flatten)]
    pub handler: Handler,
    pub initial_delay_seconds: Option<i32>,
    pub period_seconds: i32,
    pub timeout_seconds: i32,
    pub failure_threshold: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Mount {
    pub name: String,
    pub path: String,
    pub read_only: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "source", rename_all = "camelCase")]
pub enum PodVolume {
    EmptyDir { name: String },
    ConfigMap { name: String, config_map: String },
    Claim { name: String, claim: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub meta: Meta,
    /// ClusterIP unless a `service-type` exception says otherwise.
    pub service_type: String,
    pub headless: bool,
    pub selector: IndexMap<String, String>,
    pub ports: Vec<PortSpec>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConfigMap {
    pub meta: Meta,
    pub data: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pvc {
    pub meta: Meta,
    pub access_mode: String,
    pub storage_class: String,
    pub size: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pdb {
    pub meta: Meta,
    pub max_unavailable: u32,
    pub selector: IndexMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HttpRoute {
    pub meta: Meta,
    pub gateway: String,
    pub gateway_namespace: String,
    pub section: Option<String>,
    pub hostname: String,
    pub rules: Vec<RouteRule>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RouteRule {
    pub path: String,
    pub service: String,
    pub port: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExternalSecret {
    pub meta: Meta,
    pub refresh_interval: String,
    pub store: String,
    pub store_kind: String,
    pub target: String,
    pub data: Vec<SecretRef>,
    /// For an image pull secret: the registry whose credentials it holds.
    pub docker_config: Option<DockerConfig>,
}

/// The `.dockerconfigjson` an ExternalSecret templates from two keys.
#[derive(Debug, Clone, Serialize)]
pub struct DockerConfig {
    /// The Go template External Secrets renders into `.dockerconfigjson`.
    pub template: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecretRef {
    pub key: String,
    pub remote: String,
}

/// A NetworkPolicy: which pods it selects and the traffic it allows them.
/// Policies add up: a pod may send (receive) what any policy selecting it
/// allows, and nothing else once one selects it.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkPolicy {
    pub meta: Meta,
    /// Empty: every pod of the namespace.
    pub pod_selector: IndexMap<String, String>,
    pub ingress: Vec<PolicyRule>,
    pub egress: Vec<PolicyRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRule {
    /// Why the rule exists, rendered as a comment.
    pub why: String,
    pub peers: Vec<Peer>,
    pub ports: Vec<PolicyPort>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "peer", rename_all = "camelCase")]
pub enum Peer {
    /// Pods with these labels, in `namespace` (or the policy's own).
    Pods {
        namespace: Option<String>,
        labels: IndexMap<String, String>,
    },
    /// Every pod of a namespace.
    Namespace { namespace: String },
    /// Addresses: `cidr` minus `except`.
    Addresses { cidr: String, except: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PolicyPort {
    pub protocol: String,
    pub port: u32,
}

/// Builds the plan of a checked model.
pub fn plan(loaded: &Loaded) -> Plan {
    Planner::new(loaded).run()
}

struct Planner<'a> {
    platform: &'a PlatformFile,
    secret_files: &'a BTreeMap<String, crate::load::SecretFile>,
    services: Vec<&'a LoadedService>,
    by_name: BTreeMap<&'a str, &'a LoadedService>,
    files: Vec<PlannedFile>,
}

impl<'a> Planner<'a> {
    fn new(loaded: &'a Loaded) -> Self {
        let platform = &loaded.platform;
        let wave_of = |s: &LoadedService| category(platform, s).map_or(0, |c| *c.wave.get_ref());
        let mut services: Vec<&LoadedService> = loaded.services.iter().collect();
        services.sort_by(|a, b| (wave_of(a), &a.name).cmp(&(wave_of(b), &b.name)));
        let by_name = services.iter().map(|s| (s.name.as_str(), *s)).collect();
        Planner {
            platform,
            secret_files: &loaded.secret_files,
            services,
            by_name,
            files: Vec::new(),
        }
    }

    fn run(mut self) -> Plan {
        self.plan_base();
        let mut dirs = vec![BASE_DIR.to_string()];
        for svc in self.services.clone() {
            dirs.push(self.plan_service(svc));
        }
        let mut envs = Vec::new();
        for env in &self.platform.environments {
            let placements = self.plan_environment(env);
            envs.push((env, placements));
        }
        if let Some(g) = &self.platform.gitops
            && g.engines.iter().any(|e| e.get_ref() == "argocd")
        {
            self.plan_argocd(g, &envs);
        }
        if let Some(g) = &self.platform.gitops
            && g.engines.iter().any(|e| e.get_ref() == "flux")
        {
            self.plan_flux(g, &envs);
        }
        let readme = self.readme();
        self.files.push(readme);
        self.files.push(PlannedFile {
            path: "kustomization.yaml".into(),
            header: self.header(
                "KUSTOMIZATION: platform root".into(),
                format!(
                    "Builds the whole {} platform: the base and every service",
                    self.platform.platform.name.get_ref()
                ),
                "every directory listed below".into(),
                "all waves".into(),
                "platform.toml, services/*.toml".into(),
            ),
            resource: Resource::Kustomization(Kustomization {
                namespace: None,
                resources: dirs,
                components: vec![],
                ..Default::default()
            }),
        });
        Plan { files: self.files }
    }

    fn readme(&self) -> PlannedFile {
        let p = self.platform;
        let g = p.gitops.as_ref();
        let engine = |e: &str| g.is_some_and(|g| g.engines.iter().any(|x| x.get_ref() == e));
        let waves = p
            .categories
            .iter()
            .map(|c| ReadmeWave {
                wave: *c.wave.get_ref(),
                category: c.name.get_ref().clone(),
                services: self
                    .services
                    .iter()
                    .filter(|s| s.file.category.get_ref() == c.name.get_ref())
                    .map(|s| s.name.clone())
                    .collect(),
            })
            .collect();
        let environments = p
            .environments
            .iter()
            .map(|e| ReadmeEnv {
                name: e.name.get_ref().clone(),
                namespace: e.namespace.get_ref().clone(),
                domain: e.domain.get_ref().clone(),
                tag: e
                    .image_tag
                    .clone()
                    .unwrap_or_else(|| p.images.tag.get_ref().clone()),
                clusters: if e.clusters.is_empty() {
                    p.clusters
                        .iter()
                        .take(1)
                        .map(|c| c.name.get_ref().clone())
                        .collect()
                } else {
                    e.clusters.iter().map(|c| c.get_ref().clone()).collect()
                },
            })
            .collect();
        let revision = g.map_or_else(String::new, |g| g.revision.clone());
        let clusters = p
            .clusters
            .iter()
            .map(|c| ReadmeCluster {
                name: c.name.get_ref().clone(),
                branch: c.revision.clone().unwrap_or_else(|| revision.clone()),
                promotion: c
                    .promotion
                    .clone()
                    .unwrap_or_else(|| "none: follows every commit".into()),
            })
            .collect();
        PlannedFile {
            path: "README.md".into(),
            header: self.header(
                "README".into(),
                "How the rendered tree is laid out and deployed".into(),
                "nothing".into(),
                "none".into(),
                "platform.toml".into(),
            ),
            resource: Resource::Readme(Readme {
                platform: self.part_of().to_string(),
                path: g.map_or_else(|| "output".into(), |g| g.path.clone()),
                revision,
                argocd: engine("argocd"),
                argocd_namespace: g.map_or_else(String::new, |g| g.argocd_namespace.clone()),
                flux: engine("flux"),
                kyverno: p.kyverno.is_some(),
                waves,
                environments,
                clusters,
            }),
        }
    }

    fn part_of(&self) -> &str {
        self.platform.platform.name.get_ref()
    }

    fn header(
        &self,
        title: String,
        purpose: String,
        depends_on: String,
        wave: String,
        source: String,
    ) -> Header {
        Header {
            title,
            purpose: one_line(&purpose),
            depends_on,
            exposes: None,
            wave,
            owner: self.platform.platform.owner.clone(),
            source,
            notes: vec![],
        }
    }

    /// Labels of a platform-level resource.
    fn base_labels(&self, name: &str) -> IndexMap<String, String> {
        let mut l = IndexMap::new();
        l.insert("app".into(), self.part_of().to_string());
        l.insert("app.kubernetes.io/name".into(), name.to_string());
        l.insert(
            "app.kubernetes.io/part-of".into(),
            self.part_of().to_string(),
        );
        l.insert("app.kubernetes.io/component".into(), "platform".into());
        l.insert("app.kubernetes.io/managed-by".into(), "platformc".into());
        l
    }

    fn base_meta(&self, name: &str, namespace: Option<&str>) -> Meta {
        let mut annotations = IndexMap::new();
        annotations.insert(WAVE_ANNOTATION.into(), "0".into());
        Meta {
            name: name.to_string(),
            namespace: namespace.map(str::to_string),
            labels: self.base_labels(name),
            annotations,
        }
    }

    fn namespaces(&self) -> Vec<String> {
        let mut v = vec![self.platform.platform.namespace.get_ref().clone()];
        for s in &self.services {
            let ns = namespace_of(self.platform, s);
            if !v.contains(&ns) {
                v.push(ns);
            }
        }
        v
    }

    fn plan_base(&mut self) {
        let p = self.platform;
        let base_wave = "0 (base)".to_string();
        let mut cluster_res = Vec::new();
        let mut ns_res = Vec::new();
        let platform_ns = p.platform.namespace.get_ref().clone();

        for ns in self.namespaces() {
            let file = if ns == platform_ns {
                "namespace.yaml".to_string()
            } else {
                format!("namespace-{ns}.yaml")
            };
            let mut meta = self.base_meta(&ns, None);
            let (level, because) = self.pod_security_in(&ns);
            for (k, v) in pod_security_labels(level) {
                meta.labels.insert(k.into(), v.into());
            }
            let mut header = self.header(
                format!("NAMESPACE: {ns}"),
                format!("Namespace of the {} platform's workloads", self.part_of()),
                "nothing".into(),
                base_wave.clone(),
                "platform.toml".into(),
            );
            if let Some(why) = because {
                header.notes.push(format!(
                    "NOTE: Pod Security enforces {level} here, not restricted, because of {why}; audit and warn stay at restricted"
                ));
            }
            ns_res.push(file.clone());
            self.files.push(PlannedFile {
                path: format!("{BASE_DIR}/namespace/{file}"),
                header,
                resource: Resource::Namespace(Namespace { meta }),
            });

            let sa = p.service_account.name.get_ref().clone();
            let file = if ns == platform_ns {
                "serviceaccount.yaml".to_string()
            } else {
                format!("serviceaccount-{ns}.yaml")
            };
            ns_res.push(file.clone());
            self.files.push(PlannedFile {
                path: format!("{BASE_DIR}/namespace/{file}"),
                header: self.header(
                    format!("SERVICEACCOUNT: {sa}"),
                    "Identity of every workload; no API token is mounted".into(),
                    format!("namespace {ns}"),
                    base_wave.clone(),
                    "platform.toml".into(),
                ),
                resource: Resource::ServiceAccount(ServiceAccount {
                    meta: self.base_meta(&sa, Some(&ns)),
                }),
            });
        }

        if let Some(net) = &p.network {
            for ns in self.namespaces() {
                let file = if ns == platform_ns {
                    "networkpolicy-default-deny.yaml".to_string()
                } else {
                    format!("networkpolicy-default-deny-{ns}.yaml")
                };
                ns_res.push(file.clone());
                let mut dns = IndexMap::new();
                for (k, v) in &net.dns_labels {
                    dns.insert(k.clone(), v.clone());
                }
                let mut header = self.header(
                    "NETWORKPOLICY: default-deny".into(),
                    format!("Denies all traffic to and from the pods of {ns}, except DNS"),
                    format!("namespace {ns}; the CNI enforcing NetworkPolicy"),
                    base_wave.clone(),
                    "platform.toml [network]".into(),
                );
                header.notes.push(
                    "CRITICAL: each service's own policy allows exactly its declared edges; never widen this one".into(),
                );
                self.files.push(PlannedFile {
                    path: format!("{BASE_DIR}/namespace/{file}"),
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
            }
        }

        if let (Some(ps), Some(store)) = (
            &p.images.pull_secret,
            p.secrets.as_ref().and_then(|s| s.external()),
        ) {
            let name = ps.name.get_ref();
            let registry = p.images.registry.get_ref();
            let host = registry.split('/').next().unwrap_or(registry);
            let pulling: Vec<String> = self
                .namespaces()
                .into_iter()
                .filter(|ns| self.pulls_own_images_in(ns))
                .collect();
            for ns in pulling {
                let file = if ns == platform_ns {
                    format!("externalsecret-{name}.yaml")
                } else {
                    format!("externalsecret-{name}-{ns}.yaml")
                };
                ns_res.push(file.clone());
                self.files.push(PlannedFile {
                    path: format!("{BASE_DIR}/namespace/{file}"),
                    header: self.header(
                        format!("EXTERNALSECRET: {name}"),
                        format!("Credentials for pulling the platform's own images from {host}"),
                        format!(
                            "the External Secrets operator and the {} {}",
                            store.store_kind, store.store
                        ),
                        base_wave.clone(),
                        "platform.toml [images.pull_secret]".into(),
                    ),
                    resource: Resource::ExternalSecret(ExternalSecret {
                        meta: self.base_meta(name, Some(&ns)),
                        refresh_interval: store.refresh_interval.to_string(),
                        store: store.store.to_string(),
                        store_kind: store.store_kind.to_string(),
                        target: name.clone(),
                        data: vec![
                            SecretRef {
                                key: "username".into(),
                                remote: format!("{}{}", store.prefix, ps.username_key),
                            },
                            SecretRef {
                                key: "token".into(),
                                remote: format!("{}{}", store.prefix, ps.token_key),
                            },
                        ],
                        docker_config: Some(DockerConfig {
                            template: docker_config_template(host),
                        }),
                    }),
                });
            }
        }

        for pc in &p.priority_classes {
            let name = pc.name.get_ref();
            let file = format!("priorityclass-{name}.yaml");
            cluster_res.push(file.clone());
            self.files.push(PlannedFile {
                path: format!("{BASE_DIR}/cluster/{file}"),
                header: self.header(
                    format!("PRIORITYCLASS: {name}"),
                    pc.description.clone(),
                    "nothing".into(),
                    base_wave.clone(),
                    "platform.toml".into(),
                ),
                resource: Resource::PriorityClass(PriorityClass {
                    meta: self.base_meta(name, None),
                    value: pc.value,
                    global_default: pc.global_default,
                    description: pc.description.clone(),
                    preemption_policy: pc.preemption_policy.as_ref().map(|v| v.get_ref().clone()),
                }),
            });
        }

        if let Some(s) = &p.storage {
            let name = s.class.get_ref();
            cluster_res.push("storageclass.yaml".into());
            let mut header = self.header(
                format!("STORAGECLASS: {name}"),
                format!("Dynamic volumes from {}", s.provisioner),
                format!("the {} CSI driver installed in the cluster", s.provisioner),
                base_wave.clone(),
                "platform.toml".into(),
            );
            if s.reclaim_policy.get_ref() == "Retain" {
                header.notes.push(
                    "CRITICAL: reclaimPolicy Retain keeps data when a claim is deleted".into(),
                );
            }
            self.files.push(PlannedFile {
                path: format!("{BASE_DIR}/cluster/storageclass.yaml"),
                header,
                resource: Resource::StorageClass(StorageClass {
                    meta: {
                        let mut m = self.base_meta(name, None);
                        // `${pvc.metadata.name}` is the CSI driver's template,
                        // not a Flux variable.
                        let flux = p
                            .gitops
                            .as_ref()
                            .is_some_and(|g| g.engines.iter().any(|e| e.get_ref() == "flux"));
                        if flux && s.parameters.values().any(|v| v.contains("${")) {
                            m.annotations.insert(
                                "kustomize.toolkit.fluxcd.io/substitute".into(),
                                "disabled".into(),
                            );
                        }
                        m
                    },
                    provisioner: s.provisioner.clone(),
                    parameters: s.parameters.clone(),
                    mount_options: s.mount_options.clone(),
                    reclaim_policy: s.reclaim_policy.get_ref().clone(),
                    volume_binding_mode: s.volume_binding_mode.get_ref().clone(),
                    allow_volume_expansion: s.allow_volume_expansion,
                }),
            });
        }

        if let Some(k) = &p.kyverno {
            for policy in KYVERNO_POLICIES {
                let file = format!("clusterpolicy-{}.yaml", policy.name);
                cluster_res.push(file.clone());
                self.files.push(PlannedFile {
                    path: format!("{BASE_DIR}/cluster/{file}"),
                    header: self.header(
                        format!("CLUSTERPOLICY: {}", policy.name),
                        format!(
                            "Enforces in the cluster the compiler's lint `{}`: {}",
                            policy.lint, policy.message
                        ),
                        "Kyverno installed in the cluster".into(),
                        base_wave.clone(),
                        "platform.toml [kyverno]".into(),
                    ),
                    resource: Resource::ClusterPolicy(kyverno::cluster_policy(
                        policy,
                        self.base_meta(policy.name, None),
                        k.failure_action.get_ref(),
                        self.part_of(),
                    )),
                });
            }
        }

        let limit = p.defaults.revision_history_limit;
        self.files.push(PlannedFile {
            path: format!("{DEFAULTS_COMPONENT}/kustomization.yaml"),
            header: self.header(
                "COMPONENT: deployment-defaults".into(),
                format!("Keeps {limit} old revisions of every workload, whatever a manifest says"),
                "nothing".into(),
                base_wave.clone(),
                "platform.toml [defaults]".into(),
            ),
            resource: Resource::Component(Component {
                patches: ["Deployment", "StatefulSet", "DaemonSet"]
                    .iter()
                    .map(|k| ComponentPatch {
                        kind: k.to_string(),
                        path: "/spec/revisionHistoryLimit".into(),
                        value: limit,
                    })
                    .collect(),
            }),
        });

        for (dir, purpose, list) in [
            (
                "cluster",
                "Cluster-scoped resources, once per cluster: priority classes, storage, policies",
                cluster_res,
            ),
            (
                "namespace",
                "The platform namespace and what every workload in it relies on: service account, default-deny policy, pull secret",
                ns_res,
            ),
        ] {
            self.files.push(PlannedFile {
                path: format!("{BASE_DIR}/{dir}/kustomization.yaml"),
                header: self.header(
                    format!("KUSTOMIZATION: base/{dir}"),
                    purpose.into(),
                    "nothing".into(),
                    base_wave.clone(),
                    "platform.toml".into(),
                ),
                resource: Resource::Kustomization(Kustomization {
                    namespace: None,
                    resources: list,
                    components: vec![],
                    ..Default::default()
                }),
            });
        }
        self.files.push(PlannedFile {
            path: format!("{BASE_DIR}/kustomization.yaml"),
            header: self.header(
                "KUSTOMIZATION: base".into(),
                "The platform's own resources, cluster-scoped and namespaced".into(),
                "nothing".into(),
                base_wave,
                "platform.toml".into(),
            ),
            resource: Resource::Kustomization(Kustomization {
                namespace: None,
                resources: vec!["cluster".into(), "namespace".into()],
                components: vec![],
                ..Default::default()
            }),
        });
    }

    fn pulls_own_images_in(&self, ns: &str) -> bool {
        self.services
            .iter()
            .any(|s| namespace_of(self.platform, s) == ns && s.file.own_image())
    }

    /// The strictest Pod Security level every service of `ns` meets, and
    /// which exceptions lower it.
    fn pod_security_in(&self, ns: &str) -> (&'static str, Option<String>) {
        let mut level = "restricted";
        let mut why = Vec::new();
        for s in self
            .services
            .iter()
            .filter(|s| namespace_of(self.platform, s) == ns)
        {
            let l = pod_security_level(&s.file);
            if l != "restricted" {
                why.push(format!("{}'s exceptions", s.name));
            }
            if l == "privileged" || (l == "baseline" && level == "restricted") {
                level = l;
            }
        }
        (level, (!why.is_empty()).then(|| why.join(", ")))
    }

    /// Plans one service's directory; returns its path.
    fn plan_service(&mut self, svc: &LoadedService) -> String {
        let sp = ServicePlanner::new(self, svc);
        let dir = sp.dir.clone();
        let files = sp.files();
        let mut resources = Vec::new();
        for f in files {
            if let Some(rel) = f.path.strip_prefix(&format!("{dir}/")) {
                resources.push(rel.to_string());
            }
            self.files.push(f);
        }
        let depth = dir.matches('/').count() + 1;
        let component = format!("{}{}", "../".repeat(depth), DEFAULTS_COMPONENT);
        let sp = ServicePlanner::new(self, svc);
        let header = sp.header(
            "KUSTOMIZATION",
            format!("Lists the resources of {}", svc.name),
        );
        self.files.push(PlannedFile {
            path: format!("{dir}/kustomization.yaml"),
            header,
            resource: Resource::Kustomization(Kustomization {
                namespace: Some(sp.namespace.clone()),
                resources,
                components: vec![component],
                ..Default::default()
            }),
        });
        dir
    }
}

fn category<'a>(p: &'a PlatformFile, s: &LoadedService) -> Option<&'a crate::model::Category> {
    p.categories
        .iter()
        .find(|c| c.name.get_ref() == s.file.category.get_ref())
}

fn namespace_of(p: &PlatformFile, s: &LoadedService) -> String {
    p.namespace_of(&s.file).to_string()
}

/// The `.dockerconfigjson` of a registry, as an External Secrets (Go)
/// template over the `username` and `token` keys.
pub fn docker_config_template(host: &str) -> String {
    format!(
        "{{\"auths\":{{\"{host}\":{{\"username\":\"{{{{ .username }}}}\",\"password\":\"{{{{ .token }}}}\",\"auth\":\"{{{{ printf \"%s:%s\" .username .token | b64enc }}}}\"}}}}}}"
    )
}

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

/// Capabilities the baseline Pod Security Standard lets a container add.
const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// The strictest Pod Security Standard a service's pods meet: privileged
/// mode, the host network, host ports or capabilities beyond baseline's
/// need `privileged`; root or baseline capabilities need `baseline`.
pub fn pod_security_level(f: &crate::model::ServiceFile) -> &'static str {
    let sec = f.security.as_ref();
    let on = |v: Option<&crate::model::Spanned<bool>>| v.is_some_and(|b| *b.get_ref());
    let caps: Vec<&str> = sec
        .map(|s| {
            s.add_capabilities
                .iter()
                .map(|c| c.get_ref().as_str())
                .collect()
        })
        .unwrap_or_default();
    if on(sec.and_then(|s| s.privileged.as_ref()))
        || on(sec.and_then(|s| s.host_network.as_ref()))
        || f.ports.iter().any(|p| p.host_port.is_some())
        || caps.iter().any(|c| !BASELINE_CAPABILITIES.contains(c))
    {
        "privileged"
    } else if sec
        .and_then(|s| s.run_as_user.as_ref())
        .is_some_and(|u| *u.get_ref() == 0)
        || caps.iter().any(|c| *c != "NET_BIND_SERVICE")
    {
        "baseline"
    } else {
        "restricted"
    }
}

/// Pod Security admission labels: `level` enforced, restricted audited and
/// warned about.
pub fn pod_security_labels(level: &'static str) -> [(&'static str, &'static str); 3] {
    [
        ("pod-security.kubernetes.io/enforce", level),
        ("pod-security.kubernetes.io/audit", "restricted"),
        ("pod-security.kubernetes.io/warn", "restricted"),
    ]
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Volume name for a writable path: `/var/run/postgresql` → `var-run-postgresql`.
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

struct ServicePlanner<'p, 'a> {
    p: &'p Planner<'a>,
    svc: &'a LoadedService,
    /// The environment being planned; None for the base.
    env: Option<&'a crate::model::Environment>,
    kind: WorkloadKind,
    namespace: String,
    dir: String,
    wave: u32,
    category: String,
    component: String,
}

impl<'p, 'a> ServicePlanner<'p, 'a> {
    fn new(p: &'p Planner<'a>, svc: &'a LoadedService) -> Self {
        let cat = category(p.platform, svc);
        let category = svc.file.category.get_ref().clone();
        ServicePlanner {
            p,
            svc,
            env: None,
            kind: svc.file.kind(),
            namespace: namespace_of(p.platform, svc),
            dir: format!("{category}/{}", svc.name),
            wave: cat.map_or(0, |c| *c.wave.get_ref()),
            component: cat.map_or_else(String::new, |c| c.component.clone()),
            category,
        }
    }

    fn name(&self) -> &str {
        &self.svc.name
    }

    fn labels(&self) -> IndexMap<String, String> {
        let mut l = IndexMap::new();
        l.insert("app".into(), self.name().to_string());
        l.insert("app.kubernetes.io/name".into(), self.name().to_string());
        l.insert(
            "app.kubernetes.io/part-of".into(),
            self.p.part_of().to_string(),
        );
        l.insert("app.kubernetes.io/component".into(), self.component.clone());
        l.insert("app.kubernetes.io/managed-by".into(), "platformc".into());
        l
    }

    fn selector(&self) -> IndexMap<String, String> {
        let mut l = IndexMap::new();
        l.insert("app".into(), self.name().to_string());
        l
    }

    fn meta(&self, name: String) -> Meta {
        let mut annotations = IndexMap::new();
        annotations.insert(WAVE_ANNOTATION.into(), self.wave.to_string());
        Meta {
            name,
            namespace: Some(self.namespace.clone()),
            labels: self.labels(),
            annotations,
        }
    }

    fn port(&self, svc: &LoadedService, name: &str) -> u32 {
        svc.file
            .ports
            .iter()
            .find(|p| p.name.get_ref() == name)
            .map_or(0, |p| *p.port.get_ref())
    }

    fn depends_on(&self) -> String {
        if self.svc.file.depends_on.is_empty() {
            return "nothing".into();
        }
        self.svc
            .file
            .depends_on
            .iter()
            .map(|d| {
                let target = d.service.get_ref();
                let port = self
                    .p
                    .by_name
                    .get(target.as_str())
                    .map_or(0, |t| self.port(t, d.port.get_ref()));
                match &d.purpose {
                    Some(why) => format!("{target} ({} {port}, {why})", d.port.get_ref()),
                    None => format!("{target} ({} {port})", d.port.get_ref()),
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn header(&self, kind: &str, purpose: String) -> Header {
        let f = &self.svc.file;
        let mut h = self.p.header(
            format!("{kind}: {}", self.name()),
            purpose,
            self.depends_on(),
            format!("{} ({})", self.wave, self.category),
            self.svc.source.path.clone(),
        );
        if !f.ports.is_empty() {
            h.exposes = Some(
                f.ports
                    .iter()
                    .map(|p| format!("{} {}", p.name.get_ref(), p.port.get_ref()))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        for e in &f.exceptions {
            h.notes.push(format!(
                "EXCEPTION {}: {}",
                e.rule.get_ref(),
                one_line(e.reason.get_ref())
            ));
        }
        h
    }

    fn file(&self, name: &str, kind: &str, purpose: String, resource: Resource) -> PlannedFile {
        PlannedFile {
            path: format!("{}/{name}", self.dir),
            header: self.header(kind, purpose),
            resource,
        }
    }

    /// A file whose dependencies are its own, not the workload's.
    fn file_needing(
        &self,
        name: &str,
        kind: &str,
        purpose: String,
        needs: String,
        resource: Resource,
    ) -> PlannedFile {
        let mut f = self.file(name, kind, purpose, resource);
        f.header.depends_on = needs;
        f
    }

    fn config_data(&self) -> BTreeMap<String, String> {
        let f = &self.svc.file;
        let mut data: BTreeMap<String, String> = f
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.get_ref().clone()))
            .collect();
        for d in &f.depends_on {
            let (Some(env), Some(t)) = (&d.env, self.p.by_name.get(d.service.get_ref().as_str()))
            else {
                continue;
            };
            data.insert(
                env.clone(),
                address(
                    &t.name,
                    &namespace_of(self.p.platform, t),
                    &self.namespace,
                    self.port(t, d.port.get_ref()),
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

    /// Scanner checks this workload skips and why: the platform's scanner
    /// exceptions, then those the service's lint exceptions imply (first
    /// reason wins for a check named twice).
    fn scanner_skips(&self) -> Vec<(String, String)> {
        let mut skips: IndexMap<String, String> = IndexMap::new();
        for e in &self.p.platform.scanner_exceptions {
            skips
                .entry(e.check.get_ref().clone())
                .or_insert_with(|| one_line(e.reason.get_ref()));
        }
        for e in &self.svc.file.exceptions {
            let checks = crate::check::lint(e.rule.get_ref()).map_or(&[][..], |l| l.scanner);
            for check in checks {
                skips
                    .entry(check.to_string())
                    .or_insert_with(|| one_line(e.reason.get_ref()).replace('=', " "));
            }
        }
        skips.into_iter().collect()
    }

    /// The same service as the environment runs it.
    fn in_env(mut self, env: &'a crate::model::Environment) -> Self {
        self.env = Some(env);
        self
    }

    fn env_override(&self) -> Option<&'a crate::model::Override> {
        self.env.and_then(|e| e.overrides.get(&self.svc.name))
    }

    /// Replicas: the environment's, the service's, its autoscaling minimum,
    /// or the platform default; None for a DaemonSet.
    fn replicas(&self) -> Option<u32> {
        let base = self.svc.file.replicas(self.p.platform.defaults.replicas);
        match self.env_override().and_then(|o| o.replicas.as_ref()) {
            Some(r) => base.map(|_| *r.get_ref()),
            None => base,
        }
    }

    fn resources(&self) -> ResourceSpec {
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

    fn hostname(&self, host: &str) -> String {
        let domain = self
            .env
            .map_or(self.p.platform.platform.domain.get_ref(), |e| {
                e.domain.get_ref()
            });
        if host.is_empty() {
            domain.clone()
        } else {
            format!("{host}.{domain}")
        }
    }

    fn image(&self) -> String {
        let i = self.svc.file.image.get_ref();
        if !self.svc.file.own_image() {
            i.clone()
        } else {
            let images = &self.p.platform.images;
            let tag = self
                .env
                .and_then(|e| e.image_tag.as_ref())
                .unwrap_or(images.tag.get_ref());
            format!("{}/{i}:{tag}", images.registry.get_ref())
        }
    }

    fn handler(&self, c: &Check) -> Handler {
        if let Some(h) = &c.http {
            Handler::HttpGet {
                path: h.path.clone(),
                port: h.port.get_ref().clone(),
            }
        } else if let Some(g) = &c.grpc {
            Handler::Grpc {
                port: self.port(self.svc, g.port.get_ref()),
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

    fn probe(handler: Handler, t: ProbeTiming, failure_threshold: Option<i32>) -> Probe {
        Probe {
            handler,
            initial_delay_seconds: t.initial_delay_seconds,
            period_seconds: t.period_seconds,
            timeout_seconds: t.timeout_seconds,
            failure_threshold: failure_threshold.unwrap_or(t.failure_threshold),
        }
    }

    fn files(&self) -> Vec<PlannedFile> {
        let f = &self.svc.file;
        let p = self.p.platform;
        let name = self.name().to_string();
        let mut out = Vec::new();

        let config = self.config_data();
        let config_name = format!("{name}-config");
        let secret_name = format!("{name}-secrets");
        let has_secrets = !f.secrets.is_empty();

        // Volumes and mounts.
        let mut volumes = vec![PodVolume::EmptyDir { name: "tmp".into() }];
        let mut mounts = vec![Mount {
            name: "tmp".into(),
            path: "/tmp".into(),
            read_only: false,
        }];
        for path in &f.writable_paths {
            let vname = volume_name_for_path(path);
            volumes.push(PodVolume::EmptyDir {
                name: vname.clone(),
            });
            mounts.push(Mount {
                name: vname,
                path: path.clone(),
                read_only: false,
            });
        }
        for v in &f.volumes {
            let vname = v.name.get_ref().clone();
            volumes.push(PodVolume::Claim {
                name: vname.clone(),
                claim: format!("{name}-{vname}"),
            });
            mounts.push(Mount {
                name: vname,
                path: v.mount.clone(),
                read_only: false,
            });
        }
        for c in &f.config_files {
            let vname = format!("config-{}", c.name.get_ref());
            volumes.push(PodVolume::ConfigMap {
                name: vname.clone(),
                config_map: format!("{name}-{}", c.name.get_ref()),
            });
            mounts.push(Mount {
                name: vname,
                path: c.mount.clone(),
                read_only: true,
            });
        }

        // Security.
        let sec = f.security.as_ref();
        let d = &p.defaults.security;
        let privileged = sec
            .and_then(|s| s.privileged.as_ref())
            .is_some_and(|p| *p.get_ref());
        let run_as_user = sec
            .and_then(|s| s.run_as_user.as_ref())
            .map_or(d.run_as_user, |u| *u.get_ref());
        // A service that names its image's user gets that user's group too,
        // unless it names another.
        let own_user = sec.and_then(|s| s.run_as_user.as_ref()).is_some();
        let group = sec.and_then(|s| s.run_as_group).unwrap_or(if own_user {
            run_as_user
        } else {
            d.run_as_group
        });
        let security = PodSecurity {
            run_as_non_root: run_as_user != 0,
            run_as_user,
            run_as_group: group,
            fs_group: sec.and_then(|s| s.fs_group).unwrap_or(if own_user {
                group
            } else {
                d.fs_group
            }),
        };

        // Probes.
        let probes = &p.defaults.probes;
        let (readiness, liveness, startup) = match &f.health {
            Some(h) => {
                let ready = self.handler(&h.check());
                let live = h
                    .liveness
                    .as_ref()
                    .map_or_else(|| ready.clone(), |l| self.handler(l));
                let startup = h
                    .startup
                    .as_ref()
                    .map(|s| Self::probe(ready.clone(), probes.startup, Some(s.failure_threshold)));
                (
                    Some(Self::probe(ready, probes.readiness, None)),
                    Some(Self::probe(live, probes.liveness, None)),
                    startup,
                )
            }
            None => (None, None, None),
        };

        let ports: Vec<PortSpec> = f
            .ports
            .iter()
            .map(|p| PortSpec {
                name: p.name.get_ref().clone(),
                port: *p.port.get_ref(),
                protocol: p
                    .protocol
                    .as_ref()
                    .map_or_else(|| "TCP".to_string(), |x| x.get_ref().clone()),
                host_port: p.host_port.as_ref().map(|h| *h.get_ref()),
            })
            .collect();

        let mut pod_annotations = IndexMap::new();
        if !config.is_empty() || !f.config_files.is_empty() {
            pod_annotations.insert(
                "platformc.dev/config-hash".to_string(),
                config_hash(&config, f),
            );
        }

        let shutdown = f.shutdown.as_ref();
        let replicas = self.replicas();
        let mut meta = self.meta(name.clone());
        for e in &f.exceptions {
            meta.annotations.insert(
                format!("{EXCEPTION_ANNOTATION}{}", e.rule.get_ref()),
                one_line(e.reason.get_ref()),
            );
        }
        for (i, (check, reason)) in self.scanner_skips().into_iter().enumerate() {
            meta.annotations.insert(
                format!("checkov.io/skip{}", i + 1),
                format!("{check}={reason}"),
            );
        }

        let workload = Workload {
            kind: self.kind,
            meta,
            replicas,
            revision_history_limit: p.defaults.revision_history_limit,
            min_ready_seconds: p.defaults.min_ready_seconds,
            rollout: rollout(self.kind),
            selector: self.selector(),
            service_name: (self.kind == WorkloadKind::StatefulSet).then(|| name.clone()),
            pod: Pod {
                spread: replicas.is_some_and(|r| r > 1).then(|| Spread {
                    max_skew: 1,
                    topology_key: "kubernetes.io/hostname",
                    when_unsatisfiable: p.defaults.topology_spread.clone(),
                }),
                image_pull_secrets: match (&p.images.pull_secret, &p.secrets) {
                    (Some(ps), Some(_)) if f.own_image() => vec![ps.name.get_ref().clone()],
                    _ => vec![],
                },
                host_network: sec
                    .and_then(|s| s.host_network.as_ref())
                    .is_some_and(|h| *h.get_ref()),
                labels: self.labels(),
                annotations: pod_annotations,
                service_account: p.service_account.name.get_ref().clone(),
                termination_grace_period_seconds: shutdown
                    .and_then(|s| s.grace_period_seconds)
                    .unwrap_or(p.defaults.grace_period_seconds),
                priority_class: f.priority_class.as_ref().map_or_else(
                    || p.defaults.priority_class.get_ref().clone(),
                    |c| c.get_ref().clone(),
                ),
                security,
                container: Container {
                    name: name.clone(),
                    image: self.image(),
                    image_pull_policy: f
                        .pull_policy
                        .as_ref()
                        .unwrap_or(&p.images.pull_policy)
                        .get_ref()
                        .clone(),
                    command: f.command.clone(),
                    args: f.args.clone(),
                    ports: ports.clone(),
                    config_map: (!config.is_empty()).then(|| config_name.clone()),
                    secret: has_secrets.then(|| secret_name.clone()),
                    security: ContainerSecurity {
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
                    },
                    resources: self.resources(),
                    startup_probe: startup,
                    readiness_probe: readiness,
                    liveness_probe: liveness,
                    pre_stop_sleep_seconds: shutdown.and_then(|s| s.pre_stop_sleep_seconds),
                    mounts,
                },
                volumes,
            },
        };
        let (file, kind) = match self.kind {
            WorkloadKind::Deployment => ("deployment.yaml", "DEPLOYMENT"),
            WorkloadKind::StatefulSet => ("statefulset.yaml", "STATEFULSET"),
            WorkloadKind::DaemonSet => ("daemonset.yaml", "DAEMONSET"),
        };
        out.push(self.file(
            file,
            kind,
            f.description.clone(),
            Resource::Workload(Box::new(workload)),
        ));

        if !ports.is_empty() {
            let headless = self.kind == WorkloadKind::StatefulSet;
            out.push(
                self.file_needing(
                    "service.yaml",
                    "SERVICE",
                    if headless {
                        format!("Headless service governing the {name} StatefulSet")
                    } else {
                        format!("Cluster-internal address of {name}")
                    },
                    format!("the {name} pods it selects"),
                    Resource::Service(Service {
                        meta: self.meta(name.clone()),
                        service_type: f
                            .service_type
                            .as_ref()
                            .map_or_else(|| "ClusterIP".to_string(), |t| t.get_ref().clone()),
                        headless,
                        selector: self.selector(),
                        ports: ports.clone(),
                    }),
                ),
            );
        }

        if !config.is_empty() {
            out.push(self.file_needing(
                "configmap.yaml",
                "CONFIGMAP",
                format!("Non-secret environment of {name}, dependency addresses included"),
                "nothing; read by the workload through envFrom".into(),
                Resource::ConfigMap(ConfigMap {
                    meta: self.meta(config_name),
                    data: config,
                }),
            ));
        }
        for c in &f.config_files {
            let suffix = c.name.get_ref();
            out.push(self.file_needing(
                &format!("configmap-{suffix}.yaml"),
                "CONFIGMAP",
                format!("Files mounted read-only at {} in {name}", c.mount),
                "nothing; mounted by the workload".into(),
                Resource::ConfigMap(ConfigMap {
                    meta: self.meta(format!("{name}-{suffix}")),
                    data: c.files.clone(),
                }),
            ));
        }

        if has_secrets && let Some(store) = p.secrets.as_ref().and_then(|s| s.external()) {
            let data = f
                .secrets
                .iter()
                .map(|k| {
                    let key = k.get_ref().clone();
                    let remote = f
                        .secret_sources
                        .get(&key)
                        .map_or_else(|| key.clone(), |r| r.get_ref().clone());
                    SecretRef {
                        key,
                        remote: format!("{}{remote}", store.prefix),
                    }
                })
                .collect();
            out.push(self.file_needing(
                "externalsecret.yaml",
                "EXTERNALSECRET",
                format!(
                    "The keys {name} needs, and only those, from {}",
                    store.store
                ),
                format!(
                    "the External Secrets operator and the {} {}",
                    store.store_kind, store.store
                ),
                Resource::ExternalSecret(ExternalSecret {
                    meta: self.meta(secret_name.clone()),
                    refresh_interval: store.refresh_interval.to_string(),
                    store: store.store.to_string(),
                    store_kind: store.store_kind.to_string(),
                    target: secret_name.clone(),
                    data,
                    docker_config: None,
                }),
            ));
        }

        let backend = p
            .secrets
            .as_ref()
            .map_or("", |s| s.backend.get_ref().as_str());
        let secret_file = crate::check::secret_files::file_name(backend, &name)
            .and_then(|n| self.p.secret_files.get(&n));
        if let (true, Some(sf)) = (has_secrets, secret_file) {
            if backend == "sops" {
                out.push(self.file(
                    "secret.sops.yaml",
                    "SECRET",
                    format!("The keys {name} needs, encrypted with sops"),
                    Resource::Verbatim(Verbatim {
                        text: sf.source.text.clone(),
                    }),
                ));
            } else {
                let mut meta = self.meta(secret_name.clone());
                for (k, v) in sf.doc["metadata"]["annotations"]
                    .as_object()
                    .into_iter()
                    .flatten()
                {
                    if k.starts_with("sealedsecrets.bitnami.com/")
                        && let Some(v) = v.as_str()
                    {
                        meta.annotations.insert(k.clone(), v.to_string());
                    }
                }
                out.push(
                    self.file_needing(
                        "sealedsecret.yaml",
                        "SEALEDSECRET",
                        format!(
                            "The keys {name} needs, sealed with kubeseal (from {})",
                            sf.source.path
                        ),
                        "the Sealed Secrets controller, whose key sealed it".into(),
                        Resource::SealedSecret(SealedSecret {
                            meta,
                            encrypted_data: sf.doc["spec"]["encryptedData"]
                                .as_object()
                                .into_iter()
                                .flatten()
                                .map(|(k, v)| {
                                    (k.clone(), v.as_str().unwrap_or_default().to_string())
                                })
                                .collect(),
                            template: sf.doc["spec"].get("template").cloned(),
                        }),
                    ),
                );
            }
        }

        if let Some(storage) = &p.storage {
            for (i, v) in f.volumes.iter().enumerate() {
                let vname = v.name.get_ref();
                let file = if i == 0 {
                    "pvc.yaml".to_string()
                } else {
                    format!("pvc-{vname}.yaml")
                };
                let mut pf = self.file_needing(
                    &file,
                    "PERSISTENTVOLUMECLAIM",
                    format!("{} of {name}, mounted at {}", vname, v.mount),
                    format!("storage class {} (base)", storage.class.get_ref()),
                    Resource::Pvc(Pvc {
                        meta: self.meta(format!("{name}-{vname}")),
                        access_mode: v
                            .access_mode
                            .as_ref()
                            .map_or_else(|| "ReadWriteOnce".to_string(), |m| m.get_ref().clone()),
                        storage_class: storage.class.get_ref().clone(),
                        size: v.size.get_ref().clone(),
                    }),
                );
                pf.header
                    .notes
                    .push("CRITICAL: holds the service's data; deleting the claim is not undone by a re-sync".into());
                out.push(pf);
            }
        }

        if let Some(a) = &f.autoscaling {
            out.push(self.file_needing(
                "hpa.yaml",
                "HORIZONTALPODAUTOSCALER",
                format!(
                    "Scales {name} between {} and {} replicas",
                    a.min.get_ref(),
                    a.max.get_ref()
                ),
                format!("the {name} workload and the metrics server"),
                Resource::Hpa(Hpa {
                    meta: self.meta(name.clone()),
                    kind: format!("{:?}", self.kind),
                    target: name.clone(),
                    min: *a.min.get_ref(),
                    max: *a.max.get_ref(),
                    cpu: a.cpu.as_ref().map(|c| *c.get_ref()),
                    memory: a.memory.as_ref().map(|m| *m.get_ref()),
                }),
            ));
        }

        let wants_pdb = f.pdb.as_ref().is_none_or(|p| *p.get_ref());
        if wants_pdb && replicas.is_some_and(|r| r > 1) {
            out.push(self.file_needing(
                "pdb.yaml",
                "PODDISRUPTIONBUDGET",
                format!("Keeps all but one {name} pod running through voluntary disruptions"),
                format!("the {name} pods it selects"),
                Resource::Pdb(Pdb {
                    meta: self.meta(name.clone()),
                    max_unavailable: 1,
                    selector: self.selector(),
                }),
            ));
        }

        if p.kyverno.is_some()
            && let Some(exception) =
                kyverno::exception_for(f, self.kind, self.p.part_of(), self.meta(name.clone()))
        {
            out.push(self.file_needing(
                "policyexception.yaml",
                "POLICYEXCEPTION",
                format!("Exempts {name} from the cluster policies its stated exceptions excuse"),
                "Kyverno, and the platformc ClusterPolicies (base)".into(),
                Resource::PolicyException(exception),
            ));
        }

        if let Some(net) = &p.network {
            out.push(self.file_needing(
                "networkpolicy.yaml",
                "NETWORKPOLICY",
                format!("Allows {name} exactly the traffic its declared edges need"),
                format!("default-deny of namespace {} (base)", self.namespace),
                Resource::NetworkPolicy(self.network_policy(net)),
            ));
        }

        if let Some(gw) = &p.gateway {
            let mut hosts: IndexMap<String, Vec<RouteRule>> = IndexMap::new();
            for r in &f.routes {
                hosts
                    .entry(self.hostname(r.host.get_ref()))
                    .or_default()
                    .push(RouteRule {
                        path: r.path.clone(),
                        service: name.clone(),
                        port: self.port(self.svc, r.port.get_ref()),
                    });
            }
            for (i, (hostname, rules)) in hosts.into_iter().enumerate() {
                let (file, route_name) = if i == 0 {
                    ("httproute.yaml".to_string(), name.clone())
                } else {
                    let label = hostname.split('.').next().unwrap_or("route").to_string();
                    (format!("httproute-{label}.yaml"), format!("{name}-{label}"))
                };
                out.push(self.file_needing(
                    &file,
                    "HTTPROUTE",
                    format!("Publishes {name} at https://{hostname} through {}", gw.name),
                    format!(
                        "gateway {}/{} and the {name} service",
                        gw.namespace, gw.name
                    ),
                    Resource::HttpRoute(HttpRoute {
                        meta: self.meta(route_name),
                        gateway: gw.name.clone(),
                        gateway_namespace: gw.namespace.clone(),
                        section: gw.section.clone(),
                        hostname,
                        rules,
                    }),
                ));
            }
        }
        out
    }
}

impl ServicePlanner<'_, '_> {
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

    /// Both directions of every edge that touches this service, derived
    /// from the one declaration on the consumer's side.
    fn network_policy(&self, net: &crate::model::Network) -> NetworkPolicy {
        let f = &self.svc.file;
        let name = self.name();
        let mut ingress = Vec::new();
        let mut egress = Vec::new();

        for consumer in &self.p.services {
            for d in consumer
                .file
                .depends_on
                .iter()
                .filter(|d| d.service.get_ref() == name)
            {
                ingress.push(PolicyRule {
                    why: format!("from {} ({})", consumer.name, d.port.get_ref()),
                    peers: vec![self.peer(consumer)],
                    ports: vec![Self::policy_port(self.svc, d.port.get_ref())],
                });
            }
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

        for d in &f.depends_on {
            let Some(t) = self.p.by_name.get(d.service.get_ref().as_str()) else {
                continue;
            };
            egress.push(PolicyRule {
                why: format!("to {} ({})", t.name, d.port.get_ref()),
                peers: vec![self.peer(t)],
                ports: vec![Self::policy_port(t, d.port.get_ref())],
            });
        }
        if !f.internet.is_empty() {
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
        }

        NetworkPolicy {
            meta: self.meta(name.to_string()),
            pod_selector: self.selector(),
            ingress,
            egress,
        }
    }
}

/// Hash of everything a pod reads from its ConfigMaps, so a config change
/// rolls the pods.
fn config_hash(env: &BTreeMap<String, String>, f: &crate::model::ServiceFile) -> String {
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
        assert!(crate::check::is_dns_label(&volume_name_for_path(
            &"/x".repeat(80)
        )));
    }

    #[test]
    fn pod_security_follows_privileged_exceptions() {
        let svc = |extra: &str| -> crate::model::ServiceFile {
            toml::from_str(&format!(
                "description = \"x\"\ncategory = \"c\"\nimage = \"x\"\n[resources]\ncpu = {{ request = \"1\", limit = \"1\" }}\nmemory = {{ request = \"1\", limit = \"1\" }}\n{extra}"
            ))
            .unwrap()
        };
        assert_eq!(pod_security_level(&svc("")), "restricted");
        assert_eq!(
            pod_security_level(&svc(
                "[security]\nadd_capabilities = [\"NET_BIND_SERVICE\"]"
            )),
            "restricted"
        );
        assert_eq!(
            pod_security_level(&svc("[security]\nrun_as_user = 0")),
            "baseline"
        );
        assert_eq!(
            pod_security_level(&svc("[security]\nadd_capabilities = [\"CHOWN\"]")),
            "baseline"
        );
        assert_eq!(
            pod_security_level(&svc("[security]\nadd_capabilities = [\"NET_ADMIN\"]")),
            "privileged"
        );
        assert_eq!(
            pod_security_level(&svc("[security]\nhost_network = true")),
            "privileged"
        );
        assert_eq!(
            pod_security_level(&svc("[security]\nprivileged = true")),
            "privileged"
        );
        assert_eq!(
            pod_security_labels("baseline")[0],
            ("pod-security.kubernetes.io/enforce", "baseline")
        );
    }
}
