//! [`Method::Auto`]'s choice between one junction tree and elimination per target, shared by
//! Bayesian and Markov networks.
//!
//! Both costs are predicted in nanoseconds from cheap plans: one greedy min-fill ordering of the
//! whole graph for the tree, and greedy orderings of a strided sample of the targets for
//! elimination, extrapolated to all of them. The cheap plans are only estimates (the method
//! chosen then plans with [`InteractionGraph::best_plan`]); making the full plans first would
//! cost, on networks like munin, as much as the cheaper method itself.
//!
//! The weights were read off timings of both forced methods on the bnlearn networks and the
//! UAI 2014 instances, with and without evidence (`bench/bn/planner.py`).

use rayon::prelude::*;

use crate::inference::{memory, Method};
use crate::order::{Heuristic, InteractionGraph, Plan};

/// A junction tree's cost per entry of its cliques and separators (ns).
const JT_NS_PER_ENTRY: f64 = 6.0;
/// A junction tree's cost per input table (ns): selecting it, assigning it to a clique and
/// multiplying it in, and the clique's share of the propagation's bookkeeping.
const JT_NS_PER_TABLE: f64 = 5000.0;
/// Elimination's cost per entry of a target's plan (ns, one thread).
const VE_NS_PER_ENTRY: f64 = 4.5;
/// Elimination's cost per variable of a target's pruned network (ns, one thread): pruning,
/// planning (three greedy orderings and their restarts) and one table eliminated.
const VE_NS_PER_NODE: f64 = 4500.0;
/// A junction tree predicted under this many nanoseconds is run without estimating elimination.
const SMALL_JUNCTION_TREE_NS: f64 = 5e5;
/// The most targets whose elimination is planned to estimate elimination's cost.
const SAMPLED_TARGETS: usize = 16;
/// Elimination extrapolated from the first targets to this many times the tree's cost takes the
/// tree without estimating more targets.
const CLEARLY_COSTLIER: f64 = 4.0;
/// Targets' estimates run in parallel when the graph has at least this many nodes (smaller
/// plans take less than waking the other threads).
const PARALLEL_NODES: usize = 64;

/// What one target's elimination would build: the table entries of a greedy plan and the
/// number of variables (and so of tables, about) in its pruned network.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TargetWork {
    /// Table entries the plan builds.
    pub entries: f64,
    /// Variables of the pruned network, the target included.
    pub nodes: usize,
}

impl TargetWork {
    /// The work of a greedy min-fill plan of `graph` that keeps `target` to the end.
    pub(crate) fn greedy(graph: &InteractionGraph, target: usize) -> TargetWork {
        let plan = graph.plan(Heuristic::MinFill, &[target]);
        TargetWork {
            entries: plan.total_entries,
            nodes: plan.order.len() + 1,
        }
    }

    /// The work of eliminating a whole graph by `plan` (its greedy ordering): what one
    /// target costs where nothing is pruned per target (a Markov network's component).
    pub(crate) fn whole(plan: &Plan) -> TargetWork {
        TargetWork {
            entries: plan.total_entries,
            nodes: plan.order.len(),
        }
    }

    fn nanoseconds(self) -> f64 {
        let n = self.nodes as f64;
        VE_NS_PER_ENTRY * self.entries + VE_NS_PER_NODE * n
    }
}

