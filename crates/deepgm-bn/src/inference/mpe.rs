//! The most probable explanation: the assignment of every unobserved variable that maximizes
//! the joint with the evidence, by max-product variable elimination and a traceback.

use deepgm_core::params::Params;
use deepgm_core::progress::Progress;
use deepgm_core::Result;
use serde::Serialize;

use super::{check_max_memory, held_bytes, memory, restricted_factors, Evidence};
use crate::factor::Reduce;
use crate::network::Network;
use crate::order::InteractionGraph;
use crate::report::{named_evidence, VariableState};

/// Parameters of [`mpe`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MpeParams {
    /// The most memory the elimination's tables may take at once, in bytes (at least 1); the
    /// traceback keeps every intermediate table, so they all count. Default
    /// [`deepgm_core::memory::default_budget`]: half the memory available on the machine.
    pub max_memory: u64,
}

impl Default for MpeParams {
    fn default() -> Self {
        MpeParams {
            max_memory: deepgm_core::memory::default_budget(),
        }
    }
}

impl Params for MpeParams {
    fn check(&self) -> Result<()> {
        check_max_memory(self.max_memory)
    }
}

/// A most probable explanation.
///
/// Serializes as `{"assignment": {"VAR": "STATE"}, "log_prob", "evidence": {"VAR": "STATE"},
/// "induced_width"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The state of every variable (observed ones at their evidence), indexed by variable.
    #[serde(skip)]
    pub assignment: Vec<usize>,
    /// The same assignment by name, in the network's variable order.
    #[serde(
        rename = "assignment",
        serialize_with = "crate::report::states_by_name"
    )]
    pub states: Vec<VariableState>,
    /// Natural log of the joint probability `P(x)` of that full assignment, summed from the
    /// tables (so it does not depend on how the maximum was found).
    pub log_prob: f64,
    /// The evidence, by name.
    #[serde(serialize_with = "crate::report::states_by_name")]
    pub evidence: Vec<VariableState>,
    /// The induced width of the elimination ordering used.
    pub induced_width: usize,
}

/// The most probable explanation of `evidence`: `argmax_x P(x, e)` over the unobserved
/// variables. Ties go to the first maximizing state found. `progress` hears when it is done.
///
/// # Errors
/// [`Error::InvalidParameter`](deepgm_core::Error::InvalidParameter) naming `max_memory` when
/// it is 0, `evidence` when the evidence has probability zero;
/// [`Error::Infeasible`](deepgm_core::Error::Infeasible) naming `max_memory` when the
/// elimination's peak memory would exceed it.
pub fn mpe(
    net: &Network,
    evidence: &Evidence,
    params: &MpeParams,
    progress: &dyn Progress,
) -> Result<Explanation> {
    params.check()?;
    progress.start(1, "most probable explanation");
    let factors = restricted_factors(net, evidence);
    let vars: Vec<usize> = (0..net.n_variables())
        .filter(|&v| evidence.state_of(v).is_none())
        .collect();
    let cards = vars.iter().map(|&v| net.cardinality(v)).collect();
    let graph = InteractionGraph::from_scopes(vars, cards, factors.iter().map(|f| f.vars()));
    let plan = graph.best_plan(&[]);
    let needed = memory::elimination(&plan, |v| net.cardinality(v), held_bytes(&factors), true);
    memory::check(&needed, params.max_memory, "the most probable explanation")?;
    let owned = factors.into_iter().map(std::borrow::Cow::Owned).collect();
    let (rest, _, history) = super::ve::eliminate_all(owned, &plan, Reduce::Max);
    if rest.iter().any(|f| f.values()[0] <= 0.0) {
        return Err(super::zero_evidence());
    }
    let mut assignment = vec![usize::MAX; net.n_variables()];
    for &(v, s) in evidence.pairs() {
        assignment[v] = s;
    }
    super::ve::traceback(&plan, &history, |v| net.cardinality(v), &mut assignment);
    let log_prob = log_joint(net, &assignment);
    progress.advance(1);
    Ok(Explanation {
        states: assignment
            .iter()
            .enumerate()
            .map(|(v, &s)| VariableState::new(net, v, s))
            .collect(),
        assignment,
        log_prob,
        evidence: named_evidence(net, evidence),
        induced_width: plan.induced_width,
    })
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
