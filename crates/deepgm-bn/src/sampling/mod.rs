//! Sampling: forward (ancestral) sampling, and two approximate inference methods built on it,
//! likelihood weighting and (blocked) Gibbs sampling. All are seeded through
//! [`deepgm_core::rng`], so the same seed gives the same output on every platform.
//!
//! Forward sampling is the third consequence of the normalization argument (docs/derivations.md 2.5): in topological order every
//! variable's parents are already drawn, so drawing it from its table row gives an exact
//! sample of the joint. Draws use the inverse CDF of the row (one uniform number per variable);
//! rows are divided by their sums first, as exact inference does (see
//! [`crate::factor::Factor::from_cpt`]), so rows that sum to 1 only within the validation
//! tolerance are sampled as the distributions exact inference uses.
//!
//! The approximate methods answer the same questions as [`crate::inference::query`] and first
//! drop every variable that is neither a target, nor observed, nor an ancestor of one (barren
//! nodes sum to 1 and vanish), so they sample only the part of the network that matters.
//!
//! - [`forward_sample`] with [`SampleParams`]: a [`Dataset`](crate::Dataset) of exact samples;
//! - [`likelihood_weighting`] with [`LikelihoodWeightingParams`] and [`gibbs`] with
//!   [`GibbsParams`]: an [`Estimate`] of the posteriors (by name, serializable).

mod forward;
mod gibbs;
mod likelihood;
mod tables;

use deepgm_core::{Error, Result};
use serde::Serialize;

use crate::inference::Evidence;
use crate::network::Network;
use crate::report::{Marginal, VariableState};

pub use forward::{forward_sample, SampleParams};
pub use gibbs::{gibbs, GibbsParams, GIBBS_START_TRIES, MAX_BLOCK_STATES};
pub use likelihood::{likelihood_weighting, LikelihoodWeightingParams};

/// Samples (or sweeps) between two reports to a [`Progress`](deepgm_core::progress::Progress).
const PROGRESS_CHUNK: usize = 4096;

/// The sampling method behind an [`Estimate`]; serialized as `lw` or `gibbs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SamplingMethod {
    /// Likelihood weighting ([`likelihood_weighting`]).
    #[serde(rename = "lw")]
    LikelihoodWeighting,
    /// Gibbs sampling ([`gibbs`]).
    #[serde(rename = "gibbs")]
    Gibbs,
}

impl SamplingMethod {
    /// The name used in reports (`lw`, `gibbs`).
    pub fn name(self) -> &'static str {
        match self {
            SamplingMethod::LikelihoodWeighting => "lw",
            SamplingMethod::Gibbs => "gibbs",
        }
    }
}

/// An approximate answer to a posterior query, from [`likelihood_weighting`] or [`gibbs`].
///
/// Serializes as `{"log_evidence", "marginals": {"VAR": {"STATE": p}}, "method",
/// "evidence": {"VAR": "STATE"}, "detail": {"samples", "effective_samples", "seed"}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Estimated natural log of the probability of the evidence (likelihood weighting: the log
    /// of the mean weight, an unbiased estimate of `P(e)` before the log); `None` for Gibbs
    /// sampling, which cannot estimate it. `Some(0.0)` without evidence.
    pub log_evidence: Option<f64>,
    /// For each target (in the order asked), its estimated posterior distribution over its
    /// states (sums to 1).
    #[serde(serialize_with = "crate::report::marginals_by_name")]
    pub marginals: Vec<Marginal>,
    /// The method that ran.
    pub method: SamplingMethod,
    /// The evidence, by name.
    #[serde(serialize_with = "crate::report::states_by_name")]
    pub evidence: Vec<VariableState>,
    /// How many samples, how effective, from which seed.
    pub detail: SampleStats,
}

/// The sample counts of an [`Estimate`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SampleStats {
    /// The number of samples drawn (Gibbs: sweeps after burn-in).
    pub samples: usize,
    /// The effective sample size: the number of independent exact posterior samples that would
    /// give about the same precision. Likelihood weighting: Kish's `(sum w)^2 / sum w^2`. Gibbs:
    /// a batch-means estimate (20 batches), the smallest over the targets' states, at most
    /// `samples` (and `samples` when there are fewer than 40 sweeps). A rough guide: the
    /// standard error of a marginal `p` is about `sqrt(p (1 - p) / effective_samples)`.
    pub effective_samples: f64,
    /// The seed the samples were drawn with.
    pub seed: u64,
}

/// The query's targets (every unobserved variable when `None`), checked.
fn resolve_targets(
    net: &Network,
    evidence: &Evidence,
    targets: Option<&[usize]>,
) -> Result<Vec<usize>> {
    for &(var, state) in evidence.pairs() {
        if var >= net.n_variables() || state >= net.cardinality(var) {
            return Err(Error::invalid(
                "evidence",
                format!("({var}, {state}) is not a variable and state of this network"),
            ));
        }
    }
    crate::inference::evidence::checked_targets(net, evidence, targets)
}

/// The observed state of each variable (`None` when unobserved).
fn observed(net: &Network, evidence: &Evidence) -> Vec<Option<u16>> {
    let mut obs = vec![None; net.n_variables()];
    for &(v, s) in evidence.pairs() {
        obs[v] = Some(s as u16);
    }
    obs
}

/// The topological order restricted to the targets, the evidence and their ancestors.
fn relevant_order(
    net: &Network,
    evidence: &Evidence,
    targets: &[usize],
) -> (Vec<usize>, Vec<bool>) {
    let mut seed: Vec<usize> = targets.to_vec();
    seed.extend(evidence.vars());
    let mask = net.ancestral_mask(&seed);
    let order = net
        .topological_order()
        .into_iter()
        .filter(|&v| mask[v])
        .collect();
    (order, mask)
}

/// The offset of each target's states in a flat accumulator, and the total length.
fn target_slots(net: &Network, targets: &[usize]) -> (Vec<usize>, usize) {
    let mut offsets = Vec::with_capacity(targets.len());
    let mut len = 0;
    for &t in targets {
        offsets.push(len);
        len += net.cardinality(t);
    }
    (offsets, len)
}
