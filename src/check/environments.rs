//! Environments: valid names and domains; namespace names that are valid,
//! distinct within the environment and not taken by another environment on
//! the same cluster; references to known clusters, issuers, policies and
//! services; every service an environment runs lands on exactly one of its
//! clusters, with the services it depends on; overrides name known
//! services, volumes and hosts, hold valid values, and each changes what is
//! rendered.

use std::collections::{BTreeMap, BTreeSet};

use super::check_quantities;
use crate::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::load::{Loaded, LoadedService};
use crate::model::{Environment, Override, PlatformFile, Spanned};
use crate::names::{is_dns_label, is_env_name, is_hostname};

/// What the rules about one environment look up.
struct Cx<'a> {
    p: &'a PlatformFile,
    src: &'a SourceFile,
    loaded: &'a Loaded,
    services: BTreeMap<&'a str, &'a LoadedService>,
    cluster_names: BTreeSet<&'a str>,
}

pub(super) fn check(loaded: &Loaded, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let src = &loaded.platform_source;
    if !p.environments.is_empty() && p.clusters.is_empty() {
        d.push(
            Diagnostic::at(
                "E0131",
                src,
                p.environments[0].name.span(),
                "environments need at least one [[clusters]] entry to run on",
                "declare the cluster: [[clusters]] name = \"…\" server = \"https://kubernetes.default.svc\"",
            )
            .field("clusters"),
        );
    }
    let cx = Cx {
        p,
        src,
        loaded,
        services: loaded
            .services
            .iter()
            .map(|s| (s.name.as_str(), s))
            .collect(),
        cluster_names: p
            .clusters
            .iter()
            .map(|c| c.name.get_ref().as_str())
            .collect(),
    };
    check_image_tags(&cx, d);
    let mut env_names = BTreeSet::new();
    let mut placements = BTreeMap::new();
    for env in &p.environments {
        check_names(&cx, env, &mut env_names, d);
        check_references(&cx, env, d);
        check_namespaces(&cx, env, &mut placements, d);
        check_placements(&cx, env, d);
        for (name, o) in &env.overrides {
            check_override(&cx, env, name, o, d);
        }
    }
}

/// A unique valid name and a valid domain.
fn check_names<'a>(
    cx: &Cx<'a>,
    env: &'a Environment,
    env_names: &mut BTreeSet<&'a str>,
    d: &mut Diagnostics,
) {
    let src = cx.src;
    if !is_dns_label(env.name.get_ref()) || !env_names.insert(env.name.get_ref().as_str()) {
        d.push(Diagnostic::at(
            "E0130",
            src,
            env.name.span(),
            format!(
                "environment name `{}` is invalid or used twice",
                env.name.get_ref()
            ),
            "give each environment a unique lower-case name",
        ));
    }
    if !is_hostname(env.domain.get_ref()) {
        d.push(Diagnostic::at(
            "E0130",
            src,
            env.domain.span(),
            format!("`{}` is not a valid domain", env.domain.get_ref()),
            "write a DNS name such as `staging.example.com`",
        ));
    }
}

