//! Releases: third-party charts, installed once on every cluster that runs
//! their category, before any environment, in dependency order. Flux gets a
//! directory per release (its namespace, HelmRepository or OCIRepository,
//! values ConfigMap and HelmRelease with install and upgrade remediation and
//! drift detection); Argo CD an Application per cluster with a Helm source,
//! and a second source for the values files, in the root App-of-Apps after
//! the cluster base and before the environments, in a project of its own
//! (charts install cluster-scoped kinds platformc cannot know).

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::Planner;
use super::argocd::SYNC_POLICY;
use super::meta::WAVE_ANNOTATION;
use crate::ir::{
    AppProject, Application, ConfigMap, Header, HelmPolicy, HelmRelease, HelmRepository,
    HelmSource, Meta, Namespace, NamespacedKinds, OciRepository, PlannedFile, Resource, ValuesRef,
    Verbatim,
};
use crate::layout::{ArgoApp, KUSTOMIZATION, RELEASES_DIR, argocd_root_dir, service_dir};
use crate::load::LoadedRelease;
use crate::model::{Cluster, GitOps};

/// How every HelmRelease installs and upgrades.
pub const HELM_POLICY: HelmPolicy = HelmPolicy {
    crds: "CreateReplace",
    retries: 3,
    cleanup_on_fail: true,
    remediate_last_failure: true,
    drift_detection: "enabled",
};

/// Seconds Helm waits for a release to be ready, unless it says otherwise.
pub const TIMEOUT_SECONDS: u32 = 600;

/// How often Flux reconciles a release, and looks for its chart.
const INTERVAL: &str = "30m";
const CHART_INTERVAL: &str = "12h";

/// A TOML value as JSON (dates as their text).
pub fn json_of(v: &toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => s.clone().into(),
        toml::Value::Integer(i) => (*i).into(),
        toml::Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
        }
        toml::Value::Boolean(b) => (*b).into(),
        toml::Value::Datetime(d) => d.to_string().into(),
        toml::Value::Array(a) => a.iter().map(json_of).collect(),
        toml::Value::Table(t) => t.iter().map(|(k, v)| (k.clone(), json_of(v))).collect(),
    }
}

/// Releases in install order: those they depend on first, then by name.
pub fn install_order(releases: &[LoadedRelease]) -> Vec<(&LoadedRelease, u32)> {
    let by_name: BTreeMap<&str, &LoadedRelease> =
        releases.iter().map(|r| (r.name.as_str(), r)).collect();
    fn depth(by_name: &BTreeMap<&str, &LoadedRelease>, name: &str, guard: usize) -> u32 {
        let Some(r) = by_name.get(name).filter(|_| guard > 0) else {
            return 0;
        };
        r.file
            .depends_on
            .iter()
            .map(|d| 1 + depth(by_name, d.get_ref(), guard - 1))
            .max()
            .unwrap_or(0)
    }
    let mut order: Vec<(&LoadedRelease, u32)> = releases
        .iter()
        .map(|r| (r, depth(&by_name, &r.name, releases.len())))
        .collect();
    order.sort_by(|a, b| (a.1, &a.0.name).cmp(&(b.1, &b.0.name)));
    order
}

impl<'a> Planner<'a> {
    /// The namespace a release runs in, in the base and in every
    /// environment: releases are installed once per cluster.
    pub(super) fn release_namespace(&self, r: &LoadedRelease) -> String {
        r.file.namespace.get_ref().clone()
    }

