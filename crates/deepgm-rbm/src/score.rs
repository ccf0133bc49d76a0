//! Measuring a model: log Z (exactly or by AIS), the average log-probability of data, the
//! reconstruction cross-entropy and a pseudo-log-likelihood.

use deepgm_core::numeric::softplus;
use deepgm_core::params::{check_positive, Params};
use deepgm_core::progress::Progress;
use deepgm_core::rng::seeded;
use deepgm_core::{Error, Result};
use ndarray::{Array1, ArrayView2, Axis, Zip};
use rand::Rng;
use serde::Serialize;

use crate::model::BernoulliRbm;
use crate::partition::{ais_log_z, check_betas, exact_log_z, AisParams};

/// Largest smaller-layer size [`score`] computes log Z of exactly when no method is asked for
/// (2^25 configurations, about 20 s on two cores).
pub const DEFAULT_EXACT_LIMIT: usize = 25;

/// How [`score`] computes log Z. Serialized as `exact` or `ais`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogZMethod {
    /// [`exact_log_z`]: enumeration of the smaller layer.
    Exact,
    /// [`ais_log_z`]: annealed importance sampling from the base-rate model.
    Ais,
}

impl LogZMethod {
    /// The method's name, as serialized: `exact` or `ais`.
    pub fn name(self) -> &'static str {
        match self {
            LogZMethod::Exact => "exact",
            LogZMethod::Ais => "ais",
        }
    }
}

/// Parameters of [`score`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreParams {
    /// How log Z is computed; default `None`: exactly when the smaller layer has at most
    /// [`DEFAULT_EXACT_LIMIT`] units, else by AIS.
    pub method: Option<LogZMethod>,
    /// AIS runs (at least 1); default 100.
    pub ais_runs: usize,
    /// AIS inverse temperatures (at least 3); default 14,500.
    pub ais_betas: usize,
    /// Seed of AIS and of the pseudo-log-likelihood's choice of units; default 0.
    pub seed: u64,
}

impl Default for ScoreParams {
    fn default() -> Self {
        let ais = AisParams::default();
        ScoreParams {
            method: None,
            ais_runs: ais.runs,
            ais_betas: ais.betas,
            seed: 0,
        }
    }
}

impl Params for ScoreParams {
    fn check(&self) -> Result<()> {
        check_positive("ais_runs", self.ais_runs)?;
        check_betas("ais_betas", self.ais_betas)
    }
}

impl ScoreParams {
    /// The method [`score`] uses for `model`: `method`, or the default rule when it is `None`.
    pub fn method_for<F: deepgm_core::numeric::Float>(
        &self,
        model: &BernoulliRbm<F>,
    ) -> LogZMethod {
        self.method.unwrap_or({
            if model.hidden().min(model.visible()) <= DEFAULT_EXACT_LIMIT {
                LogZMethod::Exact
            } else {
                LogZMethod::Ais
            }
        })
    }
}

/// The measures of a model on data, in nats per example.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreReport {
    /// How log Z was computed.
    pub method: LogZMethod,
    /// log Z (the AIS estimate for AIS).
    pub log_z: f64,
    /// Lower end of log Z's 3-standard-error AIS band (log Z itself when exact; `-inf`,
    /// serialized as null, when the band's lower end is not positive).
    pub log_z_low: f64,
    /// Upper end of log Z's band (log Z itself when exact).
    pub log_z_high: f64,
    /// [`average_log_prob`] of the data.
    pub avg_log_prob: f64,
    /// [`reconstruction_cross_entropy`] of the data.
    pub recon_error: f64,
    /// The pseudo-log-likelihood proxy of scikit-learn's `BernoulliRBM.score_samples`, averaged.
    pub pseudo_log_likelihood: f64,
    /// Examples scored.
    pub examples: usize,
    /// Hidden units of the model.
    pub hidden: usize,
}

