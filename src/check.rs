//! Stage 2, check: semantic validation of the loaded model.
//!
//! Every rule reports through [`Diagnostic::at`] with a stable code and a
//! span, and every rule runs: a run reports all findings, not the first. The
//! plan relies on what is checked here (every reference resolves, every
//! quantity parses), so nothing after this stage can fail on user input.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::load::{Loaded, LoadedService};
use crate::model::{Check, PlatformFile, Spanned, WorkloadKind};
use crate::quantity;

/// Top-level directories of the output tree that a category may not take.
const RESERVED_DIRS: &[&str] = &[
    crate::plan::BASE_DIR,
    crate::plan::OVERLAYS_DIR,
    crate::plan::ARGOCD_DIR,
    crate::plan::FLUX_DIR,
];

mod environments;
mod lints;
pub mod secret_files;

pub use lints::{LINTS, Lint, lint};

/// Adds the findings about `loaded` to `d`.
pub fn check(loaded: &Loaded, d: &mut Diagnostics) {
    check_platform(&loaded.platform_source, &loaded.platform, d);
    let index = Index::new(loaded);
    check_duplicates(loaded, d);
    for svc in &loaded.services {
        check_service(&index, svc, d);
    }
    secret_files::check(loaded, d);
    environments::check(loaded, d);
}

/// Lookups shared by the service checks.
struct Index<'a> {
    platform: &'a PlatformFile,
    unparsed: &'a [String],
    services: BTreeMap<&'a str, &'a LoadedService>,
    waves: BTreeMap<&'a str, u32>,
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
            waves,
        }
    }

    fn wave_of(&self, svc: &LoadedService) -> Option<u32> {
        self.waves
            .get(svc.file.category.get_ref().as_str())
            .copied()
    }
}

fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let v: Vec<&str> = items.into_iter().collect();
    if v.is_empty() {
        "(none)".to_string()
    } else {
        v.join(", ")
    }
}

/// RFC 1123 label: lower-case alphanumerics and `-`, at most 63 characters.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// IANA service name, what Kubernetes requires of a port name.
pub fn is_port_name(s: &str) -> bool {
    is_dns_label(s)
        && s.len() <= 15
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && !s.contains("--")
}

fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

fn is_ipv4_cidr(s: &str) -> bool {
    let Some((ip, bits)) = s.split_once('/') else {
        return false;
    };
    let octets: Vec<&str> = ip.split('.').collect();
    octets.len() == 4
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.parse::<u8>().is_ok())
        && bits.parse::<u8>().is_ok_and(|b| b <= 32)
}

fn is_hostname(s: &str) -> bool {
    s.split('.').all(is_dns_label)
}

