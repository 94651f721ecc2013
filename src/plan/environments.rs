//! Environments (seed 000 §8.3): each namespace and each service, planned
//! once as the base runs it and once as an environment runs it, and the
//! difference written as a Kustomize overlay that references the base,
//! renames its namespace and patches only what differs: a workload's
//! replicas, resources, spread, priority class, probe timings and pod
//! annotations; ConfigMap data; image tags; any other object the
//! environment changes (replaced whole); objects only one side has (added,
//! or deleted).

use std::collections::BTreeMap;

use indexmap::IndexMap;

use super::base::NamespacePlanner;
use super::service::ServicePlanner;
use super::{Planner, one_line};
use crate::ir::{
    Header, ImageTag, Kustomization, Patch, PlannedFile, Resource, SpreadChange, Workload,
    WorkloadPatch,
};
use crate::layout::{KUSTOMIZATION, overlay_dir, overlay_of, patch_file, up_to_root};
use crate::load::LoadedService;
use crate::model::Environment;

/// One service of an environment: where it lands and its overlay directory.
#[derive(Debug, Clone)]
pub struct Placement<'a> {
    pub service: &'a LoadedService,
    pub dir: String,
    pub wave: u32,
    /// The namespace it runs in there.
    pub namespace: String,
}

impl<'a> Planner<'a> {
    /// Plans `overlays/<env>/`: the environment's namespaces, one overlay
    /// per service, and a kustomization of them all. Returns the placements.
    pub(super) fn plan_environment(&mut self, env: &'a Environment) -> Vec<Placement<'a>> {
        let name = env.name.get_ref();
        let root = overlay_dir(name);
        self.plan_env_namespaces(env);
        let mut placements = Vec::new();
        let mut dirs = vec!["base".to_string()];
        for svc in self.services_in(Some(env)) {
            let base = ServicePlanner::new(self, svc);
            let in_env = ServicePlanner::new(self, svc).in_env(env);
            let unit = Unit {
                env,
                name: svc.name.clone(),
                base_dir: base.dir.clone(),
                dir: overlay_of(name, &base.dir),
                namespace: in_env.runs_in(),
                header: in_env.header("KUSTOMIZATION", String::new()),
            };
            let files = unit.overlay(base.files(), in_env.files());
            dirs.push(base.dir.clone());
            placements.push(Placement {
                service: svc,
                dir: unit.dir.clone(),
                wave: base.wave,
                namespace: unit.namespace.clone(),
            });
            self.files.extend(files);
        }
        let header = self.header(
            format!("KUSTOMIZATION: {name}"),
            format!("Everything of environment {name}"),
            "every directory listed below".into(),
            "all waves".into(),
            "platform.toml, services/*.toml".into(),
        );
        self.push_kustomization(format!("{root}/{KUSTOMIZATION}"), header, dirs);
        placements
    }

    /// `overlays/<env>/base/`: each namespace the environment uses, renamed
    /// and patched.
    fn plan_env_namespaces(&mut self, env: &'a Environment) {
        let name = env.name.get_ref();
        let mut dirs = Vec::new();
        for ns in self.namespaces(Some(env)) {
            let base = NamespacePlanner::new(self, None, &ns);
            let in_env = NamespacePlanner::new(self, Some(env), &ns);
            let unit = Unit {
                env,
                name: format!("namespace {ns}"),
                base_dir: base.dir.clone(),
                dir: overlay_of(name, &base.dir),
                namespace: in_env.here(),
                header: in_env.header("KUSTOMIZATION".into(), String::new(), String::new()),
            };
            let files = unit.overlay(base.files(), in_env.files());
            self.files.extend(files);
            dirs.push(format!("namespaces/{ns}"));
        }
        let header = self.header(
            format!("KUSTOMIZATION: {name} base"),
            format!("The namespaces of environment {name} and what their workloads rely on"),
            "nothing".into(),
            "0 (base)".into(),
            "platform.toml [[environments]]".into(),
        );
        self.push_kustomization(
            format!("{}/base/{KUSTOMIZATION}", overlay_dir(name)),
            header,
            dirs,
        );
    }
}

/// What an overlay is of: the environment, the base directory and the
/// overlay's, the namespace it moves the objects to, and the header its
/// files start from.
struct Unit<'a> {
    env: &'a Environment,
    /// For the headers: the service, or `namespace <name>`.
    name: String,
    base_dir: String,
    dir: String,
    namespace: String,
    header: Header,
}

