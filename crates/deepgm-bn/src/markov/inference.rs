//! Exact inference on a [`MarkovNetwork`]: posterior marginals, the log partition function with
//! evidence `ln Z(e)`, and the MAP assignment, by the crate's variable elimination and junction
//! tree.
//!
//! Pruning for an undirected model (there are no barren nodes to drop): every potential is
//! restricted to the evidence, then the interaction graph of the unobserved variables falls
//! into connected components, each answered on its own. A target's marginal needs only its
//! component; `ln Z(e)` is the sum over all components (a variable in no potential contributes
//! `ln card`, a potential left with no variable its constant). Per component,
//! [`Method::Auto`] runs variable elimination per target or one junction tree, whichever its plan
//! says is cheaper, as [`crate::query`] does. Every plan's peak memory is checked against the
//! budget before anything is built.

use std::borrow::Cow;

use rayon::prelude::*;
use serde::Serialize;

use deepgm_core::params::Params;
use deepgm_core::progress::Progress;
use deepgm_core::{Error, Result};

use super::MarkovNetwork;
use crate::factor::{Factor, Reduce};
use crate::inference::evidence::checked_targets;
use crate::inference::planner::{self, TargetWork};
use crate::inference::{jtree, memory, ve};
use crate::inference::{Cost, Evidence, MemoryPlan, Method, MpeParams, Posteriors, QueryParams};
use crate::order::{InteractionGraph, Plan};
use crate::report::{named_evidence, named_marginals, VariableState};

/// The evidence-restricted potentials of a network and the interaction graph of its unobserved
/// variables.
struct Restricted {
    /// The restricted potentials that still have a variable, with sorted scopes.
    factors: Vec<Factor>,
    /// The sum of the logs of the potentials that the evidence reduced to constants.
    log_constant: f64,
    /// The graph over every unobserved variable (in increasing order).
    graph: InteractionGraph,
    /// Bytes of `factors`' tables (held throughout).
    held_bytes: f64,
}

/// The error for evidence (or a model) whose total measure is zero.
fn zero_evidence() -> Error {
    Error::invalid(
        "evidence",
        "the evidence has probability zero under this network: Z(e) = 0, every assignment \
         consistent with it has a potential equal to 0",
    )
}

fn restrict(net: &MarkovNetwork, evidence: &Evidence) -> Result<Restricted> {
    // Evidence made for another model may be out of range for this one.
    Evidence::from_pairs(net, evidence.pairs())?;
    let cards = net.cards();
    let mut observed = vec![None; net.n_variables()];
    for &(v, s) in evidence.pairs() {
        observed[v] = Some(s);
    }
    let mut factors = Vec::with_capacity(net.potentials().len());
    let mut log_constant = 0.0;
    for p in net.potentials() {
        let scope_cards: Vec<usize> = p.scope.iter().map(|&v| cards[v]).collect();
        let mut f = crate::factor::permuted(&p.scope, &scope_cards, &p.values);
        for &v in &p.scope {
            if let Some(s) = observed[v] {
                f = f.restrict(v, s);
            }
        }
        if f.vars().is_empty() {
            let value = f.values()[0];
            if value <= 0.0 {
                return Err(zero_evidence());
            }
            log_constant += value.ln();
        } else {
            factors.push(f);
        }
    }
    let vars: Vec<usize> = (0..net.n_variables())
        .filter(|&v| observed[v].is_none())
        .collect();
    let graph_cards = vars.iter().map(|&v| cards[v]).collect();
    let graph = InteractionGraph::from_scopes(vars, graph_cards, factors.iter().map(Factor::vars));
    let held_bytes = crate::inference::held_bytes(&factors);
    Ok(Restricted {
        factors,
        log_constant,
        graph,
        held_bytes,
    })
}

/// One connected component of the unobserved variables: its variables (sorted), the
/// potentials over them, and its interaction graph.
struct Component<'a> {
    vars: Vec<usize>,
    factors: Vec<&'a Factor>,
    graph: InteractionGraph,
}

