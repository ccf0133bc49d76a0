//! Problem 4 of docs/derivations.md: every claim checked against an independent computation.

use deepgm_core::progress::NoProgress;
use deepgm_core::rng::seeded;
use deepgm_core::{Error, ErrorKind};
use deepgm_mrf::*;
use ndarray::Array2;
use proptest::prelude::*;
use rand::Rng;

fn icm_cap(max_sweeps: usize) -> IcmParams {
    IcmParams { max_sweeps }
}

fn spins(rows: usize, cols: usize, bits: &[bool]) -> Array2<i8> {
    Array2::from_shape_fn(
        (rows, cols),
        |(r, c)| if bits[r * cols + c] { 1 } else { -1 },
    )
}

fn grid_strategy() -> impl Strategy<Value = (Array2<i8>, Array2<i8>)> {
    (1usize..7, 1usize..7).prop_flat_map(|(rows, cols)| {
        (
            proptest::collection::vec(any::<bool>(), rows * cols),
            proptest::collection::vec(any::<bool>(), rows * cols),
        )
            .prop_map(move |(a, b)| (spins(rows, cols, &a), spins(rows, cols, &b)))
    })
}

fn model_strategy() -> impl Strategy<Value = IsingModel> {
    (-3.0f64..3.0, -3.0f64..3.0, -3.0f64..3.0, any::<bool>()).prop_map(|(h, beta, eta, eight)| {
        IsingModel::new(h, beta, eta)
            .unwrap()
            .with_neighbourhood(if eight {
                Neighbourhood::Eight
            } else {
                Neighbourhood::Four
            })
    })
}

fn is_neighbour(nb: Neighbourhood, a: (usize, usize), b: (usize, usize)) -> bool {
    let (dr, dc) = (b.0 as isize - a.0 as isize, b.1 as isize - a.1 as isize);
    nb.offsets().contains(&(dr, dc))
}

proptest! {
    /// Seed 4.1: the local formula equals the difference of two full energy evaluations, and
    /// depends on x only through the neighbours of m.
    #[test]
    fn delta_energy_is_local((x, y) in grid_strategy(), model in model_strategy(), pick in any::<(usize, usize)>()) {
        let (rows, cols) = x.dim();
        let m = (pick.0 % rows, pick.1 % cols);
        let mut plus = x.clone();
        plus[m] = 1;
        let mut minus = x.clone();
        minus[m] = -1;
        let full = model.energy(plus.view(), y.view()).unwrap() - model.energy(minus.view(), y.view()).unwrap();
        let local = model.delta_energy(x.view(), y.view(), m.0, m.1);
        prop_assert!((full - local).abs() <= 1e-9 * (1.0 + full.abs()), "full {} local {}", full, local);
        prop_assert_eq!(local, model.delta_energy(plus.view(), y.view(), m.0, m.1));

        for p in (0..rows).flat_map(|r| (0..cols).map(move |c| (r, c))) {
            if p == m { continue; }
            let mut flipped = x.clone();
            flipped[p] = -flipped[p];
            let after = model.delta_energy(flipped.view(), y.view(), m.0, m.1);
            if is_neighbour(model.neighbourhood(), m, p) {
                // s loses 2 x_p, so the difference moves by +4 beta x_p: a change whenever beta != 0.
                let expected = local + 4.0 * model.beta() * x[p] as f64;
                prop_assert!((after - expected).abs() <= 1e-9 * (1.0 + expected.abs()));
                if model.beta() != 0.0 { prop_assert!(after != local); }
            } else {
                prop_assert_eq!(after, local);
            }
        }
    }

    /// The exact minimum by graph cut equals the brute-force minimum over every labelling.
    #[test]
    fn graph_cut_is_the_brute_force_minimum(
        rows in 1usize..5, cols in 1usize..5,
        ybits in proptest::collection::vec(any::<bool>(), 16),
        h in -2.0f64..2.0, beta in 0.0f64..2.5, eta in -1.0f64..3.0, eight in any::<bool>(),
    ) {
        let y = spins(rows, cols, &ybits);
        let model = IsingModel::new(h, beta, eta).unwrap().with_neighbourhood(
            if eight { Neighbourhood::Eight } else { Neighbourhood::Four });
        let cut = graph_cut(&model, y.view(), &NoProgress).unwrap();
        let brute = all_labellings(rows, cols)
            .map(|x| model.energy(x.view(), y.view()).unwrap())
            .fold(f64::INFINITY, f64::min);
        prop_assert!((cut.report.energy - brute).abs() <= 1e-9 * (1.0 + brute.abs()),
            "cut {} brute {}", cut.report.energy, brute);
    }
}

