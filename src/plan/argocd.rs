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

use std::collections::BTreeMap;

use super::Planner;
use super::environments::Placement;
use super::meta::WAVE_ANNOTATION;
use crate::ir::{
    AppProject, Application, ApplicationSet, ConfigMap, Header, IgnoreDifference, Kustomization,
    Meta, NamespacedKinds, PlannedFile, Resource, SyncPolicy,
};
use crate::layout::{
    ARGOCD_DIR, ArgoApp, BASE_CLUSTER_DIR, BASE_MONITORING_DIR, KUSTOMIZATION, argocd_env_dir,
    argocd_root_dir, overlay_dir,
};
use crate::model::{Cluster, Environment, GitOps};

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

/// The cluster Argo CD runs in, where the Applications live.
const IN_CLUSTER: &str = "https://kubernetes.default.svc";

/// One AppProject: its name, what it is for, where and what it may deploy.
struct AppProjectSpec {
    name: String,
    purpose: String,
    destinations: Vec<(String, String)>,
    cluster_resources: Vec<(String, String)>,
    namespaced: NamespacedKinds,
}

/// Sync options of every Application (000 §4.3: never ApplyOutOfSyncOnly).
pub const SYNC_OPTIONS: &[&str] = &[
    "ServerSideApply=true",
    "RespectIgnoreDifferences=true",
    "CreateNamespace=true",
];

/// How every Application syncs: automatically, pruning and self-healing,
/// retrying with backoff (003 §10) and without limit: waves order creation
/// only, so a child that is not Healthy yet fails its parent's sync, and
/// after a limited number of retries Argo CD's automated sync never tries
/// that commit again (argo-cd docs, "Automated Sync Policy": a failed sync
/// is not retried for the same revision). The backoff caps each wait at
/// 3 minutes; a child that stays Degraded shows on the parent as a failed
/// sync with the child's name.
pub const SYNC_POLICY: SyncPolicy = SyncPolicy {
    prune: true,
    self_heal: true,
    options: SYNC_OPTIONS,
    retry_limit: -1,
    backoff_duration: "5s",
    backoff_factor: 2,
    backoff_max_duration: "3m",
};

