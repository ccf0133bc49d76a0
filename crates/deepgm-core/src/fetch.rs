//! Downloading datasets: each file from the first mirror that serves a verified copy, written
//! through a temporary file renamed into place, skipping files already present and valid.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::atomic::write_bytes_atomic;
use crate::error::{Error, Result};
use crate::idx::maybe_gunzip;

/// One file to download and how to recognise a good copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFile {
    /// File name, both on the mirror and on disk (e.g. `train-images-idx3-ubyte.gz`).
    pub name: String,
    /// Lower-case hex SHA-256 of the file's content after gzip decompression (so a recompressed
    /// copy of the same data is still accepted).
    pub sha256: String,
}

/// What [`fetch`] did with one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum FetchOutcome {
    /// The file was already present and its checksum matched; nothing was downloaded.
    AlreadyValid {
        /// Where it is.
        #[serde(rename = "file")]
        path: PathBuf,
    },
    /// The file was downloaded and verified.
    Downloaded {
        /// Where it now is.
        #[serde(rename = "file")]
        path: PathBuf,
        /// The base URL that served it.
        mirror: String,
        /// Its size in bytes as downloaded.
        bytes: u64,
    },
}

/// Public mirrors of MNIST, tried in order.
pub const MNIST_MIRRORS: [&str; 2] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
];

/// The four MNIST files with the SHA-256 of their decompressed IDX content.
pub fn mnist_files() -> Vec<RemoteFile> {
    [
        (
            "train-images-idx3-ubyte.gz",
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        ),
        (
            "train-labels-idx1-ubyte.gz",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        ),
        (
            "t10k-images-idx3-ubyte.gz",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        ),
        (
            "t10k-labels-idx1-ubyte.gz",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        ),
    ]
    .into_iter()
    .map(|(name, sha256)| RemoteFile {
        name: name.to_string(),
        sha256: sha256.to_string(),
    })
    .collect()
}

/// Largest file [`fetch`] will download (256 MiB).
pub const MAX_DOWNLOAD_BYTES: u64 = 256 << 20;

/// Lower-case hex SHA-256 of `bytes` after gzip decompression (raw bytes when not gzip).
///
/// # Errors
/// [`Error::Format`] naming `path` when the gzip stream is corrupt.
pub fn content_sha256(bytes: &[u8], path: &Path) -> Result<String> {
    let content = maybe_gunzip(bytes.to_vec(), path)?;
    Ok(hex(&Sha256::digest(&content)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Downloads each of `files` into `dir` (created if needed) from the first of `mirrors` (base
/// URLs ending in `/`) that serves a copy with the right checksum. Files already present with the
/// right checksum are skipped. `progress` is called with each file's name before it is fetched.
///
/// Nothing partial is ever left in `dir`: a download is verified in memory and written through a
/// temporary file renamed into place.
///
/// # Errors
/// [`Error::Io`] when `dir` cannot be created or written; [`Error::Network`] when no mirror
/// serves a valid copy of some file, listing what each mirror did. Files fetched before the
/// failure stay (they are complete and verified); directories this call created are removed
/// again when nothing was fetched into them.
pub fn fetch(
    dir: &Path,
    mirrors: &[&str],
    files: &[RemoteFile],
    timeout: Duration,
    mut progress: impl FnMut(&str),
) -> Result<Vec<FetchOutcome>> {
    // The directories this call creates, deepest first, so a failed first fetch leaves none behind.
    let created: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
        .map(Path::to_path_buf)
        .collect();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let result = fetch_into(dir, mirrors, files, timeout, &mut progress);
    if result.is_err() {
        for d in &created {
            // Only empty directories go; anything a user put there meanwhile stays.
            if std::fs::remove_dir(d).is_err() {
                break;
            }
        }
    }
    result
}

fn fetch_into(
    dir: &Path,
    mirrors: &[&str],
    files: &[RemoteFile],
    timeout: Duration,
    progress: &mut impl FnMut(&str),
) -> Result<Vec<FetchOutcome>> {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(timeout)
        .timeout_read(timeout)
        .build();
    let mut outcomes = Vec::with_capacity(files.len());
    for file in files {
        let path = dir.join(&file.name);
        if let Ok(existing) = std::fs::read(&path) {
            if content_sha256(&existing, &path).ok().as_deref() == Some(file.sha256.as_str()) {
                outcomes.push(FetchOutcome::AlreadyValid { path });
                continue;
            }
        }
        progress(&file.name);
        let mut failures = Vec::new();
        let mut done = None;
        for mirror in mirrors {
            let url = format!("{mirror}{}", file.name);
            match download(&agent, &url) {
                Ok(bytes) => match content_sha256(&bytes, &path) {
                    Ok(sum) if sum == file.sha256 => {
                        write_bytes_atomic(&path, &bytes)?;
                        done = Some(FetchOutcome::Downloaded {
                            path: path.clone(),
                            mirror: mirror.to_string(),
                            bytes: bytes.len() as u64,
                        });
                        break;
                    }
                    Ok(sum) => failures.push(format!(
                        "{url}: checksum mismatch (SHA-256 {sum}, expected {})",
                        file.sha256
                    )),
                    Err(e) => failures.push(format!("{url}: {e}")),
                },
                Err(message) => failures.push(format!("{url}: {message}")),
            }
        }
        match done {
            Some(outcome) => outcomes.push(outcome),
            None => {
                return Err(Error::Network {
                    message: format!(
                        "no mirror served a valid {}: {}",
                        file.name,
                        failures.join("; ")
                    ),
                })
            }
        }
    }
    Ok(outcomes)
}

/// Downloads `url`; the error text does not repeat the URL (the caller names it).
fn download(agent: &ureq::Agent, url: &str) -> std::result::Result<Vec<u8>, String> {
    let response = agent.get(url).call().map_err(|e| match e {
        ureq::Error::Status(code, response) => {
            format!("HTTP status {code} {}", response.status_text())
        }
        ureq::Error::Transport(transport) => match transport.message() {
            Some(message) => format!("{}: {message}", transport.kind()),
            None => transport.kind().to_string(),
        },
    })?;
    let mut bytes = Vec::new();
    response
        .into_reader()
        .take(MAX_DOWNLOAD_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("connection failed mid-download: {e}"))?;
    if bytes.len() as u64 > MAX_DOWNLOAD_BYTES {
        return Err(format!("larger than {MAX_DOWNLOAD_BYTES} bytes"));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_fetch_leaves_no_directory_and_names_each_url_once() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data").join("mnist");
        // Nothing listens on port 1 of the loopback address: the connection is refused at once.
        let mirror = "http://127.0.0.1:1/";
        let err = fetch(
            &dir,
            &[mirror],
            &mnist_files()[..1],
            Duration::from_secs(2),
            |_| {},
        )
        .unwrap_err();
        assert!(matches!(err, Error::Network { .. }), "{err}");
        let text = err.to_string();
        let url = format!("{mirror}{}", mnist_files()[0].name);
        assert_eq!(text.matches(&url).count(), 1, "{text}");
        assert!(
            !root.path().join("data").exists(),
            "created directories left behind"
        );
    }
}