/// All 2^9 labellings of 3x3 and all 2^16 of 4x4, many random parameter sets including h != 0.
#[test]
fn graph_cut_exhaustive_3x3_and_4x4() {
    let mut rng = seeded(11);
    for (rows, cols) in [(3, 3), (4, 4)] {
        let labellings: Vec<Array2<i8>> = all_labellings(rows, cols).collect();
        assert_eq!(labellings.len(), 1 << (rows * cols));
        for trial in 0..12 {
            let y =
                Array2::from_shape_fn((rows, cols), |_| if rng.random::<bool>() { 1 } else { -1 });
            let h = rng.random_range(-2.0..2.0);
            let beta = rng.random_range(0.0..2.0);
            let eta = rng.random_range(-0.5..3.0);
            let nb = if trial % 3 == 2 {
                Neighbourhood::Eight
            } else {
                Neighbourhood::Four
            };
            let model = IsingModel::new(h, beta, eta)
                .unwrap()
                .with_neighbourhood(nb);
            let cut = graph_cut(&model, y.view(), &NoProgress).unwrap();
            let brute = labellings
                .iter()
                .map(|x| model.energy(x.view(), y.view()).unwrap())
                .fold(f64::INFINITY, f64::min);
            assert!(
                (cut.report.energy - brute).abs() < 1e-9,
                "{rows}x{cols} trial {trial}: cut {} brute {brute}",
                cut.report.energy
            );
        }
    }
}

/// A noisy picture: a disc and a bar, with 10% of pixels flipped.
fn noisy_picture(size: usize, seed: u64) -> (Array2<i8>, Array2<i8>) {
    let clean = Array2::from_shape_fn((size, size), |(r, c)| {
        let (fr, fc) = (r as f64 / size as f64 - 0.4, c as f64 / size as f64 - 0.4);
        let disc = fr * fr + fc * fc < 0.07;
        let bar = (r * 10 / size) == 7 && c > size / 5;
        if disc || bar {
            1
        } else {
            -1
        }
    });
    let noisy = flip_noise(clean.view(), &NoiseParams { flip: 0.1, seed }).unwrap();
    (clean, noisy)
}

#[test]
fn graph_cut_beats_every_other_method_on_a_larger_image() {
    let (clean, y) = noisy_picture(96, 3);
    for model in [
        IsingModel::default(),
        IsingModel::new(0.3, 0.7, 1.5)
            .unwrap()
            .with_neighbourhood(Neighbourhood::Eight),
    ] {
        let cut = graph_cut(&model, y.view(), &NoProgress).unwrap();
        let others = [
            icm(&model, y.view(), &icm_cap(1000), &NoProgress).unwrap(),
            icm_checkerboard(&model, y.view(), &icm_cap(1000), &NoProgress).unwrap(),
            anneal(&model, y.view(), &AnnealParams::default(), &NoProgress).unwrap(),
            mean_field(&model, y.view(), &MeanFieldParams::default(), &NoProgress).unwrap(),
            gibbs(&model, y.view(), &GibbsParams::default(), &NoProgress).unwrap(),
        ];
        for other in &others {
            assert!(
                cut.report.energy <= other.report.energy + 1e-9,
                "{}: {} < graph cut {}",
                other.report.method,
                other.report.energy,
                cut.report.energy
            );
        }
        // Denoising helps: fewer wrong pixels than the 10% noise.
        let wrong = count_differences(cut.labels.view(), clean.view()) as f64 / clean.len() as f64;
        assert!(wrong < 0.05, "graph cut error rate {wrong}");
    }
}

/// Seed 4.2: with beta = h = 0 the minimum is x = y, and every method finds it.
#[test]
fn with_beta_and_h_zero_every_method_returns_y() {
    let (_, y) = noisy_picture(40, 5);
    for eta in [0.5, 2.1] {
        let model = IsingModel::new(0.0, 0.0, eta).unwrap();
        let results = [
            graph_cut(&model, y.view(), &NoProgress).unwrap(),
            icm(&model, y.view(), &icm_cap(1000), &NoProgress).unwrap(),
            icm_from(&model, y.view(), (-&y).view(), &icm_cap(1000), &NoProgress).unwrap(),
            icm_checkerboard(&model, y.view(), &icm_cap(1000), &NoProgress).unwrap(),
            anneal(&model, y.view(), &AnnealParams::default(), &NoProgress).unwrap(),
            mean_field(&model, y.view(), &MeanFieldParams::default(), &NoProgress).unwrap(),
            gibbs(
                &model,
                y.view(),
                &GibbsParams {
                    sweeps: 400,
                    burn_in: 20,
                    ..Default::default()
                },
                &NoProgress,
            )
            .unwrap(),
        ];
        let min = -eta * y.len() as f64;
        for r in &results {
            assert_eq!(r.labels, y, "{} with eta {eta}", r.report.method);
            assert!((r.report.energy - min).abs() < 1e-9);
        }
    }
}

