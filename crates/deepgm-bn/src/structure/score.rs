//! Decomposable scores of a DAG given complete discrete data: the sum over variables of a
//! family score that depends only on the counts `N_ijk` (rows with the parents in configuration
//! `j` and the variable in state `k`; `N_ij = sum_k N_ijk`, `r` states, `q` parent
//! configurations, `N` rows). Natural logarithms throughout:
//!
//! - log-likelihood: `LL = sum_jk N_ijk ln(N_ijk / N_ij)`;
//! - BIC: `LL - (ln N / 2) q (r - 1)`; AIC: `LL - q (r - 1)`;
//! - K2: `sum_j [ln G(r) - ln G(N_ij + r) + sum_k ln G(N_ijk + 1)]`;
//! - BDeu with equivalent sample size `a`: `sum_j [ln G(a/q) - ln G(N_ij + a/q) +
//!   sum_k (ln G(N_ijk + a/(qr)) - ln G(a/(qr)))]`.
//!
//! `G` is the gamma function; `q` is the product of the parents' state counts, observed or not
//! (pgmpy's and bnlearn's convention; configurations never seen add 0 to every score but BIC's
//! and AIC's penalty). Family scores are cached, so each parent set is counted once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use deepgm_core::{Error, Result};
use rayon::prelude::*;

use crate::data::Dataset;
use crate::network::Network;
use crate::structure::dag::Dag;

/// Which decomposable score (see the module documentation for the formulas).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StructureScore {
    /// The log-likelihood of the maximum-likelihood tables (no penalty: more arcs never lower it).
    LogLikelihood,
    /// The Bayesian information criterion (pgmpy's `BIC`, bnlearn's `bic`).
    Bic,
    /// Akaike's information criterion (pgmpy's `AIC`, bnlearn's `aic`).
    Aic,
    /// Cooper and Herskovits' K2 score (a uniform Dirichlet prior of one pseudo-count a cell).
    K2,
    /// The Bayesian Dirichlet equivalent uniform score.
    BDeu {
        /// The equivalent sample size, finite and `> 0` (1 is bnlearn's and pgmpy's default).
        ess: f64,
    },
}

impl StructureScore {
    /// The score's name as reports spell it (`ll`, `bic`, `aic`, `k2`,
    /// `bdeu`).
    pub fn name(&self) -> &'static str {
        match self {
            StructureScore::LogLikelihood => "ll",
            StructureScore::Bic => "bic",
            StructureScore::Aic => "aic",
            StructureScore::K2 => "k2",
            StructureScore::BDeu { .. } => "bdeu",
        }
    }

    /// Checks the score's parameter.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (name `ess`) for an equivalent sample size that is not finite
    /// and `> 0`.
    pub fn check(&self) -> Result<()> {
        if let StructureScore::BDeu { ess } = *self {
            if !(ess.is_finite() && ess > 0.0) {
                return Err(Error::invalid(
                    "ess",
                    format!("{ess}: the equivalent sample size must be finite and > 0"),
                ));
            }
        }
        Ok(())
    }
}

/// Natural log of the gamma function.
fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// Family scores of one dataset under one score, cached by family, safe to share between
/// threads.
pub struct FamilyScorer {
    cards: Vec<usize>,
    columns: Vec<Vec<u16>>,
    n_rows: usize,
    score: StructureScore,
    cache: Mutex<HashMap<Vec<u32>, f64>>,
    counted: AtomicUsize,
    /// `k ln k` for `k` = 0 (as 0) to the number of rows.
    x_ln_x: Vec<f64>,
    /// `ln k!` for `k` = 0 to the number of rows plus the largest cardinality.
    ln_factorial: Vec<f64>,
}

