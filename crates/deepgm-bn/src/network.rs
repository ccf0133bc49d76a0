//! The model: discrete [`Variable`]s, conditional probability tables ([`Cpt`]) and the validated
//! [`Network`] that owns them, plus a [`NetworkBuilder`] that resolves names.

use std::collections::HashMap;

use deepgm_core::{Error, Result};

use crate::validate;

/// A discrete random variable with named states.
///
/// Names and states are compared exactly (case-sensitive). [`Network::new`] requires the name and
/// every state to be non-empty without leading or trailing whitespace, and the states of one
/// variable to be distinct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// The variable's name, unique within a network.
    pub name: String,
    /// The state names, in the order used by every table (state `k` is index `k`).
    pub states: Vec<String>,
    /// Free-form `property` texts from the file (BIF `property ...;` lines, XMLBIF `<PROPERTY>`
    /// elements), kept in order so that a read-then-write keeps them.
    pub properties: Vec<String>,
}

impl Variable {
    /// A variable with the given name and states and no properties.
    pub fn new<S: Into<String>>(
        name: impl Into<String>,
        states: impl IntoIterator<Item = S>,
    ) -> Self {
        Variable {
            name: name.into(),
            states: states.into_iter().map(Into::into).collect(),
            properties: Vec::new(),
        }
    }

    /// The number of states.
    pub fn cardinality(&self) -> usize {
        self.states.len()
    }

    /// The index of the state named `state`, if there is one (a linear search).
    pub fn state_index(&self, state: &str) -> Option<usize> {
        self.states.iter().position(|s| s == state)
    }
}

/// The conditional probability table `p(child | parents)` of one variable, stored densely.
///
/// # Layout
/// `values` is row-major: one row per parent configuration, each row holding `child_card`
/// probabilities (one per child state). Parent configurations are enumerated with the FIRST
/// parent varying slowest and the LAST parent fastest (the order of the parents in BIF's
/// `probability ( X | A, B )`), so
///
/// ```text
/// index = ((a * card(B) + b) * ...) * child_card + x
/// ```
///
/// for parent states `a, b, ...` and child state `x`. Seen as an array over
/// `(parents..., child)`, this is the C-order (last axis fastest) layout with the child last. A
/// root variable has one row (`n_rows() == 1`).
///
/// `child_card` and `parent_cards` repeat the cardinalities of the variables involved, so that
/// the table can be indexed on its own; [`Cpt::new`] fills them in from the variables and
/// [`Network::new`] checks them.
#[derive(Debug, Clone, PartialEq)]
pub struct Cpt {
    /// Index of the variable this table is for.
    pub child: usize,
    /// Indices of the parents, in table order (first = slowest).
    pub parents: Vec<usize>,
    /// The probabilities, `n_rows() * child_card` of them (see the layout above).
    pub values: Vec<f64>,
    /// Number of states of the child (the row length).
    pub child_card: usize,
    /// Number of states of each parent, aligned with `parents`.
    pub parent_cards: Vec<usize>,
}

impl Cpt {
    /// A table for `child` given `parents`, with the cardinalities taken from `variables`
    /// (indices that are out of range get cardinality 0; [`Network::new`] then reports them).
    pub fn new(
        child: usize,
        parents: Vec<usize>,
        values: Vec<f64>,
        variables: &[Variable],
    ) -> Self {
        let card = |i: usize| variables.get(i).map_or(0, Variable::cardinality);
        Cpt {
            child,
            child_card: card(child),
            parent_cards: parents.iter().map(|&p| card(p)).collect(),
            parents,
            values,
        }
    }

    /// The number of parent configurations (rows): the product of the parent cardinalities, 1
    /// for a root. Saturates at `usize::MAX` (such a table cannot exist in memory).
    pub fn n_rows(&self) -> usize {
        self.parent_cards
            .iter()
            .try_fold(1usize, |acc, &c| acc.checked_mul(c))
            .unwrap_or(usize::MAX)
    }

    /// The probabilities of the child's states for parent configuration `config`
    /// (`0..n_rows()`), a slice of length `child_card`.
    ///
    /// # Panics
    /// If `config` is out of range.
    pub fn row(&self, config: usize) -> &[f64] {
        let start = config * self.child_card;
        &self.values[start..start + self.child_card]
    }

    /// The configuration (row) index of the parent states `parent_states` (aligned with
    /// `parents`), or `None` if the length differs from the number of parents or a state is out
    /// of range.
    pub fn config_index(&self, parent_states: &[usize]) -> Option<usize> {
        if parent_states.len() != self.parent_cards.len() {
            return None;
        }
        let mut index = 0usize;
        for (&state, &card) in parent_states.iter().zip(&self.parent_cards) {
            if state >= card {
                return None;
            }
            index = index * card + state;
        }
        Some(index)
    }

