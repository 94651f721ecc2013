//! Where things are: the layout of a platform's sources and of the tree it
//! compiles to. Every stage names files and directories through this module
//! (load reads sources here, check keeps names from colliding with it, the
//! plan places each resource, verify finds what a patch patches), so the
//! layout is decided in one place.
//!
//! One resource per file, files named by resource type (seed 000 §9.1).

use crate::model::WorkloadKind;

/// The platform's shared facts.
pub const PLATFORM_FILE: &str = "platform.toml";
/// One `<name>.toml` per service.
pub const SERVICES_DIR: &str = "services";
/// One `<name>.toml` per Helm release, and its `<x>.values.yaml` files.
pub const RELEASES_DIR: &str = "releases";
/// How a values file of a release is named, in its sources and in the tree.
pub const VALUES_SUFFIX: &str = ".values.yaml";

/// Sealed or SOPS-encrypted Secrets the user produced, one per service.
pub const SECRETS_DIR: &str = "secrets";

/// File name, under [`SECRETS_DIR`], of a service's secret file for a
/// backend that reads one (sealed-secrets and sops).
pub fn secret_file(backend: &str, service: &str) -> Option<String> {
    match backend {
        "sealed-secrets" => Some(format!("{service}.sealedsecret.yaml")),
        "sops" => Some(format!("{service}.sops.yaml")),
        _ => None,
    }
}

/// File name, under [`SECRETS_DIR`], of an environment's own secret file
/// for a service: `<service>.<env>.sealedsecret.yaml` (names hold no dot).
pub fn env_secret_file(backend: &str, service: &str, env: &str) -> Option<String> {
    secret_file(backend, &format!("{service}.{env}"))
}

/// The rendered tree, relative to the platform root.
pub const OUTPUT_DIR: &str = "output";
/// The platform's own resources (wave 0).
pub const BASE_DIR: &str = "base";
/// Cluster-scoped resources of the base, applied once per cluster.
pub const BASE_CLUSTER_DIR: &str = "base/cluster";
/// One directory per namespace: the namespace and what its workloads rely
/// on.
pub const BASE_NAMESPACES_DIR: &str = "base/namespaces";
/// The alert rules of the platform's services, once per cluster.
pub const BASE_MONITORING_DIR: &str = "base/monitoring";
/// The Kustomize component every service includes (000 §3.5).
pub const DEFAULTS_COMPONENT: &str = "base/common/deployment-defaults";
/// One overlay directory per environment.
pub const OVERLAYS_DIR: &str = "overlays";
/// Argo CD's App-of-Apps tree.
pub const ARGOCD_DIR: &str = "argocd";
/// Flux's per-cluster entry points.
pub const FLUX_DIR: &str = "flux";
/// Top-level directories of the tree that a category may not take.
pub const RESERVED_DIRS: &[&str] = &[BASE_DIR, OVERLAYS_DIR, ARGOCD_DIR, FLUX_DIR];

/// Every directory's resource list.
pub const KUSTOMIZATION: &str = "kustomization.yaml";
/// The rendered tree's own documentation.
pub const README: &str = "README.md";
/// The checksum file, in `sha256sum` format (`sha256sum -c SHA256SUMS`):
/// every generated file and its digest, written last (the commit point).
pub const CHECKSUMS: &str = "SHA256SUMS";
/// Present only while a render writes (and after one was interrupted): the
/// files and digests of the previous render and of the one under way, so
/// the next render knows what to repair and to remove.
pub const PENDING: &str = ".platformc-pending";

/// `<category>/<service>`: a service's directory.
pub fn service_dir(category: &str, service: &str) -> String {
    format!("{category}/{service}")
}

/// `overlays/<env>`: an environment's overlay.
pub fn overlay_dir(env: &str) -> String {
    format!("{OVERLAYS_DIR}/{env}")
}

/// `argocd/envs/<env>`: an environment's Applications.
pub fn argocd_env_dir(env: &str) -> String {
    format!("{ARGOCD_DIR}/envs/{env}")
}

