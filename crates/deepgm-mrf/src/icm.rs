//! Iterated conditional modes: each pixel in turn takes the value of lower energy given its
//! neighbours (seed 4.1 makes this a local decision), until a sweep changes nothing.

use std::time::Instant;

use deepgm_core::params::{check_positive, Params};
use deepgm_core::progress::Progress;
use deepgm_core::Result;
use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::Serialize;

use crate::grid::{neighbour_offsets, neighbour_sum, PaddedGrid};
use crate::model::{
    check_pair, check_spins, count_differences, count_differences_in, IsingModel, Neighbourhood,
};
use crate::report::{Denoised, Method, Report};

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
                let field = model.beta() * s + model.eta() * y - model.h();
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

/// The ICM decision as two thresholds on the (sign-adjusted) neighbour sum, so that a whole row
/// can be decided with branch-free byte arithmetic (SIMD-friendly).
///
/// For `beta >= 0` the field `beta * s + eta * y - h` is non-decreasing in `s` (also in floating
/// point, since rounding is monotone), so the values of `s` that give +1 form an upper set and
/// those that give -1 a lower set; for `beta < 0` the same holds for `-s`. The thresholds are read
/// off [`Decision`]'s table, so both forms decide identically (tested).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Thresholds {
    sign: i8,
    /// Smallest sign-adjusted sum giving +1, per observation (-1, +1); 127 when none does.
    up: [i8; 2],
    /// Largest sign-adjusted sum giving -1, per observation; -128 when none does.
    down: [i8; 2],
}

impl Thresholds {
    pub fn new(model: &IsingModel) -> Self {
        let decision = Decision::new(model);
        let sign: i8 = if model.beta() < 0.0 { -1 } else { 1 };
        let mut up = [i8::MAX; 2];
        let mut down = [i8::MIN; 2];
        for yi in 0..2 {
            let y = if yi == 1 { 1 } else { -1 };
            for adjusted in -8i8..=8 {
                match decision.decide(i32::from(adjusted * sign), y, 0) {
                    1 => up[yi] = up[yi].min(adjusted),
                    -1 => down[yi] = down[yi].max(adjusted),
                    _ => {}
                }
            }
        }
        Thresholds { sign, up, down }
    }

    /// The new value of a pixel with neighbour sum `s`, observation `y`, current value `old`.
    #[inline(always)]
    pub fn decide(&self, s: i8, y: i8, old: i8) -> i8 {
        let adjusted = s.wrapping_mul(self.sign);
        let positive = y > 0;
        let up = if positive { self.up[1] } else { self.up[0] };
        let down = if positive { self.down[1] } else { self.down[0] };
        if adjusted >= up {
            1
        } else if adjusted <= down {
            -1
        } else {
            old
        }
    }
}

/// One colour class of one row of checkerboard ICM: writes the row's new values into `out`
/// (the row's interior, `cols` long) from the current grid `cur`, deciding the pixels where
/// `mask` is non-zero and copying the others; returns how many changed. `centre` is the padded
/// index of the row's first interior pixel.
#[allow(clippy::too_many_arguments)]
#[inline]
fn decide_row(
    out: &mut [i8],
    cur: &[i8],
    y: &[i8],
    mask: &[i8],
    centre: usize,
    stride: usize,
    eight: bool,
    th: &Thresholds,
) -> usize {
    let n = out.len();
    let old = &cur[centre..centre + n];
    let left = &cur[centre - 1..centre - 1 + n];
    let right = &cur[centre + 1..centre + 1 + n];
    let up = &cur[centre - stride..centre - stride + n];
    let down = &cur[centre + stride..centre + stride + n];
    let y = &y[centre..centre + n];
    let mask = &mask[..n];
    let Thresholds {
        sign,
        up: up_at,
        down: down_at,
    } = *th;
    // Branch-free on purpose: the whole row compiles to byte-wide SIMD selects.
    let decide = |s: i8, y: i8, old: i8, m: i8| -> i8 {
        let adjusted = s.wrapping_mul(sign);
        let positive = y > 0;
        let up_at = if positive { up_at[1] } else { up_at[0] };
        let down_at = if positive { down_at[1] } else { down_at[0] };
        let decided = if adjusted >= up_at {
            1
        } else if adjusted <= down_at {
            -1
        } else {
            old
        };
        if m != 0 {
            decided
        } else {
            old
        }
    };
    if eight {
        let ul = &cur[centre - stride - 1..centre - stride - 1 + n];
        let ur = &cur[centre - stride + 1..centre - stride + 1 + n];
        let dl = &cur[centre + stride - 1..centre + stride - 1 + n];
        let dr = &cur[centre + stride + 1..centre + stride + 1 + n];
        for c in 0..n {
            let s = left[c] + right[c] + up[c] + down[c] + ul[c] + ur[c] + dl[c] + dr[c];
            out[c] = decide(s, y[c], old[c], mask[c]);
        }
    } else {
        for (((((((o, &l), &r), &u), &d), &yc), &m), &was) in out
            .iter_mut()
            .zip(left)
            .zip(right)
            .zip(up)
            .zip(down)
            .zip(y)
            .zip(mask)
            .zip(old)
        {
            *o = decide(l + r + u + d, yc, was, m);
        }
    }
    count_differences_in(out, old)
}

