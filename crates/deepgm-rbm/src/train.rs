//! Training by contrastive divergence (CD-k) and persistent contrastive divergence (PCD).

use crate::binary::{sum_selected_rows, OnesByRow};
use crate::linalg::gemm_into;
use deepgm_core::progress::Progress;
use deepgm_core::rng::{seeded, DeepRng};
use deepgm_core::{Error, Result};
use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};
use rand::seq::SliceRandom;
use rand::Rng;

use crate::model::{sample_bernoulli_ones, sample_bernoulli_seeded, BernoulliRbm};

/// How the negative phase is sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampler {
    /// Contrastive divergence: k Gibbs steps from the data.
    Cd(usize),
    /// Persistent CD: k Gibbs steps from chains carried across minibatches.
    Pcd(usize),
}

/// Training settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// CD-k or PCD-k.
    pub sampler: Sampler,
    /// Examples per minibatch.
    pub batch: usize,
    /// Learning rate at epoch 0.
    pub learning_rate: f64,
    /// Learning rate at epoch t is `learning_rate / (1 + lr_decay * t)`; 0 keeps it constant.
    pub lr_decay: f64,
    /// Momentum for the first `momentum_switch` epochs.
    pub initial_momentum: f64,
    /// Momentum afterwards.
    pub final_momentum: f64,
    /// Epoch at which momentum switches.
    pub momentum_switch: usize,
    /// L2 weight decay on W (not on the biases).
    pub weight_decay: f64,
}

impl Default for TrainOptions {
    /// Hinton's practical guide and Salakhutdinov's code: CD-1, batch 100, learning rate 0.05,
    /// momentum 0.5 then 0.9 after 5 epochs, weight decay 0.0002.
    fn default() -> Self {
        TrainOptions {
            sampler: Sampler::Cd(1),
            batch: 100,
            learning_rate: 0.05,
            lr_decay: 0.0,
            initial_momentum: 0.5,
            final_momentum: 0.9,
            momentum_switch: 5,
            weight_decay: 0.0002,
        }
    }
}

/// Figures about one epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochStats {
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
    /// The model, updated in place.
    pub model: BernoulliRbm<f32>,
    /// Settings.
    pub options: TrainOptions,
    /// Epochs completed.
    pub epochs_done: usize,
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
    /// Starts training `model` (seeded: same seed, same data, same result).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a zero batch or k, or a learning rate or momentum that is not
    /// finite and non-negative.
    pub fn new(model: BernoulliRbm<f32>, options: TrainOptions, seed: u64) -> Result<Self> {
        let k = match options.sampler {
            Sampler::Cd(k) | Sampler::Pcd(k) => k,
        };
        if k == 0 {
            return Err(Error::invalid("k", "0 Gibbs steps: expected at least 1"));
        }
        if options.batch == 0 {
            return Err(Error::invalid("batch", "0: expected at least 1"));
        }
        for (name, value) in [
            ("learning rate", options.learning_rate),
            ("lr decay", options.lr_decay),
            ("momentum", options.initial_momentum),
            ("momentum", options.final_momentum),
            ("weight decay", options.weight_decay),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(Error::invalid(
                    name,
                    format!("{value}: expected a finite number >= 0"),
                ));
            }
        }
        Ok(Trainer {
            vel_w: Array2::zeros(model.w.raw_dim()),
            vel_b: Array1::zeros(model.visible()),
            vel_a: Array1::zeros(model.hidden()),
            model,
            options,
            epochs_done: 0,
            chains: None,
            rng: seeded(seed),
            patterns: Patterns::default(),
        })
    }

    /// Runs one epoch over `data` (binary, N x D) in a fresh random order.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `data` is empty or does not match the visible layer.
    pub fn epoch(
        &mut self,
        data: ArrayView2<'_, f32>,
        progress: &dyn Progress,
    ) -> Result<EpochStats> {
        self.model.check_visible(data)?;
        if data.nrows() == 0 {
            return Err(Error::invalid("data", "no training examples"));
        }
        let start = std::time::Instant::now();
        let o = self.options.clone();
        let t = self.epochs_done;
        let lr = o.learning_rate / (1.0 + o.lr_decay * t as f64);
        let momentum = if t < o.momentum_switch {
            o.initial_momentum
        } else {
            o.final_momentum
        };
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
        Ok(EpochStats {
            epoch: self.epochs_done,
            reconstruction_error: squared_error / data.nrows() as f64,
            learning_rate: lr,
            momentum,
            seconds: start.elapsed().as_secs_f64(),
        })
    }

    /// One minibatch update; returns the batch's summed squared reconstruction error.
    ///
    /// Binary visible states (the data, when it is binary, and every sampled state) multiply
    /// the weights as sums of selected rows ([`crate::binary`]); real-valued data takes the
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
        let (k, persistent) = match self.options.sampler {
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
        let decay = lr * self.options.weight_decay as f32;
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
