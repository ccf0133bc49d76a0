//! The compiled engine (`CompiledNetwork`): the same answers as a fresh `query` (1e-12), and
//! bit for bit the same answers whatever evidence it has seen before.

use deepgm_bn::{
    forward_sample, CompileParams, CompiledNetwork, Evidence, Network, NetworkBuilder, Posteriors,
    QueryParams, SampleParams,
};
use deepgm_core::progress::NoProgress;
use deepgm_core::{ErrorKind, Result};
use proptest::prelude::*;

fn compile(net: &Network) -> CompiledNetwork {
    CompiledNetwork::new(net, &CompileParams::default()).expect("compiles")
}

fn fresh(net: &Network, evidence: &Evidence, targets: Option<&[usize]>) -> Result<Posteriors> {
    deepgm_bn::query(net, evidence, targets, &QueryParams::default(), &NoProgress)
}

/// Asserts that two answers agree to `tol` in every probability and in ln P(e), with the same
/// targets in the same order.
fn assert_close(ours: &Posteriors, theirs: &Posteriors, tol: f64, what: &str) {
    assert_eq!(ours.marginals.len(), theirs.marginals.len(), "{what}");
    let d = (ours.log_evidence - theirs.log_evidence).abs();
    assert!(
        d <= tol,
        "{what}: ln P(e) {} vs {} ({d:e})",
        ours.log_evidence,
        theirs.log_evidence
    );
    for (a, b) in ours.marginals.iter().zip(&theirs.marginals) {
        assert_eq!(a.variable, b.variable, "{what}");
        for (x, y) in a.probabilities.iter().zip(&b.probabilities) {
            assert!(
                (x - y).abs() <= tol,
                "{what}: {} {:?} vs {:?}",
                a.name,
                a.probabilities,
                b.probabilities
            );
        }
    }
    assert_eq!(ours.evidence, theirs.evidence, "{what}");
}

/// Evidence sets of `k` observed variables taken from forward samples (so of positive
/// probability), the variables chosen by a simple seeded rule.
fn sampled_cases(net: &Network, n: usize, k: usize, seed: u64) -> Vec<Evidence> {
    let data =
        forward_sample(net, &SampleParams { samples: n, seed }, &NoProgress).expect("samples");
    let vars = net.n_variables();
    (0..n)
        .map(|i| {
            let row = data.row(i);
            let mut chosen: Vec<usize> = Vec::new();
            let mut x = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ seed;
            while chosen.len() < k.min(vars) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let v = (x % vars as u64) as usize;
                if !chosen.contains(&v) {
                    chosen.push(v);
                }
            }
            let pairs: Vec<(usize, usize)> = chosen
                .iter()
                .map(|&v| {
                    let column = data.column_of(v).expect("every variable sampled");
                    (v, row[column] as usize)
                })
                .collect();
            Evidence::from_pairs(net, &pairs).expect("valid evidence")
        })
        .collect()
}

#[test]
fn every_marginal_equals_a_fresh_query_on_asia_and_alarm() {
    for name in ["asia", "alarm"] {
        let net = deepgm_bn::embedded::load(name).unwrap();
        let mut compiled = compile(&net);
        let mut cases = vec![Evidence::none()];
        for k in [1, 3, 5] {
            cases.extend(sampled_cases(&net, 15, k, 7 + k as u64));
        }
        for (i, evidence) in cases.iter().enumerate() {
            let ours = compiled.query(evidence, None).unwrap();
            let theirs = fresh(&net, evidence, None).unwrap();
            assert_close(&ours, &theirs, 1e-12, &format!("{name} case {i}"));
            assert_eq!(ours.cost, compiled.cost());
        }
    }
}