/// Default cap on ICM sweeps (ICM on a 2048 x 2048 noisy image stops after about 5-10).
pub(crate) const DEFAULT_MAX_SWEEPS: usize = 1000;

/// Parameters of [`icm`] and [`icm_checkerboard`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IcmParams {
    /// Cap on full sweeps over the grid (at least 1); default 1,000 (ICM on a 2048 x 2048 noisy
    /// image stops after about 5-10).
    pub max_sweeps: usize,
}

impl Default for IcmParams {
    fn default() -> Self {
        IcmParams {
            max_sweeps: DEFAULT_MAX_SWEEPS,
        }
    }
}

impl Params for IcmParams {
    fn check(&self) -> Result<()> {
        check_positive("max_sweeps", self.max_sweeps)
    }
}

fn start_from(
    y: ArrayView2<'_, i8>,
    init: Option<ArrayView2<'_, i8>>,
) -> Result<(PaddedGrid<i8>, PaddedGrid<i8>)> {
    check_spins("y", y)?;
    let yp = PaddedGrid::from_view(y);
    let x = match init {
        Some(x) => {
            check_pair(x, y)?;
            PaddedGrid::from_view(x)
        }
        None => yp.clone(),
    };
    Ok((x, yp))
}

/// Raster-order ICM on the observation `y` (shape `(rows, cols)`, values -1/+1), starting from
/// `y`, until a sweep changes nothing or `params.max_sweeps` sweeps have run. The energy never
/// increases. Reports one unit of `progress` per sweep.
///
/// # Errors
/// [`deepgm_core::Error::InvalidParameter`] naming `max_sweeps` when it is 0, or `y` when it
/// holds a value other than -1/+1; [`deepgm_core::Error::Shape`] when `y` is empty.
pub fn icm(
    model: &IsingModel,
    y: ArrayView2<'_, i8>,
    params: &IcmParams,
    progress: &dyn Progress,
) -> Result<Denoised> {
    raster_icm(model, y, None, params, progress)
}

/// [`icm`] starting from the labelling `init` (same shape as `y`, values -1/+1) instead of `y`.
///
/// # Errors
/// As [`icm`]; also [`deepgm_core::Error::InvalidParameter`] naming `x` when `init` holds a
/// value other than -1/+1, and [`deepgm_core::Error::Shape`] naming `x` when `init` is empty or
/// its shape differs from `y`'s.
pub fn icm_from(
    model: &IsingModel,
    y: ArrayView2<'_, i8>,
    init: ArrayView2<'_, i8>,
    params: &IcmParams,
    progress: &dyn Progress,
) -> Result<Denoised> {
    raster_icm(model, y, Some(init), params, progress)
}

fn raster_icm(
    model: &IsingModel,
    y: ArrayView2<'_, i8>,
    init: Option<ArrayView2<'_, i8>>,
    params: &IcmParams,
    progress: &dyn Progress,
) -> Result<Denoised> {
    params.check()?;
    let start = Instant::now();
    let (mut x, yp) = start_from(y, init)?;
    progress.start(params.max_sweeps as u64, Method::Icm.name());
    let (sweeps, converged) = icm_sweeps(model, &mut x, &yp, params.max_sweeps, progress);
    finish(model, Method::Icm, x, y, sweeps, converged, start)
}

