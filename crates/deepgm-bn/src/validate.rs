//! The invariants of a [`Network`](crate::Network), checked once when it is built.
//!
//! Together they are what makes `p(x) = prod_k p(x_k | pa_k)` a normalized joint (docs/derivations.md 2.2-2.3):
//! with an acyclic graph, summing out a variable that is nobody's parent removes its table (its
//! row sums to 1), and repeating this empties the product.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::network::{Cpt, Variable};

/// How far from 1 a table row may sum: `|sum - 1| <= ROW_SUM_TOLERANCE`.
pub const ROW_SUM_TOLERANCE: f64 = 1e-6;

/// A failed invariant: what is wrong, and the variable whose declaration or table is at fault
/// (when there is one), so that readers can point at it in the file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ValidationError {
    /// The variable at fault.
    pub variable: Option<usize>,
    /// The parent configuration (row) of that variable's table at fault, for value errors.
    pub config: Option<usize>,
    /// The explanation, naming the variable.
    pub message: String,
}

fn fail<T>(variable: Option<usize>, message: String) -> Result<T, ValidationError> {
    Err(ValidationError {
        variable,
        config: None,
        message,
    })
}

fn fail_row<T>(variable: usize, config: usize, message: String) -> Result<T, ValidationError> {
    Err(ValidationError {
        variable: Some(variable),
        config: Some(config),
        message,
    })
}

fn bad_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("is empty")
    } else if name.starts_with(char::is_whitespace) || name.ends_with(char::is_whitespace) {
        Some("starts or ends with whitespace")
    } else {
        None
    }
}

/// Names non-empty and unique, states present, well-formed and unique; returns the name index.
pub(crate) fn check_variables(
    variables: &[Variable],
) -> Result<HashMap<String, usize>, ValidationError> {
    let mut index = HashMap::with_capacity(variables.len());
    for (i, v) in variables.iter().enumerate() {
        if let Some(why) = bad_name(&v.name) {
            return fail(
                Some(i),
                format!("the name of variable {i} ('{}') {why}", v.name),
            );
        }
        if let Some(first) = index.insert(v.name.clone(), i) {
            return fail(
                Some(i),
                format!(
                    "two variables are called '{}' (variables {first} and {i})",
                    v.name
                ),
            );
        }
        if v.states.is_empty() {
            return fail(Some(i), format!("variable '{}' has no states", v.name));
        }
        let mut seen = HashMap::with_capacity(v.states.len());
        for (k, s) in v.states.iter().enumerate() {
            if let Some(why) = bad_name(s) {
                return fail(
                    Some(i),
                    format!("state {k} of variable '{}' ('{s}') {why}", v.name),
                );
            }
            if seen.insert(s.as_str(), k).is_some() {
                return fail(
                    Some(i),
                    format!("variable '{}' has the state '{s}' twice", v.name),
                );
            }
        }
    }
    Ok(index)
}

/// Exactly one table per variable, parents valid, cardinalities and sizes consistent; returns
/// the tables in variable order.
pub(crate) fn place_cpts(
    variables: &[Variable],
    cpts: Vec<Cpt>,
) -> Result<Vec<Cpt>, ValidationError> {
    let n = variables.len();
    let mut slots: Vec<Option<Cpt>> = vec![None; n];
    for cpt in cpts {
        let child = cpt.child;
        if child >= n {
            return fail(
                None,
                format!("a table is for variable index {child}, but there are only {n} variables"),
            );
        }
        let name = &variables[child].name;
        if slots[child].is_some() {
            return fail(Some(child), format!("variable '{name}' has two tables"));
        }
        check_structure(variables, &cpt)?;
        slots[child] = Some(cpt);
    }
    slots
        .into_iter()
        .enumerate()
        .map(|(i, slot)| {
            slot.ok_or_else(|| ValidationError {
                variable: Some(i),
                config: None,
                message: format!("variable '{}' has no table", variables[i].name),
            })
        })
        .collect()
}

fn check_structure(variables: &[Variable], cpt: &Cpt) -> Result<(), ValidationError> {
    let n = variables.len();
    let child = cpt.child;
    let name = &variables[child].name;
    let at = Some(child);
    for (k, &p) in cpt.parents.iter().enumerate() {
        if p >= n {
            return fail(
                at,
                format!(
                    "the table of '{name}' has parent index {p}, but there are only {n} variables"
                ),
            );
        }
        if p == child {
            return fail(at, format!("variable '{name}' is its own parent"));
        }
        if cpt.parents[..k].contains(&p) {
            return fail(
                at,
                format!(
                    "the table of '{name}' lists parent '{}' twice",
                    variables[p].name
                ),
            );
        }
    }
    if cpt.child_card != variables[child].states.len() {
        return fail(
            at,
            format!(
                "the table of '{name}' has child_card {}, but '{name}' has {} states",
                cpt.child_card,
                variables[child].states.len()
            ),
        );
    }
    if cpt.parent_cards.len() != cpt.parents.len() {
        return fail(
            at,
            format!(
                "the table of '{name}' has {} parent cardinalities for {} parents",
                cpt.parent_cards.len(),
                cpt.parents.len()
            ),
        );
    }
    for (&p, &card) in cpt.parents.iter().zip(&cpt.parent_cards) {
        if card != variables[p].states.len() {
            return fail(
                at,
                format!(
                    "the table of '{name}' gives parent '{}' {card} states, but it has {}",
                    variables[p].name,
                    variables[p].states.len()
                ),
            );
        }
    }
    let rows = cpt
        .parent_cards
        .iter()
        .try_fold(1usize, |acc, &c| acc.checked_mul(c));
    let expected = rows.and_then(|r| r.checked_mul(cpt.child_card));
    match expected {
        Some(expected) if expected == cpt.values.len() => Ok(()),
        Some(expected) => {
            let rows = rows.unwrap_or(0);
            fail(
                at,
                format!(
                    "the table of '{name}' has {} values, expected {expected} ({rows} parent \
                     configuration{} x {} states)",
                    cpt.values.len(),
                    if rows == 1 { "" } else { "s" },
                    cpt.child_card
                ),
            )
        }
        None => fail(
            at,
            format!("the table of '{name}' would have more entries than fit in memory"),
        ),
    }
}

