//! Markov networks (undirected discrete models, factor graphs): [`MarkovNetwork`] holds named
//! variables and non-negative [`Potential`]s, its distribution being
//! `p(x) = prod_k phi_k(x_k) / Z`. [`Model`] is whatever a model file holds: a Bayesian
//! [`Network`] or a [`MarkovNetwork`].
//!
//! Exact inference on a Markov network ([`query_markov`], [`log_partition`], [`map_markov`])
//! lives in [`inference`](self::inference) and reuses the crate's factor, ordering, elimination
//! and junction-tree code.

mod inference;

use std::collections::HashMap;

use serde::Serialize;

use deepgm_core::{Error, Result};

use crate::network::{Network, Variable};
use crate::order::{Heuristic, InteractionGraph};
use crate::variables::Variables;

pub use inference::{log_partition, map_markov, query_markov, MapAssignment};

/// One factor (potential) of a [`MarkovNetwork`]: a non-negative table over its scope.
///
/// # Layout
/// `values` is in C order over `scope` as given: the FIRST variable of the scope varies slowest
/// and the LAST fastest (the UAI format's order), so for scope `[a, b, c]`
///
/// ```text
/// index = (x_a * card(b) + x_b) * card(c) + x_c
/// ```
///
/// A potential with an empty scope is a constant (one value). [`MarkovNetwork::new`] checks the
/// scope (in range, no repeats), the size and the values (finite, at least 0).
#[doc(alias = "factor")]
#[derive(Debug, Clone, PartialEq)]
pub struct Potential {
    /// The variables, in table order (first = slowest). Any order; no variable twice.
    pub scope: Vec<usize>,
    /// The table: one value per joint state of the scope, `prod card(scope)` of them.
    pub values: Vec<f64>,
}

impl Potential {
    /// A potential over `scope` with the given table (see the layout above).
    pub fn new(scope: Vec<usize>, values: Vec<f64>) -> Self {
        Potential { scope, values }
    }

    /// The index into `values` of the full assignment `assignment` (one state per variable of
    /// the model; only the scope's are read), given the model's cardinalities `cards`.
    ///
    /// # Panics
    /// When a scope variable is outside `assignment` or `cards`.
    fn index(&self, assignment: &[usize], cards: &[usize]) -> usize {
        self.scope
            .iter()
            .fold(0, |index, &v| index * cards[v] + assignment[v])
    }
}

/// A validated Markov network: named discrete variables and non-negative potentials.
///
/// The unnormalized measure of a full assignment `x` is `prod_k phi_k(x_k)`; the distribution
/// is that divided by the partition function `Z = sum_x prod_k phi_k(x_k)`. A [`Network`]
/// converts into one ([`MarkovNetwork::from_network`]: each table is a potential, and `Z = 1`).
/// Read from and written to UAI `MARKOV` files ([`crate::io::uai`]).
///
/// ```
/// use deepgm_bn::{MarkovNetwork, Potential, Variable};
/// // Two binary variables that prefer to agree.
/// let variables = vec![Variable::new("a", ["0", "1"]), Variable::new("b", ["0", "1"])];
/// let agree = Potential::new(vec![0, 1], vec![2.0, 1.0, 1.0, 2.0]);
/// let net = MarkovNetwork::new("pair", variables, vec![agree]).unwrap();
/// assert_eq!(net.log_value(&[1, 1]), 2f64.ln());
/// let z = deepgm_bn::log_partition(&net, &deepgm_bn::Evidence::none(), &Default::default());
/// assert!((z.unwrap() - 6f64.ln()).abs() < 1e-12);
/// ```
#[derive(Debug, Clone)]
pub struct MarkovNetwork {
    name: String,
    variables: Vec<Variable>,
    potentials: Vec<Potential>,
    index: HashMap<String, usize>,
}

impl PartialEq for MarkovNetwork {
    /// Markov networks are equal when their names, variables and potentials are equal.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.variables == other.variables
            && self.potentials == other.potentials
    }
}

