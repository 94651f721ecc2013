//! The edge: the Gateway platformc renders (one per environment, in its
//! platform namespace: an HTTP listener, and an HTTPS listener per
//! certificate name), the route that redirects HTTP to HTTPS, and how a
//! route policy maps onto each implementation: Gateway API filters,
//! ingress-nginx annotations, Traefik Middlewares.

use indexmap::IndexMap;

use super::base::NamespacePlanner;
use super::tls::HTTP_LISTENER;
use super::{Planner, namespace_of};
use crate::ir::{
    Filter, Gateway, HeaderValue, HttpRoute, HttpRule, Listener, MiddlewareSpec, ParentRef,
    PlannedFile, Resource, TraefikHeaders,
};
use crate::layout::{GATEWAY_FILE, REDIRECT_ROUTE_FILE};
use crate::load::LoadedService;
use crate::model::{AUTH_UPSTREAMS, Environment, Route, RoutePolicy};

/// The HTTPS listener of a certificate name: `https-orbit-example-com`,
/// `https-wildcard-example-com`.
pub fn listener_name(cert_name: &str) -> String {
    format!(
        "https-{}",
        cert_name.replace('*', "wildcard").replace('.', "-")
    )
}

/// Headers every response of a route carries under its policy.
pub fn response_headers(p: &RoutePolicy) -> Vec<HeaderValue> {
    let mut v = Vec::new();
    if let Some(h) = &p.hsts {
        let mut value = format!("max-age={}", h.max_age);
        if h.include_subdomains {
            value.push_str("; includeSubDomains");
        }
        if h.preload {
            value.push_str("; preload");
        }
        v.push(HeaderValue {
            name: "Strict-Transport-Security".into(),
            value,
        });
    }
    if p.security_headers == Some(true) {
        for (name, value) in [
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ] {
            v.push(HeaderValue {
                name: name.into(),
                value: value.into(),
            });
        }
    }
    v
}

fn strings(v: &[toml::Spanned<String>]) -> Vec<String> {
    v.iter().map(|s| s.get_ref().clone()).collect()
}

/// Gateway API: the filters of a route's rules (rate limits and
/// authentication have none; the checks refuse the first, the second routes
/// through the auth proxy).
pub fn gateway_filters(p: &RoutePolicy) -> Vec<Filter> {
    let mut v = Vec::new();
    let headers = response_headers(p);
    if !headers.is_empty() {
        v.push(Filter::ResponseHeaders { set: headers });
    }
    if let Some(c) = &p.cors {
        v.push(Filter::Cors {
            origins: strings(&c.origins),
            methods: strings(&c.methods),
            headers: strings(&c.headers),
            credentials: c.credentials,
            max_age: c.max_age,
        });
    }
    v
}

/// How an Ingress reaches the auth proxy: its in-cluster address.
#[derive(Debug, Clone)]
pub struct AuthProxy {
    pub service: String,
    pub port: u32,
    /// `http://<service>.<namespace>.svc.cluster.local:<port>`.
    pub url: String,
}

/// Headers the auth proxy passes on to the service it protects.
pub const AUTH_RESPONSE_HEADERS: &[&str] = &["X-Auth-Request-User", "X-Auth-Request-Email"];

const NGINX: &str = "nginx.ingress.kubernetes.io/";

