//! Structure learning: every score against an independent computation and against pgmpy's
//! (fixtures from bench/bn/structure_fixtures.py), the laws scores obey (decomposability, score
//! equivalence), and hill climbing's results and rules.

mod common;

use std::collections::HashMap;
use std::io::Read;

use deepgm_bn::infer_variables;
use deepgm_bn::log_joint;
use deepgm_bn::{
    cpdag_shd, hill_climb, structure_network, Dag, FamilyScorer, HillClimbParams, StructureScore,
};
use deepgm_bn::{read_csv, Dataset, LearnParams, Network, Prior, SampleParams};
use deepgm_core::progress::NoProgress;
use deepgm_core::rng::seeded;
use proptest::prelude::*;
use rand::Rng;

fn forward_sample(net: &Network, samples: usize, seed: u64) -> deepgm_core::Result<Dataset> {
    deepgm_bn::forward_sample(net, &SampleParams { samples, seed }, &NoProgress)
}

fn learn_parameters(net: &Network, data: &Dataset, prior: Prior) -> deepgm_core::Result<Network> {
    deepgm_bn::learn_parameters(net, data, &LearnParams { prior }, &NoProgress)
}

/// The CSV's variables (states inferred) as a network without arcs, and its data.
fn from_csv(text: &str) -> (Network, Dataset) {
    let vars = infer_variables(text, "test.csv").unwrap();
    let net = structure_network("data", vars.clone(), &Dag::empty(vars.len())).unwrap();
    let data = read_csv(&net, text, "test.csv").unwrap();
    (net, data)
}

fn alarm_fixture() -> (Network, Dataset, serde_json::Value) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let gz = std::fs::read(dir.join("alarm-1000.csv.gz")).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .unwrap();
    let scores: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("alarm-1000-scores.json")).unwrap())
            .unwrap();
    let (net, data) = from_csv(&text);
    (net, data, scores)
}

fn dag_from_names(net: &Network, arcs: &serde_json::Value) -> Dag {
    let arcs: Vec<(usize, usize)> = arcs
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let find = |i: usize| net.find(a[i].as_str().unwrap()).unwrap();
            (find(0), find(1))
        })
        .collect();
    Dag::from_arcs(net.n_variables(), &arcs).unwrap()
}

fn score_of(key: &str) -> StructureScore {
    match key {
        "ll" => StructureScore::LogLikelihood,
        "bic" => StructureScore::Bic,
        "aic" => StructureScore::Aic,
        "k2" => StructureScore::K2,
        "bdeu1" => StructureScore::BDeu { ess: 1.0 },
        "bdeu10" => StructureScore::BDeu { ess: 10.0 },
        other => panic!("unknown score {other}"),
    }
}

/// |a - b| within `rel` of the larger magnitude (at least 1).
fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

/// What pgmpy 1.1.2's K2 adds to the definition: it sums ln G(r) over every parent
/// configuration but subtracts ln G(N_ij + r) only over the observed ones, so each unobserved
/// configuration adds ln G(r) (0 for binary variables). deepgm follows Cooper and Herskovits.
fn pgmpy_k2_excess(net: &Network, data: &Dataset, child: usize, parents: &[usize]) -> f64 {
    let cols: Vec<usize> = parents
        .iter()
        .map(|&p| data.column_of(p).unwrap())
        .collect();
    let observed: std::collections::HashSet<Vec<u16>> = data
        .rows()
        .map(|row| cols.iter().map(|&c| row[c]).collect())
        .collect();
    let q: f64 = parents.iter().map(|&p| net.cardinality(p) as f64).product();
    (q - observed.len() as f64) * ln_gamma(net.cardinality(child) as f64)
}

