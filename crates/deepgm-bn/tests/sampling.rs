//! Forward sampling, likelihood weighting and Gibbs sampling against exact inference.

use deepgm_bn::{Dataset, Network};
use deepgm_bn::{Estimate, GibbsParams, LikelihoodWeightingParams, SampleParams};
use deepgm_bn::{Evidence, Method, QueryParams};
use deepgm_core::progress::NoProgress;
use deepgm_core::{ErrorKind, Result};

fn exact(net: &Network, evidence: &Evidence) -> deepgm_bn::Posteriors {
    let params = QueryParams {
        method: Method::JunctionTree,
        ..QueryParams::default()
    };
    deepgm_bn::query(net, evidence, None, &params, &NoProgress).unwrap()
}

fn forward_sample(net: &Network, samples: usize, seed: u64) -> Result<Dataset> {
    deepgm_bn::forward_sample(net, &SampleParams { samples, seed }, &NoProgress)
}

fn likelihood_weighting(
    net: &Network,
    evidence: &Evidence,
    targets: Option<&[usize]>,
    samples: usize,
    seed: u64,
) -> Result<Estimate> {
    let params = LikelihoodWeightingParams { samples, seed };
    deepgm_bn::likelihood_weighting(net, evidence, targets, &params, &NoProgress)
}

fn gibbs(
    net: &Network,
    evidence: &Evidence,
    targets: Option<&[usize]>,
    samples: usize,
    burn_in: usize,
    seed: u64,
) -> Result<Estimate> {
    let params = GibbsParams {
        samples,
        burn_in,
        seed,
    };
    deepgm_bn::gibbs(net, evidence, targets, &params, &NoProgress)
}

/// Checks every sampled frequency against the exact marginal within `z` binomial standard
/// errors plus `slack`; returns the largest error in units of standard errors.
fn check_frequencies(net: &Network, n: usize, seed: u64, z: f64, slack: f64) -> f64 {
    let data = forward_sample(net, n, seed).unwrap();
    assert_eq!(data.n_rows(), n);
    assert_eq!(data.vars(), (0..net.n_variables()).collect::<Vec<_>>());
    let post = exact(net, &Evidence::none());
    let mut worst: f64 = 0.0;
    for m in &post.marginals {
        let (var, probs) = (&m.variable, &m.probabilities);
        let counts = data.state_counts(*var, net.cardinality(*var)).unwrap();
        for (state, (&p, &c)) in probs.iter().zip(&counts).enumerate() {
            let freq = c as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            let tol = z * se + slack;
            assert!(
                (freq - p).abs() <= tol,
                "{}={}: frequency {freq} vs exact {p} (tolerance {tol})",
                net.variable(*var).name,
                net.variable(*var).states[state]
            );
            if p == 0.0 {
                assert_eq!(c, 0, "a state of probability zero was drawn");
            }
            if se > 0.0 {
                worst = worst.max((freq - p).abs() / se);
            }
        }
    }
    worst
}

#[test]
fn forward_sampling_frequencies_converge_on_asia() {
    let net = deepgm_bn::embedded::load("asia").unwrap();
    let worst = check_frequencies(&net, 200_000, 1, 5.0, 1e-4);
    // A sampler that is right should not sit at the edge of the tolerance everywhere, and one
    // that ignored the tables would be hundreds of standard errors off.
    assert!(worst < 5.0, "{worst}");
}

#[test]
fn forward_sampling_frequencies_converge_on_alarm() {
    let net = deepgm_bn::embedded::load("alarm").unwrap();
    check_frequencies(&net, 100_000, 2, 5.0, 1e-4);
}

