//! Atomic output: every file deepgm writes goes to a temporary file in the destination's
//! directory first and is renamed into place only when complete, so an interrupted or failed
//! write never leaves a truncated file and never destroys an existing one.
//!
//! The file gets the permissions an ordinary `File::create` would give it: a new file is created
//! with mode 0666 less the process's umask (0644 under the usual umask 022), and a file replaced in
//! place keeps the mode it had.

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `path` atomically: `fill` receives a buffered writer to a temporary file in the same
/// directory; on success the file is flushed, synced and renamed over `path`. On any error the
/// temporary file is removed and `path` is left untouched. A new file's mode is 0666 less the
/// umask; an existing file's mode is kept.
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
    let mut builder = tempfile::Builder::new();
    builder.prefix(".deepgm-").suffix(".partial");
    // tempfile creates its files private (0600); ask for what `File::create` would use instead.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let temp = builder.tempfile_in(dir).map_err(|e| {
        let message = format!("cannot create a file in {}: {e}", dir.display());
        Error::io(path, std::io::Error::new(e.kind(), message))
    })?;
    let mut writer = BufWriter::new(temp);
    fill(&mut writer)?;
    let temp = writer
        .into_inner()
        .map_err(|e| Error::io(path, e.into_error()))?;
    if let Ok(existing) = std::fs::metadata(path) {
        if existing.is_file() {
            temp.as_file()
                .set_permissions(existing.permissions())
                .map_err(|e| Error::io(path, e))?;
        }
    }
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

    #[cfg(unix)]
    fn mode_of(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    /// The process's umask, read through a file created the ordinary way.
    #[cfg(unix)]
    fn ordinary_create_mode(dir: &Path) -> u32 {
        let probe = dir.join("probe");
        std::fs::File::create(&probe).unwrap();
        let mode = mode_of(&probe);
        std::fs::remove_file(probe).unwrap();
        mode
    }

    #[cfg(unix)]
    #[test]
    fn new_file_gets_the_mode_of_an_ordinary_create() {
        let dir = tempfile::tempdir().unwrap();
        let expected = ordinary_create_mode(dir.path());
        // Under the usual umask 022 this is 0644, where tempfile's own default would be 0600.
        let path = dir.path().join("report.html");
        write_bytes_atomic(&path, b"<p>").unwrap();
        assert_eq!(mode_of(&path), expected);
    }

    #[cfg(unix)]
    #[test]
    fn replaced_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.safetensors");
        std::fs::write(&path, b"old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_bytes_atomic(&path, b"new").unwrap();
        assert_eq!(mode_of(&path), 0o640);
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
    }

    #[test]
    fn missing_directory_is_an_error_naming_the_path() {
        let err = write_bytes_atomic(Path::new("/nonexistent-dir/x/out.png"), b"x").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Io, "{err}");
        assert!(err.to_string().contains("out.png"), "{err}");
    }
}
