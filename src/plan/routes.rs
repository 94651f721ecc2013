//! Routes: a service's ports published on the platform's gateway, one
//! HTTPRoute per host name, under the platform's (or environment's) domain.

use indexmap::IndexMap;

use super::service::ServicePlanner;
use crate::ir::{HttpRoute, PlannedFile, Resource, RouteRule};
use crate::layout::numbered;

impl ServicePlanner<'_, '_> {
    /// `<host>.<domain>`, or the domain itself for an empty host.
    pub(super) fn hostname(&self, host: &str) -> String {
        let domain = self
            .env
            .map_or(self.p.platform.platform.domain.get_ref(), |e| {
                e.domain.get_ref()
            });
        if host.is_empty() {
            domain.clone()
        } else {
            format!("{host}.{domain}")
        }
    }

    pub(super) fn route_files(&self) -> Vec<PlannedFile> {
        let Some(gw) = &self.p.platform.gateway else {
            return vec![];
        };
        let name = self.name().to_string();
        let mut hosts: IndexMap<String, Vec<RouteRule>> = IndexMap::new();
        for r in &self.svc.file.routes {
            hosts
                .entry(self.hostname(r.host.get_ref()))
                .or_default()
                .push(RouteRule {
                    path: r.path.clone(),
                    service: name.clone(),
                    port: Self::port_of(self.svc, r.port.get_ref()),
                });
        }
        let mut out = Vec::new();
        for (i, (hostname, rules)) in hosts.into_iter().enumerate() {
            let label = hostname.split('.').next().unwrap_or("route").to_string();
            let route_name = if i == 0 {
                name.clone()
            } else {
                format!("{name}-{label}")
            };
            out.push(self.file_needing(
                &numbered("httproute", i, &label),
                "HTTPROUTE",
                format!("Publishes {name} at https://{hostname} through {}", gw.name),
                format!(
                    "gateway {}/{} and the {name} service",
                    gw.namespace, gw.name
                ),
                Resource::HttpRoute(HttpRoute {
                    meta: self.meta(route_name),
                    gateway: gw.name.clone(),
                    gateway_namespace: gw.namespace.clone(),
                    section: gw.section.clone(),
                    hostname,
                    rules,
                }),
            ));
        }
        out
    }
}
