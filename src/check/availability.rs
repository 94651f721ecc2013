//! Availability: autoscaling ranges and targets, on workloads that can
//! scale (the service's and each environment's); disruption budgets of a
//! valid shape that render where they are asked for and let a drain finish.

use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::load::{Loaded, LoadedService};
use crate::model::{
    Autoscaling, AutoscalingOverride, IntOrPercent, PdbSetting, ServiceFile, Spanned, WorkloadKind,
    pdb_shape,
};

pub(super) fn check(loaded: &Loaded, d: &mut Diagnostics) {
    for svc in &loaded.services {
        if let Some(a) = &svc.file.autoscaling {
            check_autoscaling(svc, a, d);
        }
        if let Some(p) = &svc.file.pdb {
            check_pdb_shape(p, &svc.source, d);
        }
        check_pdb_renders(loaded, svc, d);
    }
}

fn check_autoscaling(svc: &LoadedService, a: &Autoscaling, d: &mut Diagnostics) {
    for bound in [&a.min, &a.max] {
        super::int32(bound, &svc.source, d);
    }
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
    if svc.file.kind() == WorkloadKind::DaemonSet {
        problem(
            a.min.span(),
            "a DaemonSet cannot be autoscaled".into(),
            "remove [autoscaling]",
        );
    }
}

/// A budget shape: exactly one of `min_available` and `max_unavailable`,
/// each a count or a percentage between 0 and 100, and a known eviction
/// policy.
pub(super) fn check_pdb_shape(
    setting: &Spanned<PdbSetting>,
    src: &SourceFile,
    d: &mut Diagnostics,
) {
    let PdbSetting::Shape(s) = setting.get_ref() else {
        return;
    };
    let mut problem = |message: String, help: &str| {
        d.push(Diagnostic::at("E0163", src, setting.span(), message, help));
    };
    if s.min_available.is_some() == s.max_unavailable.is_some() {
        problem(
            "a disruption budget sets exactly one of `min_available` and `max_unavailable`".into(),
            "keep one: `{ min_available = 1 }` or `{ max_unavailable = \"25%\" }`",
        );
    }
    for v in [&s.min_available, &s.max_unavailable].into_iter().flatten() {
        if let IntOrPercent::Percent(p) = v
            && v.percent().is_none_or(|n| n > 100)
        {
            problem(
                format!("`{p}` is not a percentage"),
                "write a count (`1`) or a percentage between 0% and 100% (`\"50%\"`)",
            );
        }
    }
    if let Some(u) = &s.unhealthy_pod_eviction
        && u != "IfHealthyBudget"
        && u != "AlwaysAllow"
    {
        problem(
            format!("`{u}` is not an unhealthy pod eviction policy"),
            "use IfHealthyBudget or AlwaysAllow",
        );
    }
}

/// An environment's autoscaling: a range, a target, and on a workload that
/// can scale.
pub(super) fn check_scaling_override(
    f: &ServiceFile,
    a: &AutoscalingOverride,
    src: &SourceFile,
    d: &mut Diagnostics,
) {
    let span = a
        .min
        .as_ref()
        .or(a.max.as_ref())
        .or(a.cpu.as_ref())
        .or(a.memory.as_ref())
        .map_or(0..0, |v| v.span());
    let mut problem = |message: String, help: &str| {
        d.push(Diagnostic::at("E0165", src, span.clone(), message, help));
    };
    if f.kind() == WorkloadKind::DaemonSet {
        problem(
            "a DaemonSet cannot be autoscaled".into(),
            "remove `autoscaling` from the override",
        );
        return;
    }
    let Some(s) = f.scaling_in(Some(&crate::model::Override {
        autoscaling: Some(a.clone()),
        ..Default::default()
    })) else {
        problem(
            "the service is not autoscaled elsewhere, so the override must give `min`, `max` and a target".into(),
            "write autoscaling = { min = 2, max = 5, cpu = 70 }",
        );
        return;
    };
    if s.min == 0 || s.max < s.min {
        problem(
            format!(
                "autoscaling from {} to {} replicas is not a range",
                s.min, s.max
            ),
            "set 1 ≤ min ≤ max",
        );
    }
    if s.cpu.is_none() && s.memory.is_none() {
        problem(
            "autoscaling needs a cpu or memory target".into(),
            "set cpu = 70 or memory = 80 (percent of the request)",
        );
    }
    if Some(s) == f.scaling_in(None) {
        problem(
            "the override's autoscaling is what the service already has".into(),
            "remove the override: it renders nothing",
        );
    }
}

/// A budget the service or an environment asks for renders somewhere (a
/// workload with more than one replica), and leaves room for a disruption
/// wherever it renders.
fn check_pdb_renders(loaded: &Loaded, svc: &LoadedService, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let envs = std::iter::once(None).chain(p.environments.iter().map(Some));
    let mut renders = false;
    for env in envs {
        if env.is_some_and(|e| e.exclude.iter().any(|x| x.get_ref() == &svc.name)) {
            continue;
        }
        let o = env.and_then(|e| e.overrides.get(&svc.name));
        let setting = o.and_then(|o| o.pdb.as_ref()).or(svc.file.pdb.as_ref());
        let replicas = svc
            .file
            .replicas_in(*p.defaults.replicas.get_ref(), o)
            .unwrap_or(1);
        let Some(shape) = pdb_shape(setting) else {
            continue;
        };
        if replicas <= 1 {
            if let (Some(e), Some(s)) = (env, o.and_then(|o| o.pdb.as_ref())) {
                d.push(Diagnostic::at(
                    "E0164",
                    &loaded.platform_source,
                    s.span(),
                    format!(
                        "`{}` runs {replicas} replica in environment `{}`, so its disruption budget renders nothing",
                        svc.name,
                        e.name.get_ref()
                    ),
                    "remove the override's `pdb`, or run more replicas here",
                ));
            }
            continue;
        }
        renders = true;
        let (src, span) = match o.and_then(|o| o.pdb.as_ref()) {
            Some(s) => (&loaded.platform_source, s.span()),
            None => (&svc.source, setting.map_or(0..0, |s| s.span())),
        };
        if let Some(IntOrPercent::Int(m)) = &shape.min_available
            && *m >= replicas
        {
            d.push(Diagnostic::at(
                "E0163",
                src,
                span.clone(),
                format!(
                    "min_available {m} with {replicas} replicas{} blocks every voluntary disruption (node drains never finish)",
                    env.map_or_else(String::new, |e| format!(" in environment `{}`", e.name.get_ref()))
                ),
                "require fewer pods than the workload runs",
            ));
        }
        if shape.min_available.as_ref().and_then(IntOrPercent::percent) == Some(100)
            || shape.max_unavailable == Some(IntOrPercent::Int(0))
            || shape
                .max_unavailable
                .as_ref()
                .and_then(IntOrPercent::percent)
                == Some(0)
        {
            d.push(Diagnostic::at(
                "E0163",
                src,
                span,
                "the disruption budget allows no pod to be disrupted, so node drains never finish",
                "allow at least one pod to be unavailable",
            ));
        }
    }
    if let Some(s) = &svc.file.pdb
        && s.get_ref().enabled()
        && !renders
    {
        d.push(Diagnostic::at(
            "E0164",
            &svc.source,
            s.span(),
            format!(
                "`{}` never runs more than one replica, so its disruption budget renders nothing",
                svc.name
            ),
            "remove `pdb`, or run more replicas (here or in an environment)",
        ));
    }
}