/// ingress-nginx: the annotations of an Ingress under a policy.
/// `headers_configmap` is `<namespace>/<name>` of the ConfigMap holding the
/// response headers.
pub fn nginx_annotations(
    p: &RoutePolicy,
    tls: bool,
    grpc: bool,
    headers_configmap: Option<&str>,
    auth: Option<&AuthProxy>,
) -> IndexMap<String, String> {
    let mut a = IndexMap::new();
    let mut put = |k: &str, v: String| {
        a.insert(format!("{NGINX}{k}"), v);
    };
    if tls {
        put(
            "ssl-redirect",
            (p.https_redirect != Some(false)).to_string(),
        );
    }
    if grpc {
        put("backend-protocol", "GRPC".into());
    }
    if let Some(cm) = headers_configmap {
        put("custom-headers", cm.to_string());
    }
    if let Some(c) = &p.cors {
        put("enable-cors", "true".into());
        put("cors-allow-origin", strings(&c.origins).join(", "));
        if !c.methods.is_empty() {
            put("cors-allow-methods", strings(&c.methods).join(", "));
        }
        if !c.headers.is_empty() {
            put("cors-allow-headers", strings(&c.headers).join(", "));
        }
        put("cors-allow-credentials", c.credentials.to_string());
        if let Some(m) = c.max_age {
            put("cors-max-age", m.to_string());
        }
    }
    if let Some(r) = &p.rate_limit {
        let rps = *r.rps.get_ref();
        put("limit-rps", rps.to_string());
        if let Some(b) = &r.burst {
            put(
                "limit-burst-multiplier",
                (b.get_ref() / rps.max(1)).to_string(),
            );
        }
        if let Some(c) = &r.connections {
            put("limit-connections", c.get_ref().to_string());
        }
    }
    if let Some(auth) = auth {
        put("auth-url", format!("{}/oauth2/auth", auth.url));
        put(
            "auth-signin",
            "https://$host/oauth2/start?rd=$escaped_request_uri".into(),
        );
        put("auth-response-headers", AUTH_RESPONSE_HEADERS.join(","));
    }
    a
}

/// Traefik: the Middlewares of a policy, by name suffix, in the order a
/// router applies them (outermost first).
pub fn traefik_middlewares(
    p: &RoutePolicy,
    auth: Option<&AuthProxy>,
) -> Vec<(String, MiddlewareSpec)> {
    let mut v = Vec::new();
    let mut h = TraefikHeaders::default();
    if let Some(s) = &p.hsts {
        h.sts_seconds = Some(s.max_age);
        h.sts_include_subdomains = s.include_subdomains;
        h.sts_preload = s.preload;
    }
    if p.security_headers == Some(true) {
        h.frame_deny = true;
        h.content_type_nosniff = true;
        h.referrer_policy = Some("strict-origin-when-cross-origin".into());
    }
    if let Some(c) = &p.cors {
        h.cors_origins = strings(&c.origins);
        h.cors_methods = strings(&c.methods);
        h.cors_headers = strings(&c.headers);
        h.cors_credentials = c.credentials;
        h.cors_max_age = c.max_age;
    }
    if h != TraefikHeaders::default() {
        v.push(("headers".into(), MiddlewareSpec::Headers(h)));
    }
    if let Some(r) = &p.rate_limit {
        if let Some(c) = &r.connections {
            v.push((
                "inflight".into(),
                MiddlewareSpec::InFlightReq {
                    amount: *c.get_ref(),
                },
            ));
        }
        let rps = *r.rps.get_ref();
        v.push((
            "ratelimit".into(),
            MiddlewareSpec::RateLimit {
                average: rps,
                burst: r.burst.as_ref().map_or(rps, |b| *b.get_ref()),
            },
        ));
    }
    if let Some(a) = auth {
        v.push((
            "auth-errors".into(),
            MiddlewareSpec::Errors {
                status: "401-403".into(),
                service: a.service.clone(),
                port: a.port,
                query: "/oauth2/sign_in?rd={url}".into(),
            },
        ));
        v.push((
            "auth".into(),
            MiddlewareSpec::ForwardAuth {
                address: format!("{}/oauth2/auth", a.url),
                response_headers: AUTH_RESPONSE_HEADERS
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            },
        ));
    }
    v
}

