//! Structure learning: the DAG of a Bayesian network learned from complete discrete data by
//! score-based search, and the helpers to judge it.
//!
//! - [`StructureScore`] and [`FamilyScorer`]: decomposable scores (log-likelihood, BIC, AIC,
//!   K2, BDeu) from counts, each family counted once;
//! - [`hill_climb`] with [`HillClimbParams`]: greedy search with a tabu list, random restarts,
//!   an in-degree limit, a start graph and white and black lists of arcs;
//! - [`Dag`], [`dag_shd`] and [`cpdag_shd`]: graphs and their structural Hamming distance, on
//!   DAGs and on the equivalence classes (CPDAGs) they stand for;
//! - [`fit`]: the learned graph's tables, by [`crate::learn_parameters`].
//!
//! ```
//! use deepgm_bn::structure::{hill_climb, FamilyScorer, HillClimbParams, StructureScore};
//! use deepgm_core::progress::NoProgress;
//! let asia = deepgm_bn::embedded::load("asia")?;
//! let data = deepgm_bn::forward_sample(&asia, 20_000, 0)?;
//! let scorer = FamilyScorer::new(&asia, &data, StructureScore::Bic)?;
//! let learned = hill_climb(&scorer, &HillClimbParams::default(), &NoProgress)?;
//! assert!(learned.score >= scorer.dag_score(&deepgm_bn::structure::Dag::of_network(&asia)) - 1e-6);
//! # Ok::<(), deepgm_core::Error>(())
//! ```

mod dag;
mod score;
mod search;

pub use dag::{cpdag_shd, dag_shd, Cpdag, Dag, Edge, Shd};
pub use score::{FamilyScorer, StructureScore};
pub use search::{hill_climb, HillClimbParams, HillClimbResult};

use deepgm_core::Result;

use crate::data::Dataset;
use crate::learn::{learn_parameters, Prior};
use crate::network::{Cpt, Network, Variable};

/// A network of `variables` with the arcs of `dag` and uniform tables (a structure for
/// [`learn_parameters`], or the variables of a CSV with no arc when `dag` is empty).
///
/// # Errors
/// [`deepgm_core::Error::InvalidArgument`] (name `network`) as [`Network::new`], e.g. when
/// `dag` and `variables` differ in size.
pub fn structure_network(name: &str, variables: Vec<Variable>, dag: &Dag) -> Result<Network> {
    let cpts: Vec<Cpt> = (0..variables.len())
        .map(|v| {
            let parents = if v < dag.n_variables() {
                dag.parents(v).to_vec()
            } else {
                Vec::new()
            };
            let r = variables[v].cardinality().max(1);
            let rows: usize = parents
                .iter()
                .map(|&p| variables.get(p).map_or(1, Variable::cardinality))
                .product();
            Cpt::new(v, parents, vec![1.0 / r as f64; rows * r], &variables)
        })
        .collect();
    Network::new(name, variables, cpts)
}

/// The network with `net`'s variables, the arcs of `dag` and tables estimated from `data` with
/// `prior`.
///
/// # Errors
/// As [`structure_network`] and [`learn_parameters`].
pub fn fit(net: &Network, dag: &Dag, data: &Dataset, prior: Prior) -> Result<Network> {
    let structure = structure_network(net.name(), net.variables().to_vec(), dag)?;
    learn_parameters(&structure, data, prior)
}
