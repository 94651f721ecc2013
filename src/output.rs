//! Stage 6, write or diff: the only stage that touches `output/`.
//!
//! The tree arrives complete and verified. `write` replaces only files whose
//! content changed (through a temporary file and a rename), deletes files it
//! generated before and no longer generates (it knows them from the checksum
//! file), never touches any other file, and writes the checksum file last.
//! `diff` compares without writing.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use crate::layout::CHECKSUMS;
use crate::render::Tree;

/// Adds the checksum file listing every other file of the tree.
pub fn with_checksums(mut tree: Tree) -> Tree {
    tree.remove(CHECKSUMS);
    let mut sums = String::new();
    for (path, content) in &tree {
        let digest = Sha256::digest(content.as_bytes());
        for b in digest {
            sums.push_str(&format!("{b:02x}"));
        }
        sums.push_str("  ");
        sums.push_str(path);
        sums.push('\n');
    }
    tree.insert(CHECKSUMS.to_string(), sums);
    tree
}

/// Paths listed in an existing checksum file: what a previous render wrote.
fn previously_generated(out: &Path) -> BTreeSet<String> {
    let Ok(text) = fs::read_to_string(out.join(CHECKSUMS)) else {
        return BTreeSet::new();
    };
    text.lines()
        .filter_map(|l| l.split_once("  ").map(|(_, p)| p.to_string()))
        .filter(|p| is_safe_relative(p))
        .collect()
}

/// A relative path with no `..`, root or prefix: it cannot leave `output/`.
fn is_safe_relative(p: &str) -> bool {
    !p.is_empty()
        && Path::new(p)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

#[derive(Debug, Default)]
pub struct WriteReport {
    pub written: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

impl fmt::Display for WriteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.written {
            writeln!(f, "  wrote   {p}")?;
        }
        for p in &self.removed {
            writeln!(f, "  removed {p}")?;
        }
        write!(
            f,
            "{} written, {} removed, {} unchanged",
            self.written.len(),
            self.removed.len(),
            self.unchanged
        )
    }
}

/// Brings `out` to `tree`, touching only what changed.
pub fn write(out: &Path, tree: &Tree) -> Result<WriteReport> {
    let old = previously_generated(out);
    let mut report = WriteReport::default();
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;

    let files: Vec<(&String, &String)> = tree
        .iter()
        .filter(|(p, _)| p.as_str() != CHECKSUMS)
        .collect();
    // Directories first, once each, so the parallel writers never race on them.
    let dirs: BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|(p, _)| out.join(p).parent().map(Path::to_path_buf))
        .collect();
    for dir in dirs.iter().filter(|d| !d.is_dir()) {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let results = crate::parallel::map(&files, |(path, content)| {
        write_if_changed(out, path, content)
    });
    for ((path, _), changed) in files.iter().zip(results) {
        if changed? {
            report.written.push((*path).clone());
        } else {
            report.unchanged += 1;
        }
    }
    for path in old.iter().filter(|p| !tree.contains_key(*p)) {
        let full = out.join(path);
        match fs::remove_file(&full) {
            Ok(()) => {
                report.removed.push(path.clone());
                remove_empty_parents(out, &full);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot remove {}", full.display())),
        }
    }
    if let Some(sums) = tree.get(CHECKSUMS)
        && write_if_changed(out, CHECKSUMS, sums)?
    {
        report.written.push(CHECKSUMS.to_string());
    }
    Ok(report)
}

/// Writes `content` at `rel` unless the file already holds it. An existing
/// file is replaced atomically (temporary file, then rename); a new one is
/// created in place, since no reader can see a half-replaced version of it.
fn write_if_changed(out: &Path, rel: &str, content: &str) -> Result<bool> {
    let full = out.join(rel);
    match fs::read(&full) {
        Ok(existing) if existing == content.as_bytes() => return Ok(false),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&full)
                .with_context(|| format!("cannot create {}", full.display()))?;
            if let Err(e) = file.write_all(content.as_bytes()) {
                drop(file);
                let _ = fs::remove_file(&full);
                return Err(e).with_context(|| format!("cannot write {}", full.display()));
            }
            return Ok(true);
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", full.display())),
    }
    let dir = full.parent().unwrap_or(out);
    let name = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.platformc-tmp"));
    let result = (|| -> io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(content.as_bytes())?;
        drop(f);
        fs::rename(&tmp, &full)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", full.display()));
    }
    Ok(true)
}

fn remove_empty_parents(out: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == out || !d.starts_with(out) || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// How the committed tree differs from what the sources compile to.
#[derive(Debug, Default)]
pub struct Drift {
    /// Generated but missing on disk.
    pub added: Vec<String>,
    /// On disk from an earlier render, no longer generated.
    pub removed: Vec<String>,
    /// Path and unified diff (committed → expected).
    pub changed: Vec<(String, String)>,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (path, diff) in &self.changed {
            writeln!(f, "changed: {path}")?;
            writeln!(f, "{diff}")?;
        }
        for p in &self.added {
            writeln!(f, "missing (would be added): {p}")?;
        }
        for p in &self.removed {
            writeln!(f, "stale (would be removed): {p}")?;
        }
        write!(
            f,
            "{} changed, {} missing, {} stale",
            self.changed.len(),
            self.added.len(),
            self.removed.len()
        )
    }
}

/// Compares `out` with `tree` without writing anything.
pub fn diff(out: &Path, tree: &Tree) -> Result<Drift> {
    let mut drift = Drift::default();
    for (path, expected) in tree {
        let full = out.join(path);
        match fs::read(&full) {
            Ok(bytes) if bytes == expected.as_bytes() => {}
            Ok(bytes) => {
                let actual = String::from_utf8_lossy(&bytes);
                let text = similar::TextDiff::from_lines(actual.as_ref(), expected.as_str())
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("a/{path} (committed)"),
                        &format!("b/{path} (from sources)"),
                    )
                    .to_string();
                drift.changed.push((path.clone(), text));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => drift.added.push(path.clone()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", full.display())),
        }
    }
    for path in previously_generated(out) {
        if !tree.contains_key(&path) && out.join(&path).exists() {
            drift.removed.push(path);
        }
    }
    Ok(drift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_paths_cannot_escape() {
        assert!(is_safe_relative("base/namespace.yaml"));
        assert!(!is_safe_relative("../etc/passwd"));
        assert!(!is_safe_relative("/etc/passwd"));
        assert!(!is_safe_relative("a/../../b"));
    }

    #[test]
    fn checksums_are_in_sha256sum_format() {
        let mut t = Tree::new();
        t.insert("a.yaml".into(), "x\n".into());
        let t = with_checksums(t);
        let sums = &t[CHECKSUMS];
        assert!(sums.ends_with("  a.yaml\n"));
        assert_eq!(sums.split("  ").next().unwrap().len(), 64);
    }
}