    /// The releases installed on `cluster`, in install order.
    pub(super) fn releases_on(&self, cluster: &Cluster) -> Vec<&'a LoadedRelease> {
        self.releases
            .iter()
            .filter(|(r, _)| cluster.runs(r.file.category.get_ref()))
            .map(|(r, _)| *r)
            .collect()
    }

    pub(super) fn release_dir(&self, r: &LoadedRelease) -> String {
        service_dir(r.file.category.get_ref(), &r.name)
    }

    fn release_header(&self, r: &LoadedRelease, title: String, purpose: String) -> Header {
        let needs = if r.file.depends_on.is_empty() {
            "the cluster base".to_string()
        } else {
            format!(
                "the cluster base and {}",
                r.file
                    .depends_on
                    .iter()
                    .map(|d| d.get_ref().as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let mut h = self.header(
            title,
            purpose,
            needs,
            "before the environments, after what it depends on".into(),
            r.source.path.clone(),
        );
        h.notes.push(format!(
            "NOTE: chart {} {} from {}",
            r.file.chart.get_ref(),
            r.file.version.get_ref(),
            r.file.repository.get_ref()
        ));
        h
    }

    fn release_meta(&self, r: &LoadedRelease, name: &str, namespace: Option<&str>) -> Meta {
        let mut m = self.base_meta(name, namespace);
        m.annotations.clear();
        m.labels.insert(
            "app.kubernetes.io/component".into(),
            self.platform
                .categories
                .iter()
                .find(|c| c.name.get_ref() == r.file.category.get_ref())
                .map_or_else(String::new, |c| c.component.get_ref().clone()),
        );
        m
    }

    /// Every release's directory; returns those the root kustomization
    /// builds (with Flux: its objects; Argo CD reads the chart itself).
    pub(super) fn plan_releases(&mut self) -> Vec<String> {
        let mut dirs = Vec::new();
        for (r, _) in self.releases.clone() {
            let dir = self.release_dir(r);
            if self.engine("argocd") {
                for v in &r.file.values_files {
                    let text = self
                        .values_files
                        .get(v.get_ref())
                        .map_or_else(String::new, |s| s.text.clone());
                    self.files.push(PlannedFile {
                        path: format!("{dir}/{}", v.get_ref()),
                        header: self.release_header(r, "VALUES".into(), String::new()),
                        resource: Resource::Verbatim(Verbatim { text, secret: None }),
                    });
                }
            }
            if self.engine("flux") {
                let files = self.flux_release_files(r, &dir);
                let resources = files
                    .iter()
                    .filter_map(|f| f.path.rsplit('/').next().map(str::to_string))
                    .collect();
                let header = self.release_header(
                    r,
                    format!("KUSTOMIZATION: {}", r.name),
                    format!("What Flux applies to install {}", r.name),
                );
                self.files.extend(files);
                self.push_kustomization(format!("{dir}/{KUSTOMIZATION}"), header, resources);
                dirs.push(dir);
            }
        }
        dirs
    }

    /// The namespace, the chart's source, the values ConfigMap and the
    /// HelmRelease.
    fn flux_release_files(&self, r: &'a LoadedRelease, dir: &str) -> Vec<PlannedFile> {
        let f = &r.file;
        let ns = self.release_namespace(r);
        let file = |name: &str, kind: &str, purpose: String, resource| PlannedFile {
            path: format!("{dir}/{name}"),
            header: self.release_header(r, format!("{kind}: {}", r.name), purpose),
            resource,
        };
        let mut ns_meta = self.release_meta(r, &ns, None);
        ns_meta.labels.shift_remove("app.kubernetes.io/part-of");
        ns_meta.labels.shift_remove("app");
        let mut out = vec![file(
            "namespace.yaml",
            "NAMESPACE",
            format!(
                "Namespace of {}; not the platform's, so its policies do not apply",
                r.name
            ),
            Resource::Namespace(Namespace { meta: ns_meta }),
        )];
        let repo = f.repository.get_ref();
        let (source_kind, source) = match repo.strip_prefix("oci://") {
            Some(_) => (
                "OCIRepository",
                file(
                    "ocirepository.yaml",
                    "OCIREPOSITORY",
                    format!(
                        "Chart {} {} of {}",
                        f.chart.get_ref(),
                        f.version.get_ref(),
                        r.name
                    ),
                    Resource::OciRepository(OciRepository {
                        meta: self.release_meta(r, &r.name, Some(&ns)),
                        url: format!("{repo}/{}", f.chart.get_ref()),
                        tag: f.version.get_ref().clone(),
                        interval: CHART_INTERVAL.into(),
                    }),
                ),
            ),
            None => (
                "HelmRepository",
                file(
                    "helmrepository.yaml",
                    "HELMREPOSITORY",
                    format!("Chart repository of {}", r.name),
                    Resource::HelmRepository(HelmRepository {
                        meta: self.release_meta(r, &r.name, Some(&ns)),
                        url: repo.clone(),
                        interval: CHART_INTERVAL.into(),
                    }),
                ),
            ),
        };
        out.push(source);
        let mut values_from = Vec::new();
        if !f.values_files.is_empty() {
            let data: BTreeMap<String, String> = f
                .values_files
                .iter()
                .map(|v| {
                    let text = self
                        .values_files
                        .get(v.get_ref())
                        .map_or_else(String::new, |s| s.text.clone());
                    (v.get_ref().clone(), text)
                })
                .collect();
            let name = format!("{}-values-{}", r.name, content_hash(&data));
            values_from = f
                .values_files
                .iter()
                .map(|v| ValuesRef {
                    config_map: name.clone(),
                    key: v.get_ref().clone(),
                })
                .collect();
            out.push(file(
                "configmap-values.yaml",
                "CONFIGMAP",
                format!(
                    "The values files of {} (its name changes with them, so Flux upgrades at once)",
                    r.name
                ),
                Resource::ConfigMap(ConfigMap {
                    meta: self.release_meta(r, &name, Some(&ns)),
                    data,
                }),
            ));
        }
        let timeout = f
            .timeout_seconds
            .as_ref()
            .map_or(TIMEOUT_SECONDS, |t| *t.get_ref());
        out.push(file(
            "helmrelease.yaml",
            "HELMRELEASE",
            r.file.description.clone(),
            Resource::HelmRelease(Box::new(HelmRelease {
                meta: self.release_meta(r, &r.name, Some(&ns)),
                release_name: r.name.clone(),
                chart: f.chart.get_ref().clone(),
                version: f.version.get_ref().clone(),
                source_kind: source_kind.into(),
                source_name: r.name.clone(),
                interval: INTERVAL.into(),
                chart_interval: CHART_INTERVAL.into(),
                timeout: format!("{timeout}s"),
                depends_on: self.release_dependencies(r),
                values_from,
                values: (!f.values.is_empty())
                    .then(|| json_of(&toml::Value::Table(f.values.clone()))),
                policy: HELM_POLICY,
            })),
        ));
        out
    }

    /// The releases `r` depends on: (name, namespace).
    fn release_dependencies(&self, r: &LoadedRelease) -> Vec<(String, String)> {
        r.file
            .depends_on
            .iter()
            .filter_map(|d| self.releases.iter().find(|(x, _)| &x.name == d.get_ref()))
            .map(|(x, _)| (x.name.clone(), self.release_namespace(x)))
            .collect()
    }

    /// Argo CD: each release's Application on each cluster running it, in
    /// the root after the cluster base (wave 0), by install depth; and the
    /// releases' project. Returns the files and the last wave used.
    pub(super) fn plan_release_apps(&mut self, g: &GitOps) -> (Vec<String>, i32) {
        if self.releases.is_empty() {
            return (vec![], 0);
        }
        let mut files = vec![self.plan_releases_project(g)];
        let mut last = 0;
        for c in self.clusters_of("argocd") {
            for r in self.releases_on(c) {
                let depth = self
                    .releases
                    .iter()
                    .find(|(x, _)| x.name == r.name)
                    .map_or(0, |(_, d)| *d);
                let wave = 1 + depth as i32;
                last = last.max(wave);
                files.push(self.plan_release_app(g, r, c, wave));
            }
        }
        (files, last)
    }

    fn plan_release_app(
        &mut self,
        g: &GitOps,
        r: &'a LoadedRelease,
        c: &Cluster,
        wave: i32,
    ) -> String {
        let f = &r.file;
        let cname = c.name.get_ref();
        let id = ArgoApp::Release {
            release: &r.name,
            cluster: cname,
        };
        let name = id.name(self.part_of());
        let mut meta = self.base_meta(&name, Some(&g.argocd_namespace));
        meta.annotations.clear();
        meta.annotations
            .insert(WAVE_ANNOTATION.into(), wave.to_string());
        let dir = self.release_dir(r);
        let repo = f.repository.get_ref();
        let app = Application {
            meta,
            project: format!("{}-releases", self.part_of()),
            repo: String::new(),
            revision: String::new(),
            path: String::new(),
            helm: Some(HelmSource {
                repo: repo.strip_prefix("oci://").unwrap_or(repo).to_string(),
                chart: f.chart.get_ref().clone(),
                version: f.version.get_ref().clone(),
                release_name: r.name.clone(),
                value_files: f
                    .values_files
                    .iter()
                    .map(|v| format!("$values/{}/{dir}/{}", g.path, v.get_ref()))
                    .collect(),
                values: (!f.values.is_empty())
                    .then(|| json_of(&toml::Value::Table(f.values.clone()))),
                values_repo: self.platform.platform.repository.clone(),
                values_revision: g.revision.clone(),
            }),
            server: c.server.get_ref().clone(),
            namespace: self.release_namespace(r),
            sync: SYNC_POLICY,
            ignore_differences: vec![],
        };
        let path = id.path().unwrap_or_default();
        let header = self.release_header(
            r,
            format!("APPLICATION: {name}"),
            format!("{} on cluster {cname}", f.description),
        );
        self.files.push(PlannedFile {
            path: path.clone(),
            header,
            resource: Resource::Application(app),
        });
        path.rsplit('/').next().unwrap_or_default().to_string()
    }

    /// The project of the releases: their chart repositories, their
    /// namespaces, and any cluster-scoped kind (a chart installs CRDs,
    /// cluster roles, webhooks…).
    fn plan_releases_project(&mut self, g: &GitOps) -> String {
        let name = format!("{}-releases", self.part_of());
        let mut source_repos = vec![self.platform.platform.repository.clone()];
        let mut destinations = Vec::new();
        for (r, _) in &self.releases {
            let repo = r.file.repository.get_ref();
            source_repos.push(repo.strip_prefix("oci://").unwrap_or(repo).to_string());
            for c in self
                .clusters_of("argocd")
                .into_iter()
                .filter(|c| c.runs(r.file.category.get_ref()))
            {
                destinations.push((c.server.get_ref().clone(), self.release_namespace(r)));
            }
        }
        source_repos.sort();
        source_repos.dedup();
        destinations.sort();
        destinations.dedup();
        let mut meta = self.base_meta(&name, Some(&g.argocd_namespace));
        meta.annotations.clear();
        meta.annotations.insert(WAVE_ANNOTATION.into(), "-1".into());
        let mut header = self.header(
            format!("APPPROJECT: {name}"),
            format!(
                "What the Helm releases of {} may install, from which chart repositories",
                self.part_of()
            ),
            "Argo CD".into(),
            "-1 (before everything)".into(),
            format!("{RELEASES_DIR}/*.toml"),
        );
        header.notes.push("NOTE: every cluster-scoped kind is allowed: a chart installs CRDs, cluster roles and webhooks that platformc does not see".into());
        let file = format!("appproject-{name}.yaml");
        self.files.push(PlannedFile {
            path: format!("{}/{file}", argocd_root_dir()),
            header,
            resource: Resource::AppProject(AppProject {
                meta,
                description: format!("Third-party Helm releases of {}", self.part_of()),
                source_repos,
                destinations,
                cluster_resources: vec![("*".into(), "*".into())],
                namespaced: NamespacedKinds::All,
            }),
        });
        file
    }
}

/// First 8 bytes of the SHA-256 of a ConfigMap's data, in hex.
fn content_hash(data: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    for (k, v) in data {
        h.update(k.as_bytes());
        h.update([0]);
        h.update(v.as_bytes());
        h.update([0]);
    }
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_values_become_json() {
        let t: toml::Table =
            toml::from_str("a = 1\nb = [true, \"x\"]\n[c]\nd = 1979-05-27\n").unwrap();
        let j = json_of(&toml::Value::Table(t));
        assert_eq!(
            j,
            serde_json::json!({"a": 1, "b": [true, "x"], "c": {"d": "1979-05-27"}})
        );
    }

    #[test]
    fn releases_install_after_what_they_depend_on() {
        let r = |name: &str, deps: &str| {
            LoadedRelease {
            source: crate::diag::SourceFile::new(format!("releases/{name}.toml"), String::new()),
            name: name.into(),
            file: toml::from_str(&format!(
                "description = \"x\"\ncategory = \"c\"\nnamespace = \"n\"\nchart = \"c\"\nrepository = \"https://x\"\nversion = \"1.0.0\"\ndepends_on = [{deps}]"
            ))
            .unwrap(),
        }
        };
        let releases = vec![r("a", "\"c\""), r("b", ""), r("c", "\"b\"")];
        let order: Vec<(&str, u32)> = install_order(&releases)
            .iter()
            .map(|(r, d)| (r.name.as_str(), *d))
            .collect();
        assert_eq!(order, vec![("b", 0), ("c", 1), ("a", 2)]);
    }
}
