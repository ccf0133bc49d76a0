//! The [`Variables`] trait: what evidence, target lists and reports need from a model (its
//! variables, with names and states), so that they work the same for a Bayesian
//! [`Network`](crate::Network), a [`MarkovNetwork`](crate::MarkovNetwork) and a
//! [`Model`](crate::Model) holding either.

use crate::network::Variable;

/// A model over named discrete variables, indexed `0..n_variables()`.
///
/// Implemented by [`Network`](crate::Network), [`MarkovNetwork`](crate::MarkovNetwork) and
/// [`Model`](crate::Model); [`Evidence`](crate::Evidence), [`find_variable`](crate::find_variable)
/// and [`parse_targets`](crate::parse_targets) take any of them.
///
/// ```
/// use deepgm_bn::{MarkovNetwork, Variables};
/// let net = deepgm_bn::embedded::load("asia").unwrap();
/// let markov = MarkovNetwork::from_network(&net);
/// let count = |m: &dyn Variables| m.variables().len();
/// assert_eq!((count(&net), count(&markov)), (8, 8));
/// assert_eq!(Variables::find(&markov, "lung"), net.find("lung"));
/// ```
pub trait Variables {
    /// All variables, by index.
    fn variables(&self) -> &[Variable];

    /// The index of the variable called `name`, if any (exact, case-sensitive). The default is a
    /// linear search; models with a name index override it.
    fn find(&self, name: &str) -> Option<usize> {
        self.variables().iter().position(|v| v.name == name)
    }

    /// Number of variables.
    fn n_variables(&self) -> usize {
        self.variables().len()
    }

    /// Variable `i`.
    ///
    /// # Panics
    /// If `i >= n_variables()`.
    fn variable(&self, i: usize) -> &Variable {
        &self.variables()[i]
    }

    /// The number of states of variable `i`.
    ///
    /// # Panics
    /// If `i >= n_variables()`.
    fn cardinality(&self, i: usize) -> usize {
        self.variables()[i].cardinality()
    }
}

impl<T: Variables + ?Sized> Variables for &T {
    fn variables(&self) -> &[Variable] {
        (**self).variables()
    }

    fn find(&self, name: &str) -> Option<usize> {
        (**self).find(name)
    }
}

impl Variables for crate::network::Network {
    fn variables(&self) -> &[Variable] {
        crate::network::Network::variables(self)
    }

    fn find(&self, name: &str) -> Option<usize> {
        crate::network::Network::find(self, name)
    }
}
