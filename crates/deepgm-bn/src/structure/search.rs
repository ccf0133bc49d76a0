//! Greedy hill climbing over DAGs with a tabu list and random restarts.
//!
//! Each step scores every legal move (add, delete or reverse one arc) by the change it makes to
//! the cached family scores of the one or two variables whose parents change, and takes the
//! best, until no move improves the score by at least the tolerance. Moves that would undo one
//! of the last `tabu_length` moves are not taken (pgmpy's rule). Acyclicity is kept from the
//! graph's descendant sets, recomputed once a step. After the first climb, each restart
//! perturbs the best graph so far by `perturb` random legal moves and climbs again, keeping
//! the result only if it scores higher.

use std::collections::VecDeque;

use deepgm_core::params::Params;
use deepgm_core::progress::Progress;
use deepgm_core::rng::seeded;
use deepgm_core::{Error, Result};
use rand::Rng;
use rayon::prelude::*;

use crate::structure::dag::Dag;
use crate::structure::score::FamilyScorer;

/// Settings of [`hill_climb`]. Defaults: no in-degree limit, a tabu list of 100 moves (pgmpy's
/// default), 10 restarts of 3 random moves each, seed 0, tolerance 1e-4 (pgmpy's `epsilon`),
/// patience 10, at most 1,000,000 steps, the empty start graph, no white or black list. With
/// `restarts: 0, patience: 0` the search is pgmpy's `HillClimbSearch`; the defaults recover
/// asia, cancer and sachs from 50,000 samples, where plain hill climbing stops in a local
/// optimum on all three.
#[derive(Debug, Clone, PartialEq)]
pub struct HillClimbParams {
    /// The most parents a variable may have (`None`: no limit); default `None`.
    pub max_indegree: Option<usize>,
    /// How many recent moves may not be undone; default 100.
    pub tabu_length: usize,
    /// Random restarts after the first climb; default 10.
    pub restarts: usize,
    /// Random legal moves applied to the best graph before the first restart; restart `k`
    /// applies `k` times as many, so that later restarts look farther; default 3.
    pub perturb: usize,
    /// Seed of the restarts' perturbations; default 0.
    pub seed: u64,
    /// The least score improvement a step must bring, finite and `>= 0`; default 1e-4.
    pub tolerance: f64,
    /// Steps without improvement allowed before a climb stops (0: plain hill climbing, as
    /// pgmpy's `HillClimbSearch`; more: tabu search as bnlearn's `tabu`, which takes the best
    /// non-tabu move even when it lowers the score and keeps the best graph seen); default 10.
    pub patience: usize,
    /// The most steps of one climb; default 1,000,000.
    pub max_iterations: usize,
    /// The graph to start from (`None`: no arc); default `None`.
    pub start: Option<Dag>,
    /// Arcs `(from, to)` that are in every graph considered (added to the start graph, never
    /// removed or reversed); default none.
    pub whitelist: Vec<(usize, usize)>,
    /// Arcs that are never added; default none.
    pub blacklist: Vec<(usize, usize)>,
}

impl Default for HillClimbParams {
    fn default() -> Self {
        HillClimbParams {
            max_indegree: None,
            tabu_length: 100,
            restarts: 10,
            perturb: 3,
            seed: 0,
            tolerance: 1e-4,
            patience: 10,
            max_iterations: 1_000_000,
            start: None,
            whitelist: Vec::new(),
            blacklist: Vec::new(),
        }
    }
}

/// What [`hill_climb`] found. Serializes the counts and the score (not the graph, whose arcs
/// a caller names with its variables).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HillClimbResult {
    /// The best graph.
    #[serde(skip)]
    pub dag: Dag,
    /// Its score.
    pub score: f64,
    /// Steps taken, summed over all climbs.
    pub iterations: usize,
    /// Distinct families counted and scored (the scorer's cache misses).
    pub families_scored: usize,
    /// Restarts that found a higher score than the best before them.
    pub improving_restarts: usize,
}

/// One move of the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    Add(usize, usize),
    Delete(usize, usize),
    Reverse(usize, usize),
}

