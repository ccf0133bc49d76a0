//! Directed acyclic graphs over a network's variables, as structure learning moves through them,
//! and their comparison: structural Hamming distance between DAGs and between their completed
//! partially directed graphs (CPDAGs, which stand for a whole Markov equivalence class).

use deepgm_core::{Error, Result};

use crate::network::Network;

/// A directed graph over `n` variables, given by each variable's parents (kept sorted), that
/// [`Dag::add_arc`] keeps acyclic.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dag {
    parents: Vec<Vec<usize>>,
}

impl Dag {
    /// The graph of `n` variables and no arc.
    pub fn empty(n: usize) -> Self {
        Dag {
            parents: vec![Vec::new(); n],
        }
    }

    /// The graph of a network.
    pub fn of_network(net: &Network) -> Self {
        let mut dag = Dag::empty(net.n_variables());
        for v in 0..net.n_variables() {
            dag.parents[v] = net.parents(v).to_vec();
            dag.parents[v].sort_unstable();
        }
        dag
    }

    /// A graph from arcs `(from, to)` over `n` variables.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (name `arcs`) for an index out of range, a self-loop, a
    /// repeated arc, or a cycle.
    pub fn from_arcs(n: usize, arcs: &[(usize, usize)]) -> Result<Self> {
        let mut dag = Dag::empty(n);
        for &(from, to) in arcs {
            if from >= n || to >= n {
                return Err(Error::invalid(
                    "arcs",
                    format!("arc {from} -> {to} is out of range for {n} variables"),
                ));
            }
            if dag.has_arc(from, to) {
                return Err(Error::invalid(
                    "arcs",
                    format!("arc {from} -> {to} is repeated"),
                ));
            }
            if !dag.can_add(from, to) {
                return Err(Error::invalid(
                    "arcs",
                    format!("arc {from} -> {to} closes a cycle"),
                ));
            }
            dag.add_arc(from, to);
        }
        Ok(dag)
    }

    /// The number of variables.
    pub fn n_variables(&self) -> usize {
        self.parents.len()
    }

    /// The parents of `v`, sorted.
    pub fn parents(&self, v: usize) -> &[usize] {
        &self.parents[v]
    }

    /// Whether the arc `from -> to` is in the graph.
    pub fn has_arc(&self, from: usize, to: usize) -> bool {
        self.parents[to].binary_search(&from).is_ok()
    }

    /// Whether `a` and `b` are joined by an arc in either direction.
    pub fn adjacent(&self, a: usize, b: usize) -> bool {
        self.has_arc(a, b) || self.has_arc(b, a)
    }

    /// The number of arcs.
    pub fn n_arcs(&self) -> usize {
        self.parents.iter().map(Vec::len).sum()
    }

    /// Every arc `(from, to)`, ordered by `to`, then `from`.
    pub fn arcs(&self) -> Vec<(usize, usize)> {
        self.parents
            .iter()
            .enumerate()
            .flat_map(|(to, ps)| ps.iter().map(move |&from| (from, to)))
            .collect()
    }

    /// Whether a directed path leads from `from` to `to` (a variable reaches itself).
    pub fn has_path(&self, from: usize, to: usize) -> bool {
        if from == to {
            return true;
        }
        let children = self.children();
        let mut seen = vec![false; self.n_variables()];
        let mut stack = vec![from];
        seen[from] = true;
        while let Some(u) = stack.pop() {
            for &w in &children[u] {
                if w == to {
                    return true;
                }
                if !std::mem::replace(&mut seen[w], true) {
                    stack.push(w);
                }
            }
        }
        false
    }

    /// Whether `from -> to` can be added: not a self-loop, not present in either direction, and
    /// no path from `to` back to `from`.
    pub fn can_add(&self, from: usize, to: usize) -> bool {
        from != to && !self.adjacent(from, to) && !self.has_path(to, from)
    }

    /// Adds `from -> to` (the caller has checked [`Dag::can_add`]).
    pub fn add_arc(&mut self, from: usize, to: usize) {
        if let Err(at) = self.parents[to].binary_search(&from) {
            self.parents[to].insert(at, from);
        }
    }

    /// Removes `from -> to` if present.
    pub fn remove_arc(&mut self, from: usize, to: usize) {
        if let Ok(at) = self.parents[to].binary_search(&from) {
            self.parents[to].remove(at);
        }
    }

    /// The children of every variable.
    pub fn children(&self) -> Vec<Vec<usize>> {
        let mut children = vec![Vec::new(); self.n_variables()];
        for (to, ps) in self.parents.iter().enumerate() {
            for &from in ps {
                children[from].push(to);
            }
        }
        children
    }

