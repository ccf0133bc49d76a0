//! `deepgm._native.mrf`: Ising-model denoising over spin arrays (int8, -1/+1).
//!
//! The Python wrapper (`python/deepgm/mrf.py`) turns the caller's picture convention (bool,
//! 0/1, -1/+1, uint8 gray) into spins and back; these functions take and return spins, build
//! the library's model and params from the keywords given (a `None` keeps the library's
//! default) and call the same entry points as `deepgm mrf denoise` and `deepgm mrf noise`.

use std::path::PathBuf;

use deepgm_core::image::{read_gray, spins_to_gray as gray_of_spins, to_spins};
use deepgm_core::progress::NoProgress;
use deepgm_mrf::{
    denoise as run_algorithm, flip_noise, Algorithm, AnnealParams, GibbsParams, IcmParams,
    IsingModel, MeanFieldParams, Method, Neighbourhood, NoiseParams, Report,
};
use numpy::PyReadonlyArray2;
use pyo3::prelude::*;
use serde::Serialize;

use crate::convert::{numpy2, report, view2};
use crate::errors::{to_py_renamed, value_error, IntoPyResult};

/// Library parameter names that the Python API spells otherwise.
const RENAMES: &[(&str, &str)] = &[("t_start", "temperature"), ("t_end", "final_temperature")];

/// `denoise`'s report: the library's report and model plus the picture's size (the keys of
/// `deepgm mrf denoise --json` without the paths it wrote and the clean-image error rates).
#[derive(Serialize)]
struct DenoiseReport<'a> {
    #[serde(flatten)]
    report: &'a Report,
    width: usize,
    height: usize,
    #[serde(flatten)]
    model: IsingModel,
}

/// The Ising model of the keywords.
fn model(h: f64, beta: f64, eta: f64, neighbourhood: usize) -> PyResult<IsingModel> {
    Ok(IsingModel::new(h, beta, eta)
        .py()?
        .with_neighbourhood(Neighbourhood::from_size(neighbourhood).py()?))
}

/// The method's knobs as the Python caller gave them (None: not given).
struct Knobs {
    max_sweeps: Option<usize>,
    temperature: Option<f64>,
    final_temperature: Option<f64>,
    sweeps: Option<usize>,
    burn_in: Option<usize>,
    damping: Option<f64>,
    tolerance: Option<f64>,
    seed: u64,
}

impl Knobs {
    /// The keywords given (not None), by their Python names.
    fn given(&self) -> Vec<&'static str> {
        [
            ("max_sweeps", self.max_sweeps.is_some()),
            ("temperature", self.temperature.is_some()),
            ("final_temperature", self.final_temperature.is_some()),
            ("sweeps", self.sweeps.is_some()),
            ("burn_in", self.burn_in.is_some()),
            ("damping", self.damping.is_some()),
            ("tolerance", self.tolerance.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }

    /// The library's algorithm for `method`, starting from its defaults and setting what was
    /// given. A keyword given that `method` has no use for is refused (a conversion problem:
    /// which keyword maps to which library field is this binding's own table).
    fn algorithm(&self, method: Method) -> PyResult<Algorithm> {
        let takes: &[&str] = match method {
            Method::Icm | Method::IcmCheckerboard => &["max_sweeps"],
            Method::Gibbs => &["temperature", "sweeps", "burn_in"],
            Method::Anneal => &["temperature", "final_temperature", "sweeps"],
            Method::Meanfield => &["temperature", "damping", "tolerance", "max_sweeps"],
            Method::Graphcut => &[],
        };
        if let Some(extra) = self.given().into_iter().find(|k| !takes.contains(k)) {
            return Err(value_error(format!(
                "{extra} does not apply to method '{method}' (it takes {})",
                if takes.is_empty() {
                    "no parameters".to_string()
                } else {
                    takes.join(", ")
                }
            )));
        }
        Ok(match method {
            Method::Icm | Method::IcmCheckerboard => {
                let mut p = IcmParams::default();
                if let Some(v) = self.max_sweeps {
                    p.max_sweeps = v;
                }
                if method == Method::Icm {
                    Algorithm::Icm(p)
                } else {
                    Algorithm::IcmCheckerboard(p)
                }
            }
            Method::Gibbs => {
                let mut p = match self.sweeps {
                    Some(sweeps) => GibbsParams::with_sweeps(sweeps),
                    None => GibbsParams::default(),
                };
                if let Some(v) = self.temperature {
                    p.temperature = v;
                }
                if let Some(v) = self.burn_in {
                    p.burn_in = v;
                }
                p.seed = self.seed;
                Algorithm::Gibbs(p)
            }
            Method::Anneal => {
                let mut p = AnnealParams::default();
                if let Some(v) = self.temperature {
                    p.t_start = v;
                }
                if let Some(v) = self.final_temperature {
                    p.t_end = v;
                }
                if let Some(v) = self.sweeps {
                    p.sweeps = v;
                }
                p.seed = self.seed;
                Algorithm::Anneal(p)
            }
            Method::Meanfield => {
                let mut p = MeanFieldParams::default();
                if let Some(v) = self.temperature {
                    p.temperature = v;
                }
                if let Some(v) = self.damping {
                    p.damping = v;
                }
                if let Some(v) = self.tolerance {
                    p.tolerance = v;
                }
                if let Some(v) = self.max_sweeps {
                    p.max_sweeps = v;
                }
                Algorithm::Meanfield(p)
            }
            Method::Graphcut => Algorithm::Graphcut,
        })
    }
}

/// `(labels, report, marginals)` of [`denoise`].
type Denoised<'py> = (
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    Option<Bound<'py, PyAny>>,
);

