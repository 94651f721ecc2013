//! Stage 3, plan: from a checked model to the intermediate representation
//! ([`crate::ir`]), one module per concern.
//!
//! Every default is filled in and every derived fact computed here, in Rust:
//! labels, annotations, security contexts, probes with resolved ports,
//! dependency addresses, sync waves, priority classes, network edges in both
//! directions, overlays, GitOps objects, and the list of files to emit with
//! their headers. Templates receive the IR and only format it. The plan
//! assumes a model that passed [`crate::check`]; it cannot fail.

use std::collections::BTreeMap;

use crate::diag::SourceFile;
use crate::ir::{Header, Kustomization, Resource};
use crate::layout::{BASE_DIR, KUSTOMIZATION};
use crate::load::{Loaded, LoadedRelease, LoadedService, SecretFile};
use crate::model::{Category, Cluster, Dependency, Environment, PlatformFile};

pub use crate::ir::{Plan, PlannedFile};

mod argocd;
mod availability;
mod base;
mod config;
mod edge;
mod environments;
mod flux;
mod jobs;
mod meta;
mod network;
mod observability;
mod policy;
mod prerequisites;
mod readme;
mod releases;
mod routes;
mod secrets;
mod service;
mod storage;
mod tenancy;
mod tls;
mod workload;

/// Builds the plan of a checked model.
pub fn plan(loaded: &Loaded) -> Plan {
    Planner::new(loaded).run()
}

/// The dependency graph of a checked model.
pub fn graph(loaded: &Loaded) -> crate::ir::Graph {
    Planner::new(loaded).graph()
}

/// The platform being planned, its services in output order, and the files
/// planned so far.
struct Planner<'a> {
    platform: &'a PlatformFile,
    secret_files: &'a BTreeMap<String, SecretFile>,
    /// The values files of the releases, by file name.
    values_files: &'a BTreeMap<String, SourceFile>,
    /// The Helm releases in install order, with their install depth.
    releases: Vec<(&'a LoadedRelease, u32)>,
    /// Sorted by wave, then name: the order of every list in the output.
    services: Vec<&'a LoadedService>,
    by_name: BTreeMap<&'a str, &'a LoadedService>,
    /// Who depends on each service, and through which edge, in service
    /// order: the other side of every `depends_on`.
    consumers: BTreeMap<&'a str, Vec<(&'a LoadedService, &'a Dependency)>>,
    files: Vec<PlannedFile>,
}

impl<'a> Planner<'a> {
    fn new(loaded: &'a Loaded) -> Self {
        let platform = &loaded.platform;
        let wave_of = |s: &LoadedService| category(platform, s).map_or(0, |c| *c.wave.get_ref());
        let mut services: Vec<&LoadedService> = loaded.services.iter().collect();
        services.sort_by(|a, b| (wave_of(a), &a.name).cmp(&(wave_of(b), &b.name)));
        let by_name = services.iter().map(|s| (s.name.as_str(), *s)).collect();
        let mut consumers: BTreeMap<&str, Vec<_>> = BTreeMap::new();
        for s in &services {
            for d in &s.file.depends_on {
                consumers
                    .entry(d.service.get_ref().as_str())
                    .or_default()
                    .push((*s, d));
            }
        }
        Planner {
            platform,
            secret_files: &loaded.secret_files,
            values_files: &loaded.values_files,
            releases: releases::install_order(&loaded.releases),
            services,
            by_name,
            consumers,
            files: Vec::new(),
        }
    }

    /// The services that depend on `name`, each with its edge.
    fn consumers_of(&self, name: &str) -> &[(&'a LoadedService, &'a Dependency)] {
        self.consumers.get(name).map_or(&[], Vec::as_slice)
    }