/// The search's fixed rules: lists and the in-degree limit, checked once.
struct Rules {
    n: usize,
    max_indegree: usize,
    white: Vec<bool>,
    black: Vec<bool>,
}

impl Rules {
    fn white(&self, from: usize, to: usize) -> bool {
        self.white[from * self.n + to]
    }

    fn black(&self, from: usize, to: usize) -> bool {
        self.black[from * self.n + to]
    }
}

/// Learns a DAG over the scorer's variables by hill climbing (see the module documentation).
/// `progress` hears of each climb (the first and each restart) and of the score as it rises.
///
/// # Errors
/// [`Error::InvalidParameter`] naming the setting: `tolerance` not finite and `>= 0`;
/// `whitelist` or `blacklist` arcs out of range, self-loops, an arc in both lists, a white list
/// with a cycle or more parents than `max_indegree`; a `start` graph over another number of
/// variables, with a cycle once the white list is added, or over the in-degree limit.
pub fn hill_climb(
    scorer: &FamilyScorer,
    params: &HillClimbParams,
    progress: &dyn Progress,
) -> Result<HillClimbResult> {
    let n = scorer.n_variables();
    params.check()?;
    let (rules, start) = rules(n, params)?;
    progress.start(params.restarts as u64 + 1, "hill climbing");
    let (mut best, mut iterations) = climb(scorer, &rules, params, start, progress);
    let mut best_score = scorer.dag_score(&best);
    progress.advance(1);
    let mut rng = seeded(params.seed);
    let mut improving = 0;
    for restart in 1..=params.restarts {
        // Restart k perturbs by k times `perturb` moves: small steps first, then farther.
        let mut dag = best.clone();
        perturb(&mut dag, &rules, params.perturb * restart, &mut rng);
        let (found, steps) = climb(scorer, &rules, params, dag, progress);
        iterations += steps;
        let score = scorer.dag_score(&found);
        if score > best_score + params.tolerance {
            best = found;
            best_score = score;
            improving += 1;
        }
        progress.advance(1);
    }
    Ok(HillClimbResult {
        dag: best,
        score: best_score,
        iterations,
        families_scored: scorer.families_scored(),
        improving_restarts: improving,
    })
}

impl Params for HillClimbParams {
    /// Checks what does not depend on the data: `tolerance` finite and `>= 0`, and no arc
    /// from a variable to itself in `whitelist` or `blacklist` ([`hill_climb`] checks the rest
    /// against the scorer's variables).
    fn check(&self) -> Result<()> {
        if !(self.tolerance.is_finite() && self.tolerance >= 0.0) {
            return Err(Error::invalid(
                "tolerance",
                format!("{}: expected a finite number >= 0", self.tolerance),
            ));
        }
        for (name, list) in [
            ("whitelist", &self.whitelist),
            ("blacklist", &self.blacklist),
        ] {
            if let Some(&(from, to)) = list.iter().find(|&&(from, to)| from == to) {
                return Err(Error::invalid(
                    name,
                    format!("arc {from} -> {to}: expected two different variables"),
                ));
            }
        }
        Ok(())
    }
}

