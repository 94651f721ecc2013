//! Environments, clusters, the GitOps engines, and autoscaling: the checks
//! that span services and platform.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::Loaded;

pub fn check(loaded: &Loaded, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let src = &loaded.platform_source;
    let services: BTreeMap<&str, &crate::load::LoadedService> = loaded
        .services
        .iter()
        .map(|s| (s.name.as_str(), s))
        .collect();
    let categories: BTreeSet<&str> = p
        .categories
        .iter()
        .map(|c| c.name.get_ref().as_str())
        .collect();

    if let Some(g) = &p.gitops {
        let mut seen = BTreeSet::new();
        for e in &g.engines {
            if !["argocd", "flux"].contains(&e.get_ref().as_str()) || !seen.insert(e.get_ref()) {
                d.push(Diagnostic::at(
                    "E0132",
                    src,
                    e.span(),
                    format!(
                        "`{}` is not a GitOps engine, or is named twice",
                        e.get_ref()
                    ),
                    "name `argocd`, `flux`, or both, once each",
                ));
            }
        }
        if g.engines.is_empty() {
            d.push(
                Diagnostic::at(
                    "E0132",
                    src,
                    0..0,
                    "no GitOps engine is named",
                    "set engines = [\"argocd\"] or [\"flux\"]",
                )
                .field("gitops.engines"),
            );
        }
    }

    let mut cluster_names = BTreeSet::new();
    for c in &p.clusters {
        if !super::is_dns_label(c.name.get_ref())
            || !cluster_names.insert(c.name.get_ref().as_str())
        {
            d.push(Diagnostic::at(
                "E0131",
                src,
                c.name.span(),
                format!(
                    "cluster name `{}` is invalid or used twice",
                    c.name.get_ref()
                ),
                "give each cluster a unique lower-case name",
            ));
        }
        for cat in &c.categories {
            if !categories.contains(cat.get_ref().as_str()) {
                d.push(Diagnostic::at(
                    "E0131",
                    src,
                    cat.span(),
                    format!("unknown category `{}`", cat.get_ref()),
                    format!(
                        "use one of: {}",
                        categories.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
    }
    if !p.environments.is_empty() && p.clusters.is_empty() {
        d.push(
            Diagnostic::at(
                "E0131",
                src,
                p.environments[0].name.span(),
                "environments need at least one [[clusters]] entry to run on",
                "declare the cluster: [[clusters]] name = \"…\" server = \"https://kubernetes.default.svc\"",
            )
            .field("clusters"),
        );
    }

    let mut env_names = BTreeSet::new();
    let mut placements: BTreeSet<(String, String)> = BTreeSet::new();
    for env in &p.environments {
        if !super::is_dns_label(env.name.get_ref())
            || !env_names.insert(env.name.get_ref().as_str())
        {
            d.push(Diagnostic::at(
                "E0130",
                src,
                env.name.span(),
                format!(
                    "environment name `{}` is invalid or used twice",
                    env.name.get_ref()
                ),
                "give each environment a unique lower-case name",
            ));
        }
        if !super::is_dns_label(env.namespace.get_ref()) {
            d.push(Diagnostic::at(
                "E0130",
                src,
                env.namespace.span(),
                format!("`{}` is not a valid namespace", env.namespace.get_ref()),
                "use lower-case letters, digits and `-`",
            ));
        }
        if !env.domain.get_ref().split('.').all(super::is_dns_label) {
            d.push(Diagnostic::at(
                "E0130",
                src,
                env.domain.span(),
                format!("`{}` is not a valid domain", env.domain.get_ref()),
                "write a DNS name such as `staging.example.com`",
            ));
        }
        for c in &env.clusters {
            if !cluster_names.contains(c.get_ref().as_str()) {
                d.push(Diagnostic::at(
                    "E0130",
                    src,
                    c.span(),
                    format!("unknown cluster `{}`", c.get_ref()),
                    format!(
                        "use one of: {}",
                        cluster_names.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        for x in &env.exclude {
            if !services.contains_key(x.get_ref().as_str()) {
                d.push(Diagnostic::at(
                    "E0130",
                    src,
                    x.span(),
                    format!("unknown service `{}`", x.get_ref()),
                    "exclude a service under services/",
                ));
            }
        }
        // Each service the environment runs lands on exactly one cluster, and
        // two environments never share a namespace on one cluster.
        let env_clusters = p.env_clusters(env);
        for c in &env_clusters {
            if !placements.insert((c.name.get_ref().clone(), env.namespace.get_ref().clone())) {
                d.push(Diagnostic::at(
                    "E0130",
                    src,
                    env.namespace.span(),
                    format!(
                        "namespace `{}` is already used by another environment on cluster `{}`",
                        env.namespace.get_ref(),
                        c.name.get_ref()
                    ),
                    "give each environment on a cluster its own namespace",
                ));
            }
        }
        for svc in &loaded.services {
            if env.exclude.iter().any(|x| x.get_ref() == &svc.name) {
                continue;
            }
            if let Some(ns) = &svc.file.namespace {
                d.push(Diagnostic::at(
                    "E0130",
                    &svc.source,
                    ns.span(),
                    "a service with its own namespace cannot be deployed to environments yet: each environment replaces the platform namespace",
                    "remove `namespace` (or exclude the service from the environments)",
                ));
            }
            let hosts = env_clusters
                .iter()
                .filter(|c| c.runs(svc.file.category.get_ref()))
                .count();
            if !env_clusters.is_empty() && hosts != 1 {
                d.push(Diagnostic::at(
                    "E0131",
                    src,
                    env.name.span(),
                    format!(
                        "`{}` (category {}) would run on {hosts} of environment `{}`'s clusters",
                        svc.name,
                        svc.file.category.get_ref(),
                        env.name.get_ref()
                    ),
                    "give each category to exactly one of the environment's clusters ([[clusters]] categories)",
                ));
            }
        }
        for (name, o) in &env.overrides {
            let Some(svc) = services.get(name.as_str()) else {
                d.push(
                    Diagnostic::at(
                        "E0130",
                        src,
                        env.name.span(),
                        format!(
                            "environment `{}` overrides unknown service `{name}`",
                            env.name.get_ref()
                        ),
                        "override a service under services/",
                    )
                    .field(format!("environments.overrides.{name}")),
                );
                continue;
            };
            if let Some(r) = &o.replicas
                && svc.file.autoscaling.is_some()
            {
                d.push(Diagnostic::at(
                    "E0133",
                    src,
                    r.span(),
                    format!("`{name}` is autoscaled: its replicas follow its HPA"),
                    "remove the override, or change the service's [autoscaling]",
                ));
            }
            for (what, q) in [("cpu", &o.cpu), ("memory", &o.memory)] {
                if let Some(q) = q {
                    super::check_quantities(src, what, q, d);
                }
            }
        }
    }

    for svc in &loaded.services {
        let Some(a) = &svc.file.autoscaling else {
            continue;
        };
        let (min, max) = (*a.min.get_ref(), *a.max.get_ref());
        let mut problem = |span: std::ops::Range<usize>, message: String, help: &str| {
            d.push(Diagnostic::at("E0133", &svc.source, span, message, help));
        };
        if min == 0 || max < min {
            problem(
                a.max.span(),
                format!("autoscaling from {min} to {max} replicas is not a range"),
                "set 1 ≤ min ≤ max",
            );
        }
        if a.cpu.is_none() && a.memory.is_none() {
            problem(
                a.min.span(),
                "autoscaling needs a cpu or memory target".into(),
                "set cpu = 70 or memory = 80 (percent of the request)",
            );
        }
        for t in [&a.cpu, &a.memory].into_iter().flatten() {
            if *t.get_ref() == 0 || *t.get_ref() > 1000 {
                problem(
                    t.span(),
                    format!("{}% is not a usable utilisation target", t.get_ref()),
                    "use a percentage of the request between 1 and 1000",
                );
            }
        }
        if let Some(r) = &svc.file.replicas {
            problem(
                r.span(),
                "an autoscaled service's replicas follow its HPA".into(),
                "remove `replicas`: it starts at the autoscaling minimum",
            );
        }
        if svc.file.kind() == crate::model::WorkloadKind::DaemonSet {
            problem(
                a.min.span(),
                "a DaemonSet cannot be autoscaled".into(),
                "remove [autoscaling]",
            );
        }
    }
}
