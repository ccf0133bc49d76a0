//! Training by contrastive divergence (CD-k) and persistent contrastive divergence (PCD).

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use deepgm_core::linalg::gemm_into;
use deepgm_core::params::{check_finite, check_positive, Params};
use deepgm_core::progress::Progress;
use deepgm_core::rng::{seeded, DeepRng};
use deepgm_core::schedule::LearningRateSchedule;
use deepgm_core::{Error, Result};
use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Serialize, Serializer};

use crate::binary_products::{sum_selected_rows, OnesByRow};
use crate::io::{load_model, save_model};
use crate::model::{sample_bernoulli_ones, sample_bernoulli_seeded, BernoulliRbm};

/// How the negative phase is sampled. Serialized (and shown) as `cd-K` or `pcd-K`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampler {
    /// Contrastive divergence: k Gibbs steps from the data.
    Cd(usize),
    /// Persistent CD: k Gibbs steps from chains carried across minibatches.
    Pcd(usize),
}

impl Sampler {
    /// The number k of Gibbs steps per update.
    pub fn steps(self) -> usize {
        match self {
            Sampler::Cd(k) | Sampler::Pcd(k) => k,
        }
    }
}

impl fmt::Display for Sampler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sampler::Cd(k) => write!(f, "cd-{k}"),
            Sampler::Pcd(k) => write!(f, "pcd-{k}"),
        }
    }
}

impl Serialize for Sampler {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Parameters of CD-k and PCD training ([`Trainer`]). The defaults follow Hinton's practical
/// guide and Salakhutdinov's code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainParams {
    /// Hidden units P of a new model; default 500.
    pub hidden: usize,
    /// CD-k or PCD-k (k at least 1); default CD-1.
    pub sampler: Sampler,
    /// Examples per minibatch; default 100.
    pub batch: usize,
    /// Learning rate at epoch 0 (finite, at least 0); default 0.05.
    pub learning_rate: f64,
    /// How the learning rate changes with the epoch; default constant.
    pub schedule: LearningRateSchedule,
    /// Momentum for the first `momentum_switch` epochs (finite, at least 0); default 0.5.
    pub initial_momentum: f64,
    /// Momentum afterwards (finite, at least 0); default 0.9.
    pub final_momentum: f64,
    /// Epoch at which momentum switches; default 5.
    pub momentum_switch: usize,
    /// L2 weight decay on W, not on the biases (finite, at least 0); default 0.0002.
    pub weight_decay: f64,
    /// Seed of the initialization, the minibatch order and the sampling; default 0.
    pub seed: u64,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            hidden: 500,
            sampler: Sampler::Cd(1),
            batch: 100,
            learning_rate: 0.05,
            schedule: LearningRateSchedule::Constant,
            initial_momentum: 0.5,
            final_momentum: 0.9,
            momentum_switch: 5,
            weight_decay: 0.0002,
            seed: 0,
        }
    }
}

/// `Ok` when `value` is finite and at least 0, else an invalid-parameter error naming `name`.
fn check_non_negative(name: &str, value: f64) -> Result<()> {
    check_finite(name, value)?;
    if value < 0.0 {
        return Err(Error::param(name, value, "a finite number >= 0"));
    }
    Ok(())
}

impl Params for TrainParams {
    fn check(&self) -> Result<()> {
        check_positive("hidden", self.hidden)?;
        if self.sampler.steps() == 0 {
            return Err(Error::param(
                "sampler",
                self.sampler,
                "at least 1 Gibbs step",
            ));
        }
        check_positive("batch", self.batch)?;
        check_non_negative("learning_rate", self.learning_rate)?;
        self.schedule.check("schedule")?;
        check_non_negative("initial_momentum", self.initial_momentum)?;
        check_non_negative("final_momentum", self.final_momentum)?;
        check_non_negative("weight_decay", self.weight_decay)
    }
}

/// Figures about one epoch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpochReport {
    /// Epoch number, from 1.
    pub epoch: usize,
    /// Mean squared reconstruction error per example (sum over visible units).
    pub reconstruction_error: f64,
    /// Learning rate used.
    pub learning_rate: f64,
    /// Momentum used.
    pub momentum: f64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// A model being trained with its optimizer state (velocities, persistent chains, generator).
