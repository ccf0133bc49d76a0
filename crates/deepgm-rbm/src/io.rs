//! Saving and loading models as safetensors: tensors `W` (D x P, float32, row-major),
//! `b` (D) and `a` (P), loadable from NumPy (`safetensors.numpy.load_file`) or PyTorch.

use std::collections::HashMap;
use std::path::Path;

use deepgm_core::atomic::write_bytes_atomic;
use deepgm_core::{Error, Result};
use ndarray::{Array1, Array2};
use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;

use crate::model::BernoulliRbm;

fn bytes_of(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Writes `model` to `path` (atomically) with `metadata` (string pairs, e.g. training settings).
///
/// # Errors
/// [`Error::Io`] when the file cannot be written.
pub fn save(
    model: &BernoulliRbm<f32>,
    path: &Path,
    metadata: &HashMap<String, String>,
) -> Result<()> {
    let w = model.w.as_standard_layout();
    let w_bytes = bytes_of(w.as_slice().expect("standard layout"));
    let b_bytes = bytes_of(&model.b.to_vec());
    let a_bytes = bytes_of(&model.a.to_vec());
    let (d, p) = (model.visible(), model.hidden());
    fn view(shape: Vec<usize>, data: &[u8]) -> TensorView<'_> {
        TensorView::new(Dtype::F32, shape, data).expect("sizes match shapes")
    }
    let tensors = vec![
        ("W", view(vec![d, p], &w_bytes)),
        ("b", view(vec![d], &b_bytes)),
        ("a", view(vec![p], &a_bytes)),
    ];
    let mut meta = metadata.clone();
    meta.insert("format".into(), "deepgm-rbm".into());
    meta.insert("visible".into(), d.to_string());
    meta.insert("hidden".into(), p.to_string());
    let bytes = safetensors::serialize(tensors, &Some(meta))
        .map_err(|e| Error::invalid("model", format!("cannot serialize: {e}")))?;
    write_bytes_atomic(path, &canonical_header(bytes))
}

/// Rewrites a serialized file's JSON header with its keys sorted (the metadata map is a hash map,
/// whose order changes from run to run), so the same model always gives the same bytes. Tensor
/// offsets are relative to the data section and stay valid; the header is padded with spaces to a
/// multiple of 8 bytes, as safetensors writers do.
fn canonical_header(bytes: Vec<u8>) -> Vec<u8> {
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8-byte length")) as usize;
    let header: serde_json::Value =
        serde_json::from_slice(&bytes[8..8 + n]).expect("safetensors wrote valid JSON");
    let mut json = serde_json::to_vec(&header).expect("JSON values serialize");
    while json.len() % 8 != 0 {
        json.push(b' ');
    }
    let mut out = Vec::with_capacity(8 + json.len() + bytes.len() - 8 - n);
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(&bytes[8 + n..]);
    out
}

/// Reads a model written by [`save`] (or any safetensors file with float32 `W`, `b`, `a` of
/// matching shapes) and its metadata.
///
/// # Errors
/// [`Error::Io`] when unreadable; [`Error::Format`] naming the file when it is not safetensors,
/// or a tensor is missing, not float32, or of the wrong shape.
pub fn load(path: &Path) -> Result<(BernoulliRbm<f32>, HashMap<String, String>)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let (_, header) = SafeTensors::read_metadata(&bytes)
        .map_err(|e| Error::format(path, format!("not a safetensors file: {e}")))?;
    let metadata = header.metadata().clone().unwrap_or_default();
    let tensors = SafeTensors::deserialize(&bytes)
        .map_err(|e| Error::format(path, format!("not a safetensors file: {e}")))?;
    let get = |name: &str, rank: usize| -> Result<(Vec<usize>, Vec<f32>)> {
        let t = tensors.tensor(name).map_err(|_| {
            Error::format(
                path,
                format!("no tensor `{name}`: an RBM file has W, b and a"),
            )
        })?;
        if t.dtype() != Dtype::F32 {
            return Err(Error::format(
                path,
                format!("tensor `{name}` is {:?}: expected F32", t.dtype()),
            ));
        }
        if t.shape().len() != rank {
            return Err(Error::format(
                path,
                format!(
                    "tensor `{name}` has shape {:?}: expected {rank} dimensions",
                    t.shape()
                ),
            ));
        }
        let values = t
            .data()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok((t.shape().to_vec(), values))
    };
    let (ws, w) = get("W", 2)?;
    let (bs, b) = get("b", 1)?;
    let (as_, a) = get("a", 1)?;
    if bs[0] != ws[0] || as_[0] != ws[1] {
        return Err(Error::format(
            path,
            format!("W is {:?} but b has {} and a {} values", ws, bs[0], as_[0]),
        ));
    }
    let model = BernoulliRbm {
        w: Array2::from_shape_vec((ws[0], ws[1]), w).expect("shape checked"),
        b: Array1::from(b),
        a: Array1::from(a),
    };
    if model
        .w
        .iter()
        .chain(&model.b)
        .chain(&model.a)
        .any(|x| !x.is_finite())
    {
        return Err(Error::format(path, "the model holds non-finite values"));
    }
    Ok((model, metadata))
}
