//! The source's claims about Bayesian networks (problem 2 of docs/derivations.md), checked on
//! the built-in asia and alarm networks: the joint sums to 1 and keeps doing so as leaves are
//! summed out, validation names the culprit, barren-node pruning leaves posteriors unchanged,
//! the exact methods agree, the most probable explanation beats every assignment, and the
//! samplers approach the exact answers.

use deepgm_core::claims::Claim;
use deepgm_core::progress::NoProgress;
use deepgm_core::Result;

use crate::inference::{self, log_joint, Evidence, Method, MpeParams, QueryParams};
use crate::network::{Cpt, Network};
use crate::report::Marginal;
use crate::sampling::{self, GibbsParams, LikelihoodWeightingParams, SampleParams};

/// Samples drawn by the sampling claims.
const SAMPLES: usize = 100_000;

/// Every claim, with the samplers seeded by `seed` (the exact claims do not depend on it).
///
/// # Errors
/// Only if a built-in network failed to load or a query failed (a bug).
///
/// ```no_run
/// let claims = deepgm_bn::claims(0).unwrap();
/// assert!(deepgm_core::claims::failures(&claims).is_empty());
/// ```
pub fn claims(seed: u64) -> Result<Vec<Claim>> {
    let asia = crate::embedded::load("asia")?;
    let alarm = crate::embedded::load("alarm")?;
    let mut out = normalization(&asia, &alarm)?;
    out.push(validation(&asia));
    out.push(barren_pruning(&asia)?);
    out.extend(exact_inference(&asia, &alarm)?);
    out.extend(sampling_claims(&asia, seed)?);
    Ok(out)
}

/// Exact inference with the given method and the default budget.
fn exact(method: Method) -> QueryParams {
    QueryParams {
        method,
        ..QueryParams::default()
    }
}

/// Sum of `p(x)` over every assignment of `net`'s variables (small networks only).
fn joint_total(net: &Network) -> f64 {
    let n = net.n_variables();
    let mut x = vec![0usize; n];
    let mut total = 0.0;
    loop {
        total += log_joint(net, &x).exp();
        let mut d = 0;
        loop {
            if d == n {
                return total;
            }
            x[d] += 1;
            if x[d] < net.cardinality(d) {
                break;
            }
            x[d] = 0;
            d += 1;
        }
    }
}

/// `net` without variable `leaf` (which must be nobody's parent).
fn without(net: &Network, leaf: usize) -> Result<Network> {
    let (name, variables, cpts) = net.clone().into_parts();
    let keep: Vec<usize> = (0..variables.len()).filter(|&v| v != leaf).collect();
    let new_index = |v: usize| keep.iter().position(|&k| k == v).expect("kept");
    let vars: Vec<_> = keep.iter().map(|&v| variables[v].clone()).collect();
    let tables = keep
        .iter()
        .map(|&v| {
            let c = &cpts[v];
            Cpt::new(
                new_index(v),
                c.parents.iter().map(|&p| new_index(p)).collect(),
                c.values.clone(),
                &vars,
            )
        })
        .collect();
    Network::new(name, vars, tables)
}

