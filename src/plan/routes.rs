//! Routes: a service's ports published through the platform's edge, one
//! route object per host (and protocol), under the platform's (or the
//! environment's) domain: HTTPRoutes and GRPCRoutes on the Gateway, or
//! Ingresses with the policy's ingress-nginx annotations or Traefik
//! Middlewares. A route behind authentication asks the auth proxy first
//! (Ingresses), or goes through it (Gateway API has no external
//! authentication its implementations share).

use indexmap::IndexMap;

use super::edge::{
    AuthProxy, gateway_filters, nginx_annotations, response_headers, traefik_middlewares,
};
use super::service::ServicePlanner;
use crate::ir::{
    Backend, ConfigMap, GrpcRoute, GrpcRule, HttpRoute, HttpRule, Ingress, IngressPath,
    IngressRule, IngressTls, Middleware, MiddlewareSpec, PlannedFile, Resource,
};
use crate::layout::numbered;
use crate::model::{Route, RoutePolicy};

/// The routes of one host and protocol of a service: one route object.
pub(super) struct HostRoutes {
    pub hostname: String,
    /// Names the object and file of every group but the first.
    pub label: String,
    pub grpc: bool,
    pub policy: RoutePolicy,
    pub routes: Vec<Route>,
}

/// `api.v2` → `api-v2`; the domain itself → `apex`.
fn label_of(host: &str) -> String {
    if host.is_empty() {
        "apex".into()
    } else {
        host.replace('.', "-")
    }
}

impl ServicePlanner<'_, '_> {
    /// The service's routes here, grouped by host and protocol in the order
    /// they are declared.
    pub(super) fn host_groups(&self) -> Vec<HostRoutes> {
        let p = self.p.platform;
        let mut groups: IndexMap<(String, bool), HostRoutes> = IndexMap::new();
        for r in self.svc.file.routes_in(self.env_override()) {
            let grpc = self
                .svc
                .file
                .port(r.port.get_ref())
                .is_some_and(|x| x.speaks_grpc());
            let hostname = p.hostname(self.env, r.host.get_ref());
            let policy = p.policy_in(self.env, r.policy.as_ref().map(|x| x.get_ref().as_str()));
            groups
                .entry((hostname.clone(), grpc))
                .or_insert_with(|| HostRoutes {
                    hostname,
                    label: label_of(r.host.get_ref()),
                    grpc,
                    policy,
                    routes: Vec::new(),
                })
                .routes
                .push(r);
        }
        groups.into_values().collect()
    }

    /// The auth proxy of a policy, as seen from here.
    fn auth_of(&self, policy: &RoutePolicy) -> Option<AuthProxy> {
        let name = policy.auth.as_ref()?;
        self.p.auth_proxy(self.env, name.get_ref())
    }

    /// Where a route's requests go: the service's port, or (Gateway API)
    /// the auth proxy in front of it.
    fn backend(&self, r: &Route, auth: Option<&AuthProxy>, gateway: bool) -> Backend {
        match auth {
            Some(a) if gateway => Backend {
                service: a.service.clone(),
                port: a.port,
            },
            _ => Backend {
                service: self.name().to_string(),
                port: Self::port_of(self.svc, r.port.get_ref()),
            },
        }
    }

    pub(super) fn route_files(&self) -> Vec<PlannedFile> {
        let Some(edge) = &self.p.platform.edge else {
            return vec![];
        };
        let mut out = Vec::new();
        // HTTPRoutes and GRPCRoutes are numbered apart; Ingresses together.
        let mut counts = [0; 2];
        for (n, g) in self.host_groups().iter().enumerate() {
            match edge.kind.get_ref().as_str() {
                "gateway" => {
                    let i = &mut counts[usize::from(g.grpc)];
                    out.push(self.gateway_route(g, *i));
                    *i += 1;
                }
                kind => out.extend(self.ingress_files(g, n, kind == "traefik")),
            }
        }
        out
    }

    /// The object name of the `i`-th route object: the service's, then
    /// `<service>-<label>`.
    fn route_name(&self, i: usize, label: &str) -> String {
        if i == 0 {
            self.name().to_string()
        } else {
            format!("{}-{label}", self.name())
        }
    }

