//! The named pieces of query reports: posterior marginals and variable states carry the
//! variable's and states' names next to their indices, and serialize by name (a marginal as
//! `{"VAR": {"STATE": p}}`, states as `{"VAR": "STATE"}`).

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::inference::Evidence;
use crate::variables::Variables;

/// The posterior distribution of one variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Marginal {
    /// The variable's index in the network.
    pub variable: usize,
    /// The variable's name.
    pub name: String,
    /// Its state names, in the network's order.
    pub states: Vec<String>,
    /// The probability of each state (same order as `states`; sums to 1).
    pub probabilities: Vec<f64>,
}

impl Marginal {
    /// The marginal of `variable` of `net` with the given probabilities.
    pub(crate) fn new<M: Variables + ?Sized>(
        net: &M,
        variable: usize,
        probabilities: Vec<f64>,
    ) -> Self {
        let v = net.variable(variable);
        Marginal {
            variable,
            name: v.name.clone(),
            states: v.states.clone(),
            probabilities,
        }
    }

    /// The probability of the state called `state`, if the variable has it.
    pub fn probability_of(&self, state: &str) -> Option<f64> {
        let k = self.states.iter().position(|s| s == state)?;
        self.probabilities.get(k).copied()
    }
}

/// Serializes as `{"STATE": p, ...}`.
impl Serialize for Marginal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.states.iter().zip(&self.probabilities))
    }
}

/// One variable at one state, by index and by name (an observation, or a variable's value in an
/// explanation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableState {
    /// The variable's index in the network.
    pub variable: usize,
    /// The variable's name.
    pub name: String,
    /// The state's index.
    pub state: usize,
    /// The state's name.
    pub state_name: String,
}

impl VariableState {
    /// Variable `variable` of `net` at state `state` (both in range).
    pub(crate) fn new<M: Variables + ?Sized>(net: &M, variable: usize, state: usize) -> Self {
        let v = net.variable(variable);
        VariableState {
            variable,
            name: v.name.clone(),
            state,
            state_name: v.states[state].clone(),
        }
    }
}

/// The evidence's observations with their names, in the order given.
pub(crate) fn named_evidence<M: Variables + ?Sized>(
    net: &M,
    evidence: &Evidence,
) -> Vec<VariableState> {
    evidence
        .pairs()
        .iter()
        .map(|&(v, s)| VariableState::new(net, v, s))
        .collect()
}

/// Marginals `(variable, probabilities)` with their names.
pub(crate) fn named_marginals<M: Variables + ?Sized>(
    net: &M,
    raw: Vec<(usize, Vec<f64>)>,
) -> Vec<Marginal> {
    raw.into_iter()
        .map(|(v, p)| Marginal::new(net, v, p))
        .collect()
}

/// Serializes marginals as `{"VAR": {"STATE": p}}`.
pub(crate) fn marginals_by_name<S: Serializer>(
    marginals: &[Marginal],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(marginals.len()))?;
    for m in marginals {
        map.serialize_entry(&m.name, m)?;
    }
    map.end()
}

/// Serializes variable states as `{"VAR": "STATE"}`.
pub(crate) fn states_by_name<S: Serializer>(
    states: &[VariableState],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(states.iter().map(|s| (&s.name, &s.state_name)))
}
