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
        if let Some(pp) = &pc.preemption_policy {
            one_of(pp, &["PreemptLowerPriority", "Never"], file, d);
        }
    }
    if p.priority_classes
        .iter()
        .filter(|pc| pc.global_default)
        .count()
        > 1
    {
        d.push(Diagnostic::at(
            "E0013",
            file,
            p.priority_classes[0].name.span(),
            "more than one priority class is the global default",
            "set `global_default = true` on one class only",
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