/// `(labels, report, marginals)`: `method` run on the spins `y` under the model of `h`,
/// `beta`, `eta`, `neighbourhood`; `marginals` is None for methods without them.
#[pyfunction]
#[pyo3(signature = (y, method="graphcut", beta=1.0, eta=2.1, h=0.0, neighbourhood=4,
    max_sweeps=None, temperature=None, final_temperature=None, sweeps=None, burn_in=None,
    damping=None, tolerance=None, seed=0))]
#[allow(clippy::too_many_arguments)]
fn denoise<'py>(
    py: Python<'py>,
    y: PyReadonlyArray2<'py, i8>,
    method: &str,
    beta: f64,
    eta: f64,
    h: f64,
    neighbourhood: usize,
    max_sweeps: Option<usize>,
    temperature: Option<f64>,
    final_temperature: Option<f64>,
    sweeps: Option<usize>,
    burn_in: Option<usize>,
    damping: Option<f64>,
    tolerance: Option<f64>,
    seed: u64,
) -> PyResult<Denoised<'py>> {
    let method = Method::from_name(method).py()?;
    let knobs = Knobs {
        max_sweeps,
        temperature,
        final_temperature,
        sweeps,
        burn_in,
        damping,
        tolerance,
        seed,
    };
    let algorithm = knobs.algorithm(method)?;
    let model = model(h, beta, eta, neighbourhood)?;
    // No copy for a C-contiguous int8 array; other layouts are copied once.
    let mut buffer = Vec::new();
    let y = view2(&y, &mut buffer)?;
    let result = py
        .detach(|| run_algorithm(&model, y, &algorithm, &NoProgress))
        .map_err(|e| to_py_renamed(e, RENAMES))?;
    let (height, width) = result.labels.dim();
    let summary = report(
        py,
        &DenoiseReport {
            report: &result.report,
            width,
            height,
            model,
        },
    )?;
    let marginals = result.marginals.map(|m| numpy2(py, m)).transpose()?;
    Ok((numpy2(py, result.labels)?, summary, marginals))
}

/// Whether the method called `method` estimates marginals (gibbs, meanfield).
#[pyfunction]
fn estimates_marginals(method: &str) -> PyResult<bool> {
    Ok(Method::from_name(method).py()?.estimates_marginals())
}

/// `E(x, y)` of the spins `x` and `y` under the model.
#[pyfunction]
#[pyo3(signature = (x, y, beta=1.0, eta=2.1, h=0.0, neighbourhood=4))]
fn energy(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, i8>,
    y: PyReadonlyArray2<'_, i8>,
    beta: f64,
    eta: f64,
    h: f64,
    neighbourhood: usize,
) -> PyResult<f64> {
    let model = model(h, beta, eta, neighbourhood)?;
    let (mut bx, mut by) = (Vec::new(), Vec::new());
    let x = view2(&x, &mut bx)?;
    let y = view2(&y, &mut by)?;
    py.detach(|| model.energy(x, y)).py()
}

/// The spins `y` with each flipped with probability `flip` (the noise of `deepgm mrf noise`).
#[pyfunction]
#[pyo3(signature = (y, flip, seed=0))]
fn add_noise<'py>(
    py: Python<'py>,
    y: PyReadonlyArray2<'py, i8>,
    flip: f64,
    seed: u64,
) -> PyResult<Bound<'py, PyAny>> {
    let params = NoiseParams { flip, seed };
    let mut buffer = Vec::new();
    let y = view2(&y, &mut buffer)?;
    let noisy = py.detach(|| flip_noise(y, &params)).py()?;
    numpy2(py, noisy)
}

/// Gray levels (uint8) to spins: `pixel >= threshold` is +1, as the command line reads pictures.
#[pyfunction]
fn gray_to_spins<'py>(
    py: Python<'py>,
    gray: PyReadonlyArray2<'py, u8>,
    threshold: u8,
) -> PyResult<Bound<'py, PyAny>> {
    // `to_spins` takes an owned array: one copy of the gray levels.
    let mut buffer = Vec::new();
    let gray = view2(&gray, &mut buffer)?.to_owned();
    numpy2(py, to_spins(&gray, threshold))
}

/// Spins to gray levels: +1 is 255 (white), -1 is 0 (black), as the command line writes them.
#[pyfunction]
fn spins_to_gray<'py>(
    py: Python<'py>,
    spins: PyReadonlyArray2<'py, i8>,
) -> PyResult<Bound<'py, PyAny>> {
    // `spins_to_gray` takes an owned array: one copy of the spins.
    let mut buffer = Vec::new();
    let spins = view2(&spins, &mut buffer)?.to_owned();
    numpy2(py, gray_of_spins(&spins))
}

/// A PNG or JPEG picture (or `builtin:horse`) as uint8 gray levels, shape `(height, width)`.
#[pyfunction]
fn read_picture(py: Python<'_>, path: PathBuf) -> PyResult<Bound<'_, PyAny>> {
    let gray = py.detach(|| read_gray(&path)).py()?;
    numpy2(py, gray)
}

/// Adds `denoise`, `estimates_marginals`, `energy`, `add_noise`, `gray_to_spins`, `spins_to_gray`, `read_picture`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(denoise, m)?)?;
    m.add_function(wrap_pyfunction!(estimates_marginals, m)?)?;
    m.add_function(wrap_pyfunction!(energy, m)?)?;
    m.add_function(wrap_pyfunction!(add_noise, m)?)?;
    m.add_function(wrap_pyfunction!(gray_to_spins, m)?)?;
    m.add_function(wrap_pyfunction!(spins_to_gray, m)?)?;
    m.add_function(wrap_pyfunction!(read_picture, m)?)?;
    m.add("METHODS", Method::ALL.map(|m| m.name()).to_vec())?;
    Ok(())
}
