//! Saving and loading models as safetensors: tensors `W` (D x P, float32, row-major),
//! `b` (D) and `a` (P), loadable from NumPy (`safetensors.numpy.load_file`) or PyTorch.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use deepgm_core::tensors::{self, Tensor};
use deepgm_core::{Error, Result};
use ndarray::{Array1, Array2};

use crate::model::BernoulliRbm;

/// Writes `model` to `path` (atomically) with `metadata` (string pairs, e.g. training settings).
/// The same model and metadata always give the same bytes.
///
/// # Errors
/// [`Error::Io`] when the file cannot be written.
pub fn save_model(
    model: &BernoulliRbm<f32>,
    path: &Path,
    metadata: &HashMap<String, String>,
) -> Result<()> {
    let (d, p) = (model.visible(), model.hidden());
    let tensor = |shape: Vec<usize>, data: Vec<f32>| Tensor { shape, data };
    let map: BTreeMap<String, Tensor> = [
        ("W", tensor(vec![d, p], model.w.iter().copied().collect())),
        ("b", tensor(vec![d], model.b.to_vec())),
        ("a", tensor(vec![p], model.a.to_vec())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let mut meta = metadata.clone();
    meta.insert("format".into(), "deepgm-rbm".into());
    meta.insert("visible".into(), d.to_string());
    meta.insert("hidden".into(), p.to_string());
    tensors::save(path, &map, &meta)
}

/// Reads a model written by [`save_model`] (or any safetensors file with float32 `W`, `b`, `a` of
/// matching shapes) and its metadata.
///
/// # Errors
/// [`Error::Io`] when unreadable; [`Error::Format`] naming the file when it is not safetensors,
/// or a tensor is missing, not float32, non-finite or of the wrong shape.
pub fn load_model(path: &Path) -> Result<(BernoulliRbm<f32>, HashMap<String, String>)> {
    let mut file = tensors::load(path)?;
    let what = "an RBM file has W (D x P), b (D) and a (P)";
    let w_shape = match file.tensors.get("W") {
        Some(t) if t.shape.len() == 2 => t.shape.clone(),
        Some(t) => {
            return Err(Error::format(
                path,
                format!("tensor `W` has shape {:?}: expected 2 dimensions", t.shape),
            ))
        }
        None => return Err(Error::format(path, format!("no tensor `W`: {what}"))),
    };
    let w = file.take(path, "W", &w_shape, what)?;
    let b = file.take(path, "b", &w_shape[..1], what)?;
    let a = file.take(path, "a", &w_shape[1..], what)?;
    let model = BernoulliRbm {
        w: Array2::from_shape_vec((w_shape[0], w_shape[1]), w.data).expect("shape checked"),
        b: Array1::from(b.data),
        a: Array1::from(a.data),
    };
    Ok((model, file.metadata))
}