/// The clusters, excluded services, issuer and policies it names exist.
fn check_references(cx: &Cx<'_>, env: &Environment, d: &mut Diagnostics) {
    for c in &env.clusters {
        if !cx.cluster_names.contains(c.get_ref().as_str()) {
            d.push(Diagnostic::at(
                "E0130",
                cx.src,
                c.span(),
                format!("unknown cluster `{}`", c.get_ref()),
                did_you_mean(c.get_ref(), cx.cluster_names.iter().copied(), "use one of"),
            ));
        }
    }
    for x in &env.exclude {
        if !cx.loaded.may_be_service(x.get_ref()) {
            d.push(Diagnostic::at(
                "E0130",
                cx.src,
                x.span(),
                format!("unknown service `{}`", x.get_ref()),
                did_you_mean(
                    x.get_ref(),
                    cx.services.keys().copied(),
                    "exclude a service under services/",
                ),
            ));
        }
    }
    if let Some(i) = &env.issuer {
        super::tls::known_issuer(cx.p, i, cx.src, d);
    }
    let policies = cx.p.edge.as_ref().map(|e| &e.policies);
    for (name, over) in &env.policies {
        if !policies.is_some_and(|p| p.contains_key(name)) {
            d.push(
                Diagnostic::at(
                    "E0148",
                    cx.src,
                    env.name.span(),
                    format!(
                        "environment `{}` changes route policy `{name}`, which [edge.policies] does not declare",
                        env.name.get_ref()
                    ),
                    "declare the policy in [edge.policies] and change only what differs here",
                )
                .field(format!("environments.policies.{name}")),
            );
        }
        super::edge::check_policy(cx.p, over, cx.src, d);
    }
}

