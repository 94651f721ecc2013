//! The rendered tree's README: its layout, waves, environments, clusters
//! and how each engine deploys it.

use super::Planner;
use crate::ir::{
    Graph, GraphEdge, PlannedFile, Readme, ReadmeCluster, ReadmeEdge, ReadmeEnv, ReadmeSecret,
    ReadmeWave, Resource,
};
use crate::layout::{OUTPUT_DIR, README, SECRETS_DIR, secret_file};

impl Planner<'_> {
    pub(super) fn readme(&self) -> PlannedFile {
        let p = self.platform;
        let g = p.gitops.as_ref();
        let revision = g.map_or_else(String::new, |g| g.revision.clone());
        PlannedFile {
            path: README.into(),
            header: self.header(
                "README".into(),
                "How the rendered tree is laid out and deployed".into(),
                "nothing".into(),
                "none".into(),
                "platform.toml".into(),
            ),
            resource: Resource::Readme(Readme {
                platform: self.part_of().to_string(),
                repository: p.platform.repository.clone(),
                path: g.map_or_else(|| OUTPUT_DIR.into(), |g| g.path.clone()),
                argocd: self.engine("argocd"),
                argocd_namespace: g.map_or_else(String::new, |g| g.argocd_namespace.clone()),
                flux: self.engine("flux"),
                kyverno: p.kyverno.is_some(),
                waves: self.readme_waves(),
                environments: self.readme_environments(),
                clusters: self.readme_clusters(&revision),
                edge: self.readme_edge(),
                graph: self.graph(),
                prerequisites: self.prerequisites(),
                secret_backend: p
                    .secrets
                    .as_ref()
                    .map_or_else(String::new, |s| s.backend.get_ref().clone()),
                secrets_dir: SECRETS_DIR.into(),
                secrets: self.readme_secrets(),
                secret_stores: p
                    .environments
                    .iter()
                    .filter_map(|e| {
                        let s = p.secrets.as_ref()?.external_in(Some(e))?;
                        Some((
                            e.name.get_ref().clone(),
                            s.store_kind.to_string(),
                            s.store.to_string(),
                            s.prefix.to_string(),
                        ))
                    })
                    .collect(),
                sops_secret: self.sops_secret(),
                revision,
            }),
        }
    }

    /// Every service's Secret and where each key comes from.
    fn readme_secrets(&self) -> Vec<ReadmeSecret> {
        let Some(store) = self.platform.secrets.as_ref() else {
            return vec![];
        };
        let backend = store.backend.get_ref();
        let pull = store
            .external()
            .zip(self.platform.images.pull_secret.as_ref())
            .map(|(ext, ps)| ReadmeSecret {
                service: "(image pulls)".into(),
                secret: ps.name.get_ref().clone(),
                namespace: self.platform.platform.namespace.get_ref().clone(),
                keys: vec![
                    (
                        "username".into(),
                        format!("{}{}", ext.prefix, ps.username_key),
                    ),
                    ("token".into(), format!("{}{}", ext.prefix, ps.token_key)),
                ],
            });
        let services = self
            .services
            .iter()
            .filter(|s| !s.file.secrets.is_empty())
            .map(|s| {
                let file = secret_file(backend, &s.name)
                    .map(|f| format!("{SECRETS_DIR}/{f}"))
                    .unwrap_or_default();
                let keys = s
                    .file
                    .secrets
                    .iter()
                    .map(|k| {
                        let key = k.get_ref().clone();
                        let from = match store.external() {
                            Some(ext) => {
                                let remote = s
                                    .file
                                    .secret_sources
                                    .get(&key)
                                    .map_or(key.as_str(), |r| r.get_ref().as_str());
                                format!("{}{remote}", ext.prefix)
                            }
                            None => file.clone(),
                        };
                        (key, from)
                    })
                    .collect();
                ReadmeSecret {
                    service: s.name.clone(),
                    secret: format!("{}-secrets", s.name),
                    namespace: super::namespace_of(self.platform, s),
                    keys,
                }
            });
        pull.into_iter().chain(services).collect()
    }

    /// The dependency graph: services by wave, and every edge.
    pub(super) fn graph(&self) -> Graph {
        let edges = self
            .services
            .iter()
            .flat_map(|s| {
                s.file.depends_on.iter().map(|d| GraphEdge {
                    from: s.name.clone(),
                    to: d.service.get_ref().clone(),
                    port: d
                        .port
                        .as_ref()
                        .map_or_else(|| "completes first".to_string(), |p| p.get_ref().clone()),
                })
            })
            .collect();
        Graph {
            waves: self.readme_waves(),
            edges,
        }
    }

    fn readme_waves(&self) -> Vec<ReadmeWave> {
        self.platform
            .categories
            .iter()
            .map(|c| ReadmeWave {
                wave: *c.wave.get_ref(),
                category: c.name.get_ref().clone(),
                services: self
                    .services
                    .iter()
                    .filter(|s| s.file.category.get_ref() == c.name.get_ref())
                    .map(|s| s.name.clone())
                    .collect(),
            })
            .collect()
    }

    fn readme_environments(&self) -> Vec<ReadmeEnv> {
        let p = self.platform;
        p.environments
            .iter()
            .map(|e| ReadmeEnv {
                name: e.name.get_ref().clone(),
                namespace: self
                    .namespaces(Some(e))
                    .iter()
                    .map(|n| self.namespace_in(Some(e), n))
                    .collect::<Vec<_>>()
                    .join(", "),
                domain: e.domain.get_ref().clone(),
                tag: e.image_tag.as_ref().map_or_else(
                    || "each service's own (image_tag)".to_string(),
                    |t| t.get_ref().clone(),
                ),
                clusters: if e.clusters.is_empty() {
                    p.clusters
                        .iter()
                        .take(1)
                        .map(|c| c.name.get_ref().clone())
                        .collect()
                } else {
                    e.clusters.iter().map(|c| c.get_ref().clone()).collect()
                },
            })
            .collect()
    }

    fn readme_clusters(&self, revision: &str) -> Vec<ReadmeCluster> {
        self.clusters_of("flux")
            .into_iter()
            .map(|c| ReadmeCluster {
                name: c.name.get_ref().clone(),
                branch: c.revision.clone().unwrap_or_else(|| revision.to_string()),
                promotion: c
                    .promotion
                    .clone()
                    .unwrap_or_else(|| "none: follows every commit".into()),
            })
            .collect()
    }

    /// The edge, the certificates, and what the cluster must provide.
    fn readme_edge(&self) -> Option<ReadmeEdge> {
        let p = self.platform;
        let e = p.edge.as_ref()?;
        let class = e.class.as_ref().map_or("", |c| c.get_ref().as_str());
        let gw = e.gateway.as_ref();
        let summary = match (e.kind.get_ref().as_str(), gw) {
            ("gateway", Some(g)) if g.managed() => format!(
                "Each environment has its own Gateway `{}` (GatewayClass `{}`) in its platform namespace, with an HTTP listener and an HTTPS listener per certificate name; the services' HTTPRoutes and GRPCRoutes attach to it. Point the hosts' DNS at its address.",
                g.name.get_ref(),
                g.class.as_ref().map_or("", |c| c.get_ref().as_str())
            ),
            ("gateway", Some(g)) => format!(
                "Routes attach to listener `{}` of the existing Gateway `{}/{}`, which holds its own certificates.",
                g.section.as_deref().unwrap_or_default(),
                g.namespace.as_ref().map_or("", |n| n.get_ref().as_str()),
                g.name.get_ref()
            ),
            ("nginx", _) => format!(
                "Each route host is an Ingress of class `{class}` for ingress-nginx; route policies are its annotations."
            ),
            _ => format!(
                "Each route host is an Ingress of class `{class}` for Traefik; route policies are Middlewares its router annotations name."
            ),
        };
        let mut notes = vec![format!(
            "The edge's proxies run in namespace `{}`: routed ports admit traffic from there only.",
            e.proxy_namespace.get_ref()
        )];
        notes.extend(self.edge_notes());
        notes.extend(self.tls_notes());
        Some(ReadmeEdge {
            summary,
            issuers: !p.issuers.is_empty(),
            notes,
        })
    }
}
