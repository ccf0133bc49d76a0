//! Exact inference: posterior marginals and the probability of evidence (variable elimination
//! or a junction tree, chosen per query), and the most probable explanation.
//!
//! Every query first shrinks the network (docs/derivations.md 2.4, the source's normalization argument run
//! backwards): the tables are restricted to the evidence, every variable that is neither a
//! target, nor observed, nor an ancestor of one is dropped (a barren node sums to 1 and
//! vanishes, repeatedly), and only the connected part of what remains that touches a target
//! is kept (the rest is d-separated from it given the evidence). Then:
//!
//! - [`Method::VariableElimination`] answers each target on its own pruned network, with the
//!   cheapest of the min-fill, weighted min-fill and min-weight orderings;
//! - [`Method::JunctionTree`] builds one clique tree for all targets and propagates once;
//! - [`Method::Auto`] predicts both costs in time from cheap plans ([`planner`]) and runs the
//!   cheaper.
//!
//! Before building any table the plan's peak memory (the tables alive at once, see
//! [`memory`](self::memory)) is checked against [`QueryParams::max_memory`], so an infeasible
//! query is an error, not an out-of-memory abort.
//!
//! [`query`] returns [`Posteriors`] (marginals by variable and state name, serializable),
//! [`mpe`] an [`Explanation`].

mod compiled;
pub(crate) mod evidence;
pub(crate) mod jtree;
pub(crate) mod memory;
mod mpe;
pub(crate) mod planner;
pub(crate) mod ve;

use std::borrow::Cow;

use rayon::prelude::*;
use serde::Serialize;

use deepgm_core::params::Params;
use deepgm_core::progress::Progress;
use deepgm_core::{Error, Result};

use crate::factor::{Factor, Reduce};
use crate::network::Network;
use crate::order::{InteractionGraph, Plan};
use crate::report::{named_evidence, named_marginals, Marginal, VariableState};
use planner::TargetWork;

pub use compiled::{CompileParams, CompiledNetwork, PosteriorValues};
pub use evidence::{find_variable, parse_targets, Evidence};
pub use memory::{MemoryPlan, BYTES_PER_ENTRY};
pub use mpe::{log_joint, mpe, Explanation, MpeParams};

/// Which exact algorithm answers a query; serialized as its [`Method::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Method {
    /// The cheaper of the two below, by the plans' estimated table sizes.
    #[default]
    #[serde(rename = "auto")]
    Auto,
    /// One junction tree for all targets.
    #[serde(rename = "jt")]
    JunctionTree,
    /// Variable elimination, once per target.
    #[serde(rename = "ve")]
    VariableElimination,
}

impl Method {
    /// The name used in reports (`jt`, `ve`, `auto`).
    pub fn name(self) -> &'static str {
        match self {
            Method::Auto => "auto",
            Method::JunctionTree => "jt",
            Method::VariableElimination => "ve",
        }
    }
}

/// Parameters of [`query`] and [`log_evidence`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QueryParams {
    /// The exact algorithm; default [`Method::Auto`] ([`log_evidence`] always eliminates).
    pub method: Method,
    /// The most memory the query's tables may take at once, in bytes (at least 1); a plan whose
    /// peak is above it is refused before anything is allocated. Default
    /// [`deepgm_core::memory::default_budget`]: half the memory available on the machine.
    pub max_memory: u64,
}

impl Default for QueryParams {
    fn default() -> Self {
        QueryParams {
            method: Method::Auto,
            max_memory: deepgm_core::memory::default_budget(),
        }
    }
}

impl Params for QueryParams {
    fn check(&self) -> Result<()> {
        check_max_memory(self.max_memory)
    }
}

/// `Ok` when a memory budget is at least one byte.
pub(crate) fn check_max_memory(max_memory: u64) -> Result<()> {
    if max_memory >= 1 {
        Ok(())
    } else {
        Err(Error::param("max_memory", max_memory, "at least 1 byte"))
    }
}

/// What an exact query returns.
///
/// Serializes as `{"log_evidence", "marginals": {"VAR": {"STATE": p}}, "method",
/// "evidence": {"VAR": "STATE"}, "detail": {"pruned_variables", "table_entries",
/// "largest_table_entries", "peak_bytes", "induced_width"}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Posteriors {
    /// Natural log of the evidence's total: `ln P(e)` for a Bayesian network (0 without
    /// evidence); `ln Z(e)`, the log partition function restricted to the evidence, for a Markov
    /// network ([`query_markov`](crate::query_markov); not 0 without evidence unless `Z` is 1).
    pub log_evidence: f64,
    /// For each target (in the order asked), its posterior distribution over its states.
    #[serde(serialize_with = "crate::report::marginals_by_name")]
    pub marginals: Vec<Marginal>,
    /// The algorithm that ran ([`Method::JunctionTree`] or [`Method::VariableElimination`]).
    pub method: Method,
    /// The evidence, by name.
    #[serde(serialize_with = "crate::report::states_by_name")]
    pub evidence: Vec<VariableState>,
    /// Sizes of what was built.
    #[serde(rename = "detail")]
    pub cost: Cost,
}

