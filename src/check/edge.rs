//! The edge: a kind platformc renders for, the settings that kind needs
//! (an IngressClass, or a Gateway rendered or existing), the proxies'
//! namespace, and route policies each implementation can carry.

use super::require_label;
use crate::diag::did_you_mean;
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::load::Loaded;
use crate::model::{EDGE_KINDS, Edge, PlatformFile, RoutePolicy};
use crate::names::is_hostname;

pub(super) fn check(loaded: &Loaded, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let src = &loaded.platform_source;
    let Some(e) = &p.edge else { return };
    let kind = e.kind.get_ref().as_str();
    if !EDGE_KINDS.contains(&kind) {
        d.push(Diagnostic::at(
            "E0147",
            src,
            e.kind.span(),
            format!("`{kind}` is not an edge platformc renders for"),
            format!("use one of: {}", EDGE_KINDS.join(", ")),
        ));
        return;
    }
    require_label(&e.proxy_namespace, "namespace", src, d);
    if kind == "gateway" {
        check_gateway(e, src, d);
    } else {
        check_ingress(e, kind, src, d);
    }
    if let Some(name) = &e.policy {
        known_policy(p, name, src, d);
    }
    for (name, policy) in &e.policies {
        check_policy(p, policy, src, d);
        if let Some(auth) = &policy.auth {
            check_auth_proxy(loaded, name, auth, d);
        }
    }
}

/// A Gateway: rendered (a class) or existing (a namespace), not both.
fn check_gateway(e: &Edge, src: &SourceFile, d: &mut Diagnostics) {
    let Some(gw) = &e.gateway else {
        d.push(
            Diagnostic::at(
                "E0147",
                src,
                e.kind.span(),
                "kind `gateway` needs an [edge.gateway] table",
                "name the Gateway and give its class (platformc renders it) or its namespace (it exists)",
            )
            .field("edge.gateway"),
        );
        return;
    };
    require_label(&gw.name, "Gateway name", src, d);
    match (&gw.class, &gw.namespace) {
        (Some(_), None) if gw.section.is_none() && gw.covers.is_empty() => {}
        (None, Some(ns)) => require_label(ns, "namespace", src, d),
        _ => d.push(Diagnostic::at(
            "E0147",
            src,
            gw.name.span(),
            "[edge.gateway] must give either `class` (a Gateway platformc renders) or `namespace` (an existing one, with its `section` and `covers`)",
            "keep `class` alone, or `namespace` with `section` and `covers`",
        )),
    }
    for c in &gw.covers {
        let name = c.get_ref().strip_prefix("*.").unwrap_or(c.get_ref());
        if !is_hostname(name) {
            d.push(Diagnostic::at(
                "E0147",
                src,
                c.span(),
                format!("`{}` is not a certificate name", c.get_ref()),
                "write a host name, or a wildcard such as `*.example.com`",
            ));
        }
    }
    if e.class.is_some() {
        d.push(Diagnostic::at(
            "E0147",
            src,
            e.kind.span(),
            "kind `gateway` takes its class in [edge.gateway], not an IngressClass",
            "move `class` into [edge.gateway]",
        ));
    }
}

/// An Ingress edge: its class, and no Gateway.
fn check_ingress(e: &Edge, kind: &str, src: &SourceFile, d: &mut Diagnostics) {
    match &e.class {
        Some(c) => require_label(c, "IngressClass name", src, d),
        None => d.push(Diagnostic::at(
            "E0147",
            src,
            e.kind.span(),
            format!("kind `{kind}` needs the IngressClass of its controller"),
            format!("set class = \"{kind}\" (or the class your controller watches)"),
        )),
    }
    if let Some(gw) = &e.gateway {
        d.push(Diagnostic::at(
            "E0147",
            src,
            gw.name.span(),
            format!("kind `{kind}` publishes Ingresses; [edge.gateway] is for kind `gateway`"),
            "remove [edge.gateway], or set kind = \"gateway\"",
        ));
    }
}

