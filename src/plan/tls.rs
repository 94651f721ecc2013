//! TLS: the cert-manager issuers declared in platform.toml (ClusterIssuers
//! once per cluster, Issuers in each namespace holding a certificate) and
//! the certificate of each namespace that terminates TLS, for exactly the
//! hosts it serves (seed 002 §4; seed 004 FR32, FR33).

use super::Planner;
use super::base::{BASE_WAVE, NamespacePlanner};
use crate::ir::{
    Certificate, Issuer, IssuerSpec, KeySpec, Meta, ParentRef, PlannedFile, Resource, Solver,
};
use crate::layout::{BASE_CLUSTER_DIR, CERTIFICATE_FILE, issuer_file};
use crate::model::{self, Environment, certificate_names};

/// The listener HTTP-01 challenges are answered on.
pub const HTTP_LISTENER: &str = "http";

impl Planner<'_> {
    /// Every ClusterIssuer; returns their file names in `base/cluster`.
    pub(super) fn plan_cluster_issuers(&mut self) -> Vec<String> {
        let mut files = Vec::new();
        for i in &self.platform.issuers {
            if i.kind() != "ClusterIssuer" {
                continue;
            }
            let name = i.name.get_ref();
            let file = issuer_file(i.kind(), name);
            let header = self.header(
                format!("CLUSTERISSUER: {name}"),
                format!("Issues the platform's certificates ({})", issuer_what(i)),
                "cert-manager installed in the cluster".into(),
                BASE_WAVE.into(),
                "platform.toml [[issuers]]".into(),
            );
            let parents = self.gateway_parents(None);
            let resource = Resource::Issuer(self.issuer(i, self.base_meta(name, None), parents));
            self.files.push(PlannedFile {
                path: format!("{BASE_CLUSTER_DIR}/{file}"),
                header,
                resource,
            });
            files.push(file);
        }
        files
    }

    fn issuer(&self, i: &model::Issuer, meta: Meta, parents: Vec<ParentRef>) -> Issuer {
        let spec = if let Some(a) = &i.acme {
            let solver = match &a.dns01 {
                Some(d) => match &d.cloudflare {
                    Some(c) => Solver::Cloudflare {
                        secret: c.token_secret.get_ref().clone(),
                        key: c.token_key.get_ref().clone(),
                    },
                    None => {
                        let r = d.route53.as_ref();
                        Solver::Route53 {
                            region: r.map_or_else(String::new, |r| r.region.get_ref().clone()),
                            hosted_zone_id: r
                                .and_then(|r| r.hosted_zone_id.as_ref())
                                .map(|z| z.get_ref().clone()),
                        }
                    }
                },
                None => self.http01_solver(parents),
            };
            IssuerSpec::Acme {
                server: a.server.get_ref().clone(),
                email: a.email.get_ref().clone(),
                account_key: format!("{}-account-key", i.name.get_ref()),
                solver,
                zones: a
                    .dns01
                    .iter()
                    .flat_map(|d| d.zones.iter().map(|z| z.get_ref().clone()))
                    .collect(),
            }
        } else if let Some(ca) = &i.ca {
            IssuerSpec::Ca {
                secret: ca.secret.get_ref().clone(),
            }
        } else {
            IssuerSpec::SelfSigned
        };
        Issuer {
            meta,
            kind: i.kind().to_string(),
            spec,
        }
    }

    /// HTTP-01 through the edge: an Ingress of its class, or a route on the
    /// HTTP listener of the Gateways.
    fn http01_solver(&self, parents: Vec<ParentRef>) -> Solver {
        match self.platform.edge.as_ref() {
            Some(e) if e.kind.get_ref() != "gateway" => Solver::Http01Ingress {
                class: e
                    .class
                    .as_ref()
                    .map_or_else(String::new, |c| c.get_ref().clone()),
            },
            _ => Solver::Http01Gateway { parents },
        }
    }

    /// The Gateway listeners HTTP-01 challenges reach: the rendered Gateway
    /// of `env` (of the base and every environment for a ClusterIssuer), or
    /// the existing one.
    fn gateway_parents(&self, env: Option<&Environment>) -> Vec<ParentRef> {
        let Some(gw) = self.platform.edge.as_ref().and_then(|e| e.gateway.as_ref()) else {
            return vec![];
        };
        if let Some(existing) = self.existing_gateway(None) {
            return vec![existing];
        }
        let platform_ns = self.platform.platform.namespace.get_ref();
        let mut namespaces: Vec<String> = match env {
            Some(e) => vec![e.namespace_for(platform_ns)],
            None => std::iter::once(platform_ns.clone())
                .chain(
                    self.platform
                        .environments
                        .iter()
                        .map(|e| e.namespace_for(platform_ns)),
                )
                .collect(),
        };
        namespaces.sort();
        namespaces.dedup();
        namespaces
            .into_iter()
            .map(|ns| ParentRef {
                name: gw.name.get_ref().clone(),
                namespace: Some(ns),
                section: Some(HTTP_LISTENER.into()),
            })
            .collect()
    }

    /// The hosts whose TLS terminates in base namespace `ns` in `env`: every
    /// host behind a rendered Gateway (in the platform namespace), each
    /// Ingress host in its service's namespace.
    pub(super) fn tls_hosts(&self, env: Option<&Environment>, ns: &str) -> Vec<String> {
        let p = self.platform;
        let (Some(edge), Some(_)) = (p.edge.as_ref(), p.tls.as_ref()) else {
            return vec![];
        };
        let gateway = edge.kind.get_ref() == "gateway";
        if gateway && (ns != p.platform.namespace.get_ref() || !self.managed_gateway()) {
            return vec![];
        }
        let mut hosts = Vec::new();
        for s in self.services_in(env) {
            if !gateway && super::namespace_of(p, s) != ns {
                continue;
            }
            let o = env.and_then(|e| e.overrides.get(&s.name));
            for r in s.file.routes_in(o) {
                let h = p.hostname(env, r.host.get_ref());
                if !hosts.contains(&h) {
                    hosts.push(h);
                }
            }
        }
        hosts.sort();
        hosts
    }

    /// The names of the certificate of `ns` in `env`.
    pub(super) fn tls_names(&self, env: Option<&Environment>, ns: &str) -> Vec<String> {
        let hosts = self.tls_hosts(env, ns);
        let wildcards = self.platform.tls.as_ref().map_or_else(Vec::new, |t| {
            t.wildcards_under(self.platform.domain_in(env))
        });
        certificate_names(&hosts, &wildcards)
    }

    /// The Secret of the certificate of a namespace.
    pub(super) fn tls_secret(&self) -> String {
        match self.platform.edge.as_ref().and_then(|e| e.gateway.as_ref()) {
            Some(gw) => format!("{}-tls", gw.name.get_ref()),
            None => format!("{}-tls", self.part_of()),
        }
    }

    /// Whether platformc renders the Gateway.
    pub(super) fn managed_gateway(&self) -> bool {
        self.platform
            .edge
            .as_ref()
            .and_then(|e| e.gateway.as_ref())
            .is_some_and(|g| g.managed())
    }
}

