//! Routes: each publishes one of the service's own ports, not a metrics
//! port, on a valid host name and absolute path (a gRPC route on `/` or
//! `/<package.Service>`), under a known policy the route can carry, through
//! the platform's edge. Across services, as the base and each environment
//! publish them: no host and path claimed twice; one policy per host of a
//! service; an auth proxy beside the services it protects.

use std::collections::{BTreeMap, BTreeSet};

use super::ServiceCx;
use super::config::check_env_slot;
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::load::{Loaded, LoadedService};
use crate::model::{Environment, PlatformFile, Route, ServiceFile};
use crate::names::is_hostname;

pub(super) fn check(cx: &mut ServiceCx<'_>, d: &mut Diagnostics) {
    let src = cx.src;
    for r in &cx.f.routes {
        check_route(cx.ix.platform, &cx.svc.name, cx.f, r, src, d);
        if let Some(env) = &r.env {
            check_env_slot(src, &r.host, env, "a route", &mut cx.env_names, d);
        }
    }
}

/// One route of `f` (its own, or an environment's replacement).
pub(super) fn check_route(
    p: &PlatformFile,
    name: &str,
    f: &ServiceFile,
    r: &Route,
    src: &SourceFile,
    d: &mut Diagnostics,
) {
    let at = r.host.span();
    let port = f.port(r.port.get_ref());
    match port {
        None => d.push(Diagnostic::at(
            "E0110",
            src,
            r.port.span(),
            format!(
                "the route names port `{}`, which `{name}` does not declare",
                r.port.get_ref()
            ),
            crate::diag::did_you_mean(
                r.port.get_ref(),
                f.ports.iter().map(|p| p.name.get_ref().as_str()),
                "use one of its ports",
            ),
        )),
        Some(p) if p.serves_metrics() => d.push(Diagnostic::at(
            "E0151",
            src,
            r.port.span(),
            format!(
                "port `{}` serves metrics, which must not be published",
                r.port.get_ref()
            ),
            "route the service's API port; metrics are scraped from inside the cluster",
        )),
        Some(_) => {}
    }
    let host = r.host.get_ref();
    if !host.is_empty() && !is_hostname(host) {
        d.push(Diagnostic::at(
            "E0112",
            src,
            at.clone(),
            format!("`{host}` is not a valid host name prefix"),
            "write the labels left of the domain, such as `www` or `api.v2`",
        ));
    }
    if !r.path.starts_with('/') {
        d.push(
            Diagnostic::at(
                "E0112",
                src,
                at.clone(),
                format!("route path `{}` does not start with `/`", r.path),
                "write an absolute path prefix",
            )
            .field("routes.path"),
        );
    }
    let grpc = port.is_some_and(|p| p.speaks_grpc());
    if grpc && r.path != "/" && !grpc_service(&r.path) {
        d.push(Diagnostic::at(
            "E0152",
            src,
            at.clone(),
            format!(
                "gRPC route path `{}` is neither `/` nor `/<package.Service>`",
                r.path
            ),
            "route the whole host (`/`), or one gRPC service: `/orbit.v1.BuildService`",
        ));
    }
    if p.edge.is_none() {
        d.push(Diagnostic::at(
            "E0112",
            src,
            at.clone(),
            "the service declares a route but platform.toml has no [edge]",
            "add an [edge] table to platform.toml: kind = \"gateway\", \"nginx\" or \"traefik\"",
        ));
    }
    check_route_policy(p, r, grpc, src, d);
}

/// `/pkg.Service`: one gRPC service.
fn grpc_service(path: &str) -> bool {
    path.strip_prefix('/').is_some_and(|s| {
        !s.is_empty()
            && s.contains('.')
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
    })
}

/// The route's policy exists, and a gRPC route's asks for nothing a gRPC
/// route cannot carry.
fn check_route_policy(
    p: &PlatformFile,
    r: &Route,
    grpc: bool,
    src: &SourceFile,
    d: &mut Diagnostics,
) {
    if let Some(name) = &r.policy
        && !super::edge::known_policy(p, name, src, d)
    {
        return;
    }
    if !grpc {
        return;
    }
    let policy = p.policy_in(None, r.policy.as_ref().map(|x| x.get_ref().as_str()));
    if policy.cors.is_some() || policy.auth.is_some() {
        d.push(Diagnostic::at(
            "E0149",
            src,
            r.port.span(),
            format!(
                "port `{}` speaks gRPC, but the route's policy sets CORS or authentication, which a gRPC route cannot carry",
                r.port.get_ref()
            ),
            "give the gRPC route a policy without `cors` and `auth`",
        ));
    }
}

/// A route as an environment publishes it, with the service and the file
/// it is written in.
struct Published<'a> {
    svc: &'a LoadedService,
    route: Route,
    src: &'a SourceFile,
}

fn published<'a>(loaded: &'a Loaded, env: Option<&'a Environment>) -> Vec<Published<'a>> {
    let mut v = Vec::new();
    for s in &loaded.services {
        if env.is_some_and(|e| e.exclude.iter().any(|x| x.get_ref() == &s.name)) {
            continue;
        }
        let o = env.and_then(|e| e.overrides.get(&s.name));
        let src = if o.is_some_and(|o| o.routes.is_some() || !o.hosts.is_empty()) {
            &loaded.platform_source
        } else {
            &s.source
        };
        for route in s.file.routes_in(o) {
            v.push(Published { svc: s, route, src });
        }
    }
    v
}