/// ICM (both orders) ends at a fixed point: no single pixel change lowers the energy, and the
/// energy never rose along the way.
#[test]
fn icm_reaches_a_fixed_point_without_raising_the_energy() {
    let (_, y) = noisy_picture(48, 8);
    for nb in [Neighbourhood::Four, Neighbourhood::Eight] {
        let model = IsingModel::new(0.1, 0.9, 1.3)
            .unwrap()
            .with_neighbourhood(nb);
        for checkerboard in [false, true] {
            let run = |max_sweeps| {
                let sweeps = &IcmParams { max_sweeps };
                if checkerboard {
                    icm_checkerboard(&model, y.view(), sweeps, &NoProgress).unwrap()
                } else {
                    icm(&model, y.view(), sweeps, &NoProgress).unwrap()
                }
            };
            let mut last = model.energy(y.view(), y.view()).unwrap();
            for sweeps in 1..6 {
                let e = run(sweeps).report.energy;
                assert!(e <= last + 1e-9, "energy rose from {last} to {e}");
                last = e;
            }
            let done = run(1000);
            assert!(done.report.converged);
            let x = &done.labels;
            for ((r, c), &v) in x.indexed_iter() {
                let delta = model.delta_energy(x.view(), y.view(), r, c);
                assert!(
                    if v > 0 { delta <= 0.0 } else { delta >= 0.0 },
                    "pixel ({r},{c}) can improve"
                );
            }
        }
    }
}

/// Gibbs sampling's empirical marginals match the exact marginals by enumeration on 3x3.
#[test]
fn gibbs_marginals_match_enumeration() {
    let y = Array2::from_shape_vec((3, 3), vec![1, -1, 1, 1, 1, -1, -1, 1, 1]).unwrap();
    let model = IsingModel::new(0.2, 0.4, 0.6).unwrap();
    let t = 1.3;
    let mut z = 0.0;
    let mut ones = Array2::<f64>::zeros((3, 3));
    for x in all_labellings(3, 3) {
        let w = (-model.energy(x.view(), y.view()).unwrap() / t).exp();
        z += w;
        ones.zip_mut_with(&x, |o, &v| {
            if v > 0 {
                *o += w
            }
        });
    }
    let exact = ones / z;
    let options = GibbsParams {
        temperature: t,
        sweeps: 60_000,
        burn_in: 100,
        seed: 9,
    };
    let sampled = gibbs(&model, y.view(), &options, &NoProgress)
        .unwrap()
        .marginals
        .unwrap();
    for (e, s) in exact.iter().zip(sampled.iter()) {
        assert!((e - s).abs() < 0.015, "exact {e} sampled {s}");
    }
}

#[test]
fn mean_field_converges_to_its_fixed_point() {
    let (_, y) = noisy_picture(32, 2);
    let model = IsingModel::new(0.1, 0.6, 1.0).unwrap();
    let options = MeanFieldParams {
        temperature: 1.5,
        tolerance: 1e-8,
        ..Default::default()
    };
    let result = mean_field(&model, y.view(), &options, &NoProgress).unwrap();
    assert!(result.report.converged);
    let m = result.marginals.unwrap().mapv(|p| 2.0 * p - 1.0);
    let (rows, cols) = m.dim();
    for r in 0..rows {
        for c in 0..cols {
            let s: f64 = model
                .neighbourhood()
                .offsets()
                .iter()
                .filter_map(|&(dr, dc)| {
                    let (nr, nc) = (r as isize + dr, c as isize + dc);
                    (nr >= 0 && nc >= 0 && (nr as usize) < rows && (nc as usize) < cols)
                        .then(|| m[[nr as usize, nc as usize]])
                })
                .sum();
            let target =
                ((-model.h() + model.beta() * s + model.eta() * y[[r, c]] as f64) / 1.5).tanh();
            assert!(
                (m[[r, c]] - target).abs() < 1e-4,
                "({r},{c}): {} vs {target}",
                m[[r, c]]
            );
        }
    }
}

