//! Compile once, query many: a junction tree built once for a whole network, answering a
//! stream of evidence sets.
//!
//! [`CompiledNetwork::new`] triangulates the whole network once (the cheapest of the greedy
//! orderings and their seeded restarts, as [`query`](super::query) plans), builds the clique
//! tree, multiplies each table into the clique that holds its scope, checks the memory the
//! tree needs against [`CompileParams::max_memory`] before allocating any clique, and
//! propagates once without evidence (the prior marginals and separators). The tables keep
//! their full scopes: an observation `X = x` is applied to one clique holding `X` (its *home*)
//! by zeroing the entries with another state of `X`. Each [`CompiledNetwork::query`] then
//! propagates the evidence:
//!
//! - **Collect** (leaves to root). The message a clique sends its parent is its table, zeroed
//!   by the observations homed there, times its children's messages, summed onto the
//!   separator. It depends only on the evidence homed in the clique's subtree, so it is cached
//!   (with the clique's product); a new evidence set recomputes the homes of the variables
//!   whose observation changed and their ancestors, nothing else. The root of each tree is
//!   chosen at compile time to make that path cheap: the clique minimizing the expected
//!   entries recomputed when a few observations change at random.
//! - **Distribute** (root to leaves, Hugin's update). A clique's belief is its cached product
//!   times its calibrated separator divided by its own message. Beliefs depend on all the
//!   evidence, so they are recomputed, but only where an answer needs them: a target whose
//!   ancestors share none with the observed variables is independent of the evidence
//!   (d-separated from it given nothing), so its prior is the answer; likewise a separator
//!   none of whose variables is reached keeps its prior, and the cliques above it are not
//!   calibrated for its sake.
//!
//! Children whose separators nest (many leaves hanging on one large clique through the same
//! variable, say) share one pass over their parent in each direction, and small tables map
//! their entries to their separators' through precomputed indices instead of the odometer.
//!
//! Messages and separators are normalized as they go, and the messages' log scales summed, so
//! `ln P(e)` comes out of the collect pass without underflow. Every table an answer is read
//! from is computed by the same operations in the same order whether it was cached or not, so
//! an engine gives the same answer, bit for bit, whatever evidence it has seen before.

use rayon::prelude::*;
use serde::Serialize;

use deepgm_core::params::Params;
use deepgm_core::{Error, Result};

use super::{check_max_memory, jtree, memory, zero_evidence, Cost, Evidence, Method, Posteriors};
use crate::factor::{split_first_axis, walk, Factor, MARGINAL_GROUPS};
use crate::network::Network;
use crate::order::InteractionGraph;
use crate::report::{named_evidence, named_marginals};

/// Parameters of [`CompiledNetwork::new`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CompileParams {
    /// The most memory the compiled tree may take, in bytes (at least 1): the cliques' tables
    /// (kept twice: as compiled, and times the cached messages), the messages, the calibrated
    /// and prior separators, and the largest clique's belief. A tree over it is refused before
    /// any clique is allocated. Default [`deepgm_core::memory::default_budget`]: half the
    /// memory available on the machine.
    pub max_memory: u64,
}

impl Default for CompileParams {
    fn default() -> Self {
        CompileParams {
            max_memory: deepgm_core::memory::default_budget(),
        }
    }
}

impl Params for CompileParams {
    fn check(&self) -> Result<()> {
        check_max_memory(self.max_memory)
    }
}

/// What [`CompiledNetwork::query_values`] returns: [`Posteriors`]' numbers without the names.
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorValues {
    /// Natural log of the probability of the evidence (0 without evidence).
    pub log_evidence: f64,
    /// For each target (in the order asked): its variable index and the probability of each
    /// of its states (in the network's order; they sum to 1).
    pub marginals: Vec<(usize, Vec<f64>)>,
}

/// Where a variable's posterior is read: the smallest table that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Host {
    /// The belief of clique `c`.
    Clique(usize),
    /// The calibrated separator between clique `c` and its parent.
    Separator(usize),
}

/// The expected number of observations that change from one query to the next, for choosing
/// the roots (five leave, five arrive).
const CHANGES_PER_QUERY: f64 = 10.0;

