//! platformc compiles a typed platform description (`platform.toml` and one
//! `services/<name>.toml` per service) into a deterministic tree of plain
//! Kubernetes YAML.
//!
//! The pipeline runs one way, a module per stage:
//! [`load`] → [`check`] → [`plan`] → [`render`] → [`verify`] → [`output`].
//! Its data: [`model`] (the sources), [`ir`] (what the plan decided); every
//! stage names files through [`layout`]. See ARCHITECTURE.md.

pub mod check;
pub mod cli;
pub mod diag;
pub mod ir;
pub mod layout;
pub mod load;
pub mod model;
pub mod names;
pub mod output;
mod parallel;
pub mod plan;
pub mod quantity;
pub mod render;
pub mod schedule;
pub mod verify;

use std::path::Path;

use anyhow::Result;

pub use render::Tree;

/// Runs every stage up to and including verification: the complete output
/// tree, checksum file included, in memory. Nothing is written.
pub fn compile(root: &Path) -> Result<Tree> {
    let (loaded, mut diags) = load::load(root);
    if let Some(loaded) = &loaded {
        check::check(loaded, &mut diags);
    }
    diags.into_result()?;
    let Some(loaded) = loaded else {
        anyhow::bail!("platform.toml could not be loaded; fix the errors above and run again");
    };
    // The plan and the sources are dropped before verification, which is
    // the stage with the most transient memory.
    let tree = render::render(plan::plan(&loaded))?;
    drop(loaded);
    verify::verify(&tree)?;
    Ok(output::with_checksums(tree))
}
