//! Forward sampling, likelihood weighting and Gibbs sampling against exact inference.

use deepgm_bn::inference::{self, Evidence, Method, Options};
use deepgm_bn::sampling::{forward_sample, gibbs, likelihood_weighting, Estimate};
use deepgm_bn::Network;

fn exact(net: &Network, evidence: &Evidence) -> inference::Posteriors {
    inference::query(
        net,
        evidence,
        None,
        Method::JunctionTree,
        &Options::default(),
    )
    .unwrap()
}

/// Checks every sampled frequency against the exact marginal within `z` binomial standard
/// errors plus `slack`; returns the largest error in units of standard errors.
fn check_frequencies(net: &Network, n: usize, seed: u64, z: f64, slack: f64) -> f64 {
    let data = forward_sample(net, n, seed).unwrap();
    assert_eq!(data.n_rows(), n);
    assert_eq!(data.vars(), (0..net.n_variables()).collect::<Vec<_>>());
    let post = exact(net, &Evidence::none());
    let mut worst: f64 = 0.0;
    for (var, probs) in &post.marginals {
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
    exact: &inference::Posteriors,
    z: f64,
    slack: f64,
) {
    assert_eq!(est.marginals.len(), exact.marginals.len());
    assert!(est.effective_samples > 0.0 && est.effective_samples <= est.samples as f64 + 1e-9);
    for ((v, approx), (w, truth)) in est.marginals.iter().zip(&exact.marginals) {
        assert_eq!(v, w);
        assert!((approx.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        for (state, (&a, &p)) in approx.iter().zip(truth).enumerate() {
            let tol = z * (p * (1.0 - p) / est.effective_samples).sqrt() + slack;
            assert!(
                (a - p).abs() <= tol,
                "{}={}: estimate {a} vs exact {p} (tolerance {tol}, ess {})",
                net.variable(*v).name,
                net.variable(*v).states[state],
                est.effective_samples
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
        assert_eq!(est.samples, n);
        // The self-normalized estimate's standard error is about sqrt(p(1-p)/ess) (Kish); 5 of
        // them plus 1e-3 for the O(1/n) bias and the approximation.
        check_estimate(&net, &est, &truth, 5.0, 1e-3);
        // ln of the mean weight: its relative standard error is sqrt(1/ess - 1/n).
        let log_e = est.log_evidence.unwrap();
        let rel_se = (1.0 / est.effective_samples - 1.0 / n as f64)
            .max(0.0)
            .sqrt();
        assert!(
            (log_e - truth.log_evidence).abs() <= 5.0 * rel_se + 1e-4,
            "{text}: ln P(e) {log_e} vs exact {} (ess {})",
            truth.log_evidence,
            est.effective_samples
        );
    }
}

#[test]
fn likelihood_weighting_targets_and_no_evidence() {
    let net = deepgm_bn::embedded::load("asia").unwrap();
    let lung = net.find("lung").unwrap();
    let est = likelihood_weighting(&net, &Evidence::none(), Some(&[lung]), 1000, 1).unwrap();
    assert_eq!(est.marginals.len(), 1);
    assert_eq!(est.marginals[0].0, lung);
    assert_eq!(est.log_evidence, Some(0.0));
    // Without evidence every weight is 1.
    assert!((est.effective_samples - 1000.0).abs() < 1e-9);
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
        assert_eq!(est.samples, 50_000);
        // The batch-means ess accounts for autocorrelation (and is the smallest over states,
        // so conservative for the others); 5 standard errors plus 2e-3 for the noise of the
        // ess estimate itself (20 batches).
        check_estimate(&net, &est, &truth, 5.0, 2e-3);
        assert!(est.effective_samples > 1000.0, "{}", est.effective_samples);
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
    assert!(all.effective_samples < 2_000.0, "{}", all.effective_samples);
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
    let truth = inference::query(
        &net,
        &evidence,
        Some(&targets),
        Method::JunctionTree,
        &Options::default(),
    )
    .unwrap();
    let some = gibbs(&net, &evidence, Some(&targets), 20_000, 500, 9).unwrap();
    assert!(some.effective_samples > 500.0, "{}", some.effective_samples);
    check_estimate(&net, &some, &truth, 5.0, 2e-3);
}

#[test]
fn sampling_errors() {
    let net = deepgm_bn::embedded::load("asia").unwrap();
    let e = Evidence::parse(&net, "dysp=yes").unwrap();
    let dysp = net.find("dysp").unwrap();
    let msg = |r: deepgm_core::Result<Estimate>| r.unwrap_err().to_string();
    assert!(msg(likelihood_weighting(&net, &e, None, 0, 1)).contains("at least 1"));
    assert!(msg(gibbs(&net, &e, Some(&[dysp]), 10, 0, 1)).contains("dysp is observed"));
    assert!(msg(likelihood_weighting(&net, &e, Some(&[99]), 10, 1)).contains("out of range"));
    assert!(msg(gibbs(&net, &e, Some(&[0, 0]), 10, 0, 1)).contains("twice"));
    // An output that cannot exist is an error, not an abort.
    let err = forward_sample(&net, usize::MAX / 2, 1)
        .unwrap_err()
        .to_string();
    assert!(err.contains("do not fit in memory"), "{err}");
    // Impossible evidence: either=no with tub=yes has probability zero.
    let impossible = Evidence::parse(&net, "tub=yes,either=no").unwrap();
    assert!(msg(likelihood_weighting(&net, &impossible, None, 100, 1)).contains("weight zero"));
    assert!(msg(gibbs(&net, &impossible, None, 100, 0, 1)).contains("cannot start"));
}
