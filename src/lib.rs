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
use std::time::{Duration, Instant};

use anyhow::Result;

pub use render::Tree;

/// Loads and checks the sources: the model, or every diagnostic.
pub fn load_checked(root: &Path) -> Result<load::Loaded> {
    let (loaded, mut diags) = load::load(root);
    if let Some(loaded) = &loaded {
        check::check(loaded, &mut diags);
    }
    diags.into_result()?;
    loaded.ok_or_else(|| {
        anyhow::anyhow!("platform.toml could not be loaded; fix the errors above and run again")
    })
}

/// Runs every stage up to and including verification: the complete output
/// tree, checksum file included, in memory. Nothing is written.
pub fn compile(root: &Path) -> Result<Tree> {
    compile_timed(root, &mut |_, _| {})
}

/// [`compile`], telling `on_stage` how long each stage took.
pub fn compile_timed(
    root: &Path,
    on_stage: &mut dyn FnMut(&'static str, Duration),
) -> Result<Tree> {
    let mut clock = Instant::now();
    let mut lap = |stage, on_stage: &mut dyn FnMut(&'static str, Duration)| {
        on_stage(stage, clock.elapsed());
        clock = Instant::now();
    };
    let loaded = load_checked(root)?;
    lap("load and check", on_stage);
    let plan = plan::plan(&loaded);
    lap("plan", on_stage);
    // The plan and the sources are dropped before verification, which is
    // the stage with the most transient memory.
    let tree = render::render(plan)?;
    drop(loaded);
    lap("render", on_stage);
    verify::verify(&tree)?;
    lap("verify", on_stage);
    Ok(output::with_checksums(tree))
}