/// A Bayesian network compiled into a junction tree, answering many evidence sets: the
/// triangulation, the clique tree and the cliques' tables are made once; each query recomputes
/// only the messages whose subtree holds a changed observation, and calibrates only the
/// cliques its answers are read from (a target independent of the evidence gets its prior).
///
/// ```
/// use deepgm_bn::{CompileParams, CompiledNetwork, Evidence};
/// let net = deepgm_bn::embedded::load("asia").unwrap();
/// let mut compiled = CompiledNetwork::new(&net, &CompileParams::default()).unwrap();
/// for text in ["smoke=yes", "smoke=yes,dysp=yes", "xray=no"] {
///     let evidence = Evidence::parse(&net, text).unwrap();
///     let answer = compiled.query(&evidence, None).unwrap();
///     let lung = answer.marginal("lung").unwrap().probability_of("yes").unwrap();
///     assert!(lung > 0.0 && lung < 1.0);
/// }
/// let smoker = Evidence::parse(&net, "smoke=yes").unwrap();
/// let lung = net.find("lung").unwrap();
/// let answer = compiled.query(&smoker, Some(&[lung])).unwrap();
/// assert!((answer.marginals[0].probability_of("yes").unwrap() - 0.1).abs() < 1e-12);
/// ```
pub struct CompiledNetwork {
    net: Network,
    /// Each clique's sorted scope and the cardinalities along it.
    scopes: Vec<Vec<usize>>,
    cards: Vec<Vec<usize>>,
    /// Each clique's parent (`None` for the root of each tree of the forest).
    parent: Vec<Option<usize>>,
    /// Each clique's children, in increasing order.
    children: Vec<Vec<usize>>,
    /// The cliques, every parent before its children.
    preorder: Vec<usize>,
    /// The variables each clique shares with its parent (empty for roots), their
    /// cardinalities, the separator's layout in the clique, and (for a group's leader, see
    /// [`Group`]) in the parent.
    separators: Vec<Vec<usize>>,
    separator_cards: Vec<Vec<usize>>,
    in_child: Vec<Layout>,
    in_parent: Vec<Layout>,
    /// Each clique's children, grouped so that one pass over the clique serves a group.
    groups: Vec<Vec<Group>>,
    /// The root of each clique's tree.
    root_of: Vec<usize>,
    /// The compiled table of each clique: the product of the network's tables assigned to it.
    base: Vec<Vec<f64>>,
    /// The clique each variable's observation is applied to.
    home: Vec<usize>,
    /// The variables homed in each clique, with their positions in its scope.
    homed: Vec<Vec<(usize, usize)>>,
    /// Where each variable's posterior is read, and the layout of that one-variable table in
    /// the host's.
    host: Vec<Host>,
    host_layout: Vec<Layout>,
    /// Each variable's marginal, and each clique's normalized separator, without evidence.
    prior: Vec<Vec<f64>>,
    prior_separators: Vec<Vec<f64>>,
    /// The tree's planned sizes and peak memory.
    cost: Cost,
    // The cache: what the last query left, valid for `observed`.
    /// The observation of each variable the cache was computed for.
    observed: Vec<Option<usize>>,
    /// Cliques whose cached product and message are out of date. If a clique is dirty, so is
    /// its parent.
    dirty: Vec<bool>,
    /// Each clique's table zeroed by its homed observations, times its children's messages.
    product: Vec<Vec<f64>>,
    /// The normalized message of each non-root clique to its parent.
    message: Vec<Vec<f64>>,
    /// The natural log of each clique's scale: what its normalized message (or, at a root, its
    /// product's total) was divided by, its subtree's scales included.
    log_scale: Vec<f64>,
    // Scratch space of the distribute pass.
    /// Each clique's calibrated separator (normalized).
    calibrated: Vec<Vec<f64>>,
    /// One clique's belief.
    belief: Vec<f64>,
    /// One separator's update ratio.
    ratio: Vec<f64>,
    /// Buffers every query fills, kept so that a query allocates little beyond its answer.
    scratch: Scratch,
}

/// A query's work buffers (their contents do not outlive the query that fills them).
#[derive(Default)]
struct Scratch {
    /// Per variable: the evidence being answered.
    observed: Vec<Option<usize>>,
    /// Per variable: an ancestor of an observed variable (or observed).
    ancestor: Vec<bool>,
    /// Per variable: shares an ancestor with an observed variable (see `mark_reached`).
    reached: Vec<bool>,
    /// Per variable: where its posterior first appears among the targets (`usize::MAX`: not
    /// read from a host).
    first: Vec<usize>,
    /// Per clique: its belief is needed.
    belief_needed: Vec<bool>,
    /// Per clique: a target is read from its separator.
    at_separator: Vec<bool>,
    /// Per clique: its separator is calibrated from the parent's belief.
    from_parent: Vec<bool>,
    /// Per clique: its tree holds an observed variable.
    with_evidence: Vec<bool>,
    /// A depth-first stack of variables.
    stack: Vec<usize>,
    /// The product of a group's messages.
    combined: Vec<f64>,
}

/// `buffer` emptied and refilled with `len` copies of `value` (its capacity kept).
fn reset<T: Clone>(buffer: &mut Vec<T>, len: usize, value: T) {
    buffer.clear();
    buffer.resize(len, value);
}

impl std::fmt::Debug for CompiledNetwork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledNetwork")
            .field("network", &self.net.name())
            .field("variables", &self.net.n_variables())
            .field("cliques", &self.scopes.len())
            .field("cost", &self.cost)
            .finish_non_exhaustive()
    }
}

/// Entries of a table over `scope`.
fn entries(net: &Network, scope: &[usize]) -> f64 {
    scope.iter().map(|&v| net.cardinality(v) as f64).product()
}

/// The strides of a table over `small` (sorted, a subset of `big`) along each variable of
/// `big` (0 for a variable it lacks).
fn strides_along(big: &[usize], small: &[usize], small_cards: &[usize]) -> Vec<usize> {
    let mut own = vec![0usize; small.len()];
    let mut s = 1;
    for (slot, &c) in own.iter_mut().zip(small_cards).rev() {
        *slot = s;
        s *= c;
    }
    big.iter()
        .map(|v| small.binary_search(v).map_or(0, |p| own[p]))
        .collect()
}

/// Tables up to this many entries map their entries to a sub-table's through an index per
/// entry (a flat loop, 4 bytes an entry and relation) when the odometer's runs would be short;
/// larger ones always walk the sub-table's strides with the odometer.
const INDEXED_ENTRIES: usize = 1 << 12;

/// Runs at least this long are walked rather than indexed: the odometer's cost per run is
/// spread over them, and a sum along a run of one sub-table entry is a vectorized sum where
/// an index would add into the same entry over and over.
const LONG_RUN: usize = 8;

