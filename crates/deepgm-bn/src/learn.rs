//! Parameter learning: the tables of a network of known structure, estimated from complete
//! data.
//!
//! For variable `i` with `r_i` states and `q_i` parent configurations, let `N_ijk` be the
//! number of rows with parents in configuration `j` and the variable in state `k`, and
//! `N_ij = sum_k N_ijk`. Then
//!
//! - [`Prior::MaximumLikelihood`]: `p_ijk = N_ijk / N_ij`; a configuration never seen
//!   (`N_ij = 0`) has no estimate and gets the uniform row `1 / r_i`;
//! - [`Prior::BDeu`] with equivalent sample size `ess`: the posterior mean under a Dirichlet
//!   prior with `ess / (q_i r_i)` pseudo-counts per cell,
//!   `p_ijk = (N_ijk + ess / (q_i r_i)) / (N_ij + ess / q_i)`, which is the uniform row for an
//!   unseen configuration too.

use deepgm_core::params::Params;
use deepgm_core::progress::Progress;
use deepgm_core::{Error, Result};
use serde::Serialize;

use crate::data::Dataset;
use crate::network::{Cpt, Network};

/// How table entries are estimated from counts (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Prior {
    /// Relative frequencies; the uniform row for unseen parent configurations.
    #[serde(rename = "mle")]
    MaximumLikelihood,
    /// The posterior mean under the BDeu Dirichlet prior.
    #[serde(rename = "bdeu")]
    BDeu {
        /// The equivalent sample size (total pseudo-count per variable), finite and `> 0`.
        ess: f64,
    },
}

/// Parameters of [`learn_parameters`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LearnParams {
    /// How entries are estimated; default [`Prior::MaximumLikelihood`].
    pub prior: Prior,
}

impl Default for LearnParams {
    fn default() -> Self {
        LearnParams {
            prior: Prior::MaximumLikelihood,
        }
    }
}

impl Params for LearnParams {
    /// A BDeu `ess` must be finite and `> 0` (error name `ess`).
    fn check(&self) -> Result<()> {
        if let Prior::BDeu { ess } = self.prior {
            if !(ess.is_finite() && ess > 0.0) {
                return Err(Error::invalid(
                    "ess",
                    format!("the equivalent sample size must be finite and > 0, found {ess}"),
                ));
            }
        }
        Ok(())
    }
}

/// The counts `N_ijk` of every table of `structure` in `data`: for each variable, a vector in
/// the [`Cpt`] layout (one row of `card` counts per parent configuration, first parent
/// slowest).
///
/// # Errors
/// [`Error::InvalidParameter`] (name `dataset`) when the dataset lacks a column for some
/// variable of `structure` (the message names them), has a column whose variable index is out
/// of range, or holds a state index out of range (a dataset built for another network).
pub fn counts(structure: &Network, data: &Dataset) -> Result<Vec<Vec<u64>>> {
    let n = structure.n_variables();
    let mut column = vec![usize::MAX; n];
    for (col, &v) in data.vars().iter().enumerate() {
        if v >= n {
            return Err(Error::invalid(
                "dataset",
                format!(
                    "column {} is variable index {v}, out of range for a network of {n} variables",
                    col + 1
                ),
            ));
        }
        column[v] = col;
    }
    let missing: Vec<&str> = (0..n)
        .filter(|&v| column[v] == usize::MAX)
        .map(|v| structure.variable(v).name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(Error::invalid(
            "dataset",
            format!(
                "no column for variable(s) {}: learning needs complete data over every variable",
                missing.join(", ")
            ),
        ));
    }
    for (col, &v) in data.vars().iter().enumerate() {
        let card = structure.cardinality(v);
        if let Some(bad) = data
            .rows()
            .map(|r| r[col])
            .find(|&x| usize::from(x) >= card)
        {
            return Err(Error::invalid(
                "dataset",
                format!(
                    "column {} ({}) holds state index {bad}, but the variable has {card} states",
                    col + 1,
                    structure.variable(v).name
                ),
            ));
        }
    }
    // Per variable: its own column, and (column, stride) of each parent.
    let plans: Vec<(usize, Vec<(usize, usize)>)> = (0..n)
        .map(|v| {
            let cpt = structure.cpt(v);
            let mut stride = 1;
            let mut parents = Vec::with_capacity(cpt.parents.len());
            for (&p, &c) in cpt.parents.iter().zip(&cpt.parent_cards).rev() {
                parents.push((column[p], stride));
                stride *= c;
            }
            (column[v], parents)
        })
        .collect();
    let mut out: Vec<Vec<u64>> = structure
        .cpts()
        .iter()
        .map(|c| vec![0u64; c.values.len()])
        .collect();
    for row in data.rows() {
        for (v, (col, parents)) in plans.iter().enumerate() {
            let cfg: usize = parents
                .iter()
                .map(|&(pc, stride)| usize::from(row[pc]) * stride)
                .sum();
            out[v][cfg * structure.cardinality(v) + usize::from(row[*col])] += 1;
        }
    }
    Ok(out)
}

/// A network with the variables, parents and names of `structure` (its tables are ignored)
/// and tables estimated from the complete data `data` under `params.prior` (see the module
/// documentation for the formulas; an unseen parent configuration gets the uniform row).
/// `progress` hears when the tables are done (one pass over the data).
///
/// # Errors
/// [`Error::InvalidParameter`] (name `ess`) when a BDeu `ess` is not finite and `> 0`;
/// everything [`counts`] rejects.
///
/// ```
/// use deepgm_bn::{learn_parameters, LearnParams, Prior};
/// use deepgm_bn::{forward_sample, SampleParams};
/// use deepgm_core::progress::NoProgress;
/// let net = deepgm_bn::embedded::load("asia").unwrap();
/// let data = forward_sample(&net, &SampleParams { samples: 2000, seed: 1 }, &NoProgress).unwrap();
/// let params = LearnParams { prior: Prior::BDeu { ess: 1.0 } };
/// let learned = learn_parameters(&net, &data, &params, &NoProgress).unwrap();
/// assert_eq!(learned.n_parameters(), net.n_parameters());
/// ```
pub fn learn_parameters(
    structure: &Network,
    data: &Dataset,
    params: &LearnParams,
    progress: &dyn Progress,
) -> Result<Network> {
    params.check()?;
    let prior = params.prior;
    progress.start(1, "parameter learning");
    let counts = counts(structure, data)?;
    let cpts: Vec<Cpt> = structure
        .cpts()
        .iter()
        .zip(counts)
        .map(|(cpt, counts)| {
            let r = cpt.child_card;
            let q = cpt.n_rows();
            let alpha = match prior {
                Prior::MaximumLikelihood => 0.0,
                Prior::BDeu { ess } => ess / (q as f64 * r as f64),
            };
            let mut values = Vec::with_capacity(counts.len());
            for row in counts.chunks_exact(r.max(1)) {
                let total = row.iter().sum::<u64>() as f64 + alpha * r as f64;
                if total > 0.0 {
                    values.extend(row.iter().map(|&c| (c as f64 + alpha) / total));
                } else {
                    values.extend(std::iter::repeat_n(1.0 / r as f64, r));
                }
            }
            Cpt {
                values,
                ..cpt.clone()
            }
        })
        .collect();
    let variables = structure.variables().to_vec();
    progress.advance(1);
    Ok(Network::new(structure.name(), variables, cpts)?
        .with_properties(structure.properties().to_vec()))
}
