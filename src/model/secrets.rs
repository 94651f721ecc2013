//! Secrets: the platform's secret store and the registry pull secret.

use serde::Deserialize;
use toml::Spanned;

use super::{EnvSecrets, Environment};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullSecret {
    /// Name of the `kubernetes.io/dockerconfigjson` Secret.
    pub name: Spanned<String>,
    /// Remote keys (without the store prefix) of the user name and token.
    pub username_key: String,
    pub token_key: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretStore {
    /// `external-secrets` (an ExternalSecret per service, from a store),
    /// `sealed-secrets` (`secrets/<service>.sealedsecret.yaml`, sealed by the
    /// user with kubeseal) or `sops` (`secrets/<service>.sops.yaml`,
    /// encrypted by the user with sops, decrypted by Flux).
    pub backend: Spanned<String>,
    /// external-secrets: the store, its kind (`ClusterSecretStore` or
    /// `SecretStore`), the prefix of every remote key (Doppler: `ORBIT_`) and
    /// how often to refresh.
    pub store: Option<Spanned<String>>,
    pub store_kind: Option<Spanned<String>>,
    #[serde(default)]
    pub prefix: String,
    pub refresh_interval: Option<String>,
}

/// The fields of an `external-secrets` backend, all present once checked.
#[derive(Debug, Clone)]
pub struct ExternalStore<'a> {
    pub store: &'a str,
    pub store_kind: &'a str,
    pub prefix: &'a str,
    pub refresh_interval: &'a str,
}

impl SecretStore {
    pub fn external(&self) -> Option<ExternalStore<'_>> {
        self.external_in(None)
    }

    /// The store as environment `env` reads it: the environment's fields
    /// where it states them.
    pub fn external_in<'a>(&'a self, env: Option<&'a Environment>) -> Option<ExternalStore<'a>> {
        if self.backend.get_ref() != "external-secrets" {
            return None;
        }
        let own = env.and_then(|e| e.secrets.as_ref());
        let pick = |f: fn(&'a EnvSecrets) -> &'a Option<Spanned<String>>| {
            own.and_then(|o| f(o).as_ref())
                .map(|v| v.get_ref().as_str())
        };
        Some(ExternalStore {
            store: pick(|o| &o.store).or(self.store.as_ref().map(|s| s.get_ref().as_str()))?,
            store_kind: pick(|o| &o.store_kind)
                .or(self.store_kind.as_ref().map(|s| s.get_ref().as_str()))?,
            prefix: pick(|o| &o.prefix).unwrap_or(&self.prefix),
            refresh_interval: self.refresh_interval.as_deref()?,
        })
    }
}