impl Planner<'_> {
    /// How the platform's routes are reached: HTTPS with `[tls]` or through
    /// an existing Gateway (which terminates TLS itself), HTTP otherwise.
    pub(super) fn scheme(&self) -> &'static str {
        let existing = self
            .platform
            .edge
            .as_ref()
            .and_then(|e| e.gateway.as_ref())
            .is_some_and(|g| !g.managed());
        if self.platform.tls.is_some() || existing {
            "https"
        } else {
            "http"
        }
    }

    /// Whether a route is served over HTTPS only (redirected from HTTP).
    pub(super) fn redirects(&self, policy: &RoutePolicy) -> bool {
        self.platform.tls.is_some() && policy.https_redirect != Some(false)
    }

    /// The routes `env` publishes, with their services.
    pub(super) fn routes_in(&self, env: Option<&Environment>) -> Vec<(&LoadedService, Route)> {
        let mut v = Vec::new();
        for s in self.services_in(env) {
            let o = env.and_then(|e| e.overrides.get(&s.name));
            for r in s.file.routes_in(o) {
                v.push((s, r));
            }
        }
        v
    }

    /// The routes `env` publishes behind the auth proxy `proxy`.
    pub(super) fn protected_by(
        &self,
        env: Option<&Environment>,
        proxy: &str,
    ) -> Vec<(&LoadedService, Route)> {
        self.routes_in(env)
            .into_iter()
            .filter(|(_, r)| {
                let policy = self
                    .platform
                    .policy_in(env, r.policy.as_ref().map(|x| x.get_ref().as_str()));
                policy.auth.as_ref().is_some_and(|a| a.get_ref() == proxy)
            })
            .collect()
    }

    /// The auth proxy `name` as seen from `env`.
    pub(super) fn auth_proxy(&self, env: Option<&Environment>, name: &str) -> Option<AuthProxy> {
        let s = self.by_name.get(name)?;
        let port = s.file.port("http").map_or(0, |p| *p.port.get_ref());
        let ns = self.namespace_in(env, &namespace_of(self.platform, s));
        Some(AuthProxy {
            service: name.to_string(),
            port,
            url: format!("http://{name}.{ns}.svc.cluster.local:{port}"),
        })
    }

    /// The existing Gateway (on listener `section`); None for a Gateway
    /// platformc renders.
    pub(super) fn existing_gateway(&self, section: Option<String>) -> Option<ParentRef> {
        let gw = self.platform.edge.as_ref()?.gateway.as_ref()?;
        Some(ParentRef {
            name: gw.name.get_ref().clone(),
            namespace: Some(gw.namespace.as_ref()?.get_ref().clone()),
            section,
        })
    }

    /// The parent a route of `host` attaches to on the edge's Gateway:
    /// the HTTPS listener of its certificate name (and the HTTP listener
    /// when it is served over plain HTTP too), or the existing Gateway.
    pub(super) fn route_parents(
        &self,
        env: Option<&Environment>,
        hostname: &str,
        policy: &RoutePolicy,
    ) -> Vec<ParentRef> {
        let Some(gw) = self.platform.edge.as_ref().and_then(|e| e.gateway.as_ref()) else {
            return vec![];
        };
        if let Some(existing) = self.existing_gateway(gw.section.clone()) {
            return vec![existing];
        }
        let ns = self.namespace_in(env, self.platform.platform.namespace.get_ref());
        let parent = |section: String| ParentRef {
            name: gw.name.get_ref().clone(),
            namespace: Some(ns.clone()),
            section: Some(section),
        };
        let mut v = Vec::new();
        if let Some(tls) = &self.platform.tls {
            let wildcards = tls.wildcards_under(self.platform.domain_in(env));
            let name = crate::model::certificate_names(&[hostname.to_string()], &wildcards);
            v.push(parent(listener_name(&name[0])));
        }
        if !self.redirects(policy) {
            v.push(parent(HTTP_LISTENER.into()));
        }
        v
    }
}

