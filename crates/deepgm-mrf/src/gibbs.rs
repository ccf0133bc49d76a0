//! Gibbs sampling from `p(x | y)` at a temperature, and simulated annealing.
//!
//! One raster sweep resamples every pixel from its conditional
//! `p(x_m = +1 | rest) = sigmoid(-dE / T)`, with `dE = E(x_m=+1) - E(x_m=-1)` from seed 4.1.

use std::time::Instant;

use deepgm_core::params::{check_positive, check_positive_real, Params};
use deepgm_core::progress::{NoProgress, Progress};
use deepgm_core::rng::{seeded, DeepRng};
use deepgm_core::{Error, Result};
use ndarray::{Array2, ArrayView2};
use rand::Rng;
use serde::Serialize;

use crate::grid::{neighbour_sum, PaddedGrid};
use crate::icm::{finish, icm_sweeps, DEFAULT_MAX_SWEEPS};
use crate::model::{check_spins, IsingModel, Neighbourhood};
use crate::report::{Denoised, Method};

/// Parameters of [`gibbs`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GibbsParams {
    /// Temperature T, finite and > 0 (T = 1 samples the model's posterior); default 1.
    pub temperature: f64,
    /// Sweeps in total, burn-in included (more than `burn_in`); default 200.
    pub sweeps: usize,
    /// Initial sweeps whose samples are discarded; default 50.
    pub burn_in: usize,
    /// Seed of the generator (same seed, same output); default 0.
    pub seed: u64,
}

impl Default for GibbsParams {
    fn default() -> Self {
        GibbsParams {
            temperature: 1.0,
            sweeps: 200,
            burn_in: 50,
            seed: 0,
        }
    }
}

impl GibbsParams {
    /// The default parameters with `sweeps` sweeps in total and the default's share of them,
    /// a quarter (rounded down), as burn-in: `with_sweeps(200)` is the default.
    pub fn with_sweeps(sweeps: usize) -> Self {
        GibbsParams {
            sweeps,
            burn_in: sweeps / 4,
            ..GibbsParams::default()
        }
    }
}

impl Params for GibbsParams {
    fn check(&self) -> Result<()> {
        check_positive_real("temperature", self.temperature)?;
        check_positive("sweeps", self.sweeps)?;
        if self.burn_in >= self.sweeps {
            return Err(Error::param(
                "burn_in",
                self.burn_in,
                format!("fewer than the {} sweeps", self.sweeps),
            ));
        }
        Ok(())
    }
}

/// Parameters of [`anneal`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnealParams {
    /// Temperature of the first sweep, finite and > 0; default 4.
    pub t_start: f64,
    /// Temperature of the last sweep, finite, > 0 and at most `t_start`; default 0.05.
    pub t_end: f64,
    /// Sweeps of the geometric schedule `T_k = t_start * (t_end / t_start)^(k / (sweeps - 1))`
    /// (at least 1); default 100.
    pub sweeps: usize,
    /// Seed of the generator (same seed, same output); default 0.
    pub seed: u64,
}

impl Default for AnnealParams {
    fn default() -> Self {
        AnnealParams {
            t_start: 4.0,
            t_end: 0.05,
            sweeps: 100,
            seed: 0,
        }
    }
}

impl Params for AnnealParams {
    fn check(&self) -> Result<()> {
        check_positive_real("t_start", self.t_start)?;
        check_positive_real("t_end", self.t_end)?;
        if self.t_end > self.t_start {
            return Err(Error::param(
                "t_end",
                self.t_end,
                format!(
                    "at most the starting temperature {} (the schedule must cool)",
                    self.t_start
                ),
            ));
        }
        check_positive("sweeps", self.sweeps)
    }
}

/// `P(x_m = +1 | rest)` for every neighbour sum `s` (index `s + 8`) and observation (index 0 for
/// -1, 1 for +1) at temperature `t`.
fn conditional_table(model: &IsingModel, t: f64) -> [[f64; 2]; 17] {
    let mut table = [[0.0; 2]; 17];
    for (k, row) in table.iter_mut().enumerate() {
        let s = k as f64 - 8.0;
        for (yi, slot) in row.iter_mut().enumerate() {
            let y = if yi == 1 { 1.0 } else { -1.0 };
            let delta = 2.0 * model.h() - 2.0 * model.beta() * s - 2.0 * model.eta() * y;
            *slot = 1.0 / (1.0 + (delta / t).exp());
        }
    }
    table
}