#[test]
fn scores_equal_pgmpys_on_alarm_data() {
    let (net, data, fixture) = alarm_fixture();
    for (key, _) in fixture["dags"]["true"]["scores"].as_object().unwrap() {
        let scorer = FamilyScorer::new(&net, &data, score_of(key)).unwrap();
        for (name, dag) in fixture["dags"].as_object().unwrap() {
            let dag = &dag_from_names(&net, &dag["arcs"]);
            let excess: f64 = match key.as_str() {
                "k2" => (0..net.n_variables())
                    .map(|v| pgmpy_k2_excess(&net, &data, v, dag.parents(v)))
                    .sum(),
                _ => 0.0,
            };
            let expected = fixture["dags"][name]["scores"][key].as_f64().unwrap() - excess;
            let got = scorer.dag_score(dag);
            assert!(
                close(got, expected, 1e-9),
                "{key} of {name}: deepgm {got}, pgmpy {expected}"
            );
        }
        for (child, family) in fixture["families"].as_object().unwrap() {
            let parents: Vec<usize> = family["parents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| net.find(p.as_str().unwrap()).unwrap())
                .collect();
            let child = net.find(child).unwrap();
            let excess = match key.as_str() {
                "k2" => pgmpy_k2_excess(&net, &data, child, &parents),
                _ => 0.0,
            };
            let expected = family["scores"][key].as_f64().unwrap() - excess;
            let got = scorer.family(child, &parents);
            assert!(
                close(got, expected, 1e-9),
                "{key} of {child}: deepgm {got}, pgmpy {expected}"
            );
        }
    }
}

/// ln Gamma by the Lanczos approximation (g = 7, 9 terms), written independently of the
/// library's.
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let series = G[1..]
        .iter()
        .enumerate()
        .fold(G[0], |acc, (i, g)| acc + g / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + series.ln()
}

/// Every score of one family straight from its definition, counting rows in a hash map.
fn direct_family_score(
    data: &Dataset,
    cards: &[usize],
    child: usize,
    parents: &[usize],
    score: StructureScore,
) -> f64 {
    let col = |v: usize| data.column_of(v).unwrap();
    let mut counts: HashMap<Vec<u16>, Vec<f64>> = HashMap::new();
    for row in data.rows() {
        let config: Vec<u16> = parents.iter().map(|&p| row[col(p)]).collect();
        counts
            .entry(config)
            .or_insert_with(|| vec![0.0; cards[child]])[row[col(child)] as usize] += 1.0;
    }
    let r = cards[child] as f64;
    let q: f64 = parents.iter().map(|&p| cards[p] as f64).product();
    let n = data.n_rows() as f64;
    let ll: f64 = counts
        .values()
        .map(|g| {
            let nij: f64 = g.iter().sum();
            g.iter()
                .filter(|&&c| c > 0.0)
                .map(|&c| c * (c / nij).ln())
                .sum::<f64>()
        })
        .sum();
    match score {
        StructureScore::LogLikelihood => ll,
        StructureScore::Bic => ll - n.ln() / 2.0 * q * (r - 1.0),
        StructureScore::Aic => ll - q * (r - 1.0),
        StructureScore::K2 => counts
            .values()
            .map(|g| {
                let nij: f64 = g.iter().sum();
                ln_gamma(r) - ln_gamma(nij + r) + g.iter().map(|&c| ln_gamma(c + 1.0)).sum::<f64>()
            })
            .sum(),
        StructureScore::BDeu { ess } => counts
            .values()
            .map(|g| {
                let nij: f64 = g.iter().sum();
                let (a, b) = (ess / q, ess / (q * r));
                ln_gamma(a) - ln_gamma(nij + a)
                    + g.iter()
                        .map(|&c| ln_gamma(c + b) - ln_gamma(b))
                        .sum::<f64>()
            })
            .sum(),
    }
}

/// Random data: `n` variables with 2-4 states, `rows` rows, each variable depending on the one
/// before it so that counts are uneven.
fn random_csv(n: usize, rows: usize, seed: u64) -> String {
    let mut rng = seeded(seed);
    let cards: Vec<usize> = (0..n).map(|_| rng.random_range(2..5)).collect();
    let mut text = (0..n)
        .map(|v| format!("V{v}"))
        .collect::<Vec<_>>()
        .join(",");
    text.push('\n');
    for _ in 0..rows {
        let mut prev = 0;
        let cells: Vec<String> = cards
            .iter()
            .map(|&c| {
                let x = if rng.random_bool(0.6) {
                    prev % c
                } else {
                    rng.random_range(0..c)
                };
                prev = x;
                format!("s{x}")
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}

const ALL_SCORES: [StructureScore; 6] = [
    StructureScore::LogLikelihood,
    StructureScore::Bic,
    StructureScore::Aic,
    StructureScore::K2,
    StructureScore::BDeu { ess: 1.0 },
    StructureScore::BDeu { ess: 7.5 },
];

#[test]
fn family_scores_equal_their_definitions() {
    for seed in 0..4 {
        let (net, data) = from_csv(&random_csv(5, 300, seed));
        let cards: Vec<usize> = (0..5).map(|v| net.cardinality(v)).collect();
        for score in ALL_SCORES {
            let scorer = FamilyScorer::new(&net, &data, score).unwrap();
            for (child, parents) in [
                (0, vec![]),
                (1, vec![0]),
                (4, vec![0, 2, 3]),
                (2, vec![4, 1]),
            ] {
                let got = scorer.family(child, &parents);
                let want = direct_family_score(&data, &cards, child, &parents, score);
                assert!(
                    close(got, want, 1e-10),
                    "{score:?} {child} | {parents:?}: {got} vs {want}"
                );
            }
            // One more parent at a time, counted from the parents' configuration index.
            let fresh = FamilyScorer::new(&net, &data, score).unwrap();
            for parallel in [false, true] {
                let got = fresh.with_one_more_parent(2, &[4], &[0, 1, 3], parallel);
                for (&u, got) in [0, 1, 3].iter().zip(got) {
                    let want = direct_family_score(&data, &cards, 2, &[4, u], score);
                    assert!(
                        close(got, want, 1e-10),
                        "{score:?} 2 | 4, {u}: {got} vs {want}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_log_likelihood_score_is_the_log_likelihood_of_the_fitted_network() {
    let asia = deepgm_bn::embedded::load("asia").unwrap();
    let data = forward_sample(&asia, 5_000, 3).unwrap();
    let scorer = FamilyScorer::new(&asia, &data, StructureScore::LogLikelihood).unwrap();
    let dag = Dag::of_network(&asia);
    let fitted = learn_parameters(&asia, &data, Prior::MaximumLikelihood).unwrap();
    // The columns of a forward sample are the network's variables in order.
    let direct: f64 = data
        .rows()
        .map(|row| {
            let assignment: Vec<usize> = row.iter().map(|&x| x as usize).collect();
            log_joint(&fitted, &assignment)
        })
        .sum();
    let total = scorer.dag_score(&dag);
    assert!(close(total, direct, 1e-10), "{total} vs {direct}");
    let sum: f64 = (0..8).map(|v| scorer.family(v, dag.parents(v))).sum();
    assert_eq!(total, sum, "the total is the sum of the family scores");
}

/// A random DAG over `n` variables: arcs forward in a random order.
fn random_dag(n: usize, seed: u64) -> Dag {
    let mut rng = seeded(seed);
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    let mut arcs = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            if rng.random_bool(0.4) {
                arcs.push((order[i], order[j]));
            }
        }
    }
    Dag::from_arcs(n, &arcs).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// Reversing a covered arc (u -> v with pa(v) = pa(u) + u) gives an equivalent DAG, which
    /// BIC, AIC, the log-likelihood and BDeu score alike.
    #[test]
    fn equivalent_dags_score_alike(data_seed in 0u64..1000, dag_seed in 0u64..1000) {
        let (net, data) = from_csv(&random_csv(5, 200, data_seed));
        let dag = random_dag(5, dag_seed);
        let covered = dag.arcs().into_iter().find(|&(u, v)| {
            let mut expected = dag.parents(u).to_vec();
            expected.push(u);
            expected.sort_unstable();
            dag.parents(v) == expected.as_slice()
        });
        if let Some((u, v)) = covered {
            let mut other = dag.clone();
            other.remove_arc(u, v);
            other.add_arc(v, u);
            prop_assert_eq!(cpdag_shd(&dag, &other).unwrap().total(), 0);
            for score in [StructureScore::LogLikelihood, StructureScore::Bic, StructureScore::Aic,
                          StructureScore::BDeu { ess: 1.0 }, StructureScore::BDeu { ess: 5.0 }] {
                let scorer = FamilyScorer::new(&net, &data, score).unwrap();
                let (a, b) = (scorer.dag_score(&dag), scorer.dag_score(&other));
                prop_assert!(close(a, b, 1e-10), "{:?}: {} vs {}", score, a, b);
            }
        }
    }
}

fn learn(net: &Network, rows: usize, params: &HillClimbParams) -> (Dag, f64, f64) {
    let data = forward_sample(net, rows, 11).unwrap();
    let scorer = FamilyScorer::new(net, &data, StructureScore::Bic).unwrap();
    let found = hill_climb(&scorer, params, &NoProgress).unwrap();
    let truth = scorer.dag_score(&Dag::of_network(net));
    (found.dag, found.score, truth)
}

#[test]
fn hill_climbing_recovers_small_networks() {
    let mut nets = vec![(
        "asia".to_string(),
        deepgm_bn::embedded::load("asia").unwrap(),
    )];
    if common::shared_dir().is_some() {
        for name in ["cancer", "sachs"] {
            let dir = common::shared_dir().unwrap();
            nets.push((
                name.to_string(),
                deepgm_bn::load(dir.join(format!("{name}.bif.gz"))).unwrap(),
            ));
        }
    }
    for (name, net) in nets {
        let (dag, score, truth) = learn(&net, 50_000, &HillClimbParams::default());
        let shd = cpdag_shd(&dag, &Dag::of_network(&net)).unwrap();
        assert!(
            shd.total() == 0 || score >= truth - 1e-6,
            "{name}: CPDAG distance {} with score {score} below the true graph's {truth}",
            shd.total()
        );
        eprintln!(
            "{name}: CPDAG SHD {}, score {score:.3} (true graph {truth:.3})",
            shd.total()
        );
    }
}

#[test]
fn lists_and_the_indegree_limit_hold() {
    let asia = deepgm_bn::embedded::load("asia").unwrap();
    let v = |name: &str| asia.find(name).unwrap();
    let params = HillClimbParams {
        whitelist: vec![(v("asia"), v("dysp"))],
        blacklist: vec![(v("smoke"), v("lung")), (v("lung"), v("smoke"))],
        max_indegree: Some(1),
        ..HillClimbParams::default()
    };
    let (dag, _, _) = learn(&asia, 20_000, &params);
    assert!(dag.has_arc(v("asia"), v("dysp")));
    assert!(!dag.adjacent(v("smoke"), v("lung")));
    assert!((0..8).all(|x| dag.parents(x).len() <= 1));
}

#[test]
fn the_same_seed_gives_the_same_graph() {
    let asia = deepgm_bn::embedded::load("asia").unwrap();
    let params = HillClimbParams {
        restarts: 4,
        perturb: 4,
        seed: 5,
        ..HillClimbParams::default()
    };
    let data = forward_sample(&asia, 5_000, 11).unwrap();
    let scorer = FamilyScorer::new(&asia, &data, StructureScore::Bic).unwrap();
    let run = |params: &HillClimbParams| hill_climb(&scorer, params, &NoProgress).unwrap();
    let (a, b) = (run(&params), run(&params));
    assert_eq!(
        (&a.dag, a.score, a.iterations),
        (&b.dag, b.score, b.iterations)
    );
    // Another seed perturbs differently: the restarts take other paths (they may still end in
    // the same graph).
    let c = run(&HillClimbParams { seed: 6, ..params });
    assert_ne!(a.iterations, c.iterations);
}

#[test]
fn bad_settings_are_errors_naming_them() {
    let asia = deepgm_bn::embedded::load("asia").unwrap();
    let data = forward_sample(&asia, 100, 0).unwrap();
    let scorer = FamilyScorer::new(&asia, &data, StructureScore::Bic).unwrap();
    let run = |params: HillClimbParams| hill_climb(&scorer, &params, &NoProgress).unwrap_err();
    let name = |e: deepgm_core::Error| match e {
        deepgm_core::Error::InvalidParameter { name, .. } => name,
        other => panic!("{other}"),
    };
    assert_eq!(
        name(run(HillClimbParams {
            tolerance: f64::NAN,
            ..Default::default()
        })),
        "tolerance"
    );
    assert_eq!(
        name(run(HillClimbParams {
            whitelist: vec![(0, 1), (1, 0)],
            ..Default::default()
        })),
        "whitelist"
    );
    assert_eq!(
        name(run(HillClimbParams {
            whitelist: vec![(0, 1)],
            blacklist: vec![(0, 1)],
            ..Default::default()
        })),
        "whitelist"
    );
    assert_eq!(
        name(run(HillClimbParams {
            start: Some(Dag::empty(3)),
            ..Default::default()
        })),
        "start"
    );
    assert_eq!(
        name(run(HillClimbParams {
            whitelist: vec![(0, 2), (1, 2)],
            max_indegree: Some(1),
            ..Default::default()
        })),
        "max_indegree"
    );
    let err = FamilyScorer::new(&asia, &data, StructureScore::BDeu { ess: 0.0 })
        .err()
        .unwrap();
    assert_eq!(name(err), "ess");
}

#[test]
fn large_families_are_counted_sparsely_and_still_exactly() {
    // 4 states a column: a family of 10 has 4^10 cells (sorted counting), one of 34 has 4^34,
    // more than a 64-bit index holds (hashed counting).
    for columns in [10usize, 34] {
        let mut rng = seeded(columns as u64);
        let mut text = (0..columns)
            .map(|v| format!("V{v}"))
            .collect::<Vec<_>>()
            .join(",");
        text.push('\n');
        for _ in 0..60 {
            let row: Vec<String> = (0..columns)
                .map(|_| format!("s{}", rng.random_range(0..4)))
                .collect();
            text.push_str(&row.join(","));
            text.push('\n');
        }
        let (net, data) = from_csv(&text);
        let cards: Vec<usize> = (0..columns).map(|v| net.cardinality(v)).collect();
        let parents: Vec<usize> = (1..columns).collect();
        for score in ALL_SCORES {
            let scorer = FamilyScorer::new(&net, &data, score).unwrap();
            let got = scorer.family(0, &parents);
            let want = direct_family_score(&data, &cards, 0, &parents, score);
            assert!(
                close(got, want, 1e-10),
                "{columns} columns, {score:?}: {got} vs {want}"
            );
        }
    }
}
