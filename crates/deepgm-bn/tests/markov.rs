//! Exact inference on Markov networks: marginals, `ln Z(e)` and MAP against brute-force
//! enumeration on random factor graphs (connected or not, with evidence, zeros and constants),
//! against the Bayesian-network engine on converted networks, and against the UAI 2014
//! competition's reference solutions (`../shared/data/uai`, when present).

use std::path::PathBuf;
use std::time::Instant;

use deepgm_bn::{
    log_partition, map_markov, query_markov, Evidence, MarkovNetwork, Method, Model, MpeParams,
    Potential, QueryParams, Variable,
};
use deepgm_core::progress::NoProgress;
use deepgm_core::rng::seeded;
use deepgm_core::ErrorKind;
use proptest::prelude::*;
use rand::Rng;

fn params(method: Method) -> QueryParams {
    QueryParams {
        method,
        ..QueryParams::default()
    }
}

/// A random factor graph: `n` variables of 1 to 3 states, factors over 0 to 3 distinct
/// variables drawn from `groups` disjoint blocks (so the graph is disconnected when there are
/// several), values in (0, 1] with some zeros when `zeros`.
fn random_network(
    seed: u64,
    n: usize,
    n_factors: usize,
    groups: usize,
    zeros: bool,
) -> MarkovNetwork {
    let mut rng = seeded(seed);
    let variables: Vec<Variable> = (0..n)
        .map(|i| {
            let card = rng.random_range(1..=3);
            Variable::new(i.to_string(), (0..card).map(|s| s.to_string()))
        })
        .collect();
    let mut potentials = Vec::new();
    for _ in 0..n_factors {
        let group = rng.random_range(0..groups);
        let members: Vec<usize> = (0..n).filter(|v| v % groups == group).collect();
        let size = rng.random_range(0..=3usize.min(members.len()));
        let mut scope: Vec<usize> = Vec::new();
        while scope.len() < size {
            let v = members[rng.random_range(0..members.len())];
            if !scope.contains(&v) {
                scope.push(v);
            }
        }
        let entries: usize = scope.iter().map(|&v| variables[v].cardinality()).product();
        let values = (0..entries)
            .map(|_| {
                if zeros && rng.random_bool(0.15) {
                    0.0
                } else {
                    rng.random_range(0.01..1.0)
                }
            })
            .collect();
        potentials.push(Potential::new(scope, values));
    }
    MarkovNetwork::new("random", variables, potentials).unwrap()
}

/// Random evidence on about a third of the variables.
fn random_evidence(net: &MarkovNetwork, seed: u64) -> Evidence {
    let mut rng = seeded(seed ^ 0xe71d);
    let mut pairs = Vec::new();
    for v in 0..net.n_variables() {
        if rng.random_bool(0.3) {
            pairs.push((v, rng.random_range(0..net.cardinality(v))));
        }
    }
    Evidence::from_pairs(net, &pairs).unwrap()
}

/// Everything by enumeration: `Z(e)`, unnormalized marginals, and the largest log value.
struct Brute {
    z: f64,
    marginals: Vec<Vec<f64>>,
    max_log: f64,
}

fn brute_force(net: &MarkovNetwork, evidence: &Evidence) -> Brute {
    let n = net.n_variables();
    let mut marginals: Vec<Vec<f64>> = (0..n).map(|v| vec![0.0; net.cardinality(v)]).collect();
    let mut z = 0.0;
    let mut max_log = f64::NEG_INFINITY;
    let mut x = vec![0usize; n];
    loop {
        if evidence.pairs().iter().all(|&(v, s)| x[v] == s) {
            let log = net.log_value(&x);
            let value: f64 = (0..net.potentials().len())
                .map(|k| net.potential_value(k, &x))
                .product();
            z += value;
            max_log = max_log.max(log);
            for v in 0..n {
                marginals[v][x[v]] += value;
            }
        }
        let mut k = n;
        loop {
            if k == 0 {
                return Brute {
                    z,
                    marginals,
                    max_log,
                };
            }
            k -= 1;
            x[k] += 1;
            if x[k] < net.cardinality(k) {
                break;
            }
            x[k] = 0;
        }
    }
}

