//! `deepgm._native.cnn`: convolutional networks. A [`PyNet`] holds an architecture and its
//! network (a [`Trainer`] after `fit`, so that `save` writes the command line's checkpoint);
//! every method converts NumPy inputs into the library's inputs and params (keywords left
//! `None` keep the library defaults), calls the entry point `deepgm cnn train | eval | grad`
//! calls with the GIL released, and returns NumPy arrays and report dicts.

use std::collections::HashMap;
use std::path::PathBuf;

use deepgm_cnn::{
    evaluate, load_model, normalize_pixel, predicted, probabilities, save_model, scores, Arch,
    EvalParams, GradCase, ImageSet, SeedConfig, Sequential, TrainParams, Trainer, UpdateRule,
};
use deepgm_core::progress::NoProgress;
use deepgm_core::schedule::LearningRateSchedule;
use ndarray::{Array1, Array2, Array4, ArrayView4};
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray4, PyUntypedArrayMethods};
use pyo3::prelude::*;

use crate::convert::{numpy1, numpy2, report};
use crate::errors::{to_py_renamed, value_error, IntoPyResult};

/// Library parameter names as the Python API spells them.
const NAMES: &[(&str, &str)] = &[("learning_rate", "lr"), ("schedule", "lr_factor")];

fn err(e: deepgm_core::Error) -> PyErr {
    to_py_renamed(e, NAMES)
}

