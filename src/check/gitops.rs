//! GitOps: the engines named once each, and the clusters (unique names,
//! known categories).

use std::collections::BTreeSet;

use crate::diag::{Diagnostic, Diagnostics, did_you_mean};
use crate::load::Loaded;
use crate::names::is_dns_label;

pub(super) fn check(loaded: &Loaded, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let src = &loaded.platform_source;
    if let Some(g) = &p.gitops {
        let mut seen = BTreeSet::new();
        for e in &g.engines {
            if !["argocd", "flux"].contains(&e.get_ref().as_str()) || !seen.insert(e.get_ref()) {
                d.push(Diagnostic::at(
                    "E0132",
                    src,
                    e.span(),
                    format!(
                        "`{}` is not a GitOps engine, or is named twice",
                        e.get_ref()
                    ),
                    "name `argocd`, `flux`, or both, once each",
                ));
            }
        }
        if g.engines.is_empty() {
            d.push(
                Diagnostic::at(
                    "E0132",
                    src,
                    0..0,
                    "no GitOps engine is named",
                    "set engines = [\"argocd\"] or [\"flux\"]",
                )
                .field("gitops.engines"),
            );
        }
    }
    let categories: BTreeSet<&str> = p
        .categories
        .iter()
        .map(|c| c.name.get_ref().as_str())
        .collect();
    let mut cluster_names = BTreeSet::new();
    for c in &p.clusters {
        if !is_dns_label(c.name.get_ref()) || !cluster_names.insert(c.name.get_ref().as_str()) {
            d.push(Diagnostic::at(
                "E0131",
                src,
                c.name.span(),
                format!(
                    "cluster name `{}` is invalid or used twice",
                    c.name.get_ref()
                ),
                "give each cluster a unique lower-case name",
            ));
        }
        for cat in &c.categories {
            if !categories.contains(cat.get_ref().as_str()) {
                d.push(Diagnostic::at(
                    "E0131",
                    src,
                    cat.span(),
                    format!("unknown category `{}`", cat.get_ref()),
                    did_you_mean(cat.get_ref(), categories.iter().copied(), "use one of"),
                ));
            }
        }
    }
}
