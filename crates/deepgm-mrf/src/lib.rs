//! deepgm-mrf: Ising-model image denoising (problem 4 of docs/derivations.md; Bishop, PRML 8.3.3).
//!
//! Over x, y in {-1,+1}^N on a pixel grid, `E(x, y) = h sum_i x_i - beta sum_{i~j} x_i x_j -
//! eta sum_i x_i y_i` and `p(x | y)` proportional to `exp(-E)`. [`IsingModel`] holds the
//! parameters and computes the energy and the local difference of seed 4.1; the algorithms find
//! low-energy labellings, each with its params struct and a [`Progress`](deepgm_core::progress::Progress)
//! sink, and return a [`Denoised`] labelling with a serializable [`Report`]:
//!
//! - [`icm`] and [`icm_checkerboard`] ([`IcmParams`]): iterated conditional modes to a fixed
//!   point;
//! - [`gibbs`] ([`GibbsParams`]) and [`anneal`] ([`AnnealParams`]): Gibbs sampling at a
//!   temperature and simulated annealing;
//! - [`mean_field`] ([`MeanFieldParams`]): damped parallel mean-field updates;
//! - [`graph_cut`]: the exact minimum by max-flow (beta >= 0);
//! - [`denoise`] runs any of them, chosen at run time as an [`Algorithm`] (a [`Method`] with
//!   its parameters).
//!
//! [`flip_noise`] ([`NoiseParams`]) makes noisy observations; [`claims`] checks the
//! derivation's claims numerically.
//!
//! ```
//! use deepgm_core::progress::NoProgress;
//! use deepgm_mrf::{flip_noise, graph_cut, icm, IcmParams, IsingModel, Method, NoiseParams};
//! use ndarray::Array2;
//!
//! // A 12 x 12 picture, left half black, right half white, with 10% of its pixels flipped.
//! let clean = Array2::from_shape_fn((12, 12), |(_, c)| if c < 6 { -1i8 } else { 1 });
//! let y = flip_noise(clean.view(), &NoiseParams { flip: 0.1, seed: 1 }).unwrap();
//! let model = IsingModel::default(); // h = 0, beta = 1, eta = 2.1
//! let exact = graph_cut(&model, y.view(), &NoProgress).unwrap();
//! let local = icm(&model, y.view(), &IcmParams::default(), &NoProgress).unwrap();
//! assert_eq!(exact.report.method, Method::Graphcut);
//! assert!(exact.report.energy <= local.report.energy);
//! assert_eq!(exact.report.energy, model.energy(exact.labels.view(), y.view()).unwrap());
//! ```

mod claims;
mod denoise;
mod gibbs;
mod graphcut;
mod grid;
mod icm;
mod maxflow;
mod meanfield;
mod model;
mod noise;
mod report;

pub use claims::{claims, tour, HorseDenoising, HorseRun, Tour};
pub use denoise::{denoise, Algorithm};
pub use gibbs::{anneal, gibbs, AnnealParams, GibbsParams};
pub use graphcut::graph_cut;
pub use icm::{icm, icm_checkerboard, icm_from, IcmParams};
pub use meanfield::{mean_field, MeanFieldParams};
pub use model::{
    all_labellings, check_pair, check_spins, count_differences, neighbour_sum, IsingModel,
    Neighbourhood,
};
pub use noise::{flip_noise, NoiseParams};
pub use report::{Denoised, Method, Report};