    /// The parent states of configuration `config`, the inverse of [`Cpt::config_index`]
    /// (`None` if `config >= n_rows()`).
    pub fn config_states(&self, config: usize) -> Option<Vec<usize>> {
        if config >= self.n_rows() {
            return None;
        }
        let mut states = vec![0; self.parent_cards.len()];
        let mut rest = config;
        for (slot, &card) in states.iter_mut().zip(&self.parent_cards).rev() {
            *slot = rest % card;
            rest /= card;
        }
        Some(states)
    }

    /// `p(child = child_state | parents = parent_states)`, or `None` for out-of-range states.
    pub fn probability(&self, parent_states: &[usize], child_state: usize) -> Option<f64> {
        if child_state >= self.child_card {
            return None;
        }
        let config = self.config_index(parent_states)?;
        self.values
            .get(config * self.child_card + child_state)
            .copied()
    }
}

/// A validated discrete Bayesian network: variables, one table per variable, and an acyclic
/// graph (arcs from each parent to its child).
///
/// Built only through [`Network::new`] (or [`NetworkBuilder`], or the readers), which checks every
/// invariant listed there, so code holding a `Network` can rely on them: `cpts()[i].child == i`,
/// table sizes match, rows are probability distributions, the graph is a DAG.
///
/// # Rows are kept as given
/// A row must sum to 1 within [`crate::ROW_SUM_TOLERANCE`] (1e-6) but is stored exactly as
/// given, never renormalized: several bnlearn files have rows that sum to 1 only within about
/// 3e-7, and the reference tools (pgmpy, pyAgrum) keep them as given too, so exact results stay
/// comparable with theirs and a read-then-write round trip is bit-exact. As a consequence the
/// joint of such a network sums to 1 only within about the same relative error.
#[derive(Debug, Clone)]
pub struct Network {
    name: String,
    properties: Vec<String>,
    variables: Vec<Variable>,
    cpts: Vec<Cpt>,
    children: Vec<Vec<usize>>,
    topological: Vec<usize>,
    index: HashMap<String, usize>,
}

impl PartialEq for Network {
    /// Networks are equal when their names, properties, variables and tables are equal (the
    /// derived lookup structures follow from those).
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.properties == other.properties
            && self.variables == other.variables
            && self.cpts == other.cpts
    }
}

impl Network {
    /// Validates and builds a network from its variables and one table per variable.
    ///
    /// `cpts` may come in any order; they are stored so that `cpts()[i].child == i`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (name `network`) with a message naming the variable at fault,
    /// when:
    /// - a variable name or a state name is empty or starts or ends with whitespace, two
    ///   variables share a name, a variable has no state or two equal states;
    /// - a variable has no table or more than one, or a table's child is out of range;
    /// - a parent is out of range, repeated, or the child itself;
    /// - `child_card`/`parent_cards` disagree with the variables, or the number of values is not
    ///   `n_rows * child_card` (the message gives expected and found);
    /// - a value is not finite or not in `[0, 1]`, or a row does not sum to 1 within 1e-6 (the
    ///   message names the parent configuration as `A=a1, B=b2` and the sum);
    /// - the graph has a cycle (the message lists one, `A -> B -> A`).
    pub fn new(name: impl Into<String>, variables: Vec<Variable>, cpts: Vec<Cpt>) -> Result<Self> {
        Self::build(name.into(), variables, cpts).map_err(|e| Error::invalid("network", e.message))
    }

    /// As [`Network::new`], with the failure reported as a `ValidationError` that
    /// still knows which variable is at fault (readers use it to point at the table in the file).
    pub(crate) fn build(
        name: String,
        variables: Vec<Variable>,
        cpts: Vec<Cpt>,
    ) -> std::result::Result<Self, validate::ValidationError> {
        let index = validate::check_variables(&variables)?;
        let cpts = validate::place_cpts(&variables, cpts)?;
        let mut children = vec![Vec::new(); variables.len()];
        for cpt in &cpts {
            for &p in &cpt.parents {
                children[p].push(cpt.child);
            }
        }
        let topological = validate::topological_or_cycle(&variables, &cpts, &children)?;
        for cpt in &cpts {
            validate::check_values(&variables, cpt)?;
        }
        Ok(Network {
            name,
            properties: Vec::new(),
            variables,
            cpts,
            children,
            topological,
            index,
        })
    }

    /// Starts a [`NetworkBuilder`] for a network called `name`.
    pub fn builder(name: impl Into<String>) -> NetworkBuilder {
        NetworkBuilder::new(name)
    }