/// Checks every method and the MAP against enumeration; returns false when `Z(e)` is 0 (and
/// checks that each call says so).
fn check_against_enumeration(net: &MarkovNetwork, evidence: &Evidence, what: &str) -> bool {
    let brute = brute_force(net, evidence);
    if brute.z == 0.0 {
        let err = log_partition(net, evidence, &QueryParams::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParameter, "{what}");
        assert_eq!(err.parameter(), Some("evidence"), "{what}");
        let err = query_markov(net, evidence, None, &QueryParams::default(), &NoProgress);
        assert_eq!(err.unwrap_err().parameter(), Some("evidence"), "{what}");
        let err = map_markov(net, evidence, &MpeParams::default(), &NoProgress);
        assert_eq!(err.unwrap_err().parameter(), Some("evidence"), "{what}");
        return false;
    }
    let ln_z = log_partition(net, evidence, &QueryParams::default()).unwrap();
    assert!(
        (ln_z - brute.z.ln()).abs() <= 1e-12,
        "{what}: ln Z {ln_z} vs {}",
        brute.z.ln()
    );
    for method in [
        Method::Auto,
        Method::JunctionTree,
        Method::VariableElimination,
    ] {
        let answer = query_markov(net, evidence, None, &params(method), &NoProgress).unwrap();
        assert!(
            (answer.log_evidence - brute.z.ln()).abs() <= 1e-12,
            "{what} {method:?}: ln Z {} vs {}",
            answer.log_evidence,
            brute.z.ln()
        );
        let unobserved = (0..net.n_variables())
            .filter(|&v| evidence.state_of(v).is_none())
            .count();
        assert_eq!(answer.marginals.len(), unobserved, "{what}");
        for m in &answer.marginals {
            for (s, &p) in m.probabilities.iter().enumerate() {
                let expected = brute.marginals[m.variable][s] / brute.z;
                assert!(
                    (p - expected).abs() <= 1e-12,
                    "{what} {method:?}: P({} = {s}) = {p}, expected {expected}",
                    m.name
                );
            }
        }
    }
    let map = map_markov(net, evidence, &MpeParams::default(), &NoProgress).unwrap();
    assert_eq!(map.log_value, net.log_value(&map.assignment), "{what}");
    assert_eq!(map.log_value, brute.max_log, "{what}: MAP value");
    for &(v, s) in evidence.pairs() {
        assert_eq!(map.assignment[v], s, "{what}: the MAP keeps the evidence");
    }
    true
}

