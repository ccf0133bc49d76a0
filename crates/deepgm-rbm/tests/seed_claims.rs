//! Problem 3 of docs/derivations.md and the partition function, against brute-force enumeration.

use deepgm_core::mnist::Mnist;
use deepgm_core::progress::NoProgress;
use deepgm_core::rng::seeded;
use deepgm_rbm::*;
use ndarray::{Array1, Array2};
use rand::Rng;

fn random_model(d: usize, p: usize, scale: f64, seed: u64) -> BernoulliRbm<f64> {
    let mut rng = seeded(seed);
    let mut u = |s: f64| rng.random_range(-s..s);
    BernoulliRbm {
        w: Array2::from_shape_fn((d, p), |_| u(scale)),
        b: Array1::from_shape_fn(d, |_| u(scale)),
        a: Array1::from_shape_fn(p, |_| u(scale)),
    }
}

fn configs(n: usize) -> Vec<Array1<f64>> {
    (0..1u32 << n)
        .map(|bits| Array1::from_shape_fn(n, |i| f64::from(bits >> i & 1)))
        .collect()
}

/// Problem 3 of docs/derivations.md: p(h | v) from the joint by enumeration equals prod_j sigmoid((W'v + a)_j)
/// for every v and h (and likewise p(v | h)), to 1e-12.
#[test]
fn conditionals_factorize_as_the_seed_derives() {
    for (d, p, seed) in [(4, 3, 1), (3, 5, 2), (5, 4, 3)] {
        let m = random_model(d, p, 1.5, seed);
        let vs = configs(d);
        let hs = configs(p);
        for v in &vs {
            let joint: Vec<f64> = hs
                .iter()
                .map(|h| (-m.energy(v.view(), h.view())).exp())
                .collect();
            let pv: f64 = joint.iter().sum();
            let probs = m.hidden_probs(v.view().insert_axis(ndarray::Axis(0)));
            for (h, j) in hs.iter().zip(&joint) {
                let product: f64 = h
                    .iter()
                    .zip(probs.row(0))
                    .map(|(&hj, &q)| if hj > 0.5 { q } else { 1.0 - q })
                    .product();
                assert!(
                    (j / pv - product).abs() < 1e-12,
                    "p(h|v) {} vs {}",
                    j / pv,
                    product
                );
            }
        }
        for h in &hs {
            let joint: Vec<f64> = vs
                .iter()
                .map(|v| (-m.energy(v.view(), h.view())).exp())
                .collect();
            let ph: f64 = joint.iter().sum();
            let probs = m.visible_probs(h.view().insert_axis(ndarray::Axis(0)));
            for (v, j) in vs.iter().zip(&joint) {
                let product: f64 = v
                    .iter()
                    .zip(probs.row(0))
                    .map(|(&vi, &q)| if vi > 0.5 { q } else { 1.0 - q })
                    .product();
                assert!((j / ph - product).abs() < 1e-12);
            }
        }
    }
}

fn brute_log_z(m: &BernoulliRbm<f64>) -> f64 {
    let mut terms = Vec::new();
    for v in configs(m.visible()) {
        for h in configs(m.hidden()) {
            terms.push(-m.energy(v.view(), h.view()));
        }
    }
    log_sum_exp(&terms)
}

#[test]
fn free_energy_matches_enumeration() {
    let m = random_model(5, 4, 2.0, 7);
    let vs = configs(5);
    let batch = Array2::from_shape_fn((vs.len(), 5), |(r, c)| vs[r][c]);
    let fe = m.free_energy(batch.view());
    for (v, f) in vs.iter().zip(fe.iter()) {
        let terms: Vec<f64> = configs(4)
            .iter()
            .map(|h| -m.energy(v.view(), h.view()))
            .collect();
        assert!((-log_sum_exp(&terms) - f).abs() < 1e-10);
    }
}

#[test]
fn exact_log_z_matches_enumeration() {
    // Both directions (sum over hidden and over visible), small and large weights (the
    // product-of-exponentials path with short blocks, and the term-by-term path).
    for (d, p, scale, seed) in [
        (6, 4, 1.0, 1),
        (4, 7, 1.0, 2),
        (8, 8, 3.0, 3),
        (5, 5, 80.0, 4),
        (9, 3, 0.01, 5),
    ] {
        let m = random_model(d, p, scale, seed);
        let exact = exact_log_z(&m, &NoProgress).unwrap();
        let brute = brute_log_z(&m);
        assert!(
            (exact - brute).abs() < 1e-9 * (1.0 + brute.abs()),
            "{d}x{p} scale {scale}: {exact} vs {brute}"
        );
    }
    let big = BernoulliRbm::<f32>::zeros(40, 35);
    assert!(exact_log_z(&big, &NoProgress).is_err());
}

fn mnist_binary(n: usize) -> Array2<f32> {
    Mnist::embedded()
        .take(n)
        .binarize_sample(&mut seeded(0))
        .mapv(f32::from)
}

