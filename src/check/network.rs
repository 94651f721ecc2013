//! Network: the isolation settings, the dependency graph (every edge names
//! a service and one of its ports, in an earlier or the same wave), egress
//! to the internet, and egress to address ranges, other namespaces and the
//! platform's named external endpoints.

use std::collections::{BTreeMap, BTreeSet};

use super::config::check_env_slot;
use super::{ServiceCx, one_of, port_in_range, require_label, require_unique};
use crate::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::load::{Loaded, LoadedRelease, LoadedService};
use crate::model::{Dependency, Egress, PlatformFile, Spanned, WorkloadKind};
use crate::names::{is_hostname, is_ipv4_cidr};

pub(super) fn check_platform(file: &SourceFile, p: &PlatformFile, d: &mut Diagnostics) {
    if let Some(net) = &p.network {
        for r in &net.private_ranges {
            require_cidr(r, "E0014", file, d);
        }
    }
    let mut names = BTreeSet::new();
    for x in &p.externals {
        require_unique(&mut names, &x.name, "external", file, d);
        require_label(&x.name, "external name", file, d);
        for c in &x.cidrs {
            require_cidr(c, "E0156", file, d);
        }
        for port in &x.ports {
            port_in_range(port, file, d);
        }
        if x.cidrs.is_empty() || x.ports.is_empty() {
            d.push(Diagnostic::at(
                "E0156",
                file,
                x.name.span(),
                format!(
                    "external `{}` needs its addresses and ports",
                    x.name.get_ref()
                ),
                "list the CIDR ranges it answers on (`cidrs`) and its ports",
            ));
        }
        if let Some(h) = &x.host
            && !is_hostname(h.get_ref())
        {
            d.push(Diagnostic::at(
                "E0156",
                file,
                h.span(),
                format!("`{}` is not a host name", h.get_ref()),
                "write the DNS name services use, such as s3.example.com",
            ));
        }
        if let Some(proto) = &x.protocol {
            one_of(proto, &["TCP", "UDP", "SCTP"], file, d);
        }
    }
}

fn require_cidr(r: &Spanned<String>, code: &'static str, file: &SourceFile, d: &mut Diagnostics) {
    if !is_ipv4_cidr(r.get_ref()) {
        d.push(Diagnostic::at(
            code,
            file,
            r.span(),
            format!("`{}` is not an IPv4 CIDR range", r.get_ref()),
            "write an address and a prefix length, such as `10.0.0.0/8`",
        ));
    }
}

pub(super) fn check_service(cx: &mut ServiceCx<'_>, d: &mut Diagnostics) {
    for dep in &cx.f.depends_on {
        check_dependency(cx, dep, d);
    }
    for i in &cx.f.internet {
        port_in_range(&i.port, cx.src, d);
        if let Some(proto) = &i.protocol {
            one_of(proto, &["TCP", "UDP", "SCTP"], cx.src, d);
        }
    }
    for e in &cx.f.egress {
        check_egress(cx, e, d);
    }
}