    /// The same network with network-level properties (BIF `network N { property ...; }`,
    /// XMLBIF `<NETWORK><PROPERTY>`) replaced by `properties`.
    pub fn with_properties(mut self, properties: Vec<String>) -> Self {
        self.properties = properties;
        self
    }

    /// The same network renamed.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The network's name (`unknown` in most bnlearn files).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Network-level property texts.
    pub fn properties(&self) -> &[String] {
        &self.properties
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

    /// The index of the variable called `name`, if any.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The number of states of variable `i`.
    ///
    /// # Panics
    /// If `i >= n_variables()`.
    pub fn cardinality(&self, i: usize) -> usize {
        self.variables[i].states.len()
    }

    /// All tables; `cpts()[i]` is the table of variable `i`.
    pub fn cpts(&self) -> &[Cpt] {
        &self.cpts
    }

    /// The table of variable `i`.
    ///
    /// # Panics
    /// If `i >= n_variables()`.
    pub fn cpt(&self, i: usize) -> &Cpt {
        &self.cpts[i]
    }

    /// The parents of variable `i`, in table order.
    ///
    /// # Panics
    /// If `i >= n_variables()`.
    pub fn parents(&self, i: usize) -> &[usize] {
        &self.cpts[i].parents
    }

    /// The children of variable `i`, in increasing index order.
    ///
    /// # Panics
    /// If `i >= n_variables()`.
    pub fn children(&self, i: usize) -> &[usize] {
        &self.children[i]
    }

    /// Number of arcs (parent-child pairs).
    pub fn n_arcs(&self) -> usize {
        self.cpts.iter().map(|c| c.parents.len()).sum()
    }

    /// The largest number of parents of any variable (0 for an empty network).
    pub fn max_in_degree(&self) -> usize {
        self.cpts.iter().map(|c| c.parents.len()).max().unwrap_or(0)
    }

    /// Number of free parameters: the sum over variables of `n_rows * (card - 1)` (each row has
    /// one value fixed by the others summing to 1).
    pub fn n_parameters(&self) -> usize {
        self.cpts
            .iter()
            .map(|c| c.n_rows() * (c.child_card - 1))
            .sum()
    }

    /// The precomputed topological order (see [`Network::topological_order`]).
    pub(crate) fn topological_slice(&self) -> &[usize] {
        &self.topological
    }

    /// The parent configuration `config` of variable `child`'s table written as
    /// `A=a1, B=b2` (empty for a root), as used in error messages.
    ///
    /// # Panics
    /// If `child` or `config` is out of range.
    pub fn config_label(&self, child: usize, config: usize) -> String {
        validate::config_label(&self.variables, &self.cpts[child], config)
    }

    /// Takes the network apart into its name, variables and tables (in variable order), e.g. to
    /// change the tables and validate again with [`Network::new`] (network-level properties are
    /// dropped; see [`Network::properties`]).
    pub fn into_parts(self) -> (String, Vec<Variable>, Vec<Cpt>) {
        (self.name, self.variables, self.cpts)
    }
}

/// Builds a [`Network`] by names: declare variables, then give each a table with its parents
/// by name; [`NetworkBuilder::build`] resolves the names and validates.
///
/// ```
/// use deepgm_bn::Network;
/// let mut b = Network::builder("rain");
/// b.variable("rain", ["yes", "no"]);
/// b.variable("wet", ["yes", "no"]);
/// b.table("rain", &[], vec![0.2, 0.8]);
/// // One row per configuration of the parents (here rain=yes, then rain=no).
/// b.table("wet", &["rain"], vec![0.9, 0.1, 0.1, 0.9]);
/// let net = b.build().unwrap();
/// assert_eq!(net.children(net.find("rain").unwrap()), &[1]);
/// ```
#[derive(Debug, Clone)]
pub struct NetworkBuilder {
    name: String,
    properties: Vec<String>,
    variables: Vec<Variable>,
    tables: Vec<(String, Vec<String>, Vec<f64>)>,
}

impl NetworkBuilder {
    /// An empty builder for a network called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        NetworkBuilder {
            name: name.into(),
            properties: Vec::new(),
            variables: Vec::new(),
            tables: Vec::new(),
        }
    }

    /// Adds a variable and returns its index (variables are numbered in the order added).
    pub fn variable<S: Into<String>>(
        &mut self,
        name: impl Into<String>,
        states: impl IntoIterator<Item = S>,
    ) -> usize {
        self.add(Variable::new(name, states))
    }

    /// Adds a fully described variable (with properties) and returns its index.
    pub fn add(&mut self, variable: Variable) -> usize {
        self.variables.push(variable);
        self.variables.len() - 1
    }

    /// Adds a network-level property text.
    pub fn property(&mut self, text: impl Into<String>) -> &mut Self {
        self.properties.push(text.into());
        self
    }

    /// Gives `child` the table `values` over `parents` (names), in the [`Cpt`] layout: one row
    /// of `card(child)` values per parent configuration, first parent slowest.
    pub fn table(&mut self, child: &str, parents: &[&str], values: Vec<f64>) -> &mut Self {
        self.tables.push((
            child.to_string(),
            parents.iter().map(|p| p.to_string()).collect(),
            values,
        ));
        self
    }

    /// Resolves the names and validates (see [`Network::new`]).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when a table names an unknown variable, and everything
    /// [`Network::new`] rejects.
    pub fn build(self) -> Result<Network> {
        let lookup: HashMap<&str, usize> = self
            .variables
            .iter()
            .enumerate()
            .map(|(i, v)| (v.name.as_str(), i))
            .collect();
        let find = |name: &str| {
            lookup.get(name).copied().ok_or_else(|| {
                Error::invalid(
                    "network",
                    format!("a table names an unknown variable '{name}'"),
                )
            })
        };
        let mut cpts = Vec::with_capacity(self.tables.len());
        for (child, parents, values) in &self.tables {
            let child = find(child)?;
            let parents = parents
                .iter()
                .map(|p| find(p))
                .collect::<Result<Vec<_>>>()?;
            cpts.push(Cpt::new(child, parents, values.clone(), &self.variables));
        }
        Ok(Network::new(self.name, self.variables, cpts)?.with_properties(self.properties))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpt_indexing_first_parent_slowest() {
        let vars = vec![
            Variable::new("A", ["a0", "a1"]),
            Variable::new("B", ["b0", "b1", "b2"]),
            Variable::new("X", ["x0", "x1"]),
        ];
        let values: Vec<f64> = (0..12).map(|k| k as f64).collect();
        let cpt = Cpt::new(2, vec![0, 1], values, &vars);
        assert_eq!(
            (cpt.n_rows(), cpt.child_card, cpt.parent_cards.clone()),
            (6, 2, vec![2, 3])
        );
        // (a1, b2) is row 1 * 3 + 2 = 5.
        assert_eq!(cpt.config_index(&[1, 2]), Some(5));
        assert_eq!(cpt.row(5), &[10.0, 11.0]);
        assert_eq!(cpt.config_states(5), Some(vec![1, 2]));
        assert_eq!(cpt.config_states(4), Some(vec![1, 1]));
        assert_eq!(cpt.probability(&[0, 1], 1), Some(3.0));
        assert_eq!(cpt.config_index(&[2, 0]), None);
        assert_eq!(cpt.config_index(&[0]), None);
        assert_eq!(cpt.config_states(6), None);
        assert_eq!(cpt.probability(&[0, 0], 2), None);
        for config in 0..6 {
            assert_eq!(
                cpt.config_index(&cpt.config_states(config).unwrap()),
                Some(config)
            );
        }
        let root = Cpt::new(0, vec![], vec![0.5, 0.5], &vars);
        assert_eq!((root.n_rows(), root.config_index(&[])), (1, Some(0)));
    }

    #[test]
    fn network_accessors() {
        let mut b = Network::builder("n");
        b.variable("X", ["x0", "x1"]);
        b.variable("A", ["a0", "a1", "a2"]);
        b.property("author = test");
        b.table("X", &["A"], vec![0.5, 0.5, 1.0, 0.0, 0.0, 1.0]);
        b.table("A", &[], vec![0.2, 0.3, 0.5]);
        let net = b.build().unwrap();
        assert_eq!(net.name(), "n");
        assert_eq!(net.properties(), ["author = test"]);
        assert_eq!((net.find("A"), net.find("Q")), (Some(1), None));
        assert_eq!((net.cardinality(0), net.cardinality(1)), (2, 3));
        assert_eq!((net.parents(0), net.children(1)), (&[1][..], &[0][..]));
        assert_eq!(net.topological_order(), vec![1, 0]);
        assert_eq!(
            (net.n_arcs(), net.max_in_degree(), net.n_parameters()),
            (1, 1, 3 + 2)
        );
        assert_eq!(net.config_label(0, 2), "A=a2");
        assert_eq!(net.variable(1).state_index("a2"), Some(2));
        let (name, variables, cpts) = net.clone().into_parts();
        assert_eq!(
            Network::new(name, variables, cpts)
                .unwrap()
                .with_properties(vec!["author = test".into()]),
            net
        );
    }
}