impl MarkovNetwork {
    /// Validates and builds a Markov network.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (name `network`) with a message naming the variable or the
    /// potential at fault, when:
    /// - a variable name or a state name is empty or starts or ends with whitespace, two
    ///   variables share a name, a variable has no state or two equal states;
    /// - a potential's scope has a variable out of range or the same variable twice;
    /// - a potential's table does not have `prod card(scope)` values (or that product does not
    ///   fit in memory);
    /// - a value is negative, infinite or NaN.
    pub fn new(
        name: impl Into<String>,
        variables: Vec<Variable>,
        potentials: Vec<Potential>,
    ) -> Result<Self> {
        let index = crate::validate::check_variables(&variables)
            .map_err(|e| Error::invalid("network", e.message))?;
        let n = variables.len();
        let mut seen = vec![usize::MAX; n];
        for (k, p) in potentials.iter().enumerate() {
            let mut entries = 1usize;
            for &v in &p.scope {
                if v >= n {
                    return Err(Error::invalid(
                        "network",
                        format!("potential {k} has variable index {v}, but there are only {n} variables"),
                    ));
                }
                if std::mem::replace(&mut seen[v], k) == k {
                    return Err(Error::invalid(
                        "network",
                        format!("potential {k} lists variable '{}' twice", variables[v].name),
                    ));
                }
                entries = entries
                    .checked_mul(variables[v].cardinality())
                    .ok_or_else(|| {
                        Error::invalid(
                            "network",
                            format!("potential {k} would have more entries than fit in memory"),
                        )
                    })?;
            }
            if p.values.len() != entries {
                return Err(Error::invalid(
                    "network",
                    format!(
                        "potential {k} has {} values, expected {entries} (the product of its \
                         scope's cardinalities)",
                        p.values.len()
                    ),
                ));
            }
            if let Some(bad) = p.values.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                return Err(Error::invalid(
                    "network",
                    format!("potential {k} has the value {bad}: expected a finite number >= 0"),
                ));
            }
        }
        Ok(MarkovNetwork {
            name: name.into(),
            variables,
            potentials,
            index,
        })
    }

    /// The Markov network of a Bayesian network: one potential per variable, its table over
    /// `(parents..., child)` in table order (the [`Cpt`](crate::Cpt) layout is that C order),
    /// values as given. Its partition function is 1 (up to the rows' own rounding) and its
    /// `Z(e)` is `P(e)`. The name and variables are kept; network-level properties are not.
    pub fn from_network(net: &Network) -> Self {
        let potentials = net
            .cpts()
            .iter()
            .map(|cpt| {
                let mut scope = cpt.parents.clone();
                scope.push(cpt.child);
                Potential::new(scope, cpt.values.clone())
            })
            .collect();
        let index = (0..net.n_variables())
            .map(|v| (net.variable(v).name.clone(), v))
            .collect();
        MarkovNetwork {
            name: net.name().to_string(),
            variables: net.variables().to_vec(),
            potentials,
            index,
        }
    }

    /// The same network renamed.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The network's name (`unknown` for a UAI file, which has none).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of variables.
    pub fn n_variables(&self) -> usize {
        self.variables.len()
    }

    /// All variables, by index.
    pub fn variables(&self) -> &[Variable] {
        &self.variables
    }

    /// Variable `i`.
    ///
    /// # Panics
    /// If `i >= n_variables()`.
    pub fn variable(&self, i: usize) -> &Variable {
        &self.variables[i]
    }

    /// The number of states of variable `i`.
    ///
    /// # Panics
    /// If `i >= n_variables()`.
    pub fn cardinality(&self, i: usize) -> usize {
        self.variables[i].cardinality()
    }

    /// The index of the variable called `name`, if any.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The potentials (factors), in the order given.
    pub fn potentials(&self) -> &[Potential] {
        &self.potentials
    }

    /// Total number of table entries over all potentials.
    pub fn table_entries(&self) -> usize {
        self.potentials.iter().map(|p| p.values.len()).sum()
    }

    /// The cardinality of every variable, by index.
    pub(crate) fn cards(&self) -> Vec<usize> {
        self.variables.iter().map(Variable::cardinality).collect()
    }

    /// The value of potential `k` at the full assignment `assignment` (one state per variable).
    ///
    /// # Panics
    /// When `k` is out of range, or the assignment is shorter than the network or has a state
    /// out of range.
    pub fn potential_value(&self, k: usize, assignment: &[usize]) -> f64 {
        let cards = self.cards();
        self.check_assignment(assignment, &cards);
        let p = &self.potentials[k];
        p.values[p.index(assignment, &cards)]
    }

    /// Natural log of the unnormalized measure `prod_k phi_k(x_k)` of a full assignment (one
    /// state per variable): `-inf` when a potential is 0 there. For a network converted from a
    /// Bayesian network this is `ln P(x)`.
    ///
    /// # Panics
    /// When the assignment is shorter than the network or has a state out of range.
    pub fn log_value(&self, assignment: &[usize]) -> f64 {
        let cards = self.cards();
        self.check_assignment(assignment, &cards);
        self.potentials
            .iter()
            .map(|p| p.values[p.index(assignment, &cards)].ln())
            .sum()
    }

    fn check_assignment(&self, assignment: &[usize], cards: &[usize]) {
        assert!(
            assignment.len() >= cards.len(),
            "one state per variable: {} given for {} variables",
            assignment.len(),
            cards.len()
        );
        for (v, (&s, &c)) in assignment.iter().zip(cards).enumerate() {
            assert!(
                s < c,
                "state {s} of variable {v} is out of range (it has {c})"
            );
        }
    }

    /// Takes the network apart into its name, variables and potentials.
    pub fn into_parts(self) -> (String, Vec<Variable>, Vec<Potential>) {
        (self.name, self.variables, self.potentials)
    }
}