impl FamilyScorer {
    /// A scorer of `data` (which must hold a column for every variable of `net`; the states of
    /// `net`'s variables give the cardinalities) under `score`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (name `dataset`) when a variable has no column or the data
    /// has no row; as [`StructureScore::check`].
    pub fn new(net: &Network, data: &Dataset, score: StructureScore) -> Result<Self> {
        score.check()?;
        let n = net.n_variables();
        if data.n_rows() == 0 {
            return Err(Error::invalid(
                "dataset",
                "no rows: a structure needs data to be scored",
            ));
        }
        let mut columns = vec![Vec::new(); n];
        let mut found = vec![false; n];
        for (col, &v) in data.vars().iter().enumerate() {
            if v < n {
                found[v] = true;
                columns[v] = data.rows().map(|row| row[col]).collect();
            }
        }
        if let Some(v) = found.iter().position(|f| !f) {
            return Err(Error::invalid(
                "dataset",
                format!("no column for variable {}", net.variable(v).name),
            ));
        }
        let cards: Vec<usize> = (0..n).map(|v| net.cardinality(v)).collect();
        let rows = data.n_rows();
        let x_ln_x = (0..=rows)
            .map(|k| {
                if k == 0 {
                    0.0
                } else {
                    k as f64 * (k as f64).ln()
                }
            })
            .collect();
        let top = rows + cards.iter().copied().max().unwrap_or(1);
        let mut ln_factorial = Vec::with_capacity(top + 1);
        ln_factorial.push(0.0);
        for k in 1..=top {
            ln_factorial.push(ln_gamma(k as f64 + 1.0));
        }
        if rows > u32::MAX as usize {
            return Err(Error::invalid(
                "dataset",
                format!(
                    "{rows} rows: structure learning counts at most {} rows",
                    u32::MAX
                ),
            ));
        }
        Ok(FamilyScorer {
            x_ln_x,
            ln_factorial,
            cards,
            columns,
            n_rows: data.n_rows(),
            score,
            cache: Mutex::new(HashMap::new()),
            counted: AtomicUsize::new(0),
        })
    }

    /// The score in use.
    pub fn score(&self) -> StructureScore {
        self.score
    }

    /// The number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The number of variables.
    pub fn n_variables(&self) -> usize {
        self.cards.len()
    }

    /// The number of distinct families counted so far (cache misses).
    pub fn families_scored(&self) -> usize {
        self.counted.load(Ordering::Relaxed)
    }

    /// The score of `child` with the parent set `parents` (any order).
    pub fn family(&self, child: usize, parents: &[usize]) -> f64 {
        let key = family_key(child, parents.iter().copied());
        if let Some(s) = self.cached(&key) {
            return s;
        }
        let sorted: Vec<usize> = key[1..].iter().map(|&p| p as usize).collect();
        let s = self.compute(child, &sorted);
        self.store(key, s);
        s
    }

    /// The cached score of the family `key` (see [`family_key`]), if it was counted before.
    fn cached(&self, key: &[u32]) -> Option<f64> {
        self.cache
            .lock()
            .expect("no panics hold the lock")
            .get(key)
            .copied()
    }

    /// Caches a newly counted family's score.
    fn store(&self, key: Vec<u32>, score: f64) {
        self.counted.fetch_add(1, Ordering::Relaxed);
        self.cache
            .lock()
            .expect("no panics hold the lock")
            .insert(key, score);
    }

