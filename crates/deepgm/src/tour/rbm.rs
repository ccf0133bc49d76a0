//! Tour section: seed problem 3, restricted Boltzmann machines.

use std::path::Path;

use deepgm_core::image::write_png;
use deepgm_core::mnist::Mnist;
use deepgm_core::progress::NoProgress;
use deepgm_core::rng::seeded;
use deepgm_rbm::{
    ais_log_z, average_log_prob, base_rate_biases, exact_log_z, log_sum_exp, AisOptions,
    BernoulliRbm, TrainOptions, Trainer,
};
use ndarray::{Array1, Array2, Axis};
use rand::Rng;

use super::report::{Figure, Section, Table};
use crate::cli::Binarize;
use crate::commands::rbm::{binarize, filters_picture, samples_picture};

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
        title: "Seed problem 3: restricted Boltzmann machines".into(),
        intro: "p(v,h) = exp(v'Wh + v'b + h'a)/Z over binary v and h. The seed derives p(h|v) = prod_j \
                sigmoid((W'v + a)_j); SPEC.md corrects its slips (the first denominator is p(v), the bias \
                is a, not 1, and the result is p(h|v) = prod_j p(h_j|v)). A small RBM is then trained on the \
                built-in digits and its log-likelihood measured exactly and by AIS."
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
    s.check(
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
    s.check(
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
    s.check(
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
    s.check(
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
    write_png(&dir.join("rbm-filters.png"), &filters_picture(&model, 100)?)?;
    write_png(
        &dir.join("rbm-samples.png"),
        &samples_picture(&model, 36, 500, seed)?,
    )?;
    s.figures.push(Figure {
        file: "rbm-filters.png".into(),
        caption: "The 16 learned filters (each hidden unit's weights)".into(),
    });
    s.figures.push(Figure {
        file: "rbm-samples.png".into(),
        caption: "36 samples after 500 block-Gibbs steps".into(),
    });
    Ok(s)
}
