//! The partition function Z: exactly by enumerating the smaller layer, or estimated by annealed
//! importance sampling (Salakhutdinov and Murray 2008).

use deepgm_core::numeric::{sigmoid, softplus, Float};
use deepgm_core::params::{check_positive, Params};
use deepgm_core::progress::Progress;
use deepgm_core::rng::{seeded, DeepRng};
use deepgm_core::{Error, Result};
use ndarray::{Array1, Array2, Zip};
use rayon::prelude::*;
use serde::Serialize;

use crate::model::{sample_bernoulli, BernoulliRbm};

/// Largest layer [`exact_log_z`] enumerates (2^30 configurations).
pub const MAX_EXACT_UNITS: usize = 30;

/// Streaming log-sum-exp accumulator.
#[derive(Clone, Copy)]
struct LogSum {
    max: f64,
    sum: f64,
}

impl LogSum {
    const EMPTY: LogSum = LogSum {
        max: f64::NEG_INFINITY,
        sum: 0.0,
    };

    #[inline]
    fn add(&mut self, v: f64) {
        if v <= self.max {
            self.sum += (v - self.max).exp();
        } else {
            self.sum = self.sum * (self.max - v).exp() + 1.0;
            self.max = v;
        }
    }

    fn merge(self, other: LogSum) -> LogSum {
        if other.max == f64::NEG_INFINITY {
            return self;
        }
        if self.max == f64::NEG_INFINITY {
            return other;
        }
        let max = self.max.max(other.max);
        LogSum {
            max,
            sum: self.sum * (self.max - max).exp() + other.sum * (other.max - max).exp(),
        }
    }

    fn value(self) -> f64 {
        self.max + self.sum.ln()
    }
}

/// Exact `log Z` in f64 by summing over every configuration of the smaller layer:
/// `log Z = log sum_s exp(c's + sum_k softplus((M s + d)_k))`, with s the enumerated layer (bias c)
/// and the other layer (bias d) summed out analytically. Configurations are visited in Gray-code
/// order so each step changes one unit; the exponentials of the other layer's inputs are updated
/// by one multiplication each, and their `log(1 + e^x)` terms are summed as logs of short products,
/// so a step costs a few flops per unit of the other layer. Parallel over chunks of configurations.
/// `progress` is told the number of chunks (up to 1,024, labelled `log Z`) and each finished one:
/// 2^25 configurations take about 20 s on two cores.
///
/// # Errors
/// [`Error::Infeasible`] when the smaller layer has more than [`MAX_EXACT_UNITS`] units.
pub fn exact_log_z<F: Float>(model: &BernoulliRbm<F>, progress: &dyn Progress) -> Result<f64> {
    let m64: BernoulliRbm<f64> = model.cast();
    // Enumerate the smaller layer: columns of `mat` are the enumerated units' weight vectors.
    let (mat, c, d) = if m64.hidden() <= m64.visible() {
        (m64.w.clone(), m64.a.clone(), m64.b.clone())
    } else {
        (m64.w.t().to_owned(), m64.b.clone(), m64.a.clone())
    };
    let k = c.len();
    if k > MAX_EXACT_UNITS {
        return Err(Error::Infeasible {
            what: format!("exact log Z (the smaller layer has {k} units)"),
            needed: 2f64.powi(k as i32),
            budget: 2f64.powi(MAX_EXACT_UNITS as i32),
            unit: "configurations".into(),
            parameter: None,
            advice: "use AIS".into(),
        });
    }
    // Bound on |input| of the other layer, to size the products so they cannot overflow.
    let bound = d
        .iter()
        .zip(mat.rows())
        .map(|(&di, row)| di.abs() + row.iter().map(|w| w.abs()).sum::<f64>())
        .fold(0.0f64, f64::max);
    let block = if bound < 1.0 {
        64
    } else {
        ((600.0 / bound) as usize).min(64)
    };
    let columns: Vec<Array1<f64>> = mat.columns().into_iter().map(|c| c.to_owned()).collect();
    let exp_plus: Vec<Array1<f64>> = columns.iter().map(|c| c.mapv(f64::exp)).collect();
    let exp_minus: Vec<Array1<f64>> = columns.iter().map(|c| c.mapv(|x| (-x).exp())).collect();
    let top = k.min(10);
    let low = k - top;
    progress.start(1 << top, "log Z");
    let chunk_sum = |prefix: u64| {
        // Start: the top bits from `prefix`, the low bits 0.
        let mut state = vec![false; k];
        let mut input = d.clone();
        let mut bias = 0.0;
        for t in 0..top {
            if prefix >> t & 1 == 1 {
                let unit = low + t;
                state[unit] = true;
                input += &columns[unit];
                bias += c[unit];
            }
        }
        let mut acc = LogSum::EMPTY;
        if block == 0 {
            // Inputs too large for products: sum softplus term by term.
            let mut visit = |input: &Array1<f64>, bias: f64| {
                acc.add(bias + input.iter().map(|&x| softplus(x)).sum::<f64>());
            };
            visit(&input, bias);
            for step in 1..1u64 << low {
                let unit = step.trailing_zeros() as usize;
                state[unit] = !state[unit];
                if state[unit] {
                    input += &columns[unit];
                    bias += c[unit];
                } else {
                    input -= &columns[unit];
                    bias -= c[unit];
                }
                visit(&input, bias);
            }
            return acc;
        }
        let mut e = input.mapv(f64::exp);
        let value = |e: &Array1<f64>, bias: f64| -> f64 {
            let slice = e.as_slice().expect("contiguous");
            bias + slice
                .chunks(block)
                .map(|chunk| chunk.iter().fold(1.0, |p, &x| p * (1.0 + x)).ln())
                .sum::<f64>()
        };
        acc.add(value(&e, bias));
        for step in 1..1u64 << low {
            let unit = step.trailing_zeros() as usize;
            state[unit] = !state[unit];
            if state[unit] {
                e *= &exp_plus[unit];
                bias += c[unit];
            } else {
                e *= &exp_minus[unit];
                bias -= c[unit];
            }
            acc.add(value(&e, bias));
        }
        acc
    };
    let total = (0..1u64 << top)
        .into_par_iter()
        .map(|prefix| {
            let acc = chunk_sum(prefix);
            progress.advance(1);
            acc
        })
        .reduce(|| LogSum::EMPTY, LogSum::merge);
    Ok(total.value())
}

