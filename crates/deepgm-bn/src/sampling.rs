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

use deepgm_core::rng::{self, DeepRng};
use deepgm_core::{Error, Result};
use rand::Rng;

use crate::data::{Dataset, MAX_DATASET_STATES};
use crate::inference::Evidence;
use crate::network::Network;

/// An approximate answer to a posterior query, from [`likelihood_weighting`] or [`gibbs`].
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// For each target (in the order asked), its estimated posterior distribution over its
    /// states (sums to 1).
    pub marginals: Vec<(usize, Vec<f64>)>,
    /// Estimated natural log of the probability of the evidence (likelihood weighting: the log
    /// of the mean weight, an unbiased estimate of `P(e)` before the log); `None` for Gibbs
    /// sampling, which cannot estimate it. `Some(0.0)` without evidence.
    pub log_evidence: Option<f64>,
    /// The number of samples drawn (Gibbs: sweeps after burn-in).
    pub samples: usize,
    /// The effective sample size: the number of independent exact posterior samples that would
    /// give about the same precision. Likelihood weighting: Kish's `(sum w)^2 / sum w^2`. Gibbs:
    /// a batch-means estimate (20 batches), the smallest over the targets' states, at most
    /// `samples` (and `samples` when there are fewer than 40 sweeps). A rough guide: the
    /// standard error of a marginal `p` is about `sqrt(p (1 - p) / effective_samples)`.
    pub effective_samples: f64,
}

/// The most joint states of a block that [`gibbs`] resamples at once.
pub const MAX_BLOCK_STATES: usize = 1024;

/// How many forward samples with the evidence clamped [`gibbs`] tries before giving up on
/// finding a starting state of positive probability.
pub const GIBBS_START_TRIES: usize = 1000;

/// The network's tables flattened for fast sampling: per variable, its parents with their
/// strides in its table, and its row-normalized table and the cumulative sums of each row.
struct Tables {
    cards: Vec<usize>,
    /// Parents of `v` are `parents[par_start[v]..par_start[v + 1]]`, each with its stride in
    /// `v`'s configuration index (first parent slowest).
    par_start: Vec<usize>,
    parents: Vec<(usize, usize)>,
    /// Start of each variable's table in `probs` and `cdf`.
    offset: Vec<usize>,
    probs: Vec<f64>,
    cdf: Vec<f64>,
}

impl Tables {
    fn new(net: &Network) -> Result<Self> {
        let n = net.n_variables();
        let mut t = Tables {
            cards: Vec::with_capacity(n),
            par_start: Vec::with_capacity(n + 1),
            parents: Vec::new(),
            offset: Vec::with_capacity(n),
            probs: Vec::new(),
            cdf: Vec::new(),
        };
        t.par_start.push(0);
        for v in 0..n {
            let cpt = net.cpt(v);
            if cpt.child_card > MAX_DATASET_STATES {
                return Err(Error::invalid(
                    "network",
                    format!(
                        "{} has {} states, more than the {MAX_DATASET_STATES} sampling supports",
                        net.variable(v).name,
                        cpt.child_card
                    ),
                ));
            }
            t.cards.push(cpt.child_card);
            let mut stride = 1usize;
            let first = t.parents.len();
            for (&p, &c) in cpt.parents.iter().zip(&cpt.parent_cards).rev() {
                t.parents.push((p, stride));
                stride *= c;
            }
            t.parents[first..].reverse();
            t.par_start.push(t.parents.len());
            t.offset.push(t.probs.len());
            for row in cpt.values.chunks_exact(cpt.child_card.max(1)) {
                let sum: f64 = row.iter().sum();
                let scale = if sum > 0.0 { 1.0 / sum } else { 1.0 };
                let mut cum = 0.0;
                for &p in row {
                    let p = p * scale;
                    cum += p;
                    t.probs.push(p);
                    t.cdf.push(cum);
                }
            }
        }
        Ok(t)
    }

    /// The configuration (row) index of `v`'s parents in `state` (indexed by variable).
    #[inline]
    fn config(&self, v: usize, state: &[u16]) -> usize {
        let mut cfg = 0;
        for &(p, stride) in &self.parents[self.par_start[v]..self.par_start[v + 1]] {
            cfg += usize::from(state[p]) * stride;
        }
        cfg
    }

    /// `p(v = x | parents in configuration cfg)`.
    #[inline]
    fn prob(&self, v: usize, cfg: usize, x: usize) -> f64 {
        self.probs[self.offset[v] + cfg * self.cards[v] + x]
    }

