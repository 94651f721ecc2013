//! TLS: cert-manager issuers and certificates.

use serde::Serialize;

use super::{Meta, ParentRef};

/// An Issuer or ClusterIssuer.
#[derive(Debug, Clone, Serialize)]
pub struct Issuer {
    pub meta: Meta,
    /// `ClusterIssuer` or `Issuer`.
    pub kind: String,
    pub spec: IssuerSpec,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum IssuerSpec {
    Acme {
        server: String,
        email: String,
        /// The Secret holding the ACME account key.
        account_key: String,
        solver: Solver,
        /// DNS zones the solver answers for; all when empty.
        zones: Vec<String>,
    },
    SelfSigned,
    Ca {
        secret: String,
    },
}

/// How an ACME challenge is answered.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "solver", rename_all = "camelCase")]
pub enum Solver {
    /// HTTP-01 through an Ingress of this class.
    Http01Ingress {
        class: String,
    },
    /// HTTP-01 through a route on these Gateway listeners.
    Http01Gateway {
        parents: Vec<ParentRef>,
    },
    Cloudflare {
        secret: String,
        key: String,
    },
    Route53 {
        region: String,
        hosted_zone_id: Option<String>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Certificate {
    pub meta: Meta,
    pub secret: String,
    pub dns_names: Vec<String>,
    pub issuer: String,
    pub issuer_kind: String,
    pub duration: Option<String>,
    pub renew_before: Option<String>,
    pub private_key: Option<KeySpec>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeySpec {
    pub algorithm: String,
    pub size: Option<u32>,
    pub encoding: Option<String>,
    pub rotation: Option<String>,
}
