//! Workloads: a service's name and placement, its image, kind, ports,
//! health checks and resources.

use std::collections::BTreeMap;

use super::{ServiceCx, check_quantities, int32, one_of, port_in_range, require_label};
use crate::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::model::{Check, PlatformFile, ServiceFile, Spanned, WorkloadKind};
use crate::names::{is_dns_label, is_port_name};

pub(super) fn check(cx: &mut ServiceCx<'_>, d: &mut Diagnostics) {
    check_identity(cx, d);
    check_image(cx.src, cx.f, d);
    let (f, src) = (cx.f, cx.src);
    if let Some(p) = &f.pull_policy {
        one_of(p, &["IfNotPresent", "Always", "Never"], src, d);
    }
    if let Some(t) = &f.service_type {
        one_of(t, &["ClusterIP", "NodePort", "LoadBalancer"], src, d);
    }
    if let Some(r) = &f.replicas {
        int32(r, src, d);
    }
    if f.kind() == WorkloadKind::DaemonSet
        && let Some(r) = &f.replicas
    {
        d.push(Diagnostic::at(
            "E0116",
            src,
            r.span(),
            "a DaemonSet runs one pod per node and has no replica count",
            "remove `replicas`",
        ));
    }
    check_ports(cx, d);
    // Health checks (their absence is lint `no-probes`).
    if let Some(h) = &f.health {
        check_probe(cx, &h.check(), "the health check", d);
        if let Some(l) = &h.liveness {
            check_probe(cx, l, "the liveness check", d);
        }
    }
    for (what, q) in [("cpu", &f.resources.cpu), ("memory", &f.resources.memory)] {
        check_quantities(src, what, q, d);
    }
    check_security(cx, d);
}

/// The service's name, namespace, category and priority class.
fn check_identity(cx: &ServiceCx<'_>, d: &mut Diagnostics) {
    let (f, src, svc, p) = (cx.f, cx.src, cx.svc, cx.ix.platform);
    let name_span = f.name.as_ref().map_or(0..0, |n| n.span());
    if !is_dns_label(&svc.name) || svc.name.len() > 52 {
        d.push(
            Diagnostic::at(
                "E0100",
                src,
                name_span,
                format!("`{}` is not a valid service name", svc.name),
                "use lower-case letters, digits and `-`, at most 52 characters (room for the `-secrets` and `-config` suffixes)",
            )
            .field("name"),
        );
    }
    if let Some(ns) = &f.namespace {
        require_label(ns, "namespace", src, d);
    }
    if !cx.ix.waves.contains_key(f.category.get_ref().as_str()) {
        d.push(Diagnostic::at(
            "E0102",
            src,
            f.category.span(),
            format!("unknown category `{}`", f.category.get_ref()),
            did_you_mean(
                f.category.get_ref(),
                p.categories.iter().map(|c| c.name.get_ref().as_str()),
                "use one of the categories of platform.toml",
            ),
        ));
    }
    if let Some(pc) = &f.priority_class
        && !p
            .priority_classes
            .iter()
            .any(|c| c.name.get_ref() == pc.get_ref())
    {
        d.push(Diagnostic::at(
            "E0103",
            src,
            pc.span(),
            format!("unknown priority class `{}`", pc.get_ref()),
            did_you_mean(
                pc.get_ref(),
                p.priority_classes.iter().map(|c| c.name.get_ref().as_str()),
                "use one of the priority classes of platform.toml",
            ),
        ));
    }
}

/// Ports: valid unique names and numbers; their names are recorded for the
/// rules that refer to them.
fn check_ports(cx: &mut ServiceCx<'_>, d: &mut Diagnostics) {
    let src = cx.src;
    let mut numbers = BTreeMap::new();
    for p in &cx.f.ports {
        let n = p.name.get_ref();
        if !is_port_name(n) {
            d.push(Diagnostic::at(
                "E0104",
                src,
                p.name.span(),
                format!("`{n}` is not a valid port name"),
                "use at most 15 lower-case letters, digits and `-`, with at least one letter (grpc, http, http-metrics…)",
            ));
        }
        if !cx.port_names.insert(n.as_str()) {
            d.push(Diagnostic::at(
                "E0104",
                src,
                p.name.span(),
                format!("port name `{n}` is used twice"),
                "give each port a unique name",
            ));
        }
        port_in_range(&p.port, src, d);
        let num = *p.port.get_ref();
        if let Some(prev) = numbers.insert(num, n.as_str()) {
            d.push(Diagnostic::at(
                "E0104",
                src,
                p.port.span(),
                format!("port {num} is already declared as `{prev}`"),
                "give each port a unique number",
            ));
        }
        if let Some(proto) = &p.protocol {
            one_of(proto, &["TCP", "UDP", "SCTP"], src, d);
        }
        if let Some(h) = &p.host_port {
            port_in_range(h, src, d);
        }
    }
}

