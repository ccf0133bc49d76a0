//! The one error type shared by every deepgm library crate.

use std::path::PathBuf;

/// Result alias used across deepgm.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a deepgm library call.
///
/// Variants split into *bad input* (the caller gave a file, value or option that cannot be used:
/// [`Error::is_bad_input`] is true, and the command-line program exits with code 2) and other
/// failures (I/O trouble, the network; exit code 1).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A file exists but its content is not what was expected.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file involved.
        path: PathBuf,
        /// What was wrong, and what was expected instead.
        message: String,
    },
    /// A required input file or dataset is missing.
    #[error("{message}")]
    NotFound {
        /// What is missing and how to get it.
        message: String,
    },
    /// A parameter or argument value that cannot be used.
    #[error("invalid {name}: {message}")]
    InvalidArgument {
        /// The parameter's name, as the user knows it (e.g. `--flip`, `beta`).
        name: String,
        /// The offending value and what was expected.
        message: String,
    },
    /// A download failed (all mirrors tried).
    #[error("download failed: {message}")]
    Network {
        /// What failed, for each mirror tried.
        message: String,
    },
}

impl Error {
    /// True when the error is the caller's input (bad file, value or usage) rather than the
    /// environment; the command-line program maps it to exit code 2.
    pub fn is_bad_input(&self) -> bool {
        match self {
            Error::Format { .. } | Error::NotFound { .. } | Error::InvalidArgument { .. } => true,
            Error::Io { source, .. } => matches!(
                source.kind(),
                std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::InvalidData
                    | std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::IsADirectory
            ),
            Error::Network { .. } => false,
        }
    }

    /// Shorthand for an [`Error::Io`] on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Shorthand for an [`Error::Format`] on `path`.
    pub fn format(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Format {
            path: path.into(),
            message: message.into(),
        }
    }

    /// Shorthand for an [`Error::InvalidArgument`].
    pub fn invalid(name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidArgument {
            name: name.into(),
            message: message.into(),
        }
    }
}