/// A Python integer that must not be negative (`name` is the keyword), or None.
fn unsigned(value: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Option<u64>> {
    value
        .map(|v| {
            v.extract::<u64>().map_err(|_| {
                let shown = v.repr().map(|r| r.to_string()).unwrap_or_default();
                value_error(format!(
                    "invalid {name} {shown}: expected an integer from 0 to 2**64 - 1"
                ))
            })
        })
        .transpose()
}

/// As [`unsigned`], as a count.
fn count(value: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Option<usize>> {
    unsigned(value, name)?
        .map(|v| {
            usize::try_from(v)
                .map_err(|_| value_error(format!("invalid {name} {v}: expected a smaller count")))
        })
        .transpose()
}

/// The architecture by its Python name, the seed network's settings over the library defaults.
fn arch_of(name: &str, knobs: [(&str, Option<usize>); 6]) -> PyResult<Arch> {
    match name {
        "lenet5" => {
            if let Some((knob, _)) = knobs.iter().find(|(_, v)| v.is_some()) {
                return Err(value_error(format!(
                    "invalid {knob} for arch \"lenet5\": only the seed network has settings"
                )));
            }
            Ok(Arch::Lenet5)
        }
        "seed" => {
            let mut c = SeedConfig::default();
            let [maps, kernel, stride, padding, pool, pool_stride] = knobs.map(|(_, v)| v);
            c.maps = maps.unwrap_or(c.maps);
            c.kernel = kernel.unwrap_or(c.kernel);
            c.stride = stride.unwrap_or(c.stride);
            c.padding = padding.unwrap_or(c.padding);
            c.pool = pool.unwrap_or(c.pool);
            c.pool_stride = pool_stride.unwrap_or(c.pool_stride);
            Ok(Arch::Seed(c))
        }
        other => Err(value_error(format!(
            "invalid arch {other:?}: expected \"seed\" or \"lenet5\""
        ))),
    }
}

/// The update rule by its Python name.
fn optimizer_of(name: &str) -> PyResult<UpdateRule> {
    match name {
        "sgd" => Ok(UpdateRule::Sgd),
        "adam" => Ok(UpdateRule::Adam),
        other => Err(value_error(format!(
            "invalid optimizer {other:?}: expected \"sgd\" or \"adam\""
        ))),
    }
}

/// Network inputs as the library takes them: `(N, C, H, W)` float32, standardized.
enum Images<'py> {
    /// C-contiguous float32 from Python, borrowed without copying.
    Borrowed(PyReadonlyArray4<'py, f32>),
    /// Pixels converted here (uint8 standardized, or a non-contiguous float32 array copied).
    Owned(Array4<f32>),
}

impl<'py> Images<'py> {
    /// `x`: a 4-D uint8 array of pixels 0-255, standardized with the library's
    /// [`normalize_pixel`] (the command line's preprocessing; one copy, into float32), or a
    /// 4-D float32 array taken as already standardized (borrowed when C-contiguous).
    fn of(x: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(pixels) = x.extract::<PyReadonlyArray4<'py, u8>>() {
            let s = pixels.shape();
            let dim = (s[0], s[1], s[2], s[3]);
            // `as_slice` also accepts Fortran order: only C order is read as a slice.
            let slice = pixels.as_slice().ok().filter(|_| pixels.is_c_contiguous());
            let data: Vec<f32> = match slice {
                Some(slice) => slice.iter().map(|&v| normalize_pixel(v)).collect(),
                None => pixels
                    .as_array()
                    .iter()
                    .map(|&v| normalize_pixel(v))
                    .collect(),
            };
            return Array4::from_shape_vec(dim, data)
                .map(Images::Owned)
                .map_err(|e| value_error(e.to_string()));
        }
        if let Ok(values) = x.extract::<PyReadonlyArray4<'py, f32>>() {
            if values.is_c_contiguous() && values.as_slice().is_ok() {
                return Ok(Images::Borrowed(values));
            }
            let s = values.shape();
            // Not C-contiguous: copied once into row-major order.
            let data: Vec<f32> = values.as_array().iter().copied().collect();
            return Array4::from_shape_vec((s[0], s[1], s[2], s[3]), data)
                .map(Images::Owned)
                .map_err(|e| value_error(e.to_string()));
        }
        Err(value_error(
            "X must be a 4-D array of uint8 pixels or float32 standardized values",
        ))
    }

    /// A view of the inputs (no copy).
    fn view(&self) -> PyResult<ArrayView4<'_, f32>> {
        match self {
            Images::Owned(a) => Ok(a.view()),
            Images::Borrowed(values) => {
                let s = values.shape();
                let slice = values
                    .as_slice()
                    .map_err(|e| value_error(format!("X: {e}")))?;
                ArrayView4::from_shape((s[0], s[1], s[2], s[3]), slice)
                    .map_err(|e| value_error(e.to_string()))
            }
        }
    }

    /// The inputs as an owned array (a borrowed array is copied: [`ImageSet`] owns its pixels).
    fn into_owned(self) -> PyResult<Array4<f32>> {
        match self {
            Images::Owned(a) => Ok(a),
            Images::Borrowed(_) => Ok(self.view()?.to_owned()),
        }
    }
}

/// Labels as the library takes them (`u8`); whether each is one of the network's classes is
/// the library's check.
fn labels_of(y: &PyReadonlyArray1<'_, i64>) -> PyResult<Vec<u8>> {
    y.as_array()
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            u8::try_from(v).map_err(|_| {
                value_error(format!(
                    "invalid y: label {v} of image {i}: expected a class number from 0"
                ))
            })
        })
        .collect()
}

/// A labelled set from Python's `X` and `y` (one copy of the pixels, see [`Images::into_owned`]).
fn image_set(x: &Bound<'_, PyAny>, y: &PyReadonlyArray1<'_, i64>) -> PyResult<ImageSet> {
    Ok(ImageSet {
        images: Images::of(x)?.into_owned()?,
        labels: labels_of(y)?,
    })
}

/// A convolutional network (`deepgm.cnn.Net` wraps it).
#[pyclass(module = "deepgm._native.cnn", name = "Net")]
pub struct PyNet {
    arch: Arch,
    /// The network when it was built or loaded (`trainer` holds it after `fit`).
    model: Sequential<f32>,
    /// The trainer of the last `fit`, with its optimizer state.
    trainer: Option<Trainer>,
    /// The metadata of the model file it was loaded from.
    metadata: HashMap<String, String>,
    fitted: bool,
}

