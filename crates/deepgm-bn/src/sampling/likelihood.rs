//! Likelihood weighting: forward samples with the evidence clamped, weighted by its
//! probability.

use deepgm_core::params::{check_positive, Params};
use deepgm_core::progress::Progress;
use deepgm_core::rng;
use deepgm_core::{Error, Result};
use rand::Rng;
use serde::Serialize;

use super::tables::Tables;
use super::{
    observed, relevant_order, resolve_targets, target_slots, Estimate, SampleStats, SamplingMethod,
    PROGRESS_CHUNK,
};
use crate::inference::Evidence;
use crate::network::Network;
use crate::report::{named_evidence, named_marginals};

fn no_weight(n: usize) -> Error {
    Error::invalid(
        "evidence",
        format!(
            "likelihood weighting: all {n} samples have weight zero: the evidence is impossible \
             under this network, or too unlikely for this number of samples (use exact \
             inference or more samples)"
        ),
    )
}

/// Parameters of [`likelihood_weighting`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LikelihoodWeightingParams {
    /// Weighted samples to draw, at least 1; default 100,000.
    pub samples: usize,
    /// Seed of the generator; default 0.
    pub seed: u64,
}

impl Default for LikelihoodWeightingParams {
    fn default() -> Self {
        LikelihoodWeightingParams {
            samples: 100_000,
            seed: 0,
        }
    }
}

impl Params for LikelihoodWeightingParams {
    fn check(&self) -> Result<()> {
        check_positive("samples", self.samples)
    }
}

/// Posterior marginals of `targets` (every unobserved variable when `None`) given `evidence`,
/// and the probability of the evidence, estimated by likelihood weighting with
/// `params.samples` samples seeded with `params.seed`. `progress` hears of the samples drawn,
/// in chunks.
///
/// Each sample is a forward sample with the observed variables clamped to their states; its
/// weight is the product of `p(e_v | parents)` over the observed variables. Marginals are the
/// weighted state frequencies (self-normalized, consistent but slightly biased for small
/// samples); [`Estimate::log_evidence`] is the log of the mean weight, computed from log-weights
/// with a running log-sum-exp so that tiny weights neither underflow nor lose precision.
/// Only the targets, the evidence and their ancestors are sampled. Precision degrades when the
/// evidence is unlikely (few samples carry the weight): watch [`SampleStats::effective_samples`].
///
/// # Errors
/// [`Error::InvalidParameter`] naming `samples` when it is 0; `targets` when a target is out
/// of range, observed or repeated; `evidence` when the evidence does not belong to this
/// network or every sample has weight zero (impossible or very unlikely evidence); `network`
/// when a variable has more than [`MAX_DATASET_STATES`](crate::data::MAX_DATASET_STATES)
/// states.
pub fn likelihood_weighting(
    net: &Network,
    evidence: &Evidence,
    targets: Option<&[usize]>,
    params: &LikelihoodWeightingParams,
    progress: &dyn Progress,
) -> Result<Estimate> {
    params.check()?;
    let n = params.samples;
    let targets = resolve_targets(net, evidence, targets)?;
    let tables = Tables::new(net)?;
    let obs = observed(net, evidence);
    let (order, _) = relevant_order(net, evidence, &targets);
    let (slots, n_slots) = target_slots(net, &targets);
    let mut rng = rng::seeded(params.seed);

    let mut state = vec![0u16; net.n_variables()];
    // Weighted counts, the sum of weights and of squared weights, all scaled by exp(-shift).
    let mut acc = vec![0.0f64; n_slots];
    let (mut sum_w, mut sum_w2) = (0.0f64, 0.0f64);
    let mut shift = f64::NEG_INFINITY;
    progress.start(n as u64, "samples");
    let mut remaining = n;
    while remaining > 0 {
        let chunk = remaining.min(PROGRESS_CHUNK);
        for _ in 0..chunk {
            let mut log_w = 0.0f64;
            for &v in &order {
                let cfg = tables.config(v, &state);
                match obs[v] {
                    Some(x) => {
                        state[v] = x;
                        log_w += tables.prob(v, cfg, usize::from(x)).ln();
                        if log_w == f64::NEG_INFINITY {
                            break;
                        }
                    }
                    None => state[v] = tables.draw(v, cfg, rng.random::<f64>()),
                }
            }
            if log_w == f64::NEG_INFINITY {
                continue;
            }
            // Keep weights at most e^30 relative to the shift: rescale only when one exceeds it.
            if log_w > shift + 30.0 {
                let scale = (shift - log_w).exp();
                acc.iter_mut().for_each(|a| *a *= scale);
                sum_w *= scale;
                sum_w2 *= scale * scale;
                shift = log_w;
            }
            let w = (log_w - shift).exp();
            for (&t, &slot) in targets.iter().zip(&slots) {
                acc[slot + usize::from(state[t])] += w;
            }
            sum_w += w;
            sum_w2 += w * w;
        }
        remaining -= chunk;
        progress.advance(chunk as u64);
    }
    if sum_w <= 0.0 {
        return Err(no_weight(n));
    }
    let marginals: Vec<(usize, Vec<f64>)> = targets
        .iter()
        .zip(&slots)
        .map(|(&t, &slot)| {
            let card = net.cardinality(t);
            (
                t,
                acc[slot..slot + card].iter().map(|a| a / sum_w).collect(),
            )
        })
        .collect();
    let log_evidence = if evidence.is_empty() {
        0.0
    } else {
        shift + sum_w.ln() - (n as f64).ln()
    };
    Ok(Estimate {
        log_evidence: Some(log_evidence),
        marginals: named_marginals(net, marginals),
        method: SamplingMethod::LikelihoodWeighting,
        evidence: named_evidence(net, evidence),
        detail: SampleStats {
            samples: n,
            effective_samples: sum_w * sum_w / sum_w2,
            seed: params.seed,
        },
    })
}