/// Raster ICM sweeps on padded grids, in place; returns (sweeps run, reached a fixed point).
///
/// Exactly the result of full raster sweeps, computed faster: a pixel is re-evaluated only when
/// a neighbour changed since its last evaluation ("dirty"). A clean pixel would keep its value
/// (it took the better value for these very neighbours, and ties keep the current value), so
/// skipping it changes nothing, including the number of sweeps. Advances `progress` by one per
/// sweep.
pub(crate) fn icm_sweeps(
    model: &IsingModel,
    x: &mut PaddedGrid<i8>,
    y: &PaddedGrid<i8>,
    max_sweeps: usize,
    progress: &dyn Progress,
) -> (usize, bool) {
    let th = Thresholds::new(model);
    let eight = model.neighbourhood() == Neighbourhood::Eight;
    let stride = x.stride;
    let offsets = neighbour_offsets(model.neighbourhood(), stride);
    if max_sweeps == 0 {
        return (0, false);
    }
    let mut dirty = vec![false; x.data.len()];
    // row_dirty[pr]: padded row pr may hold dirty pixels.
    let mut row_dirty = vec![false; x.rows + 2];
    let decision = Decision::new(model);
    let first_changed = if eight {
        first_sweep::<true>(x, y, &decision, &mut dirty, &mut row_dirty)
    } else {
        first_sweep::<false>(x, y, &decision, &mut dirty, &mut row_dirty)
    };
    progress.advance(1);
    if first_changed == 0 {
        return (1, true);
    }
    for sweep in 2..=max_sweeps {
        let mut changed = 0usize;
        for r in 0..x.rows {
            let pr = r + 1;
            if !row_dirty[pr] {
                continue;
            }
            row_dirty[pr] = false;
            let base = pr * stride + 1;
            for i in base..base + x.cols {
                if !dirty[i] {
                    continue;
                }
                dirty[i] = false;
                let s = neighbour_sum(&x.data, i, stride, eight) as i8;
                let old = x.data[i];
                let new = th.decide(s, y.data[i], old);
                if new != old {
                    x.data[i] = new;
                    changed += 1;
                    for &off in &offsets {
                        dirty[(i as isize + off) as usize] = true;
                    }
                    row_dirty[pr - 1] = true;
                    row_dirty[pr] = true;
                    row_dirty[pr + 1] = true;
                }
            }
        }
        progress.advance(1);
        if changed == 0 {
            return (sweep, true);
        }
    }
    (max_sweeps, false)
}

/// The first raster sweep, which evaluates every pixel. The left neighbour, just decided, is
/// carried in a register rather than reloaded. When a pixel changes, the neighbours already
/// evaluated in this sweep (left, up, and for the 8-neighbourhood up-left and up-right) are marked
/// dirty for the next sweep; the others are still to be evaluated in this one. Returns the number
/// of pixels changed.
fn first_sweep<const EIGHT: bool>(
    x: &mut PaddedGrid<i8>,
    y: &PaddedGrid<i8>,
    decision: &Decision,
    dirty: &mut [bool],
    row_dirty: &mut [bool],
) -> usize {
    let (stride, cols) = (x.stride, x.cols);
    let mut changed = 0usize;
    for pr in 1..=x.rows {
        let base = pr * stride;
        let (head, tail) = x.data.split_at_mut(base);
        let up = &head[base - stride..];
        let (row, rest) = tail.split_at_mut(stride);
        let down = &rest[..stride];
        let yrow = &y.data[base..base + stride];
        let mut left = row[0];
        let mut row_changed = false;
        for c in 1..=cols {
            let old = row[c];
            let mut s = left + row[c + 1] + up[c] + down[c];
            if EIGHT {
                s += up[c - 1] + up[c + 1] + down[c - 1] + down[c + 1];
            }
            let new = decision.decide(i32::from(s), yrow[c], old);
            if new != old {
                row[c] = new;
                changed += 1;
                row_changed = true;
                dirty[base + c - 1] = true;
                dirty[base - stride + c] = true;
                if EIGHT {
                    dirty[base - stride + c - 1] = true;
                    dirty[base - stride + c + 1] = true;
                }
            }
            left = new;
        }
        if row_changed {
            row_dirty[pr - 1] = true;
            row_dirty[pr] = true;
        }
    }
    changed
}

