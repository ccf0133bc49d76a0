//! Maximum flow / minimum s-t cut on a pixel grid by the Boykov-Kolmogorov algorithm
//! ("An experimental comparison of min-cut/max-flow algorithms", PAMI 2004), specialized to
//! grids: nodes are pixels in a padded row-major buffer, each node's arcs go to its 4 or 8
//! neighbours at fixed offsets, so there are no arc lists, and the residual capacity of arc
//! `(i, d)` lives at `cap[i * K + d]`; the reverse arc of direction `d` is `d ^ 1`.
//!
//! No maintained Rust crate provides Boykov-Kolmogorov max-flow (the general-purpose crates offer
//! augmenting-path algorithms such as Edmonds-Karp, whose cost on a 4-million-pixel grid is
//! prohibitive), so it is written here.

use std::collections::VecDeque;

/// Capacity type: f64, so that the cut of real-valued energies is exact to rounding.
pub(crate) type Cap = f64;

const FREE: u8 = 0;
const SOURCE: u8 = 1;
const SINK: u8 = 2;

const TERMINAL: u8 = 254;
const ORPHAN: u8 = 253;
const NO_PARENT: u8 = 255;
const INFINITE: u32 = u32::MAX;

/// A grid graph with terminal arcs, and the Boykov-Kolmogorov search trees over it.
pub(crate) struct GridFlow {
    /// Offsets of the K neighbour directions in the padded buffer; `offsets[d ^ 1] == -offsets[d]`.
    offsets: Vec<isize>,
    k: usize,
    /// Residual capacity of arc (node, direction), `n * k` entries.
    cap: Vec<Cap>,
    /// Residual terminal capacity: positive from the source, negative to the sink.
    terminal: Vec<Cap>,
    tree: Vec<u8>,
    parent: Vec<u8>,
    dist: Vec<u32>,
    stamp: Vec<u32>,
    time: u32,
    active: VecDeque<u32>,
    is_active: Vec<bool>,
    orphans: VecDeque<u32>,
    flow: Cap,
}

impl GridFlow {
    /// A graph on `n` padded nodes with neighbour `offsets` (paired so that `d ^ 1` reverses `d`)
    /// and all capacities zero.
    pub fn new(n: usize, offsets: Vec<isize>) -> Self {
        let k = offsets.len();
        debug_assert!(k.is_multiple_of(2));
        debug_assert!((0..k).all(|d| offsets[d ^ 1] == -offsets[d]));
        GridFlow {
            offsets,
            k,
            cap: vec![0.0; n * k],
            terminal: vec![0.0; n],
            tree: vec![FREE; n],
            parent: vec![NO_PARENT; n],
            dist: vec![0; n],
            stamp: vec![0; n],
            time: 0,
            active: VecDeque::new(),
            is_active: vec![false; n],
            orphans: VecDeque::new(),
            flow: 0.0,
        }
    }

    /// Mutable residual capacities, `cap[node * K + direction]`.
    pub fn arc_capacities_mut(&mut self) -> &mut [Cap] {
        &mut self.cap
    }

    /// Adds terminal capacities to `node`: `source` from s to the node, `sink` from the node to t.
    /// Only their difference is kept; the common part is flow that must pass anyway.
    pub fn add_terminal(&mut self, node: usize, source: Cap, sink: Cap) {
        let common = source.min(sink);
        self.flow += common;
        self.terminal[node] += source - sink;
    }

    /// Runs the algorithm to completion; returns the maximum flow value (the minimum cut).
    pub fn max_flow(&mut self) -> Cap {
        for node in 0..self.terminal.len() {
            let t = self.terminal[node];
            if t != 0.0 {
                self.tree[node] = if t > 0.0 { SOURCE } else { SINK };
                self.parent[node] = TERMINAL;
                self.dist[node] = 1;
                self.stamp[node] = 0;
                self.activate(node);
            }
        }
        while let Some((from, to, d)) = self.grow() {
            self.time += 1;
            self.augment(from, to, d);
            self.adopt();
        }
        self.flow
    }

    /// True when `node` ends on the source side of the minimum cut.
    pub fn in_source_segment(&self, node: usize) -> bool {
        self.tree[node] == SOURCE
    }

    #[inline]
    fn activate(&mut self, node: usize) {
        if !self.is_active[node] {
            self.is_active[node] = true;
            self.active.push_back(node as u32);
        }
    }

    #[inline]
    fn neighbour(&self, node: usize, d: usize) -> usize {
        (node as isize + self.offsets[d]) as usize
    }

