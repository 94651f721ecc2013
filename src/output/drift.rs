//! How the output directory differs from what the sources compile to: every
//! difference, as drift with its path, never an I/O abort. Changed files
//! (with a unified diff), missing ones, stale ones (generated before, no
//! longer), foreign ones (never generated: output/ belongs to platformc),
//! links or directories where a file belongs, execute bits, and what an
//! interrupted render left.

use std::fmt;
use std::path::Path;

use anyhow::Result;

use super::fs::{self, Entry, TMP_SUFFIX, describe, entry};
use super::generated::Generated;
use super::lock::Lock;
use crate::layout::{CHECKSUMS, PENDING, is_bootstrap_owned};
use crate::render::Tree;

#[derive(Debug, Default)]
pub struct Drift {
    /// Path and unified diff (on disk → from the sources).
    pub changed: Vec<(String, String)>,
    /// Generated but missing on disk.
    pub added: Vec<String>,
    /// On disk from an earlier render, no longer generated.
    pub removed: Vec<String>,
    /// On disk, never generated.
    pub foreign: Vec<String>,
    /// Path and what stands where a generated file (or its directory)
    /// belongs: a symbolic link, a directory, an unreadable file.
    pub misplaced: Vec<(String, String)>,
    /// Generated files with an execute bit.
    pub modes: Vec<String>,
    /// Temporary files and the pending record of an interrupted render.
    pub leftovers: Vec<String>,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.foreign.is_empty()
            && self.misplaced.is_empty()
            && self.modes.is_empty()
            && self.leftovers.is_empty()
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The checksum file changes with every other change: its diff says
        // nothing new, so it is shown only when nothing else changed.
        let others = self.changed.iter().any(|(p, _)| p != CHECKSUMS);
        for (path, diff) in &self.changed {
            if path == CHECKSUMS && others {
                continue;
            }
            writeln!(f, "changed: {path}")?;
            writeln!(f, "{diff}")?;
        }
        if others && self.changed.iter().any(|(p, _)| p == CHECKSUMS) {
            writeln!(f, "changed: {CHECKSUMS} (follows from the changes above)")?;
        }
        for p in &self.added {
            writeln!(f, "missing (would be added): {p}")?;
        }
        for p in &self.removed {
            writeln!(f, "stale (would be removed): {p}")?;
        }
        for p in &self.foreign {
            writeln!(f, "foreign (not generated; remove it): {p}")?;
        }
        for (p, what) in &self.misplaced {
            writeln!(f, "not a file platformc wrote: {p} is {what}")?;
        }
        for p in &self.modes {
            writeln!(f, "mode changed (executable): {p}")?;
        }
        for p in &self.leftovers {
            writeln!(f, "left by an interrupted render: {p}")?;
        }
        write!(
            f,
            "{} changed, {} missing, {} stale, {} foreign, {} misplaced, {} modes, {} leftovers",
            self.changed.len(),
            self.added.len(),
            self.removed.len(),
            self.foreign.len(),
            self.misplaced.len(),
            self.modes.len(),
            self.leftovers.len()
        )
    }
}

/// Compares `out` with `tree` without writing anything.
pub fn diff(out: &Path, tree: &Tree) -> Result<Drift> {
    let mut drift = Drift::default();
    match entry(out)? {
        Entry::Dir => {}
        Entry::Missing => {
            drift.added = tree.keys().cloned().collect();
            return Ok(drift);
        }
        other => {
            drift
                .misplaced
                .push((out.display().to_string(), describe(&other).into()));
            return Ok(drift);
        }
    }
    let _lock = Lock::shared(out)?;
    for (path, expected) in tree {
        compare_file(out, path, expected, &mut drift)?;
    }
    drift.misplaced.dedup();
    let old = Generated::read(out)?;
    for (path, kind) in fs::walk(out)? {
        if kind == Entry::Dir || tree.contains_key(&path) || is_bootstrap_owned(&path) {
            continue;
        }
        if path.ends_with(TMP_SUFFIX) || path == PENDING {
            drift.leftovers.push(path);
        } else if old.files.contains_key(&path) {
            drift.removed.push(path);
        } else if !drift.misplaced.iter().any(|(p, _)| path.starts_with(p)) {
            drift.foreign.push(path);
        }
    }
    Ok(drift)
}

/// One generated file against what is on disk at its path.
fn compare_file(out: &Path, path: &str, expected: &str, drift: &mut Drift) -> Result<()> {
    if let Some((dir, what)) = fs::blocked_ancestor(out, path)? {
        drift.misplaced.push((dir, describe(&what).into()));
        return Ok(());
    }
    let full = out.join(path);
    match entry(&full)? {
        Entry::Missing => drift.added.push(path.to_string()),
        Entry::File { executable } => {
            match std::fs::read(&full) {
                Ok(bytes) if bytes == expected.as_bytes() => {}
                Ok(bytes) => drift
                    .changed
                    .push((path.to_string(), unified(path, &bytes, expected))),
                Err(e) => drift
                    .misplaced
                    .push((path.to_string(), format!("unreadable ({e})"))),
            }
            if executable {
                drift.modes.push(path.to_string());
            }
        }
        other => drift
            .misplaced
            .push((path.to_string(), describe(&other).into())),
    }
    Ok(())
}

fn unified(path: &str, on_disk: &[u8], expected: &str) -> String {
    let actual = String::from_utf8_lossy(on_disk);
    similar::TextDiff::from_lines(actual.as_ref(), expected)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{path} (on disk)"),
            &format!("b/{path} (from the sources)"),
        )
        .to_string()
}
