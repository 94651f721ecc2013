//! The strict schemas of the kinds outside k8s-openapi (Kustomize, External
//! Secrets, Sealed Secrets, Kyverno, Argo CD, Flux; Gateway API, cert-manager
//! and Traefik are in `traffic.rs`): local
//! structs that deny unknown fields, holding exactly what platformc writes.
//! A misspelt or misplaced field in a template fails to deserialize here.

// The fields are read by serde only: their presence and types are the check.
#![allow(dead_code)]

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ObjectMeta {
    name: String,
    namespace: Option<String>,
    #[serde(default)]
    labels: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    annotations: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Kustomization {
    api_version: String,
    kind: String,
    namespace: Option<String>,
    resources: Vec<String>,
    #[serde(default)]
    components: Vec<String>,
    #[serde(default)]
    patches: Vec<PatchRef>,
    #[serde(default)]
    images: Vec<ImageRef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PatchRef {
    path: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ImageRef {
    name: String,
    new_tag: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Component {
    api_version: String,
    kind: String,
    patches: Vec<ComponentPatch>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ComponentPatch {
    target: PatchTarget,
    patch: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PatchTarget {
    kind: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct SealedSecret {
    api_version: String,
    kind: String,
    metadata: ObjectMeta,
    spec: SealedSecretSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct SealedSecretSpec {
    encrypted_data: std::collections::BTreeMap<String, String>,
    template: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ClusterPolicy {
    api_version: String,
    kind: String,
    metadata: ObjectMeta,
    spec: ClusterPolicySpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClusterPolicySpec {
    background: bool,
    rules: Vec<KyvernoRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct KyvernoRule {
    name: String,
    #[serde(rename = "match")]
    matches: KyvernoMatch,
    validate: KyvernoValidate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct KyvernoMatch {
    any: Vec<KyvernoResources>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct KyvernoResources {
    resources: KyvernoResourceFilter,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct KyvernoResourceFilter {
    kinds: Vec<String>,
    #[serde(rename = "namespaceSelector")]
    namespace_selector: NamespaceSelector,
    #[serde(default)]
    names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct NamespaceSelector {
    match_labels: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct KyvernoValidate {
    failure_action: String,
    message: String,
    pattern: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct PolicyException {
    api_version: String,
    kind: String,
    metadata: ObjectMeta,
    spec: PolicyExceptionSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PolicyExceptionSpec {
    exceptions: Vec<ExceptedPolicy>,
    #[serde(rename = "match")]
    matches: KyvernoMatch,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ExceptedPolicy {
    policy_name: String,
    rule_names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ExternalSecret {
    api_version: String,
    kind: String,
    metadata: ObjectMeta,
    spec: ExternalSecretSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ExternalSecretSpec {
    refresh_interval: String,
    secret_store_ref: StoreRef,
    target: SecretTarget,
    data: Vec<SecretData>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StoreRef {
    kind: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct SecretTarget {
    name: String,
    creation_policy: String,
    template: Option<SecretTemplate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct SecretTemplate {
    #[serde(rename = "type")]
    kind: String,
    engine_version: String,
    data: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct SecretData {
    secret_key: String,
    remote_ref: RemoteRef,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RemoteRef {
    key: String,
}

/// The Argo CD fields platformc emits, and nothing else.
pub(super) mod argo {
    use serde::Deserialize;

    use super::ObjectMeta;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Meta {
        pub name: String,
        pub namespace: Option<String>,
        #[serde(default)]
        pub labels: std::collections::BTreeMap<String, String>,
        #[serde(default)]
        pub annotations: std::collections::BTreeMap<String, String>,
        #[serde(default)]
        pub finalizers: Vec<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Application {
        api_version: String,
        kind: String,
        metadata: Meta,
        spec: AppSpec,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct AppSpec {
        project: String,
        source: Option<Source>,
        sources: Option<Vec<Source>>,
        destination: Destination,
        sync_policy: SyncPolicy,
        #[serde(default)]
        ignore_differences: Vec<IgnoreDifference>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Source {
        #[serde(rename = "repoURL")]
        repo_url: String,
        target_revision: String,
        path: Option<String>,
        chart: Option<String>,
        helm: Option<HelmParams>,
        #[serde(rename = "ref")]
        reference: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct HelmParams {
        release_name: String,
        #[serde(default)]
        value_files: Vec<String>,
        values_object: Option<serde_json::Map<String, serde_json::Value>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Destination {
        server: String,
        namespace: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct SyncPolicy {
        automated: Automated,
        sync_options: Vec<String>,
        retry: Retry,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Automated {
        prune: bool,
        self_heal: bool,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Retry {
        limit: i64,
        backoff: Backoff,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Backoff {
        duration: String,
        factor: i64,
        max_duration: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct IgnoreDifference {
        group: String,
        kind: String,
        name: Option<String>,
        json_pointers: Vec<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct ApplicationSet {
        api_version: String,
        kind: String,
        metadata: ObjectMeta,
        spec: AppSetSpec,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct AppSetSpec {
        go_template: bool,
        sync_policy: AppSetSyncPolicy,
        go_template_options: Vec<String>,
        generators: Vec<Generator>,
        template: Template,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct AppSetSyncPolicy {
        preserve_resources_on_deletion: bool,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Generator {
        git: GitGenerator,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct GitGenerator {
        #[serde(rename = "repoURL")]
        repo_url: String,
        revision: String,
        directories: Vec<DirectoryPath>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct DirectoryPath {
        path: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Template {
        metadata: Meta,
        spec: AppSpec,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct AppProject {
        api_version: String,
        kind: String,
        metadata: Meta,
        spec: ProjectSpec,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct ProjectSpec {
        description: String,
        source_repos: Vec<String>,
        destinations: Vec<Destination>,
        cluster_resource_whitelist: Vec<GroupKind>,
        namespace_resource_whitelist: Option<Vec<GroupKind>>,
        namespace_resource_blacklist: Option<Vec<GroupKind>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct GroupKind {
        group: String,
        kind: String,
    }
}

/// The Flux fields platformc emits, and nothing else.
pub(super) mod flux {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct HelmRepository {
        api_version: String,
        kind: String,
        metadata: ObjectMeta,
        spec: HelmRepositorySpec,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct HelmRepositorySpec {
        interval: String,
        url: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct OciRepository {
        api_version: String,
        kind: String,
        metadata: ObjectMeta,
        spec: OciRepositorySpec,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct OciRepositorySpec {
        interval: String,
        url: String,
        #[serde(rename = "ref")]
        reference: OciRef,
        layer_selector: LayerSelector,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct OciRef {
        tag: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct LayerSelector {
        media_type: String,
        operation: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct HelmRelease {
        api_version: String,
        kind: String,
        metadata: ObjectMeta,
        spec: HelmReleaseSpec,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct HelmReleaseSpec {
        interval: String,
        timeout: String,
        release_name: String,
        chart: Option<HelmChartTemplate>,
        chart_ref: Option<SourceRef>,
        install: HelmInstall,
        upgrade: HelmUpgrade,
        drift_detection: DriftDetection,
        #[serde(default)]
        depends_on: Vec<NamespacedRef>,
        #[serde(default)]
        values_from: Vec<ValuesFrom>,
        values: Option<serde_json::Map<String, serde_json::Value>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct HelmChartTemplate {
        spec: HelmChartSpec,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct HelmChartSpec {
        chart: String,
        version: String,
        source_ref: SourceRef,
        interval: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct HelmInstall {
        crds: String,
        remediation: Remediation,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct HelmUpgrade {
        crds: String,
        cleanup_on_fail: bool,
        remediation: Remediation,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Remediation {
        retries: i64,
        remediate_last_failure: Option<bool>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct DriftDetection {
        mode: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct NamespacedRef {
        name: String,
        namespace: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct ValuesFrom {
        kind: String,
        name: String,
        values_key: String,
    }

    use serde::Deserialize;

    use super::ObjectMeta;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct GitRepository {
        api_version: String,
        kind: String,
        metadata: ObjectMeta,
        spec: GitRepositorySpec,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct GitRepositorySpec {
        interval: String,
        url: String,
        #[serde(rename = "ref")]
        reference: GitRef,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct GitRef {
        branch: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Kustomization {
        api_version: String,
        kind: String,
        metadata: ObjectMeta,
        spec: KustomizationSpec,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct KustomizationSpec {
        interval: String,
        retry_interval: String,
        timeout: String,
        source_ref: SourceRef,
        path: String,
        prune: bool,
        wait: bool,
        #[serde(default)]
        depends_on: Vec<DependsOn>,
        post_build: Option<PostBuild>,
        decryption: Option<Decryption>,
        force: Option<bool>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct SourceRef {
        kind: String,
        name: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct DependsOn {
        name: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PostBuild {
        substitute: std::collections::BTreeMap<String, String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Decryption {
        provider: String,
        secret_ref: SecretName,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct SecretName {
        name: String,
    }
}

/// The monitoring kinds platformc emits (Prometheus Operator and
/// VictoriaMetrics share their shape), and nothing else.
pub(super) mod monitoring {
    use serde::Deserialize;

    use super::{NamespaceSelector, ObjectMeta};

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Monitor {
        api_version: String,
        kind: String,
        metadata: ObjectMeta,
        spec: MonitorSpec,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct MonitorSpec {
        selector: NamespaceSelector,
        endpoints: Option<Vec<Endpoint>>,
        pod_metrics_endpoints: Option<Vec<Endpoint>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Endpoint {
        port: String,
        path: String,
        interval: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Rules {
        api_version: String,
        kind: String,
        metadata: ObjectMeta,
        spec: RulesSpec,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct RulesSpec {
        groups: Vec<Group>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Group {
        name: String,
        rules: Vec<Rule>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Rule {
        alert: String,
        expr: String,
        #[serde(rename = "for")]
        for_: Option<String>,
        labels: std::collections::BTreeMap<String, String>,
        annotations: std::collections::BTreeMap<String, String>,
    }
}