/// The length of the runs [`walk`] makes over a table with `cards` for a sub-table with
/// `strides`.
fn run_length(cards: &[usize], strides: &[usize]) -> usize {
    let Some((&last, rest)) = cards.split_last() else {
        return 1;
    };
    let step = strides[rest.len()];
    let mut run = last;
    for (&c, &s) in rest.iter().zip(strides).rev() {
        if s != step * run {
            break;
        }
        run *= c;
    }
    run
}

/// How the entries of a table (C order over its cardinalities) map to those of a table over a
/// sub-scope.
#[derive(Debug, Clone)]
enum Layout {
    /// The sub-table's index of each entry.
    Index(Vec<u32>),
    /// The sub-table's strides along the table's scope (0 for a variable it lacks).
    Strides(Vec<usize>),
}

impl Layout {
    /// The layout of the sub-table with `strides` along `cards`.
    fn new(cards: &[usize], strides: Vec<usize>) -> Layout {
        let len: usize = cards.iter().product();
        if len > INDEXED_ENTRIES || run_length(cards, &strides) >= LONG_RUN {
            return Layout::Strides(strides);
        }
        let mut index = Vec::with_capacity(len);
        walk(cards, &strides, |_, s, run, step| {
            index.extend((0..run).map(|t| (s + t * step) as u32))
        });
        Layout::Index(index)
    }

    /// Bytes of the index a layout over a table of `len` entries keeps.
    fn bytes(len: f64) -> f64 {
        if len > INDEXED_ENTRIES as f64 {
            0.0
        } else {
            4.0 * len
        }
    }
}

/// Children of one clique whose messages cross it in one pass: the leader, and the children
/// whose separators lie inside the leader's, each with its separator's layout in the
/// leader's. Collecting multiplies the members' messages into the leader's (a small table)
/// before one pass over the clique; distributing sums the clique onto the leader's separator
/// once and the members' separators from it. Star-shaped trees, where many leaves hang on one
/// large clique through the same variable, need one pass instead of one a leaf.
#[derive(Debug, Clone)]
struct Group {
    leader: usize,
    members: Vec<(usize, Layout)>,
}

/// The sum of `values` in four interleaved partial sums, added at the end: a fixed order (the
/// same on every run), but four independent additions per step instead of one chain.
fn run_sum(values: &[f64]) -> f64 {
    let mut lanes = [0.0f64; 4];
    let chunks = values.chunks_exact(4);
    let rest: f64 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane += v;
        }
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + rest
}

/// Adds `big` (C order over `cards`) onto `out`, the sub-table of `layout`: the marginal.
/// `out` is overwritten. Large tables are summed by rayon's threads in a fixed number of
/// groups, added in order, so the sums do not depend on the threads.
fn sum_onto(big: &[f64], cards: &[usize], layout: &Layout, out: &mut [f64]) {
    out.fill(0.0);
    let strides = match layout {
        Layout::Index(index) => {
            // Consecutive entries of one output entry add up in a register (storing each
            // partial sum and reading it back would chain every addition to a store).
            let (mut at, mut sum) = (0u32, 0.0);
            for (&v, &j) in big.iter().zip(index) {
                if j != at {
                    out[at as usize] += sum;
                    (at, sum) = (j, 0.0);
                }
                sum += v;
            }
            if !big.is_empty() {
                out[at as usize] += sum;
            }
            return;
        }
        Layout::Strides(strides) => strides,
    };
    let sum_into = |acc: &mut [f64], values: &[f64], cards: &[usize], strides: &[usize], base| {
        walk(cards, strides, |b, small, run, step| {
            let small = small + base;
            if step == 0 {
                acc[small] += run_sum(&values[b..b + run]);
            } else {
                for (t, &v) in values[b..b + run].iter().enumerate() {
                    acc[small + t * step] += v;
                }
            }
        });
    };
    match split_first_axis(cards, big.len()) {
        Some(slice) => {
            let slices = cards[0];
            let per_group = slices.div_ceil(MARGINAL_GROUPS.min(slices));
            let partials: Vec<Vec<f64>> = big
                .par_chunks(slice * per_group)
                .enumerate()
                .map(|(g, group)| {
                    let mut acc = vec![0.0; out.len()];
                    for (i, chunk) in group.chunks_exact(slice).enumerate() {
                        let base = (g * per_group + i) * strides[0];
                        sum_into(&mut acc, chunk, &cards[1..], &strides[1..], base);
                    }
                    acc
                })
                .collect();
            for partial in partials {
                for (o, p) in out.iter_mut().zip(partial) {
                    *o += p;
                }
            }
        }
        None => sum_into(out, big, cards, strides, 0),
    }
}

/// Multiplies `values` (C order over `cards`) in place by `small`, the sub-table of `layout`
/// spread over its scope. Large tables are split along their first axis over rayon's threads
/// (each entry is one product: the split cannot change it).
fn scale(values: &mut [f64], cards: &[usize], layout: &Layout, small: &[f64]) {
    let strides = match layout {
        Layout::Index(index) => {
            for (v, &j) in values.iter_mut().zip(index) {
                *v *= small[j as usize];
            }
            return;
        }
        Layout::Strides(strides) => strides,
    };
    let kernel = |values: &mut [f64], cards: &[usize], strides: &[usize], base: usize| {
        walk(cards, strides, |b, s, run, step| {
            let s = s + base;
            let block = &mut values[b..b + run];
            if step == 0 {
                let f = small[s];
                block.iter_mut().for_each(|v| *v *= f);
            } else {
                for (t, v) in block.iter_mut().enumerate() {
                    *v *= small[s + t * step];
                }
            }
        })
    };
    match split_first_axis(cards, values.len()) {
        Some(slice) => values
            .par_chunks_mut(slice)
            .enumerate()
            .for_each(|(i, chunk)| kernel(chunk, &cards[1..], &strides[1..], i * strides[0])),
        None => kernel(values, cards, strides, 0),
    }
}