    /// Grows both trees from active nodes until they touch; returns the touching arc
    /// `(source-tree node, sink-tree node, direction)` or None when no augmenting path remains.
    fn grow(&mut self) -> Option<(usize, usize, usize)> {
        while let Some(&front) = self.active.front() {
            let i = front as usize;
            let tree = self.tree[i];
            if tree == FREE {
                self.active.pop_front();
                self.is_active[i] = false;
                continue;
            }
            for d in 0..self.k {
                let j = self.neighbour(i, d);
                let residual = if tree == SOURCE {
                    self.cap[i * self.k + d]
                } else {
                    self.cap[j * self.k + (d ^ 1)]
                };
                if residual <= 0.0 {
                    continue;
                }
                let other = self.tree[j];
                if other == FREE {
                    self.tree[j] = tree;
                    self.parent[j] = (d ^ 1) as u8;
                    self.stamp[j] = self.stamp[i];
                    self.dist[j] = self.dist[i] + 1;
                    self.activate(j);
                } else if other != tree {
                    // The trees touch: i stays at the front of the queue, it may have more paths.
                    return Some(if tree == SOURCE {
                        (i, j, d)
                    } else {
                        (j, i, d ^ 1)
                    });
                } else if self.stamp[j] <= self.stamp[i] && self.dist[j] > self.dist[i] {
                    // A shorter route to the terminal for j (BK's distance heuristic).
                    self.parent[j] = (d ^ 1) as u8;
                    self.stamp[j] = self.stamp[i];
                    self.dist[j] = self.dist[i] + 1;
                }
            }
            self.active.pop_front();
            self.is_active[i] = false;
        }
        None
    }

    /// Pushes the bottleneck along source -> ... -> from -> to -> ... -> sink, making orphans of
    /// nodes whose parent arc saturates.
    fn augment(&mut self, from: usize, to: usize, d: usize) {
        let k = self.k;
        let mut bottleneck = self.cap[from * k + d];
        let mut u = from;
        while self.parent[u] != TERMINAL {
            let pd = self.parent[u] as usize;
            let p = self.neighbour(u, pd);
            bottleneck = bottleneck.min(self.cap[p * k + (pd ^ 1)]);
            u = p;
        }
        bottleneck = bottleneck.min(self.terminal[u]);
        let mut u = to;
        while self.parent[u] != TERMINAL {
            let pd = self.parent[u] as usize;
            bottleneck = bottleneck.min(self.cap[u * k + pd]);
            u = self.neighbour(u, pd);
        }
        bottleneck = bottleneck.min(-self.terminal[u]);

        self.cap[from * k + d] -= bottleneck;
        self.cap[to * k + (d ^ 1)] += bottleneck;
        let mut u = from;
        while self.parent[u] != TERMINAL {
            let pd = self.parent[u] as usize;
            let p = self.neighbour(u, pd);
            self.cap[u * k + pd] += bottleneck;
            self.cap[p * k + (pd ^ 1)] -= bottleneck;
            if self.cap[p * k + (pd ^ 1)] <= 0.0 {
                self.parent[u] = ORPHAN;
                self.orphans.push_back(u as u32);
            }
            u = p;
        }
        self.terminal[u] -= bottleneck;
        if self.terminal[u] <= 0.0 {
            self.parent[u] = ORPHAN;
            self.orphans.push_back(u as u32);
        }
        let mut u = to;
        while self.parent[u] != TERMINAL {
            let pd = self.parent[u] as usize;
            let p = self.neighbour(u, pd);
            self.cap[p * k + (pd ^ 1)] += bottleneck;
            self.cap[u * k + pd] -= bottleneck;
            if self.cap[u * k + pd] <= 0.0 {
                self.parent[u] = ORPHAN;
                self.orphans.push_back(u as u32);
            }
            u = p;
        }
        self.terminal[u] += bottleneck;
        if self.terminal[u] >= 0.0 {
            self.parent[u] = ORPHAN;
            self.orphans.push_back(u as u32);
        }
        self.flow += bottleneck;
    }

    /// Whether arc p -> u (source tree) or u -> p (sink tree) has residual capacity, `d` being the
    /// direction from u to p.
    #[inline]
    fn tree_arc_open(&self, tree: u8, u: usize, p: usize, d: usize) -> bool {
        if tree == SOURCE {
            self.cap[p * self.k + (d ^ 1)] > 0.0
        } else {
            self.cap[u * self.k + d] > 0.0
        }
    }

