//! Environments (seed 000 §8.3): each service, planned once as the base and
//! once as an environment runs it, and the difference written as a
//! Kustomize overlay that references the base and patches only what
//! differs: replicas, resources, spread, pod annotations, image tags,
//! ConfigMap data, route host names, a PDB added or deleted.

use std::collections::BTreeMap;

use indexmap::IndexMap;

use super::Planner;
use super::service::ServicePlanner;
use crate::ir::{
    Header, ImageTag, Kustomization, Patch, PlannedFile, Resource, SpreadChange, Workload,
    WorkloadPatch,
};
use crate::layout::{BASE_NAMESPACE_DIR, KUSTOMIZATION, overlay_dir, patch_file};
use crate::load::LoadedService;
use crate::model::Environment;

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
        let root = overlay_dir(name);
        let header = self.header(
            format!("KUSTOMIZATION: {name} base"),
            format!("The {name} namespace {ns} and what its workloads rely on"),
            BASE_NAMESPACE_DIR.into(),
            "0 (base)".into(),
            "platform.toml [[environments]]".into(),
        );
        self.files.push(PlannedFile {
            path: format!("{root}/base/{KUSTOMIZATION}"),
            header,
            resource: Resource::Kustomization(Kustomization {
                namespace: Some(ns.clone()),
                resources: vec![format!("../../../{BASE_NAMESPACE_DIR}")],
                ..Default::default()
            }),
        });

        let mut placements = Vec::new();
        let mut dirs = vec!["base".to_string()];
        for svc in self.env_services(env) {
            let base = ServicePlanner::new(self, svc);
            let dir = format!("{root}/{}", base.dir);
            let files = overlay(&base, ServicePlanner::new(self, svc).in_env(env), &dir, ns);
            dirs.push(base.dir.clone());
            placements.push(Placement {
                service: svc,
                dir,
                wave: base.wave,
            });
            self.files.extend(files);
        }

        let header = self.header(
            format!("KUSTOMIZATION: {name}"),
            format!("Everything of environment {name}, in namespace {ns}"),
            "every directory listed below".into(),
            "all waves".into(),
            "platform.toml, services/*.toml".into(),
        );
        self.files.push(PlannedFile {
            path: format!("{root}/{KUSTOMIZATION}"),
            header,
            resource: Resource::Kustomization(Kustomization {
                resources: dirs,
                ..Default::default()
            }),
        });
        placements
    }
}

/// Files of a service keyed by file name.
fn by_name(files: Vec<PlannedFile>) -> BTreeMap<String, PlannedFile> {
    files
        .into_iter()
        .map(|f| (f.path.rsplit('/').next().unwrap_or("").to_string(), f))
        .collect()
}

/// The overlay of one service: its kustomization and the patches or
/// resources that make the base into the environment's version.
fn overlay(
    base: &ServicePlanner<'_, '_>,
    env: ServicePlanner<'_, '_>,
    dir: &str,
    ns: &str,
) -> Vec<PlannedFile> {
    let base_files = by_name(base.files());
    let env_files = by_name(env.files());
    let mut o = Overlay {
        base,
        env: &env,
        dir: dir.to_string(),
        files: Vec::new(),
        resources: vec![format!("../../../../{}", base.dir)],
        patches: Vec::new(),
        images: Vec::new(),
    };
    for (file, e) in &env_files {
        match base_files.get(file) {
            Some(b) => o.changed(file, &b.resource, &e.resource),
            None => o.added(file, e),
        }
    }
    for (file, b) in &base_files {
        if !env_files.contains_key(file) {
            o.removed(file, &b.resource);
        }
    }
    o.finish(ns)
}

/// An overlay under construction: the service as the base and as the
/// environment run it, the overlay's files, and what its kustomization
/// lists.
struct Overlay<'s, 'p, 'a> {
    base: &'s ServicePlanner<'p, 'a>,
    env: &'s ServicePlanner<'p, 'a>,
    dir: String,
    files: Vec<PlannedFile>,
    resources: Vec<String>,
    patches: Vec<String>,
    images: Vec<ImageTag>,
}