    /// The base, each service, each environment, the GitOps engines, the
    /// README, and the root kustomization that builds it all.
    fn run(mut self) -> Plan {
        self.plan_base();
        let mut dirs = vec![BASE_DIR.to_string()];
        dirs.extend(self.plan_releases());
        dirs.extend(self.plan_monitoring());
        for svc in self.services.clone() {
            dirs.push(self.plan_service(svc));
        }
        let mut envs = Vec::new();
        for env in &self.platform.environments {
            let placements = self.plan_environment(env);
            envs.push((env, placements));
        }
        if let Some(g) = self.platform.gitops.as_ref() {
            if self.engine("argocd") {
                self.plan_argocd(g, &envs);
            }
            if self.engine("flux") {
                self.plan_flux(g, &envs);
            }
        }
        let mut files = std::mem::take(&mut self.files);
        self.guard_substitution(&mut files);
        self.files = files;
        let readme = self.readme();
        self.files.push(readme);
        self.plan_root(dirs);
        for f in &mut self.files {
            meta::one_line_header(&mut f.header);
        }
        Plan { files: self.files }
    }

    /// Adds the kustomization at `path` that lists `resources`.
    fn push_kustomization(&mut self, path: String, header: Header, resources: Vec<String>) {
        self.files.push(PlannedFile {
            path,
            header,
            resource: Resource::Kustomization(Kustomization {
                resources,
                ..Default::default()
            }),
        });
    }

    fn plan_root(&mut self, dirs: Vec<String>) {
        let header = self.header(
            "KUSTOMIZATION: platform root".into(),
            format!(
                "Builds the whole {} platform: the base, its releases and every service",
                self.part_of()
            ),
            "every directory listed below".into(),
            "all waves".into(),
            "platform.toml, services/*.toml".into(),
        );
        self.push_kustomization(KUSTOMIZATION.into(), header, dirs);
    }

    /// Whether the platform deploys with `engine` (`argocd`, `flux`).
    fn engine(&self, engine: &str) -> bool {
        self.platform
            .gitops
            .as_ref()
            .is_some_and(|g| g.engines.iter().any(|e| e.get_ref() == engine))
    }

    /// The clusters `engine` manages.
    fn clusters_of(&self, engine: &str) -> Vec<&'a Cluster> {
        let Some(g) = self.platform.gitops.as_ref() else {
            return vec![];
        };
        self.platform
            .clusters
            .iter()
            .filter(|c| g.manages(engine, c))
            .collect()
    }

    /// The platform's name: `app.kubernetes.io/part-of` of everything.
    fn part_of(&self) -> &str {
        self.platform.platform.name.get_ref()
    }

    /// A namespace as environment `env` runs it (the base name outside an
    /// environment): the one mapping every component's namespace goes
    /// through.
    pub(crate) fn namespace_in(&self, env: Option<&Environment>, base: &str) -> String {
        self.platform.namespace_in(env, base)
    }

    /// The services `env` runs (every service outside an environment), in
    /// output order.
    pub(super) fn services_in(&self, env: Option<&Environment>) -> Vec<&'a LoadedService> {
        self.services
            .iter()
            .copied()
            .filter(|s| env.is_none_or(|e| !e.exclude.iter().any(|x| x.get_ref() == &s.name)))
            .collect()
    }

    /// The base namespaces `env` uses: the platform's first, then those of
    /// the services it runs.
    pub(super) fn namespaces(&self, env: Option<&Environment>) -> Vec<String> {
        let mut v = vec![self.platform.platform.namespace.get_ref().clone()];
        for s in self.services_in(env) {
            let ns = namespace_of(self.platform, s);
            if !v.contains(&ns) {
                v.push(ns);
            }
        }
        v
    }
}

fn category<'a>(p: &'a PlatformFile, s: &LoadedService) -> Option<&'a Category> {
    p.categories
        .iter()
        .find(|c| c.name.get_ref() == s.file.category.get_ref())
}

fn namespace_of(p: &PlatformFile, s: &LoadedService) -> String {
    p.namespace_of(&s.file).to_string()
}

/// Text on one line, runs of white space collapsed: for headers and
/// annotations.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
