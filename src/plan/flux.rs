//! Flux: per cluster, a GitRepository and one Flux Kustomization per unit
//! (the cluster's platform base, each environment's base, each service of
//! each environment), whose `dependsOn` follows the dependency graph. Every
//! `dependsOn` is Kustomization → Kustomization (Flux cannot depend across
//! kinds, flux2 #956), within one cluster: a dependency on another cluster
//! is ordered by the staged rollout instead (that cluster's revision lags).

use serde::Serialize;

use super::{BASE_DIR, Meta, OVERLAYS_DIR, Placement, PlannedFile, Planner, Resource};
use crate::model::{Environment, GitOps};

pub const FLUX_DIR: &str = "flux";

#[derive(Debug, Clone, Serialize)]
pub struct GitRepository {
    pub meta: Meta,
    pub url: String,
    pub branch: String,
    pub interval: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FluxKustomization {
    pub meta: Meta,
    pub source: String,
    pub path: String,
    pub interval: String,
    pub depends_on: Vec<String>,
    /// Cluster variables for `${VAR}` substitution.
    pub substitute: Vec<(String, String)>,
    /// Decrypt SOPS-encrypted Secrets with this secret's key.
    pub sops_secret: Option<String>,
    pub policy: FluxPolicy,
}

/// How every Flux Kustomization applies: pruning what left git, waiting for
/// its resources to be Ready (the health check dependsOn relies on), and
/// retrying sooner than the sync interval.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FluxPolicy {
    pub prune: bool,
    pub wait: bool,
    pub timeout: &'static str,
    pub retry_interval: &'static str,
}

pub const FLUX_POLICY: FluxPolicy = FluxPolicy {
    prune: true,
    wait: true,
    timeout: "5m",
    retry_interval: "2m",
};

impl<'a> Planner<'a> {
    /// Plans `flux/clusters/<cluster>/` for every cluster.
    pub(super) fn plan_flux(&mut self, g: &GitOps, envs: &[(&'a Environment, Vec<Placement<'a>>)]) {
        let part_of = self.part_of().to_string();
        let sops = self
            .platform
            .secrets
            .as_ref()
            .is_some_and(|s| s.backend.get_ref() == "sops");
        for cluster in &self.platform.clusters {
            let cname = cluster.name.get_ref();
            let dir = format!("{FLUX_DIR}/clusters/{cname}");
            let src = "platform.toml [gitops], [[clusters]]".to_string();
            let branch = cluster
                .revision
                .clone()
                .unwrap_or_else(|| g.revision.clone());
            let mut resources = vec!["gitrepository.yaml".to_string()];
            let mut header = self.header(
                format!("GITREPOSITORY: {part_of}"),
                format!("The repository cluster {cname} follows, at branch {branch}"),
                "Flux source-controller".into(),
                "first: every Kustomization reads it".into(),
                src.clone(),
            );
            if let Some(p) = &cluster.promotion {
                header.notes.push(format!("NOTE: staged rollout: {p}"));
            }
            self.files.push(PlannedFile {
                path: format!("{dir}/gitrepository.yaml"),
                header,
                resource: Resource::GitRepository(GitRepository {
                    meta: self.flux_meta(&part_of, &g.flux_namespace),
                    url: self.platform.platform.repository.clone(),
                    branch,
                    interval: "1m".into(),
                }),
            });
            let substitute: Vec<(String, String)> = cluster
                .vars
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let mut kustomization = |planner: &mut Self,
                                     name: String,
                                     path: String,
                                     depends_on: Vec<String>,
                                     purpose: String,
                                     notes: Vec<String>,
                                     source_file: String| {
                let file = format!("kustomization-{name}.yaml");
                resources.push(file.clone());
                let mut header = planner.header(
                    format!("KUSTOMIZATION (FLUX): {name}"),
                    purpose,
                    if depends_on.is_empty() {
                        "the GitRepository".to_string()
                    } else {
                        depends_on.join(", ")
                    },
                    "by dependsOn".into(),
                    source_file,
                );
                header.notes.extend(notes);
                let meta = planner.flux_meta(&name, &g.flux_namespace);
                planner.files.push(PlannedFile {
                    path: format!("{dir}/{file}"),
                    header,
                    resource: Resource::FluxKustomization(FluxKustomization {
                        meta,
                        source: part_of.clone(),
                        path: format!("./{}/{path}", g.path),
                        interval: g.interval.clone(),
                        depends_on,
                        substitute: substitute.clone(),
                        sops_secret: sops.then(|| "sops-age".to_string()),
                        policy: FLUX_POLICY,
                    }),
                });
            };

            let platform = "platform".to_string();
            kustomization(
                self,
                platform.clone(),
                format!("{BASE_DIR}/cluster"),
                vec![],
                format!("Cluster-scoped base of cluster {cname}"),
                vec![],
                "platform.toml".into(),
            );
            for (env, placements) in envs {
                let env_name = env.name.get_ref();
                let on_cluster: Vec<&Placement<'_>> = placements
                    .iter()
                    .filter(|p| {
                        self.platform
                            .cluster_for(env, p.service.file.category.get_ref())
                            .is_some_and(|c| c.name.get_ref() == cname)
                    })
                    .collect();
                if on_cluster.is_empty() {
                    continue;
                }
                let base = format!("{env_name}-base");
                kustomization(
                    self,
                    base.clone(),
                    format!("{OVERLAYS_DIR}/{env_name}/base"),
                    vec![platform.clone()],
                    format!("Namespace {} of {env_name}", env.namespace.get_ref()),
                    vec![],
                    "platform.toml [[environments]]".into(),
                );
                for p in on_cluster {
                    let svc = p.service;
                    let mut depends_on = vec![base.clone()];
                    let mut notes = Vec::new();
                    for d in &svc.file.depends_on {
                        let target = d.service.get_ref();
                        let elsewhere = placements
                            .iter()
                            .find(|q| &q.service.name == target)
                            .and_then(|q| {
                                self.platform
                                    .cluster_for(env, q.service.file.category.get_ref())
                                    .filter(|c| c.name.get_ref() != cname)
                            });
                        match elsewhere {
                            Some(c) => notes.push(format!(
                                "NOTE: depends on {target}, which runs on cluster {}: the staged rollout orders them, not dependsOn",
                                c.name.get_ref()
                            )),
                            None => depends_on.push(format!("{env_name}-{target}")),
                        }
                    }
                    depends_on.dedup();
                    kustomization(
                        self,
                        format!("{env_name}-{}", svc.name),
                        p.dir.clone(),
                        depends_on,
                        format!("{} in {env_name}", svc.file.description),
                        notes,
                        svc.source.path.clone(),
                    );
                }
            }
            self.files.push(PlannedFile {
                path: format!("{dir}/kustomization.yaml"),
                header: self.header(
                    format!("KUSTOMIZATION: flux {cname}"),
                    format!("What Flux on cluster {cname} applies: point flux bootstrap at this directory"),
                    "Flux".into(),
                    "by dependsOn".into(),
                    "platform.toml [[clusters]]".into(),
                ),
                resource: Resource::Kustomization(super::Kustomization {
                    resources,
                    ..Default::default()
                }),
            });
        }
    }

    fn flux_meta(&self, name: &str, namespace: &str) -> Meta {
        let mut m = self.base_meta(name, Some(namespace));
        m.annotations.clear();
        m
    }
}
