//! The source's rules on small hand-made examples: output size, flatten order, the pooling tie
//! rule and overlap sum, the loss gradient `p - onehot(y)`; model files; resumable training;
//! errors by kind.

use deepgm_cnn::{
    cross_entropy, evaluate, flatten, load_model, predicted, save_model, scores, softmax, Arch,
    Conv2d, EvalParams, GradCase, ImageSet, MaxPool2d, SeedConfig, TrainParams, Trainer,
    UpdateRule,
};
use deepgm_core::progress::NoProgress;
use deepgm_core::rng::seeded;
use deepgm_core::schedule::LearningRateSchedule;
use deepgm_core::{Error, ErrorKind};
use ndarray::{array, Array1, Array4};
use proptest::prelude::*;

#[test]
fn convolution_matches_the_seed_formula_with_floor_output_size() {
    // d = 6, k = 2, s = 3: floor((6-2)/3)+1 = 2, while the source's (d-k+1)/s = 5/3 is not whole.
    let x = Array4::from_shape_fn((1, 1, 6, 6), |(_, _, r, c)| (r * 6 + c) as f64);
    let conv = Conv2d {
        weight: array![[[[1.0, 2.0], [3.0, 4.0]]]],
        bias: None,
        stride: 3,
        padding: 0,
    };
    assert_eq!(conv.output_size(6, 6).unwrap(), (2, 2));
    let y = conv.forward(x.view());
    for m in 0..2 {
        for n in 0..2 {
            let mut want = 0.0;
            for p in 0..2 {
                for q in 0..2 {
                    want += x[[0, 0, m * 3 + p, n * 3 + q]] * conv.weight[[0, 0, p, q]];
                }
            }
            assert_eq!(y[[0, 0, m, n]], want);
        }
    }
}

#[test]
fn flatten_is_channel_major_then_row_major() {
    let x = Array4::from_shape_fn((1, 2, 3, 3), |(_, k, m, n)| (100 * k + 10 * m + n) as f64);
    let f = flatten(x.view());
    // 1-based index (k-1) S^2 + (m-1) S + n  <=>  0-based k*9 + m*3 + n.
    for k in 0..2 {
        for m in 0..3 {
            for n in 0..3 {
                assert_eq!(f[[0, k * 9 + m * 3 + n]], x[[0, k, m, n]]);
            }
        }
    }
}

#[test]
fn pooling_ties_go_to_the_first_maximum_and_overlaps_sum() {
    let x = Array4::from_shape_vec(
        (1, 1, 3, 3),
        vec![5.0, 5.0, 1.0, 5.0, 9.0, 2.0, 0.0, 3.0, 4.0],
    )
    .unwrap();
    let pool = MaxPool2d {
        window: 2,
        stride: 1,
    };
    let (out, arg) = pool.forward(x.view());
    assert_eq!(out, array![[[[9.0, 9.0], [9.0, 9.0]]]]);
    assert_eq!(arg, vec![4, 4, 4, 4], "the centre wins all four windows");
    let g = pool.backward(x.dim(), &arg, array![[[[1.0, 2.0], [3.0, 4.0]]]].view());
    assert_eq!(
        g[[0, 0, 1, 1]],
        10.0,
        "the sum of the four windows' gradients"
    );
    assert_eq!(g.sum(), 10.0);
    // All equal: every window's first element in row-major order wins.
    let flat = Array4::from_elem((1, 1, 3, 3), 1.0);
    let (_, arg) = pool.forward(flat.view());
    assert_eq!(arg, vec![0, 1, 3, 4]);
}

proptest! {
    #[test]
    fn loss_gradient_is_p_minus_onehot(z in proptest::collection::vec(-30.0f64..30.0, 10), y in 0u8..10) {
        let logits = Array1::from(z).into_shape_with_order((1, 10)).unwrap();
        let ce = cross_entropy(logits.view(), &[y]);
        let p = softmax(logits.view());
        prop_assert!((p.sum() - 1.0).abs() < 1e-12);
        for c in 0..10 {
            let want = p[[0, c]] - if c == usize::from(y) { 1.0 } else { 0.0 };
            prop_assert!((ce.grad[[0, c]] - want).abs() < 1e-15);
        }
        prop_assert!((ce.loss_sum + p[[0, usize::from(y)]].ln()).abs() < 1e-9 * ce.loss_sum.max(1.0));
    }
}

