//! Routes: HTTPRoutes and GRPCRoutes on a Gateway, Ingresses, and the
//! Traefik Middlewares their policies become.

use serde::Serialize;

use super::Meta;

/// A Gateway (listener) a route attaches to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParentRef {
    pub name: String,
    pub namespace: Option<String>,
    pub section: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backend {
    pub service: String,
    pub port: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct HttpRoute {
    pub meta: Meta,
    pub parents: Vec<ParentRef>,
    pub hostnames: Vec<String>,
    pub rules: Vec<HttpRule>,
}

/// Requests under `path` go to `backend` (none for a redirect), through the
/// filters.
#[derive(Debug, Clone, Serialize)]
pub struct HttpRule {
    pub path: String,
    pub backend: Option<Backend>,
    pub filters: Vec<Filter>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderValue {
    pub name: String,
    pub value: String,
}

/// A Gateway API route filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "filter", rename_all = "camelCase")]
pub enum Filter {
    /// Headers set on every response.
    ResponseHeaders { set: Vec<HeaderValue> },
    Cors {
        origins: Vec<String>,
        methods: Vec<String>,
        headers: Vec<String>,
        credentials: bool,
        max_age: Option<u32>,
    },
    /// Redirect to another scheme.
    Redirect { scheme: String, status: u32 },
}

#[derive(Debug, Clone, Serialize)]
pub struct GrpcRoute {
    pub meta: Meta,
    pub parents: Vec<ParentRef>,
    pub hostnames: Vec<String>,
    pub rules: Vec<GrpcRule>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GrpcRule {
    /// The gRPC service matched (`pkg.Service`); every call when None.
    pub service: Option<String>,
    pub backend: Backend,
    pub response_headers: Vec<HeaderValue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ingress {
    pub meta: Meta,
    pub class: String,
    pub tls: Option<IngressTls>,
    pub rules: Vec<IngressRule>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IngressTls {
    pub hosts: Vec<String>,
    pub secret: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IngressRule {
    pub host: String,
    pub paths: Vec<IngressPath>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IngressPath {
    pub path: String,
    pub backend: Backend,
}

/// A Traefik Middleware.
#[derive(Debug, Clone, Serialize)]
pub struct Middleware {
    pub meta: Meta,
    pub spec: MiddlewareSpec,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum MiddlewareSpec {
    RedirectScheme,
    Headers(TraefikHeaders),
    RateLimit {
        average: u32,
        burst: u32,
    },
    InFlightReq {
        amount: u32,
    },
    /// Asks `address` before every request; passes these headers on.
    ForwardAuth {
        address: String,
        response_headers: Vec<String>,
    },
    /// Turns the auth proxy's 401 into its sign-in page.
    Errors {
        status: String,
        service: String,
        port: u32,
        query: String,
    },
}

/// The fields of Traefik's headers middleware platformc sets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TraefikHeaders {
    pub sts_seconds: Option<u32>,
    pub sts_include_subdomains: bool,
    pub sts_preload: bool,
    pub frame_deny: bool,
    pub content_type_nosniff: bool,
    pub referrer_policy: Option<String>,
    pub cors_origins: Vec<String>,
    pub cors_methods: Vec<String>,
    pub cors_headers: Vec<String>,
    pub cors_credentials: bool,
    pub cors_max_age: Option<u32>,
}
