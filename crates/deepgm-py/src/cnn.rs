//! `deepgm._native.cnn`: the cnn family's functions and classes.

use pyo3::prelude::*;

/// Adds this family's functions and classes to its submodule.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
