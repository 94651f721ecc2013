//! The operators and CRDs the rendered tree needs, derived from the kinds
//! actually rendered: each API group with the kinds of it the tree uses, the
//! operator that serves it, and who installs it (one of the platform's own
//! releases, first in the order, or the cluster admin beforehand).

use std::collections::BTreeMap;

use super::Planner;
use crate::ir::{Prerequisite, Resource};

/// The operators platformc knows by the API groups they serve.
pub const OPERATORS: &[(&str, &str)] = &[
    ("argoproj.io", "Argo CD"),
    ("bitnami.com", "Sealed Secrets controller"),
    (
        "external-secrets.io",
        "External Secrets Operator, with the platform's secret store",
    ),
    (
        "gateway.networking.k8s.io",
        "Gateway API CRDs and a gateway controller",
    ),
    ("helm.toolkit.fluxcd.io", "Flux (helm-controller)"),
    ("kustomize.toolkit.fluxcd.io", "Flux (kustomize-controller)"),
    ("kyverno.io", "Kyverno"),
    ("monitoring.coreos.com", "Prometheus Operator"),
    ("operator.victoriametrics.com", "VictoriaMetrics operator"),
    ("source.toolkit.fluxcd.io", "Flux (source-controller)"),
    ("volsync.backube", "VolSync"),
];

/// The API group and kind of a rendered custom resource; None for the
/// built-in kinds and the files that are not resources.
pub fn custom_kind(r: &Resource) -> Option<(String, String)> {
    let (api, kind): (&str, String) = match r {
        Resource::HttpRoute(_) => ("gateway.networking.k8s.io", "HTTPRoute".into()),
        Resource::ExternalSecret(_) => ("external-secrets.io", "ExternalSecret".into()),
        Resource::SealedSecret(_) => ("bitnami.com", "SealedSecret".into()),
        Resource::ClusterPolicy(_) => ("kyverno.io", "ClusterPolicy".into()),
        Resource::PolicyException(_) => ("kyverno.io", "PolicyException".into()),
        Resource::Application(_) => ("argoproj.io", "Application".into()),
        Resource::ApplicationSet(_) => ("argoproj.io", "ApplicationSet".into()),
        Resource::AppProject(_) => ("argoproj.io", "AppProject".into()),
        Resource::GitRepository(_) => ("source.toolkit.fluxcd.io", "GitRepository".into()),
        Resource::HelmRepository(_) => ("source.toolkit.fluxcd.io", "HelmRepository".into()),
        Resource::OciRepository(_) => ("source.toolkit.fluxcd.io", "OCIRepository".into()),
        Resource::FluxKustomization(_) => ("kustomize.toolkit.fluxcd.io", "Kustomization".into()),
        Resource::HelmRelease(_) => ("helm.toolkit.fluxcd.io", "HelmRelease".into()),
        Resource::Monitor(m) => (m.api_version.split('/').next()?, m.kind.clone()),
        Resource::RuleSet(m) => (m.api_version.split('/').next()?, m.kind.clone()),
        _ => return None,
    };
    Some((api.to_string(), kind))
}

impl Planner<'_> {
    /// Every API group the tree uses, those the platform's releases install
    /// first (in install order), then those the cluster admin installs.
    pub(super) fn prerequisites(&self) -> Vec<Prerequisite> {
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in &self.files {
            if let Some((g, k)) = custom_kind(&f.resource) {
                let kinds = groups.entry(g).or_default();
                if !kinds.contains(&k) {
                    kinds.push(k);
                }
            }
        }
        let mut out: Vec<Prerequisite> = Vec::new();
        for (r, _) in &self.releases {
            for g in &r.file.provides {
                let group = g.get_ref();
                let kinds = groups.remove(group).unwrap_or_default();
                out.push(Prerequisite {
                    group: group.clone(),
                    kinds,
                    operator: operator(group),
                    installed_by: format!("the release {} (releases/{}.toml)", r.name, r.name),
                });
            }
        }
        for (group, kinds) in groups {
            out.push(Prerequisite {
                operator: operator(&group),
                group,
                kinds,
                installed_by: "the cluster admin, before the first sync".into(),
            });
        }
        out
    }
}

fn operator(group: &str) -> String {
    OPERATORS.iter().find(|(g, _)| *g == group).map_or_else(
        || format!("the operator of {group}"),
        |(_, o)| o.to_string(),
    )
}