/// Kahn's algorithm, smallest index first; on a cycle, the error lists one.
pub(crate) fn topological_or_cycle(
    variables: &[Variable],
    cpts: &[Cpt],
    children: &[Vec<usize>],
) -> Result<Vec<usize>, ValidationError> {
    let order = kahn(cpts, children);
    if order.len() == variables.len() {
        return Ok(order);
    }
    let mut placed = vec![false; variables.len()];
    for &v in &order {
        placed[v] = true;
    }
    let cycle = find_cycle(cpts, &placed);
    let names: Vec<&str> = cycle.iter().map(|&v| variables[v].name.as_str()).collect();
    fail(
        cycle.first().copied(),
        format!("the graph has a cycle: {}", names.join(" -> ")),
    )
}

/// Kahn's algorithm with a min-heap: among the variables whose parents are all placed, the
/// smallest index goes next. Returns fewer than all variables when there is a cycle.
pub(crate) fn kahn(cpts: &[Cpt], children: &[Vec<usize>]) -> Vec<usize> {
    let mut missing: Vec<usize> = cpts.iter().map(|c| c.parents.len()).collect();
    let mut ready: BinaryHeap<Reverse<usize>> = missing
        .iter()
        .enumerate()
        .filter(|(_, &m)| m == 0)
        .map(|(i, _)| Reverse(i))
        .collect();
    let mut order = Vec::with_capacity(cpts.len());
    while let Some(Reverse(v)) = ready.pop() {
        order.push(v);
        for &c in &children[v] {
            missing[c] -= 1;
            if missing[c] == 0 {
                ready.push(Reverse(c));
            }
        }
    }
    order
}

/// A cycle among the unplaced variables (each of which has an unplaced parent): walk to an
/// unplaced parent until a variable repeats. Returned in arc direction, first = last.
fn find_cycle(cpts: &[Cpt], placed: &[bool]) -> Vec<usize> {
    let Some(start) = placed.iter().position(|&p| !p) else {
        return Vec::new();
    };
    let mut seen_at = vec![usize::MAX; placed.len()];
    let mut walk = Vec::new();
    let mut v = start;
    while seen_at[v] == usize::MAX {
        seen_at[v] = walk.len();
        walk.push(v);
        // Every unplaced variable has at least one unplaced parent, or Kahn would have placed it.
        match cpts[v].parents.iter().copied().find(|&p| !placed[p]) {
            Some(p) => v = p,
            None => return walk,
        }
    }
    // walk[seen_at[v]..] follows parent links: reverse it to follow arcs, then close the loop.
    let mut cycle: Vec<usize> = walk[seen_at[v]..].iter().rev().copied().collect();
    cycle.push(cycle[0]);
    cycle
}

/// Values finite and in [0, 1]; rows summing to 1 within [`ROW_SUM_TOLERANCE`].
pub(crate) fn check_values(variables: &[Variable], cpt: &Cpt) -> Result<(), ValidationError> {
    let name = &variables[cpt.child].name;
    let card = cpt.child_card;
    for (config, row) in cpt.values.chunks_exact(card).enumerate() {
        for (k, &p) in row.iter().enumerate() {
            if !(p.is_finite() && (0.0..=1.0).contains(&p)) {
                return fail_row(
                    cpt.child,
                    config,
                    format!(
                        "the table of '{name}'{}: p({name}={}) = {p} is not a probability in [0, 1]",
                        at_config(variables, cpt, config),
                        variables[cpt.child].states[k]
                    ),
                );
            }
        }
        let sum: f64 = row.iter().sum();
        if (sum - 1.0).abs() > ROW_SUM_TOLERANCE {
            return fail_row(
                cpt.child,
                config,
                format!(
                    "the table of '{name}'{}: the row sums to {sum}, expected 1 (within {ROW_SUM_TOLERANCE:e})",
                    at_config(variables, cpt, config)
                ),
            );
        }
    }
    Ok(())
}

fn at_config(variables: &[Variable], cpt: &Cpt, config: usize) -> String {
    if cpt.parents.is_empty() {
        String::new()
    } else {
        format!(
            ", parent configuration {}",
            config_label(variables, cpt, config)
        )
    }
}

/// `A=a1, B=b2` for parent configuration `config` of `cpt` (empty for a root).
pub(crate) fn config_label(variables: &[Variable], cpt: &Cpt, config: usize) -> String {
    let states = cpt.config_states(config).unwrap_or_default();
    cpt.parents
        .iter()
        .zip(states)
        .map(|(&p, s)| format!("{}={}", variables[p].name, variables[p].states[s]))
        .collect::<Vec<_>>()
        .join(", ")
}
