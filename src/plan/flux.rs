//! Flux: per cluster, a GitRepository and one Flux Kustomization per unit
//! (the cluster's platform base, each environment's base, each service of
//! each environment), whose `dependsOn` follows the dependency graph. Every
//! `dependsOn` is Kustomization → Kustomization (Flux cannot depend across
//! kinds, flux2 #956), within one cluster: a dependency on another cluster
//! is ordered by the staged rollout instead (that cluster's revision lags).

use super::Planner;
use super::environments::Placement;
use crate::ir::{FluxKustomization, FluxPolicy, GitRepository, Meta, PlannedFile, Resource};
use crate::layout::{
    BASE_CLUSTER_DIR, BASE_MONITORING_DIR, FluxUnit, flux_cluster_dir, flux_file, flux_name,
    overlay_dir,
};
use crate::model::{Cluster, Environment, GitOps, WorkloadKind};

/// How every Flux Kustomization applies: pruning what left git, waiting for
/// its resources to be Ready (the health check dependsOn relies on), and
/// retrying sooner than the sync interval.
pub const FLUX_POLICY: FluxPolicy = FluxPolicy {
    prune: true,
    wait: true,
    timeout: "5m",
    retry_interval: "2m",
};

/// The Secret in Flux's namespace holding the age key SOPS files are
/// decrypted with.
const SOPS_KEY_SECRET: &str = "sops-age";

/// Marks an object Flux's post-build substitution must leave alone.
pub const SUBSTITUTE_ANNOTATION: &str = "kustomize.toolkit.fluxcd.io/substitute";

/// One Flux Kustomization to plan: its unit's id ([`FluxUnit::id`]), path,
/// dependencies (ids), header.
struct Unit {
    name: String,
    /// Holds a Job (recreated when it changes).
    force: bool,
    path: String,
    depends_on: Vec<String>,
    purpose: String,
    notes: Vec<String>,
    source: String,
}

impl<'a> Planner<'a> {
    /// Plans `flux/clusters/<cluster>/` for every cluster. The directory has
    /// no kustomization.yaml: `flux bootstrap` writes its own `flux-system/`
    /// there, and kustomize-controller generates a kustomization of every
    /// manifest and every sub-directory with a kustomization of its own
    /// (fluxcd/pkg kustomize `scanManifests`), so bootstrap's objects and
    /// the platform's are reconciled together and neither edits the other.
    pub(super) fn plan_flux(&mut self, g: &GitOps, envs: &[(&'a Environment, Vec<Placement<'a>>)]) {
        for cluster in self.clusters_of("flux") {
            self.plan_git_repository(g, cluster);
            for unit in self.flux_units(cluster, envs) {
                self.plan_flux_kustomization(g, cluster, unit);
            }
        }
    }

    /// The repository the cluster follows, at its branch.
    fn plan_git_repository(&mut self, g: &GitOps, cluster: &Cluster) {
        let cname = cluster.name.get_ref();
        let part_of = self.part_of().to_string();
        let branch = cluster
            .revision
            .clone()
            .unwrap_or_else(|| g.revision.clone());
        let mut header = self.header(
            format!("GITREPOSITORY: {part_of}"),
            format!("The repository cluster {cname} follows, at branch {branch}"),
            "Flux source-controller".into(),
            "first: every Kustomization reads it".into(),
            "platform.toml [gitops], [[clusters]]".into(),
        );
        if let Some(p) = &cluster.promotion {
            header.notes.push(format!("NOTE: staged rollout: {p}"));
        }
        let file = "gitrepository.yaml".to_string();
        self.files.push(PlannedFile {
            path: format!("{}/{file}", flux_cluster_dir(cname)),
            header,
            resource: Resource::GitRepository(GitRepository {
                meta: self.flux_meta(&part_of, &g.flux_namespace),
                url: self.platform.platform.repository.clone(),
                branch,
                interval: "1m".into(),
            }),
        });
    }