/// Validates the settings against `n` variables and builds the start graph (white list
/// included).
fn rules(n: usize, params: &HillClimbParams) -> Result<(Rules, Dag)> {
    let max_indegree = params.max_indegree.unwrap_or(usize::MAX);
    let mut white = vec![false; n * n];
    let mut black = vec![false; n * n];
    for (name, list, marks) in [
        ("whitelist", &params.whitelist, &mut white),
        ("blacklist", &params.blacklist, &mut black),
    ] {
        for &(from, to) in list {
            if from >= n || to >= n || from == to {
                return Err(Error::invalid(
                    name,
                    format!("arc {from} -> {to}: expected two different variables below {n}"),
                ));
            }
            marks[from * n + to] = true;
        }
    }
    if let Some(&(from, to)) = params.whitelist.iter().find(|&&(f, t)| white[t * n + f]) {
        return Err(Error::invalid(
            "whitelist",
            format!("arcs {from} -> {to} and {to} -> {from} cannot both be present"),
        ));
    }
    if let Some(&(from, to)) = params.whitelist.iter().find(|&&(f, t)| black[f * n + t]) {
        return Err(Error::invalid(
            "whitelist",
            format!("arc {from} -> {to} is also in the black list"),
        ));
    }
    let mut start = match &params.start {
        Some(dag) if dag.n_variables() != n => {
            return Err(Error::invalid(
                "start",
                format!(
                    "the start graph has {} variables, the data {n}",
                    dag.n_variables()
                ),
            ))
        }
        Some(dag) => dag.clone(),
        None => Dag::empty(n),
    };
    for &(from, to) in &params.whitelist {
        if start.has_arc(from, to) {
            continue;
        }
        if start.has_arc(to, from) {
            start.remove_arc(to, from);
        }
        if !start.can_add(from, to) {
            return Err(Error::invalid(
                "whitelist",
                format!("arc {from} -> {to} closes a cycle with the start graph and the list"),
            ));
        }
        start.add_arc(from, to);
    }
    if let Some(v) = (0..n).find(|&v| start.parents(v).len() > max_indegree) {
        return Err(Error::invalid(
            "max_indegree",
            format!(
                "variable {v} has {} parents in the start graph and white list, over the limit of {max_indegree}",
                start.parents(v).len()
            ),
        ));
    }
    if let Some(&(from, to)) = params.blacklist.iter().find(|&&(f, t)| start.has_arc(f, t)) {
        return Err(Error::invalid(
            "start",
            format!("the start graph has the black-listed arc {from} -> {to}"),
        ));
    }
    Ok((
        Rules {
            n,
            max_indegree,
            white,
            black,
        },
        start,
    ))
}

/// The score changes of every arc into `v`: for a parent `u`, removing `u -> v`; for any other
/// `u != v`, adding it (`NaN` on the diagonal).
fn child_deltas(scorer: &FamilyScorer, dag: &Dag, v: usize, current: f64) -> Vec<f64> {
    let parents = dag.parents(v);
    let n = dag.n_variables();
    let parallel = worth_threads(scorer, n);
    let others: Vec<usize> = (0..n)
        .filter(|&u| u != v && !parents.contains(&u))
        .collect();
    let added = scorer.with_one_more_parent(v, parents, &others, parallel);
    let mut deltas = vec![f64::NAN; n];
    for (&u, s) in others.iter().zip(added) {
        deltas[u] = s - current;
    }
    for &u in parents {
        let rest: Vec<usize> = parents.iter().copied().filter(|&p| p != u).collect();
        deltas[u] = scorer.family(v, &rest) - current;
    }
    deltas
}

/// Whether scoring `families` new families pays for spreading them over threads (each counts
/// every row once; below about 200,000 cells the threads' start-up costs more than they save).
fn worth_threads(scorer: &FamilyScorer, families: usize) -> bool {
    scorer.n_rows().saturating_mul(families) >= 200_000
}

fn contains(set: &[u64], v: usize) -> bool {
    set[v / 64] >> (v % 64) & 1 == 1
}