/// The environment's name of every base namespace it uses: valid, distinct,
/// and not used by another environment on one of its clusters.
fn check_namespaces(
    cx: &Cx<'_>,
    env: &Environment,
    placements: &mut BTreeMap<(String, String), String>,
    d: &mut Diagnostics,
) {
    let src = cx.src;
    let known = super::tenancy::base_namespaces(cx.loaded);
    for (base, name) in &env.namespace_names {
        if !known.contains(base.as_str()) {
            d.push(Diagnostic::at(
                "E0140",
                src,
                name.span(),
                format!("`{base}` is not a namespace of the platform"),
                format!(
                    "name one of its namespaces: {}",
                    known
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    let bases = env_namespaces(cx, env);
    let mut names: BTreeMap<String, &str> = BTreeMap::new();
    for base in &bases {
        let here = env.namespace_for(base);
        let at = namespace_span(env, base);
        if !is_dns_label(&here) {
            d.push(Diagnostic::at(
                "E0140",
                src,
                at.clone(),
                format!(
                    "environment `{}` would run namespace `{base}` as `{here}`, which is not a valid namespace",
                    env.name.get_ref()
                ),
                "use a prefix and suffix of lower-case letters, digits and `-`, or name it in namespace_names",
            ));
        }
        if let Some(other) = names.insert(here.clone(), base.as_str()) {
            d.push(Diagnostic::at(
                "E0141",
                src,
                at.clone(),
                format!(
                    "environment `{}` runs both `{other}` and `{base}` as namespace `{here}`",
                    env.name.get_ref()
                ),
                "give each namespace its own name here (namespace_names)",
            ));
        }
        for c in cx.p.env_clusters(env) {
            let key = (c.name.get_ref().clone(), here.clone());
            if let Some(prev) = placements.insert(key, env.name.get_ref().clone())
                && &prev != env.name.get_ref()
            {
                d.push(Diagnostic::at(
                    "E0130",
                    src,
                    at.clone(),
                    format!(
                        "namespace `{here}` is already used by environment `{prev}` on cluster `{}`",
                        c.name.get_ref()
                    ),
                    "give each environment on a cluster its own namespaces: a namespace_suffix, or namespace_names",
                ));
            }
        }
    }
}

/// The base namespaces an environment uses: the platform's, then those of
/// the services it runs.
fn env_namespaces(cx: &Cx<'_>, env: &Environment) -> Vec<String> {
    let mut v = vec![cx.p.platform.namespace.get_ref().clone()];
    for s in runs(cx, env) {
        let ns = cx.p.namespace_of(&s.file).to_string();
        if !v.contains(&ns) {
            v.push(ns);
        }
    }
    v
}

/// Where a namespace's name in an environment comes from.
fn namespace_span(env: &Environment, base: &str) -> std::ops::Range<usize> {
    env.namespace_names
        .get(base)
        .map(Spanned::span)
        .or_else(|| env.namespace_suffix.as_ref().map(Spanned::span))
        .or_else(|| env.namespace_prefix.as_ref().map(Spanned::span))
        .unwrap_or_else(|| env.name.span())
}

/// The services an environment runs.
fn runs<'a>(cx: &Cx<'a>, env: &Environment) -> Vec<&'a LoadedService> {
    cx.loaded
        .services
        .iter()
        .filter(|s| !env.exclude.iter().any(|x| x.get_ref() == &s.name))
        .collect()
}

/// Each service the environment runs lands on exactly one cluster, and the
/// services it depends on run too.
fn check_placements(cx: &Cx<'_>, env: &Environment, d: &mut Diagnostics) {
    let env_clusters = cx.p.env_clusters(env);
    for svc in runs(cx, env) {
        let hosts = env_clusters
            .iter()
            .filter(|c| c.runs(svc.file.category.get_ref()))
            .count();
        if !env_clusters.is_empty() && hosts != 1 {
            d.push(Diagnostic::at(
                "E0131",
                cx.src,
                env.name.span(),
                format!(
                    "`{}` (category {}) would run on {hosts} of environment `{}`'s clusters",
                    svc.name,
                    svc.file.category.get_ref(),
                    env.name.get_ref()
                ),
                "give each category to exactly one of the environment's clusters ([[clusters]] categories)",
            ));
        }
        for dep in &svc.file.depends_on {
            if let Some(x) = env
                .exclude
                .iter()
                .find(|x| x.get_ref() == dep.service.get_ref())
            {
                d.push(Diagnostic::at(
                    "E0142",
                    cx.src,
                    x.span(),
                    format!(
                        "environment `{}` excludes `{}`, which `{}` depends on",
                        env.name.get_ref(),
                        x.get_ref(),
                        svc.name
                    ),
                    format!("exclude `{}` too, or run `{}` here", svc.name, x.get_ref()),
                ));
            }
        }
    }
}

/// An override names a service the environment runs, and every field it
/// states is valid and changes what is rendered.
fn check_override(cx: &Cx<'_>, env: &Environment, name: &str, o: &Override, d: &mut Diagnostics) {
    let field = format!("environments.overrides.{name}");
    let Some(svc) = cx.services.get(name) else {
        if cx.loaded.may_be_service(name) {
            return;
        }
        d.push(
            Diagnostic::at(
                "E0130",
                cx.src,
                env.name.span(),
                format!(
                    "environment `{}` overrides unknown service `{name}`",
                    env.name.get_ref()
                ),
                did_you_mean(
                    name,
                    cx.services.keys().copied(),
                    "override a service under services/",
                ),
            )
            .field(field),
        );
        return;
    };
    if let Some(r) = &o.replicas {
        super::int32(r, cx.src, d);
    }
    if env.exclude.iter().any(|x| x.get_ref() == name) {
        d.push(
            Diagnostic::at(
                "E0162",
                cx.src,
                env.name.span(),
                format!(
                    "environment `{}` excludes `{name}`, so its override renders nothing",
                    env.name.get_ref()
                ),
                "remove the override, or stop excluding the service",
            )
            .field(field),
        );
        return;
    }
    let oc = OverrideCx { cx, svc, o };
    oc.check_scaling(d);
    oc.check_resources(d);
    oc.check_config(d);
    oc.check_routes(d);
    oc.check_probes(d);
    // The tag the environment would run without the override.
    let tag = env
        .image_tag
        .as_ref()
        .or(svc.file.image_tag.as_ref())
        .unwrap_or(&cx.p.images.tag);
    if let Some(t) = o
        .image_tag
        .as_ref()
        .filter(|t| t.get_ref() == tag.get_ref())
    {
        oc.nothing(t.span(), &format!("image tag {}", t.get_ref()), d);
    }
    if let Some(p) = &o.pdb {
        super::availability::check_pdb_shape(p, cx.src, d);
    }
}

/// One override under check.
struct OverrideCx<'c, 'a> {
    cx: &'c Cx<'a>,
    svc: &'a LoadedService,
    o: &'a Override,
}

impl OverrideCx<'_, '_> {
    fn nothing(&self, span: std::ops::Range<usize>, what: &str, d: &mut Diagnostics) {
        d.push(Diagnostic::at(
            "E0162",
            self.cx.src,
            span,
            format!("`{}` already has {what}", self.svc.name),
            "remove the override: it renders nothing",
        ));
    }

    /// Replicas and autoscaling bounds.
    fn check_scaling(&self, d: &mut Diagnostics) {
        let (f, o, src) = (&self.svc.file, self.o, self.cx.src);
        let autoscaled = f.scaling_in(Some(o)).is_some();
        if let Some(r) = &o.replicas {
            if autoscaled {
                d.push(Diagnostic::at(
                    "E0133",
                    src,
                    r.span(),
                    format!(
                        "`{}` is autoscaled: its replicas follow its HPA",
                        self.svc.name
                    ),
                    "change the bounds with `autoscaling = { min = …, max = … }` instead",
                ));
            } else if f.replicas(*self.cx.p.defaults.replicas.get_ref()) == Some(*r.get_ref()) {
                self.nothing(r.span(), &format!("replicas = {}", r.get_ref()), d);
            }
        }
        if let Some(a) = &o.autoscaling {
            super::availability::check_scaling_override(f, a, src, d);
        }
    }

    fn check_resources(&self, d: &mut Diagnostics) {
        let (f, o, src) = (&self.svc.file, self.o, self.cx.src);
        for (what, q, base) in [
            ("cpu", &o.cpu, &f.resources.cpu),
            ("memory", &o.memory, &f.resources.memory),
        ] {
            if let Some(q) = q {
                check_quantities(src, what, q, d);
                if q.request.get_ref() == base.request.get_ref()
                    && q.limit.get_ref() == base.limit.get_ref()
                {
                    self.nothing(
                        q.request.span(),
                        &format!("{what} {}/{}", q.request.get_ref(), q.limit.get_ref()),
                        d,
                    );
                }
            }
        }
        for (vol, size) in &o.volumes {
            match f.volumes.iter().find(|v| v.name.get_ref() == vol) {
                None => d.push(Diagnostic::at(
                    "E0161",
                    src,
                    size.span(),
                    format!("`{}` has no volume `{vol}`", self.svc.name),
                    did_you_mean(
                        vol,
                        f.volumes.iter().map(|v| v.name.get_ref().as_str()),
                        "size one of its volumes",
                    ),
                )),
                Some(v) if v.size.get_ref() == size.get_ref() => self.nothing(
                    size.span(),
                    &format!("volume {vol} = {}", size.get_ref()),
                    d,
                ),
                Some(_) => {
                    super::quantity_of(src, size, d);
                }
            }
        }
        if let Some(pc) = &o.priority_class {
            if !self
                .cx
                .p
                .priority_classes
                .iter()
                .any(|c| c.name.get_ref() == pc.get_ref())
            {
                d.push(Diagnostic::at(
                    "E0161",
                    src,
                    pc.span(),
                    format!("unknown priority class `{}`", pc.get_ref()),
                    did_you_mean(
                        pc.get_ref(),
                        self.cx
                            .p
                            .priority_classes
                            .iter()
                            .map(|c| c.name.get_ref().as_str()),
                        "use one of the priority classes of platform.toml",
                    ),
                ));
            }
            let base = f
                .priority_class
                .as_ref()
                .unwrap_or(&self.cx.p.defaults.priority_class);
            if base.get_ref() == pc.get_ref() {
                self.nothing(pc.span(), &format!("priority class {}", pc.get_ref()), d);
            }
        }
    }

    /// Environment values: valid names, no secrets, not a key a dependency
    /// or route writes, and different from the service's.
    fn check_config(&self, d: &mut Diagnostics) {
        let (f, src) = (&self.svc.file, self.cx.src);
        let written: BTreeSet<&str> = f
            .depends_on
            .iter()
            .filter_map(|x| x.env.as_deref())
            .chain(f.routes.iter().filter_map(|r| r.env.as_deref()))
            .chain(f.egress.iter().filter_map(|e| e.env.as_deref()))
            .collect();
        for (k, v) in &self.o.env {
            if !is_env_name(k) || written.contains(k.as_str()) {
                d.push(Diagnostic::at(
                    "E0161",
                    src,
                    v.span(),
                    format!("`{k}` cannot be set here"),
                    "set a valid variable name that no dependency, egress or route of the service writes",
                ));
            }
            if super::looks_secret(k, v.get_ref()) {
                d.push(Diagnostic::at(
                    "E0211",
                    src,
                    v.span(),
                    format!("`{k}` looks like a secret, and its value would be committed in a ConfigMap"),
                    "list the key in the service's `secrets` so its value comes from the secret store",
                ));
            }
            if f.env.get(k).is_some_and(|b| b.get_ref() == v.get_ref()) {
                self.nothing(v.span(), &format!("{k} = {:?}", v.get_ref()), d);
            }
        }
    }

    /// Host renames name hosts the service's routes use; replacement routes
    /// are checked like the service's own.
    fn check_routes(&self, d: &mut Diagnostics) {
        let (f, src) = (&self.svc.file, self.cx.src);
        let routes = self.o.routes.as_ref().map_or(&f.routes, |r| r.get_ref());
        for (host, to) in &self.o.hosts {
            if !routes.iter().any(|r| r.host.get_ref() == host) {
                d.push(Diagnostic::at(
                    "E0161",
                    src,
                    to.span(),
                    format!("`{}` publishes no route on host `{host}`", self.svc.name),
                    did_you_mean(
                        host,
                        routes.iter().map(|r| r.host.get_ref().as_str()),
                        "rename one of its hosts",
                    ),
                ));
            } else if host == to.get_ref() {
                self.nothing(to.span(), &format!("host {host}"), d);
            }
            if !to.get_ref().is_empty() && !is_hostname(to.get_ref()) {
                d.push(Diagnostic::at(
                    "E0112",
                    src,
                    to.span(),
                    format!("`{}` is not a valid host name prefix", to.get_ref()),
                    "write the labels left of the domain, such as `www` or `api.v2`",
                ));
            }
        }
        if let Some(r) = &self.o.routes
            && r.get_ref() == &f.routes
        {
            self.nothing(r.span(), "these routes", d);
        }
        if let Some(r) = &self.o.routes {
            for route in r.get_ref() {
                super::routes::check_route(
                    self.cx.p,
                    &self.svc.name,
                    &self.svc.file,
                    route,
                    src,
                    d,
                );
            }
        }
    }

    /// Probe timings: positive, and different from the platform's.
    fn check_probes(&self, d: &mut Diagnostics) {
        let Some(p) = &self.o.probes else { return };
        let defaults = &self.cx.p.defaults.probes;
        // A startup probe's attempts may be the service's own.
        let startup_attempts = self
            .svc
            .file
            .health
            .as_ref()
            .and_then(|h| h.startup.as_ref())
            .map_or(*defaults.startup.failure_threshold.get_ref(), |s| {
                *s.failure_threshold.get_ref()
            });
        for (t, base, attempts) in [
            (
                &p.readiness,
                &defaults.readiness,
                *defaults.readiness.failure_threshold.get_ref(),
            ),
            (
                &p.liveness,
                &defaults.liveness,
                *defaults.liveness.failure_threshold.get_ref(),
            ),
            (&p.startup, &defaults.startup, startup_attempts),
        ] {
            let Some(t) = t else { continue };
            for (v, b, min) in [
                (
                    &t.initial_delay_seconds,
                    base.initial_delay_seconds.as_ref().map(|v| *v.get_ref()),
                    0,
                ),
                (&t.period_seconds, Some(*base.period_seconds.get_ref()), 1),
                (&t.timeout_seconds, Some(*base.timeout_seconds.get_ref()), 1),
                (&t.failure_threshold, Some(attempts), 1),
            ] {
                let Some(v) = v else { continue };
                if *v.get_ref() < min {
                    d.push(Diagnostic::at(
                        "E0161",
                        self.cx.src,
                        v.span(),
                        format!("{} is not a usable probe timing", v.get_ref()),
                        format!("use a value of at least {min}"),
                    ));
                } else if b == Some(*v.get_ref()) {
                    self.nothing(v.span(), &format!("probe timing {}", v.get_ref()), d);
                }
            }
        }
    }
}

/// Conventional names of tags that move from build to build.
const MOVING_TAGS: &[&str] = &[
    "latest",
    "stable",
    "edge",
    "main",
    "master",
    "nightly",
    "dev",
    "develop",
    "staging",
    "stage",
    "prod",
    "production",
    "release",
    "current",
    "canary",
    "test",
    "qa",
    "preview",
];

/// A tag changing what it points at changes no manifest: nothing rolls
/// out, and a node keeps the image it pulled (IfNotPresent). So every tag
/// an environment runs an own image at is immutable, and each is a valid
/// tag; `image_tag` is for own images only.
fn check_image_tags(cx: &Cx<'_>, d: &mut Diagnostics) {
    let p = cx.p;
    let env_names: Vec<&str> = p
        .environments
        .iter()
        .map(|e| e.name.get_ref().as_str())
        .collect();
    let mut reported = BTreeSet::new();
    for svc in &cx.loaded.services {
        let own = svc.file.own_image();
        let overrides = p.environments.iter().filter_map(|e| {
            e.overrides
                .get(&svc.name)
                .and_then(|o| o.image_tag.as_ref())
                .map(|t| (t, cx.src))
        });
        for (t, src) in svc
            .file
            .image_tag
            .iter()
            .map(|t| (t, &svc.source))
            .chain(overrides)
        {
            if !own {
                d.push(Diagnostic::at(
                    "E0118",
                    src,
                    t.span(),
                    format!("`{}` runs `{}`, not one of the platform's own images: `image_tag` has nothing to tag", svc.name, svc.file.image.get_ref()),
                    "write the tag in `image` (`mongo:7.0.14`), or remove image_tag",
                ));
            }
        }
        if !own {
            continue;
        }
        for env in p
            .environments
            .iter()
            .filter(|e| !e.exclude.iter().any(|x| x.get_ref() == &svc.name))
        {
            let tag = p.own_image_tag(&svc.file, &svc.name, Some(env));
            let src = if svc
                .file
                .image_tag
                .as_ref()
                .is_some_and(|t| std::ptr::eq(t, tag))
            {
                &svc.source
            } else {
                cx.src
            };
            if !reported.insert((src.path.clone(), tag.span().start)) {
                continue;
            }
            let t = tag.get_ref();
            let valid = !t.is_empty()
                && t.len() <= 128
                && !t.starts_with(['.', '-'])
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
            let moving = MOVING_TAGS.contains(&t.to_ascii_lowercase().as_str())
                || env_names.contains(&t.as_str());
            if !valid || moving {
                d.push(Diagnostic::at(
                    "E0325",
                    src,
                    tag.span(),
                    if valid {
                        format!("environment `{}` would run `{}` at `{t}`, a tag that moves: re-tagging it changes no manifest, so nothing rolls out", env.name.get_ref(), svc.name)
                    } else {
                        format!("`{t}` is not an image tag")
                    },
                    "pin an immutable tag CI pushes once (`sha-1a2b3c4`, `1.4.2`): set the service's image_tag, the environment's image_tag, or its override's, and bump it to promote",
                ));
            }
        }
    }
}