#[test]
fn huge_logits_give_finite_loss() {
    let ce = cross_entropy(array![[1000.0f32, -1000.0, 0.0]].view(), &[1]);
    assert!((ce.loss_sum - 2000.0).abs() < 1e-3, "{}", ce.loss_sum);
}

fn tiny_data(n: usize) -> ImageSet {
    let mut rng = seeded(9);
    use rand::Rng;
    let images = Array4::from_shape_simple_fn((n, 1, 28, 28), || rng.random::<f32>());
    let labels = (0..n).map(|i| (i % 10) as u8).collect();
    ImageSet { images, labels }
}

#[test]
fn save_load_round_trip_keeps_every_parameter_and_the_architecture() {
    let dir = tempfile::tempdir().unwrap();
    for arch in [
        Arch::Lenet5,
        Arch::Seed(SeedConfig {
            maps: 3,
            kernel: 3,
            stride: 2,
            ..SeedConfig::default()
        }),
    ] {
        let mut net = arch.build::<f32>().unwrap();
        net.init_pytorch(&mut seeded(1));
        let path = dir.path().join(format!("{}.safetensors", arch.name()));
        save_model(&net, &arch, &path, &Default::default()).unwrap();
        let (back, arch_back, meta) = load_model(&path).unwrap();
        assert_eq!(back, net);
        assert_eq!(arch_back, arch);
        assert_eq!(meta["arch"], arch.name());
    }
    let bad = dir.path().join("bad.safetensors");
    std::fs::write(&bad, b"nope").unwrap();
    assert!(load_model(&bad).unwrap_err().is_bad_input());
}

fn params(optimizer: UpdateRule, epochs: usize) -> TrainParams {
    TrainParams {
        epochs,
        batch_size: 32,
        learning_rate: 0.01,
        schedule: LearningRateSchedule::Exponential { factor: 0.5 },
        optimizer,
        momentum: 0.9,
        weight_decay: 1e-4,
        seed: 7,
    }
}

#[test]
fn resumed_training_equals_uninterrupted_training() {
    let data = tiny_data(96);
    let arch = Arch::Seed(SeedConfig::default());
    for rule in [UpdateRule::Sgd, UpdateRule::Adam] {
        let mut straight = Trainer::new(arch, params(rule, 2)).unwrap();
        let report = straight
            .fit(&data, None, None, &NoProgress, &mut |_| {})
            .unwrap();
        assert_eq!(report.epochs.len(), 2);
        // One epoch, checkpoint (model + optimizer state), resume, one more epoch.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.safetensors");
        let mut first = Trainer::resume(&path, arch, params(rule, 1)).unwrap();
        assert_eq!(first.resumed(), None, "no checkpoint yet: a fresh run");
        first
            .fit(&data, None, Some(&path), &NoProgress, &mut |_| {})
            .unwrap();
        let mut resumed = Trainer::resume(&path, arch, params(rule, 2)).unwrap();
        let from = resumed.resumed().unwrap();
        assert_eq!((from.epochs, from.optimizer_state), (1, true));
        let mut seen = Vec::new();
        let report = resumed
            .fit(&data, None, None, &NoProgress, &mut |e| seen.push(e.epoch))
            .unwrap();
        assert_eq!(seen, vec![2]);
        assert_eq!(report.epochs[0].epoch, 2);
        assert_eq!(resumed.model(), straight.model(), "{rule:?}");
        // A checkpoint of other settings is refused.
        let other = Arch::Seed(SeedConfig {
            maps: 3,
            ..SeedConfig::default()
        });
        let err = Trainer::resume(&path, other, params(rule, 2)).unwrap_err();
        assert!(matches!(err, Error::Format { .. }), "{err}");
    }
}

#[test]
fn training_reduces_the_loss_and_is_reproducible() {
    let data = ImageSet::from_mnist(&deepgm_core::mnist::Mnist::embedded().take(500));
    let run = |seed: u64| {
        let params = TrainParams {
            epochs: 4,
            batch_size: 20,
            seed,
            ..TrainParams::default()
        };
        let mut trainer = Trainer::new(Arch::Lenet5, params).unwrap();
        trainer
            .fit(&data, None, None, &NoProgress, &mut |_| {})
            .unwrap()
            .epochs
            .iter()
            .map(|e| e.loss)
            .collect::<Vec<_>>()
    };
    let losses = run(1);
    assert!(losses[3] < losses[0] * 0.9, "{losses:?}");
    assert_eq!(losses, run(1), "same seed, same losses");
    assert_ne!(losses, run(2), "another seed, other losses");
}