/// ICM that updates one colour class at a time: a checkerboard for the 4-neighbourhood (2 colours),
/// a 2 x 2 pattern for the 8-neighbourhood (4 colours), so that no two pixels updated together
/// are neighbours. Each class update is parallel over rows and branch-free within a row. Stops at
/// a fixed point (a full sweep over all classes changes nothing) or after `params.max_sweeps`;
/// the energy never increases. Starts from `y`, as [`icm`]; one unit of `progress` per sweep.
///
/// # Errors
/// As [`icm`].
pub fn icm_checkerboard(
    model: &IsingModel,
    y: ArrayView2<'_, i8>,
    params: &IcmParams,
    progress: &dyn Progress,
) -> Result<Denoised> {
    params.check()?;
    let max_sweeps = params.max_sweeps;
    let start = Instant::now();
    let (mut x, yp) = start_from(y, None)?;
    progress.start(max_sweeps as u64, Method::IcmCheckerboard.name());
    let th = Thresholds::new(model);
    let eight = model.neighbourhood() == Neighbourhood::Eight;
    // 4-neighbourhood: colour (r + c) mod 2. 8-neighbourhood: (r mod 2, c mod 2), 4 colours.
    let colours: &[(usize, usize)] = if eight {
        &[(0, 0), (0, 1), (1, 0), (1, 1)]
    } else {
        &[(0, 0), (0, 1)]
    };
    let stride = x.stride;
    let cols = x.cols;
    let rows = x.rows;
    // masks[p][c] is non-zero where c mod 2 == p.
    let masks: [Vec<i8>; 2] = [0, 1].map(|p| (0..cols).map(|c| i8::from(c % 2 == p)).collect());
    let mut next = x.clone();
    let mut sweeps = 0;
    let mut converged = false;
    while sweeps < max_sweeps {
        sweeps += 1;
        let mut changed = 0usize;
        for &(row_parity, col_parity) in colours {
            let cur = &x.data;
            let yd = &yp.data;
            changed += next.data[stride..(rows + 1) * stride]
                .par_chunks_mut(stride)
                .with_min_len(8)
                .enumerate()
                .map(|(r, out)| {
                    let centre = (r + 1) * stride + 1;
                    let phase = if eight {
                        if r % 2 != row_parity {
                            out[1..=cols].copy_from_slice(&cur[centre..centre + cols]);
                            return 0;
                        }
                        col_parity
                    } else {
                        (r + col_parity) % 2
                    };
                    decide_row(
                        &mut out[1..=cols],
                        cur,
                        yd,
                        &masks[phase],
                        centre,
                        stride,
                        eight,
                        &th,
                    )
                })
                .sum::<usize>();
            std::mem::swap(&mut x, &mut next);
        }
        progress.advance(1);
        if changed == 0 {
            converged = true;
            break;
        }
    }
    finish(
        model,
        Method::IcmCheckerboard,
        x,
        y,
        sweeps,
        converged,
        start,
    )
}

/// Packs a finished labelling into a [`Denoised`] with its energy and change count.
pub(crate) fn finish(
    model: &IsingModel,
    method: Method,
    x: PaddedGrid<i8>,
    y: ArrayView2<'_, i8>,
    sweeps: usize,
    converged: bool,
    start: Instant,
) -> Result<Denoised> {
    let labels = x.to_array();
    let seconds = start.elapsed().as_secs_f64();
    let energy = model.energy_of_valid(labels.view(), y);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_decide_like_the_table() {
        let values = [-2.5, -1.0, -0.3, 0.0, 0.1, 0.3, 1.0, 2.1, 3.7];
        for &h in &values {
            for &beta in &values {
                for &eta in &values {
                    let model = IsingModel::new(h, beta, eta).unwrap();
                    let (table, th) = (Decision::new(&model), Thresholds::new(&model));
                    for s in -8i8..=8 {
                        for y in [-1i8, 1] {
                            for old in [-1i8, 1] {
                                assert_eq!(
                                    table.decide(i32::from(s), y, old),
                                    th.decide(s, y, old),
                                    "h {h} beta {beta} eta {eta} s {s} y {y}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}
