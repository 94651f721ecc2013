//! The source language: `platform.toml` and `services/<name>.toml` as typed
//! serde structs.
//!
//! Every struct rejects unknown fields. Values that a later stage may have to
//! point at are wrapped in [`Spanned`], so a diagnostic can name the file,
//! line and column. Nothing here fills defaults or derives facts: that is the
//! plan's job.

use std::collections::BTreeMap;

use serde::Deserialize;
pub use toml::Spanned;

/// `platform.toml`: the facts shared by every service of a platform.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformFile {
    pub platform: PlatformMeta,
    pub images: Images,
    /// Categories in wave order; a service names one.
    pub categories: Vec<Category>,
    pub priority_classes: Vec<PriorityClass>,
    pub service_account: ServiceAccount,
    pub defaults: Defaults,
    pub secrets: Option<SecretStore>,
    pub storage: Option<Storage>,
    pub gateway: Option<Gateway>,
    /// Network isolation; without it no NetworkPolicy is emitted.
    pub network: Option<Network>,
    /// Kyverno policies that enforce in the cluster what the compiler checks.
    pub kyverno: Option<Kyverno>,
    /// Checks of a manifest scanner (checkov `CKV_K8S_*`) the platform
    /// deliberately does not follow, each with the reason; written onto every
    /// workload as `checkov.io/skip` annotations.
    #[serde(default)]
    pub scanner_exceptions: Vec<ScannerException>,
    /// How the rendered tree reaches the clusters.
    pub gitops: Option<GitOps>,
    #[serde(default)]
    pub clusters: Vec<Cluster>,
    /// Each gets an overlay of every service it runs.
    #[serde(default)]
    pub environments: Vec<Environment>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitOps {
    /// `argocd`, `flux`, or both.
    pub engines: Vec<Spanned<String>>,
    /// Where the rendered tree lives in the repository.
    pub path: String,
    /// The branch (or revision) clusters follow unless they say otherwise.
    pub revision: String,
    /// Argo CD: its namespace and the name of the AppProject.
    #[serde(default = "argocd_namespace")]
    pub argocd_namespace: String,
    /// Flux: its namespace and how often it reconciles.
    #[serde(default = "flux_namespace")]
    pub flux_namespace: String,
    #[serde(default = "flux_interval")]
    pub interval: String,
}

fn do_not_schedule() -> String {
    "DoNotSchedule".into()
}

fn argocd_namespace() -> String {
    "argocd".into()
}

fn flux_namespace() -> String {
    "flux-system".into()
}

