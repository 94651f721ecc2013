//! `platformc new service <name>`: a service file that renders and passes
//! check as it is (one HTTP port, a health check, requests and limits), for
//! the user to describe and extend.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::diag::did_you_mean;
use crate::layout::SERVICES_DIR;
use crate::names::is_dns_label;

/// Writes `services/<name>.toml`; returns its path relative to the root.
pub fn service(root: &Path, name: &str, category: Option<&str>) -> Result<String> {
    if !is_dns_label(name) || name.len() > 52 {
        bail!(
            "`{name}` is not a valid service name: use lower-case letters, digits and `-`, at most 52 characters"
        );
    }
    let loaded = crate::load_checked(root)?;
    if loaded.services.iter().any(|s| s.name == name) {
        bail!("a service named `{name}` exists already");
    }
    let categories: Vec<&str> = loaded
        .platform
        .categories
        .iter()
        .map(|c| c.name.get_ref().as_str())
        .collect();
    let category = match category {
        Some(c) if categories.contains(&c) => c,
        Some(c) => bail!(
            "unknown category `{c}`: {}",
            did_you_mean(c, categories.iter().copied(), "use one of")
        ),
        None => categories
            .last()
            .copied()
            .context("platform.toml declares no category")?,
    };
    let rel = format!("{SERVICES_DIR}/{name}.toml");
    let path = root.join(&rel);
    if path.exists() {
        bail!("{rel} exists already");
    }
    fs::write(&path, scaffold(name, category)).with_context(|| format!("cannot write {rel}"))?;
    Ok(rel)
}

fn scaffold(name: &str, category: &str) -> String {
    format!(
        r#"# {name}: created by `platformc new service {name}`. Every field is in
# README.md and docs/reference.md; `platformc explain {name}` shows what the
# compiler makes of it.
description = "{name}: say here what it does (it goes into every generated file's header)"
category = "{category}"
image = "{name}"                 # a bare name: <images.registry>/{name}:<image_tag>
image_tag = "0.1.0"              # the immutable tag CI pushes for it; bump it to promote

[[ports]]
name = "http"
port = 8080

[health]                         # readiness and liveness: http, grpc, exec or tcp
http = {{ port = "http", path = "/healthz" }}

[resources]
cpu = {{ request = "100m", limit = "500m" }}
memory = {{ request = "128Mi", limit = "128Mi" }}

# [[depends_on]]                 # an edge of the dependency graph
# service = "…"
# port = "…"
# env = "…_ADDR"                 # receives the address in the ConfigMap
"#
    )
}
