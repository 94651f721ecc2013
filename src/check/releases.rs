//! Releases: each a valid unique name, a known category that some cluster
//! runs, a namespace of its own, a chart from an HTTP or OCI repository at
//! an exact version, values files that exist and hold a mapping, API groups
//! it provides, dependencies on other releases without a cycle, and the
//! pods services may reach. Releases need a GitOps engine to install them.

use std::collections::{BTreeMap, BTreeSet};

use super::{one_of, port_in_range, require_label};
use crate::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::layout::{RELEASES_DIR, VALUES_SUFFIX};
use crate::load::{Loaded, LoadedRelease};
use crate::names::{is_dns_label, is_hostname, is_port_name};

pub(super) fn check(loaded: &Loaded, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let mut names: BTreeSet<&str> = loaded.services.iter().map(|s| s.name.as_str()).collect();
    let platform_namespaces = platform_namespaces(loaded);
    for r in &loaded.releases {
        let src = &r.source;
        let f = &r.file;
        let name_span = f.name.as_ref().map_or(0..0, |n| n.span());
        if !is_dns_label(&r.name) || r.name.len() > 53 || !names.insert(r.name.as_str()) {
            d.push(
                Diagnostic::at(
                    "E0174",
                    src,
                    name_span,
                    format!("`{}` is not a valid release name, or is taken", r.name),
                    "name the release (its file) with lower-case letters, digits and `-`, at most 53 characters (Helm's limit), unlike every service and release",
                )
                .field("name"),
            );
        }
        if !p
            .categories
            .iter()
            .any(|c| c.name.get_ref() == f.category.get_ref())
        {
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
        } else if !p.clusters.is_empty() && !p.clusters.iter().any(|c| c.runs(f.category.get_ref()))
        {
            d.push(Diagnostic::at(
                "E0180",
                src,
                f.category.span(),
                format!(
                    "no cluster runs category `{}`, so the release would never be installed",
                    f.category.get_ref()
                ),
                "add the category to a cluster's `categories` in platform.toml, or use another",
            ));
        }
        require_label(&f.namespace, "namespace", src, d);
        if platform_namespaces.contains(f.namespace.get_ref()) {
            d.push(Diagnostic::at(
                "E0175",
                src,
                f.namespace.span(),
                format!("`{}` is one of the platform's own namespaces", f.namespace.get_ref()),
                "install the release in a namespace of its own (monitoring, cert-manager…): the platform's namespaces deny all traffic its chart does not declare",
            ));
        }
        check_chart(r, d);
        check_values_files(loaded, r, d);
        check_pods(r, d);
    }
    check_dependencies(loaded, d);
    if !loaded.releases.is_empty() && p.gitops.is_none() {
        d.push(Diagnostic::at(
            "E0180",
            &loaded.releases[0].source,
            loaded.releases[0].file.chart.span(),
            "a Helm release is installed by a GitOps engine, and platform.toml names none",
            "add [gitops] with engines = [\"argocd\"] (an Application with a Helm source) or [\"flux\"] (a HelmRelease)",
        ));
    }
}

/// Every namespace the platform's own workloads run in.
fn platform_namespaces(loaded: &Loaded) -> BTreeSet<String> {
    let p = &loaded.platform;
    let mut ns: BTreeSet<&str> = loaded
        .services
        .iter()
        .map(|s| p.namespace_of(&s.file))
        .collect();
    ns.insert(p.platform.namespace.get_ref());
    let named: BTreeSet<String> = p
        .environments
        .iter()
        .flat_map(|e| ns.iter().map(|n| e.namespace_for(n)))
        .collect();
    let mut all: BTreeSet<String> = ns.into_iter().map(str::to_string).collect();
    all.extend(named);
    all
}

/// The chart's name, repository and exact version; the API groups it
/// provides.
fn check_chart(r: &LoadedRelease, d: &mut Diagnostics) {
    let (f, src) = (&r.file, &r.source);
    let chart = f.chart.get_ref();
    if chart.is_empty()
        || !chart.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.'
        })
    {
        d.push(Diagnostic::at(
            "E0175",
            src,
            f.chart.span(),
            format!("`{chart}` is not a chart name"),
            "write the chart's name as its repository lists it (lower-case letters, digits, `-`)",
        ));
    }
    let repo = f.repository.get_ref();
    let host = repo
        .strip_prefix("https://")
        .or_else(|| repo.strip_prefix("http://"))
        .or_else(|| repo.strip_prefix("oci://"))
        .map(|rest| rest.split('/').next().unwrap_or(""));
    if !host.is_some_and(|h| is_hostname(h.split(':').next().unwrap_or(""))) || repo.ends_with('/')
    {
        d.push(Diagnostic::at(
            "E0175",
            src,
            f.repository.span(),
            format!("`{repo}` is not a Helm repository"),
            "write the repository's URL: https://… for a chart index, oci://registry/path for an OCI registry (without the chart's name or a trailing /)",
        ));
    }
    if !is_exact_version(f.version.get_ref()) {
        d.push(Diagnostic::at(
            "E0176",
            src,
            f.version.span(),
            format!("`{}` is not an exact chart version", f.version.get_ref()),
            "pin the version the chart was tested at (`65.1.0`): a range or `latest` installs whatever is newest on the day",
        ));
    }
    for g in &f.provides {
        let group = g.get_ref();
        if !group.contains('.') || !is_hostname(group) {
            d.push(Diagnostic::at(
                "E0178",
                src,
                g.span(),
                format!("`{group}` is not an API group"),
                "name the group of the CRDs the chart installs, as in their apiVersion (`monitoring.coreos.com`)",
            ));
        }
    }
    if let Some(t) = f.timeout_seconds.as_ref().filter(|t| *t.get_ref() == 0) {
        d.push(Diagnostic::at(
            "E0175",
            src,
            t.span(),
            "a release cannot have 0 seconds to become ready",
            "give Helm the seconds the chart needs to be ready, or remove the field (600)",
        ));
    }
}