#[test]
fn chosen_targets_equal_a_fresh_query_in_the_order_asked() {
    let net = deepgm_bn::embedded::load("alarm").unwrap();
    let mut compiled = compile(&net);
    let names = ["HRBP", "CO", "LVFAILURE", "MINVOL", "HYPOVOLEMIA"];
    for (i, evidence) in sampled_cases(&net, 20, 4, 3).iter().enumerate() {
        let targets: Vec<usize> = names
            .iter()
            .map(|n| net.find(n).unwrap())
            .filter(|&t| evidence.state_of(t).is_none())
            .collect();
        let ours = compiled.query(evidence, Some(&targets)).unwrap();
        let theirs = fresh(&net, evidence, Some(&targets)).unwrap();
        assert_close(&ours, &theirs, 1e-12, &format!("case {i}"));
        let order: Vec<usize> = ours.marginals.iter().map(|m| m.variable).collect();
        assert_eq!(order, targets);
    }
    // No targets: only ln P(e).
    let evidence = Evidence::parse(&net, "HRBP=HIGH,CO=LOW").unwrap();
    let ours = compiled.query(&evidence, Some(&[])).unwrap();
    assert!(ours.marginals.is_empty());
    let theirs = deepgm_bn::log_evidence(&net, &evidence, &QueryParams::default()).unwrap();
    assert!((ours.log_evidence - theirs).abs() < 1e-12);
}

#[test]
fn the_shared_networks_agree_with_a_fresh_query() {
    // Networks with several components after compilation, and larger cliques, when present.
    let Some(dir) = common::shared_dir() else {
        return;
    };
    for name in ["child", "insurance", "hailfinder", "water"] {
        let net = deepgm_bn::load(dir.join(format!("{name}.bif.gz"))).unwrap();
        let mut compiled = compile(&net);
        for (i, evidence) in sampled_cases(&net, 4, 5, 11).iter().enumerate() {
            let ours = compiled.query(evidence, None).unwrap();
            let theirs = fresh(&net, evidence, None).unwrap();
            assert_close(&ours, &theirs, 1e-12, &format!("{name} case {i}"));
        }
    }
}

mod common;

#[test]
fn a_forest_sums_the_log_evidence_of_each_tree() {
    // Two unconnected pieces: a -> b, and c alone.
    let mut b = NetworkBuilder::new("forest");
    b.variable("a", ["0", "1"]);
    b.variable("b", ["0", "1", "2"]);
    b.variable("c", ["0", "1"]);
    b.table("a", &[], vec![0.3, 0.7]);
    b.table("b", &["a"], vec![0.2, 0.5, 0.3, 0.6, 0.1, 0.3]);
    b.table("c", &[], vec![0.25, 0.75]);
    let net = b.build().unwrap();
    let mut compiled = compile(&net);
    for text in ["", "b=1", "c=0", "b=2,c=1", "a=1,c=1"] {
        let evidence = Evidence::parse(&net, text).unwrap();
        let ours = compiled.query(&evidence, None).unwrap();
        let theirs = fresh(&net, &evidence, None).unwrap();
        assert_close(&ours, &theirs, 1e-14, text);
    }
    let evidence = Evidence::parse(&net, "b=1,c=0").unwrap();
    let answer = compiled.query(&evidence, None).unwrap();
    let expected = (0.3f64 * 0.5 + 0.7 * 0.1).ln() + 0.25f64.ln();
    assert!((answer.log_evidence - expected).abs() < 1e-14);
    assert_eq!(
        compiled
            .query(&Evidence::none(), None)
            .unwrap()
            .log_evidence,
        0.0
    );
}

#[test]
fn zero_probability_evidence_is_refused_and_the_engine_stays_usable() {
    let net = deepgm_bn::embedded::load("asia").unwrap();
    let mut compiled = compile(&net);
    let good = Evidence::parse(&net, "smoke=yes,dysp=yes").unwrap();
    let before = compiled.query(&good, None).unwrap();
    // either is "tub or lung" exactly: tub=yes with either=no is impossible.
    let impossible = Evidence::parse(&net, "tub=yes,either=no").unwrap();
    for _ in 0..2 {
        let err = compiled.query(&impossible, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParameter);
        assert_eq!(err.parameter(), Some("evidence"));
        let fresh_err = fresh(&net, &impossible, None).unwrap_err();
        assert_eq!(fresh_err.parameter(), Some("evidence"));
    }
    assert_eq!(compiled.query(&good, None).unwrap(), before);
    let other = Evidence::parse(&net, "tub=yes").unwrap();
    assert_eq!(
        compiled.query(&other, None).unwrap(),
        compile(&net).query(&other, None).unwrap()
    );
}