/// The method [`Method::Auto`] runs for `n_targets` targets over `graph` (whose variables have
/// cardinalities `cards`, with `n_tables` input tables), and the greedy min-fill plan of the
/// whole graph it made on the way, which a junction tree can start from
/// ([`InteractionGraph::best_plan_from`]).
///
/// `target_work(i, tree_plan)` estimates the elimination of the `i`-th target: cheaply, e.g.
/// [`TargetWork::greedy`] on its pruned network, or from the whole graph's greedy plan (given)
/// where nothing is pruned per target. At most [`SAMPLED_TARGETS`] targets are estimated, a
/// thread's share at a time; sampling stops as soon as the targets estimated alone cost more
/// than the tree, or the estimate extrapolated to all the targets is [`CLEARLY_COSTLIER`] times
/// the tree's.
pub(crate) fn choose(
    graph: &InteractionGraph,
    cards: impl Fn(usize) -> usize,
    n_tables: usize,
    n_targets: usize,
    target_work: impl Fn(usize, &Plan) -> TargetWork + Sync,
) -> (Method, Option<Plan>) {
    if n_targets <= 1 {
        return (Method::VariableElimination, None);
    }
    let tree_plan = graph.plan(Heuristic::MinFill, &[]);
    let tables_ns = JT_NS_PER_TABLE * n_tables as f64;
    // The tree's cliques are among the ordering's tables and each separator is smaller than its
    // clique, so twice the ordering's total bounds the tree's: small trees need no clique tree
    // built to be recognized.
    if JT_NS_PER_ENTRY * 2.0 * tree_plan.total_entries + tables_ns < SMALL_JUNCTION_TREE_NS {
        return (Method::JunctionTree, Some(tree_plan));
    }
    let tree_entries = memory::junction_tree(&tree_plan, cards, 0.0).total_entries;
    let tree_ns = JT_NS_PER_ENTRY * tree_entries + tables_ns;
    if tree_ns < SMALL_JUNCTION_TREE_NS {
        return (Method::JunctionTree, Some(tree_plan));
    }
    let threads = rayon::current_num_threads().clamp(1, n_targets);
    let sampled = sample(n_targets, SAMPLED_TARGETS);
    let per_thread = |ns: f64, of: usize| ns * n_targets as f64 / of as f64 / threads as f64;
    let work = |i: usize| target_work(i, &tree_plan).nanoseconds();
    let mut planned_ns = 0.0;
    let mut planned = 0;
    for chunk in sampled.chunks(threads) {
        let chunk_ns: f64 = if graph.len() >= PARALLEL_NODES && chunk.len() > 1 {
            chunk.par_iter().map(|&i| work(i)).sum()
        } else {
            chunk.iter().map(|&i| work(i)).sum()
        };
        planned_ns += chunk_ns;
        planned += chunk.len();
        // The targets estimated so far are a lower bound on elimination's cost.
        if planned_ns / threads as f64 > tree_ns
            || per_thread(planned_ns, planned) > CLEARLY_COSTLIER * tree_ns
        {
            return (Method::JunctionTree, Some(tree_plan));
        }
    }
    let elimination_ns = per_thread(planned_ns, sampled.len());
    if elimination_ns < tree_ns {
        (Method::VariableElimination, None)
    } else {
        (Method::JunctionTree, Some(tree_plan))
    }
}

/// Whether a junction tree is the cheaper method for `n_targets` targets that each eliminate the
/// whole graph (nothing is pruned per target, as in a Markov network's component), without
/// planning: each target's elimination builds about what the tree's ordering does, and the
/// tree's cliques and separators are at most twice that, so past a few targets per thread the
/// tree wins whatever the graph.
pub(crate) fn tree_wins_unpruned(n_targets: usize) -> bool {
    let threads = rayon::current_num_threads().clamp(1, n_targets.max(1)) as f64;
    n_targets as f64 * VE_NS_PER_ENTRY / threads > 2.0 * JT_NS_PER_ENTRY
}

/// Up to `k` indices spread evenly over `0..n`, the first and the last included.
fn sample(n: usize, k: usize) -> Vec<usize> {
    if n <= k {
        return (0..n).collect();
    }
    (0..k).map(|j| j * (n - 1) / (k - 1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_spread_and_distinct() {
        assert_eq!(sample(3, 16), vec![0, 1, 2]);
        let s = sample(1000, 16);
        assert_eq!(s.len(), 16);
        assert_eq!((s[0], s[15]), (0, 999));
        assert!(s.windows(2).all(|w| w[0] < w[1]));
    }

    fn chain(n: usize, card: usize) -> InteractionGraph {
        let scopes: Vec<[usize; 2]> = (0..n - 1).map(|i| [i, i + 1]).collect();
        InteractionGraph::from_scopes(
            (0..n).collect(),
            vec![card; n],
            scopes.iter().map(|s| &s[..]),
        )
    }

    #[test]
    fn one_target_eliminates_and_a_small_tree_is_run_directly() {
        let g = chain(5, 2);
        let work = |_, _: &Plan| TargetWork::greedy(&g, 0);
        assert_eq!(choose(&g, |_| 2, 5, 1, work).0, Method::VariableElimination);
        let (method, plan) = choose(&g, |_| 2, 5, 5, work);
        assert_eq!(method, Method::JunctionTree);
        assert_eq!(plan.expect("the tree's plan").order.len(), 5);
    }

    #[test]
    fn cheap_targets_eliminate_and_costly_ones_take_the_tree() {
        // A long chain of large variables: its tree is well over the small-tree shortcut.
        let g = chain(400, 30);
        let cheap = |_, _: &Plan| TargetWork {
            entries: 10.0,
            nodes: 2,
        };
        assert_eq!(
            choose(&g, |_| 30, 400, 400, cheap).0,
            Method::VariableElimination
        );
        let costly = |_, _: &Plan| TargetWork {
            entries: 1e9,
            nodes: 400,
        };
        assert_eq!(choose(&g, |_| 30, 400, 400, costly).0, Method::JunctionTree);
    }
}
