//! Network: the isolation settings, the dependency graph (every edge names
//! a service and one of its ports, in an earlier or the same wave) and
//! egress to the internet.

use super::config::check_env_slot;
use super::{ServiceCx, one_of, port_in_range};
use crate::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::model::{Dependency, PlatformFile};
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
    let Some(t) = ix.services.get(target.as_str()) else {
        if !ix.unparsed.iter().any(|u| u == target) {
            d.push(Diagnostic::at(
                "E0107",
                src,
                dep.service.span(),
                format!("unknown service `{target}`"),
                did_you_mean(
                    target,
                    ix.services.keys().copied(),
                    "depend on one of the services under services/",
                ),
            ));
        }
        return;
    };
    if !t
        .file
        .ports
        .iter()
        .any(|p| p.name.get_ref() == dep.port.get_ref())
    {
        d.push(Diagnostic::at(
            "E0108",
            src,
            dep.port.span(),
            format!(
                "service `{target}` has no port named `{}`",
                dep.port.get_ref()
            ),
            did_you_mean(
                dep.port.get_ref(),
                t.file.ports.iter().map(|p| p.name.get_ref().as_str()),
                "use one of its ports",
            ),
        ));
    }
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
