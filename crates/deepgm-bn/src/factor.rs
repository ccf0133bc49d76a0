//! Dense factors (potentials) over discrete variables, and the few operations exact inference
//! is built from: restriction to evidence, marginalization onto a sub-scope, in-place product
//! with a factor over a sub-scope, and the fused product-then-sum (or product-then-max) that
//! eliminates one variable.
//!
//! A factor's scope is kept sorted by variable index, and its table is in C order over that
//! scope (the last variable varies fastest). Every operation walks the larger table once with
//! an odometer that carries the index into each smaller table along, so no index arrays are
//! materialized.

use rayon::prelude::*;

use crate::network::Network;

/// A non-negative table over a sorted set of discrete variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    vars: Vec<usize>,
    cards: Vec<usize>,
    values: Vec<f64>,
}

/// How [`Factor::eliminate`] removes a variable: summing (marginal probabilities) or maximizing
/// (most probable explanation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reduce {
    /// Sum over the eliminated variable's states.
    Sum,
    /// Maximum over the eliminated variable's states.
    Max,
}

impl Factor {
    /// A factor from its parts.
    ///
    /// # Panics
    /// When `vars` is not strictly increasing, `cards` does not match it, or the table size is
    /// not the product of `cards` (a programming error).
    pub fn new(vars: Vec<usize>, cards: Vec<usize>, values: Vec<f64>) -> Self {
        assert!(vars.windows(2).all(|w| w[0] < w[1]), "scope must be sorted");
        assert_eq!(vars.len(), cards.len(), "one cardinality per variable");
        assert_eq!(values.len(), cards.iter().product::<usize>(), "table size");
        Factor {
            vars,
            cards,
            values,
        }
    }

    /// The factor `p(x_child | pa_child)` of `net`, over the child and its parents, with each
    /// row divided by its sum.
    ///
    /// Validation lets a row sum to 1 within 1e-6 (several bnlearn files are off by up to
    /// 3e-7), but pruning barren nodes is exact only for rows that sum to 1: normalizing here
    /// makes every pruned computation agree with the unpruned one (and variable elimination
    /// with the junction tree) to rounding, at the price of differing from computations on the
    /// raw rows by about the rows' own error.
    pub fn from_cpt(net: &Network, child: usize) -> Self {
        let cpt = net.cpt(child);
        let mut values = cpt.values.clone();
        for row in values.chunks_exact_mut(cpt.child_card.max(1)) {
            let sum: f64 = row.iter().sum();
            if sum > 0.0 {
                row.iter_mut().for_each(|v| *v /= sum);
            }
        }
        // CPT order: (parents..., child), last fastest.
        let mut order: Vec<usize> = cpt.parents.clone();
        order.push(child);
        let mut cards: Vec<usize> = cpt.parent_cards.clone();
        cards.push(cpt.child_card);
        permuted(&order, &cards, &values)
    }

    /// The variables, in increasing index order.
    pub fn vars(&self) -> &[usize] {
        &self.vars
    }

    /// The cardinalities, aligned with [`Self::vars`].
    pub fn cards(&self) -> &[usize] {
        &self.cards
    }

    /// The table, in C order over [`Self::vars`].
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether `var` is in the scope.
    pub fn contains(&self, var: usize) -> bool {
        self.vars.binary_search(&var).is_ok()
    }

    /// The sum of all entries.
    pub fn total(&self) -> f64 {
        self.values.iter().sum()
    }

    /// Divides every entry by the total when it is positive; returns the total.
    pub fn normalize(&mut self) -> f64 {
        let total = self.total();
        if total > 0.0 {
            let inv = 1.0 / total;
            self.values.iter_mut().for_each(|v| *v *= inv);
        }
        total
    }

    /// Divides every entry by the largest when it is positive; returns that largest entry
    /// (used to keep long products away from underflow).
    pub fn rescale_max(&mut self) -> f64 {
        let max = self.values.iter().copied().fold(0.0, f64::max);
        if max > 0.0 {
            let inv = 1.0 / max;
            self.values.iter_mut().for_each(|v| *v *= inv);
        }
        max
    }

