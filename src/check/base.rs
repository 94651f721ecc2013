//! The platform base: its priority classes and the default class.

use std::collections::BTreeSet;

use super::{one_of, require_label, require_unique};
use crate::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::model::PlatformFile;

pub(super) fn check(file: &SourceFile, p: &PlatformFile, d: &mut Diagnostics) {
    let mut classes = BTreeSet::new();
    for pc in &p.priority_classes {
        require_unique(&mut classes, &pc.name, "priority class", file, d);
        require_label(&pc.name, "Kubernetes name", file, d);
        let value = *pc.value.get_ref();
        if value > 1_000_000_000 {
            d.push(Diagnostic::at(
                "E0312",
                file,
                pc.value.span(),
                format!("priority {value} is above 1000000000, which the API server keeps for system classes"),
                "use a value of at most 1000000000 (seed 000 uses 1000000 for critical services)",
            ));
        }
        if pc.name.get_ref().starts_with("system-") {
            d.push(Diagnostic::at(
                "E0312",
                file,
                pc.name.span(),
                format!(
                    "`{}` starts with `system-`, a prefix the API server keeps for its own classes",
                    pc.name.get_ref()
                ),
                "name the class after the platform (`<platform>-critical`)",
            ));
        }
        if let Some(pp) = &pc.preemption_policy {
            one_of(pp, &["PreemptLowerPriority", "Never"], file, d);
        }
    }
    for g in p
        .priority_classes
        .iter()
        .filter_map(|pc| pc.global_default.as_ref())
        .filter(|g| *g.get_ref())
    {
        d.push(Diagnostic::at(
            "E0013",
            file,
            g.span(),
            "a cluster-wide default priority class is refused by the API server where the cluster has one already",
            "remove global_default: every workload platformc renders names its class ([defaults] priority_class), so the default would only change other teams' pods",
        ));
    }
    let default_class = &p.defaults.priority_class;
    if !classes.contains(default_class.get_ref().as_str()) {
        d.push(Diagnostic::at(
            "E0103",
            file,
            default_class.span(),
            format!("unknown priority class `{}`", default_class.get_ref()),
            did_you_mean(
                default_class.get_ref(),
                classes.iter().copied(),
                "use one of",
            ),
        ));
    }
}
