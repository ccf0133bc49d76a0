//! A junction tree (clique tree of the min-fill triangulation) with Hugin-style propagation:
//! one collect and one distribute pass give every posterior marginal and the probability of
//! the evidence. Messages are normalized as they go and their log scales summed, so large
//! networks neither underflow nor overflow.

use crate::factor::Factor;
use crate::order::Plan;

/// A calibrated junction tree: one table per clique, `P(clique | evidence)` up to rounding.
pub(crate) struct Calibrated {
    /// The cliques' tables, then the calibrated separators' (each `P(scope | evidence)` up to
    /// normalization).
    pub cliques: Vec<Factor>,
    /// `ln P(evidence)` contributed by these factors (the product of the roots' totals and of
    /// every normalizer).
    pub log_total: f64,
}

/// Cliques of the tree built from `plan` (one per eliminated variable, non-maximal ones merged
/// into the clique that contains them) and each clique's parent.
pub(crate) struct Tree {
    pub(crate) scopes: Vec<Vec<usize>>,
    pub(crate) parent: Vec<Option<usize>>,
    /// The tree clique holding the elimination clique of each `plan.order` position.
    pub(crate) owner: Vec<usize>,
}

pub(crate) fn build_tree(plan: &Plan) -> Tree {
    let m = plan.order.len();
    let mut position = std::collections::HashMap::with_capacity(m);
    for (i, &v) in plan.order.iter().enumerate() {
        position.insert(v, i);
    }
    // Parent of elimination clique i: the first-eliminated of its other variables.
    let mut parent: Vec<Option<usize>> = plan
        .cliques
        .iter()
        .enumerate()
        .map(|(i, c)| {
            c.iter()
                .filter(|&&v| v != plan.order[i])
                .filter_map(|v| position.get(v).copied())
                .min()
        })
        .collect();
    // Merge: clique p is contained in its child i exactly when i's separator is all of p.
    let mut merged_into: Vec<Option<usize>> = vec![None; m];
    for i in 0..m {
        if merged_into[i].is_some() {
            continue;
        }
        if let Some(p) = parent[i] {
            if plan.cliques[i].len() == plan.cliques[p].len() + 1 && merged_into[p].is_none() {
                merged_into[p] = Some(i);
                parent[i] = parent[p];
            }
        }
    }
    let find = |mut c: usize| {
        while let Some(n) = merged_into[c] {
            c = n;
        }
        c
    };
    let owner: Vec<usize> = (0..m).map(find).collect();
    // Renumber the surviving cliques.
    let mut new_index = vec![usize::MAX; m];
    let mut scopes = Vec::new();
    for i in 0..m {
        if merged_into[i].is_none() {
            new_index[i] = scopes.len();
            scopes.push(plan.cliques[i].clone());
        }
    }
    let mut tree_parent = vec![None; scopes.len()];
    for i in 0..m {
        if merged_into[i].is_none() {
            tree_parent[new_index[i]] = parent[i].map(|p| new_index[find(p)]);
        }
    }
    Tree {
        scopes,
        parent: tree_parent,
        owner: owner.into_iter().map(|o| new_index[o]).collect(),
    }
}

/// The scopes of the cliques and of the separators (one per tree edge) of the tree
/// [`calibrate`] builds from `plan`.
pub(crate) fn scopes(plan: &Plan) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let tree = build_tree(plan);
    let separators = (0..tree.scopes.len())
        .filter_map(|i| tree.parent[i].map(|p| separator_of(&tree.scopes, i, p)))
        .collect();
    (tree.scopes, separators)
}

/// The variables cliques `i` and `p` share.
fn separator_of(scopes: &[Vec<usize>], i: usize, p: usize) -> Vec<usize> {
    scopes[i]
        .iter()
        .copied()
        .filter(|v| scopes[p].binary_search(v).is_ok())
        .collect()
}