#[test]
fn bad_targets_evidence_and_budgets_are_refused() {
    let net = deepgm_bn::embedded::load("asia").unwrap();
    let mut compiled = compile(&net);
    let smoke = net.find("smoke").unwrap();
    let evidence = Evidence::parse(&net, "smoke=yes").unwrap();
    let err = compiled.query(&evidence, Some(&[smoke])).unwrap_err();
    assert_eq!(err.parameter(), Some("targets"));
    let err = compiled.query(&evidence, Some(&[99])).unwrap_err();
    assert_eq!(err.parameter(), Some("targets"));
    // Evidence made for a larger network.
    let alarm = deepgm_bn::embedded::load("alarm").unwrap();
    let foreign = Evidence::from_pairs(&alarm, &[(30, 0)]).unwrap();
    let err = compiled.query(&foreign, None).unwrap_err();
    assert_eq!(err.parameter(), Some("evidence"));
    // Budgets: 0 is invalid, a few bytes infeasible.
    let err = CompiledNetwork::new(&net, &CompileParams { max_memory: 0 }).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    assert_eq!(err.parameter(), Some("max_memory"));
    let err = CompiledNetwork::new(&alarm, &CompileParams { max_memory: 1000 }).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Infeasible);
    assert_eq!(err.parameter(), Some("max_memory"));
    let needed = compile(&alarm).cost().peak_bytes;
    assert!(CompiledNetwork::new(
        &alarm,
        &CompileParams {
            max_memory: needed.ceil() as u64
        }
    )
    .is_ok());
}

/// A random evidence set: up to `max` distinct variables, each at a state drawn from `raw`.
fn evidence_of(net: &Network, raw: &[(usize, usize)]) -> Evidence {
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for &(v, s) in raw {
        let v = v % net.n_variables();
        if pairs.iter().all(|p| p.0 != v) {
            pairs.push((v, s % net.cardinality(v)));
        }
    }
    Evidence::from_pairs(net, &pairs).unwrap()
}

/// Runs the sequence on one engine and checks every answer (or error) against a freshly
/// compiled engine's, bit for bit.
fn check_sequence(net: &Network, sequence: &[Vec<(usize, usize)>], targets: Option<&[usize]>) {
    let mut engine = compile(net);
    for (i, raw) in sequence.iter().enumerate() {
        let evidence = evidence_of(net, raw);
        let targets: Option<Vec<usize>> = targets.map(|t| {
            t.iter()
                .copied()
                .filter(|&v| evidence.state_of(v).is_none())
                .collect()
        });
        let seen = engine.query(&evidence, targets.as_deref());
        let new = compile(net).query(&evidence, targets.as_deref());
        let plain = fresh(net, &evidence, targets.as_deref());
        match (seen, new, plain) {
            (Ok(a), Ok(b), Ok(c)) => {
                assert_eq!(a, b, "step {i}: {:?}", evidence.pairs());
                assert_close(&a, &c, 1e-12, &format!("step {i}: {:?}", evidence.pairs()));
            }
            (Err(a), Err(b), Err(c)) => {
                assert_eq!(a.to_string(), b.to_string(), "step {i}");
                assert_eq!(a.kind(), c.kind(), "step {i}");
                assert_eq!(a.parameter(), Some("evidence"), "step {i}");
            }
            (a, b, c) => panic!("step {i}: {a:?} vs {b:?} vs {c:?}"),
        }
    }
}

fn sequences(max_len: usize) -> impl Strategy<Value = Vec<Vec<(usize, usize)>>> {
    prop::collection::vec(
        prop::collection::vec((0usize..1000, 0usize..100), 0..7),
        1..max_len,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn asia_answers_do_not_depend_on_earlier_evidence(sequence in sequences(10)) {
        let net = deepgm_bn::embedded::load("asia").unwrap();
        check_sequence(&net, &sequence, None);
        check_sequence(&net, &sequence, Some(&[0, 3, 5, 7]));
    }

    #[test]
    fn alarm_answers_do_not_depend_on_earlier_evidence(sequence in sequences(8)) {
        let net = deepgm_bn::embedded::load("alarm").unwrap();
        check_sequence(&net, &sequence, None);
        check_sequence(&net, &sequence, Some(&[1, 8, 20, 36]));
    }
}
