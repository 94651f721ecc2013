//! What platformc generated before: the files the checksum file lists, and,
//! after an interrupted render, those of its pending record too. A file is
//! taken for generated only when it is still byte for byte what a record
//! says was written there, so a crafted line cannot make a render delete a
//! file it did not write.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use super::fs::{Entry, blocked_ancestor, entry, is_safe_relative};
use crate::layout::{CHECKSUMS, PENDING};
use crate::render::Tree;

/// Hex SHA-256 of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(64);
    for b in Sha256::digest(bytes) {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// `sha256sum` lines for a set of files.
pub fn checksum_lines<'a>(files: impl IntoIterator<Item = (&'a String, String)>) -> String {
    let mut text = String::new();
    for (path, hash) in files {
        text.push_str(&hash);
        text.push_str("  ");
        text.push_str(path);
        text.push('\n');
    }
    text
}

/// Paths a previous render wrote, each with the digests it may hold.
#[derive(Debug, Default)]
pub struct Generated {
    pub files: BTreeMap<String, BTreeSet<String>>,
    /// Whether a render was interrupted (its pending record remains).
    pub interrupted: bool,
}

impl Generated {
    pub fn read(out: &Path) -> Result<Generated> {
        let mut g = Generated::default();
        g.add(out, CHECKSUMS)?;
        g.interrupted = g.add(out, PENDING)?;
        Ok(g)
    }

    /// Adds the lines of a record; false when it does not exist.
    fn add(&mut self, out: &Path, name: &str) -> Result<bool> {
        let path = out.join(name);
        if !matches!(entry(&path)?, Entry::File { .. }) {
            return Ok(false);
        }
        let text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        for line in text.lines() {
            let Some((hash, file)) = line.split_once("  ") else {
                continue;
            };
            if is_safe_relative(file) && file != CHECKSUMS && hash.len() == 64 {
                self.files
                    .entry(file.to_string())
                    .or_default()
                    .insert(hash.to_string());
            }
        }
        Ok(true)
    }

    /// Whether `out/path` is a regular file, reached without a link,
    /// holding what a render wrote.
    pub fn unchanged_since_written(&self, out: &Path, path: &str) -> bool {
        let Some(hashes) = self.files.get(path) else {
            return false;
        };
        if !matches!(blocked_ancestor(out, path), Ok(None))
            || !matches!(entry(&out.join(path)), Ok(Entry::File { .. }))
        {
            return false;
        }
        fs::read(out.join(path)).is_ok_and(|bytes| hashes.contains(&digest(&bytes)))
    }

    /// The pending record of a render that brings the tree from these files
    /// to `tree`: both sets of files and digests.
    pub fn pending_with(&self, tree: &Tree) -> String {
        let mut lines: BTreeSet<(String, String)> = BTreeSet::new();
        for (path, hashes) in &self.files {
            for h in hashes {
                lines.insert((path.clone(), h.clone()));
            }
        }
        for (path, content) in tree {
            if path != CHECKSUMS {
                lines.insert((path.clone(), digest(content.as_bytes())));
            }
        }
        checksum_lines(lines.iter().map(|(p, h)| (p, h.clone())))
    }
}