impl Posteriors {
    /// The marginal of the variable called `name`, if it was a target.
    pub fn marginal(&self, name: &str) -> Option<&Marginal> {
        self.marginals.iter().find(|m| m.name == name)
    }
}

/// Sizes of an inference run's tables.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Cost {
    /// Variables left after pruning (the union over targets for variable elimination).
    #[serde(rename = "pruned_variables")]
    pub variables: usize,
    /// Total entries of the tables built (planned).
    #[serde(rename = "table_entries")]
    pub total_entries: f64,
    /// Entries of the largest table.
    #[serde(rename = "largest_table_entries")]
    pub largest_entries: f64,
    /// The planned peak memory of the tables alive at once, in bytes.
    pub peak_bytes: f64,
    /// The largest induced width of the orderings used.
    pub induced_width: usize,
}

/// The network's tables as factors, restricted to the evidence.
pub(crate) fn restricted_factors(net: &Network, evidence: &Evidence) -> Vec<Factor> {
    (0..net.n_variables())
        .map(|v| {
            let mut f = Factor::from_cpt(net, v);
            for &(var, state) in evidence.pairs() {
                if f.contains(var) {
                    f = f.restrict(var, state);
                }
            }
            f
        })
        .collect()
}

/// The restricted factors of the variables in `mask`, and the interaction graph over their
/// unobserved variables.
fn subproblem<'a>(
    net: &Network,
    factors: &'a [Factor],
    mask: &[bool],
    evidence: &Evidence,
) -> (Vec<&'a Factor>, InteractionGraph) {
    let chosen: Vec<&Factor> = (0..net.n_variables())
        .filter(|&v| mask[v])
        .map(|v| &factors[v])
        .collect();
    let vars: Vec<usize> = (0..net.n_variables())
        .filter(|&v| mask[v] && evidence.state_of(v).is_none())
        .collect();
    let cards = vars.iter().map(|&v| net.cardinality(v)).collect();
    let graph = InteractionGraph::from_scopes(vars, cards, chosen.iter().map(|f| f.vars()));
    (chosen, graph)
}

/// The factors touching the component of `graph` that contains `var`, and that component's
/// graph.
fn component_of<'a>(
    graph: &InteractionGraph,
    factors: &[&'a Factor],
    var: usize,
    net: &Network,
) -> (Vec<&'a Factor>, InteractionGraph) {
    let components = graph.components();
    let local = graph
        .vars
        .iter()
        .position(|&v| v == var)
        .expect("target is in the graph");
    let comp = components
        .into_iter()
        .find(|c| c.binary_search(&local).is_ok())
        .expect("every node is in a component");
    let vars: Vec<usize> = comp.iter().map(|&i| graph.vars[i]).collect();
    let chosen: Vec<&Factor> = factors
        .iter()
        .filter(|f| {
            f.vars()
                .first()
                .is_some_and(|v| vars.binary_search(v).is_ok())
        })
        .copied()
        .collect();
    let cards = vars.iter().map(|&v| net.cardinality(v)).collect();
    let sub = InteractionGraph::from_scopes(vars, cards, chosen.iter().map(|f| f.vars()));
    (chosen, sub)
}

/// Bytes of `factors`' tables.
pub(crate) fn held_bytes<'a>(factors: impl IntoIterator<Item = &'a Factor>) -> f64 {
    factors.into_iter().map(|f| f.len() as f64).sum::<f64>() * BYTES_PER_ENTRY
}

fn zero_evidence() -> Error {
    Error::invalid(
        "evidence",
        "the evidence has probability zero under this network",
    )
}

/// Natural log of the probability of the evidence, by variable elimination over the
/// evidence's ancestors (`params.method` is not used).
///
/// # Errors
/// [`Error::InvalidParameter`] naming `max_memory` when it is 0, `evidence` when the evidence
/// has probability zero; [`Error::Infeasible`] naming `max_memory` when the plan's peak exceeds
/// it.
pub fn log_evidence(net: &Network, evidence: &Evidence, params: &QueryParams) -> Result<f64> {
    params.check()?;
    let factors = restricted_factors(net, evidence);
    log_evidence_with(net, &factors, evidence, params.max_memory)
}

