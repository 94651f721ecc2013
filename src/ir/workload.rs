//! Workloads: the Deployment, StatefulSet or DaemonSet of a service, its pod
//! and container, and its Service.

use indexmap::IndexMap;
use serde::Serialize;

use super::{JobSpec, Meta, Spread};
use crate::model::WorkloadKind;

#[derive(Debug, Clone, Serialize)]
pub struct Workload {
    pub kind: WorkloadKind,
    pub meta: Meta,
    /// None for a DaemonSet, a Job or CronJob, and an autoscaled workload
    /// (its HPA owns the count).
    pub replicas: Option<u32>,
    pub revision_history_limit: u32,
    pub min_ready_seconds: u32,
    /// Rolling update bounds; None for a StatefulSet (one pod at a time).
    pub rollout: Option<Rollout>,
    pub selector: IndexMap<String, String>,
    /// StatefulSet only: the governing (headless) Service.
    pub service_name: Option<String>,
    /// Job and CronJob only: how it runs to completion.
    pub job: Option<JobSpec>,
    pub pod: Pod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rollout {
    pub max_unavailable: u32,
    pub max_surge: u32,
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
    /// Job and CronJob only (a serving pod always restarts).
    pub restart_policy: Option<String>,
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
    /// The Service port's `appProtocol` (`kubernetes.io/h2c` for gRPC).
    pub app_protocol: Option<String>,
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
    EmptyDir {
        name: String,
        /// The most the volume may hold, for a sized per-pod volume.
        size_limit: Option<String>,
    },
    ConfigMap {
        name: String,
        config_map: String,
    },
    Claim {
        name: String,
        claim: String,
    },
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