#[test]
fn forward_sampling_pairs_follow_the_tables() {
    // A conditional check the marginals alone would miss (e.g. a parent order mix-up): the
    // frequency of `dysp = yes` within each (bronc, either) configuration.
    let net = deepgm_bn::embedded::load("asia").unwrap();
    let n = 200_000;
    let data = forward_sample(&net, n, 3).unwrap();
    let (bronc, either, dysp) = (
        net.find("bronc").unwrap(),
        net.find("either").unwrap(),
        net.find("dysp").unwrap(),
    );
    let mut seen = [[0usize; 2]; 4];
    for row in data.rows() {
        let cfg = usize::from(row[bronc]) * 2 + usize::from(row[either]);
        seen[cfg][usize::from(row[dysp])] += 1;
    }
    let cpt = net.cpt(dysp);
    assert_eq!(cpt.parents, [bronc, either]);
    for (cfg, counts) in seen.iter().enumerate() {
        let total = (counts[0] + counts[1]) as f64;
        let p = cpt.row(cfg)[0];
        let tol = 5.0 * (p * (1.0 - p) / total).sqrt() + 1e-4;
        assert!(
            (counts[0] as f64 / total - p).abs() <= tol,
            "configuration {cfg}: {counts:?} vs {p}"
        );
    }
}

#[test]
fn same_seed_same_samples_different_seed_different_samples() {
    let net = deepgm_bn::embedded::load("alarm").unwrap();
    let a = forward_sample(&net, 500, 42).unwrap();
    let b = forward_sample(&net, 500, 42).unwrap();
    let c = forward_sample(&net, 500, 43).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.values(), c.values());
    let e = Evidence::parse(&net, "HR=HIGH").unwrap();
    assert_eq!(
        likelihood_weighting(&net, &e, None, 300, 5).unwrap(),
        likelihood_weighting(&net, &e, None, 300, 5).unwrap()
    );
    assert_ne!(
        likelihood_weighting(&net, &e, None, 300, 5).unwrap(),
        likelihood_weighting(&net, &e, None, 300, 6).unwrap()
    );
    assert_eq!(
        gibbs(&net, &e, None, 300, 10, 5).unwrap(),
        gibbs(&net, &e, None, 300, 10, 5).unwrap()
    );
    assert_ne!(
        gibbs(&net, &e, None, 300, 10, 5).unwrap(),
        gibbs(&net, &e, None, 300, 10, 6).unwrap()
    );
}