impl Planner<'_> {
    /// What the README says of the certificates: each environment's issuer
    /// and what its solver needs in the cluster.
    pub(super) fn tls_notes(&self) -> Vec<String> {
        let p = self.platform;
        if p.tls.is_none() {
            let existing = p
                .edge
                .as_ref()
                .and_then(|e| e.gateway.as_ref())
                .is_some_and(|g| !g.managed());
            return vec![if existing {
                "platformc issues no certificates (the platform declares no [tls]): the Gateway's listener serves the routes as it is configured.".into()
            } else {
                "Routes are plain HTTP: the platform declares no [tls].".into()
            }];
        }
        let mut notes = Vec::new();
        let mut per_env = Vec::new();
        for env in std::iter::once(None).chain(p.environments.iter().map(Some)) {
            if let Some(i) = p.issuer_in(env) {
                let name = env.map_or("the base", |e| e.name.get_ref().as_str());
                per_env.push(format!("{name}: {} `{}`", i.kind(), i.name.get_ref()));
            }
        }
        notes.push(format!(
            "Certificates (cert-manager) cover exactly the hosts served, wildcards only where they cover one; issuers: {}.",
            per_env.join("; ")
        ));
        for i in &p.issuers {
            if let Some(c) = i
                .acme
                .as_ref()
                .and_then(|a| a.dns01.as_ref())
                .and_then(|d| d.cloudflare.as_ref())
            {
                let place = if i.kind() == "ClusterIssuer" {
                    "cert-manager's namespace"
                } else {
                    "each namespace holding a certificate"
                };
                notes.push(format!(
                    "`{}` answers DNS-01 through Cloudflare with the token in Secret `{}` (key `{}`), in {place}.",
                    i.name.get_ref(),
                    c.token_secret.get_ref(),
                    c.token_key.get_ref()
                ));
            }
        }
        notes
    }
}

