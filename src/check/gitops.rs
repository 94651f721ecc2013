//! GitOps: the engines named once each, the clusters (unique names, known
//! categories), and the names of the objects the engines get: no two
//! Applications, Flux Kustomizations or their files alike, derived from the
//! output layout ([`ArgoApp`], [`FluxUnit`]) rather than listed by hand.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use crate::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::layout::{ArgoApp, FluxUnit};
use crate::load::{Loaded, LoadedRelease};
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
        check_engine_needs(loaded, g, d);
        check_cluster_engines(loaded, g, d);
        check_engine_namespaces(loaded, g, d);
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
        if !is_api_server_url(c.server.get_ref()) {
            d.push(Diagnostic::at(
                "E0311",
                src,
                c.server.span(),
                format!("`{}` is not an API server URL", c.server.get_ref()),
                "write the URL Argo CD knows the cluster by: https://<host>[:port] (https://kubernetes.default.svc for the cluster Argo CD runs in)",
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

/// One engine per cluster: with two engines each cluster names its own, and
/// an engine named manages some cluster.
fn check_cluster_engines(loaded: &Loaded, g: &crate::model::GitOps, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let src = &loaded.platform_source;
    let named: Vec<&str> = g.engines.iter().map(|e| e.get_ref().as_str()).collect();
    for c in &p.clusters {
        match &c.engine {
            Some(e) if !named.contains(&e.get_ref().as_str()) => d.push(Diagnostic::at(
                "E0326",
                src,
                e.span(),
                format!("cluster `{}` names engine `{}`, which [gitops] does not", c.name.get_ref(), e.get_ref()),
                did_you_mean(e.get_ref(), named.iter().copied(), "name one of [gitops] engines"),
            )),
            None if named.len() > 1 => d.push(Diagnostic::at(
                "E0326",
                src,
                c.name.span(),
                format!("both engines would manage cluster `{}`: each would apply, and prune, what the other applies", c.name.get_ref()),
                "say which manages it: engine = \"argocd\" or engine = \"flux\" in its [[clusters]] entry",
            )),
            _ => {}
        }
    }
    if named.len() > 1 && p.clusters.iter().all(|c| c.engine.is_some()) {
        for e in &g.engines {
            if !p.clusters.iter().any(|c| g.manages(e.get_ref(), c)) {
                d.push(Diagnostic::at(
                    "E0326",
                    src,
                    e.span(),
                    format!("no cluster is managed by `{}`", e.get_ref()),
                    "remove the engine, or name it in a cluster's `engine`",
                ));
            }
        }
    }
}

/// No namespace of the platform is an engine's own: an Application that
/// deploys into Argo CD's namespace can create Applications of any project
/// (admin-equivalent, Argo CD's docs on projects), and Flux's namespace
/// holds its controllers and their secrets.
fn check_engine_namespaces(loaded: &Loaded, g: &crate::model::GitOps, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let mut own: Vec<(&str, &str)> = Vec::new();
    for e in &g.engines {
        match e.get_ref().as_str() {
            "argocd" => own.push((&g.argocd_namespace, "Argo CD")),
            "flux" => own.push((&g.flux_namespace, "Flux")),
            _ => {}
        }
    }
    let mut named: Vec<(&str, &SourceFile, Range<usize>)> = vec![(
        p.platform.namespace.get_ref(),
        &loaded.platform_source,
        p.platform.namespace.span(),
    )];
    for c in &p.categories {
        if let Some(n) = &c.namespace {
            named.push((n.get_ref(), &loaded.platform_source, n.span()));
        }
    }
    for s in &loaded.services {
        if let Some(n) = &s.file.namespace {
            named.push((n.get_ref(), &s.source, n.span()));
        }
    }
    for r in &loaded.releases {
        named.push((
            r.file.namespace.get_ref(),
            &r.source,
            r.file.namespace.span(),
        ));
    }
    if let Some(m) = &p.monitoring {
        let n = &m.rules_namespace;
        named.push((n.get_ref(), &loaded.platform_source, n.span()));
    }
    let bases = super::tenancy::base_namespaces(loaded);
    let env_names: Vec<(String, Range<usize>)> = p
        .environments
        .iter()
        .flat_map(|e| {
            bases
                .iter()
                .map(move |b| (e.namespace_for(b), e.name.span()))
        })
        .collect();
    let all = named
        .into_iter()
        .map(|(n, src, span)| (n.to_string(), src, span))
        .chain(
            env_names
                .into_iter()
                .map(|(n, span)| (n, &loaded.platform_source, span)),
        );
    let mut reported = BTreeSet::new();
    for (ns, src, span) in all {
        if let Some((_, engine)) = own.iter().find(|(o, _)| *o == ns)
            && reported.insert((src.path.clone(), span.start))
        {
            d.push(Diagnostic::at(
                "E0323",
                src,
                span,
                format!("the platform would deploy into `{ns}`, {engine}'s own namespace"),
                format!("use another namespace: what lands in {engine}'s namespace can take over {engine} itself"),
            ));
        }
    }
}

/// `https://host[:port][/path]`: what Argo CD matches a cluster's server
/// against (its cluster secrets hold the API server's URL).
fn is_api_server_url(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("https://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or("");
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    !host.is_empty()
        && !s.chars().any(char::is_whitespace)
        && (crate::names::is_hostname(host)
            || host.split('.').count() == 4 && host.split('.').all(|o| o.parse::<u8>().is_ok()))
        && port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0))
}

/// What an engine needs of the rest of the platform: environments to
/// deploy (both engines deploy each environment's overlays, never the base
/// itself), and SOPS files only where Flux decrypts them.
fn check_engine_needs(loaded: &Loaded, g: &crate::model::GitOps, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let src = &loaded.platform_source;
    let named = |e: &str| g.engines.iter().find(|x| x.get_ref() == e);
    if p.environments.is_empty() && !g.engines.is_empty() {
        d.push(
            Diagnostic::at(
                "E0321",
                src,
                g.engines[0].span(),
                "the GitOps engines deploy environments, and the platform declares none: nothing but the cluster base would be applied",
                "declare where the services run: [[environments]] name = \"production\" domain = \"…\"",
            )
            .field("environments"),
        );
    }
    let sops = p.secrets.as_ref().filter(|s| s.backend.get_ref() == "sops");
    if let (Some(s), Some(argo)) = (sops, named("argocd")) {
        d.push(Diagnostic::at(
            "E0322",
            src,
            argo.span(),
            "Argo CD cannot decrypt the SOPS-encrypted Secrets of `backend = \"sops\"`: it would apply them encrypted",
            format!(
                "deploy with Flux alone (engines = [\"flux\"]), or seal the secrets for Argo CD: backend = \"sealed-secrets\" or \"external-secrets\" (line {})",
                src.line_col(s.backend.span().start).0
            ),
        ));
    }
}

/// Where a generated object comes from: the source that names it.
#[derive(Clone)]
struct Origin<'a> {
    what: String,
    src: &'a SourceFile,
    span: Range<usize>,
    field: Option<&'static str>,
}

/// Generated names and paths, each with the first source that made it.
#[derive(Default)]
struct Taken<'a> {
    seen: BTreeMap<String, Origin<'a>>,
    /// Sources already reported (file and span), so each is told once.
    reported: BTreeSet<(String, usize, String)>,
}