    /// Distance from `p` to its tree's terminal through valid parents, or INFINITE when the
    /// chain reaches an orphan; marks the chain with the current time stamp.
    fn origin_distance(&mut self, p: usize) -> u32 {
        let mut q = p;
        let mut d: u32 = 0;
        loop {
            if self.stamp[q] == self.time {
                d += self.dist[q];
                break;
            }
            d += 1;
            match self.parent[q] {
                TERMINAL => {
                    self.stamp[q] = self.time;
                    self.dist[q] = 1;
                    break;
                }
                ORPHAN | NO_PARENT => return INFINITE,
                pd => q = self.neighbour(q, pd as usize),
            }
        }
        let mut q = p;
        let mut k = d;
        while self.stamp[q] != self.time {
            self.stamp[q] = self.time;
            self.dist[q] = k;
            k -= 1;
            q = self.neighbour(q, self.parent[q] as usize);
        }
        d
    }

    /// Finds new parents for orphans, or frees them (and orphans their children).
    fn adopt(&mut self) {
        while let Some(front) = self.orphans.pop_front() {
            let u = front as usize;
            let tree = self.tree[u];
            let mut best = NO_PARENT;
            let mut best_dist = INFINITE;
            for d in 0..self.k {
                let p = self.neighbour(u, d);
                if self.tree[p] != tree || !self.tree_arc_open(tree, u, p, d) {
                    continue;
                }
                let dist = self.origin_distance(p);
                if dist < best_dist {
                    best = d as u8;
                    best_dist = dist;
                }
            }
            if best != NO_PARENT {
                self.parent[u] = best;
                self.stamp[u] = self.time;
                self.dist[u] = best_dist + 1;
                continue;
            }
            for d in 0..self.k {
                let p = self.neighbour(u, d);
                if self.tree[p] != tree {
                    continue;
                }
                if self.tree_arc_open(tree, u, p, d) {
                    self.activate(p);
                }
                let pd = self.parent[p];
                if (pd as usize) < self.k && self.neighbour(p, pd as usize) == u {
                    self.parent[p] = ORPHAN;
                    self.orphans.push_back(p as u32);
                }
            }
            self.tree[u] = FREE;
            self.parent[u] = NO_PARENT;
        }
    }
}

#[cfg(test)]
mod tests {
    //! The grid max-flow against petgraph's Dinic on random grids, and the min-cut property.

    use deepgm_core::rng::{seeded, DeepRng};
    use petgraph::algo::dinics;
    use petgraph::graph::{DiGraph, NodeIndex};
    use rand::Rng;

    use super::*;
    use crate::grid::neighbour_offsets;
    use crate::model::Neighbourhood;

    /// A grid flow problem with integer capacities (exact in f64 and in u64).
    struct Problem {
        rows: usize,
        cols: usize,
        offsets: Vec<isize>,
        /// Arc capacities `cap[node * K + d]` over the padded buffer (zero at the border).
        arcs: Vec<u64>,
        /// Capacity from the source and to the sink of each padded node.
        source: Vec<u64>,
        sink: Vec<u64>,
    }

    impl Problem {
        fn stride(&self) -> usize {
            self.cols + 2
        }

        fn nodes(&self) -> usize {
            (self.rows + 2) * self.stride()
        }

        fn interior(&self) -> impl Iterator<Item = usize> + '_ {
            let stride = self.stride();
            (0..self.rows).flat_map(move |r| (0..self.cols).map(move |c| (r + 1) * stride + c + 1))
        }

        fn is_interior(&self, node: usize) -> bool {
            let (r, c) = (node / self.stride(), node % self.stride());
            (1..=self.rows).contains(&r) && (1..=self.cols).contains(&c)
        }

        /// A random problem; each capacity is 0 with probability `zero`, else 1..=max.
        fn random(
            rng: &mut DeepRng,
            rows: usize,
            cols: usize,
            nb: Neighbourhood,
            zero: f64,
        ) -> Self {
            let stride = cols + 2;
            let offsets = neighbour_offsets(nb, stride);
            let k = offsets.len();
            let n = (rows + 2) * stride;
            let mut problem = Problem {
                rows,
                cols,
                offsets,
                arcs: vec![0; n * k],
                source: vec![0; n],
                sink: vec![0; n],
            };
            let mut draw = |max: u64| {
                if rng.random::<f64>() < zero {
                    0
                } else {
                    rng.random_range(1..=max)
                }
            };
            let interior: Vec<usize> = problem.interior().collect();
            for &i in &interior {
                for d in 0..k {
                    let j = (i as isize + problem.offsets[d]) as usize;
                    if problem.is_interior(j) {
                        problem.arcs[i * k + d] = draw(6);
                    }
                }
                problem.source[i] = draw(9);
                problem.sink[i] = draw(9);
            }
            problem
        }

