//! Routes: HTTPRoutes on the platform's gateway.

use serde::Serialize;

use super::Meta;

#[derive(Debug, Clone, Serialize)]
pub struct HttpRoute {
    pub meta: Meta,
    pub gateway: String,
    pub gateway_namespace: String,
    pub section: Option<String>,
    pub hostname: String,
    pub rules: Vec<RouteRule>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RouteRule {
    pub path: String,
    pub service: String,
    pub port: u32,
}
