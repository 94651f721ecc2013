//! Workloads: kind, ports, health checks, resources, shutdown and security
//! of a service's pods, and the platform defaults for them.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityDefaults {
    pub run_as_user: Spanned<i64>,
    pub run_as_group: Spanned<i64>,
    pub fs_group: Spanned<i64>,
}

/// Timings of the probes; the check itself comes from the service.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeDefaults {
    pub readiness: ProbeTiming,
    pub liveness: ProbeTiming,
    pub startup: ProbeTiming,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeTiming {
    /// At least 0.
    #[serde(default)]
    pub initial_delay_seconds: Option<Spanned<i32>>,
    /// At least 1, as are the timeout and the threshold.
    pub period_seconds: Spanned<i32>,
    pub timeout_seconds: Spanned<i32>,
    pub failure_threshold: Spanned<i32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
}

impl WorkloadKind {
    /// Whether pods of this kind run to completion instead of serving.
    pub fn runs_to_completion(self) -> bool {
        matches!(self, WorkloadKind::Job | WorkloadKind::CronJob)
    }
}

impl WorkloadKind {
    /// The API version of the kind: `apps/v1`, or `batch/v1` for a Job or
    /// CronJob.
    pub fn api_version(self) -> &'static str {
        if self.runs_to_completion() {
            "batch/v1"
        } else {
            "apps/v1"
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::Job => "Job",
            WorkloadKind::CronJob => "CronJob",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Port {
    pub name: Spanned<String>,
    pub port: Spanned<u32>,
    #[serde(default)]
    pub protocol: Option<Spanned<String>>,
    /// Serves Prometheus metrics; defaults to true for a name ending in
    /// `metrics`. A metrics port cannot be routed.
    pub metrics: Option<bool>,
    /// Speaks gRPC (HTTP/2 without TLS): its Service port carries
    /// `appProtocol: kubernetes.io/h2c` and its routes are gRPC routes.
    /// Defaults to true for a name that is `grpc` or starts with `grpc-`.
    pub grpc: Option<bool>,
    /// Binds the port on the node (lint `host-port`).
    pub host_port: Option<Spanned<u32>>,
}

impl Port {
    pub fn serves_metrics(&self) -> bool {
        self.metrics
            .unwrap_or_else(|| self.name.get_ref().ends_with("metrics"))
    }

    pub fn speaks_grpc(&self) -> bool {
        self.grpc.unwrap_or_else(|| {
            let n = self.name.get_ref();
            n == "grpc" || n.starts_with("grpc-")
        })
    }
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
    /// Attempts before the container is restarted (at least 1); period is
    /// the platform's.
    pub failure_threshold: Spanned<i32>,
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
    pub run_as_group: Option<Spanned<i64>>,
    pub fs_group: Option<Spanned<i64>>,
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
