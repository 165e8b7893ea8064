//! A run's folder for temporary files, removed when the run ends, and by
//! the next run when this one was killed.
//!
//! OCR writes each page image to a temporary file for tesseract, and
//! `extract -` saves standard input. A worker killed at its time limit, or
//! a run stopped with Ctrl-C or `kill -9`, never runs the code that
//! removes them (260 MB had piled up in one user's /tmp). So every
//! temporary file of a run goes into one folder, `$TMPDIR/shenbao-run-*`
//! (this process sets `TMPDIR` to it, and its workers and tools inherit
//! it), holding a `pid` file. The folder is removed when the run ends; a
//! run that starts removes the folders of runs whose process is gone.

use std::path::{Path, PathBuf};

/// The prefix of a run folder's name.
const PREFIX: &str = "shenbao-run-";

/// A run's temporary folder (removed on drop).
pub struct RunDir {
    dir: tempfile::TempDir,
}

impl RunDir {
    /// Creates the run's folder under the temporary folder, after removing
    /// those left by runs whose process is gone.
    pub fn create() -> std::io::Result<RunDir> {
        let base = std::env::temp_dir();
        remove_stale(&base);
        let dir = tempfile::Builder::new().prefix(PREFIX).tempdir_in(&base)?;
        std::fs::write(dir.path().join("pid"), std::process::id().to_string())?;
        Ok(RunDir { dir })
    }

    /// The run's folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Removes the run folders under `base` whose `pid` names no running
/// process (or that have none, when older than an hour: one being
/// created now has none for a moment).
pub fn remove_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        if !name.to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        let dir = e.path();
        if is_stale(&dir) {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

fn is_stale(dir: &PathBuf) -> bool {
    match std::fs::read_to_string(dir.join("pid")) {
        Ok(pid) => match pid.trim().parse::<libc::pid_t>() {
            Ok(pid) => !process_exists(pid),
            Err(_) => true,
        },
        Err(_) => std::fs::metadata(dir)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600),
    }
}

fn process_exists(pid: libc::pid_t) -> bool {
    // SAFETY: kill(2) with signal 0 only checks that the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_runs_folder_is_removed_and_a_live_ones_kept() {
        let base = tempfile::tempdir().unwrap();
        let dead = base.path().join(format!("{PREFIX}dead"));
        let live = base.path().join(format!("{PREFIX}live"));
        let other = base.path().join("other");
        for d in [&dead, &live, &other] {
            std::fs::create_dir(d).unwrap();
        }
        // pid 0x7ffffff0 is above any pid_max
        std::fs::write(dead.join("pid"), "2147483632").unwrap();
        std::fs::write(live.join("pid"), std::process::id().to_string()).unwrap();
        remove_stale(base.path());
        assert!(!dead.exists());
        assert!(live.exists() && other.exists());
    }
}