    /// The factor with `var` fixed to `state` (the variable leaves the scope). A factor without
    /// `var` is returned unchanged.
    pub fn restrict(&self, var: usize, state: usize) -> Factor {
        let Ok(pos) = self.vars.binary_search(&var) else {
            return self.clone();
        };
        let inner: usize = self.cards[pos + 1..].iter().product();
        let card = self.cards[pos];
        let outer = self.values.len() / (inner * card);
        let mut values = Vec::with_capacity(outer * inner);
        for o in 0..outer {
            let start = (o * card + state) * inner;
            values.extend_from_slice(&self.values[start..start + inner]);
        }
        let mut vars = self.vars.clone();
        let mut cards = self.cards.clone();
        vars.remove(pos);
        cards.remove(pos);
        Factor {
            vars,
            cards,
            values,
        }
    }

    /// This factor's stride for each variable of `scope` (0 for variables it does not have).
    fn strides_in(&self, scope: &[usize]) -> Vec<usize> {
        let mut own = vec![0usize; self.vars.len()];
        let mut s = 1;
        for (slot, &c) in own.iter_mut().zip(&self.cards).rev() {
            *slot = s;
            s *= c;
        }
        scope
            .iter()
            .map(|v| self.vars.binary_search(v).map_or(0, |p| own[p]))
            .collect()
    }

    /// The sum of this factor over every variable not in `keep` (`keep` sorted, a subset of
    /// the scope).
    ///
    /// # Panics
    /// When `keep` has a variable outside the scope or is not sorted.
    pub fn marginal(&self, keep: &[usize]) -> Factor {
        let cards: Vec<usize> = keep
            .iter()
            .map(|v| self.cards[self.vars.binary_search(v).expect("keep is a sub-scope")])
            .collect();
        let mut out = Factor {
            vars: keep.to_vec(),
            values: vec![0.0; cards.iter().product()],
            cards,
        };
        let strides = out.strides_in(&self.vars);
        let sum_into =
            |acc: &mut [f64], values: &[f64], cards: &[usize], strides: &[usize], base: usize| {
                walk(cards, strides, |big, small, run, step| {
                    let small = small + base;
                    if step == 0 {
                        acc[small] += values[big..big + run].iter().sum::<f64>();
                    } else {
                        for (t, &v) in values[big..big + run].iter().enumerate() {
                            acc[small + t * step] += v;
                        }
                    }
                });
            };
        match split_first_axis(&self.cards, self.values.len()) {
            Some(slice) => {
                // Large table: the slices of the first axis fall into a fixed number of
                // contiguous groups, each summed into its own partial table; the partial tables
                // are added in group order. The grouping does not depend on the threads or on
                // how rayon schedules them, so the sums are the same bit for bit on every run.
                let slices = self.cards[0];
                let per_group = slices.div_ceil(MARGINAL_GROUPS.min(slices));
                let partials: Vec<Vec<f64>> = self
                    .values
                    .par_chunks(slice * per_group)
                    .enumerate()
                    .map(|(g, group)| {
                        let mut acc = vec![0.0; out.values.len()];
                        for (i, chunk) in group.chunks_exact(slice).enumerate() {
                            sum_into(
                                &mut acc,
                                chunk,
                                &self.cards[1..],
                                &strides[1..],
                                (g * per_group + i) * strides[0],
                            );
                        }
                        acc
                    })
                    .collect();
                for partial in partials {
                    for (o, p) in out.values.iter_mut().zip(partial) {
                        *o += p;
                    }
                }
            }
            None => sum_into(&mut out.values, &self.values, &self.cards, &strides, 0),
        }
        out
    }