impl PyNet {
    fn model(&self) -> &Sequential<f32> {
        self.trainer.as_ref().map_or(&self.model, Trainer::model)
    }

    /// Class scores of `x` in [`evaluate`]'s batches.
    fn logits(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Array2<f32>> {
        let images = Images::of(x)?;
        let view = images.view()?;
        let model = self.model();
        py.detach(|| scores(model, view, &EvalParams::default()))
            .map_err(err)
    }
}

#[pymethods]
impl PyNet {
    /// An unfitted network of `arch` (`"seed"` with its settings, or `"lenet5"`); the
    /// library checks that the settings fit together.
    #[new]
    #[pyo3(signature = (arch, maps=None, kernel=None, stride=None, padding=None, pool=None, pool_stride=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        arch: &str,
        maps: Option<Bound<'_, PyAny>>,
        kernel: Option<Bound<'_, PyAny>>,
        stride: Option<Bound<'_, PyAny>>,
        padding: Option<Bound<'_, PyAny>>,
        pool: Option<Bound<'_, PyAny>>,
        pool_stride: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let knobs = [
            ("maps", count(maps.as_ref(), "maps")?),
            ("kernel", count(kernel.as_ref(), "kernel")?),
            ("stride", count(stride.as_ref(), "stride")?),
            ("padding", count(padding.as_ref(), "padding")?),
            ("pool", count(pool.as_ref(), "pool")?),
            ("pool_stride", count(pool_stride.as_ref(), "pool_stride")?),
        ];
        let arch = arch_of(arch, knobs)?;
        let model = arch.build::<f32>().map_err(err)?;
        Ok(PyNet {
            arch,
            model,
            trainer: None,
            metadata: HashMap::new(),
            fitted: false,
        })
    }

