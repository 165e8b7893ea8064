//! Output files written whole or not at all, naming themselves in errors.
//!
//! A run that stops half way (disk full, a failure, a kill) must not leave
//! a truncated `records.jsonl` or export table that looks whole: an
//! [`OutputFile`] writes to a temporary file beside its path and renames
//! it into place on [`OutputFile::commit`]; dropped uncommitted, the
//! temporary file is removed and the path keeps what it held before. A
//! path that is no regular file (`/dev/stdout`, a pipe) is written
//! directly. Every error names the path and keeps its kind.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A file being written; in place only once committed.
pub struct OutputFile {
    path: PathBuf,
    inner: Inner,
}

enum Inner {
    Temp(BufWriter<NamedTempFile>),
    Direct(BufWriter<File>),
}

/// `e` with the path it happened on: `cannot write PATH: e` (`verb`
/// changes the first word), its kind kept.
pub fn named(verb: &str, path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("cannot {verb} {}: {e}", path.display()))
}

/// A tempfile error as the OS said it, without the temporary file's name
/// tempfile appends (`… at path "/dir/.shenbao-XXXX"`): the user named
/// another path.
fn without_temp_path(e: std::io::Error) -> std::io::Error {
    let text = e.to_string();
    match text.split_once(" at path ") {
        Some((said, _)) => std::io::Error::new(e.kind(), said.to_string()),
        None => e,
    }
}

impl OutputFile {
    /// Starts writing `path`: a temporary file in its folder, or the path
    /// itself when it exists and is not a regular file.
    pub fn create(path: &Path) -> std::io::Result<OutputFile> {
        let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file());
        let inner = if special {
            let f = File::create(path).map_err(|e| named("create", path, e))?;
            Inner::Direct(BufWriter::new(f))
        } else {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            // made as File::create makes a file (0666 less the umask), not
            // tempfile's owner-only 0600: the output is for others to read
            use std::os::unix::fs::PermissionsExt;
            let t = tempfile::Builder::new()
                .prefix(".shenbao-")
                .permissions(std::fs::Permissions::from_mode(0o666))
                .tempfile_in(dir)
                .map_err(|e| named("create", path, without_temp_path(e)))?;
            Inner::Temp(BufWriter::new(t))
        };
        Ok(OutputFile {
            path: path.to_path_buf(),
            inner,
        })
    }

    /// The path being written (where the file goes on commit).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes and puts the file in place (replacing what was there).
    pub fn commit(self) -> std::io::Result<()> {
        let path = self.path;
        match self.inner {
            Inner::Direct(mut w) => w.flush().map_err(|e| named("write", &path, e)),
            Inner::Temp(w) => {
                let t = w
                    .into_inner()
                    .map_err(|e| named("write", &path, e.into_error()))?;
                t.as_file()
                    .sync_all()
                    .map_err(|e| named("write", &path, e))?;
                t.persist(&path)
                    .map(drop)
                    .map_err(|e| named("write", &path, e.error))
            }
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = match &mut self.inner {
            Inner::Temp(w) => w.write(buf),
            Inner::Direct(w) => w.write(buf),
        };
        r.map_err(|e| named("write", &self.path, e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = match &mut self.inner {
            Inner::Temp(w) => w.flush(),
            Inner::Direct(w) => w.flush(),
        };
        r.map_err(|e| named("write", &self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_uncommitted_file_leaves_the_path_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("records.jsonl");
        std::fs::write(&p, "old\n").unwrap();
        let mut f = OutputFile::create(&p).unwrap();
        f.write_all(b"half a reco").unwrap();
        drop(f);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old\n");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left");
        let mut f = OutputFile::create(&p).unwrap();
        f.write_all(b"new\n").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new\n");
    }

    #[test]
    fn a_committed_file_has_the_mode_file_create_gives() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        File::create(&plain).unwrap();
        let p = dir.path().join("out.csv");
        let f = OutputFile::create(&p).unwrap();
        f.commit().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&p), mode(&plain));
    }

    #[test]
    fn a_full_device_is_named_in_the_error() {
        let mut f = OutputFile::create(Path::new("/dev/full")).unwrap();
        let e = f
            .write_all(&vec![b'x'; 1 << 20])
            .and_then(|_| f.flush())
            .unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::StorageFull);
        assert!(e.to_string().starts_with("cannot write /dev/full: "), "{e}");
    }
}
