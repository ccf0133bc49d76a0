//! Tour section: problem 2 of docs/derivations.md, Bayesian networks. The claims come from
//! [`deepgm_bn::claims`]; this section adds a table of posteriors.

use deepgm_bn::Marginal;
use deepgm_bn::{Evidence, QueryParams};
use deepgm_core::progress::NoProgress;

use super::derivations::Problem;
use super::report::{Section, Table};

fn fmt_dist(marginal: &Marginal) -> String {
    marginal
        .states
        .iter()
        .zip(&marginal.probabilities)
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
    s.claims(deepgm_bn::claims(seed)?);
    let asia = deepgm_bn::embedded::load("asia")?;
    let alarm = deepgm_bn::embedded::load("alarm")?;

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
        let r = deepgm_bn::query(
            net,
            &evidence,
            Some(&[v]),
            &QueryParams::default(),
            &NoProgress,
        )?;
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
            fmt_dist(&r.marginals[0]),
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