fn log_evidence_with(
    net: &Network,
    factors: &[Factor],
    evidence: &Evidence,
    max_memory: u64,
) -> Result<f64> {
    if evidence.is_empty() {
        return Ok(0.0);
    }
    let mask = net.ancestral_mask(&evidence.vars());
    let (chosen, graph) = subproblem(net, factors, &mask, evidence);
    let plan = graph.best_plan(&[]);
    let needed = memory::elimination(&plan, |v| net.cardinality(v), held_bytes(factors), false);
    memory::check(&needed, max_memory, "the probability of the evidence")?;
    let log = ve::log_total(chosen, &plan);
    if log == f64::NEG_INFINITY {
        return Err(zero_evidence());
    }
    Ok(log)
}

/// Posterior marginals of `targets` (every unobserved variable when `None`) given `evidence`,
/// and the probability of the evidence, by `params.method`. `progress` hears when the answer
/// is ready (exact inference has no steps worth counting).
///
/// # Errors
/// [`Error::InvalidParameter`] naming `targets` when a target is out of range, observed or
/// listed twice,
/// `max_memory` when it is 0, `evidence` when the evidence has probability zero;
/// [`Error::Infeasible`] naming `max_memory` when the plan's peak memory exceeds it.
///
/// ```
/// use deepgm_bn::{query, Evidence, QueryParams};
/// use deepgm_core::progress::NoProgress;
/// let net = deepgm_bn::embedded::load("asia").unwrap();
/// let evidence = Evidence::parse(&net, "smoke=yes").unwrap();
/// let lung = net.find("lung").unwrap();
/// let params = QueryParams::default();
/// let answer = query(&net, &evidence, Some(&[lung]), &params, &NoProgress).unwrap();
/// assert!((answer.marginals[0].probability_of("yes").unwrap() - 0.1).abs() < 1e-12);
/// ```
pub fn query(
    net: &Network,
    evidence: &Evidence,
    targets: Option<&[usize]>,
    params: &QueryParams,
    progress: &dyn Progress,
) -> Result<Posteriors> {
    params.check()?;
    let method = params.method;
    let max_memory = params.max_memory;
    progress.start(1, "exact inference");
    let targets = evidence::checked_targets(net, evidence, targets)?;
    let factors = restricted_factors(net, evidence);
    if targets.is_empty() {
        let log_evidence = log_evidence_with(net, &factors, evidence, max_memory)?;
        progress.advance(1);
        return Ok(Posteriors {
            log_evidence,
            marginals: Vec::new(),
            method: if method == Method::Auto {
                Method::VariableElimination
            } else {
                method
            },
            evidence: named_evidence(net, evidence),
            cost: Cost::default(),
        });
    }
    let mut relevant_seed = targets.clone();
    relevant_seed.extend(evidence.vars());
    let mask = net.ancestral_mask(&relevant_seed);
    let (chosen, graph) = subproblem(net, &factors, &mask, evidence);

    let (chosen_method, tree_plan) = match method {
        Method::Auto => planner::choose(
            &graph,
            |v| net.cardinality(v),
            chosen.len(),
            targets.len(),
            |i, _| {
                let (_, target_graph) = target_subproblem(net, &factors, targets[i], evidence);
                TargetWork::greedy(&target_graph, targets[i])
            },
        ),
        m => (m, None),
    };
    let (marginals, cost, log_evidence) = match chosen_method {
        // The tree's total over the pruned network is P(e): the extra ancestors of the targets
        // sum out to 1.
        Method::JunctionTree => {
            by_junction_tree(net, &chosen, &graph, tree_plan, &targets, max_memory)?
        }
        _ => {
            let log_evidence = log_evidence_with(net, &factors, evidence, max_memory)?;
            let (marginals, cost) = by_elimination(net, &factors, &targets, evidence, max_memory)?;
            (marginals, cost, log_evidence)
        }
    };
    progress.advance(1);
    Ok(Posteriors {
        log_evidence,
        marginals: named_marginals(net, marginals),
        method: chosen_method,
        evidence: named_evidence(net, evidence),
        cost,
    })
}

/// Posterior distributions, one per target: `(variable, probabilities of its states)`.
type Marginals = Vec<(usize, Vec<f64>)>;

/// A target's pruned factors and elimination plan.
type TargetPlan<'a> = (Vec<&'a Factor>, Plan);

/// The pruned factors of one target (its ancestors' and the evidence's, in its connected part)
/// and their interaction graph.
fn target_subproblem<'a>(
    net: &Network,
    factors: &'a [Factor],
    target: usize,
    evidence: &Evidence,
) -> (Vec<&'a Factor>, InteractionGraph) {
    let mut seed = vec![target];
    seed.extend(evidence.vars());
    let mask = net.ancestral_mask(&seed);
    let (chosen, graph) = subproblem(net, factors, &mask, evidence);
    component_of(&graph, &chosen, target, net)
}