/// Builds the tree of `plan` for `factors` (whose variables `plan.order` must cover exactly),
/// propagates, and returns the calibrated cliques. `None` when the factors' product is zero
/// everywhere (evidence of probability zero).
pub(crate) fn calibrate(factors: &[&Factor], plan: &Plan) -> Option<Calibrated> {
    let tree = build_tree(plan);
    let n = tree.scopes.len();
    let mut position = std::collections::HashMap::with_capacity(plan.order.len());
    for (i, &v) in plan.order.iter().enumerate() {
        position.insert(v, i);
    }
    let mut cards = std::collections::HashMap::new();
    for f in factors {
        for (&v, &c) in f.vars().iter().zip(f.cards()) {
            cards.insert(v, c);
        }
    }
    let mut tables: Vec<Option<Factor>> = vec![None; n];
    let mut log_total = 0.0;
    for f in factors {
        match f.vars().iter().map(|v| position[v]).min() {
            // The first factor of a clique is spread over it (one pass instead of filling
            // with ones and multiplying).
            Some(first) => match &mut tables[tree.owner[first]] {
                Some(table) => table.multiply_in(f),
                slot => {
                    let scope = &tree.scopes[tree.owner[first]];
                    let c: Vec<usize> = scope.iter().map(|v| cards[v]).collect();
                    *slot = Some(Factor::broadcast(scope.clone(), c, f));
                }
            },
            None => {
                let t = f.values()[0];
                if t <= 0.0 {
                    return None;
                }
                log_total += t.ln();
            }
        }
    }
    let mut tables: Vec<Factor> = tables
        .into_iter()
        .zip(&tree.scopes)
        .map(|(t, scope)| {
            t.unwrap_or_else(|| {
                let c: Vec<usize> = scope.iter().map(|v| cards[v]).collect();
                let size = c.iter().product();
                Factor::new(scope.clone(), c, vec![1.0; size])
            })
        })
        .collect();
    let separator = |i: usize, p: usize| separator_of(&tree.scopes, i, p);
    // Merging can give a clique a parent that comes earlier in elimination order, so walk a
    // pre-order from the roots: its reverse has every child before its parent.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        if let Some(p) = tree.parent[i] {
            children[p].push(i);
        }
    }
    let mut preorder = Vec::with_capacity(n);
    let mut stack: Vec<usize> = (0..n).filter(|&i| tree.parent[i].is_none()).collect();
    while let Some(c) = stack.pop() {
        preorder.push(c);
        stack.extend(&children[c]);
    }
    debug_assert_eq!(preorder.len(), n, "the cliques form a forest");
    // Collect: children before parents.
    let mut messages: Vec<Option<Factor>> = vec![None; n];
    for &i in preorder.iter().rev() {
        if let Some(p) = tree.parent[i] {
            let mut message = tables[i].marginal(&separator(i, p));
            let z = message.normalize();
            if z <= 0.0 {
                return None;
            }
            log_total += z.ln();
            tables[p].multiply_in(&message);
            messages[i] = Some(message);
        }
    }
    for (table, parent) in tables.iter_mut().zip(&tree.parent) {
        if parent.is_none() {
            let z = table.normalize();
            if z <= 0.0 {
                return None;
            }
            log_total += z.ln();
        }
    }
    // Distribute: parents before children.
    let mut separators = Vec::with_capacity(n);
    for &i in &preorder {
        if let Some(p) = tree.parent[i] {
            let new = tables[p].marginal(&separator(i, p));
            let old = messages[i].take().expect("sent during collect");
            // Calibrated: the child now sums to 1 up to rounding (marginals are normalized
            // when read), so no extra pass to renormalize it.
            tables[i].update_by_ratio(&new, &old);
            separators.push(new);
        }
    }
    // Calibrated separators are the smallest tables many variables appear in: reading a
    // marginal from one is cheaper than from either clique.
    tables.extend(separators);
    Some(Calibrated {
        cliques: tables,
        log_total,
    })
}
