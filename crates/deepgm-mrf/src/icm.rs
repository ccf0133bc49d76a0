//! Iterated conditional modes: each pixel in turn takes the value of lower energy given its
//! neighbours (seed 4.1 makes this a local decision), until a sweep changes nothing.

use std::time::Instant;

use deepgm_core::Result;
use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::grid::{neighbour_sum, PaddedGrid};
use crate::model::{check_pair, check_spins, count_differences, IsingModel, Neighbourhood};
use crate::report::{Denoised, Report};

/// The local decision of ICM, as a lookup table over the neighbour sum and the observation.
///
/// `E(x_m=+1) - E(x_m=-1) = -2 * (beta * s + eta * y_m - h)` (seed 4.1), so the lower-energy value
/// is the sign of `beta * s + eta * y_m - h`; on a tie the pixel keeps its value (0 in the table),
/// which is what makes ICM stop.
pub(crate) struct Decision {
    table: [[i8; 2]; 17],
}

impl Decision {
    pub fn new(model: &IsingModel) -> Self {
        let mut table = [[0i8; 2]; 17];
        for (k, row) in table.iter_mut().enumerate() {
            let s = k as f64 - 8.0;
            for (yi, slot) in row.iter_mut().enumerate() {
                let y = if yi == 1 { 1.0 } else { -1.0 };
                let field = model.beta * s + model.eta * y - model.h;
                *slot = if field > 0.0 {
                    1
                } else if field < 0.0 {
                    -1
                } else {
                    0
                };
            }
        }
        Decision { table }
    }

    /// The new value of a pixel whose neighbours sum to `s`, observed `y`, currently `current`.
    #[inline(always)]
    pub fn decide(&self, s: i32, y: i8, current: i8) -> i8 {
        let d = self.table[(s + 8) as usize][usize::from(y > 0)];
        if d == 0 {
            current
        } else {
            d
        }
    }
}

/// Default cap on ICM sweeps (ICM on a 2048 x 2048 noisy image stops after about 5-10).
pub const DEFAULT_MAX_SWEEPS: usize = 1000;

fn start_from(y: ArrayView2<'_, i8>, init: Option<ArrayView2<'_, i8>>) -> Result<PaddedGrid<i8>> {
    match init {
        Some(x) => {
            check_pair(x, y)?;
            Ok(PaddedGrid::from_view(x))
        }
        None => {
            check_spins("y", y)?;
            Ok(PaddedGrid::from_view(y))
        }
    }
}

/// Raster-order ICM from `init` (default: `y`) until a sweep changes nothing or `max_sweeps`
/// sweeps have run. The energy never increases.
///
/// # Errors
/// [`deepgm_core::Error::InvalidArgument`] when `y` (or `init`) is not a non-empty -1/+1 grid of
/// one shape.
pub fn icm(
    model: &IsingModel,
    y: ArrayView2<'_, i8>,
    init: Option<ArrayView2<'_, i8>>,
    max_sweeps: usize,
) -> Result<Denoised> {
    let start = Instant::now();
    let mut x = start_from(y, init)?;
    let (sweeps, converged) = icm_sweeps(model, &mut x, &PaddedGrid::from_view(y), max_sweeps);
    finish(model, "icm", x, y, sweeps, converged, start)
}

/// Raster ICM sweeps on padded grids, in place; returns (sweeps run, reached a fixed point).
pub(crate) fn icm_sweeps(
    model: &IsingModel,
    x: &mut PaddedGrid<i8>,
    y: &PaddedGrid<i8>,
    max_sweeps: usize,
) -> (usize, bool) {
    let decision = Decision::new(model);
    let eight = model.neighbourhood == Neighbourhood::Eight;
    let stride = x.stride;
    for sweep in 1..=max_sweeps {
        let mut changed = 0usize;
        for r in 0..x.rows {
            let base = (r + 1) * stride + 1;
            for i in base..base + x.cols {
                let s = neighbour_sum(&x.data, i, stride, eight);
                let new = decision.decide(s, y.data[i], x.data[i]);
                changed += usize::from(new != x.data[i]);
                x.data[i] = new;
            }
        }
        if changed == 0 {
            return (sweep, true);
        }
    }
    (max_sweeps, false)
}

/// ICM that updates one colour class at a time: a checkerboard for the 4-neighbourhood (2 colours),
/// a 2 x 2 pattern for the 8-neighbourhood (4 colours), so that no two pixels updated together
/// are neighbours. Each class update is parallel over rows and branch-free within a row. Stops at
/// a fixed point (a full sweep over all classes changes nothing) or after `max_sweeps`; the
/// energy never increases.
///
/// # Errors
/// As [`icm`].
pub fn icm_checkerboard(
    model: &IsingModel,
    y: ArrayView2<'_, i8>,
    init: Option<ArrayView2<'_, i8>>,
    max_sweeps: usize,
) -> Result<Denoised> {
    let start = Instant::now();
    let mut x = start_from(y, init)?;
    let yp = PaddedGrid::from_view(y);
    let decision = Decision::new(model);
    let eight = model.neighbourhood == Neighbourhood::Eight;
    let colours: &[(usize, usize)] = if eight {
        &[(0, 0), (0, 1), (1, 0), (1, 1)]
    } else {
        &[(0, 0), (0, 1)]
    };
    let stride = x.stride;
    let cols = x.cols;
    let mut next = x.clone();
    let mut sweeps = 0;
    let mut converged = false;
    while sweeps < max_sweeps {
        sweeps += 1;
        let mut changed = 0usize;
        for &(row_parity, col_parity) in colours {
            let cur = &x.data;
            changed += next
                .data
                .par_chunks_mut(stride)
                .enumerate()
                .skip(1)
                .take(x.rows)
                .map(|(pr, out)| {
                    let r = pr - 1;
                    let base = pr * stride;
                    // 4-neighbourhood: colour (r + c) mod 2; 8-neighbourhood: (r mod 2, c mod 2).
                    let phase = if eight {
                        if r % 2 != row_parity {
                            out.copy_from_slice(&cur[base..base + stride]);
                            return 0;
                        }
                        col_parity
                    } else {
                        (r + col_parity) % 2
                    };
                    let mut row_changed = 0usize;
                    for c in 0..cols {
                        let i = base + c + 1;
                        let old = cur[i];
                        let new = if c % 2 == phase {
                            decision.decide(neighbour_sum(cur, i, stride, eight), yp.data[i], old)
                        } else {
                            old
                        };
                        row_changed += usize::from(new != old);
                        out[c + 1] = new;
                    }
                    row_changed
                })
                .sum::<usize>();
            std::mem::swap(&mut x, &mut next);
        }
        if changed == 0 {
            converged = true;
            break;
        }
    }
    finish(model, "icm-checkerboard", x, y, sweeps, converged, start)
}

/// Packs a finished labelling into a [`Denoised`] with its energy and change count.
pub(crate) fn finish(
    model: &IsingModel,
    method: &'static str,
    x: PaddedGrid<i8>,
    y: ArrayView2<'_, i8>,
    sweeps: usize,
    converged: bool,
    start: Instant,
) -> Result<Denoised> {
    let labels = x.to_array();
    let seconds = start.elapsed().as_secs_f64();
    let energy = model.energy(labels.view(), y)?;
    let changed = count_differences(labels.view(), y);
    Ok(Denoised {
        labels,
        marginals: None,
        report: Report {
            method,
            energy,
            sweeps,
            changed,
            converged,
            seconds,
        },
    })
}
