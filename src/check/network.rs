//! Network: the isolation settings, the dependency graph (every edge names
//! a service and one of its ports, in an earlier or the same wave) and
//! egress to the internet.

use super::config::check_env_slot;
use super::{ServiceCx, one_of, port_in_range};
use crate::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::load::{LoadedRelease, LoadedService};
use crate::model::{Dependency, PlatformFile, WorkloadKind};
use crate::names::is_ipv4_cidr;

pub(super) fn check_platform(file: &SourceFile, p: &PlatformFile, d: &mut Diagnostics) {
    let Some(net) = &p.network else { return };
    for r in &net.private_ranges {
        if !is_ipv4_cidr(r.get_ref()) {
            d.push(Diagnostic::at(
                "E0014",
                file,
                r.span(),
                format!("`{}` is not an IPv4 CIDR range", r.get_ref()),
                "write an address and a prefix length, such as `10.0.0.0/8`",
            ));
        }
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
