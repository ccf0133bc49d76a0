//! Blocked Gibbs sampling with Rao-Blackwellized marginals.

use deepgm_core::params::{check_positive, Params};
use deepgm_core::progress::Progress;
use deepgm_core::rng::{self, DeepRng};
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

/// The most joint states of a block that [`gibbs`] resamples at once.
pub const MAX_BLOCK_STATES: usize = 1024;

/// How many forward samples with the evidence clamped [`gibbs`] tries before giving up on
/// finding a starting state of positive probability.
pub const GIBBS_START_TRIES: usize = 1000;

/// One Gibbs block: variables resampled jointly, and the families (variables whose table
/// involves a block variable) that make up their full conditional.
struct Block {
    /// The block's variables; the first is the one the block is for.
    vars: Vec<usize>,
    /// Product of the block's cardinalities.
    size: usize,
    families: Vec<usize>,
}

/// The blocks: one per unobserved relevant variable `v`, holding `v` and, transitively, its
/// unobserved relevant children whose tables have a zero entry, while the joint size stays
/// within [`MAX_BLOCK_STATES`].
fn make_blocks(
    net: &Network,
    tables: &Tables,
    order: &[usize],
    mask: &[bool],
    obs: &[Option<u16>],
) -> Vec<Block> {
    let n = net.n_variables();
    let has_zero: Vec<bool> = (0..n).map(|v| mask[v] && tables.has_zero(v)).collect();
    let mut in_block = vec![false; n];
    let mut in_family = vec![false; n];
    let mut blocks = Vec::new();
    for &v in order.iter().filter(|&&v| obs[v].is_none()) {
        let mut vars = vec![v];
        let mut size = tables.cards[v];
        in_block[v] = true;
        let mut next = 0;
        while next < vars.len() {
            let u = vars[next];
            next += 1;
            for &c in net.children(u) {
                if mask[c] && obs[c].is_none() && has_zero[c] && !in_block[c] {
                    if let Some(s) = size.checked_mul(tables.cards[c]) {
                        if s <= MAX_BLOCK_STATES {
                            size = s;
                            in_block[c] = true;
                            vars.push(c);
                        }
                    }
                }
            }
        }
        let mut families = Vec::new();
        for &u in &vars {
            for f in std::iter::once(u).chain(net.children(u).iter().copied()) {
                if mask[f] && !in_family[f] {
                    in_family[f] = true;
                    families.push(f);
                }
            }
        }
        for &u in &vars {
            in_block[u] = false;
        }
        for &f in &families {
            in_family[f] = false;
        }
        blocks.push(Block {
            vars,
            size,
            families,
        });
    }
    blocks
}

/// Sets the block's variables in `state` to joint state `j` (last variable fastest).
#[inline]
fn set_block(block: &Block, cards: &[usize], state: &mut [u16], mut j: usize) {
    for &u in block.vars.iter().rev() {
        let c = cards[u];
        state[u] = (j % c) as u16;
        j /= c;
    }
}

/// Fills `weights[..block.size]` with the unnormalized full conditional of the block's joint
/// states and returns its total (0 if every state has probability zero). Leaves the block's
/// variables in `state` at some joint state.
fn block_weights(tables: &Tables, block: &Block, state: &mut [u16], weights: &mut [f64]) -> f64 {
    let mut total = 0.0;
    for (j, w) in weights[..block.size].iter_mut().enumerate() {
        set_block(block, &tables.cards, state, j);
        let mut p = 1.0;
        for &f in &block.families {
            p *= tables.prob(f, tables.config(f, state), usize::from(state[f]));
        }
        *w = p;
        total += p;
    }
    if total > 0.0 && total.is_finite() {
        return total;
    }
    // Underflow: the same in log space, scaled by the largest.
    let mut max = f64::NEG_INFINITY;
    for (j, w) in weights[..block.size].iter_mut().enumerate() {
        set_block(block, &tables.cards, state, j);
        let mut lp = 0.0;
        for &f in &block.families {
            lp += tables
                .prob(f, tables.config(f, state), usize::from(state[f]))
                .ln();
        }
        *w = lp;
        max = max.max(lp);
    }
    if max == f64::NEG_INFINITY {
        return 0.0;
    }
    total = 0.0;
    for w in &mut weights[..block.size] {
        *w = (*w - max).exp();
        total += *w;
    }
    total
}