impl Unit<'_> {
    /// The overlay's files: patches and added resources, its kustomization
    /// last.
    fn overlay(&self, base: Vec<PlannedFile>, env: Vec<PlannedFile>) -> Vec<PlannedFile> {
        let base_files = by_name(base);
        let env_files = by_name(env);
        let mut o = Overlay {
            unit: self,
            files: Vec::new(),
            resources: vec![format!("{}{}", up_to_root(&self.dir), self.base_dir)],
            patches: Vec::new(),
            images: Vec::new(),
        };
        for (file, e) in &env_files {
            match base_files.get(file) {
                Some(b) => o.changed(file, &b.resource, e),
                None => o.added(file, e),
            }
        }
        for (file, b) in &base_files {
            if !env_files.contains_key(file) {
                o.removed(file, &b.resource);
            }
        }
        o.finish()
    }

    fn header(&self, what: &str, purpose: String) -> Header {
        let mut h = self.header.clone();
        h.title = format!("{what}: {}", self.name);
        h.purpose = one_line(&purpose);
        h.depends_on = format!("{} (the base it patches)", self.base_dir);
        h
    }
}

/// Files of a unit keyed by file name.
fn by_name(files: Vec<PlannedFile>) -> BTreeMap<String, PlannedFile> {
    files
        .into_iter()
        .filter(|f| !f.path.ends_with(KUSTOMIZATION))
        .map(|f| (f.path.rsplit('/').next().unwrap_or("").to_string(), f))
        .collect()
}

/// An overlay under construction: its files, and what its kustomization
/// lists.
struct Overlay<'u, 'a> {
    unit: &'u Unit<'a>,
    files: Vec<PlannedFile>,
    resources: Vec<String>,
    patches: Vec<String>,
    images: Vec<ImageTag>,
}

impl Overlay<'_, '_> {
    fn env_name(&self) -> &str {
        self.unit.env.name.get_ref()
    }

    /// Adds `patch-<file>` to the overlay and to its kustomization's patches.
    fn patch(&mut self, file: &str, purpose: String, resource: Resource) {
        let path = patch_file(file);
        let header = self.unit.header("PATCH", purpose);
        self.files.push(PlannedFile {
            path: format!("{}/{path}", self.unit.dir),
            header,
            resource,
        });
        self.patches.push(path);
    }

    /// A file both have: the patch of what differs, or a deletion and an
    /// addition when the object itself changed.
    fn changed(&mut self, file: &str, base: &Resource, env: &PlannedFile) {
        let (unit, env_name) = (self.unit.name.clone(), self.env_name().to_string());
        match (base, &env.resource) {
            (Resource::Workload(bw), Resource::Workload(ew)) => {
                if ew.pod.container.image != bw.pod.container.image {
                    let (image, tag) = split_tag(&ew.pod.container.image);
                    self.images.push(ImageTag { name: image, tag });
                }
                if let Some(patch) = workload_patch(bw, ew) {
                    let purpose = format!(
                        "{unit} in {env_name}: replicas, resources, spread, priority and probe timings that differ from the base"
                    );
                    self.patch(file, purpose, Resource::WorkloadPatch(patch));
                }
            }
            (Resource::ConfigMap(bc), Resource::ConfigMap(ec))
                if bc.data.keys().all(|k| ec.data.contains_key(k))
                    && bc.meta.annotations == ec.meta.annotations =>
            {
                let data: BTreeMap<String, String> = ec
                    .data
                    .iter()
                    .filter(|(k, v)| bc.data.get(*k) != Some(v))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if !data.is_empty() {
                    let purpose = format!("{unit} in {env_name}: configuration that differs");
                    let patch = Patch {
                        api_version: "v1".into(),
                        kind: "ConfigMap".into(),
                        name: ec.meta.name.clone(),
                        namespace: ec.meta.namespace.clone(),
                        data,
                        ..Default::default()
                    };
                    self.patch(file, purpose, Resource::Patch(patch));
                }
            }
            // An encrypted file cannot be patched (its MAC covers the text):
            // the base's is deleted and the environment's own added.
            (Resource::Verbatim(b), Resource::Verbatim(e)) => {
                if b.text != e.text {
                    self.removed(file, base);
                    self.added(file, env);
                }
            }
            (b, e) if same_object(b, e) => {
                if let Some((_, kind, meta)) = e.object()
                    && to_json(b) != to_json(e)
                {
                    let purpose = format!(
                        "{unit} in {env_name}: {kind} {} as the environment has it",
                        meta.name
                    );
                    self.patch(file, purpose, Resource::Replace(Box::new(e.clone())));
                }
            }
            (b, _) => {
                self.removed(file, b);
                self.added(file, env);
            }
        }
    }

