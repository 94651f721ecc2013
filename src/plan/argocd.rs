//! Argo CD: a root Application (App-of-Apps), the AppProject, one
//! Application per cluster for its cluster-scoped base, and an
//! ApplicationSet that turns every `argocd/envs/<env>` directory into an
//! environment Application, itself an App-of-Apps of that environment's
//! base and services.
//!
//! Ordering: Argo CD does not order the Applications an ApplicationSet
//! generates by sync wave (argo-cd #18268, #5585), and its progressive syncs
//! (RollingSync) turn automated sync off. So the waves live where Argo CD
//! honours them: on Application resources synced by a parent Application.
//! Each environment Application holds its services' Applications annotated
//! with their wave, and the Application health check in argocd-cm makes the
//! parent wait until a wave's Applications are Healthy before the next.

use serde::Serialize;

use super::{
    BASE_DIR, ConfigMap, Meta, OVERLAYS_DIR, Placement, PlannedFile, Planner, Resource,
    WAVE_ANNOTATION,
};
use crate::model::{Environment, GitOps};

pub const ARGOCD_DIR: &str = "argocd";

/// Lua health check that reports an Application's own health, so a parent
/// Application waits for a wave of child Applications (seed 000 §4.5).
pub const APPLICATION_HEALTH_LUA: &str = "hs = {}
hs.status = \"Progressing\"
hs.message = \"\"
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
";

/// Sync options of every Application (000 §4.3: never ApplyOutOfSyncOnly).
pub const SYNC_OPTIONS: &[&str] = &[
    "ServerSideApply=true",
    "RespectIgnoreDifferences=true",
    "CreateNamespace=true",
];

/// How every Application syncs: automatically, pruning and self-healing,
/// retrying with backoff (003 §10).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SyncPolicy {
    pub prune: bool,
    pub self_heal: bool,
    pub options: &'static [&'static str],
    pub retry_limit: u32,
    pub backoff_duration: &'static str,
    pub backoff_factor: u32,
    pub backoff_max_duration: &'static str,
}

pub const SYNC_POLICY: SyncPolicy = SyncPolicy {
    prune: true,
    self_heal: true,
    options: SYNC_OPTIONS,
    retry_limit: 5,
    backoff_duration: "5s",
    backoff_factor: 2,
    backoff_max_duration: "3m",
};

#[derive(Debug, Clone, Serialize)]
pub struct Application {
    pub meta: Meta,
    pub project: String,
    pub repo: String,
    pub revision: String,
    pub path: String,
    pub server: String,
    pub namespace: String,
    pub sync: SyncPolicy,
    pub ignore_differences: Vec<IgnoreDifference>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IgnoreDifference {
    pub group: &'static str,
    pub kind: String,
    pub name: Option<String>,
    pub json_pointers: &'static [&'static str],
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplicationSet {
    pub meta: Meta,
    pub repo: String,
    pub revision: String,
    /// Git directory generator glob.
    pub directories: String,
    /// Go templates of the generated Application's name and path.
    pub app_name: String,
    pub app_path: String,
    pub project: String,
    pub argocd_namespace: String,
    pub sync: SyncPolicy,
}

#[derive(Debug, Clone, Serialize)]
pub struct AppProject {
    pub meta: Meta,
    pub description: String,
    pub repo: String,
    pub destinations: Vec<(String, String)>,
    /// (group, kind) of every cluster-scoped kind the platform uses.
    pub cluster_resources: Vec<(String, String)>,
}

fn ignore(
    group: &'static str,
    kind: &str,
    name: Option<&str>,
    pointers: &'static [&'static str],
) -> IgnoreDifference {
    IgnoreDifference {
        group,
        kind: kind.into(),
        name: name.map(str::to_string),
        json_pointers: pointers,
    }
}

/// Fields controllers own, which Argo CD must not report as drift (000 §4.4).
fn ignore_differences(autoscaled: Option<(&str, &str)>) -> Vec<IgnoreDifference> {
    let mut v = vec![
        ignore(
            "",
            "PersistentVolumeClaim",
            None,
            &["/spec/volumeName", "/spec/resources/requests/storage"],
        ),
        ignore("external-secrets.io", "ExternalSecret", None, &["/status"]),
        ignore("gateway.networking.k8s.io", "HTTPRoute", None, &["/status"]),
        ignore(
            "apps",
            "Deployment",
            None,
            &["/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt"],
        ),
    ];
    if let Some((kind, name)) = autoscaled {
        // The HPA owns the replica count.
        v.push(ignore("apps", kind, Some(name), &["/spec/replicas"]));
    }
    v
}