fn components<'a>(net: &MarkovNetwork, problem: &'a Restricted) -> Vec<Component<'a>> {
    let graph = &problem.graph;
    let parts = graph.components();
    let mut component_of = vec![usize::MAX; net.n_variables()];
    for (c, part) in parts.iter().enumerate() {
        for &node in part {
            component_of[graph.vars[node]] = c;
        }
    }
    let mut factors: Vec<Vec<&Factor>> = vec![Vec::new(); parts.len()];
    for f in &problem.factors {
        factors[component_of[f.vars()[0]]].push(f);
    }
    parts
        .into_iter()
        .zip(factors)
        .map(|(part, factors)| {
            let vars: Vec<usize> = part.iter().map(|&node| graph.vars[node]).collect();
            let cards = vars.iter().map(|&v| net.cardinality(v)).collect();
            let sub = InteractionGraph::from_scopes(
                vars.clone(),
                cards,
                factors.iter().map(|f| f.vars()),
            );
            Component {
                vars,
                factors,
                graph: sub,
            }
        })
        .collect()
}

/// What answering one component cost, folded into the query's [`Cost`].
fn add_cost(cost: &mut Cost, needed: &MemoryPlan, plan: &Plan) {
    cost.total_entries += needed.total_entries;
    cost.largest_entries = cost.largest_entries.max(needed.largest_entries);
    cost.peak_bytes = cost.peak_bytes.max(needed.peak_bytes);
    cost.induced_width = cost.induced_width.max(plan.induced_width);
}

/// `ln` of the sum of a component's product, by variable elimination.
fn component_log_total(
    net: &MarkovNetwork,
    component: &Component<'_>,
    held_bytes: f64,
    max_memory: u64,
    cost: &mut Cost,
) -> Result<f64> {
    if component.factors.is_empty() {
        // A variable in no potential: its states sum to its cardinality.
        return Ok((component
            .vars
            .iter()
            .map(|&v| net.cardinality(v) as f64)
            .product::<f64>())
        .ln());
    }
    let plan = component.graph.best_plan(&[]);
    let needed = memory::elimination(&plan, |v| net.cardinality(v), held_bytes, false);
    memory::check(&needed, max_memory, "the partition function")?;
    add_cost(cost, &needed, &plan);
    let log = ve::log_total(component.factors.clone(), &plan);
    if log == f64::NEG_INFINITY {
        return Err(zero_evidence());
    }
    Ok(log)
}

/// Natural log of the partition function with evidence, `ln Z(e)`: the log of the sum, over
/// every assignment consistent with `evidence`, of the product of all potentials, by variable
/// elimination per connected component (`params.method` is not used). For a network converted
/// from a Bayesian network ([`MarkovNetwork::from_network`]) this is `ln P(e)`.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `max_memory` when it is 0, `evidence` when `Z(e)` is 0;
/// [`Error::Infeasible`] naming `max_memory` when a plan's peak memory exceeds it.
pub fn log_partition(
    net: &MarkovNetwork,
    evidence: &Evidence,
    params: &QueryParams,
) -> Result<f64> {
    params.check()?;
    let problem = restrict(net, evidence)?;
    let mut cost = Cost::default();
    let mut log = problem.log_constant;
    for component in components(net, &problem) {
        log += component_log_total(
            net,
            &component,
            problem.held_bytes,
            params.max_memory,
            &mut cost,
        )?;
    }
    Ok(log)
}