    fn gateway_route(&self, g: &HostRoutes, i: usize) -> PlannedFile {
        let name = self.route_name(i, &g.label);
        let auth = self.auth_of(&g.policy);
        let parents = self.p.route_parents(self.env, &g.hostname, &g.policy);
        let needs = match parents.first() {
            Some(gw) => format!(
                "the Gateway {}/{} and the {} service",
                gw.namespace.as_deref().unwrap_or(&self.namespace),
                gw.name,
                self.name()
            ),
            None => format!("the {} service", self.name()),
        };
        let (kind, stem, resource) = if g.grpc {
            let rules = g
                .routes
                .iter()
                .map(|r| GrpcRule {
                    service: (r.path != "/").then(|| r.path.trim_matches('/').to_string()),
                    backend: self.backend(r, None, true),
                    response_headers: response_headers(&g.policy),
                })
                .collect();
            let route = GrpcRoute {
                meta: self.meta(name.clone()),
                parents,
                hostnames: vec![g.hostname.clone()],
                rules,
            };
            ("GRPCROUTE", "grpcroute", Resource::GrpcRoute(route))
        } else {
            let rules = g
                .routes
                .iter()
                .map(|r| HttpRule {
                    path: r.path.clone(),
                    backend: Some(self.backend(r, auth.as_ref(), true)),
                    filters: gateway_filters(&g.policy),
                })
                .collect();
            let route = HttpRoute {
                meta: self.meta(name.clone()),
                parents,
                hostnames: vec![g.hostname.clone()],
                rules,
            };
            ("HTTPROUTE", "httproute", Resource::HttpRoute(route))
        };
        let scheme = self.p.scheme();
        let mut purpose = format!("Publishes {} at {scheme}://{}", self.name(), g.hostname);
        if let Some(a) = &auth {
            purpose.push_str(&format!(", through {} (authentication)", a.service));
        }
        self.file_needing(&numbered(stem, i, &g.label), kind, purpose, needs, resource)
    }

    /// The Ingress of a host group, and what goes with it: the response
    /// headers (ingress-nginx) or Middlewares (Traefik), the plain-HTTP
    /// Ingress (Traefik, with TLS) and the auth proxy's sign-in path.
    fn ingress_files(&self, g: &HostRoutes, i: usize, traefik: bool) -> Vec<PlannedFile> {
        let name = self.route_name(i, &g.label);
        let auth = self.auth_of(&g.policy);
        let tls = self.p.platform.tls.is_some();
        let mut out = Vec::new();
        let mut main = self.ingress(
            &name,
            g,
            g.routes
                .iter()
                .map(|r| (r.path.clone(), self.backend(r, None, false)))
                .collect(),
        );
        if traefik {
            let mut refs = Vec::new();
            for (suffix, spec) in traefik_middlewares(&g.policy, auth.as_ref()) {
                refs.push(self.middleware_ref(&name, &suffix));
                out.push(self.middleware(&name, &suffix, i, &g.label, spec));
            }
            traefik_router(&mut main, tls, &refs);
            if tls {
                let mut web = self.ingress(&format!("{name}-http"), g, main_paths(&main));
                web.tls = None;
                let refs = if self.p.redirects(&g.policy) {
                    out.push(self.middleware(
                        &name,
                        "redirect",
                        i,
                        &g.label,
                        MiddlewareSpec::RedirectScheme,
                    ));
                    vec![self.middleware_ref(&name, "redirect")]
                } else {
                    refs
                };
                traefik_router(&mut web, false, &refs);
                out.push(self.ingress_file(
                    &numbered("ingress-http", i, &g.label),
                    web,
                    "Serves plain HTTP for",
                ));
            }
        } else {
            let headers = response_headers(&g.policy);
            let cm = (!headers.is_empty()).then(|| format!("{name}.response-headers"));
            if let Some(cm) = &cm {
                out.push(self.headers_configmap(cm, i, &g.label, &headers));
            }
            let cm_ref = cm.map(|c| format!("{}/{c}", self.runs_in()));
            main.meta.annotations.extend(nginx_annotations(
                &g.policy,
                tls,
                g.grpc,
                cm_ref.as_deref(),
                auth.as_ref(),
            ));
        }
        out.push(self.ingress_file(&numbered("ingress", i, &g.label), main, "Publishes"));
        if let Some(a) = &auth {
            let mut signin = self.ingress(
                &format!("{name}-oauth2"),
                g,
                vec![(
                    "/oauth2".into(),
                    Backend {
                        service: a.service.clone(),
                        port: a.port,
                    },
                )],
            );
            if traefik {
                traefik_router(&mut signin, tls, &[]);
            } else {
                signin.meta.annotations.extend(nginx_annotations(
                    &RoutePolicy::default(),
                    tls,
                    false,
                    None,
                    None,
                ));
            }
            out.push(self.ingress_file(
                &numbered("ingress-oauth2", i, &g.label),
                signin,
                "Serves the sign-in of",
            ));
        }
        out
    }

