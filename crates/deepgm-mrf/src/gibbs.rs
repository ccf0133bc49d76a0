//! Gibbs sampling from `p(x | y)` at a temperature, and simulated annealing.
//!
//! One raster sweep resamples every pixel from its conditional
//! `p(x_m = +1 | rest) = sigmoid(-dE / T)`, with `dE = E(x_m=+1) - E(x_m=-1)` from seed 4.1.

use std::time::Instant;

use deepgm_core::progress::Progress;
use deepgm_core::rng::{seeded, DeepRng};
use deepgm_core::{Error, Result};
use ndarray::{Array2, ArrayView2};
use rand::Rng;

use crate::grid::{neighbour_sum, PaddedGrid};
use crate::icm::{finish, icm_sweeps, DEFAULT_MAX_SWEEPS};
use crate::model::{check_positive, check_spins, IsingModel, Neighbourhood};
use crate::report::Denoised;

/// Settings of [`gibbs`].
#[derive(Debug, Clone, PartialEq)]
pub struct GibbsOptions {
    /// Temperature T > 0 (T = 1 samples the model's posterior).
    pub temperature: f64,
    /// Sweeps in total, burn-in included.
    pub sweeps: usize,
    /// Initial sweeps whose samples are discarded.
    pub burn_in: usize,
    /// Seed of the generator (same seed, same output).
    pub seed: u64,
}

impl Default for GibbsOptions {
    fn default() -> Self {
        GibbsOptions {
            temperature: 1.0,
            sweeps: 200,
            burn_in: 50,
            seed: 0,
        }
    }
}

/// Settings of [`anneal`].
#[derive(Debug, Clone, PartialEq)]
pub struct AnnealOptions {
    /// Temperature of the first sweep (> 0).
    pub t_start: f64,
    /// Temperature of the last sweep (> 0, at most `t_start`).
    pub t_end: f64,
    /// Sweeps of the geometric schedule `T_k = t_start * (t_end / t_start)^(k / (sweeps - 1))`.
    pub sweeps: usize,
    /// Seed of the generator.
    pub seed: u64,
}

impl Default for AnnealOptions {
    fn default() -> Self {
        AnnealOptions {
            t_start: 4.0,
            t_end: 0.05,
            sweeps: 100,
            seed: 0,
        }
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
            let delta = 2.0 * model.h - 2.0 * model.beta * s - 2.0 * model.eta * y;
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

/// Gibbs sampling at `options.temperature`, starting from `y`. The returned labelling is the
/// per-pixel majority over the samples after burn-in (the maximum posterior marginal estimate;
/// a tie keeps the last sample), and `marginals` holds each pixel's fraction of +1 samples.
///
/// # Errors
/// [`Error::InvalidParameter`] for a bad `y`, a temperature that is not finite and positive, or
/// no sweeps left after burn-in.
pub fn gibbs(
    model: &IsingModel,
    y: ArrayView2<'_, i8>,
    options: &GibbsOptions,
    progress: &dyn Progress,
) -> Result<Denoised> {
    check_spins("y", y)?;
    check_positive("temperature", options.temperature)?;
    if options.sweeps <= options.burn_in {
        return Err(Error::invalid(
            "sweeps",
            format!(
                "{} sweeps with a burn-in of {}: expected more sweeps than burn-in",
                options.sweeps, options.burn_in
            ),
        ));
    }
    let start = Instant::now();
    let yp = PaddedGrid::from_view(y);
    let mut x = yp.clone();
    let mut ones = PaddedGrid::<u32>::filled(x.rows, x.cols, 0);
    let table = conditional_table(model, options.temperature);
    let eight = model.neighbourhood == Neighbourhood::Eight;
    let mut rng = seeded(options.seed);
    progress.start(options.sweeps as u64, "gibbs");
    for k in 0..options.sweeps {
        sweep(&mut x, &yp, &table, eight, &mut rng);
        if k >= options.burn_in {
            for (count, &v) in ones.data.iter_mut().zip(&x.data) {
                *count += u32::from(v > 0);
            }
        }
        progress.advance(1);
    }
    let kept = (options.sweeps - options.burn_in) as u32;
    for (v, &count) in x.data.iter_mut().zip(&ones.data) {
        if *v != 0 && 2 * count != kept {
            *v = if 2 * count > kept { 1 } else { -1 };
        }
    }
    let marginals: Array2<f64> = ones.to_array().mapv(|c| c as f64 / kept as f64);
    let mut result = finish(model, "gibbs", x, y, options.sweeps, true, start)?;
    result.marginals = Some(marginals);
    Ok(result)
}

/// The last state of a Gibbs chain run for `sweeps` sweeps at temperature `t` from `init`: one
/// exact sample path, for checking the sampler against enumeration.
///
/// # Errors
/// As [`gibbs`].
pub fn gibbs_chain(
    model: &IsingModel,
    y: ArrayView2<'_, i8>,
    init: ArrayView2<'_, i8>,
    t: f64,
    sweeps: usize,
    rng: &mut DeepRng,
) -> Result<Array2<i8>> {
    crate::model::check_pair(init, y)?;
    check_positive("temperature", t)?;
    let yp = PaddedGrid::from_view(y);
    let mut x = PaddedGrid::from_view(init);
    let table = conditional_table(model, t);
    let eight = model.neighbourhood == Neighbourhood::Eight;
    for _ in 0..sweeps {
        sweep(&mut x, &yp, &table, eight, rng);
    }
    Ok(x.to_array())
}

/// Simulated annealing: Gibbs sweeps under a geometric temperature schedule from
/// `options.t_start` down to `options.t_end`, then ICM to the nearest fixed point (so the result
/// is a local minimum). `sweeps` in the report counts both.
///
/// # Errors
/// [`Error::InvalidParameter`] for a bad `y`, temperatures that are not finite and positive or
/// rise, or zero sweeps.
pub fn anneal(
    model: &IsingModel,
    y: ArrayView2<'_, i8>,
    options: &AnnealOptions,
    progress: &dyn Progress,
) -> Result<Denoised> {
    check_spins("y", y)?;
    check_positive("temperature", options.t_start)?;
    check_positive("final temperature", options.t_end)?;
    if options.t_end > options.t_start {
        return Err(Error::invalid(
            "final temperature",
            format!(
                "{} is above the starting temperature {}: the schedule must cool",
                options.t_end, options.t_start
            ),
        ));
    }
    if options.sweeps == 0 {
        return Err(Error::invalid("sweeps", "0: expected at least 1"));
    }
    let start = Instant::now();
    let yp = PaddedGrid::from_view(y);
    let mut x = yp.clone();
    let eight = model.neighbourhood == Neighbourhood::Eight;
    let mut rng = seeded(options.seed);
    let ratio = options.t_end / options.t_start;
    progress.start(options.sweeps as u64, "anneal");
    for k in 0..options.sweeps {
        let fraction = if options.sweeps == 1 {
            1.0
        } else {
            k as f64 / (options.sweeps - 1) as f64
        };
        let t = options.t_start * ratio.powf(fraction);
        sweep(&mut x, &yp, &conditional_table(model, t), eight, &mut rng);
        progress.advance(1);
    }
    let (polish, converged) = icm_sweeps(model, &mut x, &yp, DEFAULT_MAX_SWEEPS);
    finish(
        model,
        "anneal",
        x,
        y,
        options.sweeps + polish,
        converged,
        start,
    )
}
