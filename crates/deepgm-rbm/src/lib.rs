//! deepgm-rbm: Bernoulli restricted Boltzmann machines (problem 3 of docs/derivations.md).
//!
//! `p(v, h) = exp(v'Wh + v'b + h'a) / Z` over v in {0,1}^D and h in {0,1}^P. Given v the hidden
//! units are independent with `p(h_j = 1 | v) = sigmoid((W'v + a)_j)` (the source's derivation,
//! with its slips corrected: the first denominator is p(v), the bias is a, and the result reads
//! `p(h|v) = prod_j p(h_j|v)`), and by symmetry `p(v_i = 1 | h) = sigmoid((Wh + b)_i)`.
//!
//! - [`BernoulliRbm`]: conditionals, free energy, energy (f32 or f64);
//! - [`Trainer`] with [`TrainParams`]: CD-k and PCD with minibatches, momentum, weight decay and
//!   a learning-rate schedule, checkpoints that resume;
//! - [`exact_log_z`] and [`ais_log_z`] ([`AisParams`]): the partition function, exactly or by
//!   annealed importance sampling; [`score`] ([`ScoreParams`]) measures a model on data;
//! - [`gibbs_samples`] ([`GibbsParams`]) and [`GibbsChains`]: block Gibbs sampling;
//! - [`Binarization`]: MNIST intensities as binary pixels;
//! - [`save_model`] and [`load_model`]: safetensors files with tensors `W`, `b`, `a`;
//! - [`claims`]: the derivation's claims, checked.
//!
//! ```
//! use deepgm_core::progress::NoProgress;
//! use deepgm_rbm::{score, ScoreParams, TrainParams, Trainer};
//! use ndarray::Array2;
//!
//! // 40 binary examples of 6 units: the first three on together, or the last three.
//! let data = Array2::from_shape_fn((40, 6), |(r, c)| f32::from(u8::from((c < 3) == (r % 2 == 0))));
//! let params = TrainParams { hidden: 2, batch: 10, learning_rate: 0.1, seed: 7, ..Default::default() };
//! let mut trainer = Trainer::new(data.view(), params).unwrap();
//! for _ in 0..20 {
//!     trainer.epoch(data.view(), &NoProgress).unwrap();
//! }
//! let report = score(trainer.model(), data.view(), None, &ScoreParams::default(), &NoProgress).unwrap();
//! // log Z is exact for so small a model; two patterns of 2^6 are at best log 2 nats each.
//! assert!(report.avg_log_prob < -(2f64.ln()) + 1e-9 && report.avg_log_prob > -6.0 * 2f64.ln());
//! ```

mod binarize;
mod binary_products;
mod claims;
mod io;
mod model;
mod partition;
mod sampling;
mod score;
mod train;

pub use binarize::Binarization;
pub use binary_products::{sum_selected_rows, OnesByRow};
pub use claims::{claims, tour, Tour, TOUR_EPOCHS, TOUR_HIDDEN};
pub use io::{load_model, save_model};
pub use model::{base_rate_biases, BernoulliRbm, MAX_WEIGHTS};
pub use partition::{ais_log_z, beta_schedule, exact_log_z, AisParams, AisReport, MAX_EXACT_UNITS};
pub use sampling::{gibbs_samples, GibbsChains, GibbsParams};
pub use score::{
    average_log_prob, pseudo_log_likelihoods, reconstruction_cross_entropy, score, LogZMethod,
    ScoreParams, ScoreReport, DEFAULT_EXACT_LIMIT,
};
pub use train::{EpochReport, Sampler, TrainParams, Trainer};
