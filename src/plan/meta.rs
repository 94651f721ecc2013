//! Metadata every object carries: the standard labels (seed 000 §9.4), the
//! sync-wave annotation, and the generated header of every file (§9.7).

use indexmap::IndexMap;

use super::service::ServicePlanner;
use super::{Planner, one_line};
use crate::ir::{Header, Meta, PlannedFile, Resource};

/// Annotation carrying the Argo CD sync wave.
pub const WAVE_ANNOTATION: &str = "argocd.argoproj.io/sync-wave";
/// Prefix of the annotations carrying a service's stated exceptions.
pub const EXCEPTION_ANNOTATION: &str = "exceptions.platformc.dev/";

/// Every field and note of a header on one line: a header is a comment
/// block, so a line break in a source text (an owner, a purpose) must not
/// end the comment.
pub(super) fn one_line_header(h: &mut Header) {
    for field in [
        &mut h.title,
        &mut h.purpose,
        &mut h.depends_on,
        &mut h.wave,
        &mut h.owner,
        &mut h.source,
    ] {
        *field = one_line(field);
    }
    if let Some(e) = &mut h.exposes {
        *e = one_line(e);
    }
    for n in &mut h.notes {
        *n = one_line(n);
    }
}

impl Planner<'_> {
    pub(super) fn header(
        &self,
        title: String,
        purpose: String,
        depends_on: String,
        wave: String,
        source: String,
    ) -> Header {
        Header {
            title,
            purpose: one_line(&purpose),
            depends_on,
            exposes: None,
            wave,
            owner: self.platform.platform.owner.clone(),
            source,
            notes: vec![],
        }
    }

    /// Labels of a platform-level resource.
    pub(super) fn base_labels(&self, name: &str) -> IndexMap<String, String> {
        let mut l = IndexMap::new();
        l.insert("app".into(), self.part_of().to_string());
        l.insert("app.kubernetes.io/name".into(), name.to_string());
        l.insert(
            "app.kubernetes.io/part-of".into(),
            self.part_of().to_string(),
        );
        l.insert("app.kubernetes.io/component".into(), "platform".into());
        l.insert("app.kubernetes.io/managed-by".into(), "platformc".into());
        l
    }

    /// Metadata of a platform-level resource, in wave 0.
    pub(super) fn base_meta(&self, name: &str, namespace: Option<&str>) -> Meta {
        let mut annotations = IndexMap::new();
        annotations.insert(WAVE_ANNOTATION.into(), "0".into());
        Meta {
            name: name.to_string(),
            namespace: namespace.map(str::to_string),
            labels: self.base_labels(name),
            annotations,
        }
    }
}

impl ServicePlanner<'_, '_> {
    /// The standard labels of everything of the service.
    pub(super) fn labels(&self) -> IndexMap<String, String> {
        let mut l = IndexMap::new();
        l.insert("app".into(), self.name().to_string());
        l.insert("app.kubernetes.io/name".into(), self.name().to_string());
        l.insert(
            "app.kubernetes.io/part-of".into(),
            self.p.part_of().to_string(),
        );
        l.insert("app.kubernetes.io/component".into(), self.component.clone());
        l.insert("app.kubernetes.io/managed-by".into(), "platformc".into());
        l
    }

    /// The label that selects the service's pods.
    pub(super) fn selector(&self) -> IndexMap<String, String> {
        let mut l = IndexMap::new();
        l.insert("app".into(), self.name().to_string());
        l
    }

    /// Metadata of one of the service's objects, in the service's wave.
    pub(super) fn meta(&self, name: String) -> Meta {
        let mut annotations = IndexMap::new();
        annotations.insert(WAVE_ANNOTATION.into(), self.wave.to_string());
        Meta {
            name,
            namespace: Some(self.namespace.clone()),
            labels: self.labels(),
            annotations,
        }
    }

    /// What the service depends on, for the header.
    fn depends_on(&self) -> String {
        if self.svc.file.depends_on.is_empty() {
            return "nothing".into();
        }
        self.svc
            .file
            .depends_on
            .iter()
            .map(|d| {
                let target = d.service.get_ref();
                let Some(port) = &d.port else {
                    return format!("{target} (a Job, completed first)");
                };
                let number = self
                    .p
                    .by_name
                    .get(target.as_str())
                    .map_or(0, |t| ServicePlanner::port_of(t, port.get_ref()));
                match &d.purpose {
                    Some(why) => format!("{target} ({} {number}, {why})", port.get_ref()),
                    None => format!("{target} ({} {number})", port.get_ref()),
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub(super) fn header(&self, kind: &str, purpose: String) -> Header {
        let f = &self.svc.file;
        let mut h = self.p.header(
            format!("{kind}: {}", self.name()),
            purpose,
            self.depends_on(),
            format!("{} ({})", self.wave, self.category),
            self.svc.source.path.clone(),
        );
        if !f.ports.is_empty() {
            h.exposes = Some(
                f.ports
                    .iter()
                    .map(|p| format!("{} {}", p.name.get_ref(), p.port.get_ref()))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        for e in &f.exceptions {
            h.notes.push(format!(
                "EXCEPTION {}: {}",
                e.rule.get_ref(),
                one_line(e.reason.get_ref())
            ));
        }
        h
    }

    /// A file of the service's directory.
    pub(super) fn file(
        &self,
        name: &str,
        kind: &str,
        purpose: String,
        resource: Resource,
    ) -> PlannedFile {
        PlannedFile {
            path: format!("{}/{name}", self.dir),
            header: self.header(kind, purpose),
            resource,
        }
    }

    /// A file whose dependencies are its own, not the workload's.
    pub(super) fn file_needing(
        &self,
        name: &str,
        kind: &str,
        purpose: String,
        needs: String,
        resource: Resource,
    ) -> PlannedFile {
        let mut f = self.file(name, kind, purpose, resource);
        f.header.depends_on = needs;
        f
    }
}