/// A trained model beats the base-rate model, and AIS agrees with the exact log Z within its band.
#[test]
fn training_improves_likelihood_and_ais_matches_exact() {
    let data = mnist_binary(1000);
    let hidden = 12;
    let model = BernoulliRbm::init(data.view(), hidden, &mut seeded(1)).unwrap();
    let mut trainer = Trainer::new(model, TrainOptions::default(), 1).unwrap();
    let mut errors = Vec::new();
    for _ in 0..8 {
        errors.push(
            trainer
                .epoch(data.view(), &NoProgress)
                .unwrap()
                .reconstruction_error,
        );
    }
    assert!(
        errors.last().unwrap() < &errors[0],
        "reconstruction error {errors:?}"
    );
    let model = trainer.model;
    let log_z = exact_log_z(&model, &NoProgress).unwrap();
    let trained = average_log_prob(&model, data.view(), log_z);
    let base = BernoulliRbm::<f32> {
        w: Array2::zeros((784, hidden)),
        b: base_rate_biases(data.view()),
        a: Array1::zeros(hidden),
    };
    let base_ll = average_log_prob(&base, data.view(), exact_log_z(&base, &NoProgress).unwrap());
    assert!(
        trained > base_ll + 10.0,
        "trained {trained} vs base rate {base_ll}"
    );
    let ais = ais_log_z(
        &model,
        &base_rate_biases(data.view()),
        &AisOptions {
            runs: 100,
            betas: 3000,
            seed: 2,
        },
        &NoProgress,
    )
    .unwrap();
    assert!(
        ais.log_z_low <= log_z && log_z <= ais.log_z_high,
        "exact {log_z} outside AIS band {ais:?}"
    );
    assert!(
        (ais.log_z - log_z).abs() < 1.0,
        "AIS {} vs exact {log_z}",
        ais.log_z
    );
}

#[test]
fn cd_and_pcd_gradients_have_the_expected_sign() {
    // Data: units 0 and 1 always on together, unit 2 always off. From a zero model, one update
    // raises b_0, b_1 and W between 0/1 and every hidden unit, and lowers b_2.
    let data = Array2::from_shape_fn((50, 3), |(_, c)| if c < 2 { 1.0f32 } else { 0.0 });
    for sampler in [Sampler::Cd(1), Sampler::Cd(3), Sampler::Pcd(1)] {
        let options = TrainOptions {
            sampler,
            batch: 50,
            weight_decay: 0.0,
            ..Default::default()
        };
        let mut trainer = Trainer::new(BernoulliRbm::zeros(3, 2), options, 5).unwrap();
        trainer.epoch(data.view(), &NoProgress).unwrap();
        let m = &trainer.model;
        assert!(
            m.b[0] > 0.0 && m.b[1] > 0.0 && m.b[2] < 0.0,
            "{sampler:?}: b {:?}",
            m.b
        );
        assert!(
            m.w.row(0).iter().all(|&w| w > 0.0),
            "{sampler:?}: W {:?}",
            m.w
        );
    }
}

#[test]
fn save_and_load_round_trip_and_bad_files() {
    let m = random_model(6, 3, 1.0, 9).cast::<f32>();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.safetensors");
    let meta = [("epochs".to_string(), "3".to_string())]
        .into_iter()
        .collect();
    io::save(&m, &path, &meta).unwrap();
    let (back, meta) = io::load(&path).unwrap();
    assert_eq!(back, m);
    // Same model and metadata, same bytes (the metadata map's order must not leak into the file).
    let again = dir.path().join("again.safetensors");
    let meta_again: std::collections::HashMap<String, String> = meta
        .iter()
        .filter(|(k, _)| k.as_str() == "epochs")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    io::save(&m, &again, &meta_again).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(&again).unwrap()
    );
    assert_eq!(meta["epochs"], "3");
    assert_eq!(meta["hidden"], "3");
    std::fs::write(&path, b"not safetensors").unwrap();
    let err = io::load(&path).unwrap_err();
    assert!(
        err.is_bad_input() && err.to_string().contains("m.safetensors"),
        "{err}"
    );
}

#[test]
fn same_seed_same_model() {
    let data = mnist_binary(300);
    let run = || {
        let model = BernoulliRbm::init(data.view(), 10, &mut seeded(4)).unwrap();
        let mut t = Trainer::new(model, TrainOptions::default(), 4).unwrap();
        t.epoch(data.view(), &NoProgress).unwrap();
        t.model
    };
    assert_eq!(run(), run());
}

/// The check at full size: 25 hidden units trained on MNIST digits, where the exact log Z
/// (2^25 terms) is still affordable; AIS must bracket it.
#[test]
fn ais_brackets_exact_log_z_with_25_hidden_units() {
    let data = mnist_binary(2000);
    let model = BernoulliRbm::init(data.view(), 25, &mut seeded(8)).unwrap();
    let mut trainer = Trainer::new(model, TrainOptions::default(), 8).unwrap();
    for _ in 0..3 {
        trainer.epoch(data.view(), &NoProgress).unwrap();
    }
    let model = trainer.model;
    let exact = exact_log_z(&model, &NoProgress).unwrap();
    let ais = ais_log_z(
        &model,
        &base_rate_biases(data.view()),
        &AisOptions {
            runs: 100,
            betas: 3000,
            seed: 8,
        },
        &NoProgress,
    )
    .unwrap();
    assert!(
        ais.log_z_low <= exact && exact <= ais.log_z_high,
        "exact {exact} outside AIS band {ais:?}"
    );
}