    /// A state of `v` drawn from row `cfg` by inverse CDF with the uniform number `u` in
    /// `[0, 1)`; never a state of probability zero.
    #[inline]
    fn draw(&self, v: usize, cfg: usize, u: f64) -> u16 {
        let card = self.cards[v];
        let start = self.offset[v] + cfg * card;
        let cdf = &self.cdf[start..start + card];
        let target = u * cdf[card - 1];
        // The number of cumulative sums at or below `target` is the first state whose sum is
        // above it; counting without branches avoids a mispredicted branch per draw.
        let k: usize = cdf.iter().map(|&c| usize::from(c <= target)).sum();
        if k < card {
            return k as u16;
        }
        // Only when rounding put `target` on the total: the last possible state.
        self.probs[start..start + card]
            .iter()
            .rposition(|&p| p > 0.0)
            .unwrap_or(0) as u16
    }

    /// Whether `v`'s table has an entry of zero (a deterministic or partly deterministic
    /// table).
    fn has_zero(&self, v: usize) -> bool {
        let end = self.offset.get(v + 1).copied().unwrap_or(self.probs.len());
        self.probs[self.offset[v]..end].contains(&0.0)
    }
}

/// `n` independent samples of the joint distribution by forward (ancestral) sampling, as a
/// [`Dataset`] with one column per network variable in the network's variable order, seeded
/// with `seed`.
///
/// Cost: one uniform number and one row lookup per variable per sample; nothing is allocated
/// per sample beyond the output (`2 * n * n_variables` bytes).
///
/// # Errors
/// [`Error::InvalidParameter`] when a variable has more than [`MAX_DATASET_STATES`] states or
/// the output cannot be allocated.
///
/// ```
/// let net = deepgm_bn::embedded::load("asia").unwrap();
/// let data = deepgm_bn::sampling::forward_sample(&net, 1000, 7).unwrap();
/// assert_eq!((data.n_rows(), data.n_columns()), (1000, 8));
/// assert_eq!(data, deepgm_bn::sampling::forward_sample(&net, 1000, 7).unwrap());
/// ```
pub fn forward_sample(net: &Network, n: usize, seed: u64) -> Result<Dataset> {
    forward_sample_with(net, n, &mut rng::seeded(seed))
}

/// As [`forward_sample`], drawing from the given generator (so that several batches can come
/// from one stream).
///
/// # Errors
/// As [`forward_sample`].
pub fn forward_sample_with(net: &Network, n: usize, rng: &mut DeepRng) -> Result<Dataset> {
    let tables = Tables::new(net)?;
    let nv = net.n_variables();
    let too_many = || {
        Error::invalid(
            "--samples",
            format!("{n} samples of {nv} variables do not fit in memory"),
        )
    };
    let total = n.checked_mul(nv).ok_or_else(too_many)?;
    let mut values: Vec<u16> = Vec::new();
    values.try_reserve_exact(total).map_err(|_| too_many())?;
    values.resize(total, 0);
    let order = net.topological_order();
    if nv > 0 {
        for row in values.chunks_exact_mut(nv) {
            for &v in &order {
                let cfg = tables.config(v, row);
                row[v] = tables.draw(v, cfg, rng.random::<f64>());
            }
        }
    }
    Ok(Dataset::from_parts((0..nv).collect(), n, values))
}

