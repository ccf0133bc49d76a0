//! Graph queries on a [`Network`]'s DAG: topological order, ancestors, Markov blanket and
//! d-separation (the Bayes-ball / "reachable" algorithm).

use std::collections::VecDeque;

use crate::network::Network;

impl Network {
    /// A topological order of the variables (every parent before its children).
    ///
    /// Deterministic: Kahn's algorithm taking the smallest ready index first, so a network whose
    /// variables are already in topological order gets `0, 1, ..., n-1`. Computed once when the
    /// network is built.
    pub fn topological_order(&self) -> Vec<usize> {
        self.topological_slice().to_vec()
    }

    /// The variables in `nodes` together with all their ancestors, as a mask indexed by
    /// variable (`mask[v]` is true when `v` is in `nodes` or is an ancestor of one).
    ///
    /// # Panics
    /// If an index in `nodes` is out of range.
    pub fn ancestral_mask(&self, nodes: &[usize]) -> Vec<bool> {
        let mut mask = vec![false; self.n_variables()];
        let mut stack: Vec<usize> = Vec::with_capacity(nodes.len());
        for &v in nodes {
            if !mask[v] {
                mask[v] = true;
                stack.push(v);
            }
        }
        while let Some(v) = stack.pop() {
            for &p in self.parents(v) {
                if !mask[p] {
                    mask[p] = true;
                    stack.push(p);
                }
            }
        }
        mask
    }

    /// The Markov blanket of variable `i`: its parents, its children and its children's other
    /// parents, without `i`, in increasing index order. Given its blanket, `i` is independent of
    /// every other variable.
    ///
    /// # Panics
    /// If `i >= n_variables()`.
    pub fn markov_blanket(&self, i: usize) -> Vec<usize> {
        let mut blanket: Vec<usize> = self.parents(i).to_vec();
        for &c in self.children(i) {
            blanket.push(c);
            blanket.extend(self.parents(c).iter().copied().filter(|&p| p != i));
        }
        blanket.sort_unstable();
        blanket.dedup();
        blanket
    }

    /// Whether every variable in `x` is d-separated from every variable in `y` given `given`,
    /// i.e. whether the graph guarantees `X _|_ Y | Z` whatever the table values.
    ///
    /// Uses the reachable (Bayes-ball) algorithm of Koller & Friedman (Algorithm 3.1): first the
    /// ancestors of `given`, then a breadth-first search over (variable, direction) pairs from
    /// `x` along active trails, in `O(n + arcs)`.
    ///
    /// Conventions: an observed variable (one in `given`) is separated from everything (it is a
    /// constant given `given`), so members of `x` or `y` that are also in `given` are ignored; a
    /// variable in both `x` and `y` (and not in `given`) is not separated from itself; an empty
    /// `x` or `y` gives `true`.
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn d_separated(&self, x: &[usize], y: &[usize], given: &[usize]) -> bool {
        let reachable = self.reachable(x, given);
        !y.iter().any(|&v| reachable[v])
    }

    /// The variables connected to some variable of `x` by an active trail given `given` (the
    /// members of `x` not in `given` included), as a mask indexed by variable; observed variables
    /// are never marked. `d_separated(x, y, z)` is true exactly when no member of `y` is marked.
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn reachable(&self, x: &[usize], given: &[usize]) -> Vec<bool> {
        let n = self.n_variables();
        let mut observed = vec![false; n];
        for &z in given {
            observed[z] = true;
        }
        // A v-structure a -> v <- b is active when v or one of its descendants is observed,
        // i.e. when v is an ancestor of (or in) the evidence.
        let evidence_ancestor = self.ancestral_mask(given);

        // Direction of travel: UP = arrived from a child (or start), DOWN = arrived from a parent.
        const UP: usize = 0;
        const DOWN: usize = 1;
        let mut visited = vec![[false; 2]; n];
        let mut reachable = vec![false; n];
        let mut queue: VecDeque<(usize, usize)> = x.iter().map(|&v| (v, UP)).collect();
        while let Some((v, dir)) = queue.pop_front() {
            if visited[v][dir] {
                continue;
            }
            visited[v][dir] = true;
            if !observed[v] {
                reachable[v] = true;
            }
            if dir == UP {
                if !observed[v] {
                    // Chain/fork through an unobserved v: on to parents (up) and children (down).
                    queue.extend(self.parents(v).iter().map(|&p| (p, UP)));
                    queue.extend(self.children(v).iter().map(|&c| (c, DOWN)));
                }
            } else {
                if !observed[v] {
                    // Chain a -> v -> c through an unobserved v.
                    queue.extend(self.children(v).iter().map(|&c| (c, DOWN)));
                }
                if evidence_ancestor[v] {
                    // V-structure a -> v <- b activated by evidence at or below v.
                    queue.extend(self.parents(v).iter().map(|&p| (p, UP)));
                }
            }
        }
        reachable
    }
}