/// A forward sample of the relevant variables with the evidence clamped, with positive joint
/// probability, within [`GIBBS_START_TRIES`] tries.
fn gibbs_start(
    tables: &Tables,
    order: &[usize],
    obs: &[Option<u16>],
    state: &mut [u16],
    rng: &mut DeepRng,
) -> Result<()> {
    'tries: for _ in 0..GIBBS_START_TRIES {
        for &v in order {
            let cfg = tables.config(v, state);
            match obs[v] {
                Some(x) => {
                    state[v] = x;
                    if tables.prob(v, cfg, usize::from(x)) <= 0.0 {
                        continue 'tries;
                    }
                }
                None => state[v] = tables.draw(v, cfg, rng.random::<f64>()),
            }
        }
        return Ok(());
    }
    Err(Error::invalid(
        "evidence",
        format!(
            "Gibbs sampling cannot start: none of {GIBBS_START_TRIES} forward samples with the \
             evidence clamped gives the evidence a positive probability (the evidence is \
             impossible or very unlikely; use exact inference)"
        ),
    ))
}

/// Parameters of [`gibbs`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GibbsParams {
    /// Sweeps counted after the burn-in, at least 1; default 100,000.
    pub samples: usize,
    /// Sweeps discarded before counting; default 1,000.
    pub burn_in: usize,
    /// Seed of the generator; default 0.
    pub seed: u64,
}

impl Default for GibbsParams {
    fn default() -> Self {
        GibbsParams {
            samples: 100_000,
            burn_in: 1000,
            seed: 0,
        }
    }
}

impl Params for GibbsParams {
    fn check(&self) -> Result<()> {
        check_positive("samples", self.samples)
    }
}

