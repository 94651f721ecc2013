//! One service: its directory of resources, planned concern by concern. A
//! service is planned as the base runs it and, for each environment, as the
//! environment runs it (the overlay is the difference).

use super::{Planner, category, namespace_of};
use crate::ir::{Kustomization, PlannedFile, Resource};
use crate::layout::{DEFAULTS_COMPONENT, KUSTOMIZATION, service_dir};
use crate::load::LoadedService;
use crate::model::{Environment, Override, WorkloadKind};

/// The facts every concern of one service starts from.
pub(super) struct ServicePlanner<'p, 'a> {
    pub p: &'p Planner<'a>,
    pub svc: &'a LoadedService,
    /// The environment being planned; None for the base.
    pub env: Option<&'a Environment>,
    pub kind: WorkloadKind,
    /// The service's base namespace, which its objects' metadata names (an
    /// environment's overlay moves them to its own name for it).
    pub namespace: String,
    pub dir: String,
    pub wave: u32,
    pub category: String,
    /// Value of `app.kubernetes.io/component`.
    pub component: String,
}

impl<'p, 'a> ServicePlanner<'p, 'a> {
    pub(super) fn new(p: &'p Planner<'a>, svc: &'a LoadedService) -> Self {
        let cat = category(p.platform, svc);
        let category = svc.file.category.get_ref().clone();
        ServicePlanner {
            p,
            svc,
            env: None,
            kind: svc.file.kind(),
            namespace: namespace_of(p.platform, svc),
            dir: service_dir(&category, &svc.name),
            wave: cat.map_or(0, |c| *c.wave.get_ref()),
            component: cat.map_or_else(String::new, |c| c.component.get_ref().clone()),
            category,
        }
    }

    /// The same service as the environment runs it.
    pub(super) fn in_env(mut self, env: &'a Environment) -> Self {
        self.env = Some(env);
        self
    }

    pub(super) fn name(&self) -> &str {
        &self.svc.name
    }

    /// A base namespace as this service's environment runs it: the name
    /// every reference to another namespace uses.
    pub(super) fn ns_in(&self, base: &str) -> String {
        self.p.namespace_in(self.env, base)
    }

    /// The namespace the service runs in here.
    pub(super) fn runs_in(&self) -> String {
        self.ns_in(&self.namespace)
    }

    /// The environment's changes to this service, if any.
    pub(super) fn env_override(&self) -> Option<&'a Override> {
        self.env.and_then(|e| e.overrides.get(&self.svc.name))
    }

    /// The number of `svc`'s port `name` (checked to exist).
    pub(super) fn port_of(svc: &LoadedService, name: &str) -> u32 {
        svc.file
            .ports
            .iter()
            .find(|p| p.name.get_ref() == name)
            .map_or(0, |p| *p.port.get_ref())
    }

    /// Every file of the service's directory but its kustomization, in the
    /// order its kustomization lists them.
    pub(super) fn files(&self) -> Vec<PlannedFile> {
        let config = self.config_data();
        let mut out = vec![self.workload_file(&config)];
        out.extend(self.service_file());
        out.extend(self.config_map_files(config));
        out.extend(self.secret_files());
        out.extend(self.claim_files());
        out.extend(self.hpa_file());
        out.extend(self.pdb_file());
        out.extend(self.network_policy_file());
        out.extend(self.monitor_file());
        out.extend(self.route_files());
        self.p.guard_substitution(&mut out);
        out
    }
}

impl<'a> Planner<'a> {
    /// Plans one service's directory; returns its path.
    pub(super) fn plan_service(&mut self, svc: &'a LoadedService) -> String {
        let sp = ServicePlanner::new(self, svc);
        let dir = sp.dir.clone();
        let prefix = format!("{dir}/");
        let files = sp.files();
        let resources = files
            .iter()
            .filter_map(|f| f.path.strip_prefix(&prefix))
            .map(str::to_string)
            .collect();
        let depth = dir.matches('/').count() + 1;
        let kustomization = PlannedFile {
            path: format!("{dir}/{KUSTOMIZATION}"),
            header: sp.header(
                "KUSTOMIZATION",
                format!("Lists the resources of {}", svc.name),
            ),
            resource: Resource::Kustomization(Kustomization {
                namespace: Some(sp.namespace.clone()),
                resources,
                components: vec![format!("{}{DEFAULTS_COMPONENT}", "../".repeat(depth))],
                ..Default::default()
            }),
        };
        self.files.extend(files);
        self.files.push(kustomization);
        dir
    }
}
