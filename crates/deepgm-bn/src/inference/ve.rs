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
