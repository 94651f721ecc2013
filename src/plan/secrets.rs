//! Secrets: each service's own Secret (seed 000 §2.1), from the platform's
//! backend: an ExternalSecret of exactly its keys, the SealedSecret the user
//! sealed, or the SOPS file the user encrypted; and the registry pull secret
//! of the namespaces that run the platform's own images (§2.5).

use super::base::NamespacePlanner;
use super::service::ServicePlanner;
use crate::ir::{
    DockerConfig, ExternalSecret, PlannedFile, Resource, SealedSecret, SecretRef, Verbatim,
};
use crate::layout::{
    EXTERNALSECRET_FILE, SEALEDSECRET_FILE, SOPS_SECRET_FILE, env_secret_file, pull_secret_file,
    secret_file,
};
use crate::load::SecretFile;
use crate::model::ExternalStore;

/// The `.dockerconfigjson` of a registry, as an External Secrets (Go)
/// template over the `username` and `token` keys.
pub fn docker_config_template(host: &str) -> String {
    format!(
        "{{\"auths\":{{\"{host}\":{{\"username\":\"{{{{ .username }}}}\",\"password\":\"{{{{ .token }}}}\",\"auth\":\"{{{{ printf \"%s:%s\" .username .token | b64enc }}}}\"}}}}}}"
    )
}

impl NamespacePlanner<'_, '_> {
    /// The pull secret's ExternalSecret, where a service here runs one of
    /// the platform's own images.
    pub(super) fn pull_secret_file(&self) -> Option<PlannedFile> {
        let p = self.p.platform;
        let ps = p.images.pull_secret.as_ref()?;
        let store = p.secrets.as_ref().and_then(|s| s.external_in(self.env))?;
        if !self.services().iter().any(|s| s.file.own_image()) {
            return None;
        }
        let name = ps.name.get_ref();
        let registry = p.images.registry.get_ref();
        let host = registry.split('/').next().unwrap_or(registry);
        let mut header = self.header(
            format!("EXTERNALSECRET: {name}"),
            format!("Credentials for pulling the platform's own images from {host}"),
            store_dependency(&store),
        );
        header.source = "platform.toml [images.pull_secret]".into();
        let resource = Resource::ExternalSecret(ExternalSecret {
            meta: self.meta(name),
            refresh_interval: store.refresh_interval.to_string(),
            store: store.store.to_string(),
            store_kind: store.store_kind.to_string(),
            target: name.clone(),
            data: vec![
                SecretRef {
                    key: "username".into(),
                    remote: format!("{}{}", store.prefix, ps.username_key),
                },
                SecretRef {
                    key: "token".into(),
                    remote: format!("{}{}", store.prefix, ps.token_key),
                },
            ],
            docker_config: Some(DockerConfig {
                template: docker_config_template(host),
            }),
        });
        Some(self.file(&pull_secret_file(name), header, resource))
    }
}

/// What an ExternalSecret needs in the cluster.
fn store_dependency(store: &ExternalStore<'_>) -> String {
    format!(
        "the External Secrets operator and the {} {}",
        store.store_kind, store.store
    )
}

impl ServicePlanner<'_, '_> {
    /// The service's Secret, from the platform's backend; none without keys.
    pub(super) fn secret_files(&self) -> Option<PlannedFile> {
        let f = &self.svc.file;
        if f.secrets.is_empty() {
            return None;
        }
        let secrets = self.p.platform.secrets.as_ref()?;
        if let Some(store) = secrets.external_in(self.env) {
            return Some(self.external_secret(&store));
        }
        let backend = secrets.backend.get_ref();
        // The environment's own file where it has one, else the shared one.
        let own = self
            .env
            .and_then(|e| env_secret_file(backend, self.name(), e.name.get_ref()))
            .and_then(|n| self.p.secret_files.get(&n));
        let sf = own.or_else(|| {
            secret_file(backend, self.name()).and_then(|n| self.p.secret_files.get(&n))
        })?;
        Some(if backend == "sops" {
            self.sops_secret(sf)
        } else {
            self.sealed_secret(sf)
        })
    }

    fn external_secret(&self, store: &ExternalStore<'_>) -> PlannedFile {
        let f = &self.svc.file;
        let name = self.name();
        let data = f
            .secrets
            .iter()
            .map(|k| {
                let key = k.get_ref().clone();
                let remote = f
                    .secret_sources
                    .get(&key)
                    .map_or_else(|| key.clone(), |r| r.get_ref().clone());
                SecretRef {
                    key,
                    remote: format!("{}{remote}", store.prefix),
                }
            })
            .collect();
        let secret_name = format!("{name}-secrets");
        self.file_needing(
            EXTERNALSECRET_FILE,
            "EXTERNALSECRET",
            format!(
                "The keys {name} needs, and only those, from {}",
                store.store
            ),
            store_dependency(store),
            Resource::ExternalSecret(ExternalSecret {
                meta: self.meta(secret_name.clone()),
                refresh_interval: store.refresh_interval.to_string(),
                store: store.store.to_string(),
                store_kind: store.store_kind.to_string(),
                target: secret_name,
                data,
                docker_config: None,
            }),
        )
    }

    /// The encrypted file, byte for byte: sops's MAC covers the text.
    fn sops_secret(&self, sf: &SecretFile) -> PlannedFile {
        self.file(
            SOPS_SECRET_FILE,
            "SECRET",
            format!("The keys {} needs, encrypted with sops", self.name()),
            Resource::Verbatim(Verbatim {
                text: sf.source.text.clone(),
                secret: Some(self.meta(format!("{}-secrets", self.name()))),
            }),
        )
    }

    /// The sealed file's ciphertexts and template, under the service's labels
    /// (kubeseal's own annotations kept).
    fn sealed_secret(&self, sf: &SecretFile) -> PlannedFile {
        let mut meta = self.meta(format!("{}-secrets", self.name()));
        for (k, v) in sf.doc["metadata"]["annotations"]
            .as_object()
            .into_iter()
            .flatten()
        {
            if k.starts_with("sealedsecrets.bitnami.com/")
                && let Some(v) = v.as_str()
            {
                meta.annotations.insert(k.clone(), v.to_string());
            }
        }
        let encrypted_data = sf.doc["spec"]["encryptedData"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect();
        self.file_needing(
            SEALEDSECRET_FILE,
            "SEALEDSECRET",
            format!(
                "The keys {} needs, sealed with kubeseal (from {})",
                self.name(),
                sf.source.path
            ),
            "the Sealed Secrets controller, whose key sealed it".into(),
            Resource::SealedSecret(SealedSecret {
                meta,
                encrypted_data,
                template: sf.doc["spec"].get("template").cloned(),
            }),
        )
    }
}