/// `1.2.3`, optionally `v`-prefixed, with an optional pre-release or build
/// suffix; no range, no wildcard.
pub fn is_exact_version(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    let core = v.split(['-', '+']).next().unwrap_or("");
    let suffix_ok = v[core.len()..]
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ".-+".contains(c));
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && suffix_ok
        && (core.len() == v.len() || v.len() > core.len() + 1)
}

/// Each values file is named `*.values.yaml`, exists beside the release,
/// and holds one YAML mapping.
fn check_values_files(loaded: &Loaded, r: &LoadedRelease, d: &mut Diagnostics) {
    let src = &r.source;
    for v in &r.file.values_files {
        let name = v.get_ref();
        let Some(file) = loaded.values_files.get(name.as_str()) else {
            d.push(Diagnostic::at(
                "E0177",
                src,
                v.span(),
                format!("{RELEASES_DIR}/{name} does not exist"),
                format!("put the values beside the release, in a file named <name>{VALUES_SUFFIX} (a file name, no directory)"),
            ));
            continue;
        };
        check_values_mapping(file, d);
    }
}

fn check_values_mapping(file: &SourceFile, d: &mut Diagnostics) {
    match serde_saphyr::from_str::<serde_json::Value>(&file.text) {
        Ok(serde_json::Value::Object(_)) => {}
        Ok(_) => d.push(
            Diagnostic::at(
                "E0177",
                file,
                0..0,
                "a values file holds one mapping of values",
                "write the chart's values as a YAML mapping (key: value), one document",
            )
            .field(""),
        ),
        Err(e) => {
            let at = e
                .location()
                .and_then(|l| l.span().byte_offset())
                .map_or(0, |o| o as usize);
            let message = e.to_string();
            let first = message.lines().next().unwrap_or("").to_string();
            d.push(Diagnostic::at("E0177", file, at..at, first, "fix the YAML syntax").field(""));
        }
    }
}

/// The labels and ports of the chart's pods.
fn check_pods(r: &LoadedRelease, d: &mut Diagnostics) {
    let (Some(pods), src) = (&r.file.pods, &r.source) else {
        return;
    };
    if pods.labels.is_empty() {
        d.push(
            Diagnostic::at(
                "E0175",
                src,
                0..0,
                "the release's pods are selected by no label",
                "name the labels the chart puts on its pods, such as app.kubernetes.io/name",
            )
            .field("pods.labels"),
        );
    }
    let mut seen = BTreeSet::new();
    for p in &pods.ports {
        if !is_port_name(p.name.get_ref()) || !seen.insert(p.name.get_ref().as_str()) {
            d.push(Diagnostic::at(
                "E0104",
                src,
                p.name.span(),
                format!(
                    "`{}` is not a valid port name, or is used twice",
                    p.name.get_ref()
                ),
                "give each port a unique name of at most 15 lower-case letters, digits and `-`",
            ));
        }
        port_in_range(&p.port, src, d);
        if let Some(proto) = &p.protocol {
            one_of(proto, &["TCP", "UDP", "SCTP"], src, d);
        }
    }
}

/// Dependencies name other releases, and never come back to the release.
fn check_dependencies(loaded: &Loaded, d: &mut Diagnostics) {
    let by_name: BTreeMap<&str, &LoadedRelease> = loaded
        .releases
        .iter()
        .map(|r| (r.name.as_str(), r))
        .collect();
    for r in &loaded.releases {
        for dep in &r.file.depends_on {
            let target = dep.get_ref().as_str();
            let problem = if target == r.name {
                Some("a release cannot depend on itself".to_string())
            } else if !by_name.contains_key(target) && !loaded.unparsed.iter().any(|u| u == target)
            {
                Some(format!("unknown release `{target}`"))
            } else if reaches(&by_name, target, &r.name) {
                Some(format!(
                    "`{target}` depends on `{}` in turn: the releases wait for each other",
                    r.name
                ))
            } else {
                None
            };
            if let Some(message) = problem {
                d.push(Diagnostic::at(
                    "E0179",
                    &r.source,
                    dep.span(),
                    message,
                    did_you_mean(
                        target,
                        by_name.keys().copied().filter(|n| *n != r.name),
                        "depend on other releases of releases/, without a cycle",
                    ),
                ));
            }
        }
    }
}

/// Whether `from` depends, directly or not, on `to`.
fn reaches(by_name: &BTreeMap<&str, &LoadedRelease>, from: &str, to: &str) -> bool {
    let mut stack = vec![from];
    let mut seen = BTreeSet::new();
    while let Some(n) = stack.pop() {
        if n == to {
            return true;
        }
        if !seen.insert(n) {
            continue;
        }
        if let Some(r) = by_name.get(n) {
            stack.extend(r.file.depends_on.iter().map(|d| d.get_ref().as_str()));
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::is_exact_version;

    #[test]
    fn only_exact_versions_pin_a_chart() {
        for v in ["65.1.0", "v1.16.2", "0.10.0", "1.0.0-rc.1", "2.3.4+build.5"] {
            assert!(is_exact_version(v), "{v}");
        }
        for v in [
            "6.5.*", "^1.2.0", "~1.2", "1.2", ">=1.0.0", "latest", "", "1.2.3-",
        ] {
            assert!(!is_exact_version(v), "{v}");
        }
    }
}