/// Parameters of [`ais_log_z`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AisParams {
    /// Independent annealing runs (at least 1); default 100, as in the paper.
    pub runs: usize,
    /// Intermediate inverse temperatures (at least 3); default 14,500, as in the paper, spaced
    /// as in its code: 500 in [0, 0.5), 4,000 in [0.5, 0.9), 10,000 in [0.9, 1].
    pub betas: usize,
    /// Seed of the generator; default 0.
    pub seed: u64,
}

impl Default for AisParams {
    fn default() -> Self {
        AisParams {
            runs: 100,
            betas: 14_500,
            seed: 0,
        }
    }
}

impl Params for AisParams {
    fn check(&self) -> Result<()> {
        check_positive("runs", self.runs)?;
        check_betas("betas", self.betas)
    }
}

/// `Ok` when `betas` is at least 3, else an invalid-parameter error naming `name`.
pub(crate) fn check_betas(name: &str, betas: usize) -> Result<()> {
    if betas < 3 {
        return Err(Error::param(name, betas, "at least 3"));
    }
    Ok(())
}

/// An AIS estimate of `log Z`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AisReport {
    /// `log Z` estimate: `log Z_A + log(mean importance weight)`.
    pub log_z: f64,
    /// `log(mean - 3 standard errors)` (`-inf`, serialized as null, when that is not positive).
    pub log_z_low: f64,
    /// `log(mean + 3 standard errors)`.
    pub log_z_high: f64,
    /// `log Z` of the base-rate model the runs start from.
    pub log_z_base: f64,
}

/// The inverse-temperature schedule: `betas` values from 0 to 1 in three linear stretches holding
/// 500/14500, 4000/14500 and 10000/14500 of the points, as in Salakhutdinov and Murray's code.
pub fn beta_schedule(betas: usize) -> Vec<f64> {
    let betas = betas.max(3);
    let n1 = (betas * 500).div_ceil(14_500).max(1);
    let n2 = (betas * 4000 / 14_500).max(1);
    let n3 = betas - n1 - n2;
    let mut out = Vec::with_capacity(betas);
    out.extend((0..n1).map(|i| 0.5 * i as f64 / n1 as f64));
    out.extend((0..n2).map(|i| 0.5 + 0.4 * i as f64 / n2 as f64));
    out.extend((0..n3).map(|i| 0.9 + 0.1 * i as f64 / (n3 - 1).max(1) as f64));
    out
}