#[test]
fn bad_params_and_shapes_are_named_by_kind() {
    let arch = Arch::Seed(SeedConfig::default());
    for (bad, name) in [
        (
            TrainParams {
                batch_size: 0,
                ..TrainParams::default()
            },
            "batch_size",
        ),
        (
            TrainParams {
                learning_rate: f64::NAN,
                ..TrainParams::default()
            },
            "learning_rate",
        ),
        (
            TrainParams {
                momentum: -0.5,
                ..TrainParams::default()
            },
            "momentum",
        ),
        (
            TrainParams {
                weight_decay: f64::INFINITY,
                ..TrainParams::default()
            },
            "weight_decay",
        ),
        (
            TrainParams {
                schedule: LearningRateSchedule::Exponential { factor: 1.5 },
                ..TrainParams::default()
            },
            "schedule",
        ),
    ] {
        let err = Trainer::new(arch, bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParameter);
        assert_eq!(err.parameter(), Some(name));
    }
    let err = Arch::Seed(SeedConfig {
        kernel: 40,
        ..SeedConfig::default()
    })
    .build::<f32>()
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shape);
    let err = Arch::Seed(SeedConfig {
        pool_stride: 0,
        ..SeedConfig::default()
    })
    .build::<f32>()
    .unwrap_err();
    assert_eq!(err.parameter(), Some("pool_stride"));
    // Data that does not fit the network.
    let mut trainer = Trainer::new(arch, TrainParams::default()).unwrap();
    let small = ImageSet {
        images: ndarray::Array4::zeros((2, 1, 20, 20)),
        labels: vec![0, 1],
    };
    let err = trainer.train_epoch(&small, &NoProgress).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shape);
    let empty = ImageSet {
        images: ndarray::Array4::zeros((0, 1, 28, 28)),
        labels: Vec::new(),
    };
    let err = trainer.train_epoch(&empty, &NoProgress).unwrap_err();
    assert_eq!(err.parameter(), Some("data"));
}

#[test]
fn scores_are_evaluates_and_inputs_that_are_not_finite_are_named() {
    let data = tiny_data(40);
    let mut model = Arch::Seed(SeedConfig::default()).build::<f32>().unwrap();
    model.init_pytorch(&mut seeded(4));
    let params = EvalParams { batch_size: 16 };
    let logits = scores(&model, data.images.view(), &params).unwrap();
    let report = evaluate(&model, &data, &params, &NoProgress).unwrap();
    let guesses: Vec<u8> = logits
        .rows()
        .into_iter()
        .map(|r| predicted(r) as u8)
        .collect();
    assert_eq!(guesses, report.predictions);
    let err = scores(
        &model,
        data.images.slice(ndarray::s![..0, .., .., ..]),
        &params,
    )
    .unwrap_err();
    assert_eq!(err.parameter(), Some("data"));
    let mut bad = data.clone();
    bad.images[[7, 0, 3, 3]] = f32::NAN;
    for err in [
        scores(&model, bad.images.view(), &params).unwrap_err(),
        evaluate(&model, &bad, &params, &NoProgress).unwrap_err(),
        Trainer::new(Arch::Seed(SeedConfig::default()), params_for_nan())
            .unwrap()
            .fit(&bad, None, None, &NoProgress, &mut |_| {})
            .unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::InvalidParameter);
        assert_eq!(err.parameter(), Some("data"));
        assert!(err.to_string().contains("image 7"), "{err}");
    }
}

#[test]
fn a_batch_larger_than_the_data_is_one_batch_without_allocating_it() {
    let data = tiny_data(12);
    let fit = |batch_size| {
        let params = TrainParams {
            epochs: 1,
            batch_size,
            ..TrainParams::default()
        };
        let mut t = Trainer::new(Arch::Seed(SeedConfig::default()), params).unwrap();
        t.fit(&data, None, None, &NoProgress, &mut |_| {}).unwrap();
        t.into_model()
    };
    assert_eq!(fit(1 << 40), fit(12));
}

fn params_for_nan() -> TrainParams {
    TrainParams {
        epochs: 1,
        ..TrainParams::default()
    }
}

