//! Tour section: problem 3 of docs/derivations.md, restricted Boltzmann machines.

use std::path::Path;

use deepgm_core::mnist::Mnist;
use deepgm_core::progress::NoProgress;
use deepgm_core::rng::seeded;
use deepgm_rbm::{
    ais_log_z, average_log_prob, base_rate_biases, exact_log_z, log_sum_exp, AisOptions,
    BernoulliRbm, Sampler, TrainOptions, Trainer,
};
use ndarray::{Array1, Array2, Axis};
use rand::Rng;

use super::derivations::Problem;
use super::report::{stretch, tile_figure, Section, Table};
use crate::cli::Binarize;
use crate::commands::rbm::binarize;

fn configs(n: usize) -> Vec<Array1<f64>> {
    (0..1u32 << n)
        .map(|bits| Array1::from_shape_fn(n, |i| f64::from(bits >> i & 1)))
        .collect()
}

/// Largest gap, over every `given` state, between the conditional of the other layer obtained by
/// normalizing `joint(given, other)` over all `others`, and the product of the factorized
/// probabilities `probs(given)`.
fn conditional_gap(
    givens: &[Array1<f64>],
    others: &[Array1<f64>],
    joint: impl Fn(&Array1<f64>, &Array1<f64>) -> f64,
    probs: impl Fn(&Array1<f64>) -> Array1<f64>,
) -> f64 {
    let mut worst = 0.0f64;
    for given in givens {
        let weights: Vec<f64> = others.iter().map(|o| joint(given, o)).collect();
        let total: f64 = weights.iter().sum();
        let q = probs(given);
        for (other, w) in others.iter().zip(&weights) {
            let product: f64 = other
                .iter()
                .zip(&q)
                .map(|(&x, &q)| if x > 0.5 { q } else { 1.0 - q })
                .product();
            worst = worst.max((w / total - product).abs());
        }
    }
    worst
}

/// Largest gap between p(h|v) by enumerating the joint and the product of sigmoids, over every v
/// and h of a random model (and the same for p(v|h)).
fn factorization_gap(model: &BernoulliRbm<f64>) -> f64 {
    let (vs, hs) = (configs(model.visible()), configs(model.hidden()));
    let weight = |v: &Array1<f64>, h: &Array1<f64>| (-model.energy(v.view(), h.view())).exp();
    let row = |x: ndarray::Array2<f64>| x.row(0).to_owned();
    let hidden = conditional_gap(&vs, &hs, weight, |v| {
        row(model.hidden_probs(v.view().insert_axis(Axis(0))))
    });
    let visible = conditional_gap(
        &hs,
        &vs,
        |h, v| weight(v, h),
        |h| row(model.visible_probs(h.view().insert_axis(Axis(0)))),
    );
    hidden.max(visible)
}