/// The joint sums to 1, by enumeration, as leaves are removed, and by the junction tree.
fn normalization(asia: &Network, alarm: &Network) -> Result<Vec<Claim>> {
    let total = joint_total(asia);
    let mut out = vec![Claim::new(
        "bn-normalization",
        "asia: the joint sums to 1 over all 2^8 assignments",
        format!("|sum - 1| = {:.1e}", (total - 1.0).abs()),
        (total - 1.0).abs() < 1e-12,
    )];
    let mut net = asia.clone();
    let mut worst = 0.0f64;
    let mut removed = Vec::new();
    while net.n_variables() > 1 {
        let leaf = (0..net.n_variables())
            .rev()
            .find(|&v| net.children(v).is_empty())
            .expect("a DAG has a leaf");
        removed.push(net.variable(leaf).name.clone());
        net = without(&net, leaf)?;
        worst = worst.max((joint_total(&net) - 1.0).abs());
    }
    out.push(Claim::new(
        "bn-normalization",
        "asia: summing out a node that is nobody's parent leaves a joint that still sums to 1, all the way down",
        format!("removed {} in turn; largest |sum - 1| = {worst:.1e}", removed.join(", ")),
        worst < 1e-12,
    ));
    let jt = inference::query(
        alarm,
        &Evidence::none(),
        None,
        &exact(Method::JunctionTree),
        &NoProgress,
    )?;
    out.push(Claim::new(
        "bn-normalization",
        "alarm: P(no evidence) = 1 from the junction tree (37 variables, 2^37+ assignments)",
        format!("|log P| = {:.1e}", jt.log_evidence.abs()),
        jt.log_evidence.abs() < 1e-12,
    ));
    Ok(out)
}

/// A row that does not sum to 1 is rejected, naming the variable and parent configuration.
fn validation(asia: &Network) -> Claim {
    let (name, variables, mut cpts) = asia.clone().into_parts();
    let either = asia.find("either").expect("asia has either");
    cpts[either].values[2] = 0.8; // the row (lung=yes, tub=no) now sums to 1.8
    let message = match Network::new(name, variables, cpts) {
        Ok(_) => "accepted".to_string(),
        Err(e) => e.to_string(),
    };
    let holds = message.contains("either") && message.contains("lung=yes");
    Claim::new(
        "bn-validation",
        "a table row that does not sum to 1 is rejected, naming the variable and parent configuration",
        message,
        holds,
    )
}

/// Barren-node pruning (the source's argument as an algorithm) leaves posteriors unchanged.
fn barren_pruning(asia: &Network) -> Result<Claim> {
    let evidence = Evidence::parse(asia, "smoke=yes,xray=yes")?;
    let lung = asia.find("lung").expect("asia has lung");
    let pruned = inference::query(
        asia,
        &evidence,
        Some(&[lung]),
        &exact(Method::VariableElimination),
        &NoProgress,
    )?;
    let full = inference::query(
        asia,
        &evidence,
        None,
        &exact(Method::JunctionTree),
        &NoProgress,
    )?;
    let full_lung = &full.marginal("lung").expect("lung").probabilities;
    let pruned_lung = &pruned.marginals[0].probabilities;
    let diff = (pruned_lung[0] - full_lung[0]).abs();
    Ok(Claim::new(
        "bn-barren-pruning",
        "asia: P(lung | smoke=yes, xray=yes) after pruning barren nodes (dysp, bronc) equals the full junction tree",
        format!(
            "{} vs {} (difference {diff:.1e}); {} of 8 variables kept",
            pruned_lung[0], full_lung[0], pruned.cost.variables
        ),
        diff < 1e-12,
    ))
}

/// The largest absolute difference between two lists of marginals (same targets, same order).
fn largest_gap(a: &[Marginal], b: &[Marginal]) -> f64 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| {
            x.probabilities
                .iter()
                .zip(&y.probabilities)
                .map(|(p, q)| (p - q).abs())
        })
        .fold(0.0, f64::max)
}