#[test]
fn a_diverging_run_names_the_learning_rate() {
    let data = tiny_data(64);
    let params = TrainParams {
        learning_rate: 1e12,
        epochs: 3,
        ..TrainParams::default()
    };
    let mut trainer = Trainer::new(Arch::Seed(SeedConfig::default()), params).unwrap();
    let err = trainer
        .fit(&data, None, None, &NoProgress, &mut |_| {})
        .unwrap_err();
    assert_eq!(err.parameter(), Some("learning_rate"));
    assert!(trainer.epochs_done() < 3);
}

#[test]
fn gradient_cases_name_the_wrong_number() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seed_cases.json"
    );
    let cases: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let case: GradCase = serde_json::from_value(cases[0]["case"].clone()).unwrap();
    let edit = |f: &dyn Fn(&mut GradCase)| {
        let mut c = case.clone();
        f(&mut c);
        c.network().unwrap_err()
    };
    assert_eq!(edit(&|c| c.stride = 0).parameter(), Some("stride"));
    assert_eq!(edit(&|c| c.label = 10).parameter(), Some("label"));
    assert_eq!(edit(&|c| c.pool = 30).kind(), ErrorKind::Shape);
    let err = edit(&|c| {
        c.linear_weight[3].pop();
    });
    assert!(
        matches!(&err, Error::Shape { what, .. } if what == "linear_weight row 3"),
        "{err}"
    );
    // A file: JSON errors have a line and column, bad numbers name the file.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("case.json");
    std::fs::write(&file, "{\"x\": [[1, 2],\n [3").unwrap();
    let err = GradCase::read(&file).unwrap_err();
    assert!(matches!(err, Error::Format { line: Some(2), .. }), "{err}");
    let mut bad = case.clone();
    bad.label = 12;
    std::fs::write(&file, serde_json::to_string(&bad).unwrap()).unwrap();
    assert_eq!(GradCase::read(&file).unwrap_err().kind(), ErrorKind::Format);
    std::fs::write(&file, serde_json::to_string(&case).unwrap()).unwrap();
    assert_eq!(GradCase::read(&file).unwrap(), case);
}

proptest! {
    #[test]
    fn inference_pooling_gives_the_training_values(
        values in proptest::collection::vec(-3i32..3, 2 * 3 * 9 * 8),
        window in 1usize..4,
        stride in 1usize..4,
    ) {
        // Small integers make ties common.
        let x = Array4::from_shape_vec((2, 3, 9, 8), values.iter().map(|&v| f64::from(v)).collect()).unwrap();
        let pool = MaxPool2d { window, stride };
        prop_assert_eq!(pool.forward_values(x.view()), pool.forward(x.view()).0);
    }

    #[test]
    fn pooling_takes_the_first_maximum_of_each_window_in_row_major_order(
        values in proptest::collection::vec(-2i32..2, 2 * 2 * 9 * 9),
        h in 2usize..10,
        w in 2usize..10,
        window in 1usize..4,
        stride in 1usize..4,
    ) {
        prop_assume!(window <= h && window <= w);
        // Small integers make ties common; odd sides leave rows and columns unused.
        let x = Array4::from_shape_vec((2, 2, h, w), values[..4 * h * w].iter().map(|&v| f64::from(v)).collect()).unwrap();
        let pool = MaxPool2d { window, stride };
        let (out, arg) = pool.forward(x.view());
        let (ho, wo) = ((h - window) / stride + 1, (w - window) / stride + 1);
        prop_assert_eq!(out.dim(), (2, 2, ho, wo));
        let mut k = 0;
        for i in 0..2 {
            for c in 0..2 {
                for m in 0..ho {
                    for n in 0..wo {
                        let (mut best, mut at) = (f64::NEG_INFINITY, 0);
                        for p in 0..window {
                            for q in 0..window {
                                let (y, z) = (m * stride + p, n * stride + q);
                                if x[[i, c, y, z]] > best {
                                    best = x[[i, c, y, z]];
                                    at = y * w + z;
                                }
                            }
                        }
                        prop_assert_eq!(out[[i, c, m, n]], best);
                        prop_assert_eq!(arg[k] as usize, at, "window ({}, {}) of {}x{}", m, n, h, w);
                        k += 1;
                    }
                }
            }
        }
    }
}