/// `out = values * small`, as [`scale`] but into `out` (of the same length).
fn scaled_into(values: &[f64], cards: &[usize], layout: &Layout, small: &[f64], out: &mut [f64]) {
    let strides = match layout {
        Layout::Index(index) => {
            for ((o, &v), &j) in out.iter_mut().zip(values).zip(index) {
                *o = v * small[j as usize];
            }
            return;
        }
        Layout::Strides(strides) => strides,
    };
    let kernel = |values: &[f64], out: &mut [f64], cards: &[usize], strides: &[usize], base| {
        walk(cards, strides, |b, s, run, step| {
            let s = s + base;
            let (from, to) = (&values[b..b + run], &mut out[b..b + run]);
            if step == 0 {
                let f = small[s];
                for (o, &v) in to.iter_mut().zip(from) {
                    *o = v * f;
                }
            } else {
                for (t, (o, &v)) in to.iter_mut().zip(from).enumerate() {
                    *o = v * small[s + t * step];
                }
            }
        })
    };
    match split_first_axis(cards, values.len()) {
        Some(slice) => values
            .par_chunks(slice)
            .zip(out.par_chunks_mut(slice))
            .enumerate()
            .for_each(|(i, (chunk, to))| {
                kernel(chunk, to, &cards[1..], &strides[1..], i * strides[0])
            }),
        None => kernel(values, out, cards, strides, 0),
    }
}

/// Zeroes the entries of `values` (C order over `cards`) whose variable at `position` is not
/// at `state`.
fn keep_state(values: &mut [f64], cards: &[usize], position: usize, state: usize) {
    let inner: usize = cards[position + 1..].iter().product();
    let card = cards[position];
    for block in values.chunks_exact_mut(inner * card) {
        for (k, run) in block.chunks_exact_mut(inner).enumerate() {
            if k != state {
                run.fill(0.0);
            }
        }
    }
}

/// Divides by the total when it is positive; returns the total.
fn normalize(values: &mut [f64]) -> f64 {
    let total: f64 = values.iter().sum();
    if total > 0.0 {
        let inv = 1.0 / total;
        values.iter_mut().for_each(|v| *v *= inv);
    }
    total
}

