//! TLS: the cert-manager issuers a platform declares once, which one each
//! environment uses, and how its certificates are made. The certificates
//! themselves are derived from the host names the platform serves.

use serde::Deserialize;
use toml::Spanned;

/// `[tls]`: every route is served over HTTPS with certificates from an
/// issuer; without it, routes are plain HTTP.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    /// The issuer of the certificates (an `[[issuers]]` name); an
    /// environment may choose another.
    pub issuer: Spanned<String>,
    /// Wildcard names to use where they cover served hosts, written relative
    /// to the domain: `"*"` is `*.<domain>`, `"*.api"` is `*.api.<domain>`.
    /// A wildcard covers exactly one label; hosts it does not cover get their
    /// own name. Wildcards need a DNS-01 issuer.
    #[serde(default)]
    pub wildcards: Vec<Spanned<String>>,
    /// Certificate lifetime (`2160h`); cert-manager's default when omitted.
    pub duration: Option<Spanned<String>>,
    /// How long before expiry a certificate is renewed (`720h`).
    pub renew_before: Option<Spanned<String>>,
    pub private_key: Option<PrivateKey>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateKey {
    /// `RSA`, `ECDSA` or `Ed25519`.
    pub algorithm: Spanned<String>,
    /// Key size in bits (RSA 2048, 3072, 4096; ECDSA 256, 384, 521).
    pub size: Option<Spanned<u32>>,
    /// `PKCS1` or `PKCS8`.
    pub encoding: Option<Spanned<String>>,
    /// `Never` (reuse the key on renewal) or `Always`.
    pub rotation: Option<Spanned<String>>,
}

/// A cert-manager issuer: exactly one of `acme`, `self_signed` and `ca`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    pub name: Spanned<String>,
    /// `ClusterIssuer` (the default: one per cluster) or `Issuer` (one in
    /// every namespace holding certificates).
    pub kind: Option<Spanned<String>>,
    pub acme: Option<Acme>,
    /// Signs certificates with their own key (internal services, tests).
    #[serde(default)]
    pub self_signed: bool,
    pub ca: Option<CaIssuer>,
}

impl Issuer {
    pub fn kind(&self) -> &str {
        self.kind.as_ref().map_or("ClusterIssuer", |k| k.get_ref())
    }

    /// Whether the issuer answers ACME HTTP-01 challenges (and so cannot
    /// issue wildcards).
    pub fn http01(&self) -> bool {
        self.acme.as_ref().is_some_and(|a| a.http01.is_some())
    }
}

/// An ACME CA such as Let's Encrypt, with exactly one challenge solver.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acme {
    /// The directory URL
    /// (`https://acme-v02.api.letsencrypt.org/directory`).
    pub server: Spanned<String>,
    /// Where the CA sends expiry notices.
    pub email: Spanned<String>,
    /// HTTP-01 through the platform's edge: the solver's route follows the
    /// edge (the ingress class, or the gateway's HTTP listener).
    pub http01: Option<Http01>,
    pub dns01: Option<Dns01>,
}

/// HTTP-01 takes no settings: the edge decides how challenges are served.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Http01 {}

/// DNS-01 with exactly one provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dns01 {
    pub cloudflare: Option<Cloudflare>,
    pub route53: Option<Route53>,
    /// DNS zones this solver answers for; all when empty.
    #[serde(default)]
    pub zones: Vec<Spanned<String>>,
}

/// Cloudflare, with an API token from a Secret (in cert-manager's namespace
/// for a ClusterIssuer, in the certificate's namespace for an Issuer).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cloudflare {
    pub token_secret: Spanned<String>,
    pub token_key: Spanned<String>,
}

/// Route 53, with the credentials of cert-manager's ambient identity (IRSA,
/// an instance role).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route53 {
    pub region: Spanned<String>,
    /// The hosted zone; cert-manager looks it up when omitted.
    pub hosted_zone_id: Option<Spanned<String>>,
}

/// A CA whose certificate and key are in a Secret.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaIssuer {
    pub secret: Spanned<String>,
}

impl Tls {
    /// The wildcard names under `domain` (`"*.api"` → `*.api.<domain>`).
    pub fn wildcards_under(&self, domain: &str) -> Vec<String> {
        self.wildcards
            .iter()
            .map(|w| format!("{}.{domain}", w.get_ref()))
            .collect()
    }
}

/// Whether a certificate name covers a host: the same name, or a wildcard
/// standing for exactly the host's first label.
pub fn covers(name: &str, host: &str) -> bool {
    match name.strip_prefix("*.") {
        Some(parent) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == parent),
        None => name == host,
    }
}

/// The names a certificate for `hosts` carries: each host's covering
/// wildcard when one of `wildcards` covers it, else the host itself; sorted,
/// each once.
pub fn certificate_names(hosts: &[String], wildcards: &[String]) -> Vec<String> {
    let mut names: Vec<String> = hosts
        .iter()
        .map(|h| wildcards.iter().find(|w| covers(w, h)).unwrap_or(h).clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_covers_one_label_only() {
        assert!(covers("*.hoytlabs.app", "orbit.hoytlabs.app"));
        assert!(!covers("*.hoytlabs.app", "temporal.orbit.hoytlabs.app"));
        assert!(!covers("*.hoytlabs.app", "orbit.dev.hoytlabs.app"));
        assert!(!covers("*.hoytlabs.app", "hoytlabs.app"));
        assert!(covers("hoytlabs.app", "hoytlabs.app"));
    }

    #[test]
    fn certificates_use_wildcards_only_where_they_cover() {
        let hosts = vec![
            "orbit.hoytlabs.app".to_string(),
            "temporal.orbit.hoytlabs.app".to_string(),
            "docs.hoytlabs.app".to_string(),
        ];
        assert_eq!(
            certificate_names(&hosts, &["*.hoytlabs.app".to_string()]),
            vec!["*.hoytlabs.app", "temporal.orbit.hoytlabs.app"]
        );
        assert_eq!(
            certificate_names(&hosts, &[]),
            vec![
                "docs.hoytlabs.app",
                "orbit.hoytlabs.app",
                "temporal.orbit.hoytlabs.app"
            ]
        );
    }
}