fn one_of(value: &Spanned<String>, allowed: &[&str], file: &SourceFile, d: &mut Diagnostics) {
    if !allowed.contains(&value.get_ref().as_str()) {
        d.push(Diagnostic::at(
            "E0007",
            file,
            value.span(),
            format!("`{}` is not an accepted value", value.get_ref()),
            format!("use one of: {}", allowed.join(", ")),
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

fn check_platform(file: &SourceFile, p: &PlatformFile, d: &mut Diagnostics) {
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
            format!("use one of: {}", list(classes.iter().copied())),
        ));
    }

    if let Some(ps) = &p.images.pull_secret {
        require_label(&ps.name, "Secret name", file, d);
        if p.secrets
            .as_ref()
            .is_none_or(|s| s.backend.get_ref() != "external-secrets")
        {
            d.push(Diagnostic::at(
                "E0115",
                file,
                ps.name.span(),
                "an image pull secret needs the external-secrets backend",
                "add a [secrets] table with backend = \"external-secrets\" to platform.toml",
            ));
        }
    }
    if let Some(net) = &p.network {
        for r in &net.private_ranges {
            if !is_ipv4_cidr(r.get_ref()) {
                d.push(Diagnostic::at(
                    "E0014",
                    file,
                    r.span(),
                    format!("`{}` is not an IPv4 CIDR range", r.get_ref()),
                    "write an address and a prefix length, such as `10.0.0.0/8`",
                ));
            }
        }
    }
    for e in &p.scanner_exceptions {
        let id = e.check.get_ref();
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            d.push(Diagnostic::at(
                "E0123",
                file,
                e.check.span(),
                format!("`{id}` is not a scanner check id"),
                "write the check's id as the scanner prints it, such as `CKV_K8S_43`",
            ));
        }
        if e.reason.get_ref().trim().len() < 10 || e.reason.get_ref().contains('=') {
            d.push(Diagnostic::at(
                "E0123",
                file,
                e.reason.span(),
                "a scanner exception needs a real reason, without `=`",
                "say in a sentence why the platform does not follow the check",
            ));
        }
    }
    if let Some(k) = &p.kyverno {
        one_of(&k.failure_action, &["Enforce", "Audit"], file, d);
    }
    if let Some(s) = &p.secrets {
        one_of(
            &s.backend,
            &["external-secrets", "sealed-secrets", "sops"],
            file,
            d,
        );
        let external = s.backend.get_ref() == "external-secrets";
        if let Some(kind) = &s.store_kind {
            one_of(kind, &["ClusterSecretStore", "SecretStore"], file, d);
        }
        let missing: Vec<&str> = [
            ("store", s.store.is_some()),
            ("store_kind", s.store_kind.is_some()),
            ("refresh_interval", s.refresh_interval.is_some()),
        ]
        .iter()
        .filter(|(_, present)| external != *present)
        .map(|(f, _)| *f)
        .collect();
        if !missing.is_empty() {
            d.push(Diagnostic::at(
                "E0115",
                file,
                s.backend.span(),
                if external {
                    format!("the external-secrets backend needs {}", missing.join(", "))
                } else {
                    format!(
                        "{} only apply to the external-secrets backend",
                        missing.join(", ")
                    )
                },
                if external {
                    "name the store, its kind and the refresh interval in [secrets]"
                } else {
                    "remove them: sealed and sops files come from secrets/"
                },
            ));
        }
    }
    if let Some(s) = &p.storage {
        require_label(&s.class, "Kubernetes name", file, d);
        one_of(&s.reclaim_policy, &["Retain", "Delete"], file, d);
        one_of(
            &s.volume_binding_mode,
            &["Immediate", "WaitForFirstConsumer"],
            file,
            d,
        );
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

fn check_service(ix: &Index<'_>, svc: &LoadedService, d: &mut Diagnostics) {
    let f = &svc.file;
    let src = &svc.source;
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

    if !ix.waves.contains_key(f.category.get_ref().as_str()) {
        d.push(Diagnostic::at(
            "E0102",
            src,
            f.category.span(),
            format!("unknown category `{}`", f.category.get_ref()),
            format!(
                "use one of the categories of platform.toml: {}",
                list(
                    ix.platform
                        .categories
                        .iter()
                        .map(|c| c.name.get_ref().as_str())
                )
            ),
        ));
    }
    if let Some(pc) = &f.priority_class
        && !ix
            .platform
            .priority_classes
            .iter()
            .any(|c| c.name.get_ref() == pc.get_ref())
    {
        d.push(Diagnostic::at(
            "E0103",
            src,
            pc.span(),
            format!("unknown priority class `{}`", pc.get_ref()),
            format!(
                "use one of the priority classes of platform.toml: {}",
                list(
                    ix.platform
                        .priority_classes
                        .iter()
                        .map(|c| c.name.get_ref().as_str())
                )
            ),
        ));
    }

    check_image(src, f, d);
    if let Some(p) = &f.pull_policy {
        one_of(p, &["IfNotPresent", "Always", "Never"], src, d);
    }
    if let Some(t) = &f.service_type {
        one_of(t, &["ClusterIP", "NodePort", "LoadBalancer"], src, d);
    }

    let kind = f.kind();
    if kind == WorkloadKind::DaemonSet
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

    // Ports.
    let mut names = BTreeMap::new();
    let mut numbers = BTreeMap::new();
    for p in &f.ports {
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
        if names.insert(n.as_str(), p.name.span()).is_some() {
            d.push(Diagnostic::at(
                "E0104",
                src,
                p.name.span(),
                format!("port name `{n}` is used twice"),
                "give each port a unique name",
            ));
        }
        let num = *p.port.get_ref();
        if !(1..=65535).contains(&num) {
            d.push(Diagnostic::at(
                "E0104",
                src,
                p.port.span(),
                format!("port {num} is out of range"),
                "use a port between 1 and 65535",
            ));
        }
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
    }
    let port_names: BTreeSet<&str> = names.keys().copied().collect();
    let own_port = |port: &Spanned<String>, what: &str, d: &mut Diagnostics| {
        if !port_names.contains(port.get_ref().as_str()) {
            d.push(Diagnostic::at(
                "E0110",
                src,
                port.span(),
                format!(
                    "{what} names port `{}`, which `{}` does not declare",
                    port.get_ref(),
                    svc.name
                ),
                format!("use one of its ports: {}", list(port_names.iter().copied())),
            ));
        }
    };

    // Health checks (their absence is lint `no-probes`).
    if let Some(h) = &f.health {
        check_probe(src, &h.check(), "the health check", &own_port, d);
        if let Some(l) = &h.liveness {
            check_probe(src, l, "the liveness check", &own_port, d);
        }
    }

    // Resources.
    for (what, q) in [("cpu", &f.resources.cpu), ("memory", &f.resources.memory)] {
        check_quantities(src, what, q, d);
    }

    lints::check(svc, ix.platform, d);

    // Environment, secrets and config files.
    let mut env_names: BTreeMap<String, &str> = BTreeMap::new();
    for (k, v) in &f.env {
        if !is_env_name(k) {
            d.push(Diagnostic::at(
                "E0120",
                src,
                v.span(),
                format!("`{k}` is not a valid environment variable name"),
                "use letters, digits and `_`, not starting with a digit",
            ));
        }
        env_names.insert(k.clone(), "env");
    }
    let mut secret_keys = BTreeSet::new();
    for s in &f.secrets {
        let k = s.get_ref();
        if !is_env_name(k) {
            d.push(Diagnostic::at(
                "E0120",
                src,
                s.span(),
                format!("`{k}` is not a valid secret key"),
                "use letters, digits and `_`: the key becomes an environment variable",
            ));
        }
        if !secret_keys.insert(k.as_str()) {
            d.push(Diagnostic::at(
                "E0115",
                src,
                s.span(),
                format!("secret key `{k}` is listed twice"),
                "list each key once",
            ));
        }
        if let Some(prev) = env_names.get(k) {
            d.push(Diagnostic::at(
                "E0119",
                src,
                s.span(),
                format!("`{k}` is both a secret key and set by {prev}"),
                "keep one of the two",
            ));
        }
    }
    if !f.secrets.is_empty() && ix.platform.secrets.is_none() {
        d.push(Diagnostic::at(
            "E0115",
            src,
            f.secrets[0].span(),
            "the service declares secrets but platform.toml has no [secrets] store",
            "add a [secrets] table to platform.toml",
        ));
    }
    for (k, v) in &f.secret_sources {
        if !secret_keys.contains(k.as_str()) {
            d.push(Diagnostic::at(
                "E0115",
                src,
                v.span(),
                format!("`{k}` has a source but is not in `secrets`"),
                "add the key to `secrets` or remove its source",
            ));
        }
    }
    let mut cm_names = BTreeSet::new();
    for c in &f.config_files {
        if !is_dns_label(c.name.get_ref())
            || c.name.get_ref() == "config"
            || c.name.get_ref() == "secrets"
        {
            d.push(Diagnostic::at(
                "E0010",
                src,
                c.name.span(),
                format!("`{}` cannot name a config file set", c.name.get_ref()),
                "use lower-case letters, digits and `-`, other than `config` and `secrets`",
            ));
        }
        require_unique(&mut cm_names, &c.name, "config file set", src, d);
    }

    // Volumes.
    let mut vol_names = BTreeSet::new();
    for v in &f.volumes {
        if !is_dns_label(v.name.get_ref()) || !vol_names.insert(v.name.get_ref().as_str()) {
            d.push(Diagnostic::at(
                "E0011",
                src,
                v.name.span(),
                format!(
                    "volume name `{}` is invalid or used twice",
                    v.name.get_ref()
                ),
                "give each volume a unique lower-case name",
            ));
        }
        quantity_of(src, &v.size, d);
        let mode = v.access_mode.as_ref().map(|m| m.get_ref().as_str());
        if let Some(m) = &v.access_mode {
            one_of(
                m,
                &[
                    "ReadWriteOnce",
                    "ReadWriteOncePod",
                    "ReadWriteMany",
                    "ReadOnlyMany",
                ],
                src,
                d,
            );
        }
        if kind == WorkloadKind::DaemonSet
            && mode != Some("ReadWriteMany")
            && mode != Some("ReadOnlyMany")
        {
            d.push(Diagnostic::at(
                "E0117",
                src,
                v.name.span(),
                "a DaemonSet's pods on every node share this claim, so it must be ReadWriteMany or ReadOnlyMany",
                "set access_mode = \"ReadWriteMany\" (storage that supports it, such as NFS)",
            ));
        }
        if ix.platform.storage.is_none() {
            d.push(Diagnostic::at(
                "E0117",
                src,
                v.name.span(),
                "the service declares a volume but platform.toml has no [storage] class",
                "add a [storage] table to platform.toml",
            ));
        }
    }

    // Dependencies.
    let my_wave = ix.wave_of(svc);
    for dep in &f.depends_on {
        let target = dep.service.get_ref();
        if target == &svc.name {
            d.push(Diagnostic::at(
                "E0107",
                src,
                dep.service.span(),
                "a service cannot depend on itself",
                "remove the dependency",
            ));
            continue;
        }
        let Some(t) = ix.services.get(target.as_str()) else {
            if ix.unparsed.iter().any(|u| u == target) {
                continue;
            }
            d.push(Diagnostic::at(
                "E0107",
                src,
                dep.service.span(),
                format!("unknown service `{target}`"),
                format!(
                    "depend on one of the services under services/: {}",
                    list(ix.services.keys().copied())
                ),
            ));
            continue;
        };
        if !t
            .file
            .ports
            .iter()
            .any(|p| p.name.get_ref() == dep.port.get_ref())
        {
            d.push(Diagnostic::at(
                "E0108",
                src,
                dep.port.span(),
                format!(
                    "service `{target}` has no port named `{}`",
                    dep.port.get_ref()
                ),
                format!(
                    "use one of its ports: {}",
                    list(t.file.ports.iter().map(|p| p.name.get_ref().as_str()))
                ),
            ));
        }
        if let (Some(mine), Some(theirs)) = (my_wave, ix.wave_of(t))
            && theirs > mine
        {
            d.push(Diagnostic::at(
                "E0109",
                src,
                dep.service.span(),
                format!(
                    "`{}` (wave {mine}, {}) depends on `{target}` (wave {theirs}, {}), which starts later",
                    svc.name,
                    f.category.get_ref(),
                    t.file.category.get_ref()
                ),
                format!(
                    "move `{target}` to a category of wave {mine} or lower, or `{}` to one of wave {theirs} or higher",
                    svc.name
                ),
            ));
        }
        if let Some(env) = &dep.env {
            check_env_slot(src, &dep.service, env, "a dependency", &mut env_names, d);
        }
    }

    for i in &f.internet {
        if !(1..=65535).contains(i.port.get_ref()) {
            d.push(Diagnostic::at(
                "E0104",
                src,
                i.port.span(),
                format!("port {} is out of range", i.port.get_ref()),
                "use a port between 1 and 65535",
            ));
        }
        if let Some(proto) = &i.protocol {
            one_of(proto, &["TCP", "UDP", "SCTP"], src, d);
        }
    }

    // Routes.
    for r in &f.routes {
        own_port(&r.port, "the route", d);
        let host = r.host.get_ref();
        if !host.is_empty() && !is_hostname(host) {
            d.push(Diagnostic::at(
                "E0112",
                src,
                r.host.span(),
                format!("`{host}` is not a valid host name prefix"),
                "write the labels left of the platform domain, such as `www` or `api.v2`",
            ));
        }
        if !r.path.starts_with('/') {
            d.push(
                Diagnostic::at(
                    "E0112",
                    src,
                    r.host.span(),
                    format!("route path `{}` does not start with `/`", r.path),
                    "write an absolute path prefix",
                )
                .field("routes.path"),
            );
        }
        if ix.platform.gateway.is_none() {
            d.push(Diagnostic::at(
                "E0112",
                src,
                r.host.span(),
                "the service declares a route but platform.toml has no [gateway]",
                "add a [gateway] table to platform.toml",
            ));
        }
        if let Some(env) = &r.env {
            check_env_slot(src, &r.host, env, "a route", &mut env_names, d);
        }
    }
}

fn check_env_slot<T>(
    src: &SourceFile,
    at: &Spanned<T>,
    env: &str,
    what: &'static str,
    env_names: &mut BTreeMap<String, &'static str>,
    d: &mut Diagnostics,
) {
    if !is_env_name(env) {
        d.push(Diagnostic::at(
            "E0120",
            src,
            at.span(),
            format!("`{env}` is not a valid environment variable name"),
            "use letters, digits and `_`, not starting with a digit",
        ));
    }
    if let Some(prev) = env_names.insert(env.to_string(), what) {
        d.push(Diagnostic::at(
            "E0119",
            src,
            at.span(),
            format!("`{env}` is set by {what} and by {prev}"),
            "set each environment variable in one place",
        ));
    }
}

fn check_image(src: &SourceFile, f: &crate::model::ServiceFile, d: &mut Diagnostics) {
    let image = &f.image;
    let i = image.get_ref();
    let bare = f.own_image();
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
    if bare {
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

fn check_probe(
    src: &SourceFile,
    c: &Check,
    what: &str,
    own_port: &dyn Fn(&Spanned<String>, &str, &mut Diagnostics),
    d: &mut Diagnostics,
) {
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
        own_port(&h.port, what, d);
    }
    if let Some(g) = &c.grpc {
        own_port(&g.port, what, d);
    }
    if let Some(t) = &c.tcp {
        own_port(&t.port, what, d);
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

/// A request and its limit: both valid quantities, the request not above.
pub(crate) fn check_quantities(
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

fn quantity_of(src: &SourceFile, q: &Spanned<String>, d: &mut Diagnostics) -> Option<f64> {
    match quantity::parse(q.get_ref()) {
        Some(v) if v > 0.0 => Some(v),
        _ => {
            d.push(Diagnostic::at(
                "E0105",
                src,
                q.span(),
                format!("`{}` is not a valid quantity", q.get_ref()),
                "write a positive Kubernetes quantity: cpu as `250m` or `1`, memory and sizes as `256Mi` or `10Gi`",
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_kubernetes_rules() {
        assert!(is_dns_label("orbit-www"));
        assert!(!is_dns_label("Orbit"));
        assert!(!is_dns_label("-x"));
        assert!(is_port_name("http-metrics"));
        assert!(!is_port_name("http-metrics-port"));
        assert!(!is_port_name("8080"));
    }

    #[test]
    fn cidrs_are_ipv4_with_a_prefix() {
        assert!(is_ipv4_cidr("10.0.0.0/8"));
        assert!(is_ipv4_cidr("0.0.0.0/0"));
        assert!(!is_ipv4_cidr("10.0.0.0"));
        assert!(!is_ipv4_cidr("10.0.0.256/8"));
        assert!(!is_ipv4_cidr("10.0.0.0/33"));
    }
}