pub fn section(dir: &Path, seed: u64) -> anyhow::Result<Section> {
    let mut s = Section {
        id: "rbm".into(),
        title: "3. Restricted Boltzmann machines".into(),
        problem: Some(Problem::Rbm),
        intro: "p(v,h) = exp(v'Wh + v'b + h'a)/Z over binary v and h. The source derives p(h|v) = \
                prod_j sigmoid((W'v + a)_j); deepgm corrects its slips (the first denominator is p(v), \
                the bias is a, not 1, and the result is p(h|v) = prod_j p(h_j|v)). Small RBMs are then \
                trained on the built-in digits and their log-likelihood measured exactly and by AIS."
            .into(),
        ..Default::default()
    };
    let mut rng = seeded(seed);
    let mut gap = 0.0f64;
    for _ in 0..3 {
        let (d, p) = (rng.random_range(2..7), rng.random_range(2..6));
        let model = BernoulliRbm::<f64> {
            w: Array2::from_shape_fn((d, p), |_| rng.random_range(-2.0..2.0)),
            b: Array1::from_shape_fn(d, |_| rng.random_range(-2.0..2.0)),
            a: Array1::from_shape_fn(p, |_| rng.random_range(-2.0..2.0)),
        };
        gap = gap.max(factorization_gap(&model));
    }
    s.check_step(
        "rbm-hidden-factorizes",
        "p(h|v) = prod_j sigmoid((W'v + a)_j) and p(v|h) = prod_i sigmoid((Wh + b)_i)",
        format!(
            "3 random models, every v and h: largest gap to enumeration of the joint {gap:.1e}"
        ),
        gap <= 1e-12,
    );
    let tiny = BernoulliRbm::<f64> {
        w: Array2::from_shape_fn((7, 5), |_| rng.random_range(-1.5..1.5)),
        b: Array1::from_shape_fn(7, |_| rng.random_range(-1.5..1.5)),
        a: Array1::from_shape_fn(5, |_| rng.random_range(-1.5..1.5)),
    };
    let mut terms = Vec::new();
    for v in configs(7) {
        for h in configs(5) {
            terms.push(-tiny.energy(v.view(), h.view()));
        }
    }
    let brute = log_sum_exp(&terms);
    let exact = exact_log_z(&tiny, &NoProgress)?;
    s.check_step(
        "rbm-exact-log-z",
        "exact log Z (Gray-code sum over the smaller layer) equals the sum over all (v, h)",
        format!("{exact:.12} vs {brute:.12}"),
        (exact - brute).abs() < 1e-9,
    );

    // Train a small RBM on the built-in digits.
    let mnist = Mnist::embedded();
    let data = binarize(&mnist, Binarize::Sample, seed);
    let hidden = 16;
    let model = BernoulliRbm::init(data.view(), hidden, &mut seeded(seed))?;
    let mut trainer = Trainer::new(model, TrainOptions::default(), seed)?;
    let mut rows = Vec::new();
    for _ in 0..10 {
        let stats = trainer.epoch(data.view(), &NoProgress)?;
        rows.push(vec![
            stats.epoch.to_string(),
            format!("{:.2}", stats.reconstruction_error),
            format!("{:.2}", stats.seconds),
        ]);
    }
    let model = trainer.model;
    let log_z = exact_log_z(&model, &NoProgress)?;
    let base = base_rate_biases(data.view());
    let base_model = BernoulliRbm::<f32> {
        w: Array2::zeros((784, hidden)),
        b: base.clone(),
        a: Array1::zeros(hidden),
    };
    let trained = average_log_prob(&model, data.view(), log_z);
    let base_ll = average_log_prob(
        &base_model,
        data.view(),
        exact_log_z(&base_model, &NoProgress)?,
    );
    s.check_step(
        "rbm-cd-gradient",
        "CD-1 training raises the average log-probability above the base-rate model",
        format!("{trained:.2} nats after 10 epochs vs {base_ll:.2} for the base rates"),
        trained > base_ll,
    );
    let ais = ais_log_z(
        &model,
        &base,
        &AisOptions {
            runs: 100,
            betas: 2000,
            seed,
        },
        &NoProgress,
    )?;
    s.check_step(
        "rbm-ais",
        "AIS (100 runs, 2,000 betas) brackets the exact log Z within its 3-sigma band",
        format!(
            "exact {log_z:.3}; AIS {:.3} [{:.3}, {:.3}]",
            ais.log_z, ais.log_z_low, ais.log_z_high
        ),
        ais.log_z_low <= log_z && log_z <= ais.log_z_high,
    );
    s.tables.push(Table {
        caption: format!("CD-1 on the 2,000 built-in digits (stochastically binarized), {hidden} hidden units, batch 100, lr 0.05"),
        header: ["epoch", "reconstruction error", "seconds"].map(String::from).to_vec(),
        rows,
    });
    let filters: Vec<(String, Array2<u8>)> = model
        .w
        .axis_iter(Axis(1))
        .enumerate()
        .map(|(j, column)| {
            let image = column
                .to_owned()
                .into_shape_with_order((28, 28))
                .expect("784 = 28 x 28");
            (format!("hidden unit {}", j + 1), stretch(image.view()))
        })
        .collect();
    s.figures.push(tile_figure(
        dir,
        "rbm-filter",
        format!(
            "The {hidden} learned filters: each hidden unit's 784 weights as a 28 x 28 picture \
             (black most negative, white most positive; shown 4x)"
        ),
        &filters,
        4,
        8,
    )?);
    s.figures.push(chains_figure(dir, &data, seed)?);
    s.notes.push(
        "Reading the chains: each row starts at a built-in digit (one of each class) and runs block \
         Gibbs sampling v -> h -> v; a tile shows p(v|h), the mean image of the chain's state after \
         that many steps. Early steps stay near the starting digit; later ones wander, slowly, to \
         other digits the model learned (a 2 or an 8 may become a 0). The 16-unit model above, kept \
         small so that its log Z can be summed exactly, has too few units for such samples: its \
         chains fall into one or two blurry modes."
            .into(),
    );
    Ok(s)
}