    /// The descendants of every variable (itself included), as bit sets of `n` bits in words.
    pub(crate) fn descendants(&self) -> Vec<Vec<u64>> {
        let n = self.n_variables();
        let words = n.div_ceil(64).max(1);
        let children = self.children();
        let order = self.topological_order();
        let mut desc = vec![vec![0u64; words]; n];
        for &v in order.iter().rev() {
            let mut set = vec![0u64; words];
            set[v / 64] |= 1 << (v % 64);
            for &c in &children[v] {
                for (s, d) in set.iter_mut().zip(&desc[c]) {
                    *s |= d;
                }
            }
            desc[v] = set;
        }
        desc
    }

    /// The variables in an order where every parent comes before its children.
    pub fn topological_order(&self) -> Vec<usize> {
        let n = self.n_variables();
        let children = self.children();
        let mut indegree: Vec<usize> = self.parents.iter().map(Vec::len).collect();
        let mut ready: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).rev().collect();
        let mut order = Vec::with_capacity(n);
        while let Some(v) = ready.pop() {
            order.push(v);
            for &c in children[v].iter().rev() {
                indegree[c] -= 1;
                if indegree[c] == 0 {
                    ready.push(c);
                }
            }
        }
        order
    }

    /// The completed partially directed graph of the graph's Markov equivalence class: the
    /// arcs of its v-structures and every arc that Meek's rules 1-3 then compel stay directed,
    /// the others become undirected edges.
    // Variables are indices into both the graph and the `directed` matrix, read both ways
    // (`directed[a][b]` and `directed[b][a]`), which iterators would obscure.
    #[allow(clippy::needless_range_loop)]
    pub fn cpdag(&self) -> Cpdag {
        let n = self.n_variables();
        // directed[a][b]: a -> b is compelled; undirected edges are adjacency minus those.
        let mut directed = vec![vec![false; n]; n];
        for c in 0..n {
            let ps = &self.parents[c];
            for (i, &a) in ps.iter().enumerate() {
                for &b in &ps[i + 1..] {
                    if !self.adjacent(a, b) {
                        directed[a][c] = true;
                        directed[b][c] = true;
                    }
                }
            }
        }
        let adjacent = |a: usize, b: usize| self.adjacent(a, b);
        let undirected =
            |d: &Vec<Vec<bool>>, a: usize, b: usize| adjacent(a, b) && !d[a][b] && !d[b][a];
        loop {
            let mut changed = false;
            for a in 0..n {
                for b in 0..n {
                    if a == b || !undirected(&directed, a, b) {
                        continue;
                    }
                    // Rule 1: c -> a - b with c, b not adjacent gives a -> b.
                    let r1 = (0..n).any(|c| directed[c][a] && c != b && !adjacent(c, b));
                    // Rule 2: a -> c -> b with a - b gives a -> b.
                    let r2 = (0..n).any(|c| directed[a][c] && directed[c][b]);
                    // Rule 3: a - c -> b and a - d -> b, c and d not adjacent, gives a -> b.
                    let r3 = (0..n).any(|c| {
                        undirected(&directed, a, c)
                            && directed[c][b]
                            && (c + 1..n).any(|d| {
                                undirected(&directed, a, d) && directed[d][b] && !adjacent(c, d)
                            })
                    });
                    if r1 || r2 || r3 {
                        directed[a][b] = true;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let mut edges = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                if !adjacent(a, b) {
                    continue;
                }
                edges.push(if directed[a][b] {
                    Edge::Directed(a, b)
                } else if directed[b][a] {
                    Edge::Directed(b, a)
                } else {
                    Edge::Undirected(a, b)
                });
            }
        }
        Cpdag { n, edges }
    }
}

/// An edge of a [`Cpdag`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// `from -> to`, the same in every graph of the class.
    Directed(usize, usize),
    /// `a - b` with `a < b`: either direction occurs in the class.
    Undirected(usize, usize),
}

/// A completed partially directed acyclic graph: the equivalence class of a DAG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpdag {
    n: usize,
    edges: Vec<Edge>,
}

impl Cpdag {
    /// The edges, ordered by their smaller end, then the larger.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The number of variables.
    pub fn n_variables(&self) -> usize {
        self.n
    }

    fn status(&self) -> std::collections::HashMap<(usize, usize), Edge> {
        self.edges
            .iter()
            .map(|&e| match e {
                Edge::Directed(a, b) | Edge::Undirected(a, b) => ((a.min(b), a.max(b)), e),
            })
            .collect()
    }
}

/// Structural Hamming distance of a learned graph to a reference one, split by kind.
/// Serializes as `{"missing", "extra", "reversed", "total"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shd {
    /// Adjacencies of the reference that the learned graph lacks.
    pub missing: usize,
    /// Adjacencies of the learned graph that the reference lacks.
    pub extra: usize,
    /// Adjacencies in both with another orientation (for CPDAGs: directed one way, the other
    /// way, or directed in one and undirected in the other).
    pub reversed: usize,
}