/// One `[[egress]]`: exactly one destination, known and outside the
/// platform, with ports.
fn check_egress(cx: &mut ServiceCx<'_>, e: &Egress, d: &mut Diagnostics) {
    let (src, p) = (cx.src, cx.ix.platform);
    let targets = [
        e.cidrs.is_some(),
        e.namespace.is_some(),
        e.external.is_some(),
    ];
    let at = e
        .namespace
        .as_ref()
        .or(e.external.as_ref())
        .or(e.cidrs.as_ref().and_then(|c| c.first()))
        .map(Spanned::span)
        .or(e.ports.first().map(Spanned::span))
        .unwrap_or(0..0);
    let problem = |d: &mut Diagnostics, message: String, help: &str| {
        d.push(Diagnostic::at("E0154", src, at.clone(), message, help));
    };
    if targets.iter().filter(|t| **t).count() != 1 {
        problem(
            d,
            "an egress names exactly one destination: `cidrs`, `namespace` or `external`".into(),
            "split it into one [[egress]] per destination",
        );
        return;
    }
    for c in e.cidrs.iter().flatten() {
        require_cidr(c, "E0154", src, d);
    }
    for port in &e.ports {
        port_in_range(port, src, d);
    }
    if let Some(proto) = &e.protocol {
        one_of(proto, &["TCP", "UDP", "SCTP"], src, d);
    }
    if e.external.is_none() && e.ports.is_empty() {
        problem(
            d,
            "an egress to addresses or a namespace needs its ports".into(),
            "list the ports the service connects to (`ports = [4317]`)",
        );
    }
    if e.cidrs.as_ref().is_some_and(Vec::is_empty) {
        problem(
            d,
            "an egress lists no address range".into(),
            "list the CIDR ranges it reaches",
        );
    }
    if (!e.pods.is_empty() || e.service.is_some()) && e.namespace.is_none() {
        problem(
            d,
            "`pods` and `service` select within a `namespace`".into(),
            "add the namespace, or drop them",
        );
    }
    if let Some(ns) = &e.namespace {
        if cx.ix.namespaces.contains(ns.get_ref()) {
            problem(
                d,
                format!("`{}` is one of the platform's namespaces", ns.get_ref()),
                "depend on the service there instead ([[depends_on]]): both sides of the edge follow",
            );
        }
        require_label(ns, "namespace", src, d);
    }
    if let Some(x) = &e.external
        && !p.externals.iter().any(|y| y.name.get_ref() == x.get_ref())
    {
        d.push(Diagnostic::at(
            "E0155",
            src,
            x.span(),
            format!("unknown external `{}`", x.get_ref()),
            did_you_mean(
                x.get_ref(),
                p.externals.iter().map(|y| y.name.get_ref().as_str()),
                "declare it in platform.toml [[externals]], or use one of",
            ),
        ));
    }
    check_egress_address(cx, e, at, d);
}

/// One edge: a known service other than itself, one of its ports, not in a
/// later wave; its address variable a free ConfigMap key.
fn check_dependency(cx: &mut ServiceCx<'_>, dep: &Dependency, d: &mut Diagnostics) {
    let (svc, src, ix) = (cx.svc, cx.src, cx.ix);
    let target = dep.service.get_ref();
    if target == &svc.name {
        d.push(Diagnostic::at(
            "E0107",
            src,
            dep.service.span(),
            "a service cannot depend on itself",
            "remove the dependency",
        ));
        return;
    }
    if let Some(r) = ix.releases.get(target.as_str()) {
        check_release_dependency(cx, dep, r, d);
        return;
    }
    let Some(t) = ix.services.get(target.as_str()) else {
        if !ix.unparsed.iter().any(|u| u == target) {
            d.push(Diagnostic::at(
                "E0107",
                src,
                dep.service.span(),
                format!("unknown service `{target}`"),
                did_you_mean(
                    target,
                    ix.services.keys().chain(ix.releases.keys()).copied(),
                    "depend on one of the services under services/ or releases under releases/",
                ),
            ));
        }
        return;
    };
    if t.file.runs_to_completion() {
        check_job_dependency(cx, dep, t, d);
        return;
    }
    check_port_of(cx, dep, t, d);
    if let (Some(mine), Some(theirs)) = (ix.wave_of(svc), ix.wave_of(t))
        && theirs > mine
    {
        d.push(Diagnostic::at(
            "E0109",
            src,
            dep.service.span(),
            format!(
                "`{}` (wave {mine}, {}) depends on `{target}` (wave {theirs}, {}), which starts later",
                svc.name,
                svc.file.category.get_ref(),
                t.file.category.get_ref()
            ),
            format!(
                "move `{target}` to a category of wave {mine} or lower, or `{}` to one of wave {theirs} or higher",
                svc.name
            ),
        ));
    }
    if let Some(env) = &dep.env {
        check_env_slot(src, &dep.service, env, "a dependency", &mut cx.env_names, d);
    }
}

