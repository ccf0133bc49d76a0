//! The one error type shared by every deepgm library crate.
//!
//! Errors are typed: a caller matches on [`Error::kind`] (or on the variant and its fields), a
//! binding maps each [`ErrorKind`] to an exception type, and the command-line program maps the
//! library's parameter names to its own flags in one table. Library errors name the library's
//! parameters (`samples`, `evidence`, `beta`), never a command-line flag.

use std::fmt;
use std::path::PathBuf;

/// Result alias used across deepgm.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a deepgm library call.
///
/// Variants split into *bad input* (the caller gave a file, value or parameter that cannot be
/// used: [`Error::is_bad_input`] is true, and the command-line program exits with code 2) and
/// other failures (I/O trouble, the network; exit code 1).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
    #[error("{}", FormatLocation { path, line: *line, column: *column, message })]
    Format {
        /// The file involved (or a name such as `builtin:asia` for data that is not a file).
        path: PathBuf,
        /// The 1-based line of the problem, when the format has lines.
        line: Option<u64>,
        /// The 1-based column (in characters) of the problem, when known.
        column: Option<u64>,
        /// What was wrong, and what was expected instead.
        message: String,
    },
    /// A required input file or dataset is missing.
    #[error("{message}")]
    NotFound {
        /// What is missing and how to get it.
        message: String,
    },
    /// A parameter value that cannot be used.
    #[error("{}", ParameterText { name, value, expected })]
    InvalidParameter {
        /// The parameter's name in the library (a params struct field or argument name, such as
        /// `samples`, `evidence`, `beta`).
        name: String,
        /// The offending value as the caller gave it (empty when the problem is not one value).
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// Arrays, images or tensors whose shapes do not fit together.
    #[error("{what}: shape {got}, expected {expected}")]
    Shape {
        /// The array or input involved.
        what: String,
        /// Its shape as given.
        got: String,
        /// The shape that was expected.
        expected: String,
    },
    /// A computation that would need more than its budget (memory, table entries, terms).
    #[error(
        "{what} needs {}, over the budget of {}{}{}",
        amount(*needed, unit),
        amount(*budget, unit).trim_end_matches(&format!(" {unit}")),
        budget_text(parameter.as_deref()),
        advice_text(advice)
    )]
    Infeasible {
        /// The computation refused.
        what: String,
        /// What it would need, in `unit`.
        needed: f64,
        /// The budget it was refused against, in `unit`.
        budget: f64,
        /// The unit of `needed` and `budget` (for example `bytes`, `table entries`, `terms`).
        unit: String,
        /// The parameter that sets the budget, when the caller can raise it (e.g.
        /// `max_memory`).
        parameter: Option<String>,
        /// What would help (a larger budget, fewer variables, another method); may be empty.
        advice: String,
    },
    /// A download failed (all mirrors tried).
    #[error("download failed: {message}")]
    Network {
        /// What failed, for each mirror tried.
        message: String,
    },
}

/// The kind of an [`Error`], for matching without fields (tests, bindings, exit codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::Io`].
    Io,
    /// [`Error::Format`].
    Format,
    /// [`Error::NotFound`].
    NotFound,
    /// [`Error::InvalidParameter`].
    InvalidParameter,
    /// [`Error::Shape`].
    Shape,
    /// [`Error::Infeasible`].
    Infeasible,
    /// [`Error::Network`].
    Network,
}

impl Error {
    /// The error's kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Io { .. } => ErrorKind::Io,
            Error::Format { .. } => ErrorKind::Format,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::InvalidParameter { .. } => ErrorKind::InvalidParameter,
            Error::Shape { .. } => ErrorKind::Shape,
            Error::Infeasible { .. } => ErrorKind::Infeasible,
            Error::Network { .. } => ErrorKind::Network,
        }
    }

    /// True when the error is the caller's input (bad file, value or usage) rather than the
    /// environment; the command-line program maps it to exit code 2.
    pub fn is_bad_input(&self) -> bool {
        match self {
            Error::Format { .. }
            | Error::NotFound { .. }
            | Error::InvalidParameter { .. }
            | Error::Shape { .. }
            | Error::Infeasible { .. } => true,
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

    /// The parameter an error is about: the name of an [`Error::InvalidParameter`], or the
    /// parameter that sets the budget of an [`Error::Infeasible`]; `None` otherwise.
    pub fn parameter(&self) -> Option<&str> {
        match self {
            Error::InvalidParameter { name, .. } => Some(name),
            Error::Infeasible {
                parameter: Some(name),
                ..
            } => Some(name),
            _ => None,
        }
    }

    /// Shorthand for an [`Error::Io`] on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Shorthand for an [`Error::Format`] on `path` with no line or column.
    pub fn format(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Format {
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// Shorthand for an [`Error::Format`] at `line` and `column` (1-based) of `path`.
    pub fn format_at(
        path: impl Into<PathBuf>,
        line: u64,
        column: Option<u64>,
        message: impl Into<String>,
    ) -> Self {
        Error::Format {
            path: path.into(),
            line: Some(line),
            column,
            message: message.into(),
        }
    }

    /// Shorthand for an [`Error::InvalidParameter`]: parameter `name` got `value`; `expected`
    /// says what would be accepted. Display: `invalid NAME VALUE: expected EXPECTED`.
    pub fn param(
        name: impl Into<String>,
        value: impl fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Error::InvalidParameter {
            name: name.into(),
            value: value.to_string(),
            expected: expected.into(),
        }
    }

    /// Shorthand for an [`Error::InvalidParameter`] whose problem is not a single value
    /// (`message` says what is wrong). Display: `invalid NAME: MESSAGE`.
    pub fn invalid(name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidParameter {
            name: name.into(),
            value: String::new(),
            expected: message.into(),
        }
    }

    /// Shorthand for an [`Error::Shape`].
    pub fn shape(
        what: impl Into<String>,
        got: impl fmt::Debug,
        expected: impl Into<String>,
    ) -> Self {
        Error::Shape {
            what: what.into(),
            got: format!("{got:?}"),
            expected: expected.into(),
        }
    }

    /// The same error with the parameter it is about ([`Error::parameter`]) passed through
    /// `rename` (other errors unchanged): how a caller speaks of parameters in its own words (a
    /// command-line flag, a Python keyword) without re-validating.
    pub fn rename_parameter(mut self, rename: impl FnOnce(&str) -> Option<String>) -> Self {
        if let Some(name) = self.parameter_mut() {
            if let Some(new) = rename(name) {
                *name = new;
            }
        }
        self
    }

    /// The parameter an error is about ([`Error::parameter`]), to rename in place.
    pub fn parameter_mut(&mut self) -> Option<&mut String> {
        match self {
            Error::InvalidParameter { name, .. }
            | Error::Infeasible {
                parameter: Some(name),
                ..
            } => Some(name),
            _ => None,
        }
    }
}

struct FormatLocation<'a> {
    path: &'a PathBuf,
    line: Option<u64>,
    column: Option<u64>,
    message: &'a str,
}

impl fmt::Display for FormatLocation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, ":{line}:{column}")?,
            (Some(line), None) => write!(f, ":{line}")?,
            _ => {}
        }
        write!(f, ": {}", self.message)
    }
}