    /// A resource only the environment has.
    fn added(&mut self, file: &str, e: &PlannedFile) {
        self.resources.push(file.to_string());
        let mut f = e.clone();
        f.path = format!("{}/{file}", self.unit.dir);
        self.files.push(f);
    }

    /// A resource only the base has is deleted.
    fn removed(&mut self, file: &str, base: &Resource) {
        let Some((api, kind, meta)) = base.object() else {
            return;
        };
        let purpose = format!(
            "{} in {}: has no {kind} {}",
            self.unit.name,
            self.env_name(),
            meta.name
        );
        let patch = Patch {
            api_version: api.into(),
            kind: kind.into(),
            name: meta.name.clone(),
            namespace: meta.namespace.clone(),
            delete: true,
            ..Default::default()
        };
        self.patch(file, purpose, Resource::Patch(patch));
    }

    /// The overlay's files, its kustomization last.
    fn finish(mut self) -> Vec<PlannedFile> {
        let purpose = format!(
            "{} as environment {} runs it, in namespace {}",
            self.unit.name,
            self.env_name(),
            self.unit.namespace
        );
        let header = self.unit.header("KUSTOMIZATION", purpose);
        self.files.push(PlannedFile {
            path: format!("{}/{KUSTOMIZATION}", self.unit.dir),
            header,
            resource: Resource::Kustomization(Kustomization {
                namespace: Some(self.unit.namespace.clone()),
                resources: self.resources,
                patches: self.patches,
                images: self.images,
                ..Default::default()
            }),
        });
        self.files
    }
}

/// Whether two resources are the same Kubernetes object (kind and name).
fn same_object(a: &Resource, b: &Resource) -> bool {
    match (a.object(), b.object()) {
        (Some((aa, ak, am)), Some((ba, bk, bm))) => {
            aa == ba && ak == bk && am.name == bm.name && am.namespace == bm.namespace
        }
        _ => false,
    }
}

fn to_json(r: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(r).unwrap_or_default()
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
    let remove_replicas = base.replicas.is_some() && env.replicas.is_none();
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
    let (bc, ec) = (&base.pod.container, &env.pod.container);
    let resources = (ec.resources != bc.resources).then(|| ec.resources.clone());
    let priority_class =
        (env.pod.priority_class != base.pod.priority_class).then(|| env.pod.priority_class.clone());
    let mut probes = Vec::new();
    for (field, b, e) in [
        ("startupProbe", &bc.startup_probe, &ec.startup_probe),
        ("readinessProbe", &bc.readiness_probe, &ec.readiness_probe),
        ("livenessProbe", &bc.liveness_probe, &ec.liveness_probe),
    ] {
        if let Some(e) = e
            && b.as_ref().map(to_json) != Some(to_json(e))
        {
            probes.push((field.to_string(), e.clone()));
        }
    }
    if replicas.is_none()
        && !remove_replicas
        && pod_annotations.is_empty()
        && spread.is_none()
        && resources.is_none()
        && priority_class.is_none()
        && probes.is_empty()
    {
        return None;
    }
    Some(WorkloadPatch {
        api_version: env.kind.api_version().to_string(),
        kind: env.kind.name().to_string(),
        name: env.meta.name.clone(),
        namespace: base.meta.namespace.clone().unwrap_or_default(),
        container: ec.name.clone(),
        replicas,
        remove_replicas,
        pod_annotations,
        spread,
        selector: env.selector.clone(),
        resources,
        priority_class,
        probes,
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