#[test]
fn random_factor_graphs_match_enumeration() {
    let mut positive = 0;
    let shapes = [
        (1, 1, 1),
        (4, 3, 1),
        (6, 8, 1),
        (7, 10, 2),
        (8, 6, 3),
        (8, 14, 1),
        (9, 4, 4),
    ];
    for (i, &(n, factors, groups)) in shapes.iter().enumerate() {
        for seed in 0..12u64 {
            let seed = seed + 100 * i as u64;
            let net = random_network(seed, n, factors, groups, seed.is_multiple_of(3));
            let what = format!("n {n}, factors {factors}, groups {groups}, seed {seed}");
            positive += usize::from(check_against_enumeration(&net, &Evidence::none(), &what));
            let evidence = random_evidence(&net, seed);
            positive += usize::from(check_against_enumeration(
                &net,
                &evidence,
                &format!("{what}, evidence {:?}", evidence.pairs()),
            ));
        }
    }
    assert!(positive > 120, "most cases have Z(e) > 0: {positive}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The law: exact answers equal enumeration, for any small factor graph and evidence.
    #[test]
    fn any_small_factor_graph_matches_enumeration(
        seed in any::<u64>(),
        n in 1usize..7,
        factors in 0usize..9,
        groups in 1usize..3,
        zeros in any::<bool>(),
    ) {
        let net = random_network(seed, n, factors, groups, zeros);
        let evidence = random_evidence(&net, seed);
        check_against_enumeration(&net, &evidence, &format!("seed {seed}"));
    }
}

#[test]
fn targets_can_be_chosen_and_are_checked() {
    let net = random_network(5, 8, 6, 3, false);
    let brute = brute_force(&net, &Evidence::none());
    let answer = query_markov(
        &net,
        &Evidence::none(),
        Some(&[6, 1]),
        &QueryParams::default(),
        &NoProgress,
    )
    .unwrap();
    assert_eq!(answer.marginals.len(), 2);
    assert_eq!(answer.marginals[0].variable, 6);
    assert!((answer.log_evidence - brute.z.ln()).abs() < 1e-12);
    for m in &answer.marginals {
        for (s, &p) in m.probabilities.iter().enumerate() {
            assert!((p - brute.marginals[m.variable][s] / brute.z).abs() < 1e-12);
        }
    }
    let evidence = Evidence::from_pairs(&net, &[(2, 0)]).unwrap();
    for bad in [vec![8], vec![2], vec![1, 1]] {
        let err = query_markov(
            &net,
            &evidence,
            Some(&bad),
            &QueryParams::default(),
            &NoProgress,
        )
        .unwrap_err();
        assert_eq!(err.parameter(), Some("targets"), "{bad:?}: {err}");
    }
    // No targets: ln Z(e) alone.
    let answer = query_markov(
        &net,
        &evidence,
        Some(&[]),
        &QueryParams::default(),
        &NoProgress,
    )
    .unwrap();
    assert!(answer.marginals.is_empty());
    let z = brute_force(&net, &evidence).z;
    assert!((answer.log_evidence - z.ln()).abs() < 1e-12);
}

#[test]
fn variables_in_no_potential_and_constants_count_in_z() {
    let variables = vec![
        Variable::new("a", ["0", "1", "2"]),
        Variable::new("b", ["0", "1"]),
        Variable::new("c", ["0", "1"]),
    ];
    let potentials = vec![
        Potential::new(vec![], vec![0.5]),
        Potential::new(vec![2, 1], vec![1.0, 2.0, 3.0, 4.0]),
    ];
    let net = MarkovNetwork::new("m", variables, potentials).unwrap();
    // Z = 0.5 * 3 (a is free) * 10.
    let ln_z = log_partition(&net, &Evidence::none(), &QueryParams::default()).unwrap();
    assert!((ln_z - 15f64.ln()).abs() < 1e-12);
    let answer = query_markov(
        &net,
        &Evidence::none(),
        None,
        &QueryParams::default(),
        &NoProgress,
    )
    .unwrap();
    assert_eq!(
        answer.marginal("a").unwrap().probabilities,
        vec![1.0 / 3.0; 3]
    );
    let map = map_markov(&net, &Evidence::none(), &MpeParams::default(), &NoProgress).unwrap();
    assert_eq!(map.assignment, [0, 1, 1]);
    assert_eq!(map.log_value, 0.5f64.ln() + 4f64.ln());
    let json = serde_json::to_value(&map).unwrap();
    assert_eq!(json["assignment"]["b"], "1");
    assert_eq!(json["log_value"], map.log_value);
}

#[test]
fn budgets_are_checked_before_building() {
    let net = random_network(3, 8, 14, 1, false);
    let tiny = QueryParams {
        max_memory: 64,
        ..QueryParams::default()
    };
    for method in [
        Method::Auto,
        Method::JunctionTree,
        Method::VariableElimination,
    ] {
        let err = query_markov(
            &net,
            &Evidence::none(),
            None,
            &QueryParams { method, ..tiny },
            &NoProgress,
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Infeasible, "{method:?}");
        assert_eq!(err.parameter(), Some("max_memory"));
    }
    let err = log_partition(&net, &Evidence::none(), &tiny).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Infeasible);
    let err = map_markov(
        &net,
        &Evidence::none(),
        &MpeParams { max_memory: 64 },
        &NoProgress,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Infeasible);
    let zero = QueryParams {
        max_memory: 0,
        ..QueryParams::default()
    };
    let err = log_partition(&net, &Evidence::none(), &zero).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
}