struct ParameterText<'a> {
    name: &'a str,
    value: &'a str,
    expected: &'a str,
}

impl fmt::Display for ParameterText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "invalid {}: {}", self.name, self.expected)
        } else {
            write!(
                f,
                "invalid {} {}: expected {}",
                self.name, self.value, self.expected
            )
        }
    }
}

/// `needed` in `unit` for people: bytes in binary units (`1.5 GiB`), else `2.070e8 table entries`.
fn amount(value: f64, unit: &str) -> String {
    if unit == "bytes" {
        crate::memory::format_bytes(value)
    } else {
        format!("{value:.3e} {unit}")
    }
}

fn budget_text(parameter: Option<&str>) -> String {
    parameter
        .map(|p| format!(" (set by {p})"))
        .unwrap_or_default()
}

fn advice_text(advice: &str) -> String {
    if advice.is_empty() {
        String::new()
    } else {
        format!("; {advice}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_errors_read_as_name_value_expected() {
        let err = Error::param("samples", 0, "at least 1");
        assert_eq!(err.to_string(), "invalid samples 0: expected at least 1");
        assert_eq!(err.kind(), ErrorKind::InvalidParameter);
        assert_eq!(err.parameter(), Some("samples"));
        assert!(err.is_bad_input());
        let renamed = err.rename_parameter(|name| Some(name.to_uppercase()));
        assert_eq!(
            renamed.to_string(),
            "invalid SAMPLES 0: expected at least 1"
        );
        let message = Error::invalid("evidence", "names no variable twice");
        assert_eq!(
            message.to_string(),
            "invalid evidence: names no variable twice"
        );
    }

    #[test]
    fn format_errors_show_their_location() {
        let err = Error::format_at("net.bif", 12, Some(5), "expected `;`");
        assert_eq!(err.to_string(), "net.bif:12:5: expected `;`");
        assert_eq!(
            Error::format_at("net.bif", 3, None, "x").to_string(),
            "net.bif:3: x"
        );
        assert_eq!(
            Error::format("a.png", "not a PNG").to_string(),
            "a.png: not a PNG"
        );
        assert_eq!(err.kind(), ErrorKind::Format);
        assert!(err.parameter().is_none());
    }

    #[test]
    fn infeasible_and_shape_errors_are_bad_input() {
        let err = Error::Infeasible {
            what: "exact inference".into(),
            needed: 2.07e8,
            budget: 2e8,
            unit: "table entries".into(),
            parameter: Some("max_table_entries".into()),
            advice: "raise it if memory allows".into(),
        };
        assert_eq!(
            err.to_string(),
            "exact inference needs 2.070e8 table entries, over the budget of 2.000e8 \
             (set by max_table_entries); raise it if memory allows"
        );
        assert!(err.is_bad_input());
        assert_eq!(err.parameter(), Some("max_table_entries"));
        let renamed = err.rename_parameter(|_| Some("BUDGET".into()));
        assert!(renamed.to_string().contains("(set by BUDGET)"), "{renamed}");
        let shape = Error::shape("image", (28, 27), "28 x 28");
        assert_eq!(shape.to_string(), "image: shape (28, 27), expected 28 x 28");
        assert_eq!(shape.kind(), ErrorKind::Shape);
        let io = Error::io("x", std::io::Error::other("disk on fire"));
        assert!(!io.is_bad_input());
        assert_eq!(io.kind(), ErrorKind::Io);
    }
}