impl<'a> Taken<'a> {
    /// Records `key` (a name or a path, `kind` saying which) for `origin`;
    /// E0320 when another source made it already.
    fn claim(&mut self, kind: &str, key: String, origin: Origin<'a>, d: &mut Diagnostics) {
        if let Some(first) = self.seen.get(&key) {
            let at = (
                origin.src.path.clone(),
                origin.span.start,
                first.what.clone(),
            );
            if !self.reported.insert(at) {
                return;
            }
            let mut diag = Diagnostic::at(
                "E0320",
                origin.src,
                origin.span.clone(),
                format!(
                    "{} would get the {kind} `{key}`, which {} already has",
                    origin.what, first.what
                ),
                "rename one of the two: the engine would apply one over the other (or refuse both)",
            );
            if let Some(f) = origin.field {
                diag = diag.field(f);
            }
            d.push(diag);
        } else {
            self.seen.insert(key, origin);
        }
    }
}

/// Every Application and Flux Kustomization the engines would get, by name
/// and by file: two sources making the same one are refused (a service
/// named `base` would overwrite its environment's base Application, an
/// environment named `root` would re-point the root Application).
pub(super) fn check_generated_names(loaded: &Loaded, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let Some(g) = &p.gitops else { return };
    let engine = |e: &str| g.engines.iter().any(|x| x.get_ref() == e);
    if engine("argocd") {
        let mut taken = Taken::default();
        for (app, origin) in argo_apps(loaded) {
            let name = app.name(p.platform.name.get_ref());
            if let Some(path) = app.path() {
                taken.claim("Application file", path, origin.clone(), d);
            }
            taken.claim("Application name", name, origin, d);
        }
    }
    if engine("flux") {
        let mut taken = Taken::default();
        for c in p.clusters.iter().filter(|c| g.manages("flux", c)) {
            for (unit, origin) in flux_units(loaded) {
                let path = unit.path(c.name.get_ref());
                taken.claim("Flux Kustomization file", path, origin.clone(), d);
                let name = unit.name(p.platform.name.get_ref());
                taken.claim(
                    "Flux Kustomization name",
                    format!("{name}` of cluster `{}", c.name.get_ref()),
                    origin,
                    d,
                );
            }
        }
    }
}