/// A Bayesian network, as a Markov network and through UAI, gives the answers of the
/// Bayesian-network engine.
#[test]
fn converted_bayesian_networks_agree_with_the_bn_engine() {
    for (name, evidence_text) in [
        ("asia", "smoke=yes,dysp=yes"),
        ("alarm", "HRBP=HIGH,BP=LOW,SAO2=LOW"),
    ] {
        let net = deepgm_bn::embedded::load(name).unwrap();
        let evidence = Evidence::parse(&net, evidence_text).unwrap();
        let bn =
            deepgm_bn::query(&net, &evidence, None, &QueryParams::default(), &NoProgress).unwrap();
        let markov = MarkovNetwork::from_network(&net);
        let mn = query_markov(
            &markov,
            &evidence,
            None,
            &QueryParams::default(),
            &NoProgress,
        )
        .unwrap();
        // The BN engine normalizes each row (alarm's sum to 1 within about 1e-7).
        let tolerance = if name == "asia" { 1e-12 } else { 1e-6 };
        assert!(
            (bn.log_evidence - mn.log_evidence).abs() < tolerance,
            "{name}: {} vs {}",
            bn.log_evidence,
            mn.log_evidence
        );
        for (a, b) in bn.marginals.iter().zip(&mn.marginals) {
            assert_eq!(a.name, b.name);
            for (p, q) in a.probabilities.iter().zip(&b.probabilities) {
                assert!((p - q).abs() < tolerance, "{name} {}: {p} vs {q}", a.name);
            }
        }
        let ln_z = log_partition(&markov, &evidence, &QueryParams::default()).unwrap();
        assert!((ln_z - mn.log_evidence).abs() < 1e-12);
        let mpe = deepgm_bn::mpe(&net, &evidence, &MpeParams::default(), &NoProgress).unwrap();
        let map = map_markov(&markov, &evidence, &MpeParams::default(), &NoProgress).unwrap();
        assert!(
            (mpe.log_prob - map.log_value).abs() < 1e-9,
            "{name}: MPE {} vs MAP {}",
            mpe.log_prob,
            map.log_value
        );
        // Through UAI BAYES: the same network by index, the same answers bit for bit.
        let text = deepgm_bn::write_uai_bayes(&net);
        let Model::Bayesian(again) = deepgm_bn::parse_uai(&text, "x.uai").unwrap() else {
            panic!("a BAYES file reads as a Bayesian network")
        };
        let by_index = Evidence::from_pairs(&again, evidence.pairs()).unwrap();
        let read = deepgm_bn::query(
            &again,
            &by_index,
            None,
            &QueryParams::default(),
            &NoProgress,
        )
        .unwrap();
        assert_eq!(read.log_evidence, bn.log_evidence, "{name}");
        for (a, b) in bn.marginals.iter().zip(&read.marginals) {
            assert_eq!(a.variable, b.variable);
            assert_eq!(a.probabilities, b.probabilities, "{name}");
        }
        // Through UAI MARKOV: the same Markov answers.
        let text = deepgm_bn::write_uai_markov(&markov);
        let Model::Markov(again) = deepgm_bn::parse_uai(&text, "x.uai").unwrap() else {
            panic!("a MARKOV file reads as a Markov network")
        };
        let read = query_markov(
            &again,
            &by_index,
            None,
            &QueryParams::default(),
            &NoProgress,
        )
        .unwrap();
        assert_eq!(read.log_evidence, mn.log_evidence, "{name}");
        for (a, b) in mn.marginals.iter().zip(&read.marginals) {
            assert_eq!(a.probabilities, b.probabilities, "{name}");
        }
    }
}

/// The UAI 2014 instances, `<repo root>/../shared/data/uai`, if present.
fn shared_uai() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/uai");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} is absent; skipping the UAI reference checks",
            dir.display()
        );
        None
    }
}