    /// Trains a fresh network (initialized from `seed`) with the library's [`Trainer`], the
    /// command line's path; returns the training report as a dict.
    #[pyo3(signature = (x, y, validation=None, epochs=None, batch_size=None, lr=None, momentum=None, optimizer=None, weight_decay=None, lr_factor=None, seed=None))]
    #[allow(clippy::too_many_arguments)]
    fn fit<'py>(
        &mut self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        y: PyReadonlyArray1<'py, i64>,
        validation: Option<(Bound<'py, PyAny>, PyReadonlyArray1<'py, i64>)>,
        epochs: Option<Bound<'py, PyAny>>,
        batch_size: Option<Bound<'py, PyAny>>,
        lr: Option<f64>,
        momentum: Option<f64>,
        optimizer: Option<&str>,
        weight_decay: Option<f64>,
        lr_factor: Option<f64>,
        seed: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut params = TrainParams::default();
        if let Some(v) = count(epochs.as_ref(), "epochs")? {
            params.epochs = v;
        }
        if let Some(v) = count(batch_size.as_ref(), "batch_size")? {
            params.batch_size = v;
        }
        if let Some(v) = lr {
            params.learning_rate = v;
        }
        if let Some(v) = momentum {
            params.momentum = v;
        }
        if let Some(name) = optimizer {
            params.optimizer = optimizer_of(name)?;
        }
        if let Some(v) = weight_decay {
            params.weight_decay = v;
        }
        if let Some(factor) = lr_factor {
            params.schedule = LearningRateSchedule::Exponential { factor };
        }
        if let Some(v) = unsigned(seed.as_ref(), "seed")? {
            params.seed = v;
        }
        let data = image_set(x, &y)?;
        let held_out = validation.map(|(vx, vy)| image_set(&vx, &vy)).transpose()?;
        let arch = self.arch;
        let (trainer, train_report) = py
            .detach(|| {
                let mut trainer = Trainer::new(arch, params)?;
                let r = trainer.fit(&data, held_out.as_ref(), None, &NoProgress, &mut |_| {})?;
                Ok((trainer, r))
            })
            .map_err(err)?;
        self.trainer = Some(trainer);
        self.metadata.clear();
        self.fitted = true;
        report(py, &train_report)
    }

    /// The library's evaluation report (accuracy, loss, confusion, ...) on `x`, `y`.
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        y: PyReadonlyArray1<'py, i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let data = image_set(x, &y)?;
        let model = self.model();
        let r = py
            .detach(|| evaluate(model, &data, &EvalParams::default(), &NoProgress))
            .map_err(err)?;
        report(py, &r)
    }

    /// Class scores (logits), `(n, classes)` float32.
    fn decision_function<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let logits = self.logits(py, x)?;
        numpy2(py, logits)
    }

    /// The predicted class of each image, `(n,)` int64.
    fn predict<'py>(&self, py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let logits = self.logits(py, x)?;
        let classes: Array1<i64> = logits
            .rows()
            .into_iter()
            .map(|row| predicted(row) as i64)
            .collect();
        Ok(numpy1(py, classes))
    }

    /// Softmax probabilities, `(n, classes)` float64 (the library's [`probabilities`]).
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let logits = self.logits(py, x)?;
        let (n, classes) = logits.dim();
        // The library's rows are copied once into one (n, classes) buffer.
        let flat: Vec<f64> = probabilities(logits.view()).into_iter().flatten().collect();
        let p =
            Array2::from_shape_vec((n, classes), flat).map_err(|e| value_error(e.to_string()))?;
        numpy2(py, p)
    }

    /// Writes the model file: after `fit` the command line's checkpoint (the model and its
    /// optimizer state beside it, `<path>.optimizer`); otherwise the model with the metadata
    /// it was loaded with.
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        match &self.trainer {
            Some(trainer) => py.detach(|| trainer.save(&path)).map_err(err),
            None => py
                .detach(|| save_model(&self.model, &self.arch, &path, &self.metadata))
                .map_err(err),
        }
    }

    /// Reads a model file written by `deepgm cnn train` or `save`.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let (model, arch, metadata) = py.detach(|| load_model(&path)).map_err(err)?;
        Ok(PyNet {
            arch,
            model,
            trainer: None,
            metadata,
            fitted: true,
        })
    }

    /// `(name, array)` pairs of the parameters under PyTorch's names, in order (float32,
    /// PyTorch's layouts; copied out of the network).
    fn state_dict<'py>(&self, py: Python<'py>) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
        let model = self.model();
        model
            .param_names()
            .into_iter()
            .zip(model.params())
            .map(|(name, p)| {
                let shape = p.shape().to_vec();
                let data: Vec<f32> = p.iter().copied().collect();
                let array = PyArray1::from_vec(py, data).reshape(shape)?.into_any();
                Ok((name, array))
            })
            .collect()
    }

    /// The architecture's name, `"seed"` or `"lenet5"`.
    #[getter]
    fn arch(&self) -> &'static str {
        self.arch.name()
    }

    /// The seed network's settings as a dict (None for LeNet-5).
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match &self.arch {
            Arch::Seed(c) => Ok(Some(report(py, c)?)),
            Arch::Lenet5 => Ok(None),
        }
    }

    /// Number of parameters.
    #[getter]
    fn n_parameters(&self) -> usize {
        self.model().parameter_count()
    }

    /// Whether the network was fitted or loaded.
    #[getter]
    fn fitted(&self) -> bool {
        self.fitted
    }

    /// The metadata of the model file it was loaded from (empty otherwise).
    #[getter]
    fn metadata(&self) -> HashMap<String, String> {
        self.metadata.clone()
    }
}

/// `deepgm cnn grad`: the case (its JSON text) through the seed network, every intermediate
/// and gradient, as the dict `--json` prints.
#[pyfunction]
fn grad<'py>(py: Python<'py>, case: &str) -> PyResult<Bound<'py, PyAny>> {
    let case: GradCase =
        serde_json::from_str(case).map_err(|e| value_error(format!("not a gradient case: {e}")))?;
    let r = py.detach(|| case.evaluate()).py()?;
    report(py, &r)
}

/// Adds `Net` and `grad`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyNet>()?;
    m.add_function(wrap_pyfunction!(grad, m)?)?;
    Ok(())
}