/// Posterior marginals of `targets` (every unobserved variable when `None`) given `evidence`,
/// and `ln Z(e)`, the log partition function with evidence, as `log_evidence` (for a network
/// converted from a Bayesian network, `ln P(e)`; for another, not 0 without evidence). The
/// report's `method` is [`Method::JunctionTree`] when a junction tree answered some component,
/// [`Method::VariableElimination`] otherwise. `progress` hears when the answer is ready.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `targets` when a target is out of range, observed or
/// listed twice, `max_memory` when it is 0, `evidence` when `Z(e)` is 0;
/// [`Error::Infeasible`] naming `max_memory` when a plan's peak memory exceeds it.
///
/// ```
/// use deepgm_bn::{query_markov, Evidence, MarkovNetwork, Potential, QueryParams, Variable};
/// use deepgm_core::progress::NoProgress;
/// let variables = vec![Variable::new("a", ["0", "1"]), Variable::new("b", ["0", "1"])];
/// let agree = Potential::new(vec![0, 1], vec![2.0, 1.0, 1.0, 2.0]);
/// let net = MarkovNetwork::new("pair", variables, vec![agree]).unwrap();
/// let evidence = Evidence::parse(&net, "a=1").unwrap();
/// let answer = query_markov(&net, &evidence, None, &QueryParams::default(), &NoProgress).unwrap();
/// assert!((answer.marginal("b").unwrap().probability_of("1").unwrap() - 2.0 / 3.0).abs() < 1e-12);
/// assert!((answer.log_evidence - 3f64.ln()).abs() < 1e-12);
/// ```
pub fn query_markov(
    net: &MarkovNetwork,
    evidence: &Evidence,
    targets: Option<&[usize]>,
    params: &QueryParams,
    progress: &dyn Progress,
) -> Result<Posteriors> {
    params.check()?;
    progress.start(1, "exact inference");
    let targets = checked_targets(net, evidence, targets)?;
    let problem = restrict(net, evidence)?;
    let parts = components(net, &problem);
    let mut part_of = vec![usize::MAX; net.n_variables()];
    for (c, part) in parts.iter().enumerate() {
        for &v in &part.vars {
            part_of[v] = c;
        }
    }
    let mut targets_of: Vec<Vec<usize>> = vec![Vec::new(); parts.len()];
    for &t in &targets {
        targets_of[part_of[t]].push(t);
    }
    let mut cost = Cost {
        variables: problem.graph.len(),
        ..Cost::default()
    };
    let mut log_z = problem.log_constant;
    let mut marginals: Vec<Option<Vec<f64>>> = vec![None; net.n_variables()];
    let mut used_tree = false;
    for (component, wanted) in parts.iter().zip(&targets_of) {
        if wanted.is_empty() || component.factors.is_empty() {
            log_z += component_log_total(
                net,
                component,
                problem.held_bytes,
                params.max_memory,
                &mut cost,
            )?;
            for &t in wanted {
                let card = net.cardinality(t);
                marginals[t] = Some(vec![1.0 / card as f64; card]);
            }
            continue;
        }
        let (method, tree_plan) = match params.method {
            Method::Auto if planner::tree_wins_unpruned(wanted.len()) => {
                (Method::JunctionTree, None)
            }
            Method::Auto => planner::choose(
                &component.graph,
                |v| net.cardinality(v),
                component.factors.len(),
                wanted.len(),
                // Nothing is pruned per target: each eliminates the whole component, about
                // as the tree's ordering does.
                |_, tree_plan| TargetWork::whole(tree_plan),
            ),
            m => (m, None),
        };
        let (answers, log_total) = if method == Method::JunctionTree {
            used_tree = true;
            by_junction_tree(
                net,
                component,
                wanted,
                tree_plan,
                &problem,
                params.max_memory,
                &mut cost,
            )?
        } else {
            by_elimination(
                net,
                component,
                wanted,
                &problem,
                params.max_memory,
                &mut cost,
            )?
        };
        log_z += log_total;
        for (t, dist) in answers {
            marginals[t] = Some(dist);
        }
    }
    let raw = targets
        .iter()
        .map(|&t| (t, marginals[t].take().expect("every target answered")))
        .collect();
    progress.advance(1);
    Ok(Posteriors {
        log_evidence: log_z,
        marginals: named_marginals(net, raw),
        method: if used_tree {
            Method::JunctionTree
        } else {
            Method::VariableElimination
        },
        evidence: named_evidence(net, evidence),
        cost,
    })
}

/// One marginal per target: `(variable, probabilities)`, and the component's `ln` total.
type Answers = (Vec<(usize, Vec<f64>)>, f64);