/// Compares an estimate with the exact posterior: each probability within `z` standard
/// errors `sqrt(p (1 - p) / ess)` (ess = the estimate's effective sample size) plus `slack`.
fn check_estimate(
    net: &Network,
    est: &Estimate,
    exact: &deepgm_bn::Posteriors,
    z: f64,
    slack: f64,
) {
    assert_eq!(est.marginals.len(), exact.marginals.len());
    let ess = est.detail.effective_samples;
    assert!(ess > 0.0 && ess <= est.detail.samples as f64 + 1e-9);
    for (m, t) in est.marginals.iter().zip(&exact.marginals) {
        let (v, approx, truth) = (&m.variable, &m.probabilities, &t.probabilities);
        assert_eq!(m.variable, t.variable);
        assert_eq!(m.name, t.name);
        assert!((approx.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        for (state, (&a, &p)) in approx.iter().zip(truth).enumerate() {
            let tol = z * (p * (1.0 - p) / ess).sqrt() + slack;
            assert!(
                (a - p).abs() <= tol,
                "{}={}: estimate {a} vs exact {p} (tolerance {tol}, ess {})",
                net.variable(*v).name,
                net.variable(*v).states[state],
                ess
            );
        }
    }
}

#[test]
fn likelihood_weighting_approaches_the_exact_posterior_and_evidence() {
    let net = deepgm_bn::embedded::load("asia").unwrap();
    // dysp=yes is likely (0.44), xray=no likely, asia=yes unlikely (0.01): weights vary a lot.
    for text in ["dysp=yes,xray=no", "asia=yes,dysp=yes,xray=yes"] {
        let evidence = Evidence::parse(&net, text).unwrap();
        let truth = exact(&net, &evidence);
        let n = 200_000;
        let est = likelihood_weighting(&net, &evidence, None, n, 11).unwrap();
        assert_eq!(est.detail.samples, n);
        // The self-normalized estimate's standard error is about sqrt(p(1-p)/ess) (Kish); 5 of
        // them plus 1e-3 for the O(1/n) bias and the approximation.
        check_estimate(&net, &est, &truth, 5.0, 1e-3);
        // ln of the mean weight: its relative standard error is sqrt(1/ess - 1/n).
        let log_e = est.log_evidence.unwrap();
        let rel_se = (1.0 / est.detail.effective_samples - 1.0 / n as f64)
            .max(0.0)
            .sqrt();
        assert!(
            (log_e - truth.log_evidence).abs() <= 5.0 * rel_se + 1e-4,
            "{text}: ln P(e) {log_e} vs exact {} (ess {})",
            truth.log_evidence,
            est.detail.effective_samples
        );
    }
}

#[test]
fn likelihood_weighting_targets_and_no_evidence() {
    let net = deepgm_bn::embedded::load("asia").unwrap();
    let lung = net.find("lung").unwrap();
    let est = likelihood_weighting(&net, &Evidence::none(), Some(&[lung]), 1000, 1).unwrap();
    assert_eq!(est.marginals.len(), 1);
    assert_eq!(est.marginals[0].variable, lung);
    assert_eq!(est.marginals[0].name, "lung");
    assert_eq!(est.log_evidence, Some(0.0));
    // Without evidence every weight is 1.
    assert!((est.detail.effective_samples - 1000.0).abs() < 1e-9);
}

#[test]
fn gibbs_approaches_the_exact_posterior_on_asia() {
    // asia's `either` is a deterministic OR of tub and lung: single-site Gibbs could never
    // change it, so this also checks the blocking that makes the chain ergodic.
    let net = deepgm_bn::embedded::load("asia").unwrap();
    for text in ["dysp=yes,xray=no", "xray=yes,smoke=no"] {
        let evidence = Evidence::parse(&net, text).unwrap();
        let truth = exact(&net, &evidence);
        let est = gibbs(&net, &evidence, None, 50_000, 1_000, 3).unwrap();
        assert_eq!(est.log_evidence, None);
        assert_eq!(est.detail.samples, 50_000);
        // The batch-means ess accounts for autocorrelation (and is the smallest over states,
        // so conservative for the others); 5 standard errors plus 2e-3 for the noise of the
        // ess estimate itself (20 batches).
        check_estimate(&net, &est, &truth, 5.0, 2e-3);
        assert!(
            est.detail.effective_samples > 1000.0,
            "{}",
            est.detail.effective_samples
        );
    }
}

#[test]
fn gibbs_and_likelihood_weighting_on_alarm_with_evidence() {
    let net = deepgm_bn::embedded::load("alarm").unwrap();
    let evidence = Evidence::parse(&net, "HRBP=HIGH,BP=LOW,CVP=NORMAL").unwrap();
    let truth = exact(&net, &evidence);
    let lw = likelihood_weighting(&net, &evidence, None, 50_000, 9).unwrap();
    check_estimate(&net, &lw, &truth, 5.0, 2e-3);
    // The ventilation chain of alarm (tables of 0.97 / 0.01) mixes slowly under Gibbs
    // sampling, and the reported effective sample size says so: over all targets it is the
    // smallest, and far below the number of sweeps.
    let all = gibbs(&net, &evidence, None, 20_000, 500, 9).unwrap();
    assert!(
        all.detail.effective_samples < 2_000.0,
        "{}",
        all.detail.effective_samples
    );
    check_estimate(&net, &all, &truth, 5.0, 2e-3);
    // The circulation variables mix well: a tight check on them.
    let names = [
        "HYPOVOLEMIA",
        "LVFAILURE",
        "LVEDVOLUME",
        "STROKEVOLUME",
        "HISTORY",
        "TPR",
    ];
    let targets: Vec<usize> = names.iter().map(|n| net.find(n).unwrap()).collect();
    let params = QueryParams {
        method: Method::JunctionTree,
        ..QueryParams::default()
    };
    let truth = deepgm_bn::query(&net, &evidence, Some(&targets), &params, &NoProgress).unwrap();
    let some = gibbs(&net, &evidence, Some(&targets), 20_000, 500, 9).unwrap();
    assert!(
        some.detail.effective_samples > 500.0,
        "{}",
        some.detail.effective_samples
    );
    check_estimate(&net, &some, &truth, 5.0, 2e-3);
}

#[test]
fn sampling_errors() {
    let net = deepgm_bn::embedded::load("asia").unwrap();
    let e = Evidence::parse(&net, "dysp=yes").unwrap();
    let dysp = net.find("dysp").unwrap();
    let param = |r: Result<Estimate>| {
        let err = r.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParameter, "{err}");
        err.parameter().unwrap().to_string()
    };
    assert_eq!(param(likelihood_weighting(&net, &e, None, 0, 1)), "samples");
    assert_eq!(param(gibbs(&net, &e, None, 0, 0, 1)), "samples");
    assert_eq!(param(gibbs(&net, &e, Some(&[dysp]), 10, 0, 1)), "targets");
    assert_eq!(
        param(likelihood_weighting(&net, &e, Some(&[99]), 10, 1)),
        "targets"
    );
    assert_eq!(param(gibbs(&net, &e, Some(&[0, 0]), 10, 0, 1)), "targets");
    // An output that cannot exist is an error, not an abort.
    let err = forward_sample(&net, usize::MAX / 2, 1).unwrap_err();
    assert_eq!(err.parameter(), Some("samples"), "{err}");
    // Impossible evidence: either=no with tub=yes has probability zero.
    let impossible = Evidence::parse(&net, "tub=yes,either=no").unwrap();
    let err = likelihood_weighting(&net, &impossible, None, 100, 1).unwrap_err();
    assert_eq!(err.parameter(), Some("evidence"));
    assert!(err.to_string().contains("weight zero"), "{err}");
    let err = gibbs(&net, &impossible, None, 100, 0, 1).unwrap_err();
    assert_eq!(err.parameter(), Some("evidence"));
    assert!(err.to_string().contains("cannot start"), "{err}");
}

#[test]
fn estimates_serialize_by_name() {
    let net = deepgm_bn::embedded::load("asia").unwrap();
    let e = Evidence::parse(&net, "dysp=yes").unwrap();
    let est = likelihood_weighting(&net, &e, None, 1000, 3).unwrap();
    let v = serde_json::to_value(&est).unwrap();
    assert_eq!(v["method"], "lw");
    assert_eq!(v["evidence"]["dysp"], "yes");
    assert_eq!(v["detail"]["samples"], 1000);
    assert_eq!(v["detail"]["seed"], 3);
    let lung = est.marginals.iter().find(|m| m.name == "lung").unwrap();
    assert_eq!(
        v["marginals"]["lung"]["yes"],
        lung.probability_of("yes").unwrap()
    );
    let g = serde_json::to_value(gibbs(&net, &e, None, 100, 10, 3).unwrap()).unwrap();
    assert_eq!(g["method"], "gibbs");
    assert!(g["log_evidence"].is_null());
}

/// Counts what a sampler reports.
#[derive(Default)]
struct Count {
    total: std::sync::atomic::AtomicU64,
    done: std::sync::atomic::AtomicU64,
}

impl deepgm_core::progress::Progress for Count {
    fn start(&self, total: u64, _label: &str) {
        self.total
            .store(total, std::sync::atomic::Ordering::Relaxed);
    }
    fn advance(&self, done: u64) {
        self.done
            .fetch_add(done, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Count {
    fn seen(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.total.load(Relaxed), self.done.load(Relaxed))
    }
}

#[test]
fn samplers_report_their_progress_in_full() {
    let net = deepgm_bn::embedded::load("asia").unwrap();
    let e = Evidence::parse(&net, "dysp=yes").unwrap();
    for n in [1, 4096, 10_000] {
        let count = Count::default();
        deepgm_bn::forward_sample(
            &net,
            &SampleParams {
                samples: n,
                seed: 0,
            },
            &count,
        )
        .unwrap();
        assert_eq!(count.seen(), (n as u64, n as u64));
        let count = Count::default();
        let params = LikelihoodWeightingParams {
            samples: n,
            seed: 0,
        };
        deepgm_bn::likelihood_weighting(&net, &e, None, &params, &count).unwrap();
        assert_eq!(count.seen(), (n as u64, n as u64));
        let count = Count::default();
        let params = GibbsParams {
            samples: n,
            burn_in: 100,
            seed: 0,
        };
        deepgm_bn::gibbs(&net, &e, None, &params, &count).unwrap();
        assert_eq!(count.seen(), (n as u64 + 100, n as u64 + 100));
    }
}
