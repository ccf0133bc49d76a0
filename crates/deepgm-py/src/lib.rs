//! The `deepgm._native` Python extension module: thin conversions between Python values and the
//! deepgm libraries. Every rule, check and default lives in the libraries; this crate converts
//! arguments into params structs and inputs, releases the GIL around long calls, turns reports
//! into dicts and arrays into NumPy arrays, and maps each [`deepgm_core::ErrorKind`] to a Python
//! exception type (module `errors`). The Python package `deepgm` (in `python/`) wraps these
//! functions with numpydoc docstrings and the names pgmpy and scikit-learn users know.

use pyo3::prelude::*;

// The libraries allocate and free many tables per call (junction trees, minibatches); mimalloc
// reuses them without the system allocator's trips to the kernel, as in the deepgm binary. Buffers
// handed to NumPy are freed by Rust, so through the same allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bn;
mod cnn;
mod convert;
mod data;
mod errors;
mod markov;
mod mrf;
mod rbm;

/// The extension module: exceptions, then one submodule per family.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    for (name, register) in [
        (
            "bn",
            bn::register as fn(&Bound<'_, PyModule>) -> PyResult<()>,
        ),
        ("rbm", rbm::register),
        ("cnn", cnn::register),
        ("mrf", mrf::register),
        ("data", data::register),
    ] {
        let sub = PyModule::new(m.py(), name)?;
        register(&sub)?;
        m.add_submodule(&sub)?;
    }
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