impl Shd {
    /// `missing + extra + reversed`.
    pub fn total(&self) -> usize {
        self.missing + self.extra + self.reversed
    }
}

impl serde::Serialize for Shd {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Shd", 4)?;
        s.serialize_field("missing", &self.missing)?;
        s.serialize_field("extra", &self.extra)?;
        s.serialize_field("reversed", &self.reversed)?;
        s.serialize_field("total", &self.total())?;
        s.end()
    }
}

/// The structural Hamming distance between two DAGs over the same variables: every pair of
/// variables whose arc differs (absent in one, or the other direction) counts once.
///
/// # Errors
/// [`Error::InvalidParameter`] (name `dag`) when the graphs have different numbers of
/// variables.
pub fn dag_shd(learned: &Dag, reference: &Dag) -> Result<Shd> {
    check_same_size(learned.n_variables(), reference.n_variables())?;
    let mut shd = Shd::default();
    let n = learned.n_variables();
    for a in 0..n {
        for b in a + 1..n {
            match (learned.adjacent(a, b), reference.adjacent(a, b)) {
                (false, true) => shd.missing += 1,
                (true, false) => shd.extra += 1,
                (true, true) if learned.has_arc(a, b) != reference.has_arc(a, b) => {
                    shd.reversed += 1
                }
                _ => {}
            }
        }
    }
    Ok(shd)
}

/// The structural Hamming distance between the CPDAGs of two DAGs, so that Markov-equivalent
/// graphs are at distance 0.
///
/// # Errors
/// As [`dag_shd`].
pub fn cpdag_shd(learned: &Dag, reference: &Dag) -> Result<Shd> {
    check_same_size(learned.n_variables(), reference.n_variables())?;
    let (l, r) = (learned.cpdag().status(), reference.cpdag().status());
    let mut shd = Shd::default();
    for (pair, edge) in &r {
        match l.get(pair) {
            None => shd.missing += 1,
            Some(e) if e != edge => shd.reversed += 1,
            Some(_) => {}
        }
    }
    shd.extra = l.keys().filter(|p| !r.contains_key(p)).count();
    Ok(shd)
}

fn check_same_size(a: usize, b: usize) -> Result<()> {
    if a != b {
        return Err(Error::invalid(
            "dag",
            format!("graphs over {a} and {b} variables cannot be compared"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_are_refused_and_paths_found() {
        let dag = Dag::from_arcs(3, &[(0, 1), (1, 2)]).unwrap();
        assert!(dag.has_path(0, 2) && !dag.has_path(2, 0));
        assert!(!dag.can_add(2, 0) && dag.can_add(0, 2));
        assert!(Dag::from_arcs(3, &[(0, 1), (1, 2), (2, 0)]).is_err());
        assert!(Dag::from_arcs(3, &[(0, 0)]).is_err());
        assert_eq!(dag.topological_order(), vec![0, 1, 2]);
    }

    #[test]
    fn equivalent_graphs_share_their_cpdag() {
        // A chain in either direction and a fork are equivalent; the collider is not.
        let chain = Dag::from_arcs(3, &[(0, 1), (1, 2)]).unwrap();
        let back = Dag::from_arcs(3, &[(2, 1), (1, 0)]).unwrap();
        let fork = Dag::from_arcs(3, &[(1, 0), (1, 2)]).unwrap();
        let collider = Dag::from_arcs(3, &[(0, 1), (2, 1)]).unwrap();
        assert_eq!(chain.cpdag(), back.cpdag());
        assert_eq!(chain.cpdag(), fork.cpdag());
        assert_ne!(chain.cpdag(), collider.cpdag());
        assert_eq!(
            collider.cpdag().edges(),
            &[Edge::Directed(0, 1), Edge::Directed(2, 1)]
        );
        assert_eq!(cpdag_shd(&chain, &fork).unwrap().total(), 0);
        assert_eq!(dag_shd(&chain, &fork).unwrap().reversed, 1);
        assert_eq!(cpdag_shd(&chain, &collider).unwrap().reversed, 2);
    }

    #[test]
    fn meek_rule_one_orients_below_a_collider() {
        // 0 -> 2 <- 1 is a v-structure; 2 - 3 must then be 2 -> 3.
        let dag = Dag::from_arcs(4, &[(0, 2), (1, 2), (2, 3)]).unwrap();
        assert!(dag.cpdag().edges().contains(&Edge::Directed(2, 3)));
    }

    #[test]
    fn shd_counts_missing_extra_and_reversed() {
        let reference = Dag::from_arcs(4, &[(0, 1), (1, 2)]).unwrap();
        let learned = Dag::from_arcs(4, &[(1, 0), (2, 3)]).unwrap();
        let shd = dag_shd(&learned, &reference).unwrap();
        assert_eq!((shd.missing, shd.extra, shd.reversed), (1, 1, 1));
        assert_eq!(shd.total(), 3);
    }
}