fn check_image(src: &SourceFile, f: &ServiceFile, d: &mut Diagnostics) {
    let image = &f.image;
    let i = image.get_ref();
    let valid_chars = !i.is_empty()
        && i.bytes().all(|b| {
            b.is_ascii_lowercase()
                || b.is_ascii_digit()
                || matches!(b, b'.' | b'-' | b'_' | b'/' | b':' | b'@')
                || (b.is_ascii_uppercase() && i.contains(':'))
        });
    if !valid_chars {
        d.push(Diagnostic::at(
            "E0118",
            src,
            image.span(),
            format!("`{i}` is not a valid image reference"),
            "write `registry/repository:tag`, or a bare name for the platform's own images",
        ));
        return;
    }
    if f.own_image() {
        return;
    }
    let last = i.rsplit('/').next().unwrap_or(i);
    if !last.contains(':') && !i.contains('@') {
        d.push(Diagnostic::at(
            "E0118",
            src,
            image.span(),
            format!("image `{i}` has no tag or digest"),
            "pin a tag (`mongo:7`) or a digest (`mongo@sha256:…`) so a render always names the same image",
        ));
    }
}

/// A health check names exactly one handler, on one of the service's ports,
/// and an exec check really checks something.
fn check_probe(cx: &ServiceCx<'_>, c: &Check, what: &str, d: &mut Diagnostics) {
    let src = cx.src;
    let count = [
        c.http.is_some(),
        c.grpc.is_some(),
        c.exec.is_some(),
        c.tcp.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if count != 1 {
        d.push(
            Diagnostic::at(
                "E0111",
                src,
                0..0,
                format!(
                    "{what} must name exactly one of http, grpc, exec or tcp (it names {count})"
                ),
                "keep exactly one check",
            )
            .field("health"),
        );
    }
    if let Some(h) = &c.http {
        cx.own_port(&h.port, what, d);
    }
    if let Some(g) = &c.grpc {
        cx.own_port(&g.port, what, d);
    }
    if let Some(t) = &c.tcp {
        cx.own_port(&t.port, what, d);
    }
    if let Some(e) = &c.exec {
        let cmd = e.command.get_ref();
        let joined = cmd.join(" ");
        if cmd.is_empty()
            || joined.trim() == "true"
            || joined.contains("ls /tmp")
            || joined.trim() == "/bin/true"
        {
            d.push(Diagnostic::at(
                "E0111",
                src,
                e.command.span(),
                format!("`{joined}` does not check the service's health"),
                "run a command that fails when the service does not work (a client ping, a health endpoint)",
            ));
        }
    }
}

/// The platform's probe timings and pod identities, which every workload
/// gets unless it states its own.
pub(super) fn check_platform(file: &SourceFile, p: &PlatformFile, d: &mut Diagnostics) {
    let probes = &p.defaults.probes;
    for t in [&probes.readiness, &probes.liveness, &probes.startup] {
        if let Some(v) = &t.initial_delay_seconds {
            probe_timing(v, 0, file, d);
        }
        for v in [&t.period_seconds, &t.timeout_seconds, &t.failure_threshold] {
            probe_timing(v, 1, file, d);
        }
    }
    let s = &p.defaults.security;
    for id in [&s.run_as_user, &s.run_as_group, &s.fs_group] {
        pod_id(id, file, d);
    }
}

/// E0313 when a probe timing is below what the API server accepts.
fn probe_timing(v: &Spanned<i32>, min: i32, file: &SourceFile, d: &mut Diagnostics) {
    if *v.get_ref() < min {
        d.push(Diagnostic::at(
            "E0313",
            file,
            v.span(),
            format!(
                "{} is not a usable probe timing: the API server refuses it",
                v.get_ref()
            ),
            format!("use a value of at least {min}"),
        ));
    }
}

/// E0314 when a user or group id is negative (the API server refuses it).
fn pod_id(v: &Spanned<i64>, file: &SourceFile, d: &mut Diagnostics) {
    if *v.get_ref() < 0 || *v.get_ref() > i64::from(i32::MAX) {
        d.push(Diagnostic::at(
            "E0314",
            file,
            v.span(),
            format!("{} is not a user or group id", v.get_ref()),
            "use the id of the image's user, from 0 to 2147483647 (65534 is nobody)",
        ));
    }
}

/// The service's own user and group ids and startup attempts.
fn check_security(cx: &ServiceCx<'_>, d: &mut Diagnostics) {
    let (f, src) = (cx.f, cx.src);
    if let Some(s) = &f.security {
        for id in [&s.run_as_user, &s.run_as_group, &s.fs_group]
            .into_iter()
            .flatten()
        {
            pod_id(id, src, d);
        }
    }
    if let Some(st) = f.health.as_ref().and_then(|h| h.startup.as_ref()) {
        probe_timing(&st.failure_threshold, 1, src, d);
    }
}