    fn ingress(&self, name: &str, g: &HostRoutes, paths: Vec<(String, Backend)>) -> Ingress {
        let edge = self.p.platform.edge.as_ref();
        Ingress {
            meta: self.meta(name.to_string()),
            class: edge
                .and_then(|e| e.class.as_ref())
                .map_or_else(String::new, |c| c.get_ref().clone()),
            tls: self.p.platform.tls.as_ref().map(|_| IngressTls {
                hosts: vec![g.hostname.clone()],
                secret: self.p.tls_secret(),
            }),
            rules: vec![IngressRule {
                host: g.hostname.clone(),
                paths: paths
                    .into_iter()
                    .map(|(path, backend)| IngressPath { path, backend })
                    .collect(),
            }],
        }
    }

    fn ingress_file(&self, file: &str, ingress: Ingress, what: &str) -> PlannedFile {
        let host = ingress.rules[0].host.clone();
        let scheme = if ingress.tls.is_some() {
            "https"
        } else {
            "http"
        };
        self.file_needing(
            file,
            "INGRESS",
            format!("{what} {} at {scheme}://{host}", self.name()),
            format!(
                "the {} ingress controller and the {} service",
                ingress.class,
                self.name()
            ),
            Resource::Ingress(ingress),
        )
    }

    fn middleware_ref(&self, ingress: &str, suffix: &str) -> String {
        format!("{}-{ingress}-{suffix}@kubernetescrd", self.runs_in())
    }

    fn middleware(
        &self,
        ingress: &str,
        suffix: &str,
        i: usize,
        label: &str,
        spec: MiddlewareSpec,
    ) -> PlannedFile {
        self.file_needing(
            &numbered(&format!("middleware-{suffix}"), i, label),
            "MIDDLEWARE",
            format!(
                "Traefik {suffix} middleware of the routes of {}",
                self.name()
            ),
            "Traefik's Kubernetes CRD provider".into(),
            Resource::Middleware(Middleware {
                meta: self.meta(format!("{ingress}-{suffix}")),
                spec,
            }),
        )
    }

    fn headers_configmap(
        &self,
        name: &str,
        i: usize,
        label: &str,
        headers: &[crate::ir::HeaderValue],
    ) -> PlannedFile {
        self.file_needing(
            &numbered("response-headers", i, label),
            "CONFIGMAP",
            format!(
                "Response headers ingress-nginx adds to the routes of {}",
                self.name()
            ),
            "ingress-nginx, with these headers in its global-allowed-response-headers".into(),
            Resource::ConfigMap(ConfigMap {
                meta: self.meta(name.to_string()),
                data: headers
                    .iter()
                    .map(|h| (h.name.clone(), h.value.clone()))
                    .collect(),
            }),
        )
    }
}

/// The paths of an Ingress's one rule, for another Ingress of the same host.
fn main_paths(i: &Ingress) -> Vec<(String, Backend)> {
    i.rules[0]
        .paths
        .iter()
        .map(|p| (p.path.clone(), p.backend.clone()))
        .collect()
}

/// Traefik's router annotations: the entry point (`websecure` with TLS,
/// `web` without), TLS, and the middlewares in order.
fn traefik_router(ingress: &mut Ingress, tls: bool, middlewares: &[String]) {
    let a = &mut ingress.meta.annotations;
    let prefix = "traefik.ingress.kubernetes.io/router.";
    let entry = if tls { "websecure" } else { "web" };
    a.insert(format!("{prefix}entrypoints"), entry.into());
    if tls {
        a.insert(format!("{prefix}tls"), "true".into());
    }
    if !middlewares.is_empty() {
        a.insert(format!("{prefix}middlewares"), middlewares.join(","));
    }
}