impl Planner<'_> {
    /// What the README says of the edge: how authenticated routes flow, and
    /// what the controllers must be configured with.
    pub(super) fn edge_notes(&self) -> Vec<String> {
        let p = self.platform;
        let Some(e) = &p.edge else { return vec![] };
        let kind = e.kind.get_ref().as_str();
        let envs = std::iter::once(None).chain(p.environments.iter().map(Some));
        let mut used: Vec<(String, RoutePolicy)> = Vec::new();
        let mut grpc = false;
        for env in envs {
            for (s, r) in self.routes_in(env) {
                grpc |= s
                    .file
                    .port(r.port.get_ref())
                    .is_some_and(|x| x.speaks_grpc());
                let name = r
                    .policy
                    .as_ref()
                    .map(|x| x.get_ref().clone())
                    .or_else(|| e.policy.as_ref().map(|x| x.get_ref().clone()));
                let policy = p.policy_in(env, name.as_deref());
                let key = name.unwrap_or_else(|| "(none)".into());
                if !used.iter().any(|(n, q)| *n == key && *q == policy) {
                    used.push((key, policy));
                }
            }
        }
        let mut notes = Vec::new();
        let mut proxies: Vec<&str> = used
            .iter()
            .filter_map(|(_, q)| q.auth.as_ref().map(|a| a.get_ref().as_str()))
            .collect();
        proxies.sort();
        proxies.dedup();
        for proxy in proxies {
            notes.push(if kind == "gateway" {
                format!("Authenticated routes go through the oauth2-proxy `{proxy}`: their backend is the proxy, which forwards to the services in its `{AUTH_UPSTREAMS}`; the services admit traffic from the proxy only.")
            } else {
                format!("Authenticated routes ask the oauth2-proxy `{proxy}` first, at `/oauth2/auth`; each protected host routes `/oauth2` to it for the sign-in.")
            });
        }
        let mut headers: Vec<String> = used
            .iter()
            .flat_map(|(_, q)| response_headers(q))
            .map(|h| h.name)
            .collect();
        headers.sort();
        headers.dedup();
        if kind == "nginx" && !headers.is_empty() {
            notes.push(format!("ingress-nginx sets response headers through `custom-headers` only when its ConfigMap allows them: `global-allowed-response-headers: {}`.", headers.join(",")));
        }
        if kind == "gateway" && used.iter().any(|(_, q)| q.cors.is_some()) {
            notes.push("CORS is the HTTPRoute `CORS` filter: the Gateway API CRDs installed and the Gateway controller must support it.".into());
        }
        if kind == "traefik" {
            notes.push("Traefik serves the TLS routers on entry point `websecure` and plain HTTP on `web`; each route's Middlewares live beside it and are named `<namespace>-<name>@kubernetescrd`.".into());
        }
        if grpc {
            notes.push(format!("gRPC ports' Service ports carry `appProtocol: {}`, so the edge speaks HTTP/2 to them.", super::workload::H2C));
        }
        notes
    }
}

impl NamespacePlanner<'_, '_> {
    /// The Gateway of this environment (in the platform namespace) and the
    /// route redirecting its HTTP listener to HTTPS.
    pub(super) fn gateway_files(&self) -> Vec<PlannedFile> {
        let p = self.p;
        let Some(gw) = p.platform.edge.as_ref().and_then(|e| e.gateway.as_ref()) else {
            return vec![];
        };
        let Some(class) = gw.class.as_ref().filter(|_| self.is_platform()) else {
            return vec![];
        };
        let name = gw.name.get_ref();
        let routes = p.routes_in(self.env);
        // The namespaces whose routes attach: the Gateway's own alone
        // (`Same`), or all of them, its own first.
        let mut from: Vec<String> = routes
            .iter()
            .map(|(s, _)| p.namespace_in(self.env, &namespace_of(p.platform, s)))
            .filter(|ns| *ns != self.here())
            .collect();
        from.sort();
        from.dedup();
        if !from.is_empty() {
            from.insert(0, self.here());
        }
        let mut listeners = vec![Listener {
            name: HTTP_LISTENER.into(),
            port: 80,
            protocol: "HTTP".into(),
            hostname: None,
            tls_secret: None,
            from_namespaces: from.clone(),
        }];
        for cert_name in p.tls_names(self.env, &self.ns) {
            listeners.push(Listener {
                name: listener_name(&cert_name),
                port: 443,
                protocol: "HTTPS".into(),
                hostname: Some(cert_name),
                tls_secret: Some(p.tls_secret()),
                from_namespaces: from.clone(),
            });
        }
        let mut header = self.header(
            format!("GATEWAY: {name}"),
            format!(
                "The edge of {}: HTTP, and HTTPS for each certificate name",
                self.here()
            ),
            format!("the GatewayClass {} and its controller", class.get_ref()),
        );
        header.source = "platform.toml [edge]".into();
        let mut out = vec![self.file(
            GATEWAY_FILE,
            header,
            Resource::Gateway(Gateway {
                meta: self.meta(name),
                class: class.get_ref().clone(),
                listeners,
            }),
        )];
        out.extend(self.redirect_route(name, &routes));
        out
    }