/// The query's targets (every unobserved variable when `None`), checked.
fn resolve_targets(
    net: &Network,
    evidence: &Evidence,
    targets: Option<&[usize]>,
    samples: usize,
) -> Result<Vec<usize>> {
    if samples == 0 {
        return Err(Error::invalid("--samples", "must be at least 1"));
    }
    for &(var, state) in evidence.pairs() {
        if var >= net.n_variables() || state >= net.cardinality(var) {
            return Err(Error::invalid(
                "--evidence",
                format!("({var}, {state}) is not a variable and state of this network"),
            ));
        }
    }
    let targets: Vec<usize> = match targets {
        Some(t) => t.to_vec(),
        None => (0..net.n_variables())
            .filter(|&v| evidence.state_of(v).is_none())
            .collect(),
    };
    let mut seen = vec![false; net.n_variables()];
    for &t in &targets {
        if t >= net.n_variables() {
            return Err(Error::invalid(
                "--target",
                format!(
                    "variable index {t} is out of range: the network has {} variables",
                    net.n_variables()
                ),
            ));
        }
        if evidence.state_of(t).is_some() {
            return Err(Error::invalid(
                "--target",
                format!(
                    "{} is observed: its posterior is the evidence itself",
                    net.variable(t).name
                ),
            ));
        }
        if std::mem::replace(&mut seen[t], true) {
            return Err(Error::invalid(
                "--target",
                format!("{} is listed twice", net.variable(t).name),
            ));
        }
    }
    Ok(targets)
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

fn no_weight(n: usize) -> Error {
    Error::invalid(
        "--evidence",
        format!(
            "likelihood weighting: all {n} samples have weight zero: the evidence is impossible \
             under this network, or too unlikely for this number of samples (use exact \
             inference or more samples)"
        ),
    )
}

/// Posterior marginals of `targets` (every unobserved variable when `None`) given `evidence`,
/// and the probability of the evidence, estimated by likelihood weighting with `n` samples
/// seeded with `seed`.
///
/// Each sample is a forward sample with the observed variables clamped to their states; its
/// weight is the product of `p(e_v | parents)` over the observed variables. Marginals are the
/// weighted state frequencies (self-normalized, consistent but slightly biased for small
/// `n`); [`Estimate::log_evidence`] is the log of the mean weight, computed from log-weights
/// with a running log-sum-exp so that tiny weights neither underflow nor lose precision.
/// Only the targets, the evidence and their ancestors are sampled. Precision degrades when the
/// evidence is unlikely (few samples carry the weight): watch [`Estimate::effective_samples`].
///
/// # Errors
/// [`Error::InvalidParameter`] when `n` is 0, a target is out of range, observed or repeated,
/// the evidence does not belong to this network, a variable has more than
/// [`MAX_DATASET_STATES`] states, or every sample has weight zero (impossible or very
/// unlikely evidence).
pub fn likelihood_weighting(
    net: &Network,
    evidence: &Evidence,
    targets: Option<&[usize]>,
    n: usize,
    seed: u64,
) -> Result<Estimate> {
    let targets = resolve_targets(net, evidence, targets, n)?;
    let tables = Tables::new(net)?;
    let obs = observed(net, evidence);
    let (order, _) = relevant_order(net, evidence, &targets);
    let (slots, n_slots) = target_slots(net, &targets);
    let mut rng = rng::seeded(seed);

    let mut state = vec![0u16; net.n_variables()];
    // Weighted counts, the sum of weights and of squared weights, all scaled by exp(-shift).
    let mut acc = vec![0.0f64; n_slots];
    let (mut sum_w, mut sum_w2) = (0.0f64, 0.0f64);
    let mut shift = f64::NEG_INFINITY;
    for _ in 0..n {
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
    if sum_w <= 0.0 {
        return Err(no_weight(n));
    }
    let marginals = targets
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
        marginals,
        log_evidence: Some(log_evidence),
        samples: n,
        effective_samples: sum_w * sum_w / sum_w2,
    })
}

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
        "--evidence",
        format!(
            "Gibbs sampling cannot start: none of {GIBBS_START_TRIES} forward samples with the \
             evidence clamped gives the evidence a positive probability (the evidence is \
             impossible or very unlikely; use exact inference)"
        ),
    ))
}

/// Posterior marginals of `targets` (every unobserved variable when `None`) given `evidence`,
/// estimated by Gibbs sampling: `burn_in` sweeps discarded, then `n` sweeps counted, seeded
/// with `seed`.
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
/// [`Estimate::log_evidence`] is `None`; [`Estimate::effective_samples`] is a batch-means
/// estimate that accounts for the chain's autocorrelation (the smallest over the targets'
/// states, so slow mixing anywhere among the targets shows there; it cannot detect a chain
/// stuck in one region).
///
/// # Errors
/// [`Error::InvalidParameter`] when `n` is 0, a target is out of range, observed or repeated,
/// the evidence does not belong to this network, a variable has more than
/// [`MAX_DATASET_STATES`] states, or no starting state of positive probability is found.
pub fn gibbs(
    net: &Network,
    evidence: &Evidence,
    targets: Option<&[usize]>,
    n: usize,
    burn_in: usize,
    seed: u64,
) -> Result<Estimate> {
    let targets = resolve_targets(net, evidence, targets, n)?;
    let tables = Tables::new(net)?;
    let obs = observed(net, evidence);
    let (order, mask) = relevant_order(net, evidence, &targets);
    let (slots, n_slots) = target_slots(net, &targets);
    let mut rng = rng::seeded(seed);

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

    for sweep in 0..burn_in.saturating_add(n) {
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

    let nf = n as f64;
    let marginals = targets
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
        marginals,
        log_evidence: None,
        samples: n,
        effective_samples,
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
