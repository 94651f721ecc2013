//! Environment overlays: each service, planned once as the base and once as
//! an environment runs it, and the difference written as a Kustomize
//! overlay that references the base and patches only what differs.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::Serialize;

use super::{
    BASE_DIR, Header, ImageTag, Kustomization, PlannedFile, Planner, Resource, ResourceSpec,
    ServicePlanner, Spread, Workload,
};
use crate::load::LoadedService;
use crate::model::Environment;

/// Where the overlays live.
pub const OVERLAYS_DIR: &str = "overlays";

/// A strategic-merge patch of a workload: only the fields that differ.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadPatch {
    pub kind: String,
    pub name: String,
    /// The base's namespace, which the patch must name to match.
    pub namespace: String,
    pub container: String,
    pub replicas: Option<u32>,
    pub pod_annotations: IndexMap<String, String>,
    pub spread: Option<SpreadChange>,
    pub selector: IndexMap<String, String>,
    pub resources: Option<ResourceSpec>,
}

/// How an environment changes a workload's node spread.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum SpreadChange {
    Set {
        spread: Spread,
    },
    /// Deleted with `null`, the one deletion patches make.
    Remove,
}

/// A strategic-merge patch of another kind: changed ConfigMap data, new
/// route hostnames, or the deletion of a resource.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Patch {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// The base's namespace, which the patch must name to match.
    pub namespace: String,
    pub delete: bool,
    pub data: BTreeMap<String, String>,
    pub hostnames: Vec<String>,
}

/// One service of an environment: where it lands and its overlay directory.
#[derive(Debug, Clone)]
pub struct Placement<'a> {
    pub service: &'a LoadedService,
    pub dir: String,
    pub wave: u32,
}