proptest! {
    #[test]
    fn convolution_equals_the_direct_sum_for_any_kernel_stride_and_padding(
        seed in 0u64..1000,
        (h, w) in (1usize..16, 1usize..16),
        (cin, cout) in (1usize..4, 1usize..4),
        kernel in 1usize..6,
        stride in 1usize..4,
        padding in 0usize..3,
    ) {
        prop_assume!(kernel <= h + 2 * padding && kernel <= w + 2 * padding);
        let mut rng = seeded(seed);
        let mut draw = || f64::from(rand::Rng::random_range(&mut rng, -8i32..8));
        // Small integers: every product and sum is exact, so the check is equality.
        let x = Array4::from_shape_simple_fn((3, cin, h, w), &mut draw);
        let conv = Conv2d {
            weight: Array4::from_shape_simple_fn((cout, cin, kernel, kernel), &mut draw),
            bias: Some(Array1::from_shape_simple_fn(cout, &mut draw)),
            stride,
            padding,
        };
        let (ho, wo) = conv.output_size(h, w).unwrap();
        let y = conv.forward(x.view());
        prop_assert_eq!(y.dim(), (3, cout, ho, wo));
        for ((i, o, m, n), &got) in y.indexed_iter() {
            let mut want = conv.bias.as_ref().unwrap()[o];
            for c in 0..cin {
                for p in 0..kernel {
                    for q in 0..kernel {
                        let (r, s) = ((m * stride + p) as isize - padding as isize, (n * stride + q) as isize - padding as isize);
                        if r >= 0 && s >= 0 && (r as usize) < h && (s as usize) < w {
                            want += x[[i, c, r as usize, s as usize]] * conv.weight[[o, c, p, q]];
                        }
                    }
                }
            }
            prop_assert_eq!(got, want, "output ({}, {}, {}, {})", i, o, m, n);
        }
    }
}

proptest! {
    #[test]
    fn training_gradients_equal_the_full_backward_pass_bit_for_bit(
        seed in 0u64..1000,
        window in 2usize..4,
        stride in 1usize..3,
    ) {
        use deepgm_cnn::{Activation, Layer, Linear, Sequential};
        // Small integer weights and inputs: many ReLU outputs are exactly 0 and pooling windows
        // tie, the cases where fusing the ReLU into the pooling's backward pass could go wrong.
        let mut rng = seeded(seed);
        let mut draw = || f64::from(rand::Rng::random_range(&mut rng, -3i32..3));
        let conv = Conv2d {
            weight: Array4::from_shape_simple_fn((3, 1, 3, 3), &mut draw),
            bias: Some(Array1::from_shape_simple_fn(3, &mut draw)),
            stride: 1,
            padding: 1,
        };
        let pool = MaxPool2d { window, stride };
        let (ho, wo) = pool.output_size(8, 8).unwrap();
        let features = 3 * ho * wo;
        let linear = Linear {
            weight: ndarray::Array2::from_shape_simple_fn((4, features), &mut draw),
            bias: Array1::from_shape_simple_fn(4, &mut draw),
        };
        let net = Sequential::new(
            vec![
                Layer::Conv2d(conv),
                Layer::Activation(Activation::Relu),
                Layer::MaxPool2d(pool),
                Layer::Flatten,
                Layer::Linear(linear),
            ],
            [1, 8, 8],
        )
        .unwrap();
        let x = Array4::from_shape_simple_fn((5, 1, 8, 8), &mut draw);
        let labels = [0u8, 1, 2, 3, 0];
        let trace = net.forward_trace(x.view());
        let ce = cross_entropy(trace.logits(), &labels);
        let full = net.backward(&trace, ce.grad.view(), false).params;
        let fused = net.parameter_gradients(&trace, ce.grad.view());
        prop_assert_eq!(fused, full);
    }
}

#[test]
fn lenet5_training_gradients_equal_the_full_backward_pass_bit_for_bit() {
    let mut rng = seeded(3);
    let mut net = Arch::Lenet5.build::<f32>().unwrap();
    net.init_pytorch(&mut rng);
    let x = Array4::from_shape_simple_fn((4, 1, 28, 28), || {
        rand::Rng::random_range(&mut rng, -1.0f32..1.0)
    });
    let labels = [7u8, 2, 1, 0];
    let trace = net.forward_trace(x.view());
    let ce = cross_entropy(trace.logits(), &labels);
    let full = net.backward(&trace, ce.grad.view(), false).params;
    assert_eq!(net.parameter_gradients(&trace, ce.grad.view()), full);
}
