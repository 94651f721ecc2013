//! The edge: the Gateway platformc renders.

use serde::Serialize;

use super::Meta;

#[derive(Debug, Clone, Serialize)]
pub struct Gateway {
    pub meta: Meta,
    pub class: String,
    pub listeners: Vec<Listener>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Listener {
    pub name: String,
    pub port: u32,
    /// `HTTP` or `HTTPS`.
    pub protocol: String,
    pub hostname: Option<String>,
    /// HTTPS: the Secret of the certificate it terminates with.
    pub tls_secret: Option<String>,
    /// Namespaces whose routes may attach; the Gateway's own when empty.
    pub from_namespaces: Vec<String>,
}
