//! Stage 2, check: semantic validation of the loaded model, one module per
//! concern.
//!
//! Every rule reports through [`Diagnostic::at`] with a stable code and a
//! span, and every rule runs: a run reports all findings, not the first. The
//! plan relies on what is checked here (every reference resolves, every
//! quantity parses), so nothing after this stage can fail on user input.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::load::{Loaded, LoadedRelease, LoadedService};
use crate::model::{PlatformFile, ServiceFile, Spanned};
use crate::names::is_dns_label;
use crate::quantity;

mod availability;
mod base;
mod config;
mod edge;
mod environments;
mod gitops;
mod jobs;
mod network;
mod observability;
mod platform;
mod policy;
mod releases;
mod routes;
mod secret_files;
mod secrets;
mod storage;
mod tenancy;
mod text;
mod tls;
mod workload;

pub use policy::looks_secret;

/// Adds the findings about `loaded` to `d`.
pub fn check(loaded: &Loaded, d: &mut Diagnostics) {
    let (p, src) = (&loaded.platform, &loaded.platform_source);
    text::check(loaded, d);
    platform::check(src, p, d);
    base::check(src, p, d);
    secrets::check_platform(src, p, d);
    network::check_platform(src, p, d);
    observability::check_platform(src, p, d);
    storage::check_platform(src, p, d);
    workload::check_platform(src, p, d);
    let index = Index::new(loaded);
    policy::check_platform(&index, src, d);
    check_duplicates(loaded, d);
    for svc in &loaded.services {
        check_service(&index, svc, d);
    }
    network::check_cycles(loaded, d);
    releases::check(loaded, d);
    secret_files::check(loaded, d);
    secrets::check_environment_stores(loaded, d);
    gitops::check(loaded, d);
    gitops::check_generated_names(loaded, d);
    environments::check(loaded, d);
    availability::check(loaded, d);
    edge::check(loaded, d);
    tls::check(loaded, d);
    routes::check_platform(loaded, d);
    tenancy::check(loaded, d);
}

/// Every rule about one service, concern by concern. The order matters only
/// where a later rule reads what an earlier one declared (the ConfigMap keys
/// `env` claims before secrets, dependencies and routes claim theirs).
fn check_service(ix: &Index<'_>, svc: &LoadedService, d: &mut Diagnostics) {
    let mut cx = ServiceCx::new(ix, svc);
    workload::check(&mut cx, d);
    jobs::check(&cx, d);
    policy::check_service(svc, ix.platform, d);
    config::check_env(&mut cx, d);
    secrets::check_service(&mut cx, d);
    config::check_files(&cx, d);
    storage::check_service(&cx, d);
    network::check_service(&mut cx, d);
    observability::check_service(&cx, d);
    routes::check(&mut cx, d);
}

/// Lookups shared by the service checks.
struct Index<'a> {
    platform: &'a PlatformFile,
    unparsed: &'a [String],
    services: BTreeMap<&'a str, &'a LoadedService>,
    releases: BTreeMap<&'a str, &'a LoadedRelease>,
    waves: BTreeMap<&'a str, u32>,
    /// Every base namespace of the platform.
    namespaces: BTreeSet<String>,
}

impl<'a> Index<'a> {
    fn new(loaded: &'a Loaded) -> Self {
        let mut services = BTreeMap::new();
        for s in &loaded.services {
            services.entry(s.name.as_str()).or_insert(s);
        }
        let waves = loaded
            .platform
            .categories
            .iter()
            .map(|c| (c.name.get_ref().as_str(), *c.wave.get_ref()))
            .collect();
        Index {
            platform: &loaded.platform,
            unparsed: &loaded.unparsed,
            services,
            releases: loaded
                .releases
                .iter()
                .map(|r| (r.name.as_str(), r))
                .collect(),
            waves,
            namespaces: tenancy::base_namespaces(loaded),
        }
    }

    fn wave_of(&self, svc: &LoadedService) -> Option<u32> {
        self.waves
            .get(svc.file.category.get_ref().as_str())
            .copied()
    }
}

/// One service under check: its file, the platform, and the names it has
/// declared so far.
struct ServiceCx<'a> {
    ix: &'a Index<'a>,
    svc: &'a LoadedService,
    src: &'a SourceFile,
    f: &'a ServiceFile,
    /// Names of the service's ports (filled by the workload checks).
    port_names: BTreeSet<&'a str>,
    /// Keys of the service's ConfigMap claimed so far, and by what.
    env_names: BTreeMap<String, &'static str>,
}

impl<'a> ServiceCx<'a> {
    fn new(ix: &'a Index<'a>, svc: &'a LoadedService) -> Self {
        ServiceCx {
            ix,
            svc,
            src: &svc.source,
            f: &svc.file,
            port_names: BTreeSet::new(),
            env_names: BTreeMap::new(),
        }
    }

