//! Evidence (observed variables) and target lists, also from their text forms (`"A=yes,B=no"`,
//! `"X,Y"`), for any model with named variables ([`Variables`]: a Bayesian network, a Markov
//! network, or a [`Model`](crate::Model) holding either).

use deepgm_core::{Error, Result};

use crate::variables::Variables;

/// Observed variables: `(variable, state)` pairs, at most one per variable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    pairs: Vec<(usize, usize)>,
}

impl Evidence {
    /// No observations.
    pub fn none() -> Self {
        Evidence::default()
    }

    /// Evidence from `(variable, state)` pairs.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (name `evidence`) when a variable or state index is out of
    /// range, or a variable is observed twice.
    pub fn from_pairs<M: Variables + ?Sized>(net: &M, pairs: &[(usize, usize)]) -> Result<Self> {
        let mut seen = vec![false; net.n_variables()];
        for &(var, state) in pairs {
            if var >= net.n_variables() {
                return Err(Error::invalid(
                    "evidence",
                    format!(
                        "variable index {var} is out of range: the network has {} variables",
                        net.n_variables()
                    ),
                ));
            }
            if state >= net.cardinality(var) {
                return Err(Error::invalid(
                    "evidence",
                    format!(
                        "state index {state} of {} is out of range: it has {} states",
                        net.variable(var).name,
                        net.cardinality(var)
                    ),
                ));
            }
            if std::mem::replace(&mut seen[var], true) {
                return Err(Error::invalid(
                    "evidence",
                    format!("{} is observed twice", net.variable(var).name),
                ));
            }
        }
        Ok(Evidence {
            pairs: pairs.to_vec(),
        })
    }

    /// Parses `"A=yes,B=no"`: pairs separated by commas, each split at its first `=` (state
    /// names such as `>=7.5` exist); spaces around names are ignored. An empty text is no
    /// evidence.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (name `evidence`) naming the pair, the unknown variable or the
    /// unknown state (with the valid states), or a variable given twice.
    pub fn parse<M: Variables + ?Sized>(net: &M, text: &str) -> Result<Self> {
        let mut named = Vec::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let Some((name, state)) = item.split_once('=') else {
                return Err(Error::invalid(
                    "evidence",
                    format!("`{item}` is not VARIABLE=STATE"),
                ));
            };
            named.push((name.trim(), state.trim()));
        }
        Evidence::from_names(net, &named)
    }

    /// Evidence from `(variable name, state name)` pairs, as a binding receives them (a
    /// Python dict); names are taken exactly as given.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (name `evidence`) naming the unknown variable or the unknown
    /// state (with the valid states), or a variable given twice.
    pub fn from_names<N: AsRef<str>, S: AsRef<str>, M: Variables + ?Sized>(
        net: &M,
        named: &[(N, S)],
    ) -> Result<Self> {
        let mut pairs = Vec::with_capacity(named.len());
        for (name, state) in named {
            let (name, state) = (name.as_ref(), state.as_ref());
            let var = find_variable(net, name, "evidence")?;
            let variable = net.variable(var);
            let Some(s) = variable.state_index(state) else {
                return Err(Error::invalid(
                    "evidence",
                    format!(
                        "{name} has no state `{state}`{}: expected one of {}",
                        crate::text::did_you_mean(state, &variable.states),
                        variable.states.join(", ")
                    ),
                ));
            };
            pairs.push((var, s));
        }
        Evidence::from_pairs(net, &pairs)
    }

    /// The `(variable, state)` pairs, in the order given.
    pub fn pairs(&self) -> &[(usize, usize)] {
        &self.pairs
    }

    /// The observed variables.
    pub fn vars(&self) -> Vec<usize> {
        self.pairs.iter().map(|p| p.0).collect()
    }

    /// The observed state of `var`, if observed.
    pub fn state_of(&self, var: usize) -> Option<usize> {
        self.pairs.iter().find(|p| p.0 == var).map(|p| p.1)
    }

    /// True when nothing is observed.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// The index of the variable called `name`, or an error naming the parameter `parameter` (for
/// example `evidence` or `targets`) with the closest names ("did you mean") and the first 40
/// names of the network.
///
/// # Errors
/// [`Error::InvalidParameter`] when no variable has that name.
pub fn find_variable<M: Variables + ?Sized>(net: &M, name: &str, parameter: &str) -> Result<usize> {
    net.find(name).ok_or_else(|| {
        let names: Vec<&str> = net.variables().iter().map(|v| v.name.as_str()).collect();
        Error::invalid(
            parameter,
            format!(
                "the network has no variable `{name}`{}; it has {}",
                crate::text::did_you_mean(name, &names),
                crate::text::list_names(&names, VARIABLES_LISTED)
            ),
        )
    })
}

/// How many variable names an unknown-variable error lists.
const VARIABLES_LISTED: usize = 40;

/// Parses a comma-separated list of variable names (`"X,Y"`); errors name the parameter
/// `parameter` (for example `targets`).
///
/// # Errors
/// [`Error::InvalidParameter`] naming an unknown or repeated variable.
pub fn parse_targets<M: Variables + ?Sized>(
    net: &M,
    text: &str,
    parameter: &str,
) -> Result<Vec<usize>> {
    let mut out: Vec<usize> = Vec::new();
    for name in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let v = find_variable(net, name, parameter)?;
        if out.contains(&v) {
            return Err(Error::invalid(parameter, format!("{name} is listed twice")));
        }
        out.push(v);
    }
    Ok(out)
}

/// A query's targets (every unobserved variable when `None`), checked against the model and the
/// evidence: the one rule every query (exact or sampled, Bayesian or Markov) applies.
///
/// # Errors
/// [`Error::InvalidParameter`] (name `targets`) when a target is out of range, observed, or
/// listed twice.
pub(crate) fn checked_targets<M: Variables + ?Sized>(
    model: &M,
    evidence: &Evidence,
    targets: Option<&[usize]>,
) -> Result<Vec<usize>> {
    let n = model.n_variables();
    let Some(targets) = targets else {
        // Every unobserved variable: nothing to check.
        let mut observed = vec![false; n];
        // Evidence made for another model is checked by the caller; it must not panic here.
        for &(v, _) in evidence.pairs().iter().filter(|p| p.0 < n) {
            observed[v] = true;
        }
        return Ok((0..n).filter(|&v| !observed[v]).collect());
    };
    let targets = targets.to_vec();
    let mut seen = vec![false; n];
    for &t in &targets {
        if t >= n {
            return Err(Error::invalid(
                "targets",
                format!("variable index {t} is out of range: the network has {n} variables"),
            ));
        }
        let name = &model.variable(t).name;
        if evidence.state_of(t).is_some() {
            return Err(Error::invalid(
                "targets",
                format!("{name} is observed: its posterior is the evidence itself"),
            ));
        }
        if std::mem::replace(&mut seen[t], true) {
            return Err(Error::invalid("targets", format!("{name} is listed twice")));
        }
    }
    Ok(targets)
}
