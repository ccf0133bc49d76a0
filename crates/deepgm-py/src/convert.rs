//! Conversions between Python values and the libraries' types: reports to dicts (through
//! `serde_json`), NumPy arrays to `ndarray` views (no copy when C-contiguous) and back (NumPy
//! arrays owning the Rust buffer, no copy).

use ndarray::{Array1, Array2, Array3, ArrayView2};
use numpy::{Element, PyArray1, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use pyo3::IntoPyObjectExt;
use serde::Serialize;

use crate::errors::value_error;

/// A JSON value as the Python object `json.loads` would give.
pub fn json_to_py<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value;
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_bound_py_any(py)?,
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_bound_py_any(py)?,
            (None, Some(u)) => u.into_bound_py_any(py)?,
            _ => n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)?,
        },
        Value::String(s) => s.into_bound_py_any(py)?,
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, json_to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// A library report as a dict (the same keys as the command line's `--json`).
pub fn report<'py, T: Serialize>(py: Python<'py>, report: &T) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(report)
        .map_err(|e| value_error(format!("the report could not be converted: {e}")))?;
    json_to_py(py, &value)
}

/// A C-contiguous 2-D NumPy array as an `ndarray` view without copying; other layouts
/// (Fortran order, strided views) are copied once into `buffer`, which the view then borrows.
pub fn view2<'a, T: Element + Copy>(
    array: &'a PyReadonlyArray2<'_, T>,
    buffer: &'a mut Vec<T>,
) -> PyResult<ArrayView2<'a, T>> {
    let shape = (array.shape()[0], array.shape()[1]);
    // `as_slice` also succeeds for Fortran order, whose memory order is not row-major.
    let data: &[T] = match array.as_slice() {
        Ok(slice) if array.is_c_contiguous() => slice,
        _ => {
            *buffer = array.as_array().iter().copied().collect();
            buffer
        }
    };
    ArrayView2::from_shape(shape, data).map_err(|e| value_error(e.to_string()))
}

/// The elements of an array in row-major order, without copying when it is in standard layout.
fn into_row_major<T: Clone, D: ndarray::Dimension>(array: ndarray::Array<T, D>) -> Vec<T> {
    if array.is_standard_layout() {
        let (vec, offset) = array.into_raw_vec_and_offset();
        if offset.unwrap_or(0) == 0 {
            return vec;
        }
        // A standard-layout array that starts past the beginning of its buffer: rare (only
        // after slicing), copy.
        return vec[offset.unwrap_or(0)..].to_vec();
    }
    array.iter().cloned().collect()
}

/// A 1-D NumPy array owning `array`'s buffer.
pub fn numpy1<T: Element + Clone>(py: Python<'_>, array: Array1<T>) -> Bound<'_, PyAny> {
    PyArray1::from_vec(py, into_row_major(array)).into_any()
}

/// A 2-D NumPy array owning `array`'s buffer (no copy in standard layout).
pub fn numpy2<T: Element + Clone>(py: Python<'_>, array: Array2<T>) -> PyResult<Bound<'_, PyAny>> {
    let (rows, cols) = array.dim();
    Ok(PyArray1::from_vec(py, into_row_major(array))
        .reshape([rows, cols])?
        .into_any())
}

/// A 3-D NumPy array owning `array`'s buffer (no copy in standard layout).
pub fn numpy3<T: Element + Clone>(py: Python<'_>, array: Array3<T>) -> PyResult<Bound<'_, PyAny>> {
    let (a, b, c) = array.dim();
    Ok(PyArray1::from_vec(py, into_row_major(array))
        .reshape([a, b, c])?
        .into_any())
}

/// A memory budget from Python: an `int` of bytes, or a size text such as `"4GiB"` or
/// `"500MB"` (read by the library's parser); `None` keeps the library's default.
pub fn memory_budget(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u64>> {
    let Some(value) = value else {
        return Ok(None);
    };
    if let Ok(text) = value.extract::<String>() {
        return deepgm_core::memory::parse_bytes(&text, "max_memory")
            .map(Some)
            .map_err(crate::errors::to_py);
    }
    match value.extract::<i128>() {
        Ok(bytes) if bytes >= 1 && bytes <= u64::MAX as i128 => Ok(Some(bytes as u64)),
        _ => Err(value_error(format!(
            "invalid max_memory {value}: expected a positive number of bytes or a size such as \
             \"4GiB\""
        ))),
    }
}