    /// E0110 when `port` is not one of the service's own ports.
    fn own_port(&self, port: &Spanned<String>, what: &str, d: &mut Diagnostics) {
        if !self.port_names.contains(port.get_ref().as_str()) {
            d.push(Diagnostic::at(
                "E0110",
                self.src,
                port.span(),
                format!(
                    "{what} names port `{}`, which `{}` does not declare",
                    port.get_ref(),
                    self.svc.name
                ),
                did_you_mean(
                    port.get_ref(),
                    self.port_names.iter().copied(),
                    "use one of its ports",
                ),
            ));
        }
    }
}

fn check_duplicates(loaded: &Loaded, d: &mut Diagnostics) {
    let mut first: BTreeMap<&str, &LoadedService> = BTreeMap::new();
    for s in &loaded.services {
        if let Some(prev) = first.get(s.name.as_str()) {
            let span = s.file.name.as_ref().map_or(0..0, |n| n.span());
            d.push(
                Diagnostic::at(
                    "E0101",
                    &s.source,
                    span,
                    format!(
                        "service `{}` is already defined by {}",
                        s.name, prev.source.path
                    ),
                    "rename one of the two services (the `name` field, or the file)",
                )
                .field("name"),
            );
        } else {
            first.insert(&s.name, s);
        }
    }
}

/// E0007 when `value` is not one of `allowed`.
fn one_of(value: &Spanned<String>, allowed: &[&str], file: &SourceFile, d: &mut Diagnostics) {
    if !allowed.contains(&value.get_ref().as_str()) {
        d.push(Diagnostic::at(
            "E0007",
            file,
            value.span(),
            format!("`{}` is not an accepted value", value.get_ref()),
            did_you_mean(value.get_ref(), allowed.iter().copied(), "use one of"),
        ));
    }
}

/// E0010 when `value` is not an RFC 1123 label.
fn require_label(value: &Spanned<String>, what: &str, file: &SourceFile, d: &mut Diagnostics) {
    if !is_dns_label(value.get_ref()) {
        d.push(Diagnostic::at(
            "E0010",
            file,
            value.span(),
            format!("`{}` is not a valid {what}", value.get_ref()),
            "use lower-case letters, digits and `-`, at most 63 characters",
        ));
    }
}

/// E0011 when `name` was seen before.
fn require_unique<'a>(
    seen: &mut BTreeSet<&'a str>,
    name: &'a Spanned<String>,
    what: &str,
    file: &SourceFile,
    d: &mut Diagnostics,
) {
    if !seen.insert(name.get_ref().as_str()) {
        d.push(Diagnostic::at(
            "E0011",
            file,
            name.span(),
            format!("{what} `{}` is declared twice", name.get_ref()),
            format!("give each {what} a unique name"),
        ));
    }
}

/// E0104 when a port number is outside 1–65535.
fn port_in_range(port: &Spanned<u32>, file: &SourceFile, d: &mut Diagnostics) {
    if !(1..=65535).contains(port.get_ref()) {
        d.push(Diagnostic::at(
            "E0104",
            file,
            port.span(),
            format!("port {} is out of range", port.get_ref()),
            "use a port between 1 and 65535",
        ));
    }
}

/// E0022 when a count lands in a 32-bit field of Kubernetes and exceeds it.
fn int32(value: &Spanned<u32>, file: &SourceFile, d: &mut Diagnostics) {
    if *value.get_ref() > i32::MAX as u32 {
        d.push(Diagnostic::at(
            "E0022",
            file,
            value.span(),
            format!(
                "{} is above {}, the largest value Kubernetes stores in this field",
                value.get_ref(),
                i32::MAX
            ),
            "use a realistic count",
        ));
    }
}

/// A request and its limit: both valid quantities, the request not above.
fn check_quantities(
    src: &SourceFile,
    what: &str,
    q: &crate::model::Quantities,
    d: &mut Diagnostics,
) {
    let req = quantity_of(src, &q.request, d);
    let lim = quantity_of(src, &q.limit, d);
    if let (Some(r), Some(l)) = (req, lim)
        && r > l
    {
        d.push(Diagnostic::at(
            "E0106",
            src,
            q.request.span(),
            format!(
                "{what} request {} is above its limit {}",
                q.request.get_ref(),
                q.limit.get_ref()
            ),
            "lower the request or raise the limit: a request may not exceed its limit",
        ));
    }
}

/// The value of a positive quantity, or E0105.
fn quantity_of(src: &SourceFile, q: &Spanned<String>, d: &mut Diagnostics) -> Option<f64> {
    match quantity::parse(q.get_ref()) {
        Some(v) if v > 0.0 => Some(v),
        _ => {
            d.push(Diagnostic::at(
                "E0105",
                src,
                q.span(),
                format!("`{}` is not a valid quantity", q.get_ref()),
                "write a positive Kubernetes quantity, within its 64-bit range: cpu as `250m` or `1`, memory and sizes as `256Mi` or `10Gi`",
            ));
            None
        }
    }
}
