//! The network's tables flattened for fast sampling.

use deepgm_core::{Error, Result};

use crate::data::MAX_DATASET_STATES;
use crate::network::Network;

/// The network's tables flattened for fast sampling: per variable, its parents with their
/// strides in its table, and its row-normalized table and the cumulative sums of each row.
pub(super) struct Tables {
    pub(super) cards: Vec<usize>,
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
    pub(super) fn new(net: &Network) -> Result<Self> {
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
    pub(super) fn config(&self, v: usize, state: &[u16]) -> usize {
        let mut cfg = 0;
        for &(p, stride) in &self.parents[self.par_start[v]..self.par_start[v + 1]] {
            cfg += usize::from(state[p]) * stride;
        }
        cfg
    }

    /// `p(v = x | parents in configuration cfg)`.
    #[inline]
    pub(super) fn prob(&self, v: usize, cfg: usize, x: usize) -> f64 {
        self.probs[self.offset[v] + cfg * self.cards[v] + x]
    }

    /// A state of `v` drawn from row `cfg` by inverse CDF with the uniform number `u` in
    /// `[0, 1)`; never a state of probability zero.
    #[inline]
    pub(super) fn draw(&self, v: usize, cfg: usize, u: f64) -> u16 {
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
    pub(super) fn has_zero(&self, v: usize) -> bool {
        let end = self.offset.get(v + 1).copied().unwrap_or(self.probs.len());
        self.probs[self.offset[v]..end].contains(&0.0)
    }
}