fn by_elimination(
    net: &MarkovNetwork,
    component: &Component<'_>,
    targets: &[usize],
    problem: &Restricted,
    max_memory: u64,
    cost: &mut Cost,
) -> Result<Answers> {
    let plans: Vec<Plan> = targets
        .par_iter()
        .map(|&t| component.graph.best_plan(&[t]))
        .collect();
    let held = problem.held_bytes;
    let mut peaks = Vec::with_capacity(targets.len());
    let mut total = MemoryPlan::default();
    for (&t, plan) in targets.iter().zip(&plans) {
        let needed = memory::elimination(plan, |v| net.cardinality(v), held, false);
        memory::check(
            &needed,
            max_memory,
            &format!("the posterior of {}", net.variable(t).name),
        )?;
        peaks.push(needed.peak_bytes - held);
        total.total_entries += needed.total_entries;
        total.largest_entries = total.largest_entries.max(needed.largest_entries);
        cost.induced_width = cost.induced_width.max(plan.induced_width);
    }
    // Targets run one per thread: at worst the largest few are alive together.
    peaks.sort_by(|a, b| b.total_cmp(a));
    let together = rayon::current_num_threads().max(1);
    total.peak_bytes = held + peaks.iter().take(together).sum::<f64>();
    memory::check(&total, max_memory, "the posteriors, eliminated in parallel")?;
    cost.total_entries += total.total_entries;
    cost.largest_entries = cost.largest_entries.max(total.largest_entries);
    cost.peak_bytes = cost.peak_bytes.max(total.peak_bytes);
    let answers = targets
        .par_iter()
        .zip(plans)
        .map(|(&t, plan)| {
            let borrowed = component
                .factors
                .iter()
                .map(|&f| Cow::Borrowed(f))
                .collect();
            let (rest, log_scale, _) = ve::eliminate_all(borrowed, &plan, Reduce::Sum);
            let card = net.cardinality(t);
            let mut dist = Factor::new(vec![t], vec![card], vec![1.0; card]);
            let mut log_total = log_scale;
            for f in &rest {
                if f.vars().is_empty() {
                    let value = f.values()[0];
                    if value <= 0.0 {
                        return Err(zero_evidence());
                    }
                    log_total += value.ln();
                } else {
                    dist.multiply_in(f);
                }
            }
            let sum = dist.normalize();
            if sum <= 0.0 {
                return Err(zero_evidence());
            }
            Ok((t, dist.values().to_vec(), log_total + sum.ln()))
        })
        .collect::<Result<Vec<_>>>()?;
    // Every target's elimination gives the component's total; the first is kept.
    let log_total = answers.first().map_or(0.0, |a| a.2);
    Ok((
        answers.into_iter().map(|(t, p, _)| (t, p)).collect(),
        log_total,
    ))
}

fn by_junction_tree(
    net: &MarkovNetwork,
    component: &Component<'_>,
    targets: &[usize],
    tree_plan: Option<Plan>,
    problem: &Restricted,
    max_memory: u64,
    cost: &mut Cost,
) -> Result<Answers> {
    let plan = component.graph.best_plan_from(&[], tree_plan);
    let needed = memory::junction_tree(&plan, |v| net.cardinality(v), problem.held_bytes);
    memory::check(&needed, max_memory, "the junction tree")?;
    add_cost(cost, &needed, &plan);
    let calibrated = jtree::calibrate(&component.factors, &plan).ok_or_else(zero_evidence)?;
    // The smallest table holding each target.
    let mut best: Vec<Option<usize>> = vec![None; net.n_variables()];
    for (c, table) in calibrated.cliques.iter().enumerate() {
        for &v in table.vars() {
            if best[v].is_none_or(|b| calibrated.cliques[b].len() > table.len()) {
                best[v] = Some(c);
            }
        }
    }
    let answers = targets
        .iter()
        .map(|&t| {
            let c = best[t].expect("a component's variables are in its cliques");
            let mut m = calibrated.cliques[c].marginal(&[t]);
            m.normalize();
            (t, m.values().to_vec())
        })
        .collect();
    Ok((answers, calibrated.log_total))
}

