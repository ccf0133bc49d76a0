//! The memory an exact computation needs at its peak, planned before anything is allocated.
//!
//! A plan's tables are not all alive at once. Variable elimination frees the tables it
//! multiplies as soon as it has built their product summed over the eliminated variable (the
//! kernel writes that output directly, never the product over the clique), so its peak is the
//! tables held throughout (the evidence-restricted copies of the network's tables) plus, at the
//! worst step, the intermediate tables not yet consumed and the one being built. Max-product
//! elimination (the most probable explanation) keeps every intermediate table for its traceback,
//! so its peak is their sum. A junction tree keeps every clique table and, between its two
//! passes, each separator's message; the distribute pass adds the calibrated separators.
//!
//! Entries are `f64` ([`BYTES_PER_ENTRY`] bytes); the small per-table overheads (scopes,
//! strides) are left out, so the plan is a lower bound of the allocator's peak by a few percent
//! at most on the networks measured (see the memory test in `tests/memory.rs`).

use deepgm_core::memory::format_bytes;
use deepgm_core::{Error, Result};
use serde::Serialize;

use crate::order::Plan;

/// Bytes per table entry (`f64`).
pub const BYTES_PER_ENTRY: f64 = 8.0;

/// What an exact computation needs: the peak memory of its tables and their sizes.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct MemoryPlan {
    /// Bytes alive at the worst moment (tables held plus those being built).
    pub peak_bytes: f64,
    /// Entries of all the tables built, summed over the computation (a measure of time).
    pub total_entries: f64,
    /// Entries of the largest table built.
    pub largest_entries: f64,
}

/// Entries of a table over `scope`.
fn entries(scope: &[usize], cards: &impl Fn(usize) -> usize) -> f64 {
    scope.iter().map(|&v| cards(v) as f64).product()
}

/// The table each step of `plan` builds: its clique without the eliminated variable.
fn outputs(plan: &Plan) -> impl Iterator<Item = Vec<usize>> + '_ {
    plan.order
        .iter()
        .zip(&plan.cliques)
        .map(|(&var, clique)| clique.iter().copied().filter(|&v| v != var).collect())
}

/// The peak of eliminating with `plan` while `held_bytes` of input tables stay alive; with
/// `keep_history` (max-product with traceback) no intermediate table is freed.
pub(crate) fn elimination(
    plan: &Plan,
    cards: impl Fn(usize) -> usize,
    held_bytes: f64,
    keep_history: bool,
) -> MemoryPlan {
    let outputs: Vec<Vec<usize>> = outputs(plan).collect();
    let sizes: Vec<f64> = outputs.iter().map(|o| entries(o, &cards)).collect();
    let position: std::collections::HashMap<usize, usize> = plan
        .order
        .iter()
        .enumerate()
        .map(|(i, &v)| (v, i))
        .collect();
    // Step i's table is consumed by the first later step whose variable it holds (never, when
    // none does: it is one of the tables left at the end).
    let consumed_at: Vec<usize> = outputs
        .iter()
        .map(|o| {
            o.iter()
                .filter_map(|v| position.get(v).copied())
                .min()
                .unwrap_or(usize::MAX)
        })
        .collect();
    let mut freed_at = vec![0.0; plan.order.len() + 1];
    let mut alive = 0.0f64;
    let mut peak = 0.0f64;
    for (i, &size) in sizes.iter().enumerate() {
        // While step i builds its table, the tables it reads are still alive.
        peak = peak.max(alive + size);
        alive += size;
        if !keep_history && consumed_at[i] != usize::MAX {
            freed_at[consumed_at[i]] += size;
        }
        alive -= freed_at[i];
    }
    MemoryPlan {
        peak_bytes: held_bytes + peak * BYTES_PER_ENTRY,
        total_entries: plan.total_entries,
        largest_entries: plan.largest_entries,
    }
}

