//! Environments: where a platform runs (its clusters, the names of its
//! namespaces, its domain), with per-service overrides of everything that
//! differs between environments.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{NamespaceSettings, PdbSetting, Quantities, Route, RoutePolicy};
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub name: Spanned<String>,
    /// Prefixed to every base namespace here (`staging-`).
    pub namespace_prefix: Option<Spanned<String>>,
    /// Appended to every base namespace here (`-staging`): `orbit` runs as
    /// `orbit-staging`. Without prefix and suffix, a namespace keeps its
    /// base name.
    pub namespace_suffix: Option<Spanned<String>>,
    /// Names of base namespaces here that the prefix and suffix do not give
    /// (`vauban = "vauban-prod"`, `starknet-node = "starknet-node"`).
    #[serde(default)]
    pub namespace_names: BTreeMap<String, Spanned<String>>,
    /// Quota and limit range of a namespace here, by base name: each one
    /// stated replaces the platform's (`[namespaces.<base name>]`).
    #[serde(default)]
    pub namespaces: BTreeMap<String, NamespaceSettings>,
    /// Clusters the environment runs on (each service goes to the one whose
    /// categories hold it); the first cluster when omitted.
    #[serde(default)]
    pub clusters: Vec<Spanned<String>>,
    /// Replaces the platform domain in hostnames.
    pub domain: Spanned<String>,
    /// Tag of the platform's own images here, replacing each service's: an
    /// immutable tag (`sha-1a2b3c4`, a version), never a moving one
    /// (`latest`, `staging`): changing what a moving tag points at changes
    /// no manifest, so nothing rolls out. Promotion is bumping this field
    /// (or a service's `image_tag` in `overrides`).
    pub image_tag: Option<Spanned<String>>,
    /// Where this environment's secrets come from (external-secrets): each
    /// field stated replaces `[secrets]`'s. No two environments may read
    /// the same store with the same prefix. With sealed-secrets or sops,
    /// an environment's own file is `secrets/<service>.<env>.sealedsecret.yaml`
    /// (or `.sops.yaml`) instead.
    pub secrets: Option<EnvSecrets>,
    /// The issuer of this environment's certificates, replacing
    /// `[tls] issuer`.
    pub issuer: Option<Spanned<String>>,
    /// Route policies here, by name: each field stated replaces that field
    /// of the platform's policy of the same name (`[edge.policies]`).
    #[serde(default)]
    pub policies: BTreeMap<String, RoutePolicy>,
    /// Services that do not run here.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Per-service changes, by service name.
    #[serde(default)]
    pub overrides: BTreeMap<String, Override>,
}

/// What an environment changes of one service. Every field stated must
/// change what is rendered.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// Replicas of a service that is not autoscaled.
    pub replicas: Option<Spanned<u32>>,
    /// The tag of the service's own image here (immutable): promotes one
    /// service's build to this environment.
    pub image_tag: Option<Spanned<String>>,
    /// Autoscaling here: changes the bounds or targets of the service's
    /// `[autoscaling]`, or autoscales a service that is not autoscaled
    /// elsewhere (then `min`, `max` and a target are required).
    pub autoscaling: Option<AutoscalingOverride>,
    pub cpu: Option<Quantities>,
    pub memory: Option<Quantities>,
    /// Sizes of the service's volumes here, by volume name.
    #[serde(default)]
    pub volumes: BTreeMap<String, Spanned<String>>,
    pub priority_class: Option<Spanned<String>>,
    /// Environment variables here: each replaces the service's value of the
    /// same name, or adds one.
    #[serde(default)]
    pub env: BTreeMap<String, Spanned<String>>,
    /// Route hosts here, by the host the service's routes name
    /// (`auth = "auth-staging"`).
    #[serde(default)]
    pub hosts: BTreeMap<String, Spanned<String>>,
    /// The service's routes here, replacing its `[[routes]]`.
    pub routes: Option<Spanned<Vec<Route>>>,
    /// Probe timings here, replacing the platform's field by field.
    pub probes: Option<ProbeOverrides>,
    /// The disruption budget here (see the service's `pdb`).
    pub pdb: Option<Spanned<PdbSetting>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoscalingOverride {
    pub min: Option<Spanned<u32>>,
    pub max: Option<Spanned<u32>>,
    pub cpu: Option<Spanned<u32>>,
    pub memory: Option<Spanned<u32>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeOverrides {
    pub readiness: Option<TimingOverride>,
    pub liveness: Option<TimingOverride>,
    pub startup: Option<TimingOverride>,
}

/// Probe timings, each replacing the platform default's field.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimingOverride {
    pub initial_delay_seconds: Option<Spanned<i32>>,
    pub period_seconds: Option<Spanned<i32>>,
    pub timeout_seconds: Option<Spanned<i32>>,
    pub failure_threshold: Option<Spanned<i32>>,
}

/// An environment's secret store (external-secrets).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvSecrets {
    /// The store (`doppler-orbit-dev`); the platform's when omitted.
    pub store: Option<Spanned<String>>,
    /// `ClusterSecretStore` or `SecretStore`; the platform's when omitted.
    pub store_kind: Option<Spanned<String>>,
    /// The prefix of every remote key here (`ORBIT_DEV_`); the platform's
    /// when omitted.
    pub prefix: Option<Spanned<String>>,
}
