//! Mean-field (variational) inference: fully factorized `q(x) = prod_i q_i(x_i)` with
//! magnetizations `m_i = E_q[x_i]`, updated in parallel with damping.

use std::time::Instant;

use deepgm_core::params::{check_positive, check_positive_real, Params};
use deepgm_core::progress::Progress;
use deepgm_core::{Error, Result};
use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::Serialize;

use crate::grid::{neighbour_sum_f64, PaddedGrid};
use crate::icm::finish;
use crate::model::{check_spins, IsingModel, Neighbourhood};
use crate::report::{Denoised, Method};

/// Parameters of [`mean_field`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeanFieldParams {
    /// Temperature T, finite and > 0; default 1.
    pub temperature: f64,
    /// Damping lambda in (0, 1]: `m <- (1 - lambda) m + lambda * tanh(...)`; 1 is undamped;
    /// default 0.5.
    pub damping: f64,
    /// Stop when no magnetization moves by more than this in a sweep (finite, > 0); default 1e-4.
    pub tolerance: f64,
    /// Cap on sweeps (at least 1); default 1,000.
    pub max_sweeps: usize,
}

impl Default for MeanFieldParams {
    fn default() -> Self {
        MeanFieldParams {
            temperature: 1.0,
            damping: 0.5,
            tolerance: 1e-4,
            max_sweeps: 1000,
        }
    }
}

impl Params for MeanFieldParams {
    fn check(&self) -> Result<()> {
        check_positive_real("temperature", self.temperature)?;
        if !(self.damping > 0.0 && self.damping <= 1.0) {
            return Err(Error::param("damping", self.damping, "a number in (0, 1]"));
        }
        check_positive_real("tolerance", self.tolerance)?;
        check_positive("max_sweeps", self.max_sweeps)
    }
}

/// Damped parallel mean-field updates `m_i = tanh((-h + beta * sum_{j~i} m_j + eta * y_i) / T)`
/// on the observation `y` (shape `(rows, cols)`, values -1/+1) from `m = y`, until the largest
/// change in a sweep is below the tolerance or the sweep cap is reached. The labelling is the
/// sign of `m` (0 keeps `y`); `marginals` holds `q(x_i = +1) = (1 + m_i) / 2`. One unit of
/// `progress` per sweep.
///
/// # Errors
/// [`Error::InvalidParameter`] naming the field of `params` that cannot be used
/// (`temperature`, `damping`, `tolerance`, `max_sweeps`), or `y` for a value other than -1/+1;
/// [`Error::Shape`] for an empty `y`.
pub fn mean_field(
    model: &IsingModel,
    y: ArrayView2<'_, i8>,
    params: &MeanFieldParams,
    progress: &dyn Progress,
) -> Result<Denoised> {
    params.check()?;
    check_spins("y", y)?;
    let t = params.temperature;
    let start = Instant::now();
    let yp = PaddedGrid::from_view(y);
    let mut m = PaddedGrid::<f64>::from_view(y.mapv(f64::from).view());
    let mut next = m.clone();
    let eight = model.neighbourhood() == Neighbourhood::Eight;
    let (stride, cols, rows) = (m.stride, m.cols, m.rows);
    let (beta, eta, h, lambda) = (
        model.beta() / t,
        model.eta() / t,
        model.h() / t,
        params.damping,
    );
    let mut sweeps = 0;
    let mut converged = false;
    progress.start(params.max_sweeps as u64, Method::Meanfield.name());
    while sweeps < params.max_sweeps {
        sweeps += 1;
        let cur = &m.data;
        let yd = &yp.data;
        let largest = next
            .data
            .par_chunks_mut(stride)
            .enumerate()
            .skip(1)
            .take(rows)
            .map(|(pr, out)| {
                let base = pr * stride;
                let mut largest = 0.0f64;
                for (c, slot) in out.iter_mut().enumerate().take(cols + 1).skip(1) {
                    let i = base + c;
                    let field =
                        -h + beta * neighbour_sum_f64(cur, i, stride, eight) + eta * yd[i] as f64;
                    let new = (1.0 - lambda) * cur[i] + lambda * field.tanh();
                    largest = largest.max((new - cur[i]).abs());
                    *slot = new;
                }
                largest
            })
            .reduce(|| 0.0, f64::max);
        std::mem::swap(&mut m, &mut next);
        progress.advance(1);
        if largest < params.tolerance {
            converged = true;
            break;
        }
    }
    let mut labels = yp.clone();
    for (label, &mi) in labels.data.iter_mut().zip(&m.data) {
        if mi > 0.0 {
            *label = 1;
        } else if mi < 0.0 {
            *label = -1;
        }
    }
    let marginals = m.to_array().mapv(|mi| (1.0 + mi) / 2.0);
    let mut result = finish(
        model,
        Method::Meanfield,
        labels,
        y,
        sweeps,
        converged,
        start,
    )?;
    result.marginals = Some(marginals);
    Ok(result)
}
