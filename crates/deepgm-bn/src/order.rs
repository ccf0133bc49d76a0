//! Elimination orderings: greedy min-fill, weighted min-fill and min-weight on an interaction graph, and
//! what an ordering costs (its cliques, induced width and total table size).
//!
//! Eliminating a variable connects all its neighbours (the fill-in edges) and creates a table
//! over the variable and its neighbours, so the ordering decides both the time and the memory
//! of exact inference. Greedy min-fill picks, at each step, the variable that adds the fewest
//! fill-in edges; weighted min-fill weighs each fill-in edge by the product of the two
//! cardinalities. Ties go to the smaller new table, then the smaller index, so orderings are
//! deterministic.

use deepgm_core::rng::{seeded, DeepRng};
use rand::Rng;

/// The greedy rule used to pick the next variable to eliminate; serialized as its
/// [`Heuristic::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Heuristic {
    /// Fewest fill-in edges.
    MinFill,
    /// Smallest sum over fill-in edges of the product of their endpoints' cardinalities.
    WeightedMinFill,
    /// Smallest new table (the product of the cardinalities of the variable and its
    /// neighbours); suits networks whose cardinalities differ widely.
    MinWeight,
}

impl Heuristic {
    /// Every heuristic, in the order they are tried.
    pub const ALL: [Heuristic; 3] = [
        Heuristic::MinFill,
        Heuristic::WeightedMinFill,
        Heuristic::MinWeight,
    ];

    /// The name used in reports (`min-fill`, `weighted-min-fill`).
    pub fn name(self) -> &'static str {
        match self {
            Heuristic::MinFill => "min-fill",
            Heuristic::WeightedMinFill => "weighted-min-fill",
            Heuristic::MinWeight => "min-weight",
        }
    }
}

/// An undirected graph over variables (the nodes), with their cardinalities.
#[derive(Debug, Clone)]
pub struct InteractionGraph {
    /// The variable index of each node.
    pub vars: Vec<usize>,
    /// The cardinality of each node's variable.
    pub cards: Vec<usize>,
    words: usize,
    adjacency: Vec<u64>,
}

