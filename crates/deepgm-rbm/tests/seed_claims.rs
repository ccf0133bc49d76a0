//! Problem 3 of docs/derivations.md and the partition function, against brute-force enumeration.

use deepgm_core::mnist::Mnist;
use deepgm_core::numeric::log_sum_exp;
use deepgm_core::params::Params;
use deepgm_core::progress::NoProgress;
use deepgm_core::rng::seeded;
use deepgm_core::schedule::LearningRateSchedule;
use deepgm_core::{Error, ErrorKind};
use deepgm_rbm::*;
use ndarray::{Array1, Array2};
use rand::Rng;

fn random_model(d: usize, p: usize, scale: f64, seed: u64) -> BernoulliRbm<f64> {
    let mut rng = seeded(seed);
    let mut u = |s: f64| rng.random_range(-s..s);
    let w = Array2::from_shape_fn((d, p), |_| u(scale));
    let b = Array1::from_shape_fn(d, |_| u(scale));
    let a = Array1::from_shape_fn(p, |_| u(scale));
    BernoulliRbm::new(w, b, a).unwrap()
}

fn configs(n: usize) -> Vec<Array1<f64>> {
    (0..1u32 << n)
        .map(|bits| Array1::from_shape_fn(n, |i| f64::from(bits >> i & 1)))
        .collect()
}

/// Problem 3 of docs/derivations.md: p(h | v) from the joint by enumeration equals prod_j sigmoid((W'v + a)_j)
/// for every v and h (and likewise p(v | h)), to 1e-12: the claim `rbm-hidden-factorizes` on
/// models of other sizes and weights.
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
    let err = exact_log_z(&big, &NoProgress).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Infeasible);
}

fn mnist_binary(n: usize) -> Array2<f32> {
    Mnist::embedded()
        .take(n)
        .binarize_sample(&mut seeded(0))
        .mapv(f32::from)
}

