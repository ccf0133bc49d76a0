//! Model files as safetensors (float32 tensors plus string metadata), shared by every model
//! family so that NumPy (`safetensors.numpy.load_file`) and PyTorch load them directly.
//!
//! Files are written atomically with their JSON header's keys sorted, so the same model always
//! gives the same bytes.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;

use crate::atomic::write_bytes_atomic;
use crate::error::{Error, Result};

/// A float32 tensor in row-major (C) order.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    /// Dimensions, outermost first.
    pub shape: Vec<usize>,
    /// `shape.iter().product()` values, row-major.
    pub data: Vec<f32>,
}

/// Writes `tensors` (name -> tensor) and `metadata` to `path` atomically.
///
/// # Errors
/// [`Error::InvalidParameter`] when a tensor's data does not match its shape; [`Error::Io`] when
/// the file cannot be written.
pub fn save(
    path: &Path,
    tensors: &BTreeMap<String, Tensor>,
    metadata: &HashMap<String, String>,
) -> Result<()> {
    let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(name, t)| {
            if t.shape.iter().product::<usize>() != t.data.len() {
                return Err(Error::invalid(
                    name.clone(),
                    format!("{} values for shape {:?}", t.data.len(), t.shape),
                ));
            }
            let raw = t.data.iter().flat_map(|v| v.to_le_bytes()).collect();
            Ok((name.clone(), t.shape.clone(), raw))
        })
        .collect::<Result<_>>()?;
    let views: Vec<(String, TensorView<'_>)> = bytes
        .iter()
        .map(|(name, shape, raw)| {
            let view = TensorView::new(Dtype::F32, shape.clone(), raw).expect("sizes checked");
            (name.clone(), view)
        })
        .collect();
    let serialized = safetensors::serialize(views, &Some(metadata.clone()))
        .map_err(|e| Error::invalid("model", format!("cannot serialize: {e}")))?;
    write_bytes_atomic(path, &canonical_header(serialized))
}

/// Rewrites a serialized file's JSON header with its keys sorted (the metadata map is a hash map,
/// whose order changes from run to run). Tensor offsets are relative to the data section and stay
/// valid; the header is padded with spaces to a multiple of 8 bytes, as safetensors writers do.
fn canonical_header(bytes: Vec<u8>) -> Vec<u8> {
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8-byte length")) as usize;
    let header: serde_json::Value =
        serde_json::from_slice(&bytes[8..8 + n]).expect("safetensors wrote valid JSON");
    let mut json = serde_json::to_vec(&header).expect("JSON values serialize");
    while !json.len().is_multiple_of(8) {
        json.push(b' ');
    }
    let mut out = Vec::with_capacity(8 + json.len() + bytes.len() - 8 - n);
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(&bytes[8 + n..]);
    out
}

/// The tensors and metadata of a safetensors file, every tensor float32 and finite.
#[derive(Debug, Clone, Default)]
pub struct TensorFile {
    /// Tensors by name.
    pub tensors: HashMap<String, Tensor>,
    /// String metadata (empty when the file has none).
    pub metadata: HashMap<String, String>,
}

impl TensorFile {
    /// The tensor `name` with exactly `shape`, or a [`Error::Format`] naming `path`, the tensor
    /// and the expected shape (`what` says what kind of file was expected).
    pub fn take(&mut self, path: &Path, name: &str, shape: &[usize], what: &str) -> Result<Tensor> {
        let t = self
            .tensors
            .remove(name)
            .ok_or_else(|| Error::format(path, format!("no tensor `{name}`: {what}")))?;
        if t.shape != shape {
            return Err(Error::format(
                path,
                format!(
                    "tensor `{name}` has shape {:?}: expected {shape:?}",
                    t.shape
                ),
            ));
        }
        Ok(t)
    }
}

/// Reads a safetensors file whose tensors are all float32 and finite.
///
/// # Errors
/// [`Error::Io`] when unreadable; [`Error::Format`] naming the file when it is not safetensors,
/// or a tensor is not float32 or holds a non-finite value.
pub fn load(path: &Path) -> Result<TensorFile> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let not_safetensors = |e: safetensors::SafeTensorError| {
        Error::format(path, format!("not a safetensors file: {e}"))
    };
    let (_, header) = SafeTensors::read_metadata(&bytes).map_err(not_safetensors)?;
    let metadata = header.metadata().clone().unwrap_or_default();
    let file = SafeTensors::deserialize(&bytes).map_err(not_safetensors)?;
    let mut tensors = HashMap::new();
    for (name, view) in file.tensors() {
        if view.dtype() != Dtype::F32 {
            return Err(Error::format(
                path,
                format!("tensor `{name}` is {:?}: expected F32", view.dtype()),
            ));
        }
        let data: Vec<f32> = view
            .data()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        if data.iter().any(|x| !x.is_finite()) {
            return Err(Error::format(
                path,
                format!("tensor `{name}` holds non-finite values"),
            ));
        }
        let shape = view.shape().to_vec();
        tensors.insert(name, Tensor { shape, data });
    }
    Ok(TensorFile { tensors, metadata })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_same_bytes_every_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.safetensors");
        let tensors: BTreeMap<String, Tensor> = [
            (
                "w".to_string(),
                Tensor {
                    shape: vec![2, 3],
                    data: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.5],
                },
            ),
            (
                "b".to_string(),
                Tensor {
                    shape: vec![2],
                    data: vec![-1.0, 0.25],
                },
            ),
        ]
        .into_iter()
        .collect();
        let meta: HashMap<String, String> =
            (0..20).map(|i| (format!("k{i}"), i.to_string())).collect();
        save(&path, &tensors, &meta).unwrap();
        let first = std::fs::read(&path).unwrap();
        save(&path, &tensors, &meta).unwrap();
        assert_eq!(first, std::fs::read(&path).unwrap());
        let mut file = load(&path).unwrap();
        assert_eq!(file.metadata, meta);
        assert_eq!(file.take(&path, "w", &[2, 3], "").unwrap(), tensors["w"]);
        let err = file.take(&path, "b", &[3], "").unwrap_err();
        assert!(
            matches!(&err, Error::Format { path: p, message, .. } if p == &path && message.contains("expected [3]")),
            "{err}"
        );
        assert!(file.take(&path, "zz", &[1], "a test file").is_err());
    }

    #[test]
    fn rejects_garbage_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.safetensors");
        std::fs::write(&path, b"not a model at all").unwrap();
        let err = load(&path).unwrap_err();
        assert!(err.is_bad_input());
        assert!(
            matches!(&err, Error::Format { path: p, .. } if p == &path),
            "{err}"
        );
    }
}