impl CompiledNetwork {
    /// Compiles `net`: one elimination ordering for the whole network, its clique tree, each
    /// clique's table, and a propagation without evidence. The network is copied into the
    /// engine (evidence and targets refer to its variables by index; [`Self::network`] gives
    /// it back).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `max_memory` when it is 0; [`Error::Infeasible`]
    /// naming `max_memory` when the tree needs more (checked before any clique is allocated).
    pub fn new(net: &Network, params: &CompileParams) -> Result<Self> {
        params.check()?;
        let n = net.n_variables();
        let factors: Vec<Factor> = (0..n).map(|v| Factor::from_cpt(net, v)).collect();
        let graph = InteractionGraph::from_scopes(
            (0..n).collect(),
            (0..n).map(|v| net.cardinality(v)).collect(),
            factors.iter().map(|f| f.vars()),
        );
        let plan = graph.best_plan(&[]);
        let tree = jtree::build_tree(&plan);
        let m = tree.scopes.len();
        let sizes: Vec<f64> = tree.scopes.iter().map(|s| entries(net, s)).collect();

        // Homes: the smallest clique holding each variable (the first of the smallest).
        let mut home = vec![usize::MAX; n];
        for (c, scope) in tree.scopes.iter().enumerate() {
            for &v in scope {
                if home[v] == usize::MAX || sizes[c] < sizes[home[v]] {
                    home[v] = c;
                }
            }
        }
        let parent = choose_roots(&tree.parent, &sizes, &home, n);
        let children = children_of(&parent);
        let mut preorder = Vec::with_capacity(m);
        let mut root_of = vec![0; m];
        let mut stack: Vec<usize> = (0..m).rev().filter(|&c| parent[c].is_none()).collect();
        while let Some(c) = stack.pop() {
            root_of[c] = parent[c].map_or(c, |p| root_of[p]);
            preorder.push(c);
            stack.extend(children[c].iter().rev());
        }
        debug_assert_eq!(preorder.len(), m, "the cliques form a forest");
        let scopes = tree.scopes;
        let cards: Vec<Vec<usize>> = scopes
            .iter()
            .map(|s| s.iter().map(|&v| net.cardinality(v)).collect())
            .collect();
        let separators: Vec<Vec<usize>> = (0..m)
            .map(|c| match parent[c] {
                Some(p) => scopes[c]
                    .iter()
                    .copied()
                    .filter(|v| scopes[p].binary_search(v).is_ok())
                    .collect(),
                None => Vec::new(),
            })
            .collect();
        let separator_cards: Vec<Vec<usize>> = separators
            .iter()
            .map(|s| s.iter().map(|&v| net.cardinality(v)).collect())
            .collect();
        // The smallest table holding each variable: cliques first, then separators, the first
        // of the smallest winning (so the choice is fixed by the network alone).
        let mut best: Vec<Option<(f64, Host)>> = vec![None; n];
        let candidates = (0..m)
            .map(|c| (&scopes[c], Host::Clique(c)))
            .chain((0..m).map(|c| (&separators[c], Host::Separator(c))));
        for (scope, host) in candidates {
            let size = entries(net, scope);
            for &v in scope.iter() {
                if best[v].is_none_or(|(s, _)| size < s) {
                    best[v] = Some((size, host));
                }
            }
        }
        let host: Vec<Host> = best
            .into_iter()
            .map(|b| b.expect("every variable is in a clique").1)
            .collect();

        // Children grouped by separator: largest separators first, each child joining the first
        // group whose leader's separator holds its own.
        let group_ids: Vec<Vec<(usize, Vec<usize>)>> = children
            .iter()
            .map(|kids| {
                let mut kids = kids.clone();
                kids.sort_by(|&a, &b| {
                    separators[b]
                        .len()
                        .cmp(&separators[a].len())
                        .then(a.cmp(&b))
                });
                let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
                for k in kids {
                    let inside = |l: usize| {
                        separators[k]
                            .iter()
                            .all(|v| separators[l].binary_search(v).is_ok())
                    };
                    match groups.iter_mut().find(|(l, _)| inside(*l)) {
                        Some((_, members)) => members.push(k),
                        None => groups.push((k, Vec::new())),
                    }
                }
                groups
            })
            .collect();

        // The memory, before any table is allocated. Besides what the tree's plan counts
        // (cliques, messages, calibrated separators): the compiled tables, the prior separators
        // (as large as the messages), the belief being built, the network's own tables, and
        // the small tables' indices (one per separator on each side, one per variable read).
        let separator_sizes: Vec<f64> = separators.iter().map(|s| entries(net, s)).collect();
        let largest = sizes.iter().copied().fold(0.0, f64::max);
        let mut index_bytes: f64 = (0..m)
            .filter(|&c| parent[c].is_some())
            .map(|c| Layout::bytes(sizes[c]) + Layout::bytes(sizes[parent[c].unwrap_or(c)]))
            .sum();
        for h in &host {
            index_bytes += match *h {
                Host::Clique(c) => Layout::bytes(sizes[c]),
                Host::Separator(c) => Layout::bytes(separator_sizes[c]),
            };
        }
        let held = (sizes.iter().sum::<f64>() + separator_sizes.iter().sum::<f64>() + largest)
            * super::BYTES_PER_ENTRY
            + index_bytes
            + super::held_bytes(&factors);
        let needed = memory::junction_tree(&plan, |v| net.cardinality(v), held);
        memory::check(&needed, params.max_memory, "the compiled junction tree")?;

        let in_child = (0..m)
            .map(|c| {
                let strides = strides_along(&scopes[c], &separators[c], &separator_cards[c]);
                Layout::new(&cards[c], strides)
            })
            .collect();
        let mut leads = vec![false; m];
        for groups in &group_ids {
            for (leader, _) in groups {
                leads[*leader] = true;
            }
        }
        let in_parent = (0..m)
            .map(|c| match parent[c] {
                Some(p) if leads[c] => {
                    let strides = strides_along(&scopes[p], &separators[c], &separator_cards[c]);
                    Layout::new(&cards[p], strides)
                }
                _ => Layout::Strides(Vec::new()),
            })
            .collect();
        let groups = group_ids
            .into_iter()
            .map(|groups| {
                groups
                    .into_iter()
                    .map(|(leader, members)| Group {
                        leader,
                        members: members
                            .into_iter()
                            .map(|k| {
                                let strides = strides_along(
                                    &separators[leader],
                                    &separators[k],
                                    &separator_cards[k],
                                );
                                (k, Layout::new(&separator_cards[leader], strides))
                            })
                            .collect(),
                    })
                    .collect()
            })
            .collect();
        let host_layout = (0..n)
            .map(|v| {
                let (scope, scope_cards) = match host[v] {
                    Host::Clique(c) => (&scopes[c], &cards[c]),
                    Host::Separator(c) => (&separators[c], &separator_cards[c]),
                };
                let strides = strides_along(scope, &[v], &[net.cardinality(v)]);
                Layout::new(scope_cards, strides)
            })
            .collect();
        let mut homed: Vec<Vec<(usize, usize)>> = vec![Vec::new(); m];
        for (v, &c) in home.iter().enumerate() {
            let position = scopes[c]
                .binary_search(&v)
                .expect("a home holds its variable");
            homed[c].push((v, position));
        }

        // Each table goes to the clique of its first-eliminated variable, which holds its whole
        // scope; a clique's first table is spread over it, the others multiplied in.
        let mut position = vec![0; n];
        for (i, &v) in plan.order.iter().enumerate() {
            position[v] = i;
        }
        let mut assigned: Vec<Option<Factor>> = vec![None; m];
        for f in &factors {
            let first = f
                .vars()
                .iter()
                .map(|&v| position[v])
                .min()
                .expect("a table's scope holds its own variable");
            let c = tree.owner[first];
            match &mut assigned[c] {
                Some(table) => table.multiply_in(f),
                slot => *slot = Some(Factor::broadcast(scopes[c].clone(), cards[c].clone(), f)),
            }
        }
        let base: Vec<Vec<f64>> = assigned
            .into_iter()
            .zip(&sizes)
            .map(|(table, &size)| match table {
                Some(t) => t.values().to_vec(),
                None => vec![1.0; size as usize],
            })
            .collect();

        let cost = Cost {
            variables: n,
            total_entries: needed.total_entries,
            largest_entries: needed.largest_entries,
            peak_bytes: needed.peak_bytes,
            induced_width: plan.induced_width,
        };
        let product = base.clone();
        let message: Vec<Vec<f64>> = separator_cards
            .iter()
            .zip(&parent)
            .map(|(c, p)| match p {
                Some(_) => vec![0.0; c.iter().product()],
                None => Vec::new(),
            })
            .collect();
        let mut compiled = CompiledNetwork {
            net: net.clone(),
            scopes,
            cards,
            parent,
            children,
            preorder,
            separators,
            separator_cards,
            in_child,
            in_parent,
            groups,
            root_of,
            base,
            home,
            homed,
            host,
            host_layout,
            prior: vec![Vec::new(); n],
            prior_separators: message.clone(),
            cost,
            observed: vec![None; n],
            dirty: vec![true; m],
            product,
            calibrated: message.clone(),
            message,
            log_scale: vec![0.0; m],
            belief: vec![0.0; largest as usize],
            ratio: Vec::new(),
            scratch: Scratch::default(),
        };
        // The priors: every clique calibrated without evidence (no variable counts as
        // independent of it, so nothing is read from the priors being made).
        compiled.collect()?;
        let all: Vec<usize> = (0..n).collect();
        compiled.scratch.reached = vec![true; n];
        let prior = compiled.distribute(&all, true);
        compiled.prior = prior.into_iter().map(|(_, p)| p).collect();
        compiled.prior_separators = compiled.calibrated.clone();
        Ok(compiled)
    }