/// One raster Gibbs sweep at the temperature behind `table`.
fn sweep(
    x: &mut PaddedGrid<i8>,
    y: &PaddedGrid<i8>,
    table: &[[f64; 2]; 17],
    eight: bool,
    rng: &mut DeepRng,
) {
    let stride = x.stride;
    for r in 0..x.rows {
        let base = (r + 1) * stride + 1;
        for i in base..base + x.cols {
            let s = neighbour_sum(&x.data, i, stride, eight);
            let p = table[(s + 8) as usize][usize::from(y.data[i] > 0)];
            x.data[i] = if rng.random::<f64>() < p { 1 } else { -1 };
        }
    }
}

/// Gibbs sampling from `p(x | y)` at `params.temperature`, starting from the observation `y`
/// (shape `(rows, cols)`, values -1/+1). The returned labelling is the per-pixel majority over
/// the samples after burn-in (the maximum posterior marginal estimate; a tie keeps the last
/// sample), and `marginals` holds each pixel's fraction of +1 samples. One unit of `progress`
/// per sweep.
///
/// # Errors
/// [`Error::InvalidParameter`] naming the field of `params` that cannot be used (`temperature`,
/// `sweeps`, `burn_in`), or `y` for a value other than -1/+1; [`Error::Shape`] for an empty `y`.
pub fn gibbs(
    model: &IsingModel,
    y: ArrayView2<'_, i8>,
    params: &GibbsParams,
    progress: &dyn Progress,
) -> Result<Denoised> {
    params.check()?;
    check_spins("y", y)?;
    let start = Instant::now();
    let yp = PaddedGrid::from_view(y);
    let mut x = yp.clone();
    let mut ones = PaddedGrid::<u32>::filled(x.rows, x.cols, 0);
    let table = conditional_table(model, params.temperature);
    let eight = model.neighbourhood() == Neighbourhood::Eight;
    let mut rng = seeded(params.seed);
    progress.start(params.sweeps as u64, Method::Gibbs.name());
    for k in 0..params.sweeps {
        sweep(&mut x, &yp, &table, eight, &mut rng);
        if k >= params.burn_in {
            for (count, &v) in ones.data.iter_mut().zip(&x.data) {
                *count += u32::from(v > 0);
            }
        }
        progress.advance(1);
    }
    let kept = (params.sweeps - params.burn_in) as u32;
    for (v, &count) in x.data.iter_mut().zip(&ones.data) {
        if *v != 0 && 2 * count != kept {
            *v = if 2 * count > kept { 1 } else { -1 };
        }
    }
    let marginals: Array2<f64> = ones.to_array().mapv(|c| c as f64 / kept as f64);
    let mut result = finish(model, Method::Gibbs, x, y, params.sweeps, true, start)?;
    result.marginals = Some(marginals);
    Ok(result)
}

/// Simulated annealing: Gibbs sweeps on the observation `y` (shape `(rows, cols)`, values
/// -1/+1) under a geometric temperature schedule from `params.t_start` down to `params.t_end`,
/// then ICM to the nearest fixed point (so the result is a local minimum). `sweeps` in the report
/// counts both. One unit of `progress` per annealing sweep.
///
/// # Errors
/// [`Error::InvalidParameter`] naming the field of `params` that cannot be used (`t_start`,
/// `t_end`, `sweeps`), or `y` for a value other than -1/+1; [`Error::Shape`] for an empty `y`.
pub fn anneal(
    model: &IsingModel,
    y: ArrayView2<'_, i8>,
    params: &AnnealParams,
    progress: &dyn Progress,
) -> Result<Denoised> {
    params.check()?;
    check_spins("y", y)?;
    let start = Instant::now();
    let yp = PaddedGrid::from_view(y);
    let mut x = yp.clone();
    let eight = model.neighbourhood() == Neighbourhood::Eight;
    let mut rng = seeded(params.seed);
    let ratio = params.t_end / params.t_start;
    progress.start(params.sweeps as u64, Method::Anneal.name());
    for k in 0..params.sweeps {
        let fraction = if params.sweeps == 1 {
            1.0
        } else {
            k as f64 / (params.sweeps - 1) as f64
        };
        let t = params.t_start * ratio.powf(fraction);
        sweep(&mut x, &yp, &conditional_table(model, t), eight, &mut rng);
        progress.advance(1);
    }
    let (polish, converged) = icm_sweeps(model, &mut x, &yp, DEFAULT_MAX_SWEEPS, &NoProgress);
    finish(
        model,
        Method::Anneal,
        x,
        y,
        params.sweeps + polish,
        converged,
        start,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_sweeps_keeps_the_default_share_of_burn_in() {
        assert_eq!(GibbsParams::with_sweeps(200), GibbsParams::default());
        let p = GibbsParams::with_sweeps(40);
        assert_eq!((p.sweeps, p.burn_in), (40, 10));
        assert!(p.check().is_ok());
    }
}
