//! Variable elimination over a set of factors, following a [`Plan`], with the running products
//! rescaled so that long chains cannot underflow.

use std::borrow::Cow;

use crate::factor::{Factor, Reduce};
use crate::order::Plan;

/// What [`eliminate_all`] returns: the remaining factors, the log scale divided out, and the
/// factors each variable was eliminated from (max-product only).
pub(crate) type Eliminated<'a> = (Vec<Cow<'a, Factor>>, f64, Vec<Vec<Cow<'a, Factor>>>);

/// The factors left after eliminating every variable of `plan.order` from `factors`, and the
/// natural log of the scale divided out along the way (the true product is the remaining
/// factors' product times `exp(log_scale)`).
///
/// With [`Reduce::Max`], also returns for each eliminated variable the factors it was
/// eliminated from (for the most probable explanation's traceback); with [`Reduce::Sum`] that
/// list is empty.
/// Input factors may be borrowed (the network's tables are never copied); the new ones are owned.
pub(crate) fn eliminate_all<'a>(
    mut factors: Vec<Cow<'a, Factor>>,
    plan: &Plan,
    reduce: Reduce,
) -> Eliminated<'a> {
    let mut log_scale = 0.0;
    let mut history = Vec::new();
    for &var in &plan.order {
        let (with, without): (Vec<Cow<'a, Factor>>, Vec<Cow<'a, Factor>>) =
            factors.into_iter().partition(|f| f.contains(var));
        factors = without;
        if with.is_empty() {
            if reduce == Reduce::Max {
                history.push(Vec::new());
            }
            continue;
        }
        let refs: Vec<&Factor> = with.iter().map(|f| f.as_ref()).collect();
        let mut new = Factor::eliminate(&refs, var, reduce);
        let max = new.rescale_max();
        if max > 0.0 {
            log_scale += max.ln();
        }
        factors.push(Cow::Owned(new));
        if reduce == Reduce::Max {
            history.push(with);
        }
    }
    (factors, log_scale, history)
}

/// The natural log of the product of `factors` summed over everything, eliminating with
/// `plan` (which must cover every variable in the factors): `-inf` when the sum is 0.
pub(crate) fn log_total(factors: Vec<&Factor>, plan: &Plan) -> f64 {
    let factors = factors.into_iter().map(Cow::Borrowed).collect();
    let (rest, log_scale, _) = eliminate_all(factors, plan, Reduce::Sum);
    let mut log = log_scale;
    for f in rest {
        let t = f.total();
        if t <= 0.0 {
            return f64::NEG_INFINITY;
        }
        log += t.ln();
    }
    log
}

/// The max-product traceback: sets each variable of `plan.order`, last eliminated first, to
/// the state that maximizes the product of the factors it was eliminated from (`history`, as
/// [`eliminate_all`] returns it with [`Reduce::Max`]), the variables eliminated after it being
/// set already. `assignment` holds the evidence's states on entry and every state on return.
/// Logs are summed rather than values multiplied, so long products cannot underflow to a tie;
/// ties go to the first maximizing state.
pub(crate) fn traceback(
    plan: &Plan,
    history: &[Vec<Cow<'_, Factor>>],
    cardinality: impl Fn(usize) -> usize,
    assignment: &mut [usize],
) {
    let mut states: Vec<usize> = Vec::new();
    for (&var, used) in plan.order.iter().zip(history).rev() {
        let mut best = (0, f64::NEG_INFINITY);
        for state in 0..cardinality(var) {
            assignment[var] = state;
            let score: f64 = used
                .iter()
                .map(|f| {
                    states.clear();
                    states.extend(f.vars().iter().map(|&v| assignment[v]));
                    f.get(&states).ln()
                })
                .sum();
            if score > best.1 {
                best = (state, score);
            }
        }
        assignment[var] = best.0;
    }
}
