//! The platform itself: its names and domain, its images, and its
//! categories in wave order.

use std::collections::BTreeSet;

use super::{int32, one_of, require_label, require_unique};
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::layout::RESERVED_DIRS;
use crate::model::PlatformFile;
use crate::names::is_hostname;

pub(super) fn check(file: &SourceFile, p: &PlatformFile, d: &mut Diagnostics) {
    for name in [
        &p.platform.name,
        &p.platform.namespace,
        &p.service_account.name,
    ] {
        require_label(name, "Kubernetes name", file, d);
    }
    if !is_hostname(p.platform.domain.get_ref()) {
        d.push(Diagnostic::at(
            "E0010",
            file,
            p.platform.domain.span(),
            format!("`{}` is not a valid domain", p.platform.domain.get_ref()),
            "write a DNS name such as `example.com`",
        ));
    }
    one_of(&p.images.pull_policy, &["IfNotPresent", "Never"], file, d);
    let defaults = &p.defaults;
    for count in [
        &defaults.replicas,
        &defaults.revision_history_limit,
        &defaults.min_ready_seconds,
    ] {
        int32(count, file, d);
    }
    check_categories(file, p, d);
}

/// Categories: unique directory names, none reserved by the output tree, in
/// wave order from wave 1.
fn check_categories(file: &SourceFile, p: &PlatformFile, d: &mut Diagnostics) {
    let mut seen = BTreeSet::new();
    let mut last_wave = 0;
    for c in &p.categories {
        require_unique(&mut seen, &c.name, "category", file, d);
        require_label(&c.name, "category (directory) name", file, d);
        if RESERVED_DIRS.contains(&c.name.get_ref().as_str()) {
            d.push(Diagnostic::at(
                "E0012",
                file,
                c.name.span(),
                format!(
                    "`{}` is reserved: the output tree uses a directory of that name",
                    c.name.get_ref()
                ),
                format!(
                    "name the category after what it holds (databases, services…), not one of: {}",
                    RESERVED_DIRS.join(", ")
                ),
            ));
        }
        let wave = *c.wave.get_ref();
        if wave == 0 || wave < last_wave {
            d.push(Diagnostic::at(
                "E0012",
                file,
                c.wave.span(),
                format!("wave {wave} is out of order"),
                format!(
                    "list categories in wave order with waves from 1 up (wave 0 is the base); the previous category has wave {last_wave}"
                ),
            ));
        }
        last_wave = last_wave.max(wave);
    }
}
