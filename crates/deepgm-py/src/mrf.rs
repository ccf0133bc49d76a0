//! `deepgm._native.mrf`: the mrf family's functions and classes.

use pyo3::prelude::*;

/// Adds this family's functions and classes to its submodule.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
