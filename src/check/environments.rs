//! Environments: valid names, namespaces and domains; references to known
//! clusters and services; every service an environment runs lands on
//! exactly one of its clusters; no two environments share a namespace on a
//! cluster; overrides name known services with valid values.

use std::collections::{BTreeMap, BTreeSet};

use super::check_quantities;
use crate::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::load::{Loaded, LoadedService};
use crate::model::{Environment, PlatformFile};
use crate::names::{is_dns_label, is_hostname};

/// What the rules about one environment look up.
struct Cx<'a> {
    p: &'a PlatformFile,
    src: &'a SourceFile,
    loaded: &'a Loaded,
    services: BTreeMap<&'a str, &'a LoadedService>,
    cluster_names: BTreeSet<&'a str>,
}

pub(super) fn check(loaded: &Loaded, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let src = &loaded.platform_source;
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
    let cx = Cx {
        p,
        src,
        loaded,
        services: loaded
            .services
            .iter()
            .map(|s| (s.name.as_str(), s))
            .collect(),
        cluster_names: p
            .clusters
            .iter()
            .map(|c| c.name.get_ref().as_str())
            .collect(),
    };
    let mut env_names = BTreeSet::new();
    let mut placements = BTreeSet::new();
    for env in &p.environments {
        check_names(&cx, env, &mut env_names, d);
        check_references(&cx, env, d);
        check_placements(&cx, env, &mut placements, d);
        check_overrides(&cx, env, d);
    }
}

/// A unique valid name, a valid namespace and domain.
fn check_names<'a>(
    cx: &Cx<'a>,
    env: &'a Environment,
    env_names: &mut BTreeSet<&'a str>,
    d: &mut Diagnostics,
) {
    let src = cx.src;
    if !is_dns_label(env.name.get_ref()) || !env_names.insert(env.name.get_ref().as_str()) {
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
    if !is_dns_label(env.namespace.get_ref()) {
        d.push(Diagnostic::at(
            "E0130",
            src,
            env.namespace.span(),
            format!("`{}` is not a valid namespace", env.namespace.get_ref()),
            "use lower-case letters, digits and `-`",
        ));
    }
    if !is_hostname(env.domain.get_ref()) {
        d.push(Diagnostic::at(
            "E0130",
            src,
            env.domain.span(),
            format!("`{}` is not a valid domain", env.domain.get_ref()),
            "write a DNS name such as `staging.example.com`",
        ));
    }
}

/// The clusters and excluded services it names exist.
fn check_references(cx: &Cx<'_>, env: &Environment, d: &mut Diagnostics) {
    for c in &env.clusters {
        if !cx.cluster_names.contains(c.get_ref().as_str()) {
            d.push(Diagnostic::at(
                "E0130",
                cx.src,
                c.span(),
                format!("unknown cluster `{}`", c.get_ref()),
                did_you_mean(c.get_ref(), cx.cluster_names.iter().copied(), "use one of"),
            ));
        }
    }
    for x in &env.exclude {
        if !cx.loaded.may_be_service(x.get_ref()) {
            d.push(Diagnostic::at(
                "E0130",
                cx.src,
                x.span(),
                format!("unknown service `{}`", x.get_ref()),
                did_you_mean(
                    x.get_ref(),
                    cx.services.keys().copied(),
                    "exclude a service under services/",
                ),
            ));
        }
    }
}

/// Each service the environment runs lands on exactly one cluster, and two
/// environments never share a namespace on one cluster.
fn check_placements(
    cx: &Cx<'_>,
    env: &Environment,
    placements: &mut BTreeSet<(String, String)>,
    d: &mut Diagnostics,
) {
    let env_clusters = cx.p.env_clusters(env);
    for c in &env_clusters {
        if !placements.insert((c.name.get_ref().clone(), env.namespace.get_ref().clone())) {
            d.push(Diagnostic::at(
                "E0130",
                cx.src,
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
    for svc in &cx.loaded.services {
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
                cx.src,
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
}

/// Overrides name known services; replicas are not overridden under an
/// HPA; resources are valid.
fn check_overrides(cx: &Cx<'_>, env: &Environment, d: &mut Diagnostics) {
    for (name, o) in &env.overrides {
        let Some(svc) = cx.services.get(name.as_str()) else {
            if cx.loaded.may_be_service(name) {
                continue;
            }
            d.push(
                Diagnostic::at(
                    "E0130",
                    cx.src,
                    env.name.span(),
                    format!(
                        "environment `{}` overrides unknown service `{name}`",
                        env.name.get_ref()
                    ),
                    did_you_mean(
                        name,
                        cx.services.keys().copied(),
                        "override a service under services/",
                    ),
                )
                .field(format!("environments.overrides.{name}")),
            );
            continue;
        };
        if let Some(r) = &o.replicas {
            super::int32(r, cx.src, d);
        }
        if let Some(r) = &o.replicas
            && svc.file.autoscaling.is_some()
        {
            d.push(Diagnostic::at(
                "E0133",
                cx.src,
                r.span(),
                format!("`{name}` is autoscaled: its replicas follow its HPA"),
                "remove the override, or change the service's [autoscaling]",
            ));
        }
        for (what, q) in [("cpu", &o.cpu), ("memory", &o.memory)] {
            if let Some(q) = q {
                check_quantities(cx.src, what, q, d);
            }
        }
    }
}