    /// HTTP to HTTPS for every host served over HTTPS only.
    fn redirect_route(&self, gw: &str, routes: &[(&LoadedService, Route)]) -> Option<PlannedFile> {
        let p = self.p;
        let mut hostnames: Vec<String> = routes
            .iter()
            .filter(|(_, r)| {
                p.redirects(
                    &p.platform
                        .policy_in(self.env, r.policy.as_ref().map(|x| x.get_ref().as_str())),
                )
            })
            .map(|(_, r)| p.platform.hostname(self.env, r.host.get_ref()))
            .collect();
        hostnames.sort();
        hostnames.dedup();
        if hostnames.is_empty() {
            return None;
        }
        let name = format!("{gw}-https-redirect");
        let mut header = self.header(
            format!("HTTPROUTE: {name}"),
            "Redirects plain HTTP to HTTPS for every host served over HTTPS only".into(),
            format!("the Gateway {gw}"),
        );
        header.source = "platform.toml [edge], [tls]".into();
        Some(self.file(
            REDIRECT_ROUTE_FILE,
            header,
            Resource::HttpRoute(HttpRoute {
                meta: self.meta(&name),
                parents: vec![ParentRef {
                    name: gw.to_string(),
                    namespace: None,
                    section: Some(HTTP_LISTENER.into()),
                }],
                hostnames,
                rules: vec![HttpRule {
                    path: "/".into(),
                    backend: None,
                    filters: vec![Filter::Redirect {
                        scheme: "https".into(),
                        status: 301,
                    }],
                }],
            }),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(toml: &str) -> RoutePolicy {
        toml::from_str(toml).unwrap()
    }

    #[test]
    fn listeners_are_named_after_their_certificate_name() {
        assert_eq!(listener_name("*.example.com"), "https-wildcard-example-com");
        assert_eq!(listener_name("api.example.com"), "https-api-example-com");
    }

    #[test]
    fn one_policy_maps_onto_each_implementation() {
        let p = policy(
            "security_headers = true\nhsts = { max_age = 31536000, include_subdomains = true }\ncors = { origins = [\"https://app.example.com\"], credentials = true }\nrate_limit = { rps = 100, burst = 500, connections = 10 }",
        );
        let filters = gateway_filters(&p);
        assert!(
            matches!(&filters[0], Filter::ResponseHeaders { set } if set[0].value == "max-age=31536000; includeSubDomains" && set.len() == 4)
        );
        assert!(matches!(
            &filters[1],
            Filter::Cors {
                credentials: true,
                ..
            }
        ));
        let a = nginx_annotations(&p, true, false, Some("ns/cm"), None);
        assert_eq!(a["nginx.ingress.kubernetes.io/limit-rps"], "100");
        assert_eq!(a["nginx.ingress.kubernetes.io/limit-burst-multiplier"], "5");
        assert_eq!(a["nginx.ingress.kubernetes.io/limit-connections"], "10");
        assert_eq!(a["nginx.ingress.kubernetes.io/ssl-redirect"], "true");
        assert_eq!(a["nginx.ingress.kubernetes.io/custom-headers"], "ns/cm");
        let t = traefik_middlewares(&p, None);
        let names: Vec<&str> = t.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["headers", "inflight", "ratelimit"]);
        assert!(matches!(
            t[2].1,
            MiddlewareSpec::RateLimit {
                average: 100,
                burst: 500
            }
        ));
    }

    #[test]
    fn authentication_asks_the_proxy_first() {
        let auth = AuthProxy {
            service: "oauth2-proxy".into(),
            port: 4180,
            url: "http://oauth2-proxy.apps.svc.cluster.local:4180".into(),
        };
        let p = RoutePolicy::default();
        let a = nginx_annotations(&p, false, false, None, Some(&auth));
        assert_eq!(
            a["nginx.ingress.kubernetes.io/auth-url"],
            "http://oauth2-proxy.apps.svc.cluster.local:4180/oauth2/auth"
        );
        let t = traefik_middlewares(&p, Some(&auth));
        assert!(matches!(&t[0].1, MiddlewareSpec::Errors { .. }));
        assert!(
            matches!(&t[1].1, MiddlewareSpec::ForwardAuth { address, .. } if address.ends_with("/oauth2/auth"))
        );
    }
}
