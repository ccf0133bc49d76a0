//! Exact inference against brute-force enumeration, against the reference fixtures made by
//! `bench/bn/make_fixtures.py` (pyAgrum and an independent numpy elimination), and variable
//! elimination against the junction tree.

mod common;

use std::io::Read;

use deepgm_bn::Network;
use deepgm_bn::{Evidence, Method, MpeParams, Posteriors, QueryParams};
use deepgm_core::progress::NoProgress;
use deepgm_core::{ErrorKind, Result};
use serde_json::Value;

/// An exact query with `method` and the default budget.
fn exact_query(net: &Network, evidence: &Evidence, method: Method) -> Result<Posteriors> {
    let params = QueryParams {
        method,
        ..QueryParams::default()
    };
    deepgm_bn::query(net, evidence, None, &params, &NoProgress)
}

fn mpe(net: &Network, evidence: &Evidence) -> Result<deepgm_bn::Explanation> {
    deepgm_bn::mpe(net, evidence, &MpeParams::default(), &NoProgress)
}

/// Posterior marginals and P(e) by summing the joint over every assignment.
fn enumerate(net: &Network, evidence: &Evidence) -> (f64, Vec<Vec<f64>>) {
    let n = net.n_variables();
    let mut marginals: Vec<Vec<f64>> = (0..n).map(|v| vec![0.0; net.cardinality(v)]).collect();
    let mut total = 0.0;
    let mut x = vec![0usize; n];
    loop {
        if evidence.pairs().iter().all(|&(v, s)| x[v] == s) {
            let p = deepgm_bn::log_joint(net, &x).exp();
            total += p;
            for v in 0..n {
                marginals[v][x[v]] += p;
            }
        }
        let mut d = 0;
        loop {
            if d == n {
                for m in &mut marginals {
                    m.iter_mut().for_each(|p| *p /= total);
                }
                return (total, marginals);
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

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn junction_tree_and_elimination_match_enumeration_on_asia() {
    let net = deepgm_bn::embedded::load("asia").unwrap();
    for text in [
        "",
        "dysp=yes",
        "xray=yes,smoke=no",
        "either=yes,asia=yes,dysp=no",
    ] {
        let evidence = Evidence::parse(&net, text).unwrap();
        let (pe, exact) = enumerate(&net, &evidence);
        for method in [
            Method::JunctionTree,
            Method::VariableElimination,
            Method::Auto,
        ] {
            let result = exact_query(&net, &evidence, method).unwrap();
            assert!(
                (result.log_evidence - pe.ln()).abs() < 1e-12,
                "{text} {method:?}: log P(e) {} vs {}",
                result.log_evidence,
                pe.ln()
            );
            for m in &result.marginals {
                let (v, dist) = (&m.variable, &m.probabilities);
                assert!(
                    max_diff(dist, &exact[*v]) < 1e-12,
                    "{text} {method:?}: {}",
                    net.variable(*v).name
                );
            }
            let observed = evidence.vars();
            assert_eq!(result.marginals.len(), net.n_variables() - observed.len());
        }
    }
}

#[test]
fn mpe_matches_enumeration_on_asia() {
    let net = deepgm_bn::embedded::load("asia").unwrap();
    for text in ["", "dysp=yes", "xray=yes,smoke=no"] {
        let evidence = Evidence::parse(&net, text).unwrap();
        let n = net.n_variables();
        let mut best = f64::NEG_INFINITY;
        let mut x = vec![0usize; n];
        'outer: loop {
            if evidence.pairs().iter().all(|&(v, s)| x[v] == s) {
                best = best.max(deepgm_bn::log_joint(&net, &x));
            }
            for (d, state) in x.iter_mut().enumerate() {
                *state += 1;
                if *state < net.cardinality(d) {
                    continue 'outer;
                }
                *state = 0;
            }
            break;
        }
        let found = mpe(&net, &evidence).unwrap();
        assert!((found.log_prob - best).abs() < 1e-12, "{text}");
        for &(v, s) in evidence.pairs() {
            assert_eq!(found.assignment[v], s);
        }
        for (v, state) in found.states.iter().enumerate() {
            assert_eq!((state.variable, state.state), (v, found.assignment[v]));
            assert_eq!(state.name, net.variable(v).name);
            assert_eq!(state.state_name, net.variable(v).states[state.state]);
        }
    }
}

#[test]
fn impossible_evidence_and_budget_are_errors() {
    let net = deepgm_bn::embedded::load("asia").unwrap();
    // either = tub OR lung, deterministically: tub=yes with either=no is impossible.
    let evidence = Evidence::parse(&net, "tub=yes,either=no").unwrap();
    for method in [Method::JunctionTree, Method::VariableElimination] {
        let err = exact_query(&net, &evidence, method).unwrap_err();
        assert_eq!(err.parameter(), Some("evidence"), "{err}");
        assert!(err.to_string().contains("probability zero"), "{err}");
    }
    let err = mpe(&net, &evidence).unwrap_err();
    assert_eq!(err.parameter(), Some("evidence"), "{err}");
    let tiny = QueryParams {
        method: Method::JunctionTree,
        max_memory: 32,
    };
    let err = deepgm_bn::query(&net, &Evidence::none(), None, &tiny, &NoProgress).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Infeasible, "{err}");
    assert_eq!(err.parameter(), Some("max_memory"), "{err}");
    assert!(
        matches!(&err, deepgm_core::Error::Infeasible { budget, needed, unit, .. }
            if *budget == 32.0 && *needed > 32.0 && unit == "bytes"),
        "{err}"
    );
    let params = QueryParams {
        max_memory: 0,
        ..QueryParams::default()
    };
    let err = deepgm_bn::query(&net, &Evidence::none(), None, &params, &NoProgress).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter, "{err}");
    assert_eq!(err.parameter(), Some("max_memory"), "{err}");
    let err = deepgm_bn::mpe(
        &net,
        &Evidence::none(),
        &MpeParams { max_memory: 0 },
        &NoProgress,
    )
    .unwrap_err();
    assert_eq!(err.parameter(), Some("max_memory"), "{err}");
    let err = deepgm_bn::mpe(
        &net,
        &Evidence::none(),
        &MpeParams { max_memory: 64 },
        &NoProgress,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Infeasible, "{err}");
    let err = Evidence::parse(&net, "dysp=maybe").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    assert_eq!(err.parameter(), Some("evidence"));
    assert!(err.to_string().contains("expected one of yes, no"), "{err}");
    let err = Evidence::parse(&net, "nothing=yes").unwrap_err();
    assert_eq!(err.parameter(), Some("evidence"));
    assert!(err.to_string().contains("no variable `nothing`"), "{err}");
    let observed = Evidence::parse(&net, "dysp=yes").unwrap();
    let dysp = net.find("dysp").unwrap();
    for targets in [vec![dysp], vec![99]] {
        let err = deepgm_bn::query(
            &net,
            &observed,
            Some(&targets),
            &QueryParams::default(),
            &NoProgress,
        )
        .unwrap_err();
        assert_eq!(err.parameter(), Some("targets"), "{err}");
    }
}

#[test]
fn probability_of_no_evidence_is_one_on_alarm() {
    let net = deepgm_bn::embedded::load("alarm").unwrap();
    let result = exact_query(&net, &Evidence::none(), Method::JunctionTree).unwrap();
    assert!(result.log_evidence.abs() < 1e-9, "{}", result.log_evidence);
    for m in &result.marginals {
        assert!((m.probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}

fn read_fixture(name: &str) -> Option<Value> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let plain = dir.join(format!("{name}.json"));
    let text = if plain.exists() {
        std::fs::read_to_string(plain).unwrap()
    } else {
        let gz = dir.join(format!("{name}.json.gz"));
        let mut s = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(gz).ok()?)
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    Some(serde_json::from_str(&text).unwrap())
}

fn evidence_of(net: &Network, value: &Value) -> Evidence {
    let text: Vec<String> = value
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
        .collect();
    Evidence::parse(net, &text.join(",")).unwrap()
}

/// Every shared network: posteriors and log P(e) against the fixtures to 1e-6 (the reference
/// tools' own agreement), VE against the junction tree to 1e-12, MPE log-probabilities to 1e-9.
#[test]
fn shared_networks_agree_with_the_reference_fixtures() {
    let Some(dir) = common::shared_dir() else {
        return;
    };
    for name in common::SHARED {
        let net = deepgm_bn::load(dir.join(format!("{name}.bif.gz"))).unwrap();
        let fixture = read_fixture(name).unwrap_or_else(|| panic!("fixture for {name}"));
        // The source's claim on every network: the joint sums to 1 (rows divided by their sums,
        // so to rounding), here by the junction tree.
        let jt = exact_query(&net, &Evidence::none(), Method::JunctionTree).unwrap();
        assert!(
            jt.log_evidence.abs() < 1e-12,
            "{name}: log P(no evidence) = {}",
            jt.log_evidence
        );
        for query in fixture["queries"].as_array().unwrap() {
            let evidence = evidence_of(&net, &query["evidence"]);
            let auto = exact_query(&net, &evidence, Method::Auto).unwrap();
            let expected_log = query["log_evidence"].as_f64().unwrap();
            assert!(
                (auto.log_evidence - expected_log).abs() < 1e-6,
                "{name}: log P(e) {} vs {expected_log}",
                auto.log_evidence
            );
            let marginals = query["marginals"].as_object().unwrap();
            let mut checked = 0;
            for m in &auto.marginals {
                let (v, dist) = (&m.variable, &m.probabilities);
                let var = net.variable(*v);
                assert_eq!(m.name, var.name);
                let Some(expected) = marginals.get(&var.name) else {
                    continue;
                };
                let expected: Vec<f64> = var
                    .states
                    .iter()
                    .map(|s| expected[s.as_str()].as_f64().unwrap())
                    .collect();
                assert!(
                    max_diff(dist, &expected) < 1e-6,
                    "{name} {}: {dist:?} vs {expected:?}",
                    var.name
                );
                checked += 1;
            }
            assert_eq!(
                checked,
                marginals.len(),
                "{name}: every fixture marginal checked"
            );
            // The other exact method on the same query, where it fits the default budget.
            let other = if auto.method == Method::JunctionTree {
                Method::VariableElimination
            } else {
                Method::JunctionTree
            };
            if let Ok(second) = exact_query(&net, &evidence, other) {
                assert!(
                    (second.log_evidence - auto.log_evidence).abs() < 1e-12,
                    "{name}"
                );
                for (ma, mb) in auto.marginals.iter().zip(&second.marginals) {
                    let (a, b) = (&ma.probabilities, &mb.probabilities);
                    assert!(
                        max_diff(a, b) < 1e-12,
                        "{name}: VE vs JT {}",
                        max_diff(a, b)
                    );
                }
            }
        }
        for case in fixture["mpe"].as_array().unwrap() {
            let evidence = evidence_of(&net, &case["evidence"]);
            let found = mpe(&net, &evidence).unwrap();
            let expected = case["log_prob"].as_f64().unwrap();
            assert!(
                (found.log_prob - expected).abs() < 1e-9,
                "{name}: MPE log-prob {} vs {expected}",
                found.log_prob
            );
        }
    }
}

#[test]
fn reports_serialize_by_name() {
    let net = deepgm_bn::embedded::load("asia").unwrap();
    let evidence = Evidence::parse(&net, "smoke=yes,dysp=yes").unwrap();
    let answer = exact_query(&net, &evidence, Method::JunctionTree).unwrap();
    let v = serde_json::to_value(&answer).unwrap();
    assert_eq!(v["method"], "jt");
    assert_eq!(v["evidence"]["smoke"], "yes");
    assert_eq!(v["log_evidence"], answer.log_evidence);
    let lung = answer.marginal("lung").unwrap();
    assert_eq!(
        v["marginals"]["lung"]["yes"],
        lung.probability_of("yes").unwrap()
    );
    assert_eq!(v["detail"]["pruned_variables"], answer.cost.variables);
    assert_eq!(v["detail"]["table_entries"], answer.cost.total_entries);
    let found = mpe(&net, &evidence).unwrap();
    let m = serde_json::to_value(&found).unwrap();
    assert_eq!(m["assignment"]["smoke"], "yes");
    assert_eq!(m["assignment"].as_object().unwrap().len(), 8);
    assert_eq!(m["evidence"]["dysp"], "yes");
    assert_eq!(m["induced_width"], found.induced_width);
}
