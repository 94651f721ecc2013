//! The edge: how traffic from outside reaches the services' routes (Gateway
//! API, or an Ingress controller), where its proxies run, and the route
//! policies (redirect, headers, CORS, rate limits, authentication) mapped
//! onto the chosen implementation.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// The ConfigMap key of an auth proxy (oauth2-proxy) that receives the
/// services it proxies to when a Gateway routes through it.
pub const AUTH_UPSTREAMS: &str = "OAUTH2_PROXY_UPSTREAMS";

/// The edge implementations platformc renders for.
pub const EDGE_KINDS: &[&str] = &["gateway", "nginx", "traefik"];

/// `[edge]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    /// `gateway` (Gateway API: HTTPRoutes, GRPCRoutes and their filters),
    /// `nginx` (Ingresses for ingress-nginx, policies as its annotations) or
    /// `traefik` (Ingresses for Traefik, policies as Middlewares).
    pub kind: Spanned<String>,
    /// The IngressClass (`nginx`, `traefik`); kind `gateway` names its class
    /// in `[edge.gateway]`.
    pub class: Option<Spanned<String>>,
    /// The namespace the edge's proxy pods run in: routed ports admit
    /// traffic from there (`envoy-gateway-system`, `ingress-nginx`,
    /// `kube-system` for k3s' Traefik).
    pub proxy_namespace: Spanned<String>,
    /// Labels of the proxy pods within that namespace; all its pods when
    /// empty.
    #[serde(default)]
    pub proxy_labels: BTreeMap<String, String>,
    /// kind `gateway`: the Gateway routes attach to.
    pub gateway: Option<GatewaySettings>,
    /// The policy of a route that names none.
    pub policy: Option<Spanned<String>>,
    /// Route policies by name.
    #[serde(default)]
    pub policies: BTreeMap<String, RoutePolicy>,
}

/// The Gateway: rendered by platformc when `class` is given (one per
/// environment, in its platform namespace, with an HTTP listener and an
/// HTTPS listener per certificate name), or an existing one (`namespace`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewaySettings {
    pub name: Spanned<String>,
    /// The GatewayClass of a rendered Gateway (`envoy-gateway`, `eg`,
    /// `cilium`).
    pub class: Option<Spanned<String>>,
    /// The namespace of an existing Gateway.
    pub namespace: Option<Spanned<String>>,
    /// The listener of an existing Gateway routes attach to.
    pub section: Option<String>,
    /// Names the certificates of an existing Gateway cover
    /// (`*.example.com`); with `[tls]`, every served host must be covered.
    #[serde(default)]
    pub covers: Vec<Spanned<String>>,
}

impl GatewaySettings {
    /// Whether platformc renders the Gateway.
    pub fn managed(&self) -> bool {
        self.class.is_some()
    }
}

/// What the edge does to a route's traffic. In an environment's
/// `[environments.policies.<name>]`, each field stated replaces the
/// platform's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutePolicy {
    /// Redirect plain HTTP to HTTPS (with `[tls]`; the default). `false`
    /// serves the route over plain HTTP too.
    pub https_redirect: Option<bool>,
    /// Strict-Transport-Security on every response.
    pub hsts: Option<Hsts>,
    /// X-Frame-Options DENY, X-Content-Type-Options nosniff and
    /// Referrer-Policy strict-origin-when-cross-origin on every response.
    pub security_headers: Option<bool>,
    pub cors: Option<Cors>,
    /// Per client address.
    pub rate_limit: Option<RateLimit>,
    /// The service (an oauth2-proxy) that authenticates every request first.
    pub auth: Option<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hsts {
    /// Seconds browsers remember to use HTTPS (`31536000`: a year).
    pub max_age: u32,
    #[serde(default)]
    pub include_subdomains: bool,
    #[serde(default)]
    pub preload: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cors {
    /// Origins allowed to call (`https://app.example.com`), or `*`.
    pub origins: Vec<Spanned<String>>,
    #[serde(default)]
    pub methods: Vec<Spanned<String>>,
    #[serde(default)]
    pub headers: Vec<Spanned<String>>,
    #[serde(default)]
    pub credentials: bool,
    /// Seconds a preflight answer may be cached.
    pub max_age: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Requests per second a client address may make.
    pub rps: Spanned<u32>,
    /// Requests a client may make at once above the rate; a multiple of
    /// `rps` (ingress-nginx sets the burst as a multiplier of the rate).
    pub burst: Option<Spanned<u32>>,
    /// Concurrent connections (requests in flight) per client address.
    pub connections: Option<Spanned<u32>>,
}

impl RoutePolicy {
    /// `self` with every field `over` states replaced.
    pub fn overlaid(&self, over: &RoutePolicy) -> RoutePolicy {
        RoutePolicy {
            https_redirect: over.https_redirect.or(self.https_redirect),
            hsts: over.hsts.clone().or_else(|| self.hsts.clone()),
            security_headers: over.security_headers.or(self.security_headers),
            cors: over.cors.clone().or_else(|| self.cors.clone()),
            rate_limit: over.rate_limit.clone().or_else(|| self.rate_limit.clone()),
            auth: over.auth.clone().or_else(|| self.auth.clone()),
        }
    }
}