impl Variables for MarkovNetwork {
    fn variables(&self) -> &[Variable] {
        &self.variables
    }

    fn find(&self, name: &str) -> Option<usize> {
        MarkovNetwork::find(self, name)
    }
}

impl From<&Network> for MarkovNetwork {
    fn from(net: &Network) -> Self {
        MarkovNetwork::from_network(net)
    }
}

/// Whatever a model file holds: a Bayesian network (BIF, XMLBIF, UAI `BAYES`) or a Markov
/// network (UAI `MARKOV`). Read by [`crate::io::load_model`].
#[derive(Debug, Clone, PartialEq)]
pub enum Model {
    /// A directed model: tables that are conditional distributions, an acyclic graph.
    Bayesian(Network),
    /// An undirected model: non-negative potentials.
    Markov(MarkovNetwork),
}

impl Model {
    /// `"bayesian"` or `"markov"`, as reports name the kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Model::Bayesian(_) => "bayesian",
            Model::Markov(_) => "markov",
        }
    }

    /// The model's name.
    pub fn name(&self) -> &str {
        match self {
            Model::Bayesian(net) => net.name(),
            Model::Markov(net) => net.name(),
        }
    }

    /// The Bayesian network, if the model is one.
    pub fn as_network(&self) -> Option<&Network> {
        match self {
            Model::Bayesian(net) => Some(net),
            Model::Markov(_) => None,
        }
    }

    /// The model as a Markov network: a Bayesian network is converted
    /// ([`MarkovNetwork::from_network`]).
    pub fn to_markov(&self) -> MarkovNetwork {
        match self {
            Model::Bayesian(net) => MarkovNetwork::from_network(net),
            Model::Markov(net) => net.clone(),
        }
    }

    /// The Bayesian network, or an error when the model is a Markov network; `source` names the
    /// model's file in the error.
    ///
    /// # Errors
    /// [`Error::Format`] on `source` saying that the file holds a Markov network and that
    /// [`crate::io::load_model`] reads it.
    pub fn into_network(self, source: impl AsRef<std::path::Path>) -> Result<Network> {
        match self {
            Model::Bayesian(net) => Ok(net),
            Model::Markov(_) => Err(not_bayesian(source.as_ref())),
        }
    }
}

/// The error for a Markov network where a Bayesian network is needed.
pub(crate) fn not_bayesian(source: &std::path::Path) -> Error {
    Error::format(
        source,
        "the file holds a Markov network (UAI MARKOV), not a Bayesian network: this needs a \
         Bayesian network (query, mpe, info and convert take either; in the library, \
         deepgm_bn::io::load_model reads either)",
    )
}

impl Variables for Model {
    fn variables(&self) -> &[Variable] {
        match self {
            Model::Bayesian(net) => net.variables(),
            Model::Markov(net) => net.variables(),
        }
    }

    fn find(&self, name: &str) -> Option<usize> {
        match self {
            Model::Bayesian(net) => net.find(name),
            Model::Markov(net) => net.find(name),
        }
    }
}

impl From<Network> for Model {
    fn from(net: Network) -> Self {
        Model::Bayesian(net)
    }
}

impl From<MarkovNetwork> for Model {
    fn from(net: MarkovNetwork) -> Self {
        Model::Markov(net)
    }
}

