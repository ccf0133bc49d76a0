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
//! use deepgm_bn::{hill_climb, FamilyScorer, HillClimbParams, StructureScore};
//! use deepgm_core::progress::NoProgress;
//! let asia = deepgm_bn::embedded::load("asia")?;
//! let sampling = deepgm_bn::SampleParams { samples: 20_000, seed: 0 };
//! let data = deepgm_bn::forward_sample(&asia, &sampling, &NoProgress)?;
//! let scorer = FamilyScorer::new(&asia, &data, StructureScore::Bic)?;
//! let learned = hill_climb(&scorer, &HillClimbParams::default(), &NoProgress)?;
//! assert!(learned.score >= scorer.dag_score(&deepgm_bn::Dag::of_network(&asia)) - 1e-6);
//! # Ok::<(), deepgm_core::Error>(())
//! ```

mod dag;
mod score;
mod search;

pub use dag::{cpdag_shd, dag_shd, Cpdag, Dag, Edge, Shd};
pub use score::{FamilyScorer, StructureScore};
pub use search::{hill_climb, HillClimbParams, HillClimbResult};

use std::path::Path;

use deepgm_core::progress::Progress;
use deepgm_core::{Error, Result};

use crate::data::{infer_variables, read_csv, read_text, Dataset};
use crate::learn::{learn_parameters, LearnParams};
use crate::network::{Cpt, Network, Variable};

/// A network of `variables` with the arcs of `dag` and uniform tables (a structure for
/// [`learn_parameters`], or the variables of a CSV with no arc when `dag` is empty).
///
/// # Errors
/// [`deepgm_core::Error::InvalidParameter`] (name `network`) as [`Network::new`], e.g. when
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
/// `params` (see [`learn_parameters`]).
///
/// # Errors
/// As [`structure_network`] and [`learn_parameters`].
pub fn fit(
    net: &Network,
    dag: &Dag,
    data: &Dataset,
    params: &LearnParams,
    progress: &dyn Progress,
) -> Result<Network> {
    let structure = structure_network(net.name(), net.variables().to_vec(), dag)?;
    learn_parameters(&structure, data, params, progress)
}

/// Complete data for structure learning from a CSV file of state names, with no network given:
/// the variables are the columns, their states the values seen (sorted), and the returned
/// network has them without arcs. Also returns notes on states seen only once (often a typing
/// slip in the data, and a family whose counts are mostly zeros).
///
/// # Errors
/// As [`infer_variables`] and [`read_csv`] (a missing value names its line and column);
/// [`Error::Format`] when the file has fewer than two columns, or, unless `keep_constant`, a
/// column with a single state (a constant variable, which nothing can be learned about; kept,
/// it stays unconnected and a note says so).
pub fn load_data(
    path: impl AsRef<Path>,
    keep_constant: bool,
) -> Result<(Network, Dataset, Vec<String>)> {
    let path = path.as_ref();
    let text = read_text(path)?;
    let variables = infer_variables(&text, path)?;
    let (net, mut notes) = learning_network(variables, keep_constant, |m| Error::format(path, m))?;
    let data = read_csv(&net, &text, path)?;
    singleton_notes(&net, &data, &mut notes);
    Ok((net, data, notes))
}

/// As [`load_data`] for `(name, state names)` columns held in memory (a binding's DataFrame):
/// the variables are the columns, their states the values seen (sorted), and the returned
/// network has them without arcs, with the notes of [`load_data`].
///
/// # Errors
/// As [`crate::variables_from_columns`] and [`crate::dataset_from_columns`];
/// [`Error::InvalidParameter`] (name `data`) for fewer than two columns or, unless
/// `keep_constant`, a column with a single value.
pub fn data_from_columns<N: AsRef<str>, S: AsRef<str>>(
    columns: &[(N, Vec<S>)],
    keep_constant: bool,
) -> Result<(Network, Dataset, Vec<String>)> {
    let variables = crate::data::variables_from_columns(columns)?;
    let (net, mut notes) =
        learning_network(variables, keep_constant, |m| Error::invalid("data", m))?;
    let data = crate::data::dataset_from_columns(&net, columns)?;
    singleton_notes(&net, &data, &mut notes);
    Ok((net, data, notes))
}