/// The rules across services, as the base and each environment publish
/// their routes; each finding reported once.
pub(super) fn check_platform(loaded: &Loaded, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let mut seen = BTreeSet::new();
    let envs = std::iter::once(None).chain(p.environments.iter().map(Some));
    for env in envs {
        let routes = published(loaded, env);
        let mut found = Diagnostics::default();
        check_claims(p, env, &routes, &mut found);
        check_groups(p, env, &routes, &mut found);
        check_auth(loaded, env, &routes, &mut found);
        for diag in found.0 {
            if seen.insert((diag.file.clone(), diag.line, diag.column, diag.code)) {
                d.push(diag);
            }
        }
    }
}

/// No host and path published twice.
fn check_claims(
    p: &PlatformFile,
    env: Option<&Environment>,
    routes: &[Published<'_>],
    d: &mut Diagnostics,
) {
    let mut claims: BTreeMap<(String, &str), &str> = BTreeMap::new();
    for r in routes {
        let host = p.hostname(env, r.route.host.get_ref());
        let key = (host.clone(), r.route.path.as_str());
        if let Some(prev) = claims.insert(key, &r.svc.name) {
            d.push(Diagnostic::at(
                "E0150",
                r.src,
                r.route.host.span(),
                format!(
                    "{host}{} is already published by `{prev}`{}",
                    r.route.path,
                    env.map_or_else(String::new, |e| format!(
                        " in environment `{}`",
                        e.name.get_ref()
                    ))
                ),
                "give the route another host or path: two services cannot answer the same address",
            ));
        }
    }
}

/// One policy for all the routes of a service on one host; Traefik reads a
/// backend's protocol from its Service, so a service routes gRPC only or
/// HTTP only.
fn check_groups(
    p: &PlatformFile,
    env: Option<&Environment>,
    routes: &[Published<'_>],
    d: &mut Diagnostics,
) {
    let mut policies: BTreeMap<(&str, String), Option<&str>> = BTreeMap::new();
    let mut protocols: BTreeMap<&str, BTreeSet<bool>> = BTreeMap::new();
    for r in routes {
        let host = p.hostname(env, r.route.host.get_ref());
        let policy = r.route.policy.as_ref().map(|x| x.get_ref().as_str());
        if let Some(prev) = policies.insert((&r.svc.name, host.clone()), policy)
            && prev != policy
        {
            d.push(Diagnostic::at(
                "E0166",
                r.src,
                r.route.host.span(),
                format!(
                    "`{}` publishes {host} under two route policies ({} and {})",
                    r.svc.name,
                    prev.unwrap_or("the edge's default"),
                    policy.unwrap_or("the edge's default")
                ),
                "give every route of a host the same policy",
            ));
        }
        let grpc = r
            .svc
            .file
            .port(r.route.port.get_ref())
            .is_some_and(|x| x.speaks_grpc());
        protocols.entry(&r.svc.name).or_default().insert(grpc);
    }
    if p.edge
        .as_ref()
        .is_some_and(|e| e.kind.get_ref() == "traefik")
    {
        for r in routes {
            if protocols
                .get(r.svc.name.as_str())
                .is_some_and(|s| s.len() > 1)
            {
                d.push(Diagnostic::at(
                    "E0152",
                    r.src,
                    r.route.port.span(),
                    format!("`{}` routes gRPC and HTTP ports, and Traefik takes one protocol per Service", r.svc.name),
                    "publish the gRPC port from a service of its own",
                ));
                break;
            }
        }
    }
}

/// An auth proxy lives in the namespace of the services whose routes it
/// protects; through a Gateway, it proxies one service per path.
fn check_auth(
    loaded: &Loaded,
    env: Option<&Environment>,
    routes: &[Published<'_>],
    d: &mut Diagnostics,
) {
    let p = &loaded.platform;
    let gateway = p
        .edge
        .as_ref()
        .is_some_and(|e| e.kind.get_ref() == "gateway");
    let mut upstreams: BTreeMap<(String, &str), &str> = BTreeMap::new();
    for r in routes {
        let policy = p.policy_in(env, r.route.policy.as_ref().map(|x| x.get_ref().as_str()));
        let Some(proxy) = policy.auth.as_ref() else {
            continue;
        };
        let Some(ps) = loaded.services.iter().find(|s| &s.name == proxy.get_ref()) else {
            continue;
        };
        if p.namespace_of(&ps.file) != p.namespace_of(&r.svc.file) {
            d.push(Diagnostic::at(
                "E0153",
                r.src,
                r.route.host.span(),
                format!(
                    "`{}` is authenticated by `{}`, which lives in another namespace",
                    r.svc.name,
                    proxy.get_ref()
                ),
                "run the auth proxy in the namespace of the services it protects",
            ));
        }
        if gateway
            && let Some(prev) = upstreams.insert(
                (proxy.get_ref().clone(), r.route.path.as_str()),
                &r.svc.name,
            )
            && prev != r.svc.name
        {
            d.push(Diagnostic::at(
                "E0153",
                r.src,
                r.route.host.span(),
                format!(
                    "`{}` proxies path {} to `{prev}` already; through a Gateway it routes by path alone",
                    proxy.get_ref(),
                    r.route.path
                ),
                "give the protected routes distinct paths, or each its own auth proxy",
            ));
        }
    }
}
