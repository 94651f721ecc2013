//! The platform itself: its names and domain, its images, and its
//! categories in wave order.

use std::collections::BTreeSet;

use super::{int32, one_of, require_label, require_unique};
use crate::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::layout::RESERVED_DIRS;
use crate::model::{PlatformFile, Spanned};
use crate::names::{is_hostname, is_label_value};

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
        check_component(file, p, &c.component, d);
    }
}

/// A category's component is a label value, and one of the platform's
/// components when it lists them.
fn check_component(file: &SourceFile, p: &PlatformFile, c: &Spanned<String>, d: &mut Diagnostics) {
    let v = c.get_ref();
    let listed = &p.platform.components;
    if !is_label_value(v) {
        d.push(Diagnostic::at(
            "E0317",
            file,
            c.span(),
            format!("`{v}` is not a label value: it becomes app.kubernetes.io/component"),
            "use at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit",
        ));
    } else if !listed.is_empty() && !listed.contains(v) {
        d.push(Diagnostic::at(
            "E0317",
            file,
            c.span(),
            format!("`{v}` is not one of the platform's components"),
            did_you_mean(
                v,
                listed.iter().map(String::as_str),
                "use one of [platform] components",
            ),
        ));
    }
}