/// `argocd/root`: what the root Application syncs.
pub fn argocd_root_dir() -> String {
    format!("{ARGOCD_DIR}/root")
}

/// `flux/clusters/<cluster>`: where `flux bootstrap` points.
pub fn flux_cluster_dir(cluster: &str) -> String {
    format!("{FLUX_DIR}/clusters/{cluster}")
}

/// What `flux bootstrap` writes into a cluster's directory, and owns.
pub const FLUX_BOOTSTRAP_DIR: &str = "flux-system";

/// Whether `path` (relative to the tree's root) lies in what `flux
/// bootstrap` wrote into a cluster's directory: not platformc's to write,
/// remove or report.
pub fn is_bootstrap_owned(path: &str) -> bool {
    path.strip_prefix(FLUX_DIR)
        .and_then(|p| p.strip_prefix("/clusters/"))
        .and_then(|p| p.split_once('/'))
        .is_some_and(|(_, rest)| {
            rest == FLUX_BOOTSTRAP_DIR || rest.starts_with(&format!("{FLUX_BOOTSTRAP_DIR}/"))
        })
}

/// An Argo CD Application platformc renders, by what it deploys. Every one
/// lives in Argo CD's namespace, so their names share one space, and each is
/// a file of `argocd/`: [`ArgoApp::name`] and [`ArgoApp::path`] are the one
/// place both are made, which check reads to refuse sources that would make
/// two alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgoApp<'a> {
    /// The App-of-Apps applied by hand.
    Root,
    /// A cluster's cluster-scoped base.
    ClusterBase { cluster: &'a str },
    /// A cluster's alert rules.
    Monitoring { cluster: &'a str },
    /// A Helm release on a cluster.
    Release { release: &'a str, cluster: &'a str },
    /// An environment, generated by the ApplicationSet from its directory.
    Environment { env: &'a str },
    /// An environment's namespaces on one of its clusters (`cluster` only
    /// when the environment has several).
    EnvBase {
        env: &'a str,
        cluster: Option<&'a str>,
    },
    /// A service in an environment.
    Service { env: &'a str, service: &'a str },
}

impl ArgoApp<'_> {
    /// The Application's name, prefixed with the platform's.
    pub fn name(&self, platform: &str) -> String {
        match self {
            ArgoApp::Root => format!("{platform}-root"),
            ArgoApp::ClusterBase { cluster } => format!("{platform}-platform-{cluster}"),
            ArgoApp::Monitoring { cluster } => format!("{platform}-monitoring-{cluster}"),
            ArgoApp::Release { release, cluster } => format!("{platform}-{release}-{cluster}"),
            ArgoApp::Environment { env } => format!("{platform}-{env}"),
            ArgoApp::EnvBase { env, cluster: None } => format!("{platform}-{env}-base"),
            ArgoApp::EnvBase {
                env,
                cluster: Some(c),
            } => format!("{platform}-{env}-base-{c}"),
            ArgoApp::Service { env, service } => format!("{platform}-{env}-{service}"),
        }
    }

    /// The file of the Application in the tree; None for an environment's,
    /// which the ApplicationSet generates from `argocd/envs/<env>`.
    pub fn path(&self) -> Option<String> {
        Some(match self {
            ArgoApp::Root => format!("{ARGOCD_DIR}/root.yaml"),
            ArgoApp::ClusterBase { cluster } => {
                format!("{}/application-platform-{cluster}.yaml", argocd_root_dir())
            }
            ArgoApp::Monitoring { cluster } => {
                format!(
                    "{}/application-monitoring-{cluster}.yaml",
                    argocd_root_dir()
                )
            }
            ArgoApp::Release { release, cluster } => {
                format!("{}/application-{release}-{cluster}.yaml", argocd_root_dir())
            }
            ArgoApp::Environment { .. } => return None,
            ArgoApp::EnvBase { env, cluster: None } => {
                format!("{}/application-base.yaml", argocd_env_dir(env))
            }
            ArgoApp::EnvBase {
                env,
                cluster: Some(c),
            } => format!("{}/application-base-{c}.yaml", argocd_env_dir(env)),
            ArgoApp::Service { env, service } => {
                format!("{}/application-{service}.yaml", argocd_env_dir(env))
            }
        })
    }
}

/// A Flux Kustomization platformc renders into a cluster's directory, by
/// what it applies. All live in Flux's namespace: [`FluxUnit::name`] and
/// [`FluxUnit::path`] make their names and files, and check reads them to
/// refuse sources that would make two alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FluxUnit<'a> {
    /// The cluster's cluster-scoped base.
    Platform,
    /// A Helm release.
    Release(&'a str),
    /// The alert rules.
    Monitoring,
    /// An environment's namespaces.
    EnvBase(&'a str),
    /// A service in an environment.
    Service { env: &'a str, service: &'a str },
}

impl FluxUnit<'_> {
    /// What the unit is called within the platform (its file's name).
    pub fn id(&self) -> String {
        match self {
            FluxUnit::Platform => "platform".into(),
            FluxUnit::Release(r) => (*r).into(),
            FluxUnit::Monitoring => "monitoring".into(),
            FluxUnit::EnvBase(env) => format!("{env}-base"),
            FluxUnit::Service { env, service } => format!("{env}-{service}"),
        }
    }

    /// The Kustomization's name, prefixed with the platform's, so two
    /// platforms share a cluster's Flux without taking each other's.
    pub fn name(&self, platform: &str) -> String {
        flux_name(platform, &self.id())
    }

    /// Its file in the cluster's directory.
    pub fn path(&self, cluster: &str) -> String {
        flux_file(cluster, &self.id())
    }
}

/// The name of the Flux Kustomization of unit `id` ([`FluxUnit::id`]).
pub fn flux_name(platform: &str, id: &str) -> String {
    format!("{platform}-{id}")
}

/// The file of the Flux Kustomization of unit `id` in a cluster's directory.
pub fn flux_file(cluster: &str, id: &str) -> String {
    format!("{}/kustomization-{id}.yaml", flux_cluster_dir(cluster))
}

/// `base/namespaces/<namespace>`: a namespace's base, by its base name.
pub fn namespace_dir(namespace: &str) -> String {
    format!("{BASE_NAMESPACES_DIR}/{namespace}")
}

/// `overlays/<env>/<dir>`: the overlay of the base directory `dir` (a
/// service's or a namespace's), at the same path under the environment.
pub fn overlay_of(env: &str, dir: &str) -> String {
    format!("{}/{dir}", overlay_dir(env))
}

/// The path from `dir` up to the tree's root (`../../`).
pub fn up_to_root(dir: &str) -> String {
    "../".repeat(dir.matches('/').count() + 1)
}

/// A file a service may have several of: `<stem>.yaml` for the first,
/// `<stem>-<label>.yaml` for the others.
pub fn numbered(stem: &str, index: usize, label: &str) -> String {
    if index == 0 {
        format!("{stem}.yaml")
    } else {
        format!("{stem}-{label}.yaml")
    }
}

/// The workload's file in its service directory.
pub fn workload_file(kind: WorkloadKind) -> &'static str {
    match kind {
        WorkloadKind::Deployment => "deployment.yaml",
        WorkloadKind::StatefulSet => "statefulset.yaml",
        WorkloadKind::DaemonSet => "daemonset.yaml",
        WorkloadKind::Job => "job.yaml",
        WorkloadKind::CronJob => "cronjob.yaml",
    }
}

