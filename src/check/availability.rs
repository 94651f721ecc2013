//! Availability: autoscaling ranges and targets, on workloads that can
//! scale.

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::{Loaded, LoadedService};
use crate::model::{Autoscaling, WorkloadKind};

pub(super) fn check(loaded: &Loaded, d: &mut Diagnostics) {
    for svc in &loaded.services {
        if let Some(a) = &svc.file.autoscaling {
            check_autoscaling(svc, a, d);
        }
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