    /// Multiplies this factor in place by `other`, whose scope must be a subset of this one's.
    ///
    /// # Panics
    /// When `other` has a variable outside this factor's scope.
    pub fn multiply_in(&mut self, other: &Factor) {
        assert!(
            other.vars.iter().all(|v| self.contains(*v)),
            "multiply_in needs a sub-scope"
        );
        let strides = other.strides_in(&self.vars);
        let small_values = &other.values;
        let scale = |values: &mut [f64], cards: &[usize], strides: &[usize], base: usize| {
            walk(cards, strides, |big, small, run, step| {
                let small = small + base;
                let block = &mut values[big..big + run];
                if step == 0 {
                    let f = small_values[small];
                    block.iter_mut().for_each(|v| *v *= f);
                } else if step == 1 {
                    for (v, &f) in block.iter_mut().zip(&small_values[small..small + run]) {
                        *v *= f;
                    }
                } else {
                    for (t, v) in block.iter_mut().enumerate() {
                        *v *= small_values[small + t * step];
                    }
                }
            });
        };
        match split_first_axis(&self.cards, self.values.len()) {
            // Large table: slices of the first axis are independent, one per task.
            Some(slice) => self
                .values
                .par_chunks_mut(slice)
                .enumerate()
                .for_each(|(i, chunk)| {
                    scale(chunk, &self.cards[1..], &strides[1..], i * strides[0])
                }),
            None => scale(&mut self.values, &self.cards, &strides, 0),
        }
    }

    /// The factor over `vars` (sorted, cardinalities `cards`) equal to `f` everywhere, `f`'s
    /// scope being a subset of `vars`: `f` spread over the extra variables.
    ///
    /// # Panics
    /// When `f` has a variable outside `vars`, or `vars` is not sorted.
    pub fn broadcast(vars: Vec<usize>, cards: Vec<usize>, f: &Factor) -> Factor {
        assert!(vars.windows(2).all(|w| w[0] < w[1]), "scope must be sorted");
        assert!(
            f.vars.iter().all(|v| vars.binary_search(v).is_ok()),
            "broadcast needs a super-scope"
        );
        let size = cards.iter().product();
        let mut values = Vec::with_capacity(size);
        let strides = f.strides_in(&vars);
        let src = &f.values;
        walk(&cards, &strides, |_, small, run, step| match step {
            0 => values.extend(std::iter::repeat_n(src[small], run)),
            1 => values.extend_from_slice(&src[small..small + run]),
            _ => values.extend((0..run).map(|t| src[small + t * step])),
        });
        Factor {
            vars,
            cards,
            values,
        }
    }

    /// Replaces this factor (a clique) by `self * new / old`, where `new` and `old` are over the
    /// same sub-scope; `0 / 0` counts as 0 (Hugin's update).
    pub fn update_by_ratio(&mut self, new: &Factor, old: &Factor) {
        debug_assert_eq!(new.vars, old.vars);
        let ratio: Vec<f64> = new
            .values
            .iter()
            .zip(&old.values)
            .map(|(&n, &o)| if o == 0.0 { 0.0 } else { n / o })
            .collect();
        let ratio = Factor {
            vars: new.vars.clone(),
            cards: new.cards.clone(),
            values: ratio,
        };
        self.multiply_in(&ratio);
    }

    /// The product of `factors` with `var` summed or maximized out, without building the
    /// product table: the result's scope is the union of the scopes minus `var`.
    ///
    /// # Panics
    /// When `factors` is empty.
    pub fn eliminate(factors: &[&Factor], var: usize, reduce: Reduce) -> Factor {
        assert!(!factors.is_empty(), "nothing to eliminate from");
        let (scope, cards) = union_scope(factors);
        let pos = scope.binary_search(&var).ok();
        let (out_vars, out_cards, var_card) = match pos {
            Some(p) => {
                let mut v = scope.clone();
                let mut c = cards.clone();
                v.remove(p);
                let k = c.remove(p);
                (v, c, k)
            }
            None => (scope.clone(), cards.clone(), 1),
        };
        let size: usize = out_cards.iter().product();
        let mut out = Vec::with_capacity(size);
        // Each factor's strides over the output scope, and over the eliminated variable.
        let strides: Vec<Vec<usize>> = factors.iter().map(|f| f.strides_in(&out_vars)).collect();
        let var_strides: Vec<usize> = factors.iter().map(|f| f.strides_in(&[var])[0]).collect();
        let k = factors.len();
        let mut idx = vec![0usize; k];
        let mut digits = vec![0usize; out_vars.len()];
        let mut prod = vec![1.0f64; var_card];
        for _ in 0..size {
            prod.iter_mut().for_each(|p| *p = 1.0);
            for f in 0..k {
                let table = &factors[f].values;
                let (base, vs) = (idx[f], var_strides[f]);
                if vs == 0 {
                    let v = table[base];
                    prod.iter_mut().for_each(|p| *p *= v);
                } else {
                    for (t, p) in prod.iter_mut().enumerate() {
                        *p *= table[base + t * vs];
                    }
                }
            }
            out.push(match reduce {
                Reduce::Sum => prod.iter().sum(),
                Reduce::Max => prod.iter().copied().fold(0.0, f64::max),
            });
            // Advance the odometer over the output scope.
            for d in (0..digits.len()).rev() {
                digits[d] += 1;
                if digits[d] < out_cards[d] {
                    for f in 0..k {
                        idx[f] += strides[f][d];
                    }
                    break;
                }
                digits[d] = 0;
                for f in 0..k {
                    idx[f] -= strides[f][d] * (out_cards[d] - 1);
                }
            }
        }
        Factor {
            vars: out_vars,
            cards: out_cards,
            values: out,
        }
    }