/// Scores `model` on `data` (binary, N x D): log Z by [`ScoreParams::method_for`], then the
/// average log-probability, the reconstruction cross-entropy and the pseudo-log-likelihood.
/// AIS starts from the base-rate model of visible biases `base_b` (usually
/// [`crate::base_rate_biases`] of the training data, as in Salakhutdinov and Murray), which
/// only AIS needs. `progress` is passed to [`exact_log_z`] or [`ais_log_z`].
///
/// # Errors
/// [`Error::InvalidParameter`] naming the first field of `params` that cannot be used, `data`
/// when it does not match the visible layer or has no rows, or `base_b` when AIS is used
/// without it; those of [`exact_log_z`] and [`ais_log_z`].
pub fn score(
    model: &BernoulliRbm<f32>,
    data: ArrayView2<'_, f32>,
    base_b: Option<&Array1<f32>>,
    params: &ScoreParams,
    progress: &dyn Progress,
) -> Result<ScoreReport> {
    params.check()?;
    model.check_visible(data)?;
    if data.nrows() == 0 {
        return Err(Error::invalid("data", "no examples to score"));
    }
    let method = params.method_for(model);
    let (log_z, log_z_low, log_z_high) = match method {
        LogZMethod::Exact => {
            let z = exact_log_z(model, progress)?;
            (z, z, z)
        }
        LogZMethod::Ais => {
            let base_b = base_b.ok_or_else(|| {
                Error::invalid(
                    "base_b",
                    "AIS needs the visible biases of a base-rate model",
                )
            })?;
            let ais = AisParams {
                runs: params.ais_runs,
                betas: params.ais_betas,
                seed: params.seed,
            };
            let est = ais_log_z(model, base_b, &ais, progress)?;
            (est.log_z, est.log_z_low, est.log_z_high)
        }
    };
    Ok(ScoreReport {
        method,
        log_z,
        log_z_low,
        log_z_high,
        avg_log_prob: average_log_prob(model, data, log_z),
        recon_error: reconstruction_cross_entropy(model, data),
        pseudo_log_likelihood: pseudo_log_likelihood(model, data, params.seed),
        examples: data.nrows(),
        hidden: model.hidden(),
    })
}

/// Average of `log p(v) = -F(v) - log Z` over the rows of `data` (natural log, per example).
pub fn average_log_prob(model: &BernoulliRbm<f32>, data: ArrayView2<'_, f32>, log_z: f64) -> f64 {
    let fe = model.free_energy(data);
    -fe.mean().unwrap_or(f64::NAN) - log_z
}

/// Mean reconstruction cross-entropy per example: `v -> p(h|v) -> p(v|h)` and
/// `-sum_i [v_i log p_i + (1 - v_i) log(1 - p_i)]`, in nats.
pub fn reconstruction_cross_entropy(model: &BernoulliRbm<f32>, data: ArrayView2<'_, f32>) -> f64 {
    let h = model.hidden_probs(data);
    let p = model.visible_probs(h.view());
    let eps = 1e-7f64;
    let total: f64 = Zip::from(&p).and(data).fold(0.0f64, |acc, &p, &v| {
        let p = (p as f64).clamp(eps, 1.0 - eps);
        acc - if v > 0.5 { p.ln() } else { (1.0 - p).ln() }
    });
    total / data.nrows().max(1) as f64
}

/// Pseudo-log-likelihood proxy of scikit-learn's `BernoulliRBM.score_samples`, averaged over
/// the examples ([`pseudo_log_likelihoods`]).
fn pseudo_log_likelihood(model: &BernoulliRbm<f32>, data: ArrayView2<'_, f32>, seed: u64) -> f64 {
    let values = pseudo_log_likelihood_values(model, data, seed);
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// Pseudo-log-likelihood proxy of scikit-learn's `BernoulliRBM.score_samples`, per example: flip
/// one uniformly chosen unit i of each row of `data` (N x D) and return
/// `-D * softplus(-(F(v~) - F(v)))` = `D * log sigmoid(F(v~) - F(v))`. The units are chosen by
/// the generator of `seed`.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `data` when it does not match the visible layer.
pub fn pseudo_log_likelihoods(
    model: &BernoulliRbm<f32>,
    data: ArrayView2<'_, f32>,
    seed: u64,
) -> Result<Array1<f64>> {
    model.check_visible(data)?;
    Ok(Array1::from(pseudo_log_likelihood_values(
        model, data, seed,
    )))
}

/// The values of [`pseudo_log_likelihoods`] of checked `data`.
fn pseudo_log_likelihood_values(
    model: &BernoulliRbm<f32>,
    data: ArrayView2<'_, f32>,
    seed: u64,
) -> Vec<f64> {
    let mut rng = seeded(seed);
    let d = data.ncols();
    let mut flipped = data.to_owned();
    for mut row in flipped.axis_iter_mut(Axis(0)) {
        let i = rng.random_range(0..d);
        row[i] = 1.0 - row[i];
    }
    let fe = model.free_energy(data);
    let fe_flipped = model.free_energy(flipped.view());
    let values: Vec<f64> = fe
        .iter()
        .zip(fe_flipped.iter())
        .map(|(&f, &g)| -(d as f64) * softplus(-(g - f)))
        .collect();
    values
}
