//! Tour section: problem 2 of docs/derivations.md, Bayesian networks.

use deepgm_bn::inference::{self, log_joint, Evidence, Method, Options};
use deepgm_bn::Network;

use super::derivations::Problem;
use super::report::{Section, Table};

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
fn without(net: &Network, leaf: usize) -> anyhow::Result<Network> {
    let (name, variables, cpts) = net.clone().into_parts();
    let keep: Vec<usize> = (0..variables.len()).filter(|&v| v != leaf).collect();
    let new_index = |v: usize| keep.iter().position(|&k| k == v).expect("kept");
    let vars: Vec<_> = keep.iter().map(|&v| variables[v].clone()).collect();
    let tables = keep
        .iter()
        .map(|&v| {
            let c = &cpts[v];
            deepgm_bn::Cpt::new(
                new_index(v),
                c.parents.iter().map(|&p| new_index(p)).collect(),
                c.values.clone(),
                &vars,
            )
        })
        .collect();
    Ok(Network::new(name, vars, tables)?)
}

fn fmt_dist(net: &Network, v: usize, dist: &[f64]) -> String {
    net.variable(v)
        .states
        .iter()
        .zip(dist)
        .map(|(s, p)| format!("{s} {p:.4}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn section(_dir: &std::path::Path, seed: u64) -> anyhow::Result<Section> {
    let mut s = Section {
        id: "bn".into(),
        title: "2. Bayesian networks".into(),
        problem: Some(Problem::Bn),
        intro: "p(x) = prod_k p(x_k | pa_k) over a DAG. The source proves the joint sums to 1 by summing \
                out, one at a time, a node that is nobody's parent. Checked on the built-in asia \
                (8 variables) and alarm (37 variables) networks from the bnlearn repository."
            .into(),
        ..Default::default()
    };
    let asia = deepgm_bn::embedded::load("asia")?;
    let alarm = deepgm_bn::embedded::load("alarm")?;
    let options = Options::default();

    // The source's claim, by enumeration, and its argument: remove leaves one at a time.
    let total = joint_total(&asia);
    s.check_step(
        "bn-normalization",
        "asia: the joint sums to 1 over all 2^8 assignments",
        format!("|sum - 1| = {:.1e}", (total - 1.0).abs()),
        (total - 1.0).abs() < 1e-12,
    );
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
    s.check_step(
        "bn-normalization",
        "asia: summing out a node that is nobody's parent leaves a joint that still sums to 1, all the way down",
        format!("removed {} in turn; largest |sum - 1| = {worst:.1e}", removed.join(", ")),
        worst < 1e-12,
    );
    let jt = inference::query(
        &alarm,
        &Evidence::none(),
        None,
        Method::JunctionTree,
        &options,
    )?;
    s.check_step(
        "bn-normalization",
        "alarm: P(no evidence) = 1 from the junction tree (37 variables, 2^37+ assignments)",
        format!("|log P| = {:.1e}", jt.log_evidence.abs()),
        jt.log_evidence.abs() < 1e-12,
    );

    // Validation names the culprit.
    let (name, variables, mut cpts) = asia.clone().into_parts();
    let either = asia.find("either").expect("asia has either");
    cpts[either].values[2] = 0.8; // the row (lung=yes, tub=no) now sums to 1.8
    let message = match Network::new(name, variables, cpts) {
        Ok(_) => "accepted".to_string(),
        Err(e) => e.to_string(),
    };
    s.check_step(
        "bn-validation",
        "a table row that does not sum to 1 is rejected, naming the variable and parent configuration",
        message.clone(),
        message.contains("either") && message.contains("lung=yes"),
    );

    // Barren-node pruning (the source's argument as an algorithm) leaves posteriors unchanged.
    let evidence = Evidence::parse(&asia, "smoke=yes,xray=yes")?;
    let lung = asia.find("lung").expect("asia has lung");
    let pruned = inference::query(
        &asia,
        &evidence,
        Some(&[lung]),
        Method::VariableElimination,
        &options,
    )?;
    let full = inference::query(&asia, &evidence, None, Method::JunctionTree, &options)?;
    let full_lung = &full
        .marginals
        .iter()
        .find(|(v, _)| *v == lung)
        .expect("lung")
        .1;
    let diff = (pruned.marginals[0].1[0] - full_lung[0]).abs();
    s.check_step(
        "bn-barren-pruning",
        "asia: P(lung | smoke=yes, xray=yes) after pruning barren nodes (dysp, bronc) equals the full junction tree",
        format!("{} vs {} (difference {diff:.1e}); {} of 8 variables kept", pruned.marginals[0].1[0], full_lung[0], pruned.cost.variables),
        diff < 1e-12,
    );

    // Exact methods agree; MPE against enumeration.
    let evidence = Evidence::parse(&alarm, "HRBP=HIGH,BP=LOW,SAO2=LOW")?;
    let jt = inference::query(&alarm, &evidence, None, Method::JunctionTree, &options)?;
    let ve = inference::query(
        &alarm,
        &evidence,
        None,
        Method::VariableElimination,
        &options,
    )?;
    let worst = jt
        .marginals
        .iter()
        .zip(&ve.marginals)
        .flat_map(|((_, a), (_, b))| a.iter().zip(b).map(|(x, y)| (x - y).abs()))
        .fold((jt.log_evidence - ve.log_evidence).abs(), f64::max);
    s.check_step(
        "bn-exact-inference",
        "alarm with 3 observations: variable elimination and the junction tree agree on every posterior and on P(e)",
        format!("largest difference {worst:.1e}; P(e) = {:.6e}", jt.log_evidence.exp()),
        worst < 1e-12,
    );
    let dysp = Evidence::parse(&asia, "dysp=yes")?;
    let found = inference::mpe(&asia, &dysp, &options)?;
    let mut best = f64::NEG_INFINITY;
    let n = asia.n_variables();
    let dysp_var = asia.find("dysp").expect("asia has dysp");
    for code in 0..(1usize << n) {
        let x: Vec<usize> = (0..n).map(|v| (code >> v) & 1).collect();
        if x[dysp_var] == dysp.pairs()[0].1 {
            best = best.max(log_joint(&asia, &x));
        }
    }
    s.check_step(
        "bn-exact-inference",
        "asia: the most probable explanation given dysp=yes has the largest joint of all 128 assignments",
        format!("log P(x) = {:.6} vs enumeration {best:.6}", found.log_prob),
        (found.log_prob - best).abs() < 1e-12,
    );

    // Ancestral sampling in topological order (the source's ordering, used forwards).
    let samples = 100_000;
    let data = deepgm_bn::forward_sample(&asia, samples, seed)?;
    let exact = inference::query(
        &asia,
        &Evidence::none(),
        None,
        Method::JunctionTree,
        &options,
    )?;
    let mut worst_z = 0.0f64;
    for (v, dist) in &exact.marginals {
        let counts = data
            .state_counts(*v, asia.cardinality(*v))
            .expect("every variable is sampled");
        for (&c, &p) in counts.iter().zip(dist) {
            let se = (p * (1.0 - p) / samples as f64).sqrt().max(1e-12);
            worst_z = worst_z.max((c as f64 / samples as f64 - p).abs() / se);
        }
    }
    s.check_step(
        "bn-ancestral-sampling",
        "asia: 100,000 forward samples reproduce every exact marginal within 5 standard errors",
        format!("largest deviation {worst_z:.2} standard errors"),
        worst_z < 5.0,
    );
    let evidence = Evidence::parse(&asia, "dysp=yes,xray=no")?;
    let exact = inference::query(&asia, &evidence, None, Method::JunctionTree, &options)?;
    let lw = deepgm_bn::likelihood_weighting(&asia, &evidence, None, samples, seed)?;
    let gibbs = deepgm_bn::gibbs(&asia, &evidence, None, samples, 1000, seed)?;
    let gap = |estimate: &[(usize, Vec<f64>)]| {
        estimate
            .iter()
            .zip(&exact.marginals)
            .flat_map(|((_, a), (_, b))| a.iter().zip(b).map(|(x, y)| (x - y).abs()))
            .fold(0.0, f64::max)
    };
    let (lw_gap, gibbs_gap) = (gap(&lw.marginals), gap(&gibbs.marginals));
    let lw_log_gap = (lw.log_evidence.unwrap_or(f64::NAN) - exact.log_evidence).abs();
    s.check_step(
        "bn-approximate-inference",
        "asia given dysp=yes, xray=no: likelihood weighting and Gibbs sampling (100,000 samples) approach the exact posteriors",
        format!("largest error: LW {lw_gap:.4}, Gibbs {gibbs_gap:.4}; LW log P(e) off by {lw_log_gap:.4}"),
        lw_gap < 0.01 && gibbs_gap < 0.02 && lw_log_gap < 0.02,
    );

    // A few answers a user would ask for.
    let mut rows = Vec::new();
    for (net, text, target) in [
        (&asia, "", "lung"),
        (&asia, "dysp=yes", "lung"),
        (&asia, "dysp=yes,smoke=yes", "lung"),
        (&asia, "dysp=yes,smoke=yes,xray=yes", "lung"),
        (&alarm, "", "HYPOVOLEMIA"),
        (&alarm, "HRBP=HIGH,BP=LOW", "HYPOVOLEMIA"),
        (&alarm, "HRBP=HIGH,BP=LOW", "LVFAILURE"),
    ] {
        let evidence = Evidence::parse(net, text)?;
        let v = net.find(target).expect("target exists");
        let r = inference::query(net, &evidence, Some(&[v]), Method::Auto, &options)?;
        rows.push(vec![
            if net.n_variables() == 8 {
                "asia"
            } else {
                "alarm"
            }
            .to_string(),
            if text.is_empty() {
                "(none)".into()
            } else {
                text.to_string()
            },
            target.to_string(),
            fmt_dist(net, v, &r.marginals[0].1),
            format!("{:.6}", r.log_evidence.exp()),
        ]);
    }
    s.tables.push(Table {
        caption: "Posterior marginals (exact; pruned variable elimination)".into(),
        header: ["network", "evidence", "target", "posterior", "P(evidence)"]
            .map(String::from)
            .to_vec(),
        rows,
    });
    Ok(s)
}