    /// The scores of `child` with `parents` and one more parent, for each of `extra` in turn
    /// (each must be neither `child` nor in `parents`): what hill climbing asks for every arc it
    /// could add. The configuration index of `parents` is built once, so counting a new family
    /// takes one pass over the rows instead of one a parent; families already scored come from
    /// the cache. `parallel` spreads the counting over threads.
    pub fn with_one_more_parent(
        &self,
        child: usize,
        parents: &[usize],
        extra: &[usize],
        parallel: bool,
    ) -> Vec<f64> {
        let r = self.cards[child];
        let base_cells: u128 = parents
            .iter()
            .map(|&p| self.cards[p] as u128)
            .try_fold(r as u128, |acc, c| acc.checked_mul(c))
            .unwrap_or(u128::MAX);
        let limit = (2 * self.n_rows as u128)
            .max(1 << 16)
            .min(u128::from(u32::MAX));
        // Rows' configuration indices of the parents alone, built only if some family needs it.
        let base: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
        let one = |u: usize| -> f64 {
            let key = family_key(child, parents.iter().copied().chain(std::iter::once(u)));
            if let Some(s) = self.cached(&key) {
                return s;
            }
            let cu = self.cards[u];
            let cells = base_cells * cu as u128;
            if cells > limit {
                return self.family(
                    child,
                    &key[1..].iter().map(|&p| p as usize).collect::<Vec<_>>(),
                );
            }
            let base = base.get_or_init(|| {
                let mut b = vec![0u32; self.n_rows];
                for &p in parents {
                    let card = self.cards[p] as u32;
                    for (k, &x) in b.iter_mut().zip(&self.columns[p]) {
                        *k = *k * card + u32::from(x);
                    }
                }
                b
            });
            let q = cells as f64 / r as f64;
            let s = COUNT_BUFFERS.with(|buffers| {
                let (_, table) = &mut *buffers.borrow_mut();
                table.clear();
                table.resize(cells as usize, 0);
                let (cu, r32) = (cu as u32, r as u32);
                for ((&b, &xu), &xv) in base.iter().zip(&self.columns[u]).zip(&self.columns[child])
                {
                    table[((b * cu + u32::from(xu)) * r32 + u32::from(xv)) as usize] += 1;
                }
                self.score_rows(table.chunks_exact(r), r, q)
            });
            self.store(key, s);
            s
        };
        if parallel {
            extra.par_iter().map(|&u| one(u)).collect()
        } else {
            extra.iter().map(|&u| one(u)).collect()
        }
    }

    /// The score of a whole DAG: the sum of its family scores.
    pub fn dag_score(&self, dag: &Dag) -> f64 {
        (0..dag.n_variables())
            .map(|v| self.family(v, dag.parents(v)))
            .sum()
    }

    /// Counts the family's `N_ijk` and scores them.
    fn compute(&self, child: usize, parents: &[usize]) -> f64 {
        let r = self.cards[child];
        let cells: u128 = parents
            .iter()
            .map(|&p| self.cards[p] as u128)
            .try_fold(r as u128, |acc, c| acc.checked_mul(c))
            .unwrap_or(u128::MAX);
        let q = cells as f64 / r as f64;
        if cells
            <= (2 * self.n_rows as u128)
                .max(1 << 16)
                .min(u128::from(u32::MAX))
        {
            // Dense table, while it is not much larger than the data: one pass builds each row's
            // configuration index (parents first, the child last), one more counts.
            COUNT_BUFFERS.with(|buffers| {
                let (key, table) = &mut *buffers.borrow_mut();
                key.clear();
                key.resize(self.n_rows, 0);
                for &p in parents.iter().chain(std::iter::once(&child)) {
                    let card = self.cards[p] as u32;
                    for (k, &x) in key.iter_mut().zip(&self.columns[p]) {
                        *k = *k * card + u32::from(x);
                    }
                }
                table.clear();
                table.resize(cells as usize, 0);
                for &k in key.iter() {
                    table[k as usize] += 1;
                }
                self.score_rows(table.chunks_exact(r), r, q)
            })
        } else {
            let groups = self.sparse_counts(child, parents, cells);
            self.score_rows(groups.iter().map(Vec::as_slice), r, q)
        }
    }

