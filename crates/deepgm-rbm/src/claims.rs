//! The claims of problem 3 of docs/derivations.md, checked numerically: the conditionals
//! factorize, the exact log Z equals the sum over every (v, h), CD-1 training beats the
//! base-rate model, and AIS brackets the exact log Z.

use deepgm_core::claims::Claim;
use deepgm_core::mnist::Mnist;
use deepgm_core::numeric::log_sum_exp;
use deepgm_core::progress::NoProgress;
use deepgm_core::rng::seeded;
use deepgm_core::Result;
use ndarray::{Array1, Array2, Axis};
use rand::Rng;

use crate::binarize::Binarization;
use crate::model::{base_rate_biases, BernoulliRbm};
use crate::partition::{ais_log_z, exact_log_z, AisParams};
use crate::score::average_log_prob;
use crate::train::{EpochReport, TrainParams, Trainer};

/// Hidden units of the model [`tour`] trains (small enough for an exact log Z).
pub const TOUR_HIDDEN: usize = 16;
/// CD-1 epochs of the model [`tour`] trains.
pub const TOUR_EPOCHS: usize = 10;

/// What [`tour`] computed: the claims, and the trained model and data the report shows.
#[derive(Debug, Clone)]
pub struct Tour {
    /// One claim per check, with the step ids of docs/derivations.md.
    pub claims: Vec<Claim>,
    /// The built-in digits, stochastically binarized with the seed (2,000 x 784).
    pub data: Array2<f32>,
    /// The model of [`TOUR_HIDDEN`] units trained by CD-1 (default [`TrainParams`]) for
    /// [`TOUR_EPOCHS`] epochs on `data`.
    pub model: BernoulliRbm<f32>,
    /// The report of each of its epochs.
    pub epochs: Vec<EpochReport>,
}

/// The claims of [`tour`].
///
/// # Errors
/// None in practice (the sizes are fixed); those of training and of the log Z computations.
pub fn claims(seed: u64) -> Result<Vec<Claim>> {
    Ok(tour(seed)?.claims)
}

/// Checks the claims from `seed` (random models, the binarization of the built-in digits,
/// training, AIS), and returns them with the trained model and data.
///
/// # Errors
/// None in practice (the sizes are fixed); those of training and of the log Z computations.
pub fn tour(seed: u64) -> Result<Tour> {
    let mut claims = Vec::new();
    let mut rng = seeded(seed);
    let mut gap = 0.0f64;
    for _ in 0..3 {
        let (d, p) = (rng.random_range(2..7), rng.random_range(2..6));
        let model = random_model(d, p, 2.0, &mut rng)?;
        gap = gap.max(factorization_gap(&model));
    }
    claims.push(Claim::new(
        "rbm-hidden-factorizes",
        "p(h|v) = prod_j sigmoid((W'v + a)_j) and p(v|h) = prod_i sigmoid((Wh + b)_i)",
        format!(
            "3 random models, every v and h: largest gap to enumeration of the joint {gap:.1e}"
        ),
        gap <= 1e-12,
    ));
    let tiny = random_model(7, 5, 1.5, &mut rng)?;
    let brute = brute_log_z(&tiny);
    let exact = exact_log_z(&tiny, &NoProgress)?;
    claims.push(Claim::new(
        "rbm-exact-log-z",
        "exact log Z (Gray-code sum over the smaller layer) equals the sum over all (v, h)",
        format!("{exact:.12} vs {brute:.12}"),
        (exact - brute).abs() < 1e-9,
    ));

    // Train a small RBM on the built-in digits.
    let data = Binarization::Sample.apply(&Mnist::embedded(), seed);
    let params = TrainParams {
        hidden: TOUR_HIDDEN,
        seed,
        ..TrainParams::default()
    };
    let mut trainer = Trainer::new(data.view(), params)?;
    let mut epochs = Vec::new();
    for _ in 0..TOUR_EPOCHS {
        epochs.push(trainer.epoch(data.view(), &NoProgress)?);
    }
    let model = trainer.into_model();
    let log_z = exact_log_z(&model, &NoProgress)?;
    let base = base_rate_biases(data.view());
    let base_model = BernoulliRbm::<f32>::new(
        Array2::zeros((data.ncols(), TOUR_HIDDEN)),
        base.clone(),
        Array1::zeros(TOUR_HIDDEN),
    )?;
    let trained = average_log_prob(&model, data.view(), log_z);
    let base_ll = average_log_prob(
        &base_model,
        data.view(),
        exact_log_z(&base_model, &NoProgress)?,
    );
    claims.push(Claim::new(
        "rbm-cd-gradient",
        "CD-1 training raises the average log-probability above the base-rate model",
        format!("{trained:.2} nats after {TOUR_EPOCHS} epochs vs {base_ll:.2} for the base rates"),
        trained > base_ll,
    ));
    let ais = ais_log_z(
        &model,
        &base,
        &AisParams {
            runs: 100,
            betas: 2000,
            seed,
        },
        &NoProgress,
    )?;
    claims.push(Claim::new(
        "rbm-ais",
        "AIS (100 runs, 2,000 betas) brackets the exact log Z within its 3-sigma band",
        format!(
            "exact {log_z:.3}; AIS {:.3} [{:.3}, {:.3}]",
            ais.log_z, ais.log_z_low, ais.log_z_high
        ),
        ais.log_z_low <= log_z && log_z <= ais.log_z_high,
    ));
    Ok(Tour {
        claims,
        data,
        model,
        epochs,
    })
}

/// A model of `d` visible and `p` hidden units with weights, then visible and hidden biases,
/// drawn uniformly from `(-scale, scale)` in that order.
fn random_model(
    d: usize,
    p: usize,
    scale: f64,
    rng: &mut deepgm_core::rng::DeepRng,
) -> Result<BernoulliRbm<f64>> {
    let w = Array2::from_shape_fn((d, p), |_| rng.random_range(-scale..scale));
    let b = Array1::from_shape_fn(d, |_| rng.random_range(-scale..scale));
    let a = Array1::from_shape_fn(p, |_| rng.random_range(-scale..scale));
    BernoulliRbm::new(w, b, a)
}

/// Every configuration of `n` binary units, unit i being bit i of the configuration's index.
fn configs(n: usize) -> Vec<Array1<f64>> {
    (0..1u32 << n)
        .map(|bits| Array1::from_shape_fn(n, |i| f64::from(bits >> i & 1)))
        .collect()
}

/// `log Z` by summing `exp(-E(v, h))` over every v and h.
fn brute_log_z(model: &BernoulliRbm<f64>) -> f64 {
    let mut terms = Vec::new();
    for v in configs(model.visible()) {
        for h in configs(model.hidden()) {
            terms.push(-model.energy(v.view(), h.view()));
        }
    }
    log_sum_exp(&terms)
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
/// and h of `model` (and the same for p(v|h)).
fn factorization_gap(model: &BernoulliRbm<f64>) -> f64 {
    let (vs, hs) = (configs(model.visible()), configs(model.hidden()));
    let weight = |v: &Array1<f64>, h: &Array1<f64>| (-model.energy(v.view(), h.view())).exp();
    let row = |x: Array2<f64>| x.row(0).to_owned();
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