/// Same seed, same output; another seed, another output (annealing, Gibbs sampling, noise).
#[test]
fn same_seed_same_output_other_seed_other_output() {
    let (_, y) = noisy_picture(24, 1);
    let model = IsingModel::default();
    let anneal_with = |seed| {
        anneal(
            &model,
            y.view(),
            &AnnealParams {
                t_end: 0.5,
                seed,
                ..Default::default()
            },
            &NoProgress,
        )
        .unwrap()
    };
    let (a, b, other) = (anneal_with(4), anneal_with(4), anneal_with(5));
    assert_eq!(a.labels, b.labels);
    // Annealing to 0.5 and polishing reaches a seed-dependent local minimum; compare the
    // trajectories through the energies and labels.
    assert!(
        a.labels != other.labels || a.report.energy != other.report.energy,
        "seeds 4 and 5 annealed alike"
    );
    let gibbs_with = |seed| {
        gibbs(
            &model,
            y.view(),
            &GibbsParams {
                seed,
                ..Default::default()
            },
            &NoProgress,
        )
        .unwrap()
    };
    let (g1, g2, g3) = (gibbs_with(4), gibbs_with(4), gibbs_with(5));
    assert_eq!(g1.marginals, g2.marginals);
    assert_eq!(g1.labels, g2.labels);
    assert_ne!(g1.marginals, g3.marginals);
    let x = Array2::from_elem((30, 30), 1i8);
    let noise = |seed| flip_noise(x.view(), &NoiseParams { flip: 0.2, seed }).unwrap();
    assert_eq!(noise(7), noise(7));
    assert_ne!(noise(7), noise(8));
}

fn invalid(err: Error) -> Option<String> {
    assert_eq!(err.kind(), ErrorKind::InvalidParameter, "{err}");
    err.parameter().map(str::to_string)
}

#[test]
fn bad_inputs_are_errors_of_their_kind() {
    let y = Array2::from_elem((2, 2), 1i8);
    let model = IsingModel::default();
    let neg = IsingModel::new(0.0, -1.0, 1.0).unwrap();
    let err = graph_cut(&neg, y.view(), &NoProgress).unwrap_err();
    assert_eq!(invalid(err).as_deref(), Some("beta"));
    for (name, model) in [
        ("h", IsingModel::new(f64::NAN, 1.0, 1.0)),
        ("beta", IsingModel::new(0.0, f64::INFINITY, 1.0)),
        ("eta", IsingModel::new(0.0, 1.0, f64::NEG_INFINITY)),
    ] {
        assert_eq!(invalid(model.unwrap_err()).as_deref(), Some(name));
    }
    let empty = Array2::<i8>::zeros((0, 3));
    let err = icm(&model, empty.view(), &icm_cap(10), &NoProgress).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shape);
    let zeros = Array2::<i8>::zeros((2, 2));
    let err = graph_cut(&model, zeros.view(), &NoProgress).unwrap_err();
    assert_eq!(invalid(err).as_deref(), Some("y"));
    let wide = Array2::from_elem((2, 3), 1i8);
    let err = icm_from(&model, y.view(), wide.view(), &icm_cap(10), &NoProgress).unwrap_err();
    assert!(
        matches!(err, Error::Shape { ref what, .. } if what == "x"),
        "{err}"
    );
    let err = icm(&model, y.view(), &icm_cap(0), &NoProgress).unwrap_err();
    assert_eq!(invalid(err).as_deref(), Some("max_sweeps"));
    let err = icm_checkerboard(&model, y.view(), &icm_cap(0), &NoProgress).unwrap_err();
    assert_eq!(invalid(err).as_deref(), Some("max_sweeps"));
    for flip in [1.5, -0.1, f64::NAN] {
        let err = flip_noise(y.view(), &NoiseParams { flip, seed: 0 }).unwrap_err();
        assert_eq!(invalid(err).as_deref(), Some("flip"));
    }
    let gibbs_cases = [
        (
            "temperature",
            GibbsParams {
                temperature: 0.0,
                ..Default::default()
            },
        ),
        (
            "temperature",
            GibbsParams {
                temperature: f64::NAN,
                ..Default::default()
            },
        ),
        (
            "sweeps",
            GibbsParams {
                sweeps: 0,
                burn_in: 0,
                ..Default::default()
            },
        ),
        (
            "burn_in",
            GibbsParams {
                sweeps: 10,
                burn_in: 10,
                ..Default::default()
            },
        ),
    ];
    for (name, params) in gibbs_cases {
        let err = gibbs(&model, y.view(), &params, &NoProgress).unwrap_err();
        assert_eq!(invalid(err).as_deref(), Some(name), "{params:?}");
    }
    let anneal_cases = [
        (
            "t_start",
            AnnealParams {
                t_start: -1.0,
                ..Default::default()
            },
        ),
        (
            "t_end",
            AnnealParams {
                t_end: 0.0,
                ..Default::default()
            },
        ),
        (
            "t_end",
            AnnealParams {
                t_start: 1.0,
                t_end: 2.0,
                ..Default::default()
            },
        ),
        (
            "sweeps",
            AnnealParams {
                sweeps: 0,
                ..Default::default()
            },
        ),
    ];
    for (name, params) in anneal_cases {
        let err = anneal(&model, y.view(), &params, &NoProgress).unwrap_err();
        assert_eq!(invalid(err).as_deref(), Some(name), "{params:?}");
    }
    let mean_field_cases = [
        (
            "temperature",
            MeanFieldParams {
                temperature: f64::INFINITY,
                ..Default::default()
            },
        ),
        (
            "damping",
            MeanFieldParams {
                damping: 0.0,
                ..Default::default()
            },
        ),
        (
            "damping",
            MeanFieldParams {
                damping: 1.5,
                ..Default::default()
            },
        ),
        (
            "tolerance",
            MeanFieldParams {
                tolerance: 0.0,
                ..Default::default()
            },
        ),
        (
            "max_sweeps",
            MeanFieldParams {
                max_sweeps: 0,
                ..Default::default()
            },
        ),
    ];
    for (name, params) in mean_field_cases {
        let err = mean_field(&model, y.view(), &params, &NoProgress).unwrap_err();
        assert_eq!(invalid(err).as_deref(), Some(name), "{params:?}");
    }
}

