//! The intermediate representation: what the plan decided, resource by
//! resource, and the one context every template receives (`header`, the
//! file's generated comment block, and `r`, its resource). Every default is
//! already filled in and every derived fact computed; a template only
//! formats these values. One module per concern, like the model.

use indexmap::IndexMap;
use serde::Serialize;

mod availability;
mod base;
mod config;
mod docs;
mod edge;
mod environments;
mod gitops;
mod jobs;
mod network;
mod observability;
mod policy;
mod releases;
mod routes;
mod secrets;
mod storage;
mod tenancy;
mod tls;
mod workload;

pub use availability::*;
pub use base::*;
pub use config::*;
pub use docs::*;
pub use edge::*;
pub use environments::*;
pub use gitops::*;
pub use jobs::*;
pub use network::*;
pub use observability::*;
pub use policy::*;
pub use releases::*;
pub use routes::*;
pub use secrets::*;
pub use storage::*;
pub use tenancy::*;
pub use tls::*;
pub use workload::*;

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
    Gateway(Gateway),
    GrpcRoute(GrpcRoute),
    Ingress(Ingress),
    Middleware(Middleware),
    Issuer(Issuer),
    Certificate(Certificate),
    ResourceQuota(ResourceQuota),
    LimitRange(LimitRange),
    /// An overlay's patch that replaces a base object's `spec` (and its
    /// labels and annotations) with the environment's. Rendered as the
    /// object it holds, never serialized itself.
    #[serde(skip_serializing)]
    Replace(Box<Resource>),
    HelmRepository(HelmRepository),
    OciRepository(OciRepository),
    HelmRelease(Box<HelmRelease>),
    Monitor(Monitor),
    RuleSet(RuleSet),
    /// A file the user produced, emitted byte for byte (a SOPS-encrypted
    /// Secret: its MAC covers the text, so it cannot be reformatted).
    Verbatim(Verbatim),
}

impl Resource {
    /// The metadata of any object the tree applies (an overlay's whole
    /// replacement included); None for kustomizations, patches, the README
    /// and verbatim files.
    pub fn meta_mut(&mut self) -> Option<&mut Meta> {
        Some(match self {
            Resource::Namespace(r) => &mut r.meta,
            Resource::ServiceAccount(r) => &mut r.meta,
            Resource::PriorityClass(r) => &mut r.meta,
            Resource::StorageClass(r) => &mut r.meta,
            Resource::Workload(r) => &mut r.meta,
            Resource::Service(r) => &mut r.meta,
            Resource::ConfigMap(r) => &mut r.meta,
            Resource::Pvc(r) => &mut r.meta,
            Resource::Pdb(r) => &mut r.meta,
            Resource::HttpRoute(r) => &mut r.meta,
            Resource::ExternalSecret(r) => &mut r.meta,
            Resource::NetworkPolicy(r) => &mut r.meta,
            Resource::ClusterPolicy(r) => &mut r.meta,
            Resource::PolicyException(r) => &mut r.meta,
            Resource::SealedSecret(r) => &mut r.meta,
            Resource::Hpa(r) => &mut r.meta,
            Resource::Application(r) => &mut r.meta,
            Resource::ApplicationSet(r) => &mut r.meta,
            Resource::AppProject(r) => &mut r.meta,
            Resource::GitRepository(r) => &mut r.meta,
            Resource::FluxKustomization(r) => &mut r.meta,
            Resource::Gateway(r) => &mut r.meta,
            Resource::GrpcRoute(r) => &mut r.meta,
            Resource::Ingress(r) => &mut r.meta,
            Resource::Middleware(r) => &mut r.meta,
            Resource::Issuer(r) => &mut r.meta,
            Resource::Certificate(r) => &mut r.meta,
            Resource::ResourceQuota(r) => &mut r.meta,
            Resource::LimitRange(r) => &mut r.meta,
            Resource::HelmRepository(r) => &mut r.meta,
            Resource::OciRepository(r) => &mut r.meta,
            Resource::HelmRelease(r) => &mut r.meta,
            Resource::Monitor(r) => &mut r.meta,
            Resource::RuleSet(r) => &mut r.meta,
            Resource::Replace(r) => return r.meta_mut(),
            Resource::Component(_)
            | Resource::Kustomization(_)
            | Resource::WorkloadPatch(_)
            | Resource::Readme(_)
            | Resource::Patch(_)
            | Resource::Verbatim(_) => return None,
        })
    }

    /// The API version, kind and metadata of a Kubernetes object; None for
    /// files that are not one (kustomizations, patches, the README).
    pub fn object(&self) -> Option<(&str, &str, &Meta)> {
        Some(match self {
            Resource::Namespace(r) => ("v1", "Namespace", &r.meta),
            Resource::ServiceAccount(r) => ("v1", "ServiceAccount", &r.meta),
            Resource::Service(r) => ("v1", "Service", &r.meta),
            Resource::ConfigMap(r) => ("v1", "ConfigMap", &r.meta),
            Resource::Pvc(r) => ("v1", "PersistentVolumeClaim", &r.meta),
            Resource::ResourceQuota(r) => ("v1", "ResourceQuota", &r.meta),
            Resource::LimitRange(r) => ("v1", "LimitRange", &r.meta),
            Resource::Pdb(r) => ("policy/v1", "PodDisruptionBudget", &r.meta),
            Resource::Hpa(r) => ("autoscaling/v2", "HorizontalPodAutoscaler", &r.meta),
            Resource::NetworkPolicy(r) => ("networking.k8s.io/v1", "NetworkPolicy", &r.meta),
            Resource::Ingress(r) => ("networking.k8s.io/v1", "Ingress", &r.meta),
            Resource::HttpRoute(r) => ("gateway.networking.k8s.io/v1", "HTTPRoute", &r.meta),
            Resource::GrpcRoute(r) => ("gateway.networking.k8s.io/v1", "GRPCRoute", &r.meta),
            Resource::Gateway(r) => ("gateway.networking.k8s.io/v1", "Gateway", &r.meta),
            Resource::Middleware(r) => ("traefik.io/v1alpha1", "Middleware", &r.meta),
            Resource::Certificate(r) => ("cert-manager.io/v1", "Certificate", &r.meta),
            Resource::Issuer(r) => ("cert-manager.io/v1", r.kind.as_str(), &r.meta),
            Resource::ExternalSecret(r) => ("external-secrets.io/v1", "ExternalSecret", &r.meta),
            Resource::SealedSecret(r) => ("bitnami.com/v1alpha1", "SealedSecret", &r.meta),
            Resource::PolicyException(r) => ("kyverno.io/v2", "PolicyException", &r.meta),
            Resource::Workload(w) => (w.kind.api_version(), w.kind.name(), &w.meta),
            Resource::Monitor(r) => (r.api_version.as_str(), r.kind.as_str(), &r.meta),
            Resource::RuleSet(r) => (r.api_version.as_str(), r.kind.as_str(), &r.meta),
            Resource::Verbatim(Verbatim {
                secret: Some(meta), ..
            }) => ("v1", "Secret", meta),
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub name: String,
    pub namespace: Option<String>,
    pub labels: IndexMap<String, String>,
    pub annotations: IndexMap<String, String>,
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
pub struct Verbatim {
    pub text: String,
    /// The name and namespace of the Secret it holds (a SOPS file), so an
    /// overlay can delete the base's before adding an environment's own.
    pub secret: Option<Meta>,
}