    /// The compiled network (build [`Evidence`] and target lists against it).
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// The compiled tree's sizes: its variables, total and largest clique entries, planned
    /// peak memory in bytes, and the ordering's induced width (what every answer's `detail`
    /// reports).
    pub fn cost(&self) -> Cost {
        self.cost
    }

    /// The number of cliques of the compiled tree.
    pub fn n_cliques(&self) -> usize {
        self.scopes.len()
    }

    /// Posterior marginals of `targets` (every unobserved variable when `None`) given
    /// `evidence`, and `ln P(evidence)`: the same answer as [`query`](super::query) up to
    /// rounding (1e-12), and, bit for bit, the same whatever this engine answered before.
    /// The report's method is [`Method::JunctionTree`] and its `detail` the compiled tree's
    /// [`Self::cost`].
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `evidence` when a variable or state is out of range
    /// for the compiled network or the evidence has probability zero (the engine stays usable),
    /// `targets` when a target is out of range or observed.
    pub fn query(&mut self, evidence: &Evidence, targets: Option<&[usize]>) -> Result<Posteriors> {
        let values = self.query_values(evidence, targets)?;
        Ok(Posteriors {
            log_evidence: values.log_evidence,
            marginals: named_marginals(&self.net, values.marginals),
            method: Method::JunctionTree,
            evidence: named_evidence(&self.net, evidence),
            cost: self.cost,
        })
    }

    /// [`Self::query`]'s numbers without the names: `ln P(evidence)` and the probabilities of
    /// each target's states by variable index, for a caller that converts them itself (a
    /// binding, a CSV writer) and would otherwise copy every name on every query.
    ///
    /// # Errors
    /// As [`Self::query`].
    pub fn query_values(
        &mut self,
        evidence: &Evidence,
        targets: Option<&[usize]>,
    ) -> Result<PosteriorValues> {
        let n = self.net.n_variables();
        let mut observed = std::mem::take(&mut self.scratch.observed);
        reset(&mut observed, n, None);
        for &(v, s) in evidence.pairs() {
            if v >= n || s >= self.net.cardinality(v) {
                return Err(Error::invalid(
                    "evidence",
                    format!("(variable {v}, state {s}) is out of range for the compiled network"),
                ));
            }
            observed[v] = Some(s);
        }
        let targets = super::evidence::checked_targets(&self.net, evidence, targets)?;
        self.invalidate(&observed);
        self.scratch.observed = observed;
        self.collect()?;
        let log_evidence = self.log_evidence();
        self.mark_reached();
        let marginals = self.distribute(&targets, false);
        Ok(PosteriorValues {
            log_evidence,
            marginals,
        })
    }

    /// Marks dirty the home of every variable observed differently from what the cache was
    /// computed for, and the home's ancestors; records `observed` as the cache's evidence.
    fn invalidate(&mut self, observed: &[Option<usize>]) {
        for (v, (now, before)) in observed.iter().zip(&self.observed).enumerate() {
            if now == before {
                continue;
            }
            let mut at = Some(self.home[v]);
            // Dirty cliques have dirty parents: stop at the first one already marked.
            while let Some(a) = at.filter(|&a| !self.dirty[a]) {
                self.dirty[a] = true;
                at = self.parent[a];
            }
        }
        self.observed.copy_from_slice(observed);
    }

    /// Recomputes the dirty cliques' products and messages, children first.
    ///
    /// # Errors
    /// `evidence` when a message or a root's total is zero; the cliques not yet recomputed
    /// stay dirty.
    fn collect(&mut self) -> Result<()> {
        let mut combined = std::mem::take(&mut self.scratch.combined);
        let result = self.collect_with(&mut combined);
        self.scratch.combined = combined;
        result
    }