/// One climb from `dag` to a local optimum; returns the graph and the number of steps.
fn climb(
    scorer: &FamilyScorer,
    rules: &Rules,
    params: &HillClimbParams,
    mut dag: Dag,
    progress: &dyn Progress,
) -> (Dag, usize) {
    let n = rules.n;
    let mut family: Vec<f64> = if worth_threads(scorer, n) {
        (0..n)
            .into_par_iter()
            .map(|v| scorer.family(v, dag.parents(v)))
            .collect()
    } else {
        (0..n).map(|v| scorer.family(v, dag.parents(v))).collect()
    };
    let mut deltas: Vec<Vec<f64>> = (0..n)
        .map(|v| child_deltas(scorer, &dag, v, family[v]))
        .collect();
    let mut tabu: VecDeque<Move> = VecDeque::with_capacity(params.tabu_length + 1);
    let mut steps = 0;
    let mut total: f64 = family.iter().sum();
    let (mut best_dag, mut best_total, mut stalled) = (dag.clone(), total, 0);
    while steps < params.max_iterations {
        let desc = dag.descendants();
        let children = dag.children();
        let indegree = |v: usize| dag.parents(v).len();
        let mut best: Option<(f64, Move)> = None;
        // The tabu list is searched only for a move that would be the best so far.
        let mut offer = |delta: f64, m: Move, also_tabu: Option<Move>| {
            if best.is_none_or(|(b, _)| delta > b)
                && !tabu.contains(&m)
                && also_tabu.is_none_or(|t| !tabu.contains(&t))
            {
                best = Some((delta, m));
            }
        };
        for v in 0..n {
            for u in 0..n {
                if u == v {
                    continue;
                }
                if dag.has_arc(u, v) {
                    if rules.white(u, v) {
                        continue;
                    }
                    offer(deltas[v][u], Move::Delete(u, v), None);
                    // u -> v becomes v -> u unless another path leads from u to v.
                    let other_path = children[u].iter().any(|&w| w != v && contains(&desc[w], v));
                    if !rules.black(v, u) && indegree(u) < rules.max_indegree && !other_path {
                        offer(
                            deltas[v][u] + deltas[u][v],
                            Move::Reverse(u, v),
                            Some(Move::Reverse(v, u)),
                        );
                    }
                } else if !dag.has_arc(v, u)
                    && !rules.black(u, v)
                    && indegree(v) < rules.max_indegree
                    && !contains(&desc[v], u)
                {
                    offer(deltas[v][u], Move::Add(u, v), None);
                }
            }
        }
        let Some((delta, m)) = best else { break };
        if !delta.is_finite() || (delta < params.tolerance && stalled >= params.patience) {
            break;
        }
        let (changed, undo) = match m {
            Move::Add(u, v) => {
                dag.add_arc(u, v);
                ([Some(v), None], Move::Delete(u, v))
            }
            Move::Delete(u, v) => {
                dag.remove_arc(u, v);
                ([Some(v), None], Move::Add(u, v))
            }
            Move::Reverse(u, v) => {
                dag.remove_arc(u, v);
                dag.add_arc(v, u);
                ([Some(v), Some(u)], Move::Reverse(u, v))
            }
        };
        for v in changed.into_iter().flatten() {
            family[v] = scorer.family(v, dag.parents(v));
            deltas[v] = child_deltas(scorer, &dag, v, family[v]);
        }
        tabu.push_back(undo);
        if tabu.len() > params.tabu_length {
            tabu.pop_front();
        }
        steps += 1;
        total += delta;
        if total > best_total + params.tolerance {
            best_dag.clone_from(&dag);
            best_total = total;
            stalled = 0;
        } else {
            stalled += 1;
        }
        if steps % 16 == 0 {
            progress.message(&format!(
                "step {steps}, score {:.3}",
                family.iter().sum::<f64>()
            ));
        }
    }
    if params.patience == 0 {
        return (dag, steps);
    }
    (best_dag, steps)
}

/// Applies up to `moves` random legal moves (add, delete or reverse one arc) to `dag`.
fn perturb(dag: &mut Dag, rules: &Rules, moves: usize, rng: &mut impl Rng) {
    let n = rules.n;
    if n < 2 {
        return;
    }
    let mut done = 0;
    let mut attempts = 0;
    while done < moves && attempts < 100 * moves.max(1) {
        attempts += 1;
        let u = rng.random_range(0..n);
        let v = rng.random_range(0..n);
        if u == v {
            continue;
        }
        if dag.has_arc(u, v) {
            if rules.white(u, v) {
                continue;
            }
            dag.remove_arc(u, v);
            let reverse = rng.random_bool(0.5)
                && !rules.black(v, u)
                && dag.parents(u).len() < rules.max_indegree
                && dag.can_add(v, u);
            if reverse {
                dag.add_arc(v, u);
            }
            done += 1;
        } else if !rules.black(u, v)
            && dag.parents(v).len() < rules.max_indegree
            && dag.can_add(u, v)
        {
            dag.add_arc(u, v);
            done += 1;
        }
    }
}
