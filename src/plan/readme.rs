//! The rendered tree's README: its layout, waves, environments, clusters
//! and how each engine deploys it.

use super::Planner;
use crate::ir::{PlannedFile, Readme, ReadmeCluster, ReadmeEdge, ReadmeEnv, ReadmeWave, Resource};
use crate::layout::{OUTPUT_DIR, README};

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
                path: g.map_or_else(|| OUTPUT_DIR.into(), |g| g.path.clone()),
                argocd: self.engine("argocd"),
                argocd_namespace: g.map_or_else(String::new, |g| g.argocd_namespace.clone()),
                flux: self.engine("flux"),
                kyverno: p.kyverno.is_some(),
                waves: self.readme_waves(),
                environments: self.readme_environments(),
                clusters: self.readme_clusters(&revision),
                edge: self.readme_edge(),
                revision,
            }),
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
                tag: e
                    .image_tag
                    .clone()
                    .unwrap_or_else(|| p.images.tag.get_ref().clone()),
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
        self.platform
            .clusters
            .iter()
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
                "Routes attach to the existing Gateway `{}/{}`, which terminates TLS.",
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