const SOURCE: &str = "platform.toml [gitops]";

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
        ignore("", "PersistentVolumeClaim", None, &["/spec/volumeName"]),
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
            helm: None,
            server: server.to_string(),
            namespace: namespace.to_string(),
            sync: SYNC_POLICY,
            ignore_differences: ignore,
        }
    }

    fn argocd_header(&self, title: String, purpose: String, needs: &str, wave: &str) -> Header {
        self.header(title, purpose, needs.into(), wave.into(), SOURCE.into())
    }

    /// Plans `argocd/`, given each environment's placements.
    pub(super) fn plan_argocd(
        &mut self,
        g: &GitOps,
        envs: &[(&'a Environment, Vec<Placement<'a>>)],
    ) {
        let mut root_resources = self.plan_app_projects(g, envs);
        root_resources.extend(self.plan_cluster_base_apps(g));
        let (release_apps, mut last) = self.plan_release_apps(g);
        root_resources.extend(release_apps);
        if self.platform.monitoring.is_some() {
            last += 1;
            root_resources.extend(self.plan_monitoring_apps(g, last));
        }
        root_resources.push(self.plan_environments_appset(g, last + 1));
        let header = self.argocd_header(
            "KUSTOMIZATION: argocd root".into(),
            "What the root Application syncs".into(),
            "nothing",
            "-1 to 1",
        );
        self.push_kustomization(
            format!("{}/{KUSTOMIZATION}", argocd_root_dir()),
            header,
            root_resources,
        );
        for (env, placements) in envs {
            if !self.env_clusters_of(env).is_empty() {
                self.plan_env_apps(g, env, placements);
            }
        }
        self.plan_root_app(g);
        self.plan_argocd_settings(g);
    }

    /// The projects, none of which may deploy a namespaced object into
    /// Argo CD's namespace but Applications (Argo CD's docs call that
    /// admin-equivalent): `<platform>` for the environments' namespaces and
    /// the alert rules, `<platform>-platform` for the cluster bases
    /// (cluster-scoped kinds only), `<platform>-apps` for the environments'
    /// App-of-Apps (Applications only, in Argo CD's namespace).
    fn plan_app_projects(
        &mut self,
        g: &GitOps,
        envs: &[(&'a Environment, Vec<Placement<'a>>)],
    ) -> Vec<String> {
        let part_of = self.part_of().to_string();
        let servers = || {
            self.clusters_of("argocd")
                .into_iter()
                .map(|c| c.server.get_ref().clone())
        };
        let mut workloads = Vec::new();
        for (env, _) in envs {
            for c in self.env_clusters_of(env) {
                for ns in self.namespaces(Some(env)) {
                    workloads.push((
                        c.server.get_ref().clone(),
                        self.namespace_in(Some(env), &ns),
                    ));
                }
            }
        }
        if let Some(m) = &self.platform.monitoring {
            workloads.extend(servers().map(|s| (s, m.rules_namespace.get_ref().clone())));
        }
        let argocd: Vec<(String, String)> =
            servers().map(|s| (s, g.argocd_namespace.clone())).collect();
        let mut cluster_kinds = self.cluster_kinds();
        cluster_kinds.retain(|(_, k)| k != "Namespace");
        let in_cluster = vec![(IN_CLUSTER.to_string(), g.argocd_namespace.clone())];
        vec![
            self.app_project(
                g,
                AppProjectSpec {
                    name: part_of.clone(),
                    purpose: format!("What {part_of}'s services may deploy, to the environments' namespaces"),
                    destinations: workloads,
                    cluster_resources: vec![(String::new(), "Namespace".into())],
                    namespaced: NamespacedKinds::All,
                },
            ),
            self.app_project(
                g,
                AppProjectSpec {
                    name: format!("{part_of}-platform"),
                    purpose: format!("The cluster-scoped kinds {part_of}'s cluster bases hold, and nothing namespaced"),
                    destinations: argocd,
                    cluster_resources: cluster_kinds,
                    namespaced: NamespacedKinds::None,
                },
            ),
            self.app_project(
                g,
                AppProjectSpec {
                    name: format!("{part_of}-apps"),
                    purpose: format!("The environments' App-of-Apps of {part_of}: Applications in Argo CD's namespace, nothing else"),
                    destinations: in_cluster,
                    cluster_resources: vec![],
                    namespaced: NamespacedKinds::Only(vec![("argoproj.io".into(), "Application".into())]),
                },
            ),
        ]
    }

    /// The cluster-scoped kinds the tree holds.
    fn cluster_kinds(&self) -> Vec<(String, String)> {
        let mut kinds: Vec<(String, String)> = self
            .files
            .iter()
            .filter_map(|f| match &f.resource {
                Resource::Namespace(_) => Some(("", "Namespace")),
                Resource::PriorityClass(_) => Some(("scheduling.k8s.io", "PriorityClass")),
                Resource::StorageClass(_) => Some(("storage.k8s.io", "StorageClass")),
                Resource::ClusterPolicy(_) => Some(("kyverno.io", "ClusterPolicy")),
                Resource::Issuer(i) if i.kind == "ClusterIssuer" => {
                    Some(("cert-manager.io", "ClusterIssuer"))
                }
                _ => None,
            })
            .map(|(g, k)| (g.to_string(), k.to_string()))
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }

    /// One AppProject of `argocd/root`; returns its file name.
    fn app_project(&mut self, g: &GitOps, spec: AppProjectSpec) -> String {
        let AppProjectSpec {
            name,
            purpose,
            mut destinations,
            cluster_resources,
            namespaced,
        } = spec;
        destinations.sort();
        destinations.dedup();
        let header = self.argocd_header(
            format!("APPPROJECT: {name}"),
            purpose,
            "Argo CD",
            "-1 (before everything)",
        );
        let file = format!("appproject-{name}.yaml");
        let description = self
            .platform
            .platform
            .description
            .clone()
            .unwrap_or_else(|| format!("The {} platform", self.part_of()));
        self.files.push(PlannedFile {
            path: format!("{}/{file}", argocd_root_dir()),
            header,
            resource: Resource::AppProject(AppProject {
                meta: self.argocd_meta(name, &g.argocd_namespace, Some(-1)),
                description,
                source_repos: vec![self.platform.platform.repository.clone()],
                destinations,
                cluster_resources,
                namespaced,
            }),
        });
        file
    }

    /// Wave 0 of the root: each cluster's cluster-scoped base.
    fn plan_cluster_base_apps(&mut self, g: &GitOps) -> Vec<String> {
        let part_of = self.part_of().to_string();
        let mut files = Vec::new();
        for c in self.clusters_of("argocd") {
            let cname = c.name.get_ref();
            let id = ArgoApp::ClusterBase { cluster: cname };
            let name = id.name(&part_of);
            let path = id.path().unwrap_or_default();
            let file = file_name(&path);
            let mut app = self.application(
                g,
                name.clone(),
                Some(0),
                (
                    format!("{}/{BASE_CLUSTER_DIR}", g.path),
                    c.server.get_ref(),
                    &g.argocd_namespace,
                ),
                vec![],
            );
            app.project = format!("{part_of}-platform");
            let header = self.argocd_header(
                format!("APPLICATION: {name}"),
                format!(
                    "Cluster-scoped base of cluster {cname}: priority classes, storage, policies"
                ),
                "the AppProject (wave -1)",
                "0",
            );
            self.files.push(PlannedFile {
                path,
                header,
                resource: Resource::Application(app),
            });
            files.push(file);
        }
        files
    }

    /// Each cluster's alert rules (`base/monitoring`), once the releases,
    /// which may install the monitoring CRDs, are Healthy.
    fn plan_monitoring_apps(&mut self, g: &GitOps, wave: i32) -> Vec<String> {
        let part_of = self.part_of().to_string();
        let Some(m) = self.platform.monitoring.as_ref() else {
            return vec![];
        };
        let ns = m.rules_namespace.get_ref().clone();
        let mut files = Vec::new();
        for c in self.clusters_of("argocd") {
            let cname = c.name.get_ref();
            let id = ArgoApp::Monitoring { cluster: cname };
            let name = id.name(&part_of);
            let path = id.path().unwrap_or_default();
            let file = file_name(&path);
            let app = self.application(
                g,
                name.clone(),
                Some(wave),
                (
                    format!("{}/{BASE_MONITORING_DIR}", g.path),
                    c.server.get_ref(),
                    &ns,
                ),
                vec![],
            );
            let header = self.argocd_header(
                format!("APPLICATION: {name}"),
                format!("Alert rules of the platform's services on cluster {cname}"),
                "the releases (earlier waves), which install the monitoring CRDs",
                &wave.to_string(),
            );
            self.files.push(PlannedFile {
                path,
                header,
                resource: Resource::Application(app),
            });
            files.push(file);
        }
        files
    }

    /// The last wave of the root (after the cluster base and the releases):
    /// one Application per environment directory.
    fn plan_environments_appset(&mut self, g: &GitOps, wave: i32) -> String {
        let part_of = self.part_of().to_string();
        let mut header = self.argocd_header(
            format!("APPLICATIONSET: {part_of}-environments"),
            format!("One Application per directory of {}/{ARGOCD_DIR}/envs: adding an environment or a service needs no edit here", g.path),
            "the cluster bases (wave 0) and the releases being Healthy",
            &wave.to_string(),
        );
        header.notes.push("NOTE: environments are independent of each other; the waves inside each are ordered by its Application (see README.md)".into());
        let file = "applicationset.yaml".to_string();
        self.files.push(PlannedFile {
            path: format!("{}/{file}", argocd_root_dir()),
            header,
            resource: Resource::ApplicationSet(ApplicationSet {
                meta: self.argocd_meta(
                    format!("{part_of}-environments"),
                    &g.argocd_namespace,
                    Some(wave),
                ),
                repo: self.platform.platform.repository.clone(),
                revision: g.revision.clone(),
                directories: format!("{}/{ARGOCD_DIR}/envs/*", g.path),
                app_name: ArgoApp::Environment {
                    env: "{{.path.basename}}",
                }
                .name(&part_of),
                app_path: "{{.path.path}}".into(),
                project: format!("{part_of}-apps"),
                argocd_namespace: g.argocd_namespace.clone(),
                sync: SYNC_POLICY,
                preserve_resources: true,
            }),
        });
        file
    }

    /// Each environment: an App-of-Apps of its base and its services.
    fn plan_env_apps(&mut self, g: &GitOps, env: &Environment, placements: &[Placement<'_>]) {
        let env_name = env.name.get_ref();
        let dir = argocd_env_dir(env_name);
        let mut resources = self.plan_env_base_apps(g, env);
        for pl in placements {
            resources.extend(self.plan_service_app(g, env, pl));
        }
        let header = self.argocd_header(
            format!("KUSTOMIZATION: argocd {env_name}"),
            format!("The Applications of environment {env_name}, synced wave by wave"),
            "nothing",
            "0 to 4",
        );
        self.files.push(PlannedFile {
            path: format!("{dir}/{KUSTOMIZATION}"),
            header,
            resource: Resource::Kustomization(Kustomization {
                resources,
                ..Default::default()
            }),
        });
    }

    /// Wave 0 of an environment: its namespace base on each of its clusters.
    fn plan_env_base_apps(&mut self, g: &GitOps, env: &Environment) -> Vec<String> {
        let part_of = self.part_of().to_string();
        let env_name = env.name.get_ref();
        let ns = self.namespace_in(Some(env), self.platform.platform.namespace.get_ref());
        let namespaces: Vec<String> = self
            .namespaces(Some(env))
            .iter()
            .map(|n| self.namespace_in(Some(env), n))
            .collect();
        let clusters = self.platform.env_clusters(env);
        let mut files = Vec::new();
        for c in self.env_clusters_of(env) {
            let id = ArgoApp::EnvBase {
                env: env_name,
                cluster: (clusters.len() > 1).then(|| c.name.get_ref().as_str()),
            };
            let name = id.name(&part_of);
            let path = id.path().unwrap_or_default();
            let file = file_name(&path);
            let app = self.application(
                g,
                name.clone(),
                Some(0),
                (
                    format!("{}/{}/base", g.path, overlay_dir(env_name)),
                    c.server.get_ref(),
                    &ns,
                ),
                vec![],
            );
            let header = self.argocd_header(
                format!("APPLICATION: {name}"),
                format!(
                    "The namespaces of {env_name} ({}) and what their workloads rely on",
                    namespaces.join(", ")
                ),
                "nothing in the environment",
                "0 (base)",
            );
            self.files.push(PlannedFile {
                path,
                header,
                resource: Resource::Application(app),
            });
            files.push(file);
        }
        files
    }

    /// A service's Application in its environment, annotated with its wave.
    fn plan_service_app(
        &mut self,
        g: &GitOps,
        env: &Environment,
        pl: &Placement<'_>,
    ) -> Option<String> {
        let part_of = self.part_of().to_string();
        let env_name = env.name.get_ref();
        let svc = pl.service;
        let cluster = self
            .platform
            .cluster_for(env, svc.file.category.get_ref())
            .filter(|c| self.argo_manages(c))?;
        let id = ArgoApp::Service {
            env: env_name,
            service: &svc.name,
        };
        let name = id.name(&part_of);
        let path = id.path().unwrap_or_default();
        let file = file_name(&path);
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
            (
                format!("{}/{}", g.path, pl.dir),
                cluster.server.get_ref(),
                &pl.namespace,
            ),
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
        let header = self.header(
            format!("APPLICATION: {name}"),
            format!("{} in {env_name}", svc.file.description),
            deps,
            format!("{} ({})", pl.wave, svc.file.category.get_ref()),
            svc.source.path.clone(),
        );
        self.files.push(PlannedFile {
            path,
            header,
            resource: Resource::Application(app),
        });
        Some(file)
    }

    /// The root Application, applied once by hand.
    fn plan_root_app(&mut self, g: &GitOps) {
        let part_of = self.part_of().to_string();
        let mut root = self.application(
            g,
            ArgoApp::Root.name(&part_of),
            None,
            (
                format!("{}/{}", g.path, argocd_root_dir()),
                "https://kubernetes.default.svc",
                &g.argocd_namespace,
            ),
            vec![],
        );
        root.project = "default".into();
        let mut header = self.argocd_header(
            format!("APPLICATION: {part_of}-root"),
            format!(
                "App-of-Apps entry point: apply once with kubectl apply -f {}/{ARGOCD_DIR}/root.yaml",
                g.path
            ),
            "Argo CD, configured with argocd-cm.yaml and argocd-cmd-params-cm.yaml",
            "none (it is the root)",
        );
        header.notes.push(
            "NOTE: in the default project because it creates the platform's AppProject".into(),
        );
        self.files.push(PlannedFile {
            path: ArgoApp::Root.path().unwrap_or_default(),
            header,
            resource: Resource::Application(root),
        });
    }

    /// The clusters of `env` Argo CD manages.
    fn env_clusters_of(&self, env: &Environment) -> Vec<&'a Cluster> {
        self.platform
            .env_clusters(env)
            .into_iter()
            .filter(|c| self.argo_manages(c))
            .collect()
    }

    /// Whether Argo CD manages `cluster`.
    fn argo_manages(&self, cluster: &Cluster) -> bool {
        self.platform
            .gitops
            .as_ref()
            .is_some_and(|g| g.manages("argocd", cluster))
    }

    /// Metadata of one of Argo CD's own ConfigMaps.
    fn argocd_config_meta(&self, name: &str, g: &GitOps) -> Meta {
        let mut meta = self.base_meta(name, Some(&g.argocd_namespace));
        meta.annotations.clear();
        meta.labels.clear();
        meta.labels
            .insert("app.kubernetes.io/name".into(), name.into());
        meta.labels
            .insert("app.kubernetes.io/part-of".into(), "argocd".into());
        meta
    }

    /// Settings the cluster admin applies to Argo CD itself: the Application
    /// health check and server-side diff.
    fn plan_argocd_settings(&mut self, g: &GitOps) {
        let mut cm = BTreeMap::new();
        cm.insert(
            "resource.customizations.health.argoproj.io_Application".to_string(),
            APPLICATION_HEALTH_LUA.to_string(),
        );
        let mut h = self.argocd_header(
            "CONFIGMAP: argocd-cm".into(),
            "Argo CD settings the ordering relies on: the Application health check (000 §4.5)"
                .into(),
            "Argo CD",
            "none: the cluster admin applies it (kubectl apply -f)",
        );
        h.notes.push("CRITICAL: without this health check a parent Application does not wait for a wave of Applications to be Healthy".into());
        self.files.push(PlannedFile {
            path: format!("{ARGOCD_DIR}/argocd-cm.yaml"),
            header: h,
            resource: Resource::ConfigMap(ConfigMap {
                meta: self.argocd_config_meta("argocd-cm", g),
                data: cm,
            }),
        });
        let mut params = BTreeMap::new();
        params.insert(
            "controller.diff.server.side".to_string(),
            "true".to_string(),
        );
        let mut h = self.argocd_header(
            "CONFIGMAP: argocd-cmd-params-cm".into(),
            "Server-side diff for every Application (000 §4.3), next to Server-Side Apply".into(),
            "Argo CD; restart the application controller after applying",
            "none: the cluster admin applies it (kubectl apply -f)",
        );
        h.notes.push("NOTE: seed 000 writes this as argocd-cm resource.server-side-diff; Argo CD reads controller.diff.server.side here, and each Application also asks for it (compare-options annotation)".into());
        self.files.push(PlannedFile {
            path: format!("{ARGOCD_DIR}/argocd-cmd-params-cm.yaml"),
            header: h,
            resource: Resource::ConfigMap(ConfigMap {
                meta: self.argocd_config_meta("argocd-cmd-params-cm", g),
                data: params,
            }),
        });
    }
}

/// The file name of a path.
fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}
