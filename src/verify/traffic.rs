//! The strict schemas of the traffic kinds platformc writes: Gateway API
//! (Gateway, HTTPRoute, GRPCRoute), cert-manager (Certificate, Issuer,
//! ClusterIssuer) and Traefik (Middleware). Like [`super::kinds`], they hold
//! exactly what platformc writes and deny unknown fields.

// The fields are read by serde only: their presence and types are the check.
#![allow(dead_code)]

use serde::Deserialize;
use serde_json::Value;

use super::kinds::ObjectMeta;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct HttpRoute {
    api_version: String,
    kind: String,
    metadata: ObjectMeta,
    spec: HttpRouteSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct HttpRouteSpec {
    parent_refs: Vec<ParentRef>,
    hostnames: Vec<String>,
    rules: Vec<HttpRouteRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ParentRef {
    name: String,
    kind: Option<String>,
    namespace: Option<String>,
    section_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct HttpRouteRule {
    matches: Vec<HttpRouteMatch>,
    #[serde(default)]
    filters: Vec<RouteFilter>,
    #[serde(default)]
    backend_refs: Vec<BackendRef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HttpRouteMatch {
    path: PathMatch,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PathMatch {
    #[serde(rename = "type")]
    kind: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BackendRef {
    name: String,
    port: u16,
}

/// The route filters platformc writes: exactly one field besides `type`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RouteFilter {
    #[serde(rename = "type")]
    kind: String,
    response_header_modifier: Option<HeaderModifier>,
    cors: Option<CorsFilter>,
    request_redirect: Option<RequestRedirect>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HeaderModifier {
    set: Vec<NameValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NameValue {
    name: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct CorsFilter {
    allow_origins: Vec<String>,
    #[serde(default)]
    allow_methods: Vec<String>,
    #[serde(default)]
    allow_headers: Vec<String>,
    allow_credentials: bool,
    max_age: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RequestRedirect {
    scheme: String,
    status_code: u16,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct GrpcRoute {
    api_version: String,
    kind: String,
    metadata: ObjectMeta,
    spec: GrpcRouteSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct GrpcRouteSpec {
    parent_refs: Vec<ParentRef>,
    hostnames: Vec<String>,
    rules: Vec<GrpcRouteRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct GrpcRouteRule {
    #[serde(default)]
    matches: Vec<GrpcMatch>,
    backend_refs: Vec<BackendRef>,
    #[serde(default)]
    filters: Vec<RouteFilter>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GrpcMatch {
    method: GrpcMethod,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GrpcMethod {
    #[serde(rename = "type")]
    kind: String,
    service: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Gateway {
    api_version: String,
    kind: String,
    metadata: ObjectMeta,
    spec: GatewaySpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct GatewaySpec {
    gateway_class_name: String,
    listeners: Vec<GatewayListener>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct GatewayListener {
    name: String,
    port: u16,
    protocol: String,
    hostname: Option<String>,
    tls: Option<ListenerTls>,
    allowed_routes: AllowedRoutes,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ListenerTls {
    mode: String,
    certificate_refs: Vec<SecretObjectRef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SecretObjectRef {
    kind: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AllowedRoutes {
    namespaces: RouteNamespaces,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RouteNamespaces {
    from: String,
    selector: Option<LabelSelector>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct LabelSelector {
    match_expressions: Vec<SelectorRequirement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SelectorRequirement {
    key: String,
    operator: String,
    values: Vec<String>,
}

/// A Traefik Middleware: exactly one of the middlewares platformc writes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Middleware {
    api_version: String,
    kind: String,
    metadata: ObjectMeta,
    spec: MiddlewareSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct MiddlewareSpec {
    redirect_scheme: Option<RedirectScheme>,
    headers: Option<TraefikHeaders>,
    rate_limit: Option<TraefikRateLimit>,
    in_flight_req: Option<InFlightReq>,
    forward_auth: Option<ForwardAuth>,
    errors: Option<TraefikErrors>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RedirectScheme {
    scheme: String,
    permanent: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct TraefikHeaders {
    sts_seconds: Option<u32>,
    sts_include_subdomains: Option<bool>,
    sts_preload: Option<bool>,
    frame_deny: Option<bool>,
    content_type_nosniff: Option<bool>,
    referrer_policy: Option<String>,
    #[serde(default)]
    access_control_allow_origin_list: Vec<String>,
    #[serde(default)]
    access_control_allow_methods: Vec<String>,
    #[serde(default)]
    access_control_allow_headers: Vec<String>,
    access_control_allow_credentials: Option<bool>,
    access_control_max_age: Option<u32>,
    add_vary_header: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TraefikRateLimit {
    average: u32,
    period: String,
    burst: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct InFlightReq {
    amount: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ForwardAuth {
    address: String,
    trust_forward_header: bool,
    auth_response_headers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TraefikErrors {
    status: Vec<String>,
    service: TraefikService,
    query: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TraefikService {
    name: String,
    port: u16,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Certificate {
    api_version: String,
    kind: String,
    metadata: ObjectMeta,
    spec: CertificateSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct CertificateSpec {
    secret_name: String,
    dns_names: Vec<String>,
    issuer_ref: IssuerRef,
    duration: Option<String>,
    renew_before: Option<String>,
    private_key: Option<PrivateKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IssuerRef {
    group: String,
    kind: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct PrivateKey {
    algorithm: String,
    size: Option<u32>,
    encoding: Option<String>,
    rotation_policy: Option<String>,
}

/// An Issuer or ClusterIssuer: exactly one way of issuing.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Issuer {
    api_version: String,
    kind: String,
    metadata: ObjectMeta,
    spec: IssuerSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct IssuerSpec {
    acme: Option<AcmeSpec>,
    self_signed: Option<serde_json::Map<String, Value>>,
    ca: Option<CaSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct AcmeSpec {
    server: String,
    email: String,
    private_key_secret_ref: SecretName,
    solvers: Vec<AcmeSolver>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SecretName {
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AcmeSolver {
    http01: Option<Http01Solver>,
    dns01: Option<Dns01Solver>,
    selector: Option<SolverSelector>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Http01Solver {
    ingress: Option<Http01Ingress>,
    #[serde(rename = "gatewayHTTPRoute")]
    gateway_http_route: Option<Http01GatewayRoute>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Http01Ingress {
    ingress_class_name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Http01GatewayRoute {
    parent_refs: Vec<ParentRef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Dns01Solver {
    cloudflare: Option<CloudflareSolver>,
    route53: Option<Route53Solver>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct CloudflareSolver {
    api_token_secret_ref: SecretKey,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SecretKey {
    name: String,
    key: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Route53Solver {
    region: String,
    #[serde(rename = "hostedZoneID")]
    hosted_zone_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct SolverSelector {
    dns_zones: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct CaSpec {
    secret_name: String,
}