impl InteractionGraph {
    /// A graph over `vars` (distinct variable indices) with cardinalities `cards`, and an edge
    /// between every two variables that share one of `scopes`.
    pub fn from_scopes<'a>(
        vars: Vec<usize>,
        cards: Vec<usize>,
        scopes: impl IntoIterator<Item = &'a [usize]>,
    ) -> Self {
        let n = vars.len();
        let words = n.div_ceil(64).max(1);
        let mut graph = InteractionGraph {
            vars,
            cards,
            words,
            adjacency: vec![0; n * words],
        };
        let max_var = graph.vars.iter().copied().max().map_or(0, |m| m + 1);
        let mut local = vec![usize::MAX; max_var];
        for (i, &v) in graph.vars.iter().enumerate() {
            local[v] = i;
        }
        for scope in scopes {
            let nodes: Vec<usize> = scope
                .iter()
                .filter_map(|&v| local.get(v).copied().filter(|&l| l != usize::MAX))
                .collect();
            for (i, &a) in nodes.iter().enumerate() {
                for &b in &nodes[i + 1..] {
                    graph.connect(a, b);
                }
            }
        }
        graph
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    fn connect(&mut self, a: usize, b: usize) {
        if a != b {
            self.adjacency[a * self.words + b / 64] |= 1 << (b % 64);
            self.adjacency[b * self.words + a / 64] |= 1 << (a % 64);
        }
    }

    fn has_edge(&self, a: usize, b: usize) -> bool {
        self.adjacency[a * self.words + b / 64] & (1 << (b % 64)) != 0
    }

    fn neighbours(&self, a: usize) -> impl Iterator<Item = usize> + '_ {
        self.row(a).iter().enumerate().flat_map(|(w, &bits)| {
            let mut bits = bits;
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let t = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(w * 64 + t)
            })
        })
    }

    /// The connected components, each a sorted list of node positions.
    pub fn components(&self) -> Vec<Vec<usize>> {
        let n = self.len();
        let mut seen = vec![false; n];
        let mut components = Vec::new();
        for start in 0..n {
            if seen[start] {
                continue;
            }
            seen[start] = true;
            let mut stack = vec![start];
            let mut component = Vec::new();
            while let Some(a) = stack.pop() {
                component.push(a);
                for b in self.neighbours(a) {
                    if !seen[b] {
                        seen[b] = true;
                        stack.push(b);
                    }
                }
            }
            component.sort_unstable();
            components.push(component);
        }
        components
    }

    /// A greedy elimination ordering of every node except those in `keep` (variable
    /// indices), with its cost.
    pub fn plan(&self, heuristic: Heuristic, keep: &[usize]) -> Plan {
        self.plan_perturbed(heuristic, keep, None)
    }

    /// [`Self::plan`] with each greedy score multiplied by a random factor in `[1, 1 + noise)`
    /// when `perturb` is given: a randomized restart of the greedy rule.
    fn plan_perturbed(
        &self,
        heuristic: Heuristic,
        keep: &[usize],
        mut perturb: Option<(&mut DeepRng, f64)>,
    ) -> Plan {
        let n = self.len();
        let mut graph = self.clone();
        let mut alive: Vec<bool> = self.vars.iter().map(|v| !keep.contains(v)).collect();
        let mut present = vec![true; n];
        // A min-heap of scores with lazy deletion: a node's entry is current only while its
        // stamp matches, so each step costs the rescoring of the nodes it touched, not a scan.
        let mut stamps = vec![0u32; n];
        let mut heap = std::collections::BinaryHeap::with_capacity(2 * n);
        let mut scored = |graph: &InteractionGraph, a: usize| {
            let s = graph.score(a, heuristic);
            match perturb.as_mut() {
                Some((rng, noise)) => {
                    let u = 1.0 + *noise * rng.random::<f64>();
                    (s.0 * u, s.1 * u)
                }
                None => s,
            }
        };
        for a in (0..n).filter(|&a| alive[a]) {
            heap.push(Candidate {
                score: scored(&graph, a),
                node: a,
                stamp: 0,
            });
        }
        let mut order = Vec::new();
        let mut cliques = Vec::new();
        let mut total = 0.0;
        let mut largest: f64 = 0.0;
        let mut width = 0;
        let mut touched = vec![false; n];
        let mut touched_list: Vec<usize> = Vec::new();
        let mut nbrs: Vec<usize> = Vec::new();
        let mut fills: Vec<(usize, usize)> = Vec::new();
        while let Some(Candidate { node: v, stamp, .. }) = heap.pop() {
            if !alive[v] || stamp != stamps[v] {
                continue;
            }
            nbrs.clear();
            nbrs.extend(graph.neighbours(v));
            let mut clique: Vec<usize> = nbrs.iter().map(|&a| self.vars[a]).collect();
            clique.push(self.vars[v]);
            clique.sort_unstable();
            let entries = nbrs
                .iter()
                .fold(self.cards[v] as f64, |acc, &a| acc * self.cards[a] as f64);
            total += entries;
            largest = largest.max(entries);
            width = width.max(nbrs.len());
            order.push(self.vars[v]);
            cliques.push(clique);
            fills.clear();
            for (i, &a) in nbrs.iter().enumerate() {
                for &b in &nbrs[i + 1..] {
                    if !graph.has_edge(a, b) {
                        graph.connect(a, b);
                        fills.push((a, b));
                    }
                }
            }
            for &a in &nbrs {
                graph.adjacency[a * graph.words + v / 64] &= !(1 << (v % 64));
            }
            graph.adjacency[v * graph.words..(v + 1) * graph.words].fill(0);
            alive[v] = false;
            present[v] = false;
            // A score depends on a node's neighbours and the edges among them, so it changes
            // for `v`'s neighbours (they lose `v` and gain the fill-in edges) and for the common
            // neighbours of the two ends of each fill-in edge; nothing else.
            let mut touch = |b: usize| {
                if !std::mem::replace(&mut touched[b], true) {
                    touched_list.push(b);
                }
            };
            for &a in &nbrs {
                touch(a);
            }
            for &(a, b) in &fills {
                let (row_a, row_b) = (graph.row(a), graph.row(b));
                for (w, (&x, &y)) in row_a.iter().zip(row_b).enumerate() {
                    let mut common = x & y;
                    while common != 0 {
                        touch(w * 64 + common.trailing_zeros() as usize);
                        common &= common - 1;
                    }
                }
            }
            for a in touched_list.drain(..) {
                touched[a] = false;
                if alive[a] {
                    stamps[a] += 1;
                    heap.push(Candidate {
                        score: scored(&graph, a),
                        node: a,
                        stamp: stamps[a],
                    });
                }
            }
        }
        // What is left (the kept variables) forms one last table.
        let rest: Vec<usize> = (0..n).filter(|&a| present[a]).collect();
        if !rest.is_empty() {
            let entries = rest.iter().fold(1.0, |acc, &a| acc * self.cards[a] as f64);
            total += entries;
            largest = largest.max(entries);
        }
        Plan {
            heuristic,
            order,
            cliques,
            induced_width: width,
            total_entries: total,
            largest_entries: largest,
        }
    }

    /// The greedy score of eliminating `a` now, compared lexicographically: (fill cost, size of
    /// the new table), or the other way round for [`Heuristic::MinWeight`].
    ///
    /// Works on the adjacency bitsets without allocating: every neighbour `x` of `a` counts the
    /// other neighbours it is not adjacent to, so each missing edge is counted twice. The fill
    /// costs are integers summed exactly, so the score does not depend on the order of the sum.
    fn score(&self, a: usize, heuristic: Heuristic) -> (f64, f64) {
        let full = self.row(a);
        // Only the words holding `a`'s neighbours matter: on large sparse graphs that is a few
        // of many.
        let lo = full.iter().position(|&w| w != 0).unwrap_or(0);
        let hi = full.iter().rposition(|&w| w != 0).map_or(lo, |h| h + 1);
        let row = &full[lo..hi];
        let mut size = self.cards[a] as f64;
        let mut twice_fill: u64 = 0;
        for x in self.neighbours(a) {
            size *= self.cards[x] as f64;
            let adjacent_to_x = &self.row(x)[lo..hi];
            match heuristic {
                Heuristic::MinFill | Heuristic::MinWeight => {
                    let missing: u32 = row
                        .iter()
                        .zip(adjacent_to_x)
                        .map(|(&r, &adj)| (r & !adj).count_ones())
                        .sum();
                    // `x` itself is in `a`'s row and never adjacent to itself.
                    twice_fill += u64::from(missing - 1);
                }
                Heuristic::WeightedMinFill => {
                    let mut weight: u64 = 0;
                    for (w, (&r, &adj)) in row.iter().zip(adjacent_to_x).enumerate() {
                        let mut bits = r & !adj;
                        while bits != 0 {
                            let y = (lo + w) * 64 + bits.trailing_zeros() as usize;
                            bits &= bits - 1;
                            if y != x {
                                weight += self.cards[y] as u64;
                            }
                        }
                    }
                    twice_fill += self.cards[x] as u64 * weight;
                }
            }
        }
        let fill = (twice_fill / 2) as f64;
        match heuristic {
            Heuristic::MinWeight => (size, fill),
            _ => (fill, size),
        }
    }

    /// The adjacency bitset of node `a`.
    fn row(&self, a: usize) -> &[u64] {
        &self.adjacency[a * self.words..(a + 1) * self.words]
    }

    /// The cheapest plan (smallest total table size) among [`Heuristic::ALL`] and randomized
    /// restarts of them (scores multiplied by random factors in `[1, 2)`, from a fixed seed,
    /// so the plan is deterministic). Greedy rules alone can miss by a wide margin on
    /// networks whose cardinalities differ widely: on mildew, min-fill builds 5.3 million
    /// entries (largest 2.8 million) where restarts find 3.7 million (largest 0.8 million).
    /// The number of restarts grows with the tables' size and shrinks with the square of the
    /// graph's size (the cost of one plan), so planning stays a small part of inference.
    pub fn best_plan(&self, keep: &[usize]) -> Plan {
        self.best_plan_from(keep, None)
    }

    /// [`Self::best_plan`], given (in `known`) the plan one of the greedy rules already made for
    /// the same `keep`, so it is not made again.
    pub fn best_plan_from(&self, keep: &[usize], known: Option<Plan>) -> Plan {
        let mut known = known;
        let cheaper = |a: Plan, b: Plan| {
            if b.total_entries < a.total_entries {
                b
            } else {
                a
            }
        };
        let mut best = Heuristic::ALL
            .iter()
            .map(|&h| match known.take_if(|p| p.heuristic == h) {
                Some(plan) => plan,
                None => self.plan(h, keep),
            })
            .reduce(cheaper)
            .expect("at least one heuristic");
        let n = self.len().max(1) as f64;
        let restarts =
            ((best.total_entries * RESTARTS_PER_ENTRY / (n * n)) as usize).min(MAX_RESTARTS);
        let mut rng = seeded(RESTART_SEED);
        for r in 0..restarts {
            let heuristic = Heuristic::ALL[r % Heuristic::ALL.len()];
            let plan = self.plan_perturbed(heuristic, keep, Some((&mut rng, 1.0)));
            best = cheaper(best, plan);
        }
        best
    }
}

