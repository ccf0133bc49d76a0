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
    /// The score's name as the command line and reports spell it (`ll`, `bic`, `aic`, `k2`,
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
    /// [`Error::InvalidArgument`] (name `ess`) for an equivalent sample size that is not finite
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
}

impl FamilyScorer {
    /// A scorer of `data` (which must hold a column for every variable of `net`; the states of
    /// `net`'s variables give the cardinalities) under `score`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (name `dataset`) when a variable has no column or the data
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
        Ok(FamilyScorer {
            cards: (0..n).map(|v| net.cardinality(v)).collect(),
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
        let mut key: Vec<u32> = Vec::with_capacity(parents.len() + 1);
        key.push(child as u32);
        key.extend(parents.iter().map(|&p| p as u32));
        key[1..].sort_unstable();
        if let Some(&s) = self
            .cache
            .lock()
            .expect("no panics hold the lock")
            .get(&key)
        {
            return s;
        }
        let sorted: Vec<usize> = key[1..].iter().map(|&p| p as usize).collect();
        let s = self.compute(child, &sorted);
        self.counted.fetch_add(1, Ordering::Relaxed);
        self.cache
            .lock()
            .expect("no panics hold the lock")
            .insert(key, s);
        s
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
        let q: f64 = parents.iter().map(|&p| self.cards[p] as f64).product();
        let groups = self.counts(child, parents);
        let n = self.n_rows as f64;
        let free = q * (r as f64 - 1.0);
        match self.score {
            StructureScore::LogLikelihood => log_likelihood(&groups),
            StructureScore::Bic => log_likelihood(&groups) - 0.5 * n.ln() * free,
            StructureScore::Aic => log_likelihood(&groups) - free,
            StructureScore::K2 => {
                let lg_r = ln_gamma(r as f64);
                groups
                    .iter()
                    .map(|g| {
                        let nij: u64 = g.iter().sum();
                        lg_r - ln_gamma(nij as f64 + r as f64)
                            + g.iter().map(|&c| ln_gamma(c as f64 + 1.0)).sum::<f64>()
                    })
                    .sum()
            }
            StructureScore::BDeu { ess } => {
                let alpha = ess / q;
                let beta = ess / (q * r as f64);
                let (lg_alpha, lg_beta) = (ln_gamma(alpha), ln_gamma(beta));
                groups
                    .iter()
                    .map(|g| {
                        let nij: u64 = g.iter().sum();
                        lg_alpha - ln_gamma(nij as f64 + alpha)
                            + g.iter()
                                .map(|&c| ln_gamma(c as f64 + beta) - lg_beta)
                                .sum::<f64>()
                    })
                    .sum()
            }
        }
    }

    /// The counts of each parent configuration that occurs, `r` per configuration (unseen
    /// configurations are left out; they add nothing to the sums above).
    fn counts(&self, child: usize, parents: &[usize]) -> Vec<Vec<u64>> {
        let r = self.cards[child];
        let n = self.n_rows;
        let cells: u128 = parents
            .iter()
            .chain(std::iter::once(&child))
            .map(|&p| self.cards[p] as u128)
            .try_fold(1u128, |acc, c| acc.checked_mul(c))
            .unwrap_or(u128::MAX);
        if cells > u128::from(u64::MAX) {
            return self.counts_by_hashing(child, parents);
        }
        // Mixed-radix configuration index of each row, parents first, the child last.
        let mut key = vec![0u64; n];
        for &p in parents.iter().chain(std::iter::once(&child)) {
            let card = self.cards[p] as u64;
            for (k, &x) in key.iter_mut().zip(&self.columns[p]) {
                *k = *k * card + u64::from(x);
            }
        }
        let mut groups = Vec::new();
        if cells <= (2 * n as u128).max(1 << 16) {
            // Dense table: cheaper than sorting while it is not much larger than the data.
            let mut table = vec![0u64; cells as usize];
            for &k in &key {
                table[k as usize] += 1;
            }
            for row in table.chunks_exact(r) {
                if row.iter().any(|&c| c > 0) {
                    groups.push(row.to_vec());
                }
            }
        } else {
            key.sort_unstable();
            let r64 = r as u64;
            let mut i = 0;
            while i < key.len() {
                let config = key[i] / r64;
                let mut row = vec![0u64; r];
                while i < key.len() && key[i] / r64 == config {
                    row[(key[i] % r64) as usize] += 1;
                    i += 1;
                }
                groups.push(row);
            }
        }
        groups
    }

    /// [`FamilyScorer::counts`] for families too large for a 64-bit configuration index.
    fn counts_by_hashing(&self, child: usize, parents: &[usize]) -> Vec<Vec<u64>> {
        let r = self.cards[child];
        let mut map: HashMap<Vec<u16>, Vec<u64>> = HashMap::new();
        for i in 0..self.n_rows {
            let config: Vec<u16> = parents.iter().map(|&p| self.columns[p][i]).collect();
            map.entry(config).or_insert_with(|| vec![0; r])[self.columns[child][i] as usize] += 1;
        }
        let mut groups: Vec<(Vec<u16>, Vec<u64>)> = map.into_iter().collect();
        groups.sort_unstable();
        groups.into_iter().map(|(_, g)| g).collect()
    }
}

fn log_likelihood(groups: &[Vec<u64>]) -> f64 {
    groups
        .iter()
        .map(|g| {
            let nij = g.iter().sum::<u64>() as f64;
            g.iter()
                .filter(|&&c| c > 0)
                .map(|&c| c as f64 * (c as f64 / nij).ln())
                .sum::<f64>()
        })
        .sum()
}
