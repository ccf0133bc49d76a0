//! Exact MAP labelling by minimum s-t cut (Greig, Porteous and Seheult 1989).
//!
//! Write `E(x) = sum_i a_i x_i + 2 beta sum_{i~j} [x_i != x_j] - beta |pairs|` with
//! `a_i = h - eta y_i`. With the source side meaning x_i = +1, pixel i gets a terminal arc
//! i -> t of capacity `2 a_i` when `a_i > 0` (the price of +1) or s -> i of capacity `-2 a_i`
//! otherwise (the price of -1), and each neighbouring pair two arcs of capacity `2 beta`. A cut's
//! capacity is then `E(x) + sum_i |a_i| + beta |pairs|`, so the minimum cut is the minimum
//! energy; this needs `beta >= 0` (submodularity).

use std::time::Instant;

use deepgm_core::progress::Progress;
use deepgm_core::{Error, Result};
use ndarray::ArrayView2;

use crate::grid::{neighbour_offsets, PaddedGrid};
use crate::icm::finish;
use crate::maxflow::GridFlow;
use crate::model::{check_spins, IsingModel};
use crate::report::{Denoised, Method};

/// The global minimum of `E(x, y)` over all labellings of the observation `y` (shape
/// `(rows, cols)`, values -1/+1), by max-flow on the pixel grid. The report's `sweeps` is 0 and
/// `converged` true. The cut has no knobs; `progress` gets one unit when it is done.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `beta` when the model's `beta < 0` (the energy is then not
/// submodular and a cut does not minimize it; ICM, annealing or mean field accept any beta), or
/// `y` for a value other than -1/+1; [`Error::Shape`] for an empty `y`.
pub fn graph_cut(
    model: &IsingModel,
    y: ArrayView2<'_, i8>,
    progress: &dyn Progress,
) -> Result<Denoised> {
    if model.beta() < 0.0 {
        return Err(Error::param(
            "beta",
            model.beta(),
            "at least 0 for a graph cut (a submodular energy); the icm, icm-checkerboard, \
             gibbs, anneal and meanfield methods accept any beta",
        ));
    }
    check_spins("y", y)?;
    progress.start(1, Method::Graphcut.name());
    let start = Instant::now();
    let yp = PaddedGrid::from_view(y);
    let offsets = neighbour_offsets(model.neighbourhood(), yp.stride);
    let k = offsets.len();
    let mut graph = GridFlow::new(yp.data.len(), offsets.clone());
    let pair = 2.0 * model.beta();
    {
        let cap = graph.arc_capacities_mut();
        for r in 0..yp.rows {
            for c in 0..yp.cols {
                let i = yp.index(r, c);
                for (d, &off) in offsets.iter().enumerate() {
                    let j = (i as isize + off) as usize;
                    if yp.data[j] != 0 {
                        cap[i * k + d] = pair;
                    }
                }
            }
        }
    }
    for r in 0..yp.rows {
        for c in 0..yp.cols {
            let i = yp.index(r, c);
            let a = model.h() - model.eta() * yp.data[i] as f64;
            if a > 0.0 {
                graph.add_terminal(i, 0.0, 2.0 * a);
            } else {
                graph.add_terminal(i, -2.0 * a, 0.0);
            }
        }
    }
    graph.max_flow();
    let mut x = yp.clone();
    for r in 0..x.rows {
        for c in 0..x.cols {
            let i = x.index(r, c);
            x.data[i] = if graph.in_source_segment(i) { 1 } else { -1 };
        }
    }
    progress.advance(1);
    finish(model, Method::Graphcut, x, y, 0, true, start)
}