    /// The family score from the counts of each parent configuration (`r` a row; rows of zeros
    /// are skipped: an unseen configuration adds nothing but to BIC's and AIC's penalty).
    fn score_rows<'a>(&self, rows: impl Iterator<Item = &'a [u32]>, r: usize, q: f64) -> f64 {
        let n = self.n_rows as f64;
        let free = q * (r as f64 - 1.0);
        let rows = rows.filter(|row| row.iter().any(|&c| c > 0));
        // x ln x and ln x! of counts come from tables: counts never exceed the number of rows.
        let ll = |rows: &mut dyn Iterator<Item = &[u32]>| -> f64 {
            rows.map(|row| {
                let nij: u32 = row.iter().sum();
                row.iter().map(|&c| self.x_ln_x[c as usize]).sum::<f64>()
                    - self.x_ln_x[nij as usize]
            })
            .sum()
        };
        let mut rows = rows;
        match self.score {
            StructureScore::LogLikelihood => ll(&mut rows),
            StructureScore::Bic => ll(&mut rows) - 0.5 * n.ln() * free,
            StructureScore::Aic => ll(&mut rows) - free,
            StructureScore::K2 => {
                // ln G(r) - ln G(N_ij + r) + sum_k ln G(N_ijk + 1), with ln G(k + 1) = ln k!.
                let lg_r = self.ln_factorial[r - 1];
                rows.map(|row| {
                    let nij: u32 = row.iter().sum();
                    lg_r - self.ln_factorial[nij as usize + r - 1]
                        + row
                            .iter()
                            .map(|&c| self.ln_factorial[c as usize])
                            .sum::<f64>()
                })
                .sum()
            }
            StructureScore::BDeu { ess } => {
                let alpha = ess / q;
                let beta = ess / (q * r as f64);
                let (lg_alpha, lg_beta) = (ln_gamma(alpha), ln_gamma(beta));
                rows.map(|row| {
                    let nij: u32 = row.iter().sum();
                    lg_alpha - ln_gamma(f64::from(nij) + alpha)
                        + row
                            .iter()
                            .map(|&c| {
                                if c == 0 {
                                    0.0
                                } else {
                                    ln_gamma(f64::from(c) + beta) - lg_beta
                                }
                            })
                            .sum::<f64>()
                })
                .sum()
            }
        }
    }

    /// The counts of each parent configuration that occurs, for families whose table would be
    /// much larger than the data: sorted configuration indices, or hashed configurations when
    /// the index would not fit in 64 bits.
    fn sparse_counts(&self, child: usize, parents: &[usize], cells: u128) -> Vec<Vec<u32>> {
        let r = self.cards[child];
        if cells > u128::from(u64::MAX) {
            let mut map: HashMap<Vec<u16>, Vec<u32>> = HashMap::new();
            for i in 0..self.n_rows {
                let config: Vec<u16> = parents.iter().map(|&p| self.columns[p][i]).collect();
                map.entry(config).or_insert_with(|| vec![0; r])[self.columns[child][i] as usize] +=
                    1;
            }
            return map.into_values().collect();
        }
        let mut key = vec![0u64; self.n_rows];
        for &p in parents.iter().chain(std::iter::once(&child)) {
            let card = self.cards[p] as u64;
            for (k, &x) in key.iter_mut().zip(&self.columns[p]) {
                *k = *k * card + u64::from(x);
            }
        }
        key.sort_unstable();
        let r64 = r as u64;
        let mut groups = Vec::new();
        let mut i = 0;
        while i < key.len() {
            let config = key[i] / r64;
            let mut row = vec![0u32; r];
            while i < key.len() && key[i] / r64 == config {
                row[(key[i] % r64) as usize] += 1;
                i += 1;
            }
            groups.push(row);
        }
        groups
    }
}

/// The cache key of a family: the child, then its parents sorted.
fn family_key(child: usize, parents: impl Iterator<Item = usize>) -> Vec<u32> {
    let mut key: Vec<u32> = std::iter::once(child as u32)
        .chain(parents.map(|p| p as u32))
        .collect();
    key[1..].sort_unstable();
    key
}

thread_local! {
    /// Per-thread buffers of [`FamilyScorer::compute`]: each row's configuration index, and the
    /// dense count table (reused so that scoring a family allocates nothing once warm).
    static COUNT_BUFFERS: std::cell::RefCell<(Vec<u32>, Vec<u32>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}
