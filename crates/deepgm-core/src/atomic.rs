//! Atomic output: every file deepgm writes goes to a temporary file in the destination's
//! directory first and is renamed into place only when complete, so an interrupted or failed
//! write never leaves a truncated file and never destroys an existing one.

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `path` atomically: `fill` receives a buffered writer to a temporary file in the same
/// directory; on success the file is flushed, synced and renamed over `path`. On any error the
/// temporary file is removed and `path` is left untouched.
///
/// # Errors
/// [`Error::Io`] naming `path` when the directory is not writable or writing fails; any error
/// returned by `fill`.
pub fn write_atomic<F>(path: &Path, fill: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> Result<()>,
{
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(".deepgm-")
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(|e| {
            let message = format!("cannot create a file in {}: {e}", dir.display());
            Error::io(path, std::io::Error::new(e.kind(), message))
        })?;
    let mut writer = BufWriter::new(temp);
    fill(&mut writer)?;
    let temp = writer
        .into_inner()
        .map_err(|e| Error::io(path, e.into_error()))?;
    temp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    temp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Writes `bytes` to `path` atomically (see [`write_atomic`]).
///
/// # Errors
/// As [`write_atomic`].
pub fn write_bytes_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, |w| w.write_all(bytes).map_err(|e| Error::io(path, e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_keeps_old_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_bytes_atomic(&path, b"old").unwrap();
        let result = write_atomic(&path, |w| {
            w.write_all(b"partial").unwrap();
            Err(Error::invalid("test", "fails on purpose"))
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(entries.len(), 1, "temporary file left behind");
    }

    #[test]
    fn missing_directory_is_an_error_naming_the_path() {
        let err = write_bytes_atomic(Path::new("/nonexistent-dir/x/out.png"), b"x").unwrap_err();
        assert!(err.to_string().contains("out.png"), "{err}");
    }
}
