//! `platformc explain <service>`: what the compiler knows and makes of one
//! service: its file, category and wave, namespace, its edges both ways,
//! and every file generated for it (base, each environment, each engine).

use std::path::Path;

use anyhow::{Result, bail};

use crate::diag::did_you_mean;
use crate::load::Loaded;

pub fn service(root: &Path, name: &str) -> Result<()> {
    let loaded = crate::load_checked(root)?;
    let Some(svc) = loaded.services.iter().find(|s| s.name == name) else {
        bail!(
            "`{name}` is neither a diagnostic code (E0108) nor a service: {}",
            did_you_mean(
                name,
                loaded.services.iter().map(|s| s.name.as_str()),
                "the services are"
            )
        );
    };
    let f = &svc.file;
    let p = &loaded.platform;
    let wave = p
        .categories
        .iter()
        .find(|c| c.name.get_ref() == f.category.get_ref())
        .map_or(0, |c| *c.wave.get_ref());
    println!("{name}: {}", f.description);
    println!("  source:    {}", svc.source.path);
    println!(
        "  category:  {} (wave {wave}), kind {:?}",
        f.category.get_ref(),
        f.kind()
    );
    println!("  namespace: {}", p.namespace_of(f));
    print_edges(&loaded, name);
    println!("  files:");
    let plan = crate::plan::plan(&loaded);
    for file in plan
        .files
        .iter()
        .filter(|x| x.header.source == svc.source.path)
    {
        println!("    {}", file.path);
    }
    Ok(())
}

/// What the service depends on, and what depends on it.
fn print_edges(loaded: &Loaded, name: &str) {
    let svc = loaded.services.iter().find(|s| s.name == name);
    let deps: Vec<String> = svc
        .map(|s| {
            s.file
                .depends_on
                .iter()
                .map(|d| format!("{} ({})", d.service.get_ref(), port_or_order(d)))
                .collect()
        })
        .unwrap_or_default();
    let users: Vec<String> = loaded
        .services
        .iter()
        .flat_map(|s| {
            s.file
                .depends_on
                .iter()
                .filter(|d| d.service.get_ref() == name)
                .map(move |d| format!("{} ({})", s.name, port_or_order(d)))
        })
        .collect();
    let list = |v: &[String]| {
        if v.is_empty() {
            "nothing".to_string()
        } else {
            v.join(", ")
        }
    };
    println!("  depends on: {}", list(&deps));
    println!("  used by:    {}", list(&users));
}

/// The port an edge uses, or what an edge to a Job means.
fn port_or_order(d: &crate::model::Dependency) -> &str {
    d.port
        .as_ref()
        .map_or("completes first", |p| p.get_ref().as_str())
}