/// Fixed file names of a namespace directory.
pub const NAMESPACE_FILE: &str = "namespace.yaml";
pub const SERVICEACCOUNT_FILE: &str = "serviceaccount.yaml";
pub const DEFAULT_DENY_FILE: &str = "networkpolicy-default-deny.yaml";
pub const RESOURCEQUOTA_FILE: &str = "resourcequota.yaml";
pub const LIMITRANGE_FILE: &str = "limitrange.yaml";
pub const CERTIFICATE_FILE: &str = "certificate.yaml";
pub const GATEWAY_FILE: &str = "gateway.yaml";
pub const REDIRECT_ROUTE_FILE: &str = "httproute-https-redirect.yaml";

/// The ExternalSecret of the registry pull secret `name`.
pub fn pull_secret_file(name: &str) -> String {
    format!("externalsecret-{name}.yaml")
}

/// An Issuer or ClusterIssuer: `issuer-<name>.yaml`, `clusterissuer-<name>.yaml`.
pub fn issuer_file(kind: &str, name: &str) -> String {
    format!("{}-{name}.yaml", kind.to_lowercase())
}

/// The PolicyException of a service, in its namespace's directory: the
/// namespace's base is applied before the service, so the exception exists
/// before the workload it excuses reaches Kyverno's admission webhook.
pub fn policy_exception_file(service: &str) -> String {
    format!("policyexception-{service}.yaml")
}