/// What an issuer is, for its header.
fn issuer_what(i: &model::Issuer) -> String {
    match &i.acme {
        Some(a) if a.http01.is_some() => format!("ACME {}, HTTP-01", a.server.get_ref()),
        Some(a) => format!("ACME {}, DNS-01", a.server.get_ref()),
        None if i.ca.is_some() => "a CA whose key is in a Secret".into(),
        None => "self-signed".into(),
    }
}

impl NamespacePlanner<'_, '_> {
    /// The namespaced Issuer this environment's certificates use, where a
    /// certificate is.
    pub(super) fn issuer_files(&self) -> Vec<PlannedFile> {
        let Some(i) = self.p.platform.issuer_in(self.env) else {
            return vec![];
        };
        if i.kind() != "Issuer" || self.p.tls_hosts(self.env, &self.ns).is_empty() {
            return vec![];
        }
        let name = i.name.get_ref();
        let mut header = self.header(
            format!("ISSUER: {name}"),
            format!(
                "Issues the certificates of {} ({})",
                self.here(),
                issuer_what(i)
            ),
            "cert-manager installed in the cluster".into(),
        );
        header.source = "platform.toml [[issuers]]".into();
        let parents = self.p.gateway_parents(self.env);
        let resource = Resource::Issuer(self.p.issuer(i, self.meta(name), parents));
        vec![self.file(&issuer_file("Issuer", name), header, resource)]
    }

    /// The certificate of the hosts whose TLS terminates here.
    pub(super) fn certificate_file(&self) -> Option<PlannedFile> {
        let tls = self.p.platform.tls.as_ref()?;
        let issuer = self.p.platform.issuer_in(self.env)?;
        let names = self.p.tls_names(self.env, &self.ns);
        if names.is_empty() {
            return None;
        }
        let secret = self.p.tls_secret();
        let mut header = self.header(
            format!("CERTIFICATE: {secret}"),
            format!(
                "TLS for the hosts served from {}: {}",
                self.here(),
                names.join(", ")
            ),
            format!("the {} {}", issuer.kind(), issuer.name.get_ref()),
        );
        header.source = "platform.toml [tls], services/*.toml [[routes]]".into();
        Some(self.file(
            CERTIFICATE_FILE,
            header,
            Resource::Certificate(Certificate {
                meta: self.meta(&secret),
                secret: secret.clone(),
                dns_names: names,
                issuer: issuer.name.get_ref().clone(),
                issuer_kind: issuer.kind().to_string(),
                duration: tls.duration.as_ref().map(|d| d.get_ref().clone()),
                renew_before: tls.renew_before.as_ref().map(|d| d.get_ref().clone()),
                private_key: tls.private_key.as_ref().map(|k| KeySpec {
                    algorithm: k.algorithm.get_ref().clone(),
                    size: k.size.as_ref().map(|s| *s.get_ref()),
                    encoding: k.encoding.as_ref().map(|e| e.get_ref().clone()),
                    rotation: k.rotation.as_ref().map(|r| r.get_ref().clone()),
                }),
            }),
        ))
    }
}
