//! The most probable explanation: the assignment of every unobserved variable that maximizes
//! the joint with the evidence, by max-product variable elimination and a traceback.

use deepgm_core::{Error, Result};

use super::{check_budget, restricted_factors, Evidence, Options};
use crate::factor::{Factor, Reduce};
use crate::network::Network;
use crate::order::InteractionGraph;

/// A most probable explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The state of every variable (observed ones at their evidence), indexed by variable.
    pub assignment: Vec<usize>,
    /// Natural log of the joint probability `P(x)` of that full assignment, summed from the
    /// tables (so it does not depend on how the maximum was found).
    pub log_prob: f64,
    /// The induced width of the elimination ordering used.
    pub induced_width: usize,
}

/// The most probable explanation of `evidence`: `argmax_x P(x, e)` over the unobserved
/// variables. Ties go to the first maximizing state found.
///
/// # Errors
/// [`Error::InvalidParameter`] when the elimination would exceed
/// [`Options::max_table_entries`] or the evidence has probability zero.
pub fn mpe(net: &Network, evidence: &Evidence, options: &Options) -> Result<Explanation> {
    let factors = restricted_factors(net, evidence);
    let vars: Vec<usize> = (0..net.n_variables())
        .filter(|&v| evidence.state_of(v).is_none())
        .collect();
    let cards = vars.iter().map(|&v| net.cardinality(v)).collect();
    let graph = InteractionGraph::from_scopes(vars, cards, factors.iter().map(|f| f.vars()));
    let plan = graph.best_plan(&[]);
    check_budget(
        plan.total_entries,
        plan.largest_entries,
        options,
        "the most probable explanation",
    )?;
    let owned = factors.into_iter().map(std::borrow::Cow::Owned).collect();
    let (rest, _, history) = super::ve::eliminate_all(owned, &plan, Reduce::Max);
    if rest.iter().any(|f| f.values()[0] <= 0.0) {
        return Err(Error::invalid(
            "--evidence",
            "the evidence has probability zero under this network",
        ));
    }
    let mut assignment = vec![usize::MAX; net.n_variables()];
    for &(v, s) in evidence.pairs() {
        assignment[v] = s;
    }
    // Traceback: the later-eliminated variables are already set when a variable is reached.
    for (&var, used) in plan.order.iter().zip(&history).rev() {
        let card = net.cardinality(var);
        let mut best = (0, f64::NEG_INFINITY);
        for state in 0..card {
            assignment[var] = state;
            let value: f64 = used.iter().map(|f| value_at(f, &assignment)).product();
            if value > best.1 {
                best = (state, value);
            }
        }
        assignment[var] = best.0;
    }
    let log_prob = log_joint(net, &assignment);
    Ok(Explanation {
        assignment,
        log_prob,
        induced_width: plan.induced_width,
    })
}

fn value_at(f: &Factor, assignment: &[usize]) -> f64 {
    let states: Vec<usize> = f.vars().iter().map(|&v| assignment[v]).collect();
    f.get(&states)
}

/// Natural log of `P(x)` for a full assignment (one state per variable).
///
/// # Panics
/// When the assignment is shorter than the network or a state is out of range.
pub fn log_joint(net: &Network, assignment: &[usize]) -> f64 {
    (0..net.n_variables())
        .map(|v| {
            let cpt = net.cpt(v);
            let parents: Vec<usize> = cpt.parents.iter().map(|&p| assignment[p]).collect();
            cpt.probability(&parents, assignment[v])
                .expect("states in range")
                .ln()
        })
        .sum()
}