/// A policy's values, and what the edge can carry.
pub(super) fn check_policy(
    p: &PlatformFile,
    policy: &RoutePolicy,
    src: &SourceFile,
    d: &mut Diagnostics,
) {
    let kind = p.edge.as_ref().map_or("", |e| e.kind.get_ref().as_str());
    if let Some(c) = &policy.cors {
        for o in &c.origins {
            let v = o.get_ref();
            let ok = v == "*"
                || ["https://", "http://"].iter().any(|s| {
                    v.strip_prefix(s).is_some_and(|h| {
                        let host = h.split(':').next().unwrap_or(h);
                        is_hostname(host.strip_prefix("*.").unwrap_or(host))
                    })
                });
            if !ok {
                d.push(Diagnostic::at(
                    "E0148",
                    src,
                    o.span(),
                    format!("`{v}` is not a CORS origin"),
                    "write a scheme and host (`https://app.example.com`), or `*`",
                ));
            }
        }
        if c.origins.is_empty() {
            d.push(
                Diagnostic::at(
                    "E0148",
                    src,
                    0..0,
                    "a CORS policy allows no origin",
                    "list the origins allowed to call, or drop `cors`",
                )
                .field("edge.policies"),
            );
        }
    }
    if let Some(r) = &policy.rate_limit {
        let rps = *r.rps.get_ref();
        if kind == "gateway" {
            d.push(Diagnostic::at(
                "E0149",
                src,
                r.rps.span(),
                "Gateway API has no rate limit its implementations share, so the Gateway edge cannot carry `rate_limit`",
                "drop `rate_limit` and set it in the Gateway implementation's own policy (Envoy Gateway: BackendTrafficPolicy)",
            ));
        }
        if rps == 0 {
            d.push(Diagnostic::at(
                "E0148",
                src,
                r.rps.span(),
                "a rate of 0 requests per second refuses every request",
                "set a positive rate",
            ));
        } else if let Some(b) = &r.burst
            && (*b.get_ref() < rps || (kind == "nginx" && b.get_ref() % rps != 0))
        {
            d.push(Diagnostic::at(
                "E0148",
                src,
                b.span(),
                format!("a burst of {} does not suit a rate of {rps}", b.get_ref()),
                "set a burst of at least the rate (ingress-nginx: a multiple of it)",
            ));
        }
    }
    if (policy.hsts.is_some() || policy.https_redirect.is_some()) && p.tls.is_none() {
        d.push(
            Diagnostic::at(
                "E0148",
                src,
                0..0,
                "a route policy sets HSTS or an HTTPS redirect, but the platform serves no TLS",
                "add a [tls] table (issuer and certificates), or drop `hsts` and `https_redirect`",
            )
            .field("edge.policies"),
        );
    }
}

/// The auth proxy is a service with a port named `http`.
fn check_auth_proxy(
    loaded: &Loaded,
    policy: &str,
    auth: &toml::Spanned<String>,
    d: &mut Diagnostics,
) {
    let src = &loaded.platform_source;
    let name = auth.get_ref();
    match loaded.services.iter().find(|s| &s.name == name) {
        None => d.push(Diagnostic::at(
            "E0153",
            src,
            auth.span(),
            format!("policy `{policy}` authenticates through `{name}`, which is not a service"),
            did_you_mean(
                name,
                loaded.services.iter().map(|s| s.name.as_str()),
                "name the oauth2-proxy service",
            ),
        )),
        Some(s) if s.file.port("http").is_none() => d.push(Diagnostic::at(
            "E0153",
            src,
            auth.span(),
            format!("auth proxy `{name}` has no port named `http`"),
            "name the port oauth2-proxy listens on `http`",
        )),
        Some(_) => {}
    }
}

/// E0148 when `[edge.policies]` has no policy `name`; whether it has.
pub(super) fn known_policy(
    p: &PlatformFile,
    name: &toml::Spanned<String>,
    src: &SourceFile,
    d: &mut Diagnostics,
) -> bool {
    let policies = p.edge.as_ref().map(|e| &e.policies);
    let known = policies.is_some_and(|ps| ps.contains_key(name.get_ref()));
    if !known {
        d.push(Diagnostic::at(
            "E0148",
            src,
            name.span(),
            format!("unknown route policy `{}`", name.get_ref()),
            did_you_mean(
                name.get_ref(),
                policies.into_iter().flatten().map(|(k, _)| k.as_str()),
                "use one of [edge.policies]",
            ),
        ));
    }
    known
}