/// The most randomized restarts one plan gets.
const MAX_RESTARTS: usize = 64;
/// Restarts per table entry of the best greedy plan, per squared graph node: one plan costs
/// about 40 ns per squared node and one table entry about 2 ns, so planning stays under a tenth
/// of the work it plans (chosen by timing 0, 0.004 and 0.015 on water, mildew and barley).
const RESTARTS_PER_ENTRY: f64 = 0.004;
/// Restarts are seeded, so a network always gets the same plan.
const RESTART_SEED: u64 = 0x5eed_0bde7;

/// A node's greedy score in [`InteractionGraph::plan_perturbed`]'s heap, ordered so the heap
/// pops the smallest score first and, among equal scores, the smallest node.
struct Candidate {
    score: (f64, f64),
    node: usize,
    /// The node's rescoring count when this entry was pushed; older entries are stale.
    stamp: u32,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.score.0.total_cmp(&self.score.0))
            .then(other.score.1.total_cmp(&self.score.1))
            .then(other.node.cmp(&self.node))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Candidate {}

/// An elimination ordering and what it costs.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The rule that produced it.
    pub heuristic: Heuristic,
    /// Variables in elimination order.
    pub order: Vec<usize>,
    /// For each eliminated variable (aligned with `order`), the sorted scope of the table its
    /// elimination creates: the variable and its neighbours at that time.
    pub cliques: Vec<Vec<usize>>,
    /// The induced width: the largest number of neighbours at elimination (the treewidth bound
    /// of this ordering).
    pub induced_width: usize,
    /// The sum of the sizes of all tables built (entries), a measure of time and memory.
    pub total_entries: f64,
    /// The size of the largest table (entries).
    pub largest_entries: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarts_never_lose_to_the_greedy_rules_and_are_deterministic() {
        // A grid of variables with mixed cardinalities: big enough for restarts to run.
        let side = 6;
        let n = side * side;
        let cards: Vec<usize> = (0..n).map(|i| [2, 30, 5, 60][i % 4]).collect();
        let mut scopes: Vec<Vec<usize>> = Vec::new();
        for r in 0..side {
            for c in 0..side {
                let v = r * side + c;
                if c + 1 < side {
                    scopes.push(vec![v, v + 1]);
                }
                if r + 1 < side {
                    scopes.push(vec![v, v + side]);
                }
            }
        }
        let graph = InteractionGraph::from_scopes(
            (0..n).collect(),
            cards,
            scopes.iter().map(|s| s.as_slice()),
        );
        let best = graph.best_plan(&[]);
        for h in Heuristic::ALL {
            assert!(best.total_entries <= graph.plan(h, &[]).total_entries);
        }
        let again = graph.best_plan(&[]);
        assert_eq!(best.order, again.order);
        let mut sorted = best.order.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            (0..n).collect::<Vec<_>>(),
            "every variable eliminated once"
        );
    }

    /// The greedy score by its definition: every pair of neighbours, once.
    fn score_by_pairs(g: &InteractionGraph, a: usize, heuristic: Heuristic) -> (f64, f64) {
        let nbrs: Vec<usize> = (0..g.len()).filter(|&x| g.has_edge(a, x)).collect();
        let mut fill = 0.0;
        for (i, &x) in nbrs.iter().enumerate() {
            for &y in &nbrs[i + 1..] {
                if !g.has_edge(x, y) {
                    fill += match heuristic {
                        Heuristic::WeightedMinFill => (g.cards[x] * g.cards[y]) as f64,
                        _ => 1.0,
                    };
                }
            }
        }
        let size = nbrs
            .iter()
            .fold(g.cards[a] as f64, |acc, &x| acc * g.cards[x] as f64);
        match heuristic {
            Heuristic::MinWeight => (size, fill),
            _ => (fill, size),
        }
    }

    /// The greedy ordering by its definition: every score recomputed from scratch at each step,
    /// ties to the smaller node.
    fn greedy_by_definition(g: &InteractionGraph, heuristic: Heuristic) -> Vec<usize> {
        let mut g = g.clone();
        let mut alive = vec![true; g.len()];
        let mut order = Vec::new();
        while let Some(v) = (0..g.len()).filter(|&a| alive[a]).min_by(|&a, &b| {
            let (sa, sb) = (
                score_by_pairs(&g, a, heuristic),
                score_by_pairs(&g, b, heuristic),
            );
            sa.0.total_cmp(&sb.0)
                .then(sa.1.total_cmp(&sb.1))
                .then(a.cmp(&b))
        }) {
            let nbrs: Vec<usize> = g.neighbours(v).collect();
            for (i, &a) in nbrs.iter().enumerate() {
                for &b in &nbrs[i + 1..] {
                    g.connect(a, b);
                }
            }
            for &a in &nbrs {
                g.adjacency[a * g.words + v / 64] &= !(1 << (v % 64));
            }
            g.adjacency[v * g.words..(v + 1) * g.words].fill(0);
            alive[v] = false;
            order.push(g.vars[v]);
        }
        order
    }

    #[test]
    fn incremental_rescoring_gives_the_greedy_ordering_by_definition() {
        let mut rng = seeded(11);
        for n in [6, 30, 90] {
            for _ in 0..4 {
                let cards: Vec<usize> = (0..n).map(|_| rng.random_range(2..6)).collect();
                let scopes: Vec<Vec<usize>> = (0..n + n / 2)
                    .map(|_| {
                        (0..rng.random_range(2..4))
                            .map(|_| rng.random_range(0..n))
                            .collect()
                    })
                    .collect();
                let g = InteractionGraph::from_scopes(
                    (0..n).collect(),
                    cards,
                    scopes.iter().map(|s| s.as_slice()),
                );
                for h in Heuristic::ALL {
                    assert_eq!(
                        g.plan(h, &[]).order,
                        greedy_by_definition(&g, h),
                        "n {n}, {h:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn bitset_scores_match_the_pairwise_definition() {
        let mut rng = seeded(7);
        // 70 and 130 nodes span one, two and three words per adjacency row.
        for n in [5, 70, 130] {
            let cards: Vec<usize> = (0..n).map(|_| rng.random_range(2..40)).collect();
            let scopes: Vec<Vec<usize>> = (0..2 * n)
                .map(|_| (0..3).map(|_| rng.random_range(0..n)).collect())
                .collect();
            let g = InteractionGraph::from_scopes(
                (0..n).collect(),
                cards,
                scopes.iter().map(|s| s.as_slice()),
            );
            for a in 0..n {
                for h in Heuristic::ALL {
                    assert_eq!(g.score(a, h), score_by_pairs(&g, a, h), "node {a}, {h:?}");
                }
            }
        }
    }

    #[test]
    fn chain_has_width_one_and_a_cycle_width_two() {
        let chain = InteractionGraph::from_scopes(
            vec![0, 1, 2, 3],
            vec![2; 4],
            [&[0, 1][..], &[1, 2], &[2, 3]],
        );
        let plan = chain.best_plan(&[]);
        assert_eq!(plan.induced_width, 1);
        assert_eq!(plan.order.len(), 4);
        let cycle = InteractionGraph::from_scopes(
            vec![0, 1, 2, 3],
            vec![2; 4],
            [&[0, 1][..], &[1, 2], &[2, 3], &[3, 0]],
        );
        assert_eq!(cycle.plan(Heuristic::MinFill, &[]).induced_width, 2);
    }

    #[test]
    fn kept_variables_are_not_eliminated_and_components_split() {
        let g = InteractionGraph::from_scopes(
            vec![4, 7, 9, 11],
            vec![2, 3, 2, 2],
            [&[4, 7][..], &[9, 11]],
        );
        let plan = g.plan(Heuristic::WeightedMinFill, &[7]);
        assert!(!plan.order.contains(&7));
        assert_eq!(plan.order.len(), 3);
        assert_eq!(g.components(), vec![vec![0, 1], vec![2, 3]]);
    }
}