impl<'a> Planner<'a> {
    /// Services an environment runs, in wave order.
    pub(super) fn env_services(&self, env: &Environment) -> Vec<&'a LoadedService> {
        self.services
            .iter()
            .copied()
            .filter(|s| !env.exclude.iter().any(|x| x.get_ref() == &s.name))
            .collect()
    }

    /// Plans `overlays/<env>/`: the namespaced base, one overlay per
    /// service, and a kustomization of them all. Returns the placements.
    pub(super) fn plan_environment(&mut self, env: &'a Environment) -> Vec<Placement<'a>> {
        let name = env.name.get_ref();
        let ns = env.namespace.get_ref();
        let root = format!("{OVERLAYS_DIR}/{name}");
        let wave0 = "0 (base)".to_string();

        self.files.push(PlannedFile {
            path: format!("{root}/base/kustomization.yaml"),
            header: self.header(
                format!("KUSTOMIZATION: {name} base"),
                format!("The {name} namespace {ns} and what its workloads rely on"),
                format!("{BASE_DIR}/namespace"),
                wave0.clone(),
                "platform.toml [[environments]]".into(),
            ),
            resource: Resource::Kustomization(Kustomization {
                namespace: Some(ns.clone()),
                resources: vec![format!("../../../{BASE_DIR}/namespace")],
                ..Default::default()
            }),
        });

        let mut placements = Vec::new();
        let mut dirs = vec!["base".to_string()];
        for svc in self.env_services(env) {
            let (files, base_dir, wave) = {
                let base = ServicePlanner::new(self, svc);
                let dir = format!("{root}/{}", base.dir);
                let files =
                    self.overlay(&base, ServicePlanner::new(self, svc).in_env(env), &dir, ns);
                (files, base.dir.clone(), base.wave)
            };
            let dir = format!("{root}/{base_dir}");
            self.files.extend(files);
            dirs.push(base_dir);
            placements.push(Placement {
                service: svc,
                dir,
                wave,
            });
        }

        self.files.push(PlannedFile {
            path: format!("{root}/kustomization.yaml"),
            header: self.header(
                format!("KUSTOMIZATION: {name}"),
                format!("Everything of environment {name}, in namespace {ns}"),
                "every directory listed below".into(),
                "all waves".into(),
                "platform.toml, services/*.toml".into(),
            ),
            resource: Resource::Kustomization(Kustomization {
                resources: dirs,
                ..Default::default()
            }),
        });
        placements
    }

    /// The overlay of one service: its kustomization and the patches or
    /// resources that make the base into the environment's version.
    fn overlay(
        &self,
        base: &ServicePlanner<'_, 'a>,
        env: ServicePlanner<'_, 'a>,
        dir: &str,
        ns: &str,
    ) -> Vec<PlannedFile> {
        let by_name = |files: Vec<PlannedFile>| -> BTreeMap<String, PlannedFile> {
            files
                .into_iter()
                .map(|f| (f.path.rsplit('/').next().unwrap_or("").to_string(), f))
                .collect()
        };
        let base_files = by_name(base.files());
        let env_files = by_name(env.files());
        let env_name = env.env.map_or("", |e| e.name.get_ref().as_str());
        let name = base.name().to_string();

        let mut out = Vec::new();
        let mut resources = vec![format!("../../../../{}", base.dir)];
        let mut patches = Vec::new();
        let mut images = Vec::new();
        let header = |what: &str, purpose: String| -> Header {
            let mut h = env.header(what, purpose);
            h.depends_on = format!("{} (the base it patches)", base.dir);
            h
        };

        for (file, e) in &env_files {
            let b = base_files.get(file);
            match (&e.resource, b.map(|b| &b.resource)) {
                (Resource::Workload(ew), Some(Resource::Workload(bw))) => {
                    if ew.pod.container.image != bw.pod.container.image {
                        let (image, tag) = split_tag(&ew.pod.container.image);
                        images.push(ImageTag { name: image, tag });
                    }
                    if let Some(patch) = workload_patch(bw, ew) {
                        add_patch(
                            &mut out,
                            &mut patches,
                            (dir, file),
                            header(
                                "PATCH",
                                format!(
                                    "{name} in {env_name}: replicas, resources and spread that differ from the base"
                                ),
                            ),
                            Resource::WorkloadPatch(patch),
                        );
                    }
                }
                (Resource::ConfigMap(ec), Some(Resource::ConfigMap(bc))) => {
                    let changed: BTreeMap<String, String> = ec
                        .data
                        .iter()
                        .filter(|(k, v)| bc.data.get(*k) != Some(v))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    if !changed.is_empty() {
                        add_patch(
                            &mut out,
                            &mut patches,
                            (dir, file),
                            header(
                                "PATCH",
                                format!(
                                    "{name} in {env_name}: configuration that names the environment"
                                ),
                            ),
                            Resource::Patch(Patch {
                                api_version: "v1".into(),
                                kind: "ConfigMap".into(),
                                name: ec.meta.name.clone(),
                                namespace: base.namespace.clone(),
                                data: changed,
                                ..Default::default()
                            }),
                        );
                    }
                }
                (Resource::HttpRoute(er), Some(Resource::HttpRoute(br)))
                    if er.hostname != br.hostname =>
                {
                    add_patch(
                        &mut out,
                        &mut patches,
                        (dir, file),
                        header(
                            "PATCH",
                            format!("{name} in {env_name}: published at https://{}", er.hostname),
                        ),
                        Resource::Patch(Patch {
                            api_version: "gateway.networking.k8s.io/v1".into(),
                            kind: "HTTPRoute".into(),
                            name: er.meta.name.clone(),
                            namespace: base.namespace.clone(),
                            hostnames: vec![er.hostname.clone()],
                            ..Default::default()
                        }),
                    );
                }
                (_, None) => {
                    // A resource only the environment has (a PDB once it
                    // runs more than one replica).
                    resources.push(file.clone());
                    let mut f = e.clone();
                    f.path = format!("{dir}/{file}");
                    out.push(f);
                }
                _ => {}
            }
        }
        for (file, b) in &base_files {
            if env_files.contains_key(file) || file == "kustomization.yaml" {
                continue;
            }
            let (api_version, kind, res_name) = match &b.resource {
                Resource::Pdb(p) => ("policy/v1", "PodDisruptionBudget", p.meta.name.clone()),
                _ => continue,
            };
            add_patch(
                &mut out,
                &mut patches,
                (dir, file),
                header(
                    "PATCH",
                    format!("{name} in {env_name}: runs one replica, so no disruption budget"),
                ),
                Resource::Patch(Patch {
                    api_version: api_version.into(),
                    kind: kind.into(),
                    name: res_name,
                    namespace: base.namespace.clone(),
                    delete: true,
                    ..Default::default()
                }),
            );
        }
        resources.retain(|r| r != "kustomization.yaml");
        out.retain(|f| !f.path.ends_with("/kustomization.yaml"));
        out.push(PlannedFile {
            path: format!("{dir}/kustomization.yaml"),
            header: header(
                "KUSTOMIZATION",
                format!("{name} as environment {env_name} runs it, in namespace {ns}"),
            ),
            resource: Resource::Kustomization(Kustomization {
                namespace: Some(ns.to_string()),
                resources,
                patches,
                images,
                ..Default::default()
            }),
        });
        out
    }
}