        /// The grid max-flow: its value and the source side of its cut.
        fn grid_flow(&self) -> (f64, Vec<bool>) {
            let mut graph = GridFlow::new(self.nodes(), self.offsets.clone());
            for (cap, &c) in graph.arc_capacities_mut().iter_mut().zip(&self.arcs) {
                *cap = c as f64;
            }
            for i in self.interior() {
                graph.add_terminal(i, self.source[i] as f64, self.sink[i] as f64);
            }
            let flow = graph.max_flow();
            let side = (0..self.nodes())
                .map(|i| graph.in_source_segment(i))
                .collect();
            (flow, side)
        }

        /// The max-flow value by petgraph's Dinic on the same network.
        fn dinic_flow(&self) -> u64 {
            let mut graph = DiGraph::<(), u64>::new();
            let nodes: Vec<NodeIndex> = (0..self.nodes()).map(|_| graph.add_node(())).collect();
            let (s, t) = (graph.add_node(()), graph.add_node(()));
            let k = self.offsets.len();
            for i in self.interior() {
                graph.add_edge(s, nodes[i], self.source[i]);
                graph.add_edge(nodes[i], t, self.sink[i]);
                for d in 0..k {
                    let cap = self.arcs[i * k + d];
                    if cap > 0 {
                        let j = (i as isize + self.offsets[d]) as usize;
                        graph.add_edge(nodes[i], nodes[j], cap);
                    }
                }
            }
            dinics(&graph, s, t).0
        }

        /// The capacity of the cut whose source side is `side`.
        fn cut_capacity(&self, side: &[bool]) -> u64 {
            let k = self.offsets.len();
            let mut total = 0;
            for i in self.interior() {
                if side[i] {
                    total += self.sink[i];
                    for d in 0..k {
                        let j = (i as isize + self.offsets[d]) as usize;
                        if !side[j] {
                            total += self.arcs[i * k + d];
                        }
                    }
                } else {
                    total += self.source[i];
                }
            }
            total
        }
    }

    fn check(problem: &Problem, label: &str) {
        let (flow, side) = problem.grid_flow();
        let expected = problem.dinic_flow();
        assert_eq!(
            flow, expected as f64,
            "{label}: flow {flow}, Dinic {expected}"
        );
        let cut = problem.cut_capacity(&side);
        assert_eq!(cut as f64, flow, "{label}: cut {cut}, flow {flow}");
    }

    #[test]
    fn max_flow_equals_dinic_and_the_cut_on_random_grids() {
        let mut rng = seeded(17);
        let sizes = [
            (1, 1),
            (1, 6),
            (5, 1),
            (2, 2),
            (3, 4),
            (6, 6),
            (9, 7),
            (12, 12),
        ];
        for (rows, cols) in sizes {
            for nb in [Neighbourhood::Four, Neighbourhood::Eight] {
                for zero in [0.0, 0.3, 0.8] {
                    for trial in 0..6 {
                        let problem = Problem::random(&mut rng, rows, cols, nb, zero);
                        check(
                            &problem,
                            &format!("{rows}x{cols} {nb:?} zero {zero} trial {trial}"),
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn zero_capacities_and_disconnected_grids() {
        let mut rng = seeded(5);
        for nb in [Neighbourhood::Four, Neighbourhood::Eight] {
            // Every capacity zero: no flow, and no node on the source side.
            let mut problem = Problem::random(&mut rng, 4, 5, nb, 1.0);
            let (flow, side) = problem.grid_flow();
            assert_eq!(flow, 0.0);
            assert!(side.iter().all(|&s| !s));
            check(&problem, "all zero");
            // Terminal arcs only (no arcs between pixels): each pixel alone, flow sum min(s, t).
            problem = Problem::random(&mut rng, 6, 6, nb, 0.2);
            problem.arcs.fill(0);
            let alone: u64 = problem
                .interior()
                .map(|i| problem.source[i].min(problem.sink[i]))
                .sum();
            assert_eq!(problem.grid_flow().0, alone as f64);
            check(&problem, "terminal arcs only");
            // Two halves with no arc across column 3: the flow is the sum of the halves'.
            problem = Problem::random(&mut rng, 6, 8, nb, 0.1);
            let (stride, k) = (problem.stride(), problem.offsets.len());
            for i in problem.interior().collect::<Vec<_>>() {
                for d in 0..k {
                    let j = (i as isize + problem.offsets[d]) as usize;
                    if (i % stride <= 3) != (j % stride <= 3) {
                        problem.arcs[i * k + d] = 0;
                    }
                }
            }
            check(&problem, "two halves");
            // No source capacity at all: nothing can flow.
            problem = Problem::random(&mut rng, 5, 5, nb, 0.0);
            problem.source.fill(0);
            assert_eq!(problem.grid_flow().0, 0.0);
            check(&problem, "no source");
        }
    }
}
