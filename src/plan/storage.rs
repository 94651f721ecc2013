//! Storage: the platform's storage class (seed 000 §7.1) and a claim per
//! volume of a service.

use super::Planner;
use super::service::ServicePlanner;
use crate::ir::{PlannedFile, Pvc, Resource, StorageClass};
use crate::layout::{BASE_CLUSTER_DIR, numbered};

/// Annotations that keep a claim when its source goes away: Argo CD neither
/// prunes it nor deletes it with its Application, Flux does not prune it
/// (kustomize-controller docs, "Prune"). Deleting data is a person's act.
pub const KEEP_DATA: &[(&str, &str)] = &[
    (
        "argocd.argoproj.io/sync-options",
        "Prune=false,Delete=false",
    ),
    ("kustomize.toolkit.fluxcd.io/prune", "disabled"),
];

/// Annotations that recreate a cluster-scoped object whose fields are
/// immutable (a StorageClass's parameters, a PriorityClass's value): Argo CD
/// deletes and creates it (`Force=true,Replace=true`), Flux too (`force`).
pub const RECREATE: &[(&str, &str)] = &[
    ("argocd.argoproj.io/sync-options", "Force=true,Replace=true"),
    ("kustomize.toolkit.fluxcd.io/force", "enabled"),
];

impl Planner<'_> {
    /// The StorageClass; returns its file name in `base/cluster`.
    pub(super) fn plan_storage_class(&mut self) -> Option<String> {
        let s = self.platform.storage.as_ref()?;
        let name = s.class.get_ref();
        let mut header = self.header(
            format!("STORAGECLASS: {name}"),
            format!("Dynamic volumes from {}", s.provisioner),
            format!("the {} CSI driver installed in the cluster", s.provisioner),
            "0 (base)".into(),
            "platform.toml".into(),
        );
        if s.reclaim_policy.get_ref() == "Retain" {
            header
                .notes
                .push("CRITICAL: reclaimPolicy Retain keeps data when a claim is deleted".into());
        }
        let mut meta = self.base_meta(name, None);
        meta.annotations
            .extend(RECREATE.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let file = "storageclass.yaml".to_string();
        self.files.push(PlannedFile {
            path: format!("{BASE_CLUSTER_DIR}/{file}"),
            header,
            resource: Resource::StorageClass(StorageClass {
                meta,
                provisioner: s.provisioner.clone(),
                parameters: s.parameters.clone(),
                mount_options: s
                    .mount_options
                    .iter()
                    .map(|o| o.get_ref().clone())
                    .collect(),
                reclaim_policy: s.reclaim_policy.get_ref().clone(),
                volume_binding_mode: s.volume_binding_mode.get_ref().clone(),
                allow_volume_expansion: s.allow_volume_expansion,
            }),
        });
        Some(file)
    }
}

impl ServicePlanner<'_, '_> {
    /// One claim per volume, on the platform's storage class.
    pub(super) fn claim_files(&self) -> Vec<PlannedFile> {
        let Some(storage) = &self.p.platform.storage else {
            return vec![];
        };
        let name = self.name();
        let mut out = Vec::new();
        let claims = self.svc.file.volumes.iter().filter(|v| !v.is_per_pod());
        for (i, v) in claims.enumerate() {
            let vname = v.name.get_ref();
            let mut pf = self.file_needing(
                &numbered("pvc", i, vname),
                "PERSISTENTVOLUMECLAIM",
                format!("{} of {name}, mounted at {}", vname, v.mount),
                format!("storage class {} (base)", storage.class.get_ref()),
                Resource::Pvc(Pvc {
                    meta: self.meta(format!("{name}-{vname}")),
                    access_mode: v
                        .access_mode
                        .as_ref()
                        .map_or_else(|| "ReadWriteOnce".to_string(), |m| m.get_ref().clone()),
                    storage_class: storage.class.get_ref().clone(),
                    size: self
                        .env_override()
                        .and_then(|o| o.volumes.get(vname))
                        .unwrap_or(&v.size)
                        .get_ref()
                        .clone(),
                }),
            );
            if let Some(meta) = pf.resource.meta_mut() {
                meta.annotations.extend(
                    KEEP_DATA
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string())),
                );
            }
            pf.header.notes.push(
                "CRITICAL: holds the service's data; neither engine prunes or deletes it (Prune=false,Delete=false; prune: disabled): remove a claim by hand"
                    .into(),
            );
            out.push(pf);
        }
        out
    }
}