/// An egress's address variable: a destination with a name, and a free
/// ConfigMap key.
fn check_egress_address(
    cx: &mut ServiceCx<'_>,
    e: &Egress,
    at: std::ops::Range<usize>,
    d: &mut Diagnostics,
) {
    let (src, p) = (cx.src, cx.ix.platform);
    if let Some(env) = &e.env {
        let addressable = e.service.is_some()
            || e.external.as_ref().is_some_and(|x| {
                p.externals
                    .iter()
                    .any(|y| y.name.get_ref() == x.get_ref() && y.host.is_some())
            });
        if !addressable {
            d.push(Diagnostic::at(
                "E0154",
                src,
                at.clone(),
                format!("`{env}` would receive no address: the destination has no name"),
                "name the `service` in the namespace, or give the external a `host`",
            ));
        }
        let slot = e.namespace.as_ref().or(e.external.as_ref());
        if let Some(slot) = slot {
            check_env_slot(src, slot, env, "an egress", &mut cx.env_names, d);
        }
    }
}

/// An edge to a Helm release: installed before every environment, so it
/// orders itself; a port, when given, is one of the pods it declares, and
/// the service's network policy allows exactly that.
fn check_release_dependency(
    cx: &ServiceCx<'_>,
    dep: &Dependency,
    r: &LoadedRelease,
    d: &mut Diagnostics,
) {
    let target = dep.service.get_ref();
    let ports: Vec<&str> = r
        .file
        .pods
        .iter()
        .flat_map(|p| p.ports.iter().map(|p| p.name.get_ref().as_str()))
        .collect();
    if let Some(port) = &dep.port
        && !ports.contains(&port.get_ref().as_str())
    {
        d.push(Diagnostic::at(
            "E0108",
            cx.src,
            port.span(),
            format!(
                "release `{target}` declares no pod port named `{}`",
                port.get_ref()
            ),
            did_you_mean(
                port.get_ref(),
                ports.iter().copied(),
                &format!(
                    "use one of its [pods] ports, or declare the port in releases/{target}.toml"
                ),
            ),
        ));
    }
    if dep.env.is_some() || dep.scheme.is_some() {
        d.push(Diagnostic::at(
            "E0108",
            cx.src,
            dep.service.span(),
            format!("`{target}` is a Helm release: platformc does not know the name of its Service"),
            "remove `env` and `scheme`, and set the address in [env] (<service>.<namespace>.svc.cluster.local:<port>)",
        ));
    }
}