fn platform_origin(loaded: &Loaded, what: String) -> Origin<'_> {
    Origin {
        what,
        src: &loaded.platform_source,
        span: loaded.platform.platform.name.span(),
        field: None,
    }
}

/// The services an environment runs, each with its source.
fn services_in<'a>(
    loaded: &'a Loaded,
    e: &'a crate::model::Environment,
) -> impl Iterator<Item = (&'a str, Origin<'a>)> {
    let env = e.name.get_ref();
    loaded
        .services
        .iter()
        .filter(move |s| !e.exclude.iter().any(|x| x.get_ref() == &s.name))
        .map(move |s| {
            let origin = Origin {
                what: format!("service `{}` in environment `{env}`", s.name),
                src: &s.source,
                span: s.file.name.as_ref().map_or(0..0, |n| n.span()),
                field: s.file.name.is_none().then_some("name"),
            };
            (s.name.as_str(), origin)
        })
}

/// A release, as the source of an object named after it.
fn release_origin(r: &LoadedRelease, what: String) -> Origin<'_> {
    Origin {
        what,
        src: &r.source,
        span: r.file.name.as_ref().map_or(0..0, |n| n.span()),
        field: r.file.name.is_none().then_some("name"),
    }
}

/// The Applications Argo CD would get, with the source of each.
fn argo_apps(loaded: &Loaded) -> Vec<(ArgoApp<'_>, Origin<'_>)> {
    let p = &loaded.platform;
    let src = &loaded.platform_source;
    let mut v = vec![(
        ArgoApp::Root,
        platform_origin(loaded, "the root Application".into()),
    )];
    let argo =
        |c: &&crate::model::Cluster| p.gitops.as_ref().is_some_and(|g| g.manages("argocd", c));
    for c in p.clusters.iter().filter(argo) {
        let cluster = c.name.get_ref().as_str();
        let origin = |what: String| Origin {
            what,
            src,
            span: c.name.span(),
            field: None,
        };
        v.push((
            ArgoApp::ClusterBase { cluster },
            origin(format!("the base of cluster `{cluster}`")),
        ));
        if p.monitoring.is_some() {
            v.push((
                ArgoApp::Monitoring { cluster },
                origin(format!("the alert rules of cluster `{cluster}`")),
            ));
        }
        for r in loaded
            .releases
            .iter()
            .filter(|r| c.runs(r.file.category.get_ref()))
        {
            v.push((
                ArgoApp::Release {
                    release: &r.name,
                    cluster,
                },
                release_origin(r, format!("release `{}` on cluster `{cluster}`", r.name)),
            ));
        }
    }
    for e in &p.environments {
        let env = e.name.get_ref().as_str();
        let origin = |what: String| Origin {
            what,
            src,
            span: e.name.span(),
            field: None,
        };
        v.push((
            ArgoApp::Environment { env },
            origin(format!("environment `{env}`")),
        ));
        let clusters = p.env_clusters(e);
        for c in &clusters {
            let cluster = (clusters.len() > 1).then(|| c.name.get_ref().as_str());
            v.push((
                ArgoApp::EnvBase { env, cluster },
                origin(format!("the base of environment `{env}`")),
            ));
        }
        for (service, o) in services_in(loaded, e) {
            v.push((ArgoApp::Service { env, service }, o));
        }
    }
    v
}

/// The Flux Kustomizations of a cluster, with the source of each (every
/// cluster's possible units: a name taken on one is taken on all).
fn flux_units(loaded: &Loaded) -> Vec<(FluxUnit<'_>, Origin<'_>)> {
    let p = &loaded.platform;
    let src = &loaded.platform_source;
    let mut v = vec![(
        FluxUnit::Platform,
        platform_origin(loaded, "the cluster base".into()),
    )];
    if p.monitoring.is_some() {
        v.push((
            FluxUnit::Monitoring,
            platform_origin(loaded, "the alert rules".into()),
        ));
    }
    for r in &loaded.releases {
        v.push((
            FluxUnit::Release(&r.name),
            release_origin(r, format!("release `{}`", r.name)),
        ));
    }
    for e in &p.environments {
        let env = e.name.get_ref().as_str();
        v.push((
            FluxUnit::EnvBase(env),
            Origin {
                what: format!("the base of environment `{env}`"),
                src,
                span: e.name.span(),
                field: None,
            },
        ));
        for (service, o) in services_in(loaded, e) {
            v.push((FluxUnit::Service { env, service }, o));
        }
    }
    v
}