impl<'a> Planner<'a> {
    fn argocd_meta(&self, name: String, namespace: &str, wave: Option<i32>) -> Meta {
        let mut m = self.base_meta(&name, Some(namespace));
        m.annotations.clear();
        if let Some(w) = wave {
            m.annotations.insert(WAVE_ANNOTATION.into(), w.to_string());
        }
        m.annotations.insert(
            "argocd.argoproj.io/compare-options".into(),
            "ServerSideDiff=true".into(),
        );
        m
    }

    fn application(
        &self,
        g: &GitOps,
        name: String,
        wave: Option<i32>,
        (path, server, namespace): (String, &str, &str),
        ignore: Vec<IgnoreDifference>,
    ) -> Application {
        Application {
            meta: self.argocd_meta(name, &g.argocd_namespace, wave),
            project: self.part_of().to_string(),
            repo: self.platform.platform.repository.clone(),
            revision: g.revision.clone(),
            path,
            server: server.to_string(),
            namespace: namespace.to_string(),
            sync: SYNC_POLICY,
            ignore_differences: ignore,
        }
    }

    /// Plans `argocd/`, given each environment's placements.
    pub(super) fn plan_argocd(
        &mut self,
        g: &GitOps,
        envs: &[(&'a Environment, Vec<Placement<'a>>)],
    ) {
        let part_of = self.part_of().to_string();
        let src = "platform.toml [gitops]".to_string();
        let root_dir = format!("{ARGOCD_DIR}/root");
        let mut root_resources = Vec::new();

        // The project: this repository, the environments' namespaces on their
        // clusters, and only the cluster-scoped kinds the platform uses.
        let mut destinations = Vec::new();
        for c in &self.platform.clusters {
            destinations.push((c.server.clone(), g.argocd_namespace.clone()));
        }
        for (env, _) in envs {
            for c in self.platform.env_clusters(env) {
                destinations.push((c.server.clone(), env.namespace.get_ref().clone()));
            }
        }
        destinations.sort();
        destinations.dedup();
        let mut cluster_resources: Vec<(String, String)> = self
            .files
            .iter()
            .filter_map(|f| match &f.resource {
                Resource::Namespace(_) => Some(("", "Namespace")),
                Resource::PriorityClass(_) => Some(("scheduling.k8s.io", "PriorityClass")),
                Resource::StorageClass(_) => Some(("storage.k8s.io", "StorageClass")),
                Resource::ClusterPolicy(_) => Some(("kyverno.io", "ClusterPolicy")),
                _ => None,
            })
            .map(|(g, k)| (g.to_string(), k.to_string()))
            .collect();
        cluster_resources.sort();
        cluster_resources.dedup();
        root_resources.push("appproject.yaml".to_string());
        let mut header = self.header(
            format!("APPPROJECT: {part_of}"),
            format!("What {part_of}'s Applications may deploy, from where, to where"),
            "Argo CD".into(),
            "-1 (before everything)".into(),
            src.clone(),
        );
        header
            .notes
            .push("NOTE: cluster-scoped kinds are limited to those the platform renders".into());
        self.files.push(PlannedFile {
            path: format!("{root_dir}/appproject.yaml"),
            header,
            resource: Resource::AppProject(AppProject {
                meta: self.argocd_meta(part_of.clone(), &g.argocd_namespace, Some(-1)),
                description: self
                    .platform
                    .platform
                    .description
                    .clone()
                    .unwrap_or_else(|| format!("The {part_of} platform")),
                repo: self.platform.platform.repository.clone(),
                destinations,
                cluster_resources,
            }),
        });

        // Wave 0 of the root: each cluster's cluster-scoped base.
        for c in &self.platform.clusters {
            let name = format!("{part_of}-platform-{}", c.name.get_ref());
            let file = format!("application-platform-{}.yaml", c.name.get_ref());
            root_resources.push(file.clone());
            let app = self.application(
                g,
                name.clone(),
                Some(0),
                (
                    format!("{}/{BASE_DIR}/cluster", g.path),
                    &c.server,
                    &g.argocd_namespace,
                ),
                vec![],
            );
            self.files.push(PlannedFile {
                path: format!("{root_dir}/{file}"),
                header: self.header(
                    format!("APPLICATION: {name}"),
                    format!(
                        "Cluster-scoped base of cluster {}: priority classes, storage, policies",
                        c.name.get_ref()
                    ),
                    "the AppProject (wave -1)".into(),
                    "0".into(),
                    src.clone(),
                ),
                resource: Resource::Application(app),
            });
        }

        // Wave 1 of the root: one Application per environment directory.
        root_resources.push("applicationset.yaml".to_string());
        self.files.push(PlannedFile {
            path: format!("{root_dir}/applicationset.yaml"),
            header: {
                let mut h = self.header(
                    format!("APPLICATIONSET: {part_of}-environments"),
                    format!("One Application per directory of {}/{ARGOCD_DIR}/envs: adding an environment or a service needs no edit here", g.path),
                    "the cluster bases (wave 0) being Healthy".into(),
                    "1".into(),
                    src.clone(),
                );
                h.notes.push("NOTE: environments are independent of each other; the waves inside each are ordered by its Application (see README.md)".into());
                h
            },
            resource: Resource::ApplicationSet(ApplicationSet {
                meta: self.argocd_meta(format!("{part_of}-environments"), &g.argocd_namespace, Some(1)),
                repo: self.platform.platform.repository.clone(),
                revision: g.revision.clone(),
                directories: format!("{}/{ARGOCD_DIR}/envs/*", g.path),
                app_name: format!("{part_of}-{{{{.path.basename}}}}"),
                app_path: "{{.path.path}}".into(),
                project: part_of.clone(),
                argocd_namespace: g.argocd_namespace.clone(),
                sync: SYNC_POLICY,
            }),
        });
        self.files.push(PlannedFile {
            path: format!("{root_dir}/kustomization.yaml"),
            header: self.header(
                "KUSTOMIZATION: argocd root".into(),
                "What the root Application syncs".into(),
                "nothing".into(),
                "-1 to 1".into(),
                src.clone(),
            ),
            resource: Resource::Kustomization(super::Kustomization {
                resources: root_resources,
                ..Default::default()
            }),
        });

        // Each environment: an App-of-Apps of its base and its services.
        for (env, placements) in envs {
            let env_name = env.name.get_ref();
            let ns = env.namespace.get_ref();
            let dir = format!("{ARGOCD_DIR}/envs/{env_name}");
            let mut resources = Vec::new();
            for c in self.platform.env_clusters(env) {
                let file = if self.platform.env_clusters(env).len() == 1 {
                    "application-base.yaml".to_string()
                } else {
                    format!("application-base-{}.yaml", c.name.get_ref())
                };
                let name = format!("{part_of}-{env_name}-base");
                resources.push(file.clone());
                let app = self.application(
                    g,
                    name.clone(),
                    Some(0),
                    (
                        format!("{}/{OVERLAYS_DIR}/{env_name}/base", g.path),
                        &c.server,
                        ns,
                    ),
                    vec![],
                );
                self.files.push(PlannedFile {
                    path: format!("{dir}/{file}"),
                    header: self.header(
                        format!("APPLICATION: {name}"),
                        format!("Namespace {ns} of {env_name}: service account, default-deny policy, pull secret"),
                        "nothing in the environment".into(),
                        "0 (base)".into(),
                        src.clone(),
                    ),
                    resource: Resource::Application(app),
                });
            }
            for pl in placements {
                let svc = pl.service;
                let Some(cluster) = self.platform.cluster_for(env, svc.file.category.get_ref())
                else {
                    continue;
                };
                let name = format!("{part_of}-{env_name}-{}", svc.name);
                let file = format!("application-{}.yaml", svc.name);
                resources.push(file.clone());
                let kind = format!("{:?}", svc.file.kind());
                let autoscaled = svc
                    .file
                    .autoscaling
                    .as_ref()
                    .map(|_| (kind.as_str(), svc.name.as_str()));
                let app = self.application(
                    g,
                    name.clone(),
                    Some(pl.wave as i32),
                    (format!("{}/{}", g.path, pl.dir), &cluster.server, ns),
                    ignore_differences(autoscaled),
                );
                let deps = if svc.file.depends_on.is_empty() {
                    format!("the {env_name} base (wave 0)")
                } else {
                    format!(
                        "the {env_name} base and {} (earlier or same waves, Healthy first)",
                        svc.file
                            .depends_on
                            .iter()
                            .map(|d| d.service.get_ref().as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                self.files.push(PlannedFile {
                    path: format!("{dir}/{file}"),
                    header: self.header(
                        format!("APPLICATION: {name}"),
                        format!("{} in {env_name}", svc.file.description),
                        deps,
                        format!("{} ({})", pl.wave, svc.file.category.get_ref()),
                        svc.source.path.clone(),
                    ),
                    resource: Resource::Application(app),
                });
            }
            self.files.push(PlannedFile {
                path: format!("{dir}/kustomization.yaml"),
                header: self.header(
                    format!("KUSTOMIZATION: argocd {env_name}"),
                    format!("The Applications of environment {env_name}, synced wave by wave"),
                    "nothing".into(),
                    "0 to 4".into(),
                    src.clone(),
                ),
                resource: Resource::Kustomization(super::Kustomization {
                    resources,
                    ..Default::default()
                }),
            });
        }

        // The root Application, applied once by hand.
        let root = self.application(
            g,
            format!("{part_of}-root"),
            None,
            (
                format!("{}/{root_dir}", g.path),
                "https://kubernetes.default.svc",
                &g.argocd_namespace,
            ),
            vec![],
        );
        let mut root_app = root;
        root_app.project = "default".into();
        self.files.push(PlannedFile {
            path: format!("{ARGOCD_DIR}/root.yaml"),
            header: {
                let mut h = self.header(
                    format!("APPLICATION: {part_of}-root"),
                    format!("App-of-Apps entry point: apply once with kubectl apply -f {}/{ARGOCD_DIR}/root.yaml", g.path),
                    "Argo CD, configured with argocd-cm.yaml and argocd-cmd-params-cm.yaml".into(),
                    "none (it is the root)".into(),
                    src.clone(),
                );
                h.notes.push("NOTE: in the default project because it creates the platform's AppProject".into());
                h
            },
            resource: Resource::Application(root_app),
        });

        // Settings the cluster admin applies to Argo CD itself.
        let mut cm_meta = self.base_meta("argocd-cm", Some(&g.argocd_namespace));
        cm_meta.annotations.clear();
        cm_meta.labels.clear();
        cm_meta
            .labels
            .insert("app.kubernetes.io/name".into(), "argocd-cm".into());
        cm_meta
            .labels
            .insert("app.kubernetes.io/part-of".into(), "argocd".into());
        let mut cm = std::collections::BTreeMap::new();
        cm.insert(
            "resource.customizations.health.argoproj.io_Application".to_string(),
            APPLICATION_HEALTH_LUA.to_string(),
        );
        let mut h = self.header(
            "CONFIGMAP: argocd-cm".into(),
            "Argo CD settings the ordering relies on: the Application health check (000 §4.5)"
                .into(),
            "Argo CD".into(),
            "none: the cluster admin applies it (kubectl apply -f)".into(),
            src.clone(),
        );
        h.notes.push("CRITICAL: without this health check a parent Application does not wait for a wave of Applications to be Healthy".into());
        self.files.push(PlannedFile {
            path: format!("{ARGOCD_DIR}/argocd-cm.yaml"),
            header: h,
            resource: Resource::ConfigMap(ConfigMap {
                meta: cm_meta,
                data: cm,
            }),
        });
        let mut params_meta = self.base_meta("argocd-cmd-params-cm", Some(&g.argocd_namespace));
        params_meta.annotations.clear();
        params_meta.labels.clear();
        params_meta.labels.insert(
            "app.kubernetes.io/name".into(),
            "argocd-cmd-params-cm".into(),
        );
        params_meta
            .labels
            .insert("app.kubernetes.io/part-of".into(), "argocd".into());
        let mut params = std::collections::BTreeMap::new();
        params.insert(
            "controller.diff.server.side".to_string(),
            "true".to_string(),
        );
        let mut h = self.header(
            "CONFIGMAP: argocd-cmd-params-cm".into(),
            "Server-side diff for every Application (000 §4.3), next to Server-Side Apply".into(),
            "Argo CD; restart the application controller after applying".into(),
            "none: the cluster admin applies it (kubectl apply -f)".into(),
            src,
        );
        h.notes.push("NOTE: seed 000 writes this as argocd-cm resource.server-side-diff; Argo CD reads controller.diff.server.side here, and each Application also asks for it (compare-options annotation)".into());
        self.files.push(PlannedFile {
            path: format!("{ARGOCD_DIR}/argocd-cmd-params-cm.yaml"),
            header: h,
            resource: Resource::ConfigMap(ConfigMap {
                meta: params_meta,
                data: params,
            }),
        });
    }
}