    /// The product of `factors` over the union of their scopes (the tests' reference for
    /// elimination).
    #[cfg(test)]
    pub fn product(factors: &[&Factor]) -> Factor {
        let (vars, cards) = union_scope(factors);
        let mut out = Factor {
            values: vec![1.0; cards.iter().product()],
            vars,
            cards,
        };
        for f in factors {
            out.multiply_in(f);
        }
        out
    }

    /// The entry at the given states (aligned with [`Self::vars`]).
    pub fn get(&self, states: &[usize]) -> f64 {
        let mut index = 0;
        for (&s, &c) in states.iter().zip(&self.cards) {
            index = index * c + s;
        }
        self.values[index]
    }
}

/// Tables at least this large are processed by rayon's threads, split along their first axis.
/// A pass over a smaller table takes well under a millisecond, less than handing it to the other
/// threads: at 2^17 barley's junction tree (cliques up to 233,280 entries) ran slower on two
/// threads than on one.
const PARALLEL_ENTRIES: usize = 1 << 19;

/// A large table's marginal is summed in this many groups of first-axis slices (or one group
/// per slice when there are fewer), whatever the number of threads.
pub(crate) const MARGINAL_GROUPS: usize = 8;

/// For a table large enough to split (and whose first axis has at least two states), the
/// number of entries in one slice of its first axis. It does not depend on the number of
/// threads, so a table is summed the same way on one thread as on several.
pub(crate) fn split_first_axis(cards: &[usize], len: usize) -> Option<usize> {
    (len >= PARALLEL_ENTRIES && cards.len() > 1 && cards[0] > 1).then(|| len / cards[0])
}

/// The sorted union of the factors' scopes, with cardinalities.
pub(crate) fn union_scope(factors: &[&Factor]) -> (Vec<usize>, Vec<usize>) {
    let mut pairs: Vec<(usize, usize)> = factors
        .iter()
        .flat_map(|f| f.vars.iter().copied().zip(f.cards.iter().copied()))
        .collect();
    pairs.sort_unstable();
    pairs.dedup_by_key(|p| p.0);
    pairs.into_iter().unzip()
}

/// A table given over `order` (any order of distinct variables, C layout) as a [`Factor`] over
/// the sorted scope.
pub(crate) fn permuted(order: &[usize], cards: &[usize], values: &[f64]) -> Factor {
    let mut perm: Vec<usize> = (0..order.len()).collect();
    perm.sort_by_key(|&i| order[i]);
    let vars: Vec<usize> = perm.iter().map(|&i| order[i]).collect();
    let sorted_cards: Vec<usize> = perm.iter().map(|&i| cards[i]).collect();
    if perm.iter().enumerate().all(|(a, &b)| a == b) {
        return Factor::new(vars, sorted_cards, values.to_vec());
    }
    // Source strides in the given order, read in the sorted order.
    let mut src = vec![0usize; order.len()];
    let mut s = 1;
    for i in (0..order.len()).rev() {
        src[i] = s;
        s *= cards[i];
    }
    let strides: Vec<usize> = perm.iter().map(|&i| src[i]).collect();
    let mut out = Vec::with_capacity(values.len());
    walk(&sorted_cards, &strides, |_, small, run, step| {
        for t in 0..run {
            out.push(values[small + t * step]);
        }
    });
    Factor::new(vars, sorted_cards, out)
}