    fn collect_with(&mut self, combined: &mut Vec<f64>) -> Result<()> {
        for i in (0..self.preorder.len()).rev() {
            let c = self.preorder[i];
            if !self.dirty[c] {
                continue;
            }
            let mut table = std::mem::take(&mut self.product[c]);
            let mut log_scale = 0.0;
            for &k in &self.children[c] {
                log_scale += self.log_scale[k];
            }
            // The first group's messages multiply the compiled table on its way into the
            // product (one pass instead of a copy and a pass); the observations zero entries
            // after it, which gives the same bits as before it (the messages are finite).
            for (g, group) in self.groups[c].iter().enumerate() {
                let leader = &self.message[group.leader];
                let message = if group.members.is_empty() {
                    leader
                } else {
                    combined.clear();
                    combined.extend_from_slice(leader);
                    for (k, layout) in &group.members {
                        let cards = &self.separator_cards[group.leader];
                        scale(combined, cards, layout, &self.message[*k]);
                    }
                    &*combined
                };
                let (cards, layout) = (&self.cards[c], &self.in_parent[group.leader]);
                if g == 0 {
                    scaled_into(&self.base[c], cards, layout, message, &mut table);
                } else {
                    scale(&mut table, cards, layout, message);
                }
            }
            if self.groups[c].is_empty() {
                table.copy_from_slice(&self.base[c]);
            }
            for &(v, position) in &self.homed[c] {
                if let Some(s) = self.observed[v] {
                    keep_state(&mut table, &self.cards[c], position, s);
                }
            }
            let total = match self.parent[c] {
                Some(_) => {
                    let message = &mut self.message[c];
                    sum_onto(&table, &self.cards[c], &self.in_child[c], message);
                    normalize(message)
                }
                None => table.iter().sum(),
            };
            self.product[c] = table;
            // Zero (or NaN, never from valid tables): the evidence is impossible.
            if total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                return Err(zero_evidence());
            }
            self.log_scale[c] = total.ln() + log_scale;
            self.dirty[c] = false;
        }
        Ok(())
    }

    /// `ln P(e)` from the collected roots: the sum of the scales of the trees that hold an
    /// observed variable (a tree without evidence sums to 1: exactly 0 in the log). Every
    /// root's total is positive (the collect pass checked), so the sum is finite.
    fn log_evidence(&mut self) -> f64 {
        let with_evidence = &mut self.scratch.with_evidence;
        reset(with_evidence, self.scopes.len(), false);
        for (v, o) in self.observed.iter().enumerate() {
            if o.is_some() {
                with_evidence[self.root_of[self.home[v]]] = true;
            }
        }
        (0..self.scopes.len())
            .filter(|&c| self.parent[c].is_none() && with_evidence[c])
            .map(|c| self.log_scale[c])
            // From +0 (an empty `sum` of floats is -0): no evidence, ln P = 0.
            .fold(0.0, |sum, log| sum + log)
    }

    /// Marks `scratch.reached`: the variables that share an ancestor (themselves included)
    /// with an observed variable, the descendants of the observed variables' ancestors. The
    /// others are independent of the evidence (d-separated from it given nothing).
    fn mark_reached(&mut self) {
        let n = self.net.n_variables();
        let Scratch {
            ancestor,
            reached,
            stack,
            ..
        } = &mut self.scratch;
        reset(ancestor, n, false);
        stack.clear();
        stack.extend((0..n).filter(|&v| self.observed[v].is_some()));
        for &v in stack.iter() {
            ancestor[v] = true;
        }
        while let Some(v) = stack.pop() {
            for &p in self.net.parents(v) {
                if !std::mem::replace(&mut ancestor[p], true) {
                    stack.push(p);
                }
            }
        }
        reached.clone_from(ancestor);
        stack.extend((0..n).filter(|&v| ancestor[v]));
        while let Some(v) = stack.pop() {
            for &c in self.net.children(v) {
                if !std::mem::replace(&mut reached[c], true) {
                    stack.push(c);
                }
            }
        }
    }

    /// The posteriors of `targets`, in the order asked: the prior of a target not
    /// `scratch.reached`, otherwise read from its host, calibrating the cliques on the way
    /// (parents first). A separator none of whose variables is reached is its prior. With
    /// `everything`, every clique and separator is calibrated (to make the priors).
    fn distribute(&mut self, targets: &[usize], everything: bool) -> Vec<(usize, Vec<f64>)> {
        let m = self.scopes.len();
        let n = self.net.n_variables();
        let Scratch {
            reached,
            first,
            belief_needed,
            at_separator,
            from_parent,
            ..
        } = &mut self.scratch;
        // `first` is where each target read from a host first appears (a target asked twice
        // is read once).
        reset(first, n, usize::MAX);
        reset(belief_needed, m, everything);
        reset(at_separator, m, false);
        reset(from_parent, m, false);
        for (i, &t) in targets.iter().enumerate() {
            if reached[t] && first[t] == usize::MAX {
                first[t] = i;
                match self.host[t] {
                    Host::Clique(c) => belief_needed[c] = true,
                    Host::Separator(c) => at_separator[c] = true,
                }
            }
        }
        // Which separators are needed (for a target, or for their clique's belief), which of
        // those are computed from the parent's belief, and which beliefs are needed.
        for &c in self.preorder.iter().rev() {
            let Some(p) = self.parent[c] else { continue };
            let needed = at_separator[c] || belief_needed[c];
            if needed && self.separators[c].iter().any(|&v| reached[v]) {
                from_parent[c] = true;
                belief_needed[p] = true;
            }
        }
        let CompiledNetwork {
            scopes,
            cards,
            parent,
            preorder,
            separators,
            separator_cards,
            in_child,
            in_parent,
            groups,
            host,
            host_layout,
            prior,
            prior_separators,
            product,
            message,
            calibrated,
            belief,
            ratio,
            ..
        } = self;
        // The answers, in the order asked.
        let mut out: Vec<(usize, Vec<f64>)> = targets.iter().map(|&t| (t, Vec::new())).collect();
        let mut read = |table: &[f64], scope: &[usize], cards: &[usize], at: Host| {
            for (&v, &card) in scope.iter().zip(cards) {
                if first[v] != usize::MAX && host[v] == at {
                    let mut marginal = vec![0.0; card];
                    sum_onto(table, cards, &host_layout[v], &mut marginal);
                    normalize(&mut marginal);
                    out[first[v]].1 = marginal;
                }
            }
        };
        for &c in preorder.iter() {
            let separator = if from_parent[c] {
                &calibrated[c]
            } else {
                &prior_separators[c]
            };
            if at_separator[c] {
                read(
                    separator,
                    &separators[c],
                    &separator_cards[c],
                    Host::Separator(c),
                );
            }
            if !belief_needed[c] {
                continue;
            }
            let table = &mut belief[..product[c].len()];
            match parent[c] {
                Some(_) => {
                    // Hugin's update: the product times the calibrated separator over the
                    // message it sent (0 / 0 counts as 0).
                    ratio.clear();
                    ratio.extend(separator.iter().zip(&message[c]).map(|(&s, &o)| {
                        if o == 0.0 {
                            0.0
                        } else {
                            s / o
                        }
                    }));
                    scaled_into(&product[c], &cards[c], &in_child[c], ratio, table);
                }
                None => table.copy_from_slice(&product[c]),
            }
            read(table, &scopes[c], &cards[c], Host::Clique(c));
            for group in &groups[c] {
                let members_needed = group.members.iter().any(|(k, _)| from_parent[*k]);
                if !from_parent[group.leader] && !members_needed {
                    continue;
                }
                let leader = &mut calibrated[group.leader];
                sum_onto(table, &cards[c], &in_parent[group.leader], leader);
                normalize(leader);
                for (k, layout) in &group.members {
                    if from_parent[*k] {
                        let mut out = std::mem::take(&mut calibrated[*k]);
                        let leader_cards = &separator_cards[group.leader];
                        sum_onto(&calibrated[group.leader], leader_cards, layout, &mut out);
                        normalize(&mut out);
                        calibrated[*k] = out;
                    }
                }
            }
        }
        for i in 0..out.len() {
            let t = out[i].0;
            if first[t] == usize::MAX {
                out[i].1 = prior[t].clone();
            } else if first[t] != i {
                out[i].1 = out[first[t]].1.clone();
            }
        }
        out
    }
}

