//! Mean-field (variational) inference: fully factorized `q(x) = prod_i q_i(x_i)` with
//! magnetizations `m_i = E_q[x_i]`, updated in parallel with damping.

use std::time::Instant;

use deepgm_core::{Error, Result};
use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::grid::{neighbour_sum_f64, PaddedGrid};
use crate::icm::finish;
use crate::model::{check_positive, check_spins, IsingModel, Neighbourhood};
use crate::report::Denoised;

/// Settings of [`mean_field`].
#[derive(Debug, Clone, PartialEq)]
pub struct MeanFieldOptions {
    /// Temperature T > 0.
    pub temperature: f64,
    /// Damping lambda in (0, 1]: `m <- (1 - lambda) m + lambda * tanh(...)`; 1 is undamped.
    pub damping: f64,
    /// Stop when no magnetization moves by more than this in a sweep.
    pub tolerance: f64,
    /// Cap on sweeps.
    pub max_sweeps: usize,
}

impl Default for MeanFieldOptions {
    fn default() -> Self {
        MeanFieldOptions {
            temperature: 1.0,
            damping: 0.5,
            tolerance: 1e-4,
            max_sweeps: 1000,
        }
    }
}

/// Damped parallel mean-field updates `m_i = tanh((-h + beta * sum_{j~i} m_j + eta * y_i) / T)`
/// from `m = y`, until the largest change in a sweep is below the tolerance or the sweep cap is
/// reached. The labelling is the sign of `m` (0 keeps `y`); `marginals` holds
/// `q(x_i = +1) = (1 + m_i) / 2`.
///
/// # Errors
/// [`Error::InvalidParameter`] for a bad `y`, a temperature that is not finite and positive, a
/// damping outside (0, 1], or a tolerance that is not finite and positive.
pub fn mean_field(
    model: &IsingModel,
    y: ArrayView2<'_, i8>,
    options: &MeanFieldOptions,
) -> Result<Denoised> {
    check_spins("y", y)?;
    let t = options.temperature;
    if !(t.is_finite() && t > 0.0) {
        return Err(Error::invalid(
            "temperature",
            format!("{t}: expected a finite number > 0"),
        ));
    }
    if !(options.damping > 0.0 && options.damping <= 1.0) {
        return Err(Error::invalid(
            "damping",
            format!("{}: expected (0, 1]", options.damping),
        ));
    }
    check_positive("tolerance", options.tolerance)?;
    let start = Instant::now();
    let yp = PaddedGrid::from_view(y);
    let mut m = PaddedGrid::<f64>::from_view(y.mapv(f64::from).view());
    let mut next = m.clone();
    let eight = model.neighbourhood == Neighbourhood::Eight;
    let (stride, cols, rows) = (m.stride, m.cols, m.rows);
    let (beta, eta, h, lambda) = (model.beta / t, model.eta / t, model.h / t, options.damping);
    let mut sweeps = 0;
    let mut converged = false;
    while sweeps < options.max_sweeps {
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
        if largest < options.tolerance {
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
    let mut result = finish(model, "meanfield", labels, y, sweeps, converged, start)?;
    result.marginals = Some(marginals);
    Ok(result)
}
