//! deepgm-mrf: Ising-model image denoising (problem 4 of docs/derivations.md; Bishop, PRML 8.3.3).
//!
//! Over x, y in {-1,+1}^N on a pixel grid, `E(x, y) = h sum_i x_i - beta sum_{i~j} x_i x_j -
//! eta sum_i x_i y_i` and `p(x | y)` proportional to `exp(-E)`. [`IsingModel`] holds the
//! parameters and computes the energy and the local difference of seed 4.1; the algorithms find
//! low-energy labellings:
//!
//! - [`icm`] and [`icm_checkerboard`]: iterated conditional modes to a fixed point;
//! - [`gibbs`] and [`anneal`]: Gibbs sampling at a temperature and simulated annealing;
//! - [`mean_field`]: damped parallel mean-field updates;
//! - [`graph_cut`]: the exact minimum by max-flow (beta >= 0).
//!
//! ```
//! use deepgm_mrf::{graph_cut, icm, IsingModel};
//! use ndarray::array;
//! let y = array![[1i8, 1, 1], [1, -1, 1], [1, 1, 1]];
//! let model = IsingModel::default(); // h = 0, beta = 1, eta = 2.1
//! let exact = graph_cut(&model, y.view()).unwrap();
//! assert_eq!(exact.labels, ndarray::Array2::from_elem((3, 3), 1));
//! assert!(exact.report.energy <= icm(&model, y.view(), None, 100).unwrap().report.energy);
//! ```
#![warn(missing_docs)]

mod gibbs;
mod graphcut;
mod grid;
mod icm;
mod maxflow;
mod meanfield;
mod model;
mod noise;
mod report;

pub use gibbs::{anneal, gibbs, gibbs_chain, AnnealOptions, GibbsOptions};
pub use graphcut::graph_cut;
pub use icm::{icm, icm_checkerboard, DEFAULT_MAX_SWEEPS};
pub use meanfield::{mean_field, MeanFieldOptions};
pub use model::{
    all_labellings, check_pair, check_spins, count_differences, neighbour_sum, IsingModel,
    Neighbourhood,
};
pub use noise::flip_noise;
pub use report::{Denoised, Report};