/// Posterior marginals of `targets` (every unobserved variable when `None`) given `evidence`,
/// estimated by Gibbs sampling: `params.burn_in` sweeps discarded, then `params.samples`
/// sweeps counted, seeded with `params.seed`. `progress` hears of the sweeps, in chunks.
///
/// The chain starts from a forward sample with the evidence clamped (retried up to
/// [`GIBBS_START_TRIES`] times until the evidence has positive probability). A sweep visits
/// every unobserved relevant variable in topological order and resamples it from its full
/// conditional given the rest (its own table row times its children's table entries: its
/// Markov blanket). The marginals are Rao-Blackwellized: each sweep adds the target's full
/// conditional distribution rather than its drawn state (same limit, lower variance).
///
/// # Deterministic tables
/// Single-site Gibbs sampling is not ergodic when tables have zero entries: with asia's
/// `either = tub OR lung`, `either` can never change, since its full conditional is always a
/// point mass, and the chain would stay in the half of the space it started in. So a variable
/// is resampled jointly with its unobserved children whose tables have a zero entry
/// (transitively, up to [`MAX_BLOCK_STATES`] joint states), which repairs such functional
/// dependencies. It is still not ergodic in general: deterministic relations that this
/// blocking does not cover (e.g. through a block past the size limit, or through observed
/// variables) can split the space into regions the chain cannot cross, and the estimates are
/// then wrong however many sweeps are run. Use exact inference or likelihood weighting for
/// such networks. Near-deterministic tables (entries like 0.97 / 0.01, as in alarm's
/// ventilation variables) keep the chain ergodic but make it mix slowly.
///
/// [`Estimate::log_evidence`] is `None`; [`SampleStats::effective_samples`] is a batch-means
/// estimate that accounts for the chain's autocorrelation (the smallest over the targets'
/// states, so slow mixing anywhere among the targets shows there; it cannot detect a chain
/// stuck in one region).
///
/// # Errors
/// [`Error::InvalidParameter`] naming `samples` when it is 0; `targets` when a target is out
/// of range, observed or repeated; `evidence` when the evidence does not belong to this
/// network or no starting state of positive probability is found; `network` when a variable
/// has more than [`MAX_DATASET_STATES`](crate::data::MAX_DATASET_STATES) states.
pub fn gibbs(
    net: &Network,
    evidence: &Evidence,
    targets: Option<&[usize]>,
    params: &GibbsParams,
    progress: &dyn Progress,
) -> Result<Estimate> {
    params.check()?;
    let (n, burn_in) = (params.samples, params.burn_in);
    let targets = resolve_targets(net, evidence, targets)?;
    let tables = Tables::new(net)?;
    let obs = observed(net, evidence);
    let (order, mask) = relevant_order(net, evidence, &targets);
    let (slots, n_slots) = target_slots(net, &targets);
    let mut rng = rng::seeded(params.seed);

    let mut state = vec![0u16; net.n_variables()];
    gibbs_start(&tables, &order, &obs, &mut state, &mut rng)?;
    let blocks = make_blocks(net, &tables, &order, &mask, &obs);
    // The accumulator slot of each target, by variable.
    let mut slot_of: Vec<Option<usize>> = vec![None; net.n_variables()];
    for (&t, &slot) in targets.iter().zip(&slots) {
        slot_of[t] = Some(slot);
    }
    let max_size = blocks.iter().map(|b| b.size).max().unwrap_or(0);
    let mut weights = vec![0.0f64; max_size];
    let mut saved: Vec<u16> = Vec::new();

    const BATCHES: usize = 20;
    let batch_len = if n >= 2 * BATCHES { n / BATCHES } else { 0 };
    let mut acc = vec![0.0f64; n_slots];
    let mut batch_acc = vec![0.0f64; if batch_len > 0 { BATCHES * n_slots } else { 0 }];

    let sweeps = burn_in.saturating_add(n);
    progress.start(sweeps as u64, "sweeps");
    for sweep in 0..sweeps {
        if sweep % PROGRESS_CHUNK == 0 && sweep > 0 {
            progress.advance(PROGRESS_CHUNK as u64);
        }
        let counted = sweep.checked_sub(burn_in);
        let batch = counted
            .filter(|_| batch_len > 0)
            .map(|i| i / batch_len)
            .filter(|&b| b < BATCHES);
        for block in &blocks {
            saved.clear();
            saved.extend(block.vars.iter().map(|&u| state[u]));
            let total = block_weights(&tables, block, &mut state, &mut weights);
            if total <= 0.0 {
                // Cannot happen from a state of positive probability; keep the state.
                for (&u, &x) in block.vars.iter().zip(saved.iter()) {
                    state[u] = x;
                }
                continue;
            }
            let target = rng.random::<f64>() * total;
            let mut cum = 0.0;
            let mut chosen = None;
            for (j, &w) in weights[..block.size].iter().enumerate() {
                cum += w;
                if target < cum {
                    chosen = Some(j);
                    break;
                }
            }
            let chosen = chosen.unwrap_or_else(|| {
                weights[..block.size]
                    .iter()
                    .rposition(|&w| w > 0.0)
                    .unwrap_or(0)
            });
            set_block(block, &tables.cards, &mut state, chosen);
            let head = block.vars[0];
            if let (Some(_), Some(slot)) = (counted, slot_of[head]) {
                // The head is the slowest variable of the block's joint index.
                let card = tables.cards[head];
                let inner = block.size / card;
                for (j, &w) in weights[..block.size].iter().enumerate() {
                    let p = w / total;
                    acc[slot + j / inner] += p;
                    if let Some(b) = batch {
                        batch_acc[b * n_slots + slot + j / inner] += p;
                    }
                }
            }
        }
    }

    // The loop reported every full chunk but the last.
    let reported = sweeps.saturating_sub(1) / PROGRESS_CHUNK * PROGRESS_CHUNK;
    progress.advance((sweeps - reported) as u64);
    let nf = n as f64;
    let marginals: Vec<(usize, Vec<f64>)> = targets
        .iter()
        .zip(&slots)
        .map(|(&t, &slot)| {
            let card = net.cardinality(t);
            let m: Vec<f64> = acc[slot..slot + card].iter().map(|a| a / nf).collect();
            let sum: f64 = m.iter().sum();
            (t, m.into_iter().map(|p| p / sum).collect())
        })
        .collect();
    let effective_samples = if batch_len > 0 {
        batch_means_ess(&acc, &batch_acc, n_slots, batch_len, BATCHES, nf)
    } else {
        nf
    };
    Ok(Estimate {
        log_evidence: None,
        marginals: named_marginals(net, marginals),
        method: SamplingMethod::Gibbs,
        evidence: named_evidence(net, evidence),
        detail: SampleStats {
            samples: n,
            effective_samples,
            seed: params.seed,
        },
    })
}

/// The batch-means effective sample size: for each slot, `p (1 - p) / s^2 * batches` where
/// `s^2` is the variance of the batch means; the smallest over slots, at most `n`.
fn batch_means_ess(
    acc: &[f64],
    batch_acc: &[f64],
    n_slots: usize,
    batch_len: usize,
    batches: usize,
    n: f64,
) -> f64 {
    let mut ess = n;
    for slot in 0..n_slots {
        let p = acc[slot] / n;
        let var_p = p * (1.0 - p);
        if var_p < 1e-9 {
            continue;
        }
        let means: Vec<f64> = (0..batches)
            .map(|b| batch_acc[b * n_slots + slot] / batch_len as f64)
            .collect();
        let mean = means.iter().sum::<f64>() / batches as f64;
        let s2 = means.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (batches - 1) as f64;
        if s2 > 0.0 {
            ess = ess.min(batches as f64 * var_p / s2);
        }
    }
    ess
}