/// A MAP assignment of a [`MarkovNetwork`]: the full assignment that maximizes the product of
/// the potentials given the evidence.
///
/// Serializes as `{"assignment": {"VAR": "STATE"}, "log_value", "evidence": {"VAR": "STATE"},
/// "induced_width", "peak_bytes"}`: the keys of [`crate::Explanation`], with `log_value` (the
/// unnormalized log score) in place of `log_prob`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapAssignment {
    /// The state of every variable (observed ones at their evidence), indexed by variable.
    #[serde(skip)]
    pub assignment: Vec<usize>,
    /// The same assignment by name, in the network's variable order.
    #[serde(
        rename = "assignment",
        serialize_with = "crate::report::states_by_name"
    )]
    pub states: Vec<VariableState>,
    /// Natural log of the product of all potentials at that assignment
    /// ([`MarkovNetwork::log_value`]): the UNNORMALIZED log score, `ln Z` is not subtracted
    /// (for a network converted from a Bayesian network it is `ln P(x)`).
    pub log_value: f64,
    /// The evidence, by name.
    #[serde(serialize_with = "crate::report::states_by_name")]
    pub evidence: Vec<VariableState>,
    /// The induced width of the elimination ordering used.
    pub induced_width: usize,
    /// The planned peak memory of the elimination's tables, in bytes.
    pub peak_bytes: f64,
}

/// The MAP assignment given `evidence`: `argmax_x prod_k phi_k(x_k)` over the unobserved
/// variables (the UAI competition's MAP task; for a network converted from a Bayesian network,
/// the most probable explanation), by max-product variable elimination and a traceback. Ties go
/// to the first maximizing state found; a variable in no potential gets state 0. `progress`
/// hears when it is done.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `max_memory` when it is 0, `evidence` when every
/// assignment consistent with the evidence has value 0; [`Error::Infeasible`] naming
/// `max_memory` when the elimination's peak memory (every intermediate table is kept for the
/// traceback) would exceed it.
///
/// ```
/// use deepgm_bn::{map_markov, Evidence, MarkovNetwork, MpeParams, Potential, Variable};
/// use deepgm_core::progress::NoProgress;
/// let variables = vec![Variable::new("a", ["0", "1"]), Variable::new("b", ["0", "1"])];
/// let potentials = vec![
///     Potential::new(vec![0, 1], vec![2.0, 1.0, 1.0, 3.0]),
///     Potential::new(vec![0], vec![2.0, 1.0]),
/// ];
/// let net = MarkovNetwork::new("pair", variables, potentials).unwrap();
/// let map = map_markov(&net, &Evidence::none(), &MpeParams::default(), &NoProgress).unwrap();
/// assert_eq!(map.assignment, [0, 0]);
/// assert_eq!(map.log_value, 4f64.ln());
/// ```
pub fn map_markov(
    net: &MarkovNetwork,
    evidence: &Evidence,
    params: &MpeParams,
    progress: &dyn Progress,
) -> Result<MapAssignment> {
    params.check()?;
    progress.start(1, "MAP assignment");
    let problem = restrict(net, evidence)?;
    let plan = problem.graph.best_plan(&[]);
    let needed = memory::elimination(&plan, |v| net.cardinality(v), problem.held_bytes, true);
    memory::check(&needed, params.max_memory, "the MAP assignment")?;
    let borrowed = problem.factors.iter().map(Cow::Borrowed).collect();
    let (rest, _, history) = ve::eliminate_all(borrowed, &plan, Reduce::Max);
    if rest.iter().any(|f| f.values()[0] <= 0.0) {
        return Err(zero_evidence());
    }
    let mut assignment = vec![0; net.n_variables()];
    for &(v, s) in evidence.pairs() {
        assignment[v] = s;
    }
    ve::traceback(&plan, &history, |v| net.cardinality(v), &mut assignment);
    let log_value = net.log_value(&assignment);
    progress.advance(1);
    Ok(MapAssignment {
        states: assignment
            .iter()
            .enumerate()
            .map(|(v, &s)| VariableState::new(net, v, s))
            .collect(),
        assignment,
        log_value,
        evidence: named_evidence(net, evidence),
        induced_width: plan.induced_width,
        peak_bytes: needed.peak_bytes,
    })
}