pub struct Trainer {
    model: BernoulliRbm<f32>,
    params: TrainParams,
    epochs_done: usize,
    vel_w: Array2<f32>,
    vel_b: Array1<f32>,
    vel_a: Array1<f32>,
    chains: Option<Array2<f32>>,
    rng: DeepRng,
    patterns: Patterns,
}

/// Reused buffers for the ones of the binary states of one minibatch.
#[derive(Default)]
struct Patterns {
    /// The ones of the minibatch's data.
    data: OnesByRow,
    /// The ones of the negative-phase visible states.
    negative: OnesByRow,
    /// Data and negative states stacked and transposed: for each visible unit, the rows
    /// where it is on.
    by_unit: OnesByRow,
}

impl Trainer {
    /// Starts training a new model of `params.hidden` units, initialized from `data` (binary,
    /// N x D) by [`BernoulliRbm::init`] with `params.seed`; the training draws come from the same
    /// seed (same seed, same data, same result).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the first field of `params` that cannot be used, or
    /// `data` when it is empty.
    pub fn new(data: ArrayView2<'_, f32>, params: TrainParams) -> Result<Self> {
        params.check()?;
        let model = BernoulliRbm::init(data, params.hidden, params.seed)?;
        Ok(Trainer::start(model, 0, params))
    }

    /// Continues training `model` after `epochs_done` epochs (0 for a model made elsewhere).
    /// The velocities and persistent chains start afresh; the generator is that of seed
    /// `params.seed + epochs_done` (wrapping), so a resumed run is seeded too.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the first field of `params` that cannot be used;
    /// [`Error::Shape`] when `model` does not have `params.hidden` hidden units.
    pub fn with_model(
        model: BernoulliRbm<f32>,
        epochs_done: usize,
        params: TrainParams,
    ) -> Result<Self> {
        params.check()?;
        if model.hidden() != params.hidden {
            return Err(Error::shape(
                "model",
                (model.visible(), model.hidden()),
                format!("{} hidden units", params.hidden),
            ));
        }
        Ok(Trainer::start(model, epochs_done, params))
    }

    /// The trainer of `model` after `epochs_done` epochs, with checked `params` that fit it.
    fn start(model: BernoulliRbm<f32>, epochs_done: usize, params: TrainParams) -> Self {
        Trainer {
            vel_w: Array2::zeros(model.w.raw_dim()),
            vel_b: Array1::zeros(model.visible()),
            vel_a: Array1::zeros(model.hidden()),
            rng: seeded(params.seed.wrapping_add(epochs_done as u64)),
            model,
            params,
            epochs_done,
            chains: None,
            patterns: Patterns::default(),
        }
    }

    /// Continues from the checkpoint at `path` (written by [`Trainer::save_checkpoint`]; its
    /// `epochs` metadata says how many epochs it has done, 0 when absent), for data of
    /// `visible` units, as [`Trainer::with_model`].
    ///
    /// # Errors
    /// Those of [`load_model`]; [`Error::Format`] naming the file when its model is not
    /// `visible` x `params.hidden`; [`Error::InvalidParameter`] as [`Trainer::with_model`].
    pub fn resume(path: &Path, visible: usize, params: TrainParams) -> Result<Self> {
        params.check()?;
        let (model, metadata) = load_model(path)?;
        if model.hidden() != params.hidden || model.visible() != visible {
            return Err(Error::format(
                path,
                format!(
                    "checkpoint is {} x {}, but {} hidden units on {visible}-unit data were asked",
                    model.visible(),
                    model.hidden(),
                    params.hidden,
                ),
            ));
        }
        let done = metadata
            .get("epochs")
            .and_then(|e| e.parse().ok())
            .unwrap_or(0);
        Ok(Trainer::start(model, done, params))
    }