/// Block-Gibbs chains of a 64-unit RBM trained by CD-1 (minibatches of 20), started at one
/// built-in digit of each class, shown after 0, 1, 10, 100 and 1,000 steps (rows: chains,
/// columns: steps). These settings were chosen so that the chains show digits, and move between
/// classes, after about a second of training.
fn chains_figure(
    dir: &Path,
    data: &Array2<f32>,
    seed: u64,
) -> anyhow::Result<super::report::Figure> {
    const STEPS: [usize; 5] = [0, 1, 10, 100, 1000];
    let labels = &Mnist::embedded().labels;
    let model = BernoulliRbm::init(data.view(), CHAIN_MODEL_HIDDEN, &mut seeded(seed))?;
    let options = TrainOptions {
        sampler: Sampler::Cd(1),
        batch: 20,
        ..TrainOptions::default()
    };
    let mut trainer = Trainer::new(model, options, seed)?;
    for _ in 0..CHAIN_MODEL_EPOCHS {
        trainer.epoch(data.view(), &NoProgress)?;
    }
    let model = trainer.model;
    let starts: Vec<usize> = (0..10u8)
        .filter_map(|digit| labels.iter().position(|&l| l == digit))
        .collect();
    let mut v = data.select(Axis(0), &starts);
    let mut rng = seeded(seed.wrapping_add(1));
    let mut columns = Vec::new();
    let mut done = 0;
    for &steps in &STEPS {
        columns.push(model.gibbs_steps(&mut v, steps - done, &mut rng));
        done = steps;
    }
    let mut tiles = Vec::new();
    for (row, &start) in starts.iter().enumerate() {
        for (column, &steps) in STEPS.iter().enumerate() {
            let image = columns[column]
                .row(row)
                .to_owned()
                .into_shape_with_order((28, 28))
                .expect("784 = 28 x 28");
            let label = if steps == 0 {
                format!("start: a {}", labels[start])
            } else {
                format!("after {steps} step{}", if steps == 1 { "" } else { "s" })
            };
            tiles.push((label, deepgm_core::image::unit_to_gray(image.view())));
        }
    }
    Ok(tile_figure(
        dir,
        "rbm-chain",
        format!(
            "Block-Gibbs chains of an RBM of {CHAIN_MODEL_HIDDEN} hidden units (CD-1, minibatches of \
             20, {CHAIN_MODEL_EPOCHS} epochs on the built-in digits): each row starts at a digit and \
             shows p(v|h) after 1, 10, 100 and 1,000 steps (shown 3x)"
        ),
        &tiles,
        3,
        STEPS.len(),
    )?)
}

/// Hidden units of the model whose chains the report shows.
const CHAIN_MODEL_HIDDEN: usize = 64;
/// Epochs of CD-1 for the model whose chains the report shows.
const CHAIN_MODEL_EPOCHS: usize = 30;