/// The pruned factors and elimination plan for one target.
fn target_plan<'a>(
    net: &Network,
    factors: &'a [Factor],
    target: usize,
    evidence: &Evidence,
) -> TargetPlan<'a> {
    let (comp_factors, comp_graph) = target_subproblem(net, factors, target, evidence);
    let plan = comp_graph.best_plan(&[target]);
    (comp_factors, plan)
}

fn by_elimination(
    net: &Network,
    factors: &[Factor],
    targets: &[usize],
    evidence: &Evidence,
    max_memory: u64,
) -> Result<(Marginals, Cost)> {
    let planned: Vec<TargetPlan<'_>> = targets
        .par_iter()
        .map(|&t| target_plan(net, factors, t, evidence))
        .collect();
    let mut cost = Cost::default();
    let held = held_bytes(factors);
    // Each target's intermediate tables, without the tables all of them share.
    let mut peaks = Vec::with_capacity(targets.len());
    for (&t, (_, plan)) in targets.iter().zip(&planned) {
        let needed = memory::elimination(plan, |v| net.cardinality(v), held, false);
        memory::check(
            &needed,
            max_memory,
            &format!("the posterior of {}", net.variable(t).name),
        )?;
        peaks.push(needed.peak_bytes - held);
        cost.variables = cost.variables.max(plan.order.len() + 1);
        cost.total_entries += plan.total_entries;
        cost.largest_entries = cost.largest_entries.max(plan.largest_entries);
        cost.induced_width = cost.induced_width.max(plan.induced_width);
    }
    // Targets run one per thread: at worst the largest few are alive together.
    peaks.sort_by(|a, b| b.total_cmp(a));
    let together = rayon::current_num_threads().max(1);
    cost.peak_bytes = held + peaks.iter().take(together).sum::<f64>();
    memory::check(
        &MemoryPlan {
            peak_bytes: cost.peak_bytes,
            total_entries: cost.total_entries,
            largest_entries: cost.largest_entries,
        },
        max_memory,
        "the posteriors, eliminated in parallel",
    )?;
    // Targets are independent: one elimination per target, spread over rayon's threads.
    let marginals = targets
        .par_iter()
        .zip(planned)
        .map(|(&t, (comp_factors, plan))| {
            let borrowed = comp_factors.into_iter().map(Cow::Borrowed).collect();
            let (rest, _, _) = ve::eliminate_all(borrowed, &plan, Reduce::Sum);
            let mut dist = Factor::new(
                vec![t],
                vec![net.cardinality(t)],
                vec![1.0; net.cardinality(t)],
            );
            for f in rest.iter().filter(|f| !f.vars().is_empty()) {
                dist.multiply_in(f);
            }
            if dist.normalize() <= 0.0 {
                return Err(zero_evidence());
            }
            Ok((t, dist.values().to_vec()))
        })
        .collect::<Result<Marginals>>()?;
    Ok((marginals, cost))
}

fn by_junction_tree(
    net: &Network,
    chosen: &[&Factor],
    graph: &InteractionGraph,
    plan: Option<Plan>,
    targets: &[usize],
    max_memory: u64,
) -> Result<(Marginals, Cost, f64)> {
    let plan = graph.best_plan_from(&[], plan);
    let needed = memory::junction_tree(
        &plan,
        |v| net.cardinality(v),
        held_bytes(chosen.iter().copied()),
    );
    memory::check(&needed, max_memory, "the junction tree")?;
    let calibrated = jtree::calibrate(chosen, &plan).ok_or_else(zero_evidence)?;
    // The smallest clique holding each target.
    let mut best: Vec<Option<usize>> = vec![None; net.n_variables()];
    for (c, table) in calibrated.cliques.iter().enumerate() {
        for &v in table.vars() {
            if best[v].is_none_or(|b| calibrated.cliques[b].len() > table.len()) {
                best[v] = Some(c);
            }
        }
    }
    let marginals = targets
        .iter()
        .map(|&t| {
            let mut m = match best[t] {
                Some(c) => calibrated.cliques[c].marginal(&[t]),
                // Isolated after pruning: its own table restricted is all there is.
                None => Factor::new(
                    vec![t],
                    vec![net.cardinality(t)],
                    vec![1.0; net.cardinality(t)],
                ),
            };
            m.normalize();
            (t, m.values().to_vec())
        })
        .collect();
    Ok((
        marginals,
        Cost {
            variables: graph.len(),
            total_entries: needed.total_entries,
            largest_entries: needed.largest_entries,
            peak_bytes: needed.peak_bytes,
            induced_width: plan.induced_width,
        },
        calibrated.log_total,
    ))
}
