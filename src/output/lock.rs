//! One writer at a time: `render` holds an exclusive lock on the output
//! directory (an advisory `flock` on the directory itself, so no lock file
//! is left in the tree), `check` a shared one, so it never reads a tree
//! being written. A second render waits for the first.

use std::fs::{File, TryLockError};
use std::path::Path;

use anyhow::{Context, Result};

/// Held for the duration of a run; released when dropped.
pub struct Lock {
    _dir: File,
}

impl Lock {
    /// The exclusive lock of a writer; waits for other runs to finish.
    pub fn exclusive(out: &Path) -> Result<Lock> {
        let dir = open(out)?;
        match dir.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                eprintln!(
                    "waiting for another platformc run on {} to finish…",
                    out.display()
                );
                dir.lock()
                    .with_context(|| format!("cannot lock {}", out.display()))?;
            }
            Err(TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", out.display()));
            }
        }
        Ok(Lock { _dir: dir })
    }

    /// The shared lock of a reader; None when there is no directory yet.
    pub fn shared(out: &Path) -> Result<Option<Lock>> {
        if !out.is_dir() {
            return Ok(None);
        }
        let dir = open(out)?;
        dir.lock_shared()
            .with_context(|| format!("cannot lock {}", out.display()))?;
        Ok(Some(Lock { _dir: dir }))
    }
}

fn open(out: &Path) -> Result<File> {
    File::open(out).with_context(|| format!("cannot open {}", out.display()))
}