/// Annealed importance sampling of `log Z` (Neal 2001; Salakhutdinov and Murray 2008). The runs
/// start from the base-rate model (zero weights, visible biases `base_b`, usually
/// [`crate::base_rate_biases`] of the training data) and move through the intermediate
/// distributions `p_k(v) ~ exp((1 - beta_k) base_b'v + beta_k b'v) prod_j (1 + exp(beta_k (W'v + a)_j))`
/// by one Gibbs transition at each inverse temperature. `progress` counts inverse temperatures
/// (labelled `ais`).
///
/// # Errors
/// [`Error::InvalidParameter`] naming the first field of `params` that cannot be used;
/// [`Error::Shape`] when `base_b` does not match the visible layer.
pub fn ais_log_z(
    model: &BernoulliRbm<f32>,
    base_b: &Array1<f32>,
    params: &AisParams,
    progress: &dyn Progress,
) -> Result<AisReport> {
    params.check()?;
    if base_b.len() != model.visible() {
        return Err(Error::shape(
            "base_b",
            base_b.len(),
            format!("{} (the visible units)", model.visible()),
        ));
    }
    let betas = beta_schedule(params.betas);
    let mut rng: DeepRng = seeded(params.seed);
    let p = model.hidden() as f64;
    let log_z_base = base_b.iter().map(|&b| softplus(b as f64)).sum::<f64>() + p * 2f64.ln();
    // Start: exact samples from the base model.
    let base_probs =
        Array2::from_shape_fn((params.runs, model.visible()), |(_, i)| sigmoid(base_b[i]));
    let mut v = sample_bernoulli(&base_probs, &mut rng);
    let mut log_w = Array1::<f64>::zeros(params.runs);
    let bias_gap: Array1<f32> = &model.b - base_b;
    progress.start(betas.len() as u64, "ais");
    let mut x = v.dot(&model.w) + &model.a;
    for step in 1..betas.len() {
        let (prev, beta) = (betas[step - 1], betas[step]);
        // log p*_k(v) - log p*_{k-1}(v) at the current samples.
        let gap = v.dot(&bias_gap);
        Zip::from(&mut log_w)
            .and(x.rows())
            .and(&gap)
            .par_for_each(|w, row, &g| {
                let mut s = (beta - prev) * g as f64;
                for &xj in row {
                    let xj = xj as f64;
                    s += softplus(beta * xj) - softplus(prev * xj);
                }
                *w += s;
            });
        // One Gibbs transition that leaves p_k invariant.
        let beta32 = beta as f32;
        let h_probs = x.mapv(|xj| sigmoid(beta32 * xj));
        let h = sample_bernoulli(&h_probs, &mut rng);
        let mut vin = h.dot(&model.w.t());
        Zip::from(vin.rows_mut()).for_each(|mut row| {
            Zip::from(&mut row)
                .and(&model.b)
                .and(base_b)
                .for_each(|z, &b, &ba| *z = sigmoid(beta32 * (*z + b) + (1.0 - beta32) * ba));
        });
        v = sample_bernoulli(&vin, &mut rng);
        x = v.dot(&model.w) + &model.a;
        if step % 100 == 0 {
            progress.advance(100);
        }
    }
    // Final weights at beta = 1 were accumulated in the last step.
    let max = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let r = log_w.mapv(|w| (w - max).exp());
    let n = r.len() as f64;
    let mean = r.sum() / n;
    let var = if r.len() > 1 {
        r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let se = (var / n).sqrt();
    let shift = log_z_base + max;
    let low = mean - 3.0 * se;
    Ok(AisReport {
        log_z: shift + mean.ln(),
        log_z_low: if low > 0.0 {
            shift + low.ln()
        } else {
            f64::NEG_INFINITY
        },
        log_z_high: shift + (mean + 3.0 * se).ln(),
        log_z_base,
    })
}