/// Adds `patch-<file>` to the overlay and to its kustomization's patches.
fn add_patch(
    out: &mut Vec<PlannedFile>,
    patches: &mut Vec<String>,
    (dir, file): (&str, &str),
    header: Header,
    resource: Resource,
) {
    let path = format!("patch-{file}");
    patches.push(path.clone());
    out.push(PlannedFile {
        path: format!("{dir}/{path}"),
        header,
        resource,
    });
}

/// `registry/repo:tag` → (`registry/repo`, `tag`).
fn split_tag(image: &str) -> (String, String) {
    let slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[slash..].rfind(':') {
        Some(i) => (
            image[..slash + i].to_string(),
            image[slash + i + 1..].to_string(),
        ),
        None => (image.to_string(), "latest".to_string()),
    }
}

/// The fields of the environment's workload that differ from the base's.
fn workload_patch(base: &Workload, env: &Workload) -> Option<WorkloadPatch> {
    let replicas = (env.replicas != base.replicas)
        .then_some(env.replicas)
        .flatten();
    let pod_annotations: IndexMap<String, String> = env
        .pod
        .annotations
        .iter()
        .filter(|(k, v)| base.pod.annotations.get(*k) != Some(v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let spread = match (&base.pod.spread, &env.pod.spread) {
        (b, e) if b == e => None,
        (_, Some(e)) => Some(SpreadChange::Set { spread: e.clone() }),
        (Some(_), None) => Some(SpreadChange::Remove),
        (None, None) => None,
    };
    let resources = (env.pod.container.resources != base.pod.container.resources)
        .then(|| env.pod.container.resources.clone());
    if replicas.is_none() && pod_annotations.is_empty() && spread.is_none() && resources.is_none() {
        return None;
    }
    Some(WorkloadPatch {
        kind: format!("{:?}", env.kind),
        name: env.meta.name.clone(),
        namespace: base.meta.namespace.clone().unwrap_or_default(),
        container: env.pod.container.name.clone(),
        replicas,
        pod_annotations,
        spread,
        selector: env.selector.clone(),
        resources,
    })
}

#[cfg(test)]
mod tests {
    use super::split_tag;

    #[test]
    fn image_tags_split_after_the_last_slash() {
        assert_eq!(
            split_tag("ghcr.io/a/b:1.0"),
            ("ghcr.io/a/b".into(), "1.0".into())
        );
        assert_eq!(
            split_tag("registry:5000/a"),
            ("registry:5000/a".into(), "latest".into())
        );
    }
}