/// The port an edge to a serving service uses: named, and one of its ports.
fn check_port_of(cx: &ServiceCx<'_>, dep: &Dependency, t: &LoadedService, d: &mut Diagnostics) {
    let target = dep.service.get_ref();
    let ports = || {
        t.file
            .ports
            .iter()
            .map(|p| p.name.get_ref().as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(port) = &dep.port else {
        d.push(Diagnostic::at(
            "E0108",
            cx.src,
            dep.service.span(),
            format!("the dependency on `{target}` names no port"),
            format!("name the port it uses: port = one of {}", ports()),
        ));
        return;
    };
    if !t
        .file
        .ports
        .iter()
        .any(|p| p.name.get_ref() == port.get_ref())
    {
        d.push(Diagnostic::at(
            "E0108",
            cx.src,
            port.span(),
            format!("service `{target}` has no port named `{}`", port.get_ref()),
            format!("use one of its ports: {}", ports()),
        ));
    }
}

/// An edge to a Job orders the two and nothing more: no port, no address;
/// the Job runs in an earlier wave (Argo CD starts a wave only once the
/// previous one is Healthy, a Job once it completed). A CronJob runs on its
/// own schedule: nothing can wait for it.
fn check_job_dependency(
    cx: &ServiceCx<'_>,
    dep: &Dependency,
    t: &LoadedService,
    d: &mut Diagnostics,
) {
    let (svc, src, target) = (cx.svc, cx.src, dep.service.get_ref());
    let mut problem = |span: std::ops::Range<usize>, message: String, help: String| {
        d.push(Diagnostic::at("E0173", src, span, message, help));
    };
    if t.file.kind() == WorkloadKind::CronJob {
        problem(
            dep.service.span(),
            format!(
                "`{target}` is a CronJob: it runs on its schedule, and nothing can wait for it"
            ),
            "remove the dependency; to run once before this service, make it a Job".into(),
        );
        return;
    }
    if let Some(port) = &dep.port {
        problem(
            port.span(),
            format!(
                "`{target}` is a Job and serves no port: a dependency on it only orders the two"
            ),
            "remove `port` (and `env`, `scheme`)".into(),
        );
    }
    if dep.env.is_some() || dep.scheme.is_some() {
        problem(
            dep.service.span(),
            format!("`{target}` is a Job: it has no address to put in a variable"),
            "remove `env` and `scheme`".into(),
        );
    }
    if let (Some(mine), Some(theirs)) = (cx.ix.wave_of(svc), cx.ix.wave_of(t))
        && theirs >= mine
    {
        problem(
            dep.service.span(),
            format!(
                "`{}` (wave {mine}) waits for the Job `{target}` (wave {theirs}), which must complete in an earlier wave",
                svc.name
            ),
            format!(
                "move `{target}` to a category of a wave below {mine}: Argo CD orders Applications by wave, and a Job's wave ends once it has completed"
            ),
        );
    }
}

/// E0310 for every cycle of dependencies between services: each would wait
/// for the other to be ready first (Argo CD's waves, Flux's `dependsOn`),
/// and none would ever start. Later waves are refused apart (E0109), so a
/// cycle lies within one wave.
pub(super) fn check_cycles(loaded: &Loaded, d: &mut Diagnostics) {
    let services: BTreeMap<&str, &LoadedService> = loaded
        .services
        .iter()
        .map(|s| (s.name.as_str(), s))
        .collect();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut reported: BTreeSet<Vec<&str>> = BTreeSet::new();
    for start in services.keys() {
        if !done.contains(start) {
            walk(&services, &mut vec![*start], &mut done, &mut reported, d);
        }
    }
}

/// Depth-first from the last service of `path`, reporting each cycle once.
fn walk<'a>(
    services: &BTreeMap<&'a str, &'a LoadedService>,
    path: &mut Vec<&'a str>,
    done: &mut BTreeSet<&'a str>,
    reported: &mut BTreeSet<Vec<&'a str>>,
    d: &mut Diagnostics,
) {
    let Some(svc) = path.last().and_then(|n| services.get(n)) else {
        return;
    };
    for dep in &svc.file.depends_on {
        let target = dep.service.get_ref().as_str();
        if done.contains(target) || !services.contains_key(target) {
            continue;
        }
        if let Some(i) = path.iter().position(|n| *n == target) {
            let cycle: Vec<&str> = path[i..].to_vec();
            let mut key = cycle.clone();
            key.sort_unstable();
            if reported.insert(key) {
                let mut shown = cycle.join("` → `");
                shown.push_str(&format!("` → `{target}"));
                d.push(Diagnostic::at(
                    "E0310",
                    &svc.source,
                    dep.service.span(),
                    format!("the dependencies `{shown}` form a cycle: each would wait for the other to be ready, and none would start"),
                    "remove one of these dependencies (a service that only calls back needs no `depends_on` on its caller)",
                ));
            }
            continue;
        }
        path.push(target);
        walk(services, path, done, reported, d);
        path.pop();
    }
    // Explored: any cycle through it has been reported.
    done.insert(svc.name.as_str());
}