impl Overlay<'_, '_, '_> {
    fn env_name(&self) -> &str {
        self.env.env.map_or("", |e| e.name.get_ref().as_str())
    }

    fn header(&self, what: &str, purpose: String) -> Header {
        let mut h = self.env.header(what, purpose);
        h.depends_on = format!("{} (the base it patches)", self.base.dir);
        h
    }

    /// Adds `patch-<file>` to the overlay and to its kustomization's patches.
    fn patch(&mut self, file: &str, purpose: String, resource: Resource) {
        let path = patch_file(file);
        let header = self.header("PATCH", purpose);
        self.files.push(PlannedFile {
            path: format!("{}/{path}", self.dir),
            header,
            resource,
        });
        self.patches.push(path);
    }

    /// A resource both have: its image tag and the patch of what differs.
    fn changed(&mut self, file: &str, base: &Resource, env: &Resource) {
        let (name, env_name) = (self.base.name().to_string(), self.env_name().to_string());
        let namespace = self.base.namespace.clone();
        match (env, base) {
            (Resource::Workload(ew), Resource::Workload(bw)) => {
                if ew.pod.container.image != bw.pod.container.image {
                    let (image, tag) = split_tag(&ew.pod.container.image);
                    self.images.push(ImageTag { name: image, tag });
                }
                if let Some(patch) = workload_patch(bw, ew) {
                    let purpose = format!(
                        "{name} in {env_name}: replicas, resources and spread that differ from the base"
                    );
                    self.patch(file, purpose, Resource::WorkloadPatch(patch));
                }
            }
            (Resource::ConfigMap(ec), Resource::ConfigMap(bc)) => {
                let data: BTreeMap<String, String> = ec
                    .data
                    .iter()
                    .filter(|(k, v)| bc.data.get(*k) != Some(v))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if !data.is_empty() {
                    let purpose =
                        format!("{name} in {env_name}: configuration that names the environment");
                    let patch = Patch {
                        api_version: "v1".into(),
                        kind: "ConfigMap".into(),
                        name: ec.meta.name.clone(),
                        namespace,
                        data,
                        ..Default::default()
                    };
                    self.patch(file, purpose, Resource::Patch(patch));
                }
            }
            (Resource::HttpRoute(er), Resource::HttpRoute(br)) if er.hostname != br.hostname => {
                let purpose = format!("{name} in {env_name}: published at https://{}", er.hostname);
                let patch = Patch {
                    api_version: "gateway.networking.k8s.io/v1".into(),
                    kind: "HTTPRoute".into(),
                    name: er.meta.name.clone(),
                    namespace,
                    hostnames: vec![er.hostname.clone()],
                    ..Default::default()
                };
                self.patch(file, purpose, Resource::Patch(patch));
            }
            _ => {}
        }
    }

    /// A resource only the environment has (a PDB once it runs more than
    /// one replica).
    fn added(&mut self, file: &str, e: &PlannedFile) {
        self.resources.push(file.to_string());
        let mut f = e.clone();
        f.path = format!("{}/{file}", self.dir);
        self.files.push(f);
    }

    /// A resource only the base has (a PDB once the environment runs one
    /// replica) is deleted.
    fn removed(&mut self, file: &str, base: &Resource) {
        let Resource::Pdb(p) = base else { return };
        let purpose = format!(
            "{} in {}: runs one replica, so no disruption budget",
            self.base.name(),
            self.env_name()
        );
        let patch = Patch {
            api_version: "policy/v1".into(),
            kind: "PodDisruptionBudget".into(),
            name: p.meta.name.clone(),
            namespace: self.base.namespace.clone(),
            delete: true,
            ..Default::default()
        };
        self.patch(file, purpose, Resource::Patch(patch));
    }

    /// The overlay's files, its kustomization last.
    fn finish(mut self, ns: &str) -> Vec<PlannedFile> {
        let purpose = format!(
            "{} as environment {} runs it, in namespace {ns}",
            self.base.name(),
            self.env_name()
        );
        let header = self.header("KUSTOMIZATION", purpose);
        self.files.push(PlannedFile {
            path: format!("{}/{KUSTOMIZATION}", self.dir),
            header,
            resource: Resource::Kustomization(Kustomization {
                namespace: Some(ns.to_string()),
                resources: self.resources,
                patches: self.patches,
                images: self.images,
                ..Default::default()
            }),
        });
        self.files
    }
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
        api_version: if env.kind.runs_to_completion() {
            "batch/v1"
        } else {
            "apps/v1"
        }
        .to_string(),
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
