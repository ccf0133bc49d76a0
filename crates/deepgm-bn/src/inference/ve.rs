//! Variable elimination over a set of factors, following a [`Plan`], with the running products
//! rescaled so that long chains cannot underflow.

use crate::factor::{Factor, Reduce};
use crate::order::Plan;

/// The factors left after eliminating every variable of `plan.order` from `factors`, and the
/// natural log of the scale divided out along the way (the true product is the remaining
/// factors' product times `exp(log_scale)`).
///
/// With [`Reduce::Max`], also returns for each eliminated variable the factors it was
/// eliminated from (for the most probable explanation's traceback); with [`Reduce::Sum`] that
/// list is empty.
pub(crate) fn eliminate_all(
    mut factors: Vec<Factor>,
    plan: &Plan,
    reduce: Reduce,
) -> (Vec<Factor>, f64, Vec<Vec<Factor>>) {
    let mut log_scale = 0.0;
    let mut history = Vec::new();
    for &var in &plan.order {
        let (with, without): (Vec<Factor>, Vec<Factor>) =
            factors.into_iter().partition(|f| f.contains(var));
        factors = without;
        if with.is_empty() {
            if reduce == Reduce::Max {
                history.push(Vec::new());
            }
            continue;
        }
        let refs: Vec<&Factor> = with.iter().collect();
        let mut new = Factor::eliminate(&refs, var, reduce);
        let max = new.rescale_max();
        if max > 0.0 {
            log_scale += max.ln();
        }
        factors.push(new);
        if reduce == Reduce::Max {
            history.push(with);
        }
    }
    (factors, log_scale, history)
}

/// The natural log of the product of `factors` summed over everything, eliminating with
/// `plan` (which must cover every variable in the factors): `-inf` when the sum is 0.
pub(crate) fn log_total(factors: Vec<Factor>, plan: &Plan) -> f64 {
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