/// Each clique's children, in increasing order, from the forest's parents.
fn children_of(parent: &[Option<usize>]) -> Vec<Vec<usize>> {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); parent.len()];
    for (c, p) in parent.iter().enumerate() {
        if let Some(p) = *p {
            children[p].push(c);
        }
    }
    children
}

/// Re-roots each tree of the forest `parent` at the clique that minimizes the expected
/// entries the collect pass recomputes: a clique is recomputed when one of the observations
/// homed in its subtree changes, taken as `CHANGES_PER_QUERY` variables drawn at random among
/// `n`. Moving the root across one edge changes only the two ends' subtrees, so every
/// candidate is scored in one pass. Ties keep the first clique in pre-order.
fn choose_roots(
    parent: &[Option<usize>],
    sizes: &[f64],
    home: &[usize],
    n: usize,
) -> Vec<Option<usize>> {
    let m = parent.len();
    let children = children_of(parent);
    let mut homes = vec![0.0f64; m];
    for &c in home {
        homes[c] += 1.0;
    }
    let dirty = |h: f64| 1.0 - (1.0 - h / n.max(1) as f64).powf(CHANGES_PER_QUERY);
    let mut new_parent = parent.to_vec();
    for root in (0..m).filter(|&c| parent[c].is_none()) {
        let mut preorder = vec![root];
        let mut i = 0;
        while i < preorder.len() {
            preorder.extend(&children[preorder[i]]);
            i += 1;
        }
        // Homes in each subtree, children first.
        let mut below = homes.clone();
        for &c in preorder.iter().rev() {
            if let Some(p) = parent[c] {
                below[p] += below[c];
            }
        }
        let all = below[root];
        let mut cost = vec![0.0f64; m];
        cost[root] = preorder.iter().map(|&c| sizes[c] * dirty(below[c])).sum();
        let mut best = root;
        for &c in &preorder[1..] {
            let p = parent[c].expect("below the root");
            cost[c] = cost[p] - sizes[c] * dirty(below[c]) - sizes[p] * dirty(all)
                + sizes[c] * dirty(all)
                + sizes[p] * dirty(all - below[c]);
            if cost[c] < cost[best] {
                best = c;
            }
        }
        // Re-orient the tree away from the chosen root.
        let mut stack = vec![(best, None)];
        while let Some((c, from)) = stack.pop() {
            new_parent[c] = from;
            let neighbours = children[c].iter().copied().chain(parent[c]);
            for x in neighbours {
                if Some(x) != from {
                    stack.push((x, Some(c)));
                }
            }
        }
    }
    new_parent
}