/// What [`summarize_markov`] reports about a Markov network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarkovSummary {
    /// The network's name.
    pub network: String,
    /// Number of variables.
    pub n_variables: usize,
    /// Number of potentials (factors).
    pub n_potentials: usize,
    /// Number of states, summed over the variables.
    pub n_states: usize,
    /// Table entries, summed over the potentials.
    pub n_table_entries: usize,
    /// The most variables in one potential's scope.
    pub max_scope: usize,
    /// Number of connected components of the interaction graph (variables in no potential
    /// count as one each).
    pub n_components: usize,
    /// The induced width of the best greedy elimination ordering of the interaction graph (an
    /// upper bound on the treewidth).
    pub treewidth_bound: usize,
    /// The greedy rule that gave that ordering.
    pub ordering: Heuristic,
    /// Entries of the largest table that ordering builds.
    pub largest_clique_entries: f64,
    /// Entries of all the tables that ordering builds.
    pub elimination_entries: f64,
}

/// The summary of a Markov network: sizes and a treewidth bound of its interaction graph (an
/// edge between every two variables that share a potential). Planning the ordering costs about
/// `n^2` steps for `n` variables.
///
/// ```
/// use deepgm_bn::{summarize_markov, MarkovNetwork};
/// let net = MarkovNetwork::from_network(&deepgm_bn::embedded::load("asia").unwrap());
/// let summary = summarize_markov(&net);
/// assert_eq!((summary.n_variables, summary.n_potentials, summary.treewidth_bound), (8, 8, 2));
/// ```
pub fn summarize_markov(net: &MarkovNetwork) -> MarkovSummary {
    let vars: Vec<usize> = (0..net.n_variables()).collect();
    let graph = InteractionGraph::from_scopes(
        vars,
        net.cards(),
        net.potentials().iter().map(|p| p.scope.as_slice()),
    );
    let plan = graph.best_plan(&[]);
    MarkovSummary {
        network: net.name().to_string(),
        n_variables: net.n_variables(),
        n_potentials: net.potentials().len(),
        n_states: net.variables().iter().map(Variable::cardinality).sum(),
        n_table_entries: net.table_entries(),
        max_scope: net
            .potentials()
            .iter()
            .map(|p| p.scope.len())
            .max()
            .unwrap_or(0),
        n_components: graph.components().len(),
        treewidth_bound: plan.induced_width,
        ordering: plan.heuristic,
        largest_clique_entries: plan.largest_entries,
        elimination_entries: plan.total_entries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binary(n: usize) -> Vec<Variable> {
        (0..n)
            .map(|i| Variable::new(i.to_string(), ["0", "1"]))
            .collect()
    }

    #[test]
    fn validation_names_the_potential() {
        let bad = |potentials: Vec<Potential>| {
            MarkovNetwork::new("m", binary(2), potentials)
                .unwrap_err()
                .to_string()
        };
        assert!(bad(vec![Potential::new(vec![2], vec![1.0, 1.0])]).contains("index 2"));
        assert!(bad(vec![Potential::new(vec![1, 1], vec![1.0; 4])]).contains("twice"));
        assert!(bad(vec![Potential::new(vec![0], vec![1.0])]).contains("expected 2"));
        assert!(bad(vec![Potential::new(vec![0], vec![1.0, -1.0])]).contains("-1"));
        assert!(bad(vec![Potential::new(vec![0], vec![f64::NAN, 1.0])]).contains("NaN"));
        let ok = MarkovNetwork::new(
            "m",
            binary(2),
            vec![
                Potential::new(vec![1, 0], vec![1.0, 2.0, 3.0, 4.0]),
                Potential::new(vec![], vec![0.5]),
            ],
        )
        .unwrap();
        // Scope (1, 0): index = x1 * 2 + x0.
        assert_eq!(ok.potential_value(0, &[1, 0]), 2.0);
        assert_eq!(ok.potential_value(0, &[0, 1]), 3.0);
        assert_eq!(ok.log_value(&[1, 1]), (4.0f64 * 0.5).ln());
        assert_eq!(ok.table_entries(), 5);
    }

    #[test]
    fn a_bayesian_network_converts_with_its_tables() {
        let net = crate::embedded::load("asia").unwrap();
        let markov = MarkovNetwork::from_network(&net);
        let model = Model::from(net.clone());
        assert_eq!(model.to_markov(), markov);
        assert_eq!(markov.find("dysp"), net.find("dysp"));
        let x: Vec<usize> = (0..net.n_variables()).map(|v| v % 2).collect();
        assert!((markov.log_value(&x) - crate::log_joint(&net, &x)).abs() < 1e-12);
        assert!(Model::Markov(markov).into_network("m.uai").is_err());
    }
}