/// The arcless network of structure learning over `variables`, refusing fewer than two
/// variables and (unless `keep_constant`) constant ones with `fail`'s error, and the notes on
/// the constant ones kept.
fn learning_network(
    variables: Vec<Variable>,
    keep_constant: bool,
    fail: impl Fn(String) -> Error,
) -> Result<(Network, Vec<String>)> {
    if variables.len() < 2 {
        return Err(fail(format!(
            "{} column(s): structure learning needs at least two variables",
            variables.len()
        )));
    }
    let mut notes = Vec::new();
    for v in variables.iter().filter(|v| v.cardinality() < 2) {
        if !keep_constant {
            return Err(fail(format!(
                "column {} holds the one value \"{}\": a constant variable cannot be \
                 learned about (drop the column, or keep it unconnected with keep_constant)",
                v.name, v.states[0]
            )));
        }
        notes.push(format!(
            "column {} holds the one value \"{}\": it stays unconnected (every score gives an \
             arc to or from it a change of 0)",
            v.name, v.states[0]
        ));
    }
    let n = variables.len();
    let net = structure_network("learned", variables, &Dag::empty(n))?;
    Ok((net, notes))
}

/// Adds a note for each state seen in one row only.
fn singleton_notes(net: &Network, data: &Dataset, notes: &mut Vec<String>) {
    for v in 0..net.n_variables() {
        let Some(counts) = data.state_counts(v, net.cardinality(v)) else {
            continue;
        };
        for (state, &c) in counts.iter().enumerate() {
            if c == 1 {
                notes.push(format!(
                    "column {}: state \"{}\" occurs in one row only",
                    net.variable(v).name,
                    net.variable(v).states[state]
                ));
            }
        }
    }
}

/// Arcs named in a text file, one a line as `FROM -> TO` or `FROM,TO` (blank lines and lines
/// starting with `#` are skipped), as `(from, to)` indices of `net`'s variables.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Format`] naming the line for a line of
/// another form or an unknown variable (with the closest names).
pub fn load_arcs(net: &Network, path: impl AsRef<Path>) -> Result<Vec<(usize, usize)>> {
    let path = path.as_ref();
    let text = read_text(path)?;
    let names: Vec<&str> = net.variables().iter().map(|v| v.name.as_str()).collect();
    let mut arcs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((from, to)) = line.split_once("->").or_else(|| line.split_once(',')) else {
            return Err(Error::format_at(
                path,
                i as u64 + 1,
                None,
                format!("expected FROM -> TO or FROM,TO, found \"{line}\""),
            ));
        };
        let find = |name: &str| {
            let name = name.trim();
            net.find(name).ok_or_else(|| {
                Error::format_at(
                    path,
                    i as u64 + 1,
                    None,
                    format!(
                        "unknown variable \"{name}\"{}",
                        crate::text::did_you_mean(name, &names)
                    ),
                )
            })
        };
        arcs.push((find(from)?, find(to)?));
    }
    Ok(arcs)
}

/// `reference`'s graph over `net`'s variables, matched by name (for comparing a learned graph
/// with a known network).
///
/// # Errors
/// [`Error::InvalidParameter`] (name `reference`) when a variable of either is missing from the
/// other.
pub fn dag_by_names(net: &Network, reference: &Network) -> Result<Dag> {
    let index: Vec<usize> = (0..reference.n_variables())
        .map(|v| {
            let name = &reference.variable(v).name;
            net.find(name).ok_or_else(|| {
                Error::invalid(
                    "reference",
                    format!("the data has no column for the network's variable {name}"),
                )
            })
        })
        .collect::<Result<_>>()?;
    if reference.n_variables() != net.n_variables() {
        let extra: Vec<&str> = net
            .variables()
            .iter()
            .map(|v| v.name.as_str())
            .filter(|name| reference.find(name).is_none())
            .collect();
        return Err(Error::invalid(
            "reference",
            format!(
                "the network has no variable for column(s) {}",
                extra.join(", ")
            ),
        ));
    }
    let arcs: Vec<(usize, usize)> = (0..reference.n_variables())
        .flat_map(|v| reference.parents(v).iter().map(move |&p| (p, v)))
        .map(|(p, v)| (index[p], index[v]))
        .collect();
    Dag::from_arcs(net.n_variables(), &arcs)
}