/// The peak of the junction tree [`super::jtree`] builds from `plan`, while `held_bytes` of
/// input tables stay alive.
pub(crate) fn junction_tree(
    plan: &Plan,
    cards: impl Fn(usize) -> usize,
    held_bytes: f64,
) -> MemoryPlan {
    let (cliques, separators) = super::jtree::scopes(plan);
    tree(&cliques, &separators, cards, held_bytes)
}

/// The peak of a junction tree over `cliques` (the tree's clique scopes) and `separators`
/// (one per tree edge) while `held_bytes` of input tables stay alive.
pub(crate) fn tree(
    cliques: &[Vec<usize>],
    separators: &[Vec<usize>],
    cards: impl Fn(usize) -> usize,
    held_bytes: f64,
) -> MemoryPlan {
    let clique_entries: Vec<f64> = cliques.iter().map(|c| entries(c, &cards)).collect();
    let separator_entries: f64 = separators.iter().map(|s| entries(s, &cards)).sum();
    let total: f64 = clique_entries.iter().sum();
    // Cliques, the collect pass's messages, and the distribute pass's calibrated separators.
    MemoryPlan {
        peak_bytes: held_bytes + (total + 2.0 * separator_entries) * BYTES_PER_ENTRY,
        total_entries: total + separator_entries,
        largest_entries: clique_entries.iter().copied().fold(0.0, f64::max),
    }
}

/// `Ok` when `needed` fits in `max_memory` bytes; otherwise an [`Error::Infeasible`] in bytes,
/// naming `max_memory` and saying what would help.
pub(crate) fn check(needed: &MemoryPlan, max_memory: u64, what: &str) -> Result<()> {
    if needed.peak_bytes <= max_memory as f64 {
        return Ok(());
    }
    Err(Error::Infeasible {
        what: format!(
            "{what} (largest table {:.3e} entries, {})",
            needed.largest_entries,
            format_bytes(needed.largest_entries * BYTES_PER_ENTRY)
        ),
        needed: needed.peak_bytes,
        budget: max_memory as f64,
        unit: "bytes".into(),
        parameter: Some("max_memory".into()),
        advice: "raise it if the machine has the memory, or add evidence, ask for fewer targets, \
                 or use an approximate method (likelihood weighting, Gibbs)"
            .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::InteractionGraph;

    #[test]
    fn a_chain_frees_each_table_as_it_goes() {
        // A chain 0 - 1 - ... - 9 of binary variables: each step builds a 2-entry table and
        // consumes the previous one, so at most two are alive.
        let n = 10;
        let scopes: Vec<Vec<usize>> = (0..n - 1).map(|i| vec![i, i + 1]).collect();
        let graph = InteractionGraph::from_scopes(
            (0..n).collect(),
            vec![2; n],
            scopes.iter().map(|s| s.as_slice()),
        );
        let plan = graph.plan(crate::order::Heuristic::MinFill, &[]);
        let freed = elimination(&plan, |_| 2, 100.0, false);
        let kept = elimination(&plan, |_| 2, 100.0, true);
        assert!(freed.peak_bytes <= 100.0 + 2.0 * 2.0 * BYTES_PER_ENTRY);
        let all: f64 = outputs(&plan)
            .map(|o| 2f64.powi(o.len() as i32))
            .sum::<f64>();
        assert_eq!(kept.peak_bytes, 100.0 + all * BYTES_PER_ENTRY);
        assert!(kept.peak_bytes > freed.peak_bytes);
    }

    #[test]
    fn over_budget_is_infeasible_in_bytes() {
        let plan = MemoryPlan {
            peak_bytes: 3.0 * (1u64 << 30) as f64,
            total_entries: 1e8,
            largest_entries: 5e7,
        };
        assert!(check(&plan, 4 << 30, "x").is_ok());
        let err = check(&plan, 1 << 30, "the junction tree").unwrap_err();
        assert_eq!(err.parameter(), Some("max_memory"));
        let text = err.to_string();
        assert!(
            text.contains("needs 3.0 GiB, over the budget of 1.0 GiB"),
            "{text}"
        );
    }
}
