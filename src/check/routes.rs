//! Routes: each publishes one of the service's own ports on a valid host
//! name and absolute path, through the platform's gateway.

use super::ServiceCx;
use super::config::check_env_slot;
use crate::diag::{Diagnostic, Diagnostics};
use crate::names::is_hostname;

pub(super) fn check(cx: &mut ServiceCx<'_>, d: &mut Diagnostics) {
    let src = cx.src;
    for r in &cx.f.routes {
        cx.own_port(&r.port, "the route", d);
        let host = r.host.get_ref();
        if !host.is_empty() && !is_hostname(host) {
            d.push(Diagnostic::at(
                "E0112",
                src,
                r.host.span(),
                format!("`{host}` is not a valid host name prefix"),
                "write the labels left of the platform domain, such as `www` or `api.v2`",
            ));
        }
        if !r.path.starts_with('/') {
            d.push(
                Diagnostic::at(
                    "E0112",
                    src,
                    r.host.span(),
                    format!("route path `{}` does not start with `/`", r.path),
                    "write an absolute path prefix",
                )
                .field("routes.path"),
            );
        }
        if cx.ix.platform.gateway.is_none() {
            d.push(Diagnostic::at(
                "E0112",
                src,
                r.host.span(),
                "the service declares a route but platform.toml has no [gateway]",
                "add a [gateway] table to platform.toml",
            ));
        }
        if let Some(env) = &r.env {
            check_env_slot(src, &r.host, env, "a route", &mut cx.env_names, d);
        }
    }
}
