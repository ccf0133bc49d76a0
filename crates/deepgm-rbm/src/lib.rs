//! deepgm-rbm: Bernoulli restricted Boltzmann machines (problem 3 of docs/derivations.md).
//!
//! `p(v, h) = exp(v'Wh + v'b + h'a) / Z` over v in {0,1}^D and h in {0,1}^P. Given v the hidden
//! units are independent with `p(h_j = 1 | v) = sigmoid((W'v + a)_j)` (the source's derivation,
//! with its slips corrected: the first denominator is p(v), the bias is a, and the result reads
//! `p(h|v) = prod_j p(h_j|v)`), and by symmetry `p(v_i = 1 | h) = sigmoid((Wh + b)_i)`.
//!
//! - [`BernoulliRbm`]: conditionals, free energy, energy (f32 or f64);
//! - [`Trainer`]: CD-k and PCD with minibatches, momentum and weight decay;
//! - [`exact_log_z`] and [`ais_log_z`]: the partition function, exactly or by annealed
//!   importance sampling; [`average_log_prob`], [`reconstruction_cross_entropy`],
//!   [`pseudo_log_likelihood`];
//! - [`io`]: safetensors files with tensors `W`, `b`, `a`.
#![warn(missing_docs)]

pub mod binary;
pub mod io;
pub mod linalg;
mod math;
mod model;
mod partition;
mod train;

pub use math::{log_sum_exp, sigmoid, softplus, Real};
pub use model::{base_rate_biases, sample_bernoulli, sample_bernoulli_seeded, BernoulliRbm};
pub use partition::{
    ais_log_z, average_log_prob, beta_schedule, exact_log_z, pseudo_log_likelihood,
    reconstruction_cross_entropy, AisEstimate, AisOptions, MAX_EXACT_UNITS,
};
pub use train::{EpochStats, Sampler, TrainOptions, Trainer};