#[test]
fn flip_noise_rate() {
    let x = Array2::from_elem((200, 200), 1i8);
    let noise = |flip| flip_noise(x.view(), &NoiseParams { flip, seed: 0 }).unwrap();
    let noisy = noise(0.1);
    let rate = count_differences(x.view(), noisy.view()) as f64 / x.len() as f64;
    assert!((rate - 0.1).abs() < 0.005, "{rate}");
    assert_eq!(noise(0.0), x);
    assert_eq!(noise(1.0), -&x);
}

/// ICM straight from seed 4.1: full raster sweeps deciding each pixel by the sign of its local
/// energy difference, ties keeping the value, until a sweep changes nothing.
fn reference_icm(model: &IsingModel, y: &Array2<i8>) -> (Array2<i8>, usize) {
    let mut x = y.clone();
    let (rows, cols) = x.dim();
    for sweep in 1.. {
        let mut changed = false;
        for r in 0..rows {
            for c in 0..cols {
                let delta = model.delta_energy(x.view(), y.view(), r, c);
                let new = if delta < 0.0 {
                    1
                } else if delta > 0.0 {
                    -1
                } else {
                    x[[r, c]]
                };
                changed |= new != x[[r, c]];
                x[[r, c]] = new;
            }
        }
        if !changed {
            return (x, sweep);
        }
    }
    unreachable!()
}

/// The optimized raster ICM (dirty pixels only, thresholds) is exactly the textbook ICM.
#[test]
fn raster_icm_equals_the_textbook_loop() {
    let mut rng = seeded(21);
    for trial in 0..40 {
        let (rows, cols) = (rng.random_range(1..30), rng.random_range(1..30));
        let y = Array2::from_shape_fn(
            (rows, cols),
            |_| if rng.random::<f64>() < 0.6 { 1 } else { -1 },
        );
        let nb = if trial % 2 == 0 {
            Neighbourhood::Four
        } else {
            Neighbourhood::Eight
        };
        let model = IsingModel::new(
            rng.random_range(-1.0..1.0),
            rng.random_range(-1.5..2.5),
            rng.random_range(-1.0..3.0),
        )
        .unwrap()
        .with_neighbourhood(nb);
        let (expected, sweeps) = reference_icm(&model, &y);
        let fast = icm(&model, y.view(), &icm_cap(10_000), &NoProgress).unwrap();
        assert_eq!(fast.labels, expected, "trial {trial}");
        assert_eq!(fast.report.sweeps, sweeps, "trial {trial}");
    }
}