    /// The cluster's units: its platform base, then for each environment
    /// with services here, its base and each of those services.
    fn flux_units(
        &self,
        cluster: &Cluster,
        envs: &[(&'a Environment, Vec<Placement<'a>>)],
    ) -> Vec<Unit> {
        let cname = cluster.name.get_ref();
        let platform = FluxUnit::Platform.id();
        let mut units = vec![Unit {
            name: platform.clone(),
            force: false,
            path: BASE_CLUSTER_DIR.into(),
            depends_on: vec![],
            purpose: format!("Cluster-scoped base of cluster {cname}"),
            notes: vec![],
            source: "platform.toml".into(),
        }];
        let releases = self.releases_on(cluster);
        for r in &releases {
            let mut depends_on = vec![platform.clone()];
            depends_on.extend(
                r.file
                    .depends_on
                    .iter()
                    .filter(|d| releases.iter().any(|x| &x.name == d.get_ref()))
                    .map(|d| FluxUnit::Release(d.get_ref()).id()),
            );
            units.push(Unit {
                name: FluxUnit::Release(&r.name).id(),
                force: false,
                path: self.release_dir(r),
                depends_on,
                purpose: format!("{}: the Helm release {}", r.file.description, r.name),
                notes: vec![],
                source: r.source.path.clone(),
            });
        }
        if self.platform.monitoring.is_some() {
            let mut depends_on = vec![platform.clone()];
            depends_on.extend(self.monitoring_providers_on(cluster));
            units.push(Unit {
                name: FluxUnit::Monitoring.id(),
                force: false,
                path: BASE_MONITORING_DIR.into(),
                depends_on,
                purpose: "Alert rules of the platform's services".into(),
                notes: vec![],
                source: "platform.toml [monitoring]".into(),
            });
        }
        for (env, placements) in envs {
            let on_cluster: Vec<&Placement<'_>> = placements
                .iter()
                .filter(|p| {
                    self.cluster_of(env, p)
                        .is_some_and(|c| c.name.get_ref() == cluster.name.get_ref())
                })
                .collect();
            if on_cluster.is_empty() {
                continue;
            }
            let env_name = env.name.get_ref();
            let base = FluxUnit::EnvBase(env_name).id();
            units.push(Unit {
                name: base.clone(),
                force: false,
                path: format!("{}/base", overlay_dir(env_name)),
                depends_on: vec![platform.clone()],
                purpose: format!("The namespaces of {env_name}"),
                notes: vec![],
                source: "platform.toml [[environments]]".into(),
            });
            for p in on_cluster {
                units.push(self.service_unit(cluster, env, placements, p, &base));
            }
        }
        units
    }

