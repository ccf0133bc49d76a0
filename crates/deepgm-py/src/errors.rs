//! deepgm's error kinds as Python exceptions.
//!
//! | kind | exception |
//! |---|---|
//! | `InvalidParameter`, `Shape` | `deepgm.DeepgmValueError` (a `ValueError`) |
//! | `Format` | `deepgm.FormatError` (a `DeepgmValueError`) with `path`, `line`, `column` |
//! | `Infeasible` | `deepgm.InfeasibleError` (a `MemoryError`) with `needed`, `budget`, `unit` |
//! | `NotFound`, `Io` of a missing file | `FileNotFoundError` |
//! | other `Io`, `Network` | `OSError` |

use pyo3::create_exception;
use pyo3::exceptions::{PyFileNotFoundError, PyMemoryError, PyOSError, PyValueError};
use pyo3::prelude::*;

use deepgm_core::Error;

create_exception!(
    deepgm,
    DeepgmValueError,
    PyValueError,
    "A parameter or input deepgm cannot use; the message names it and what was expected."
);
create_exception!(
    deepgm,
    FormatError,
    DeepgmValueError,
    "A malformed file; `path`, `line` and `column` (1-based, None when unknown) say where."
);
create_exception!(
    deepgm,
    InfeasibleError,
    PyMemoryError,
    "Work over its budget; `needed` and `budget` (in `unit`) say by how much."
);

/// Adds the exception types to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("DeepgmValueError", py.get_type::<DeepgmValueError>())?;
    m.add("FormatError", py.get_type::<FormatError>())?;
    m.add("InfeasibleError", py.get_type::<InfeasibleError>())?;
    Ok(())
}

/// The Python exception for a library error, with its parameter renamed through `names`
/// (library name, Python keyword) where the Python API calls it otherwise.
pub fn to_py_renamed(err: Error, names: &[(&str, &str)]) -> PyErr {
    let err = err.rename_parameter(|name| {
        names
            .iter()
            .find(|(lib, _)| *lib == name)
            .map(|(_, py)| py.to_string())
    });
    let message = err.to_string();
    Python::attach(|py| match &err {
        Error::Format {
            path, line, column, ..
        } => {
            let exc = FormatError::new_err(message);
            let value = exc.value(py);
            let _ = value.setattr("path", path.display().to_string());
            let _ = value.setattr("line", *line);
            let _ = value.setattr("column", *column);
            exc
        }
        Error::Infeasible {
            needed,
            budget,
            unit,
            ..
        } => {
            let exc = InfeasibleError::new_err(message);
            let value = exc.value(py);
            let _ = value.setattr("needed", *needed);
            let _ = value.setattr("budget", *budget);
            let _ = value.setattr("unit", unit.as_str());
            exc
        }
        Error::NotFound { .. } => PyFileNotFoundError::new_err(message),
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            PyFileNotFoundError::new_err(message)
        }
        Error::Io { .. } | Error::Network { .. } => PyOSError::new_err(message),
        _ => DeepgmValueError::new_err(message),
    })
}

/// The Python exception for a library error whose parameter names are the Python keywords.
pub fn to_py(err: Error) -> PyErr {
    to_py_renamed(err, &[])
}

/// `Result` of a library call as a Python result.
pub trait IntoPyResult<T> {
    /// Maps the error with [`to_py`].
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for deepgm_core::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

/// A `DeepgmValueError` for a Python-side conversion (a dict that is not a mapping of names,
/// an array of the wrong dimension) that never reached a library.
pub fn value_error(message: impl Into<String>) -> PyErr {
    DeepgmValueError::new_err(message.into())
}