/// The numbers of a reference file after its first word (`MAR`, `PR`, `MAP`).
fn reference_numbers(path: &std::path::Path) -> Vec<f64> {
    let text = std::fs::read_to_string(path).unwrap();
    text.split_whitespace()
        .skip(1)
        .map(|t| t.parse().unwrap())
        .collect()
}

/// Instances whose best elimination plan (without evidence) builds more than this many entries
/// are left to the benchmark (`bench/uai/run.py`).
const FAST_ENTRIES: f64 = 5e6;

#[test]
fn uai_2014_instances_match_the_references() {
    let Some(dir) = shared_uai() else { return };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().ok()?;
            name.strip_suffix(".uai").map(str::to_string)
        })
        .collect();
    names.sort();
    assert_eq!(names.len(), 52);
    let mut checked = 0;
    for name in &names {
        let path = dir.join(format!("{name}.uai"));
        let Model::Markov(net) = deepgm_bn::load_model(&path).unwrap() else {
            panic!("{name} is a MARKOV file")
        };
        let summary = deepgm_bn::summarize_markov(&net);
        if summary.elimination_entries > FAST_ENTRIES {
            eprintln!(
                "{name}: skipped ({:.2e} entries to eliminate; see bench/uai)",
                summary.elimination_entries
            );
            continue;
        }
        let start = Instant::now();
        let evidence =
            deepgm_bn::load_uai_evidence(dir.join(format!("{name}.uai.evid")), &net).unwrap();
        let answer =
            query_markov(&net, &evidence, None, &QueryParams::default(), &NoProgress).unwrap();
        // MAR: card, then the marginal, per variable; observed variables get their indicator.
        let mar = reference_numbers(&dir.join(format!("{name}.uai.MAR")));
        assert_eq!(mar[0] as usize, net.n_variables());
        let mut at = 1;
        let mut reference = Vec::new();
        for v in 0..net.n_variables() {
            let card = mar[at] as usize;
            assert_eq!(card, net.cardinality(v), "{name}: variable {v}");
            reference.push(mar[at + 1..at + 1 + card].to_vec());
            at += 1 + card;
        }
        let mut worst: f64 = 0.0;
        for m in &answer.marginals {
            for (p, q) in m.probabilities.iter().zip(&reference[m.variable]) {
                worst = worst.max((p - q).abs());
            }
        }
        assert!(worst <= 1e-5, "{name}: marginals differ by {worst}");
        let pr_text = std::fs::read_to_string(dir.join(format!("{name}.uai.PR"))).unwrap();
        let pr_word = pr_text.split_whitespace().nth(1).unwrap();
        let pr: f64 = pr_word.parse().unwrap();
        // The reference prints 6 significant digits: 606.279 is good to 5e-4 only.
        let decimals = pr_word.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
        let tolerance = (0.5 * 10f64.powi(-decimals)).max(1e-4);
        let log10_z = answer.log_evidence / std::f64::consts::LN_10;
        assert!(
            (log10_z - pr).abs() <= tolerance,
            "{name}: log10 Z(e) {log10_z} vs {pr}"
        );
        let map = map_markov(&net, &evidence, &MpeParams::default(), &NoProgress).unwrap();
        let map_ref = reference_numbers(&dir.join(format!("{name}.uai.MAP")));
        let assignment: Vec<usize> = map_ref[1..].iter().map(|&s| s as usize).collect();
        let reference_value = net.log_value(&assignment);
        assert!(
            reference_value <= map.log_value + 1e-9,
            "{name}: the reference MAP scores {reference_value}, ours {}",
            map.log_value
        );
        eprintln!(
            "{name}: marginals within {worst:.1e}, log10 Z(e) {log10_z:.6} (reference {pr}), \
             MAP {:.6} (reference {reference_value:.6}), {:.3} s",
            map.log_value,
            start.elapsed().as_secs_f64()
        );
        checked += 1;
    }
    assert!(checked >= 22, "{checked} instances checked");
}
