//! `deepgm._native.rbm`: the Bernoulli RBM of `deepgm-rbm` as the class `Model`, which the
//! Python estimator `deepgm.rbm.BernoulliRBM` holds. Every check and rule is the library's; this
//! file converts NumPy arrays and Python numbers into its inputs and params.

use std::collections::HashMap;
use std::path::PathBuf;

use deepgm_core::progress::NoProgress;
use deepgm_core::schedule::LearningRateSchedule;
use deepgm_rbm::{
    ais_log_z, base_rate_biases, exact_log_z, load_model, pseudo_log_likelihoods, score, AisParams,
    BernoulliRbm, Binarization, GibbsChains, LogZMethod, Sampler, ScoreParams, TrainParams,
    Trainer,
};
use ndarray::{Array1, Array2, ArrayView2};
use numpy::{PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

use crate::convert::{numpy1, numpy2, report, view2};
use crate::errors::{to_py_renamed, value_error};

/// The library's parameter names and the Python keywords that set them.
const NAMES: &[(&str, &str)] = &[
    ("hidden", "n_components"),
    ("batch", "batch_size"),
    ("sampler", "k"),
    ("initial_momentum", "momentum"),
    ("final_momentum", "momentum"),
    ("data", "X"),
    ("runs", "ais_runs"),
    ("betas", "ais_betas"),
];

/// A library result with its parameters renamed to the Python keywords.
fn py<T>(result: deepgm_core::Result<T>) -> PyResult<T> {
    result.map_err(|e| to_py_renamed(e, NAMES))
}

/// A 2-D array of float32 or float64 (the Python wrapper converts other dtypes to float64).
#[derive(FromPyObject)]
enum Input<'py> {
    F32(PyReadonlyArray2<'py, f32>),
    F64(PyReadonlyArray2<'py, f64>),
}

impl Input<'_> {
    fn is_f64(&self) -> bool {
        matches!(self, Input::F64(_))
    }

    /// The rows as f32: a view of C-contiguous float32 input; float64 input (and other
    /// layouts) is copied into `buffer` (the model computes in float32).
    fn rows_f32<'a>(&'a self, buffer: &'a mut Vec<f32>) -> PyResult<ArrayView2<'a, f32>> {
        match self {
            Input::F32(a) => view2(a, buffer),
            Input::F64(a) => {
                let shape = (a.shape()[0], a.shape()[1]);
                *buffer = a.as_array().iter().map(|&x| x as f32).collect();
                ArrayView2::from_shape(shape, buffer.as_slice())
                    .map_err(|e| value_error(e.to_string()))
            }
        }
    }
}

/// `array` as a NumPy array of float64 (copied, converting) when `f64`, else of float32 (no copy).
fn out2(py: Python<'_>, array: Array2<f32>, f64: bool) -> PyResult<Bound<'_, PyAny>> {
    if f64 {
        numpy2(py, array.mapv(f64::from))
    } else {
        numpy2(py, array)
    }
}

/// As [`out2`] for vectors.
fn out1(py: Python<'_>, array: Array1<f32>, f64: bool) -> Bound<'_, PyAny> {
    if f64 {
        numpy1(py, array.mapv(f64::from))
    } else {
        numpy1(py, array)
    }
}

/// A Python integer as a count; a negative one is a conversion problem named by `name`.
fn count(name: &str, value: i64) -> PyResult<usize> {
    usize::try_from(value)
        .map_err(|_| value_error(format!("invalid {name} {value}: expected an integer >= 0")))
}

/// The library's binarization named `name`, if any.
fn binarization(name: Option<&str>) -> PyResult<Option<Binarization>> {
    name.map(|n| py(Binarization::from_name(n))).transpose()
}

/// The training knobs of the Python estimator, in the library's terms.
#[derive(FromPyObject)]
struct Knobs {
    #[pyo3(item)]
    n_components: i64,
    #[pyo3(item)]
    learning_rate: f64,
    #[pyo3(item)]
    batch_size: i64,
    #[pyo3(item)]
    k: i64,
    #[pyo3(item)]
    persistent: bool,
    #[pyo3(item)]
    momentum: f64,
    #[pyo3(item)]
    weight_decay: f64,
    #[pyo3(item)]
    seed: u64,
}

impl Knobs {
    /// scikit-learn's PCD-k semantics in [`TrainParams`]: the library also scales summed
    /// statistics by `learning_rate / batch`; one momentum throughout (no switch), a constant
    /// learning rate.
    fn params(&self) -> PyResult<TrainParams> {
        let k = count("k", self.k)?;
        Ok(TrainParams {
            hidden: count("n_components", self.n_components)?,
            sampler: if self.persistent {
                Sampler::Pcd(k)
            } else {
                Sampler::Cd(k)
            },
            batch: count("batch_size", self.batch_size)?,
            learning_rate: self.learning_rate,
            schedule: LearningRateSchedule::Constant,
            initial_momentum: self.momentum,
            final_momentum: self.momentum,
            weight_decay: self.weight_decay,
            seed: self.seed,
            ..TrainParams::default()
        })
    }
}

/// A Bernoulli RBM being trained (its trainer, which holds the model and the optimizer state)
/// and the visible biases of the base-rate model of its training data (for AIS).
#[pyclass(module = "deepgm._native.rbm", name = "Model")]
pub struct Model {
    trainer: Trainer,
    base: Option<Array1<f32>>,
    updates: u64,
}

impl Model {
    fn model(&self) -> &BernoulliRbm<f32> {
        self.trainer.model()
    }

    /// The visible biases AIS starts from: the base-rate model of the training data, or for a
    /// model made elsewhere (loaded) its own visible biases.
    fn base(&self) -> Array1<f32> {
        self.base
            .clone()
            .unwrap_or_else(|| self.model().b().clone())
    }
}

/// The training data binarized by `mode` with `seed` (a new array), or `None` to use `x` as
/// given (viewed, not copied).
fn binarized(
    x: ArrayView2<'_, f32>,
    mode: Option<Binarization>,
    seed: u64,
) -> deepgm_core::Result<Option<Array2<f32>>> {
    mode.map(|mode| mode.apply_probabilities(x, seed))
        .transpose()
}

#[pymethods]
impl Model {
    /// A new model initialized from `x` and trained for `n_iter` epochs; returns it and the
    /// epochs' reports.
    #[staticmethod]
    #[pyo3(signature = (x, n_iter, knobs, binarize=None))]
    fn fit<'py>(
        py_: Python<'py>,
        x: Input<'py>,
        n_iter: i64,
        knobs: Knobs,
        binarize: Option<&str>,
    ) -> PyResult<(Model, Bound<'py, PyAny>)> {
        let n_iter = count("n_iter", n_iter)?;
        let params = knobs.params()?;
        let mode = binarization(binarize)?;
        let mut buffer = Vec::new();
        let rows = x.rows_f32(&mut buffer)?;
        let seed = params.seed;
        let (trainer, base, reports) = py(py_.detach(|| {
            let owned = binarized(rows, mode, seed)?;
            let data = match &owned {
                Some(a) => a.view(),
                None => rows.view(),
            };
            let mut trainer = Trainer::new(data.view(), params)?;
            let mut reports = Vec::with_capacity(n_iter);
            for _ in 0..n_iter {
                reports.push(trainer.epoch(data.view(), &NoProgress)?);
            }
            Ok((trainer, base_rate_biases(data.view()), reports))
        }))?;
        let model = Model {
            trainer,
            base: Some(base),
            updates: 0,
        };
        Ok((model, report(py_, &reports)?))
    }

    /// One update on all of `x` as one minibatch (scikit-learn's `partial_fit`), with `knobs`
    /// (the trainer restarts its optimizer state when they changed); returns the mean squared
    /// reconstruction error.
    #[pyo3(signature = (x, knobs, binarize=None))]
    fn partial_fit(
        &mut self,
        py_: Python<'_>,
        x: Input<'_>,
        knobs: Knobs,
        binarize: Option<&str>,
    ) -> PyResult<f64> {
        let params = knobs.params()?;
        let mode = binarization(binarize)?;
        let mut buffer = Vec::new();
        let rows = x.rows_f32(&mut buffer)?;
        let seed = params.seed.wrapping_add(self.updates);
        if self.trainer.params() != &params {
            let model = self.trainer.model().clone();
            let done = self.trainer.epochs_done();
            self.trainer = py(Trainer::with_model(model, done, params))?;
        }
        let trainer = &mut self.trainer;
        let (error, base) = py(py_.detach(|| {
            let owned = binarized(rows, mode, seed)?;
            let data = match &owned {
                Some(a) => a.view(),
                None => rows.view(),
            };
            let error = trainer.update(data.view())?;
            Ok((error, base_rate_biases(data.view())))
        }))?;
        self.base = Some(base);
        self.updates += 1;
        Ok(error)
    }

    /// `p(h = 1 | v)` of each row of `x`, in the dtype of `x` (float64 input is computed in
    /// float64 by a float64 copy of the parameters; no copy of `x` when C-contiguous).
    fn transform<'py>(&self, py_: Python<'py>, x: Input<'py>) -> PyResult<Bound<'py, PyAny>> {
        let mut buffer32 = Vec::new();
        let mut buffer64 = Vec::new();
        match &x {
            Input::F32(a) => {
                let v = view2(a, &mut buffer32)?;
                let model = self.model();
                let h = py(py_.detach(|| {
                    model.check_visible(v)?;
                    Ok(model.hidden_probs(v))
                }))?;
                numpy2(py_, h)
            }
            Input::F64(a) => {
                let v = view2(a, &mut buffer64)?;
                let model = self.model();
                let h = py(py_.detach(|| {
                    let model: BernoulliRbm<f64> = model.cast();
                    model.check_visible(v)?;
                    Ok(model.hidden_probs(v))
                }))?;
                numpy2(py_, h)
            }
        }
    }

    /// scikit-learn's pseudo-log-likelihood of each row of `x`, units chosen by `seed`.
    fn score_samples<'py>(
        &self,
        py_: Python<'py>,
        x: Input<'py>,
        seed: u64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut buffer = Vec::new();
        let rows = x.rows_f32(&mut buffer)?;
        let model = self.model();
        let values = py(py_.detach(|| pseudo_log_likelihoods(model, rows, seed)))?;
        if x.is_f64() {
            Ok(numpy1(py_, values))
        } else {
            Ok(numpy1(py_, values.mapv(|v| v as f32)))
        }
    }

    /// One block-Gibbs step `v -> h -> v` from each row of `v`; returns the new binary visible
    /// states in the dtype of `v` (the library's chains own their states: `v` is copied).
    fn gibbs<'py>(
        &self,
        py_: Python<'py>,
        v: Input<'py>,
        seed: u64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut buffer = Vec::new();
        let rows = v.rows_f32(&mut buffer)?;
        let model = self.model();
        let states = py_
            .detach(|| {
                let mut chains = GibbsChains::new(model, rows.to_owned(), seed)?;
                chains.advance(1, &NoProgress);
                Ok(chains.states().to_owned())
            })
            .map_err(|e| to_py_renamed(e, &[("data", "v")]))?;
        out2(py_, states, v.is_f64())
    }

    /// `(log Z, low, high)`: exact (low = high = log Z) or the AIS estimate and its band.
    #[pyo3(signature = (method, ais_runs, ais_betas, seed))]
    fn log_partition(
        &self,
        py_: Python<'_>,
        method: &str,
        ais_runs: i64,
        ais_betas: i64,
        seed: u64,
    ) -> PyResult<(f64, f64, f64)> {
        let model = self.model();
        match method {
            "exact" => {
                let z = py(py_.detach(|| exact_log_z(model, &NoProgress)))?;
                Ok((z, z, z))
            }
            "ais" => {
                let params = AisParams {
                    runs: count("ais_runs", ais_runs)?,
                    betas: count("ais_betas", ais_betas)?,
                    seed,
                };
                let base = self.base();
                let r = py(py_.detach(|| ais_log_z(model, &base, &params, &NoProgress)))?;
                Ok((r.log_z, r.log_z_low, r.log_z_high))
            }
            other => Err(value_error(format!(
                "invalid method {other:?}: expected \"exact\" or \"ais\""
            ))),
        }
    }

    /// The library's score report of `x` (the keys of `deepgm rbm score --json`); `method` None
    /// follows the library's rule (exact for small models, else AIS).
    #[pyo3(signature = (x, method, ais_runs, ais_betas, seed))]
    fn score_report<'py>(
        &self,
        py_: Python<'py>,
        x: Input<'py>,
        method: Option<&str>,
        ais_runs: i64,
        ais_betas: i64,
        seed: u64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let method = match method {
            None => None,
            Some("exact") => Some(LogZMethod::Exact),
            Some("ais") => Some(LogZMethod::Ais),
            Some(other) => {
                return Err(value_error(format!(
                    "invalid method {other:?}: expected \"exact\", \"ais\" or None"
                )))
            }
        };
        let params = ScoreParams {
            method,
            ais_runs: count("ais_runs", ais_runs)?,
            ais_betas: count("ais_betas", ais_betas)?,
            seed,
        };
        let mut buffer = Vec::new();
        let rows = x.rows_f32(&mut buffer)?;
        let base = self.base();
        let model = self.model();
        let r = py(py_.detach(|| score(model, rows, Some(&base), &params, &NoProgress)))?;
        report(py_, &r)
    }

    /// Writes the model as the command line does (safetensors `W`, `b`, `a` and the training
    /// parameters as metadata, plus `binarize` when given).
    #[pyo3(signature = (path, binarize=None))]
    fn save(&self, py_: Python<'_>, path: PathBuf, binarize: Option<&str>) -> PyResult<()> {
        let mut extra = Vec::new();
        if let Some(mode) = binarization(binarize)? {
            extra.push(("binarize", mode.name().to_string()));
        }
        let trainer = &self.trainer;
        py(py_.detach(|| trainer.save_checkpoint(&path, &extra)))
    }

    /// The model in the file at `path` and its metadata.
    #[staticmethod]
    fn load(py_: Python<'_>, path: PathBuf) -> PyResult<(Model, HashMap<String, String>)> {
        let (model, meta) = py(py_.detach(|| load_model(&path)))?;
        let done = meta.get("epochs").and_then(|e| e.parse().ok()).unwrap_or(0);
        Ok((Model::wrap(model, done)?, meta))
    }

    /// A model of weights `w` (D x P), visible biases `b` and hidden biases `a` (copied into
    /// the model).
    #[staticmethod]
    fn from_parameters(
        w: PyReadonlyArray2<'_, f32>,
        b: PyReadonlyArray1<'_, f32>,
        a: PyReadonlyArray1<'_, f32>,
    ) -> PyResult<Model> {
        let model = py(BernoulliRbm::new(
            w.as_array().to_owned(),
            b.as_array().iter().copied().collect(),
            a.as_array().iter().copied().collect(),
        ))?;
        Model::wrap(model, 0)
    }

    /// `W'` (P x D), copied, in float64 when `f64`.
    fn components<'py>(&self, py_: Python<'py>, f64: bool) -> PyResult<Bound<'py, PyAny>> {
        out2(py_, self.model().w().t().to_owned(), f64)
    }

    /// The weights `W` (D x P) in float32, copied.
    fn weights<'py>(&self, py_: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        numpy2(py_, self.model().w().to_owned())
    }

    /// The hidden biases `a`, copied.
    fn intercept_hidden<'py>(&self, py_: Python<'py>, f64: bool) -> Bound<'py, PyAny> {
        out1(py_, self.model().a().clone(), f64)
    }

    /// The visible biases `b`, copied.
    fn intercept_visible<'py>(&self, py_: Python<'py>, f64: bool) -> Bound<'py, PyAny> {
        out1(py_, self.model().b().clone(), f64)
    }

    /// `p(h = 1 | v)` of the persistent chains' visible states (0 rows before the first PCD
    /// update, and for CD).
    fn h_samples<'py>(&self, py_: Python<'py>, f64: bool) -> PyResult<Bound<'py, PyAny>> {
        let model = self.model();
        let h = match self.trainer.chains() {
            Some(chains) => model.hidden_probs(chains),
            None => Array2::zeros((0, model.hidden())),
        };
        out2(py_, h, f64)
    }

    /// Visible units D.
    #[getter]
    fn visible(&self) -> usize {
        self.model().visible()
    }

    /// Hidden units P.
    #[getter]
    fn hidden(&self) -> usize {
        self.model().hidden()
    }

    /// Epochs trained (with those of a loaded file).
    #[getter]
    fn epochs_done(&self) -> usize {
        self.trainer.epochs_done()
    }
}

impl Model {
    /// A trainer for a model made elsewhere, with the library's default training parameters
    /// for its size (`partial_fit` replaces them with the estimator's).
    fn wrap(model: BernoulliRbm<f32>, done: usize) -> PyResult<Model> {
        let params = TrainParams {
            hidden: model.hidden(),
            ..TrainParams::default()
        };
        Ok(Model {
            trainer: py(Trainer::with_model(model, done, params))?,
            base: None,
            updates: 0,
        })
    }
}

/// Adds `Model`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Model>()?;
    Ok(())
}
