//! File-system operations confined to the output directory: nothing is
//! read, written or deleted through a symbolic link. A path is walked from
//! the output root one component at a time with `symlink_metadata`; a
//! directory component that is a link is refused, a link where a generated
//! file belongs is replaced (the link itself, never its target), and files
//! are replaced through a temporary file in the same directory and a rename.

use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, bail};

/// Suffix of the temporary files a write goes through; any left behind by
/// an interrupted render is removed by the next and reported by `check`.
pub const TMP_SUFFIX: &str = ".platformc-tmp";

/// A relative path with no `..`, root or prefix, no empty or hidden
/// component: it cannot leave the output directory.
pub fn is_safe_relative(p: &str) -> bool {
    !p.is_empty()
        && Path::new(p).components().all(|c| match c {
            Component::Normal(s) => s.to_str().is_some_and(|s| !s.starts_with('.')),
            _ => false,
        })
}

/// What occupies a path, seen without following a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Missing,
    /// A regular file, and whether any of its execute bits is set.
    File {
        executable: bool,
    },
    Dir,
    Symlink,
    /// A socket, a FIFO, a device.
    Other,
}

pub fn entry(path: &Path) -> io::Result<Entry> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Ok(Entry::Symlink),
        Ok(m) if m.is_dir() => Ok(Entry::Dir),
        Ok(m) if m.is_file() => Ok(Entry::File {
            executable: executable(&m),
        }),
        Ok(_) => Ok(Entry::Other),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Entry::Missing),
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn executable(m: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn executable(_: &fs::Metadata) -> bool {
    false
}

/// The first directory between `out` and `rel`'s file that is not a real
/// directory (a link, a file), if any: writing there would leave `out`.
pub fn blocked_ancestor(out: &Path, rel: &str) -> io::Result<Option<(String, Entry)>> {
    let mut dir = PathBuf::new();
    let parent = Path::new(rel).parent().unwrap_or(Path::new(""));
    for c in parent.components() {
        dir.push(c);
        match entry(&out.join(&dir))? {
            Entry::Dir | Entry::Missing => {}
            other => return Ok(Some((dir.to_string_lossy().into_owned(), other))),
        }
    }
    Ok(None)
}

/// Refuses `out` itself when it is a link or not a directory.
pub fn check_root(out: &Path) -> Result<()> {
    match entry(out).with_context(|| format!("cannot inspect {}", out.display()))? {
        Entry::Dir | Entry::Missing => Ok(()),
        Entry::Symlink => bail!(
            "{} is a symbolic link; platformc never writes through links: pass the real directory with --out",
            out.display()
        ),
        _ => bail!(
            "{} is not a directory; remove it or pass another directory with --out",
            out.display()
        ),
    }
}

/// Creates the directories of `rel` under `out`, refusing any that is a
/// link or a file.
pub fn ensure_parent(out: &Path, rel: &str) -> Result<()> {
    if let Some((dir, what)) = blocked_ancestor(out, rel)? {
        bail!(
            "{dir} in the output directory is {}, where platformc writes a directory; it never writes through links: remove it and render again",
            describe(&what)
        );
    }
    if let Some(parent) = out.join(rel).parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    Ok(())
}

/// "a symbolic link", "a file"…, for messages.
pub fn describe(e: &Entry) -> &'static str {
    match e {
        Entry::Missing => "missing",
        Entry::File { .. } => "a file",
        Entry::Dir => "a directory",
        Entry::Symlink => "a symbolic link",
        Entry::Other => "a special file",
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `content` at `out/rel` through a uniquely named temporary file in
/// the same directory and a rename, which replaces a file or a link in
/// place and never follows one. The file is created readable, not
/// executable (mode 0644 under a usual umask).
pub fn replace(out: &Path, rel: &str, content: &[u8]) -> Result<()> {
    let full = out.join(rel);
    let dir = full.parent().unwrap_or(out);
    let name = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.{}-{n}{TMP_SUFFIX}", std::process::id()));
    let result = (|| -> io::Result<()> {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(content)?;
        drop(f);
        fs::rename(&tmp, &full)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", full.display()));
    }
    Ok(())
}

/// Clears the execute bits of a generated file.
#[cfg(unix)]
pub fn make_not_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::symlink_metadata(path)?.permissions().mode() & !0o111;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot change the mode of {}", path.display()))
}

#[cfg(not(unix))]
pub fn make_not_executable(_: &Path) -> Result<()> {
    Ok(())
}

/// Every entry under `out`, relative and `/`-separated, walked without
/// following links; directories are listed and descended into, links and
/// files listed. Sorted.
pub fn walk(out: &Path) -> Result<Vec<(String, Entry)>> {
    fn go(out: &Path, rel: &Path, acc: &mut Vec<(String, Entry)>) -> Result<()> {
        let dir = out.join(rel);
        let entries =
            fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?;
        for e in entries {
            let e = e.with_context(|| format!("cannot read {}", dir.display()))?;
            let path = rel.join(e.file_name());
            let kind = entry(&out.join(&path))?;
            let name = path.to_string_lossy().replace('\\', "/");
            if kind == Entry::Dir {
                go(out, &path, acc)?;
            }
            acc.push((name, kind));
        }
        Ok(())
    }
    let mut acc = Vec::new();
    if entry(out)? == Entry::Dir {
        go(out, Path::new(""), &mut acc)?;
    }
    acc.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(acc)
}

/// Removes the emptied directories between a removed file and `out`; a
/// link is never removed or followed.
pub fn remove_empty_parents(out: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == out || !d.starts_with(out) || entry(d).ok() != Some(Entry::Dir) {
            break;
        }
        if fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
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
        assert!(!is_safe_relative("a/.hidden"));
        assert!(!is_safe_relative(""));
    }
}