    /// A service in an environment: after the environment's base and the
    /// dependencies that run on the same cluster.
    fn service_unit(
        &self,
        cluster: &Cluster,
        env: &Environment,
        placements: &[Placement<'_>],
        p: &Placement<'_>,
        base: &str,
    ) -> Unit {
        let env_name = env.name.get_ref();
        let svc = p.service;
        let mut depends_on = vec![base.to_string()];
        // Its monitor needs the CRDs a release of the cluster may install.
        if svc.file.ports.iter().any(|p| p.serves_metrics()) {
            depends_on.extend(self.monitoring_providers_on(cluster));
        }
        let mut notes = Vec::new();
        for d in &svc.file.depends_on {
            let target = d.service.get_ref();
            if self.releases.iter().any(|(r, _)| &r.name == target) {
                if self.releases_on(cluster).iter().any(|r| &r.name == target) {
                    depends_on.push(FluxUnit::Release(target).id());
                } else {
                    notes.push(format!(
                        "NOTE: depends on the release {target}, which this cluster does not install"
                    ));
                }
                continue;
            }
            let Some(placed) = placements.iter().find(|q| &q.service.name == target) else {
                continue;
            };
            let elsewhere = self
                .cluster_of(env, placed)
                .filter(|c| c.name.get_ref() != cluster.name.get_ref());
            match elsewhere {
                Some(c) => notes.push(format!(
                    "NOTE: depends on {target}, which runs on cluster {}: the staged rollout orders them, not dependsOn",
                    c.name.get_ref()
                )),
                None => depends_on.push(
                    FluxUnit::Service {
                        env: env_name,
                        service: target,
                    }
                    .id(),
                ),
            }
        }
        depends_on.dedup();
        Unit {
            name: FluxUnit::Service {
                env: env_name,
                service: &svc.name,
            }
            .id(),
            force: svc.file.kind() == WorkloadKind::Job,
            path: p.dir.clone(),
            depends_on,
            purpose: format!("{} in {env_name}", svc.file.description),
            notes,
            source: svc.source.path.clone(),
        }
    }

    /// The releases of `cluster` that install the monitoring CRDs.
    fn monitoring_providers_on(&self, cluster: &Cluster) -> Vec<String> {
        let on = self.releases_on(cluster);
        self.monitoring_group()
            .map(|g| self.providers_of(g))
            .unwrap_or_default()
            .into_iter()
            .filter(|p| on.iter().any(|r| &r.name == p))
            .map(|p| FluxUnit::Release(&p).id())
            .collect()
    }

    /// The cluster of an environment a placed service runs on.
    fn cluster_of(&self, env: &Environment, p: &Placement<'_>) -> Option<&'a Cluster> {
        self.platform
            .cluster_for(env, p.service.file.category.get_ref())
    }

    fn plan_flux_kustomization(&mut self, g: &GitOps, cluster: &Cluster, unit: Unit) {
        let part_of = self.part_of().to_string();
        let name = flux_name(&part_of, &unit.name);
        let depends_on: Vec<String> = unit
            .depends_on
            .iter()
            .map(|d| flux_name(&part_of, d))
            .collect();
        let mut header = self.header(
            format!("KUSTOMIZATION (FLUX): {name}"),
            unit.purpose,
            if depends_on.is_empty() {
                "the GitRepository".to_string()
            } else {
                depends_on.join(", ")
            },
            "by dependsOn".into(),
            unit.source,
        );
        header.notes.extend(unit.notes);
        let sops_secret = self.sops_secret();
        self.files.push(PlannedFile {
            path: flux_file(cluster.name.get_ref(), &unit.name),
            header,
            resource: Resource::FluxKustomization(FluxKustomization {
                meta: self.flux_meta(&name, &g.flux_namespace),
                source: part_of,
                path: format!("./{}/{}", g.path, unit.path),
                interval: g.interval.clone(),
                depends_on,
                substitute: cluster
                    .vars
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                sops_secret,
                force: unit.force,
                policy: FLUX_POLICY,
            }),
        });
    }

    /// With Flux, marks every object whose text holds `${` with
    /// `kustomize.toolkit.fluxcd.io/substitute: disabled`: a cluster's
    /// `postBuild.substitute` rewrites `${var}` in every object of the
    /// Kustomization, and an undefined one becomes the empty string
    /// (kustomize-controller docs, "Post build variable substitution"), so a
    /// shell script's `${VAR:=default}`, a CSI driver's
    /// `${pvc.metadata.name}` or a values file's placeholder would be
    /// rewritten. `$var` without braces is left alone by Flux.
    pub(super) fn guard_substitution(&self, files: &mut [PlannedFile]) {
        if !self.engine("flux") {
            return;
        }
        for f in files {
            let holds = match &f.resource {
                Resource::Replace(inner) => holds_substitution(inner),
                r => holds_substitution(r),
            };
            if let (true, Some(meta)) = (holds, f.resource.meta_mut()) {
                meta.annotations
                    .insert(SUBSTITUTE_ANNOTATION.into(), "disabled".into());
            }
        }
    }

    /// The Secret of Flux's namespace holding the age key that decrypts the
    /// SOPS files, when the platform uses them with Flux.
    pub(super) fn sops_secret(&self) -> Option<String> {
        let sops = self
            .platform
            .secrets
            .as_ref()
            .is_some_and(|s| s.backend.get_ref() == "sops");
        (sops && self.engine("flux")).then(|| SOPS_KEY_SECRET.to_string())
    }

    fn flux_meta(&self, name: &str, namespace: &str) -> Meta {
        let mut m = self.base_meta(name, Some(namespace));
        m.annotations.clear();
        m
    }
}

/// Whether any text of `r` holds what Flux would substitute.
fn holds_substitution(r: &Resource) -> bool {
    serde_json::to_string(r).is_ok_and(|t| t.contains("${"))
}