/// A Traefik Middleware of a service: `middleware-<name>.yaml`.
pub fn middleware_file(name: &str) -> String {
    format!("middleware-{name}.yaml")
}

/// Fixed file names of a service directory.
pub const SERVICE_FILE: &str = "service.yaml";
pub const CONFIGMAP_FILE: &str = "configmap.yaml";
pub const EXTERNALSECRET_FILE: &str = "externalsecret.yaml";
pub const SEALEDSECRET_FILE: &str = "sealedsecret.yaml";
pub const SOPS_SECRET_FILE: &str = "secret.sops.yaml";
pub const HPA_FILE: &str = "hpa.yaml";
pub const PDB_FILE: &str = "pdb.yaml";
pub const NETWORKPOLICY_FILE: &str = "networkpolicy.yaml";

/// A mounted set of config files: `configmap-<set>.yaml`.
pub fn config_files_file(set: &str) -> String {
    format!("configmap-{set}.yaml")
}

/// Prefix of an overlay's patch of a base file.
const PATCH_PREFIX: &str = "patch-";

/// The overlay's patch of the base file `file`.
pub fn patch_file(file: &str) -> String {
    format!("{PATCH_PREFIX}{file}")
}

/// The base file an overlay patch patches: `overlays/<env>/<dir>/patch-<file>`
/// → `<dir>/<file>`; None for any other path.
pub fn patched_file(path: &str) -> Option<String> {
    let rest = path.strip_prefix(OVERLAYS_DIR)?.strip_prefix('/')?;
    let (_env, rest) = rest.split_once('/')?;
    let (dir, file) = rest.rsplit_once('/').unwrap_or(("", rest));
    let base = file.strip_prefix(PATCH_PREFIX)?;
    Some(if dir.is_empty() {
        base.to_string()
    } else {
        format!("{dir}/{base}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_names_the_base_file_it_patches() {
        assert_eq!(
            patched_file("overlays/dev/services/api/patch-deployment.yaml").as_deref(),
            Some("services/api/deployment.yaml")
        );
        assert_eq!(patched_file("services/api/patch-deployment.yaml"), None);
        assert_eq!(
            patched_file("overlays/dev/services/api/deployment.yaml"),
            None
        );
    }

    #[test]
    fn bootstrap_owns_flux_system_of_each_cluster() {
        assert!(is_bootstrap_owned(
            "flux/clusters/a/flux-system/gotk-sync.yaml"
        ));
        assert!(is_bootstrap_owned("flux/clusters/a/flux-system"));
        assert!(!is_bootstrap_owned("flux/clusters/a/kustomization-x.yaml"));
        assert!(!is_bootstrap_owned("flux/clusters/flux-system.yaml"));
        assert!(!is_bootstrap_owned("overlays/a/flux-system/x.yaml"));
    }

    #[test]
    fn repeated_files_are_numbered_by_label() {
        assert_eq!(numbered("pvc", 0, "data"), "pvc.yaml");
        assert_eq!(numbered("pvc", 1, "cache"), "pvc-cache.yaml");
        assert_eq!(up_to_root("overlays/dev/apps/api"), "../../../../");
        assert_eq!(
            patched_file(&format!(
                "{}/patch-namespace.yaml",
                overlay_of("dev", &namespace_dir("a"))
            ))
            .as_deref(),
            Some("base/namespaces/a/namespace.yaml")
        );
    }
}