/// A trained model beats the base-rate model by a margin, its reconstruction error falls, and
/// AIS agrees with the exact log Z within its band and to 1 nat (the claims `rbm-cd-gradient`
/// and `rbm-ais`, tightened, on another model).
#[test]
fn training_improves_likelihood_and_ais_matches_exact() {
    let data = mnist_binary(1000);
    let hidden = 12;
    let params = TrainParams {
        hidden,
        seed: 1,
        ..Default::default()
    };
    let mut trainer = Trainer::new(data.view(), params).unwrap();
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
    let model = trainer.into_model();
    let log_z = exact_log_z(&model, &NoProgress).unwrap();
    let trained = average_log_prob(&model, data.view(), log_z);
    let base = BernoulliRbm::<f32>::new(
        Array2::zeros((784, hidden)),
        base_rate_biases(data.view()),
        Array1::zeros(hidden),
    )
    .unwrap();
    let base_ll = average_log_prob(&base, data.view(), exact_log_z(&base, &NoProgress).unwrap());
    assert!(
        trained > base_ll + 10.0,
        "trained {trained} vs base rate {base_ll}"
    );
    let ais = ais_log_z(
        &model,
        &base_rate_biases(data.view()),
        &AisParams {
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
        let params = TrainParams {
            hidden: 2,
            sampler,
            batch: 50,
            weight_decay: 0.0,
            seed: 5,
            ..Default::default()
        };
        let mut trainer = Trainer::with_model(BernoulliRbm::zeros(3, 2), 0, params).unwrap();
        trainer.epoch(data.view(), &NoProgress).unwrap();
        let m = trainer.model();
        assert!(
            m.b()[0] > 0.0 && m.b()[1] > 0.0 && m.b()[2] < 0.0,
            "{sampler:?}: b {:?}",
            m.b()
        );
        assert!(
            m.w().row(0).iter().all(|&w| w > 0.0),
            "{sampler:?}: W {:?}",
            m.w()
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
    save_model(&m, &path, &meta).unwrap();
    let (back, meta) = load_model(&path).unwrap();
    assert_eq!(back, m);
    // Same model and metadata, same bytes (the metadata map's order must not leak into the file).
    let again = dir.path().join("again.safetensors");
    let meta_again: std::collections::HashMap<String, String> = meta
        .iter()
        .filter(|(k, _)| k.as_str() == "epochs")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    save_model(&m, &again, &meta_again).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(&again).unwrap()
    );
    assert_eq!(meta["epochs"], "3");
    assert_eq!(meta["hidden"], "3");
    std::fs::write(&path, b"not safetensors").unwrap();
    let err = load_model(&path).unwrap_err();
    assert!(
        matches!(&err, Error::Format { path: p, .. } if p == &path),
        "{err}"
    );
}

#[test]
fn same_seed_same_model_and_other_seed_other_model() {
    let data = mnist_binary(300);
    let run = |seed| {
        let params = TrainParams {
            hidden: 10,
            seed,
            ..Default::default()
        };
        let mut t = Trainer::new(data.view(), params).unwrap();
        t.epoch(data.view(), &NoProgress).unwrap();
        t.into_model()
    };
    assert_eq!(run(4), run(4));
    assert_ne!(run(4), run(5));
}

#[test]
fn gibbs_samples_are_seeded() {
    let m = random_model(9, 4, 1.0, 3).cast::<f32>();
    let run = |seed| {
        let params = GibbsParams {
            chains: 5,
            steps: 7,
            seed,
        };
        gibbs_samples(&m, &params, &NoProgress).unwrap()
    };
    assert_eq!(run(1).dim(), (5, 9));
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
    // Advancing chains 3 then 4 steps draws as advancing them 7.
    let start = Array2::from_shape_fn((5, 9), |(r, c)| f32::from(u8::from((r + c) % 3 == 0)));
    let mut once = GibbsChains::new(&m, start.clone(), 8).unwrap();
    let mut twice = GibbsChains::new(&m, start, 8).unwrap();
    let all = once.advance(7, &NoProgress);
    twice.advance(3, &NoProgress);
    assert_eq!(all, twice.advance(4, &NoProgress));
    assert_eq!(once.states(), twice.states());
}

#[test]
fn parameters_are_checked_by_name() {
    let data = mnist_binary(20);
    let bad_train = [
        (
            TrainParams {
                hidden: 0,
                ..Default::default()
            },
            "hidden",
        ),
        (
            TrainParams {
                sampler: Sampler::Pcd(0),
                ..Default::default()
            },
            "sampler",
        ),
        (
            TrainParams {
                batch: 0,
                ..Default::default()
            },
            "batch",
        ),
        (
            TrainParams {
                learning_rate: -1.0,
                ..Default::default()
            },
            "learning_rate",
        ),
        (
            TrainParams {
                schedule: LearningRateSchedule::InverseTime { decay: -0.5 },
                ..Default::default()
            },
            "schedule",
        ),
        (
            TrainParams {
                final_momentum: f64::NAN,
                ..Default::default()
            },
            "final_momentum",
        ),
        (
            TrainParams {
                weight_decay: f64::INFINITY,
                ..Default::default()
            },
            "weight_decay",
        ),
    ];
    for (params, name) in bad_train {
        let err = Trainer::new(data.view(), params).err().expect(name);
        assert_eq!(err.kind(), ErrorKind::InvalidParameter);
        assert_eq!(err.parameter(), Some(name));
    }
    assert!(TrainParams::default().check().is_ok());
    let m = BernoulliRbm::<f32>::zeros(784, 3);
    let err = Trainer::with_model(m.clone(), 0, TrainParams::default())
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::Shape);
    let base = base_rate_biases(data.view());
    for (runs, betas, name) in [(0, 100, "runs"), (10, 2, "betas")] {
        let params = AisParams {
            runs,
            betas,
            seed: 0,
        };
        let err = ais_log_z(&m, &base, &params, &NoProgress).unwrap_err();
        assert_eq!(err.parameter(), Some(name));
    }
    let err = ais_log_z(
        &m,
        &base.slice(ndarray::s![..5]).to_owned(),
        &AisParams::default(),
        &NoProgress,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shape);
    for (params, name) in [
        (
            ScoreParams {
                ais_runs: 0,
                ..Default::default()
            },
            "ais_runs",
        ),
        (
            ScoreParams {
                ais_betas: 1,
                ..Default::default()
            },
            "ais_betas",
        ),
        (
            ScoreParams {
                method: Some(LogZMethod::Ais),
                ..Default::default()
            },
            "base_b",
        ),
    ] {
        let err = score(&m, data.view(), None, &params, &NoProgress).unwrap_err();
        assert_eq!(err.parameter(), Some(name));
    }
    let narrow = Array2::<f32>::zeros((4, 7));
    let err = score(
        &m,
        narrow.view(),
        None,
        &ScoreParams::default(),
        &NoProgress,
    )
    .unwrap_err();
    assert_eq!(err.parameter(), Some("data"));
    let params = GibbsParams {
        chains: 0,
        ..Default::default()
    };
    let err = gibbs_samples(&m, &params, &NoProgress).unwrap_err();
    assert_eq!(err.parameter(), Some("chains"));
    let err = BernoulliRbm::<f32>::new(Array2::zeros((3, 2)), Array1::zeros(2), Array1::zeros(2))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shape);
    let err = BernoulliRbm::<f32>::new(
        Array2::from_elem((3, 2), f32::NAN),
        Array1::zeros(3),
        Array1::zeros(2),
    )
    .unwrap_err();
    assert_eq!(err.parameter(), Some("w"));
}

