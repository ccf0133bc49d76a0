//! A network's summary: sizes, in-degree, and a treewidth bound from an elimination ordering of
//! its moral graph.

use serde::Serialize;

use crate::network::Network;
use crate::order::{Heuristic, InteractionGraph};

/// What [`summarize`] reports about a network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The network's name.
    pub network: String,
    /// Number of variables.
    pub n_variables: usize,
    /// Number of arcs.
    pub n_arcs: usize,
    /// Number of free parameters (per table row, states minus 1).
    pub n_parameters: usize,
    /// Number of states, summed over the variables.
    pub n_states: usize,
    /// The most parents of a variable.
    pub max_in_degree: usize,
    /// The induced width of the best greedy elimination ordering of the moral graph (an upper
    /// bound on the treewidth).
    pub treewidth_bound: usize,
    /// The greedy rule that gave that ordering.
    pub ordering: Heuristic,
    /// Entries of the largest table that ordering builds.
    pub largest_clique_entries: f64,
    /// Entries of all the tables that ordering builds.
    pub elimination_entries: f64,
    /// Each variable, in the network's order.
    pub variables: Vec<VariableSummary>,
}

/// One variable of a [`Summary`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariableSummary {
    /// The variable's name.
    pub name: String,
    /// Its states.
    pub states: Vec<String>,
    /// Its parents' names, in its table's order.
    pub parents: Vec<String>,
}

/// The summary of `net`. Planning the ordering costs about `n^2` steps for `n` variables.
///
/// ```
/// let net = deepgm_bn::embedded::load("asia").unwrap();
/// let summary = deepgm_bn::summarize(&net);
/// assert_eq!((summary.n_variables, summary.n_arcs, summary.treewidth_bound), (8, 8, 2));
/// assert_eq!(summary.variables[7].parents, ["bronc", "either"]);
/// ```
pub fn summarize(net: &Network) -> Summary {
    // The moral graph: each family (a variable and its parents) is a clique.
    let scopes: Vec<Vec<usize>> = (0..net.n_variables())
        .map(|v| {
            let mut s = net.parents(v).to_vec();
            s.push(v);
            s.sort_unstable();
            s
        })
        .collect();
    let vars: Vec<usize> = (0..net.n_variables()).collect();
    let cards = vars.iter().map(|&v| net.cardinality(v)).collect();
    let graph = InteractionGraph::from_scopes(vars, cards, scopes.iter().map(Vec::as_slice));
    let plan = graph.best_plan(&[]);
    let name = |p: &usize| net.variable(*p).name.clone();
    Summary {
        network: net.name().to_string(),
        n_variables: net.n_variables(),
        n_arcs: net.n_arcs(),
        n_parameters: net.n_parameters(),
        n_states: net.variables().iter().map(|v| v.cardinality()).sum(),
        max_in_degree: net.max_in_degree(),
        treewidth_bound: plan.induced_width,
        ordering: plan.heuristic,
        largest_clique_entries: plan.largest_entries,
        elimination_entries: plan.total_entries,
        variables: net
            .variables()
            .iter()
            .enumerate()
            .map(|(i, v)| VariableSummary {
                name: v.name.clone(),
                states: v.states.clone(),
                parents: net.parents(i).iter().map(name).collect(),
            })
            .collect(),
    }
}