    /// Writes the model to `path` (atomically, by [`save_model`]) with metadata naming the
    /// epochs done and the training parameters (`epochs`, `sampler`, `batch`, `lr`, `lr_decay`
    /// or `lr_factor`, `momentum`, `weight_decay`, `seed`), plus the caller's `extra` pairs
    /// (what the data was, for example).
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be written.
    pub fn save_checkpoint(&self, path: &Path, extra: &[(&str, String)]) -> Result<()> {
        let p = &self.params;
        let mut meta: HashMap<String, String> = [
            ("epochs", self.epochs_done.to_string()),
            ("sampler", p.sampler.to_string()),
            ("batch", p.batch.to_string()),
            ("lr", p.learning_rate.to_string()),
            ("momentum", p.final_momentum.to_string()),
            ("weight_decay", p.weight_decay.to_string()),
            ("seed", p.seed.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        match p.schedule {
            LearningRateSchedule::Constant => meta.insert("lr_decay".into(), 0f64.to_string()),
            LearningRateSchedule::InverseTime { decay } => {
                meta.insert("lr_decay".into(), decay.to_string())
            }
            LearningRateSchedule::Exponential { factor } => {
                meta.insert("lr_factor".into(), factor.to_string())
            }
        };
        for (k, v) in extra {
            meta.insert(k.to_string(), v.clone());
        }
        save_model(&self.model, path, &meta)
    }

    /// The model as trained so far.
    pub fn model(&self) -> &BernoulliRbm<f32> {
        &self.model
    }

    /// The model, ending training.
    pub fn into_model(self) -> BernoulliRbm<f32> {
        self.model
    }

    /// The training parameters.
    pub fn params(&self) -> &TrainParams {
        &self.params
    }

    /// Epochs completed (including those of a resumed checkpoint).
    pub fn epochs_done(&self) -> usize {
        self.epochs_done
    }

    /// Runs one epoch over `data` (binary, N x D) in a fresh random order; `progress` counts
    /// minibatches (labelled `epoch T`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `data` when it is empty or does not match the visible
    /// layer.
    pub fn epoch(
        &mut self,
        data: ArrayView2<'_, f32>,
        progress: &dyn Progress,
    ) -> Result<EpochReport> {
        self.model.check_visible(data)?;
        if data.nrows() == 0 {
            return Err(Error::invalid("data", "no training examples"));
        }
        let start = std::time::Instant::now();
        let o = self.params.clone();
        let t = self.epochs_done;
        let (lr, momentum) = self.rate_and_momentum();
        let mut order: Vec<usize> = (0..data.nrows()).collect();
        order.shuffle(&mut self.rng);
        let batches = data.nrows().div_ceil(o.batch);
        progress.start(batches as u64, &format!("epoch {}", t + 1));
        let mut squared_error = 0.0f64;
        for chunk in order.chunks(o.batch) {
            let v0 = data.select(Axis(0), chunk);
            squared_error += self.step(v0.view(), lr as f32, momentum as f32);
            progress.advance(1);
        }
        self.epochs_done += 1;
        Ok(EpochReport {
            epoch: self.epochs_done,
            reconstruction_error: squared_error / data.nrows() as f64,
            learning_rate: lr,
            momentum,
            seconds: start.elapsed().as_secs_f64(),
        })
    }

    /// One update on the minibatch `batch` (binary or probabilities, n x D) at the learning rate
    /// and momentum of the current epoch (the epoch count does not change); returns the
    /// batch's mean squared reconstruction error per example.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `data` when `batch` is empty or does not match the
    /// visible layer.
    pub fn update(&mut self, batch: ArrayView2<'_, f32>) -> Result<f64> {
        self.model.check_visible(batch)?;
        if batch.nrows() == 0 {
            return Err(Error::invalid("data", "no training examples"));
        }
        let (lr, momentum) = self.rate_and_momentum();
        let squared_error = self.step(batch, lr as f32, momentum as f32);
        Ok(squared_error / batch.nrows() as f64)
    }

    /// The learning rate and momentum of the current epoch.
    fn rate_and_momentum(&self) -> (f64, f64) {
        let o = &self.params;
        let t = self.epochs_done;
        let momentum = if t < o.momentum_switch {
            o.initial_momentum
        } else {
            o.final_momentum
        };
        (o.schedule.rate(o.learning_rate, t), momentum)
    }

    /// The persistent chains' visible states (PCD, after the first update; one row per example
    /// of the last minibatch), else `None`.
    pub fn chains(&self) -> Option<ArrayView2<'_, f32>> {
        self.chains.as_ref().map(|c| c.view())
    }

    /// One minibatch update; returns the batch's summed squared reconstruction error.
    ///
    /// Binary visible states (the data, when it is binary, and every sampled state) multiply
    /// the weights as sums of selected rows ([`sum_selected_rows`]); real-valued data takes the
    /// dense GEMM.
    fn step(&mut self, v0: ArrayView2<'_, f32>, lr: f32, momentum: f32) -> f64 {
        let n = v0.nrows();
        let model = &self.model;
        let patterns = &mut self.patterns;
        // Every sampling call draws a fresh seed, so results depend on the seed alone.
        let rng = &mut self.rng;
        let mut next_seed = || rng.random::<u64>();
        let data_binary = patterns.data.refill(&[v0]);
        let h0_probs = hidden_probs(model, v0, data_binary.then_some(&patterns.data));
        let h0 = sample_bernoulli_seeded(&h0_probs, next_seed());
        let recon = model.visible_probs(h0.view());
        // Per row in f32 (vectorizes), rows summed in f64.
        let squared_error: f64 = Zip::from(recon.rows())
            .and(v0.rows())
            .map_collect(|p, v| {
                p.iter()
                    .zip(v.iter())
                    .map(|(&p, &v)| (p - v) * (p - v))
                    .sum::<f32>() as f64
            })
            .sum();
        let (k, persistent) = match self.params.sampler {
            Sampler::Cd(k) => (k, false),
            Sampler::Pcd(k) => (k, true),
        };
        // The negative phase: k Gibbs steps from the data (CD) or the persistent chains (PCD).
        // Sampled states record their ones as they are drawn.
        let mut vk_known = false;
        let mut vk = match (&self.chains, persistent) {
            (Some(chains), true) if chains.nrows() == n => chains.clone(),
            (_, true) => v0.to_owned(),
            (_, false) => {
                vk_known = true;
                sample_bernoulli_ones(&recon, next_seed(), &mut patterns.negative)
            }
        };
        if !vk_known {
            // PCD chains are binary; data given as probabilities is not.
            vk_known = patterns.negative.refill(&[vk.view()]);
        }
        let mut steps_left = if persistent { k } else { k - 1 };
        while steps_left > 0 {
            let h_probs = hidden_probs(model, vk.view(), vk_known.then_some(&patterns.negative));
            let h = sample_bernoulli_seeded(&h_probs, next_seed());
            vk = sample_bernoulli_ones(
                &model.visible_probs(h.view()),
                next_seed(),
                &mut patterns.negative,
            );
            vk_known = true;
            steps_left -= 1;
        }
        let hk_probs = hidden_probs(model, vk.view(), vk_known.then_some(&patterns.negative));
        // Velocities: momentum * old + lr * (positive - negative statistics - decay). The two
        // statistics are one product: [v0; vk]' [h0; -hk].
        let scale = lr / n as f32;
        let hidden = ndarray::concatenate(Axis(0), &[h0_probs.view(), (-&hk_probs).view()])
            .expect("same widths");
        if data_binary && vk_known {
            OnesByRow::transpose_stacked(
                &[&patterns.data, &patterns.negative],
                &mut patterns.by_unit,
            );
            sum_selected_rows(
                &patterns.by_unit,
                hidden.view(),
                scale,
                momentum,
                self.vel_w.view_mut(),
            );
        } else {
            let visible =
                ndarray::concatenate(Axis(0), &[v0.view(), vk.view()]).expect("same widths");
            gemm_into(
                scale,
                visible.t(),
                hidden.view(),
                momentum,
                &mut self.vel_w.view_mut(),
            );
        }
        // Weight decay, then the step, in one pass over the weights.
        let decay = lr * self.params.weight_decay as f32;
        Zip::from(&mut self.vel_w)
            .and(&mut self.model.w)
            .for_each(|v, w| {
                *v -= decay * *w;
                *w += *v;
            });
        let db = (v0.sum_axis(Axis(0)) - vk.sum_axis(Axis(0))) * scale;
        let da = (h0_probs.sum_axis(Axis(0)) - hk_probs.sum_axis(Axis(0))) * scale;
        if persistent {
            self.chains = Some(vk);
        }
        self.vel_b.mapv_inplace(|x| x * momentum);
        self.vel_b += &db;
        self.vel_a.mapv_inplace(|x| x * momentum);
        self.vel_a += &da;
        self.model.b += &self.vel_b;
        self.model.a += &self.vel_a;
        squared_error
    }
}

/// `p(h | v)` from the ones of `v` when they are known (binary states), else by the dense GEMM.
fn hidden_probs(
    model: &BernoulliRbm<f32>,
    v: ArrayView2<'_, f32>,
    ones: Option<&OnesByRow>,
) -> Array2<f32> {
    match ones {
        Some(ones) => model.hidden_probs_of_ones(ones),
        None => model.hidden_probs(v),
    }
}