/// Walks a C-order table with cardinalities `cards` in runs along its last axis, carrying the
/// index into a second table whose strides over the same axes are `strides` (0 for an axis the
/// second table lacks), and calls `f(index, other_index, run_length, other_step)` once per run.
/// The odometer's digits are on the stack: a compiled query makes a few hundred walks over small
/// tables on networks such as alarm, where allocating them would cost as much as the walk.
pub(crate) fn walk(
    cards: &[usize],
    strides: &[usize],
    mut f: impl FnMut(usize, usize, usize, usize),
) {
    let n = cards.len();
    if n == 0 {
        f(0, 0, 1, 0);
        return;
    }
    // Trailing axes along which the other index moves by a constant step (0, or the step of
    // the last axis times the run so far) fold into one longer run.
    let step = strides[n - 1];
    let mut run = cards[n - 1];
    let mut outer_dims = n - 1;
    while outer_dims > 0 && strides[outer_dims - 1] == step * run {
        run *= cards[outer_dims - 1];
        outer_dims -= 1;
    }
    let runs: usize = cards[..outer_dims].iter().product();
    // Zeroing the digits is part of every walk's cost: 16 cover any table that fits in memory
    // with its non-trivial axes, rarer deeper ones go to the heap.
    let mut on_stack = [0usize; 16];
    let mut on_heap = Vec::new();
    let digits: &mut [usize] = if outer_dims <= on_stack.len() {
        &mut on_stack[..outer_dims]
    } else {
        on_heap.resize(outer_dims, 0);
        &mut on_heap
    };
    let mut other = 0usize;
    for r in 0..runs {
        f(r * run, other, run, step);
        for d in (0..outer_dims).rev() {
            digits[d] += 1;
            if digits[d] < cards[d] {
                other += strides[d];
                break;
            }
            digits[d] = 0;
            other -= strides[d] * (cards[d] - 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(vars: &[usize], cards: &[usize], values: &[f64]) -> Factor {
        Factor::new(vars.to_vec(), cards.to_vec(), values.to_vec())
    }

    #[test]
    fn marginal_sums_out_the_other_variables() {
        // a in {0,1}, b in {0,1,2}: value = 10 a + b.
        let t = f(&[0, 1], &[2, 3], &[0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);
        assert_eq!(t.marginal(&[0]).values(), &[3.0, 33.0]);
        assert_eq!(t.marginal(&[1]).values(), &[10.0, 12.0, 14.0]);
        assert_eq!(t.marginal(&[]).values(), &[36.0]);
        assert_eq!(t.marginal(&[0, 1]), t);
    }

    #[test]
    fn restrict_fixes_a_state() {
        let t = f(&[0, 1], &[2, 3], &[0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);
        assert_eq!(t.restrict(0, 1).values(), &[10.0, 11.0, 12.0]);
        assert_eq!(t.restrict(1, 2).values(), &[2.0, 12.0]);
        assert_eq!(t.restrict(7, 0), t);
    }

    #[test]
    fn eliminate_equals_product_then_marginal() {
        let a = f(&[0, 2], &[2, 3], &[0.1, 0.2, 0.7, 0.5, 0.25, 0.25]);
        let b = f(&[1, 2], &[2, 3], &[0.3, 0.3, 0.4, 0.9, 0.05, 0.05]);
        let c = f(&[0], &[2], &[0.6, 0.4]);
        let prod = Factor::product(&[&a, &b, &c]);
        assert_eq!(prod.vars(), &[0, 1, 2]);
        let direct = Factor::eliminate(&[&a, &b, &c], 2, Reduce::Sum);
        let reference = prod.marginal(&[0, 1]);
        for (x, y) in direct.values().iter().zip(reference.values()) {
            assert!((x - y).abs() < 1e-15);
        }
        let max = Factor::eliminate(&[&a, &b, &c], 2, Reduce::Max);
        assert!(
            (max.get(&[1, 0])
                - (0.5 * 0.3 * 0.4f64)
                    .max(0.25 * 0.3 * 0.4)
                    .max(0.25 * 0.4 * 0.4))
            .abs()
                < 1e-15
        );
    }

    #[test]
    fn permuted_tables_read_the_same_entries() {
        // Over (2, 0) in that order: value = 10 * x2 + x0, x2 in 0..3, x0 in 0..2.
        let t = permuted(&[2, 0], &[3, 2], &[0.0, 1.0, 10.0, 11.0, 20.0, 21.0]);
        assert_eq!(t.vars(), &[0, 2]);
        assert_eq!(t.get(&[1, 2]), 21.0);
        assert_eq!(t.get(&[0, 1]), 10.0);
    }

    #[test]
    fn large_marginals_are_the_same_bit_for_bit_on_any_number_of_threads() {
        // 9 x 256 x 256 entries (above PARALLEL_ENTRIES, 9 slices: groups of 2 and one of 1),
        // values whose sums round differently in different orders.
        let cards = [9usize, 256, 256];
        let len: usize = cards.iter().product();
        assert!(len >= PARALLEL_ENTRIES);
        let values: Vec<f64> = (0..len)
            .map(|i| ((i as f64) * 0.618_033_988_75).fract() * 1e-3 + 1e-9 * (i % 7) as f64)
            .collect();
        let big = f(&[0, 1, 2], &cards, &values);
        let in_pool = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool")
                .install(|| {
                    (
                        big.marginal(&[1]),
                        big.marginal(&[2]),
                        big.marginal(&[1, 2]),
                    )
                })
        };
        let one = in_pool(1);
        for threads in [2, 3, 4] {
            for _ in 0..3 {
                assert_eq!(in_pool(threads), one, "{threads} threads");
            }
        }
    }

    #[test]
    fn large_tables_split_across_threads_give_the_same_sums_and_products() {
        let cards = [64usize, 64, 128];
        let value = |a: usize, b: usize, c: usize| ((a * 7 + b * 3 + c) % 11) as f64 + 0.5;
        let mut values = Vec::new();
        for a in 0..cards[0] {
            for b in 0..cards[1] {
                for c in 0..cards[2] {
                    values.push(value(a, b, c));
                }
            }
        }
        let mut big = f(&[0, 1, 2], &cards, &values);
        assert!(big.len() >= PARALLEL_ENTRIES);
        let m = big.marginal(&[1, 2]);
        for b in 0..cards[1] {
            for c in 0..cards[2] {
                let expected: f64 = (0..cards[0]).map(|a| value(a, b, c)).sum();
                assert_eq!(m.get(&[b, c]), expected);
            }
        }
        let small = Factor::new(
            vec![0, 2],
            vec![64, 128],
            (0..64 * 128).map(|i| i as f64).collect(),
        );
        big.multiply_in(&small);
        assert_eq!(big.get(&[5, 9, 3]), value(5, 9, 3) * (5 * 128 + 3) as f64);
        assert_eq!(
            big.get(&[63, 0, 127]),
            value(63, 0, 127) * (63 * 128 + 127) as f64
        );
    }

    #[test]
    fn broadcast_spreads_over_new_variables() {
        let small = f(&[1], &[2], &[3.0, 5.0]);
        let big = Factor::broadcast(vec![0, 1, 2], vec![2, 2, 2], &small);
        let mut expected = f(&[0, 1, 2], &[2, 2, 2], &[1.0; 8]);
        expected.multiply_in(&small);
        assert_eq!(big, expected);
    }

    #[test]
    fn multiply_in_and_ratio_update() {
        let mut t = f(&[0, 1], &[2, 2], &[1.0, 2.0, 3.0, 4.0]);
        t.multiply_in(&f(&[1], &[2], &[10.0, 100.0]));
        assert_eq!(t.values(), &[10.0, 200.0, 30.0, 400.0]);
        t.update_by_ratio(&f(&[0], &[2], &[1.0, 0.0]), &f(&[0], &[2], &[2.0, 0.0]));
        assert_eq!(t.values(), &[5.0, 100.0, 0.0, 0.0]);
    }
}