/// Variable elimination and the junction tree agree; MPE against enumeration.
fn exact_inference(asia: &Network, alarm: &Network) -> Result<Vec<Claim>> {
    let evidence = Evidence::parse(alarm, "HRBP=HIGH,BP=LOW,SAO2=LOW")?;
    let jt = inference::query(
        alarm,
        &evidence,
        None,
        &exact(Method::JunctionTree),
        &NoProgress,
    )?;
    let ve = inference::query(
        alarm,
        &evidence,
        None,
        &exact(Method::VariableElimination),
        &NoProgress,
    )?;
    let worst =
        largest_gap(&jt.marginals, &ve.marginals).max((jt.log_evidence - ve.log_evidence).abs());
    let mut out = vec![Claim::new(
        "bn-exact-inference",
        "alarm with 3 observations: variable elimination and the junction tree agree on every posterior and on P(e)",
        format!("largest difference {worst:.1e}; P(e) = {:.6e}", jt.log_evidence.exp()),
        worst < 1e-12,
    )];
    let dysp = Evidence::parse(asia, "dysp=yes")?;
    let found = inference::mpe(asia, &dysp, &MpeParams::default(), &NoProgress)?;
    let mut best = f64::NEG_INFINITY;
    let n = asia.n_variables();
    let dysp_var = asia.find("dysp").expect("asia has dysp");
    for code in 0..(1usize << n) {
        let x: Vec<usize> = (0..n).map(|v| (code >> v) & 1).collect();
        if x[dysp_var] == dysp.pairs()[0].1 {
            best = best.max(log_joint(asia, &x));
        }
    }
    out.push(Claim::new(
        "bn-exact-inference",
        "asia: the most probable explanation given dysp=yes has the largest joint of all 128 assignments",
        format!("log P(x) = {:.6} vs enumeration {best:.6}", found.log_prob),
        (found.log_prob - best).abs() < 1e-12,
    ));
    Ok(out)
}

/// Ancestral sampling reproduces the marginals; LW and Gibbs approach the exact posteriors.
fn sampling_claims(asia: &Network, seed: u64) -> Result<Vec<Claim>> {
    let data = sampling::forward_sample(
        asia,
        &SampleParams {
            samples: SAMPLES,
            seed,
        },
        &NoProgress,
    )?;
    let exact_marginals = inference::query(
        asia,
        &Evidence::none(),
        None,
        &exact(Method::JunctionTree),
        &NoProgress,
    )?;
    let mut worst_z = 0.0f64;
    for m in &exact_marginals.marginals {
        let counts = data
            .state_counts(m.variable, asia.cardinality(m.variable))
            .expect("every variable is sampled");
        for (&c, &p) in counts.iter().zip(&m.probabilities) {
            let se = (p * (1.0 - p) / SAMPLES as f64).sqrt().max(1e-12);
            worst_z = worst_z.max((c as f64 / SAMPLES as f64 - p).abs() / se);
        }
    }
    let mut out = vec![Claim::new(
        "bn-ancestral-sampling",
        "asia: 100,000 forward samples reproduce every exact marginal within 5 standard errors",
        format!("largest deviation {worst_z:.2} standard errors"),
        worst_z < 5.0,
    )];
    let evidence = Evidence::parse(asia, "dysp=yes,xray=no")?;
    let exact_answer = inference::query(
        asia,
        &evidence,
        None,
        &exact(Method::JunctionTree),
        &NoProgress,
    )?;
    let lw = sampling::likelihood_weighting(
        asia,
        &evidence,
        None,
        &LikelihoodWeightingParams {
            samples: SAMPLES,
            seed,
        },
        &NoProgress,
    )?;
    let gibbs = sampling::gibbs(
        asia,
        &evidence,
        None,
        &GibbsParams {
            samples: SAMPLES,
            burn_in: 1000,
            seed,
        },
        &NoProgress,
    )?;
    let lw_gap = largest_gap(&lw.marginals, &exact_answer.marginals);
    let gibbs_gap = largest_gap(&gibbs.marginals, &exact_answer.marginals);
    let lw_log_gap = (lw.log_evidence.unwrap_or(f64::NAN) - exact_answer.log_evidence).abs();
    out.push(Claim::new(
        "bn-approximate-inference",
        "asia given dysp=yes, xray=no: likelihood weighting and Gibbs sampling (100,000 samples) approach the exact posteriors",
        format!("largest error: LW {lw_gap:.4}, Gibbs {gibbs_gap:.4}; LW log P(e) off by {lw_log_gap:.4}"),
        lw_gap < 0.01 && gibbs_gap < 0.02 && lw_log_gap < 0.02,
    ));
    Ok(out)
}
