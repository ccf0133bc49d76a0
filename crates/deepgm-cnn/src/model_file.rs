//! Model files: safetensors with PyTorch's tensor names and layouts (an `nn.Sequential` of the
//! same layers loads them with `load_state_dict`), the architecture in the metadata; and the
//! optimizer's state beside a checkpoint, so that a resumed run ([`crate::Trainer::resume`])
//! continues exactly.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use deepgm_core::tensors::{self, Tensor};
use deepgm_core::{Error, Result};
use ndarray::{ArrayD, IxDyn};

use crate::arch::Arch;
use crate::optim::{Optimizer, OptimizerKind};
use crate::sequential::Sequential;

fn tensor_of(view: ndarray::ArrayViewD<'_, f32>) -> Tensor {
    Tensor {
        shape: view.shape().to_vec(),
        data: view.iter().copied().collect(),
    }
}

/// Writes `model` (built from `arch`) to `path` atomically, with `metadata` plus the
/// architecture entries (`arch`, and `arch_config` for `seed`).
///
/// # Errors
/// [`Error::Io`] when the file cannot be written.
pub fn save_model(
    model: &Sequential<f32>,
    arch: &Arch,
    path: &Path,
    metadata: &HashMap<String, String>,
) -> Result<()> {
    let map: BTreeMap<String, Tensor> = model
        .param_names()
        .into_iter()
        .zip(model.params())
        .map(|(name, p)| (name, tensor_of(p)))
        .collect();
    let mut meta = metadata.clone();
    meta.extend(arch.to_metadata());
    meta.insert("format".into(), "deepgm-cnn".into());
    tensors::save(path, &map, &meta)
}

/// Reads a model written by [`save_model`] (or by PyTorch's `safetensors.torch.save_file` of the same
/// `nn.Sequential`, with `arch` in the metadata).
///
/// # Errors
/// [`Error::Io`] when unreadable; [`Error::Format`] naming the file when it is not safetensors,
/// the architecture is unknown, or a tensor is missing or of the wrong shape.
pub fn load_model(path: &Path) -> Result<(Sequential<f32>, Arch, HashMap<String, String>)> {
    let mut file = tensors::load(path)?;
    let arch =
        Arch::from_metadata(&file.metadata).map_err(|e| Error::format(path, e.to_string()))?;
    let mut model = arch
        .build::<f32>()
        .map_err(|e| Error::format(path, format!("architecture does not fit: {e}")))?;
    let what = format!(
        "a {} model has {}",
        arch.name(),
        model.param_names().join(", ")
    );
    let names = model.param_names();
    for (name, mut param) in names.iter().zip(model.params_mut()) {
        let t = file.take(path, name, param.shape(), &what)?;
        param.assign(&ArrayD::from_shape_vec(IxDyn(&t.shape), t.data).expect("shape checked"));
    }
    Ok((model, arch, file.metadata))
}

/// Where the optimizer state of checkpoint `model_path` lives: `<model_path>.optimizer`.
pub fn optimizer_state_path(model_path: &Path) -> PathBuf {
    let mut name = model_path.as_os_str().to_owned();
    name.push(".optimizer");
    PathBuf::from(name)
}

/// Writes the optimizer's buffers (safetensors, `first.<param>` and `second.<param>`) and its
/// step count.
///
/// # Errors
/// [`Error::Io`] when the file cannot be written.
pub fn save_optimizer_state(
    optimizer: &Optimizer<f32>,
    names: &[String],
    path: &Path,
    metadata: &HashMap<String, String>,
) -> Result<()> {
    let mut map = BTreeMap::new();
    for (prefix, buffers) in [("first", &optimizer.first), ("second", &optimizer.second)] {
        for (name, b) in names.iter().zip(buffers) {
            map.insert(format!("{prefix}.{name}"), tensor_of(b.view()));
        }
    }
    let mut meta = metadata.clone();
    meta.insert("format".into(), "deepgm-cnn-optimizer".into());
    meta.insert("optimizer".into(), optimizer.kind.name().into());
    meta.insert("steps".into(), optimizer.steps.to_string());
    tensors::save(path, &map, &meta)
}

/// Restores buffers written by [`save_optimizer_state`] into `optimizer` (whose kind must match), for a
/// model with parameters `names` of `shapes`; returns the file's metadata.
///
/// # Errors
/// [`Error::Format`] naming the file when it is for another optimizer or model.
pub fn load_optimizer_state(
    optimizer: &mut Optimizer<f32>,
    names: &[String],
    shapes: &[Vec<usize>],
    path: &Path,
) -> Result<HashMap<String, String>> {
    let mut file = tensors::load(path)?;
    let kind = file.metadata.get("optimizer").cloned().unwrap_or_default();
    if kind != optimizer.kind.name() {
        return Err(Error::format(
            path,
            format!(
                "optimizer state is for `{kind}`: expected {}",
                optimizer.kind.name()
            ),
        ));
    }
    let steps: u64 = file
        .metadata
        .get("steps")
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Error::format(path, "no step count in the metadata"))?;
    let mut read = |prefix: &str| -> Result<Vec<ArrayD<f32>>> {
        names
            .iter()
            .zip(shapes)
            .map(|(name, shape)| {
                let t = file.take(path, &format!("{prefix}.{name}"), shape, "optimizer state")?;
                Ok(ArrayD::from_shape_vec(IxDyn(shape), t.data).expect("shape checked"))
            })
            .collect()
    };
    let has_state = steps > 0;
    optimizer.first = if has_state {
        read("first")?
    } else {
        Vec::new()
    };
    optimizer.second = if has_state && matches!(optimizer.kind, OptimizerKind::Adam { .. }) {
        read("second")?
    } else {
        Vec::new()
    };
    optimizer.steps = steps;
    Ok(file.metadata)
}
