//! `deepgm._native.data`: the MNIST digits, found as the command line finds them.

use std::path::PathBuf;

use deepgm_core::mnist::{DataSource, Split};
use pyo3::prelude::*;

use crate::convert::{numpy1, numpy3};
use crate::errors::IntoPyResult;

/// `(images, labels)` of `split` of the MNIST digits at `path` (a directory, `"embedded"` for
/// the built-in digits, or None for `DEEPGM_DATA`, then `./data/mnist`).
#[pyfunction]
#[pyo3(signature = (path=None, split="train"))]
fn mnist<'py>(
    py: Python<'py>,
    path: Option<PathBuf>,
    split: &str,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let split = Split::from_name(split).py()?;
    let digits = py
        .detach(|| DataSource::locate(path.as_deref())?.load(split))
        .py()?;
    Ok((numpy3(py, digits.images)?, numpy1(py, digits.labels.into())))
}

/// Adds `mnist`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(mnist, m)?)?;
    Ok(())
}
