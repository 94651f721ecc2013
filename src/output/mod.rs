//! Stage 6, write or diff: the only stage that touches the output directory.
//!
//! The tree arrives complete and verified. `write` takes the directory's
//! lock, removes the temporary files an interrupted render left, and, when
//! anything differs, records what it is about to do (the pending record),
//! withdraws the checksum file, replaces only the files whose content
//! changed, deletes the files it generated before and no longer generates
//! (only while they still hold what it wrote), and writes the checksum file
//! last: the checksum file, when present, always describes the tree. It never
//! follows a symbolic link and never touches a file it did not generate.
//! `diff` compares without writing and reports every difference.

use std::fmt;

use anyhow::{Context, Result, bail};

mod drift;
mod fs;
mod generated;
mod lock;

pub use drift::{Drift, diff};

use crate::layout::{CHECKSUMS, PENDING};
use crate::render::Tree;
use fs::{Entry, TMP_SUFFIX, describe, entry};
use generated::{Generated, checksum_lines, digest};
use lock::Lock;

/// Adds the checksum file listing every other file of the tree.
pub fn with_checksums(mut tree: Tree) -> Tree {
    tree.remove(CHECKSUMS);
    let sums = checksum_lines(tree.iter().map(|(p, c)| (p, digest(c.as_bytes()))));
    tree.insert(CHECKSUMS.to_string(), sums);
    tree
}

#[derive(Debug, Default)]
pub struct WriteReport {
    /// Files written, or whose mode was repaired.
    pub written: Vec<String>,
    /// Files generated before and no longer, deleted.
    pub removed: Vec<String>,
    /// Files generated before and no longer, left in place because they no
    /// longer hold what platformc wrote (edited by hand).
    pub kept: Vec<String>,
    /// Temporary files of an interrupted render, deleted.
    pub cleaned: Vec<String>,
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
        for p in &self.kept {
            writeln!(
                f,
                "  kept    {p} (no longer generated, but edited since: remove it yourself)"
            )?;
        }
        for p in &self.cleaned {
            writeln!(f, "  cleaned {p} (left by an interrupted render)")?;
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

/// What a render must do to the directory.
#[derive(Default)]
struct Work<'t> {
    write: Vec<(&'t String, &'t String)>,
    modes: Vec<&'t String>,
    stale: Vec<String>,
    checksums: bool,
}

/// Brings `out` to `tree`, touching only what changed.
pub fn write(out: &std::path::Path, tree: &Tree) -> Result<WriteReport> {
    fs::check_root(out)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let _lock = Lock::exclusive(out)?;
    let mut report = WriteReport {
        cleaned: remove_leftovers(out)?,
        ..Default::default()
    };
    let old = Generated::read(out)?;
    let work = work(out, tree, &old, &mut report)?;
    if work.write.is_empty() && work.modes.is_empty() && work.stale.is_empty() && !work.checksums {
        remove_if_file(out, PENDING)?;
        return Ok(report);
    }
    // The commit protocol: when the set of files or their digests change,
    // what is about to change is recorded first, and the checksum file
    // withdrawn until the tree matches it again. (A repair of hand edits
    // leaves it in place: it already describes the tree being restored.)
    if work.checksums {
        fs::replace(out, PENDING, old.pending_with(tree).as_bytes())?;
        remove_if_file(out, CHECKSUMS)?;
    }
    let results = crate::parallel::map(&work.write, |(path, content)| {
        fs::ensure_parent(out, path)?;
        fs::replace(out, path, content.as_bytes())
    });
    for r in results {
        r?;
    }
    for path in &work.modes {
        fs::make_not_executable(&out.join(path))?;
    }
    report
        .written
        .extend(work.write.iter().map(|(p, _)| (*p).clone()));
    report
        .written
        .extend(work.modes.iter().map(|p| (*p).clone()));
    for path in work.stale {
        let full = out.join(&path);
        std::fs::remove_file(&full).with_context(|| format!("cannot remove {}", full.display()))?;
        fs::remove_empty_parents(out, &full);
        report.removed.push(path);
    }
    if let Some(sums) = tree.get(CHECKSUMS).filter(|_| work.checksums) {
        fs::replace(out, CHECKSUMS, sums.as_bytes())?;
        report.written.push(CHECKSUMS.to_string());
    }
    remove_if_file(out, PENDING)?;
    Ok(report)
}

/// Decides, before anything is written, what changes; refuses a tree whose
/// place is taken by a link or a directory.
fn work<'t>(
    out: &std::path::Path,
    tree: &'t Tree,
    old: &Generated,
    report: &mut WriteReport,
) -> Result<Work<'t>> {
    let mut w = Work::default();
    for (path, content) in tree {
        if let Some((dir, what)) = fs::blocked_ancestor(out, path)? {
            bail!(
                "{dir} in {} is {}, where platformc writes a directory; it never writes through links: remove it and render again",
                out.display(),
                describe(&what)
            );
        }
        let full = out.join(path);
        let current = entry(&full)?;
        let same = matches!(current, Entry::File { .. })
            && std::fs::read(&full).is_ok_and(|b| b == content.as_bytes());
        match current {
            Entry::Dir | Entry::Other => bail!(
                "{path} in {} is {}, where platformc writes a file: remove it and render again",
                out.display(),
                describe(&current)
            ),
            _ if path == CHECKSUMS => w.checksums = !same,
            Entry::File { executable: true } if same => w.modes.push(path),
            _ if same => report.unchanged += 1,
            _ => w.write.push((path, content)),
        }
    }
    for path in old.files.keys().filter(|p| !tree.contains_key(*p)) {
        if old.unchanged_since_written(out, path) {
            w.stale.push(path.clone());
        } else if fs::blocked_ancestor(out, path)?.is_none()
            && entry(&out.join(path))? != Entry::Missing
        {
            report.kept.push(path.clone());
        }
    }
    Ok(w)
}

/// Deletes the temporary files an interrupted render left behind.
fn remove_leftovers(out: &std::path::Path) -> Result<Vec<String>> {
    let mut cleaned = Vec::new();
    for (path, kind) in fs::walk(out)? {
        if matches!(kind, Entry::File { .. } | Entry::Symlink) && path.ends_with(TMP_SUFFIX) {
            let full = out.join(&path);
            std::fs::remove_file(&full)
                .with_context(|| format!("cannot remove {}", full.display()))?;
            cleaned.push(path);
        }
    }
    Ok(cleaned)
}

fn remove_if_file(out: &std::path::Path, name: &str) -> Result<()> {
    let path = out.join(name);
    if entry(&path)? != Entry::Missing {
        std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