#[test]
fn checkpoints_resume_where_they_stopped() {
    let data = mnist_binary(200);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.safetensors");
    let params = TrainParams {
        hidden: 5,
        schedule: LearningRateSchedule::InverseTime { decay: 0.5 },
        seed: 3,
        ..Default::default()
    };
    let mut trainer = Trainer::new(data.view(), params.clone()).unwrap();
    for _ in 0..2 {
        trainer.epoch(data.view(), &NoProgress).unwrap();
    }
    trainer
        .save_checkpoint(&path, &[("binarize", "sample".to_string())])
        .unwrap();
    let (saved, meta) = load_model(&path).unwrap();
    assert_eq!(&saved, trainer.model());
    assert_eq!(meta["epochs"], "2");
    assert_eq!(meta["lr_decay"], "0.5");
    assert_eq!(meta["sampler"], "cd-1");
    assert_eq!(meta["binarize"], "sample");
    let mut resumed = Trainer::resume(&path, 784, params.clone()).unwrap();
    assert_eq!(resumed.epochs_done(), 2);
    let report = resumed.epoch(data.view(), &NoProgress).unwrap();
    assert_eq!(report.epoch, 3);
    assert!((report.learning_rate - 0.05 / 2.0).abs() < 1e-15);
    let wider = TrainParams {
        hidden: 6,
        ..params
    };
    let err = Trainer::resume(&path, 784, wider).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Format);
}

#[test]
fn resampled_binarization_draws_afresh_from_the_second_epoch() {
    let mnist = Mnist::embedded().take(50);
    let first = Binarization::Resample.apply(&mnist, 1);
    assert_eq!(first, Binarization::Sample.apply(&mnist, 1));
    assert_ne!(first, Binarization::Sample.apply(&mnist, 2));
    assert!(Binarization::Resample.for_epoch(&mnist, 1, 0).is_none());
    assert!(Binarization::Sample.for_epoch(&mnist, 1, 3).is_none());
    let second = Binarization::Resample.for_epoch(&mnist, 1, 1).unwrap();
    assert_ne!(second, first);
    assert_eq!(Some(second), Binarization::Resample.for_epoch(&mnist, 1, 1));
    assert_eq!(
        Binarization::for_scoring(Some("resample")),
        Binarization::Sample
    );
    assert_eq!(
        Binarization::for_scoring(Some("threshold")),
        Binarization::Threshold
    );
}

/// The check at full size: 25 hidden units trained on MNIST digits, where the exact log Z
/// (2^25 terms) is still affordable; AIS must bracket it.
#[test]
fn ais_brackets_exact_log_z_with_25_hidden_units() {
    let data = mnist_binary(2000);
    let params = TrainParams {
        hidden: 25,
        seed: 8,
        ..Default::default()
    };
    let mut trainer = Trainer::new(data.view(), params).unwrap();
    for _ in 0..3 {
        trainer.epoch(data.view(), &NoProgress).unwrap();
    }
    let model = trainer.into_model();
    let exact = exact_log_z(&model, &NoProgress).unwrap();
    let ais = ais_log_z(
        &model,
        &base_rate_biases(data.view()),
        &AisParams {
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