fn flux_interval() -> String {
    "10m".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    pub name: Spanned<String>,
    /// API server URL as Argo CD knows it (`https://kubernetes.default.svc`
    /// for the cluster Argo CD runs in).
    pub server: String,
    /// Categories whose services run here; all when empty.
    #[serde(default)]
    pub categories: Vec<Spanned<String>>,
    /// Flux: the branch this cluster follows, when it is not the platform's
    /// revision (a staged rollout promotes commits to it after a soak).
    pub revision: Option<String>,
    /// Flux: why and how this cluster's revision lags, for the README.
    pub promotion: Option<String>,
    /// Flux: variables substituted into this cluster's manifests.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub name: Spanned<String>,
    /// Replaces the platform namespace.
    pub namespace: Spanned<String>,
    /// Clusters the environment runs on (each service goes to the one whose
    /// categories hold it); the first cluster when omitted.
    #[serde(default)]
    pub clusters: Vec<Spanned<String>>,
    /// Replaces the platform domain in hostnames.
    pub domain: Spanned<String>,
    /// Tag of the platform's own images here.
    pub image_tag: Option<String>,
    /// Services that do not run here.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Per-service changes, by service name.
    #[serde(default)]
    pub overrides: BTreeMap<String, Override>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub replicas: Option<Spanned<u32>>,
    pub cpu: Option<Quantities>,
    pub memory: Option<Quantities>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScannerException {
    pub check: Spanned<String>,
    pub reason: Spanned<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kyverno {
    /// `Enforce` (reject) or `Audit` (report only).
    pub failure_action: Spanned<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformMeta {
    /// Short name, used for `app.kubernetes.io/part-of`.
    pub name: Spanned<String>,
    /// The namespace every service lives in unless it names another.
    pub namespace: Spanned<String>,
    /// The base domain routes are published under.
    pub domain: Spanned<String>,
    /// The git repository the rendered tree is committed to.
    pub repository: String,
    /// Who owns the platform, written into every file header.
    pub owner: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Images {
    /// Registry and path prefix of the platform's own images; a service image
    /// given as a bare name (no `/`, `:` or `@`) is resolved under it.
    pub registry: Spanned<String>,
    /// Tag of the platform's own images.
    pub tag: Spanned<String>,
    /// `IfNotPresent`, `Always` or `Never`.
    pub pull_policy: Spanned<String>,
    /// Credentials for a private registry, from the secret store; every
    /// workload running one of the platform's own images uses them.
    pub pull_secret: Option<PullSecret>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullSecret {
    /// Name of the `kubernetes.io/dockerconfigjson` Secret.
    pub name: Spanned<String>,
    /// Remote keys (without the store prefix) of the user name and token.
    pub username_key: String,
    pub token_key: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub name: Spanned<String>,
    /// Argo CD sync wave of everything in this category.
    pub wave: Spanned<u32>,
    /// Value of `app.kubernetes.io/component` for its services.
    pub component: String,
    pub description: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityClass {
    pub name: Spanned<String>,
    pub value: i32,
    #[serde(default)]
    pub global_default: bool,
    pub description: String,
    /// Whether pods of this class may preempt others (`Never` for batch work).
    pub preemption_policy: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceAccount {
    pub name: Spanned<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub replicas: u32,
    pub revision_history_limit: u32,
    pub min_ready_seconds: u32,
    pub grace_period_seconds: u32,
    /// Priority class of a service that names none.
    pub priority_class: Spanned<String>,
    /// `whenUnsatisfiable` of the spread over nodes of a replicated workload
    /// (`DoNotSchedule` or `ScheduleAnyway`).
    #[serde(default = "do_not_schedule")]
    pub topology_spread: String,
    pub security: SecurityDefaults,
    pub probes: ProbeDefaults,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityDefaults {
    pub run_as_user: i64,
    pub run_as_group: i64,
    pub fs_group: i64,
}

/// Timings of the probes; the check itself comes from the service.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeDefaults {
    pub readiness: ProbeTiming,
    pub liveness: ProbeTiming,
    pub startup: ProbeTiming,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeTiming {
    #[serde(default)]
    pub initial_delay_seconds: Option<i32>,
    pub period_seconds: i32,
    pub timeout_seconds: i32,
    pub failure_threshold: i32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretStore {
    /// `external-secrets` (an ExternalSecret per service, from a store),
    /// `sealed-secrets` (`secrets/<service>.sealedsecret.yaml`, sealed by the
    /// user with kubeseal) or `sops` (`secrets/<service>.sops.yaml`,
    /// encrypted by the user with sops, decrypted by Flux).
    pub backend: Spanned<String>,
    /// external-secrets: the store, its kind (`ClusterSecretStore` or
    /// `SecretStore`), the prefix of every remote key (Doppler: `ORBIT_`) and
    /// how often to refresh.
    pub store: Option<Spanned<String>>,
    pub store_kind: Option<Spanned<String>>,
    #[serde(default)]
    pub prefix: String,
    pub refresh_interval: Option<String>,
}

/// The fields of an `external-secrets` backend, all present once checked.
#[derive(Debug, Clone)]
pub struct ExternalStore<'a> {
    pub store: &'a str,
    pub store_kind: &'a str,
    pub prefix: &'a str,
    pub refresh_interval: &'a str,
}

impl SecretStore {
    pub fn external(&self) -> Option<ExternalStore<'_>> {
        if self.backend.get_ref() != "external-secrets" {
            return None;
        }
        Some(ExternalStore {
            store: self.store.as_ref()?.get_ref(),
            store_kind: self.store_kind.as_ref()?.get_ref(),
            prefix: &self.prefix,
            refresh_interval: self.refresh_interval.as_deref()?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    pub class: Spanned<String>,
    pub provisioner: String,
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    #[serde(default)]
    pub mount_options: Vec<String>,
    pub reclaim_policy: Spanned<String>,
    pub volume_binding_mode: Spanned<String>,
    #[serde(default)]
    pub allow_volume_expansion: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gateway {
    pub name: String,
    pub namespace: String,
    /// Listener of the gateway routes attach to, if it has several.
    pub section: Option<String>,
}

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

/// `services/<name>.toml`: one service.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceFile {
    /// Defaults to the file's stem.
    pub name: Option<Spanned<String>>,
    /// What the service does, for the file headers.
    pub description: String,
    pub category: Spanned<String>,
    #[serde(default)]
    pub kind: Option<Spanned<WorkloadKind>>,
    /// Defaults to the platform namespace.
    pub namespace: Option<Spanned<String>>,
    /// A full reference (`mongo:7`) or a bare name under the platform registry.
    pub image: Spanned<String>,
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default)]
    pub args: Vec<String>,
    pub replicas: Option<Spanned<u32>>,
    /// `false` drops the PodDisruptionBudget of a replicated workload
    /// (lint `no-pdb`).
    pub pdb: Option<Spanned<bool>>,
    /// Overrides the platform's image pull policy.
    pub pull_policy: Option<Spanned<String>>,
    /// `NodePort` or `LoadBalancer` (lint `service-type`); ClusterIP by default.
    pub service_type: Option<Spanned<String>>,
    pub priority_class: Option<Spanned<String>>,
    #[serde(default)]
    pub ports: Vec<Port>,
    pub health: Option<Health>,
    pub resources: Resources,
    #[serde(default)]
    pub shutdown: Option<Shutdown>,
    #[serde(default)]
    pub security: Option<Security>,
    /// Non-secret configuration, rendered into the service's ConfigMap.
    #[serde(default)]
    pub env: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub config_files: Vec<ConfigFiles>,
    /// Keys of the service's own Secret.
    #[serde(default)]
    pub secrets: Vec<Spanned<String>>,
    /// Remote key (without the platform prefix) of a secret key whose remote
    /// name differs from the key.
    #[serde(default)]
    pub secret_sources: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub volumes: Vec<Volume>,
    /// Paths that must stay writable under a read-only root file system.
    #[serde(default)]
    pub writable_paths: Vec<String>,
    #[serde(default)]
    pub depends_on: Vec<Dependency>,
    #[serde(default)]
    pub routes: Vec<Route>,
    /// Horizontal autoscaling (an HPA); `replicas` defaults to its minimum.
    pub autoscaling: Option<Autoscaling>,
    /// Destinations outside the cluster the service calls (egress to the
    /// internet, private ranges excluded).
    #[serde(default)]
    pub internet: Vec<InternetEgress>,
    #[serde(default)]
    pub exceptions: Vec<Exception>,
}

impl PlatformFile {
    /// A service's namespace: its own, or the platform's.
    pub fn namespace_of<'a>(&'a self, s: &'a ServiceFile) -> &'a str {
        s.namespace
            .as_ref()
            .map_or(self.platform.namespace.get_ref(), |n| n.get_ref())
    }

    /// The clusters an environment runs on: those it names, or the first.
    pub fn env_clusters<'a>(&'a self, env: &Environment) -> Vec<&'a Cluster> {
        if env.clusters.is_empty() {
            self.clusters.iter().take(1).collect()
        } else {
            self.clusters
                .iter()
                .filter(|c| env.clusters.iter().any(|n| n.get_ref() == c.name.get_ref()))
                .collect()
        }
    }

    /// The cluster of an environment that runs a category.
    pub fn cluster_for<'a>(&'a self, env: &Environment, category: &str) -> Option<&'a Cluster> {
        self.env_clusters(env)
            .into_iter()
            .find(|c| c.runs(category))
    }
}

impl Cluster {
    /// Whether services of `category` run here.
    pub fn runs(&self, category: &str) -> bool {
        self.categories.is_empty() || self.categories.iter().any(|k| k.get_ref() == category)
    }
}

impl ServiceFile {
    pub fn kind(&self) -> WorkloadKind {
        self.kind
            .as_ref()
            .map_or(WorkloadKind::Deployment, |k| *k.get_ref())
    }

    /// Whether the image is one of the platform's own: a bare name, resolved
    /// under the platform registry with the platform (or environment) tag.
    pub fn own_image(&self) -> bool {
        !self.image.get_ref().contains(['/', ':', '@'])
    }

    /// The tag of a full image reference (None for a digest or no tag).
    pub fn image_tag(&self) -> Option<&str> {
        let last = self.image.get_ref().rsplit('/').next()?;
        last.split_once(':').map(|(_, t)| t)
    }

    /// Base replicas: stated, else the autoscaling minimum, else `default`;
    /// None for a DaemonSet.
    pub fn replicas(&self, default: u32) -> Option<u32> {
        (self.kind() != WorkloadKind::DaemonSet).then(|| {
            self.replicas
                .as_ref()
                .map(|r| *r.get_ref())
                .or_else(|| self.autoscaling.as_ref().map(|a| *a.min.get_ref()))
                .unwrap_or(default)
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Port {
    pub name: Spanned<String>,
    pub port: Spanned<u32>,
    #[serde(default)]
    pub protocol: Option<Spanned<String>>,
    /// Serves Prometheus metrics; defaults to true for a name ending in
    /// `metrics`.
    pub metrics: Option<bool>,
    /// Binds the port on the node (lint `host-port`).
    pub host_port: Option<Spanned<u32>>,
}

impl Port {
    pub fn serves_metrics(&self) -> bool {
        self.metrics
            .unwrap_or_else(|| self.name.get_ref().ends_with("metrics"))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Autoscaling {
    pub min: Spanned<u32>,
    pub max: Spanned<u32>,
    /// Target average utilisation, percent of the request.
    pub cpu: Option<Spanned<u32>>,
    pub memory: Option<Spanned<u32>>,
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
pub struct Health {
    pub http: Option<HttpCheck>,
    pub grpc: Option<GrpcCheck>,
    pub exec: Option<ExecCheck>,
    pub tcp: Option<TcpCheck>,
    /// A different check for liveness; defaults to the readiness check.
    pub liveness: Option<Check>,
    /// Adds a startup probe running the readiness check.
    pub startup: Option<Startup>,
}

impl Health {
    /// The readiness check (the fields of `[health]` itself).
    pub fn check(&self) -> Check {
        Check {
            http: self.http.clone(),
            grpc: self.grpc.clone(),
            exec: self.exec.clone(),
            tcp: self.tcp.clone(),
        }
    }
}

/// Exactly one of the four checks.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub http: Option<HttpCheck>,
    pub grpc: Option<GrpcCheck>,
    pub exec: Option<ExecCheck>,
    pub tcp: Option<TcpCheck>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpCheck {
    pub port: Spanned<String>,
    pub path: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrpcCheck {
    pub port: Spanned<String>,
    /// The service name passed to the gRPC health protocol.
    pub service: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecCheck {
    pub command: Spanned<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcpCheck {
    pub port: Spanned<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Startup {
    /// Attempts before the container is restarted; period is the platform's.
    pub failure_threshold: i32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    pub cpu: Quantities,
    pub memory: Quantities,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quantities {
    pub request: Spanned<String>,
    pub limit: Spanned<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shutdown {
    pub grace_period_seconds: Option<u32>,
    /// Seconds the container keeps serving after it is marked terminating.
    pub pre_stop_sleep_seconds: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Security {
    pub run_as_user: Option<Spanned<i64>>,
    pub run_as_group: Option<i64>,
    pub fs_group: Option<i64>,
    /// Lint `privileged`.
    #[serde(default)]
    pub privileged: Option<Spanned<bool>>,
    /// `false`: lint `writable-root-fs`.
    pub read_only_root_filesystem: Option<Spanned<bool>>,
    /// Lint `host-network`.
    pub host_network: Option<Spanned<bool>>,
    /// Capabilities added after dropping all (lint `capabilities`).
    #[serde(default)]
    pub add_capabilities: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFiles {
    /// Suffix of the ConfigMap name (`<service>-<name>`).
    pub name: Spanned<String>,
    /// Directory the files are mounted in.
    pub mount: String,
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    /// Suffix of the claim name (`<service>-<name>`).
    pub name: Spanned<String>,
    pub mount: String,
    pub size: Spanned<String>,
    #[serde(default)]
    pub access_mode: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    pub service: Spanned<String>,
    pub port: Spanned<String>,
    /// Environment variable (in the ConfigMap) that receives the address.
    pub env: Option<String>,
    /// Scheme prefixed to the address (`http`, `tcp`, `redis`…).
    pub scheme: Option<String>,
    /// Why the edge exists, for the headers.
    pub purpose: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Left of the platform domain; empty for the domain itself.
    pub host: Spanned<String>,
    pub port: Spanned<String>,
    #[serde(default = "root_path")]
    pub path: String,
    /// Environment variable (in the ConfigMap) that receives the public URL.
    pub env: Option<String>,
}

fn root_path() -> String {
    "/".to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    pub rule: Spanned<String>,
    pub reason: Spanned<String>,
}
