//! Training: shuffled minibatch epochs with data-parallel gradients, the learning-rate
//! schedule, checkpoints after every epoch and exact resumption from them.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use deepgm_core::params::{check_finite, check_positive, check_positive_real, Params};
use deepgm_core::progress::Progress;
use deepgm_core::rng::{seeded, stream};
use deepgm_core::schedule::LearningRateSchedule;
use deepgm_core::{Error, Result};
use ndarray::{s, Array4};
use rand::seq::SliceRandom;
use serde::Serialize;

use crate::arch::{Arch, ArchKind};
use crate::evaluate::{evaluate, EvalParams};
use crate::images::{ImageSet, MNIST_MEAN, MNIST_STD};
use crate::model_file::{
    load_model, load_optimizer_state, optimizer_state_path, save_model, save_optimizer_state,
};
use crate::optim::{Optimizer, OptimizerKind};
use crate::sequential::Sequential;

/// Which update rule training uses (Adam with PyTorch's betas 0.9, 0.999 and eps 1e-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UpdateRule {
    /// SGD with momentum (`sgd`, the default).
    #[default]
    Sgd,
    /// Adam (`adam`).
    Adam,
}

/// Parameters of training ([`Trainer`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainParams {
    /// Epochs in total, those of a resumed checkpoint included; default 5.
    pub epochs: usize,
    /// Images per minibatch (the last may be smaller); default 64.
    pub batch_size: usize,
    /// Learning rate of the first epoch; default 0.01.
    pub learning_rate: f64,
    /// How the learning rate changes from epoch to epoch; default constant.
    /// `Exponential { factor }` is PyTorch's `StepLR` with step 1.
    pub schedule: LearningRateSchedule,
    /// The update rule; default SGD.
    pub optimizer: UpdateRule,
    /// SGD's momentum (Adam ignores it); default 0.9.
    pub momentum: f64,
    /// L2 weight decay, added to the gradient; default 0.
    pub weight_decay: f64,
    /// Seed of the initialization and of every epoch's minibatch order; default 0.
    pub seed: u64,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            epochs: 5,
            batch_size: 64,
            learning_rate: 0.01,
            schedule: LearningRateSchedule::Constant,
            optimizer: UpdateRule::Sgd,
            momentum: 0.9,
            weight_decay: 0.0,
            seed: 0,
        }
    }
}

impl Params for TrainParams {
    fn check(&self) -> Result<()> {
        check_positive("batch_size", self.batch_size)?;
        check_positive_real("learning_rate", self.learning_rate)?;
        self.schedule.check("schedule")?;
        for (name, value) in [
            ("momentum", self.momentum),
            ("weight_decay", self.weight_decay),
        ] {
            check_finite(name, value)?;
            if value < 0.0 {
                return Err(Error::param(name, value, "a finite number of at least 0"));
            }
        }
        Ok(())
    }
}

impl TrainParams {
    /// The optimizer's rule with these settings.
    pub fn optimizer_kind(&self) -> OptimizerKind {
        match self.optimizer {
            UpdateRule::Sgd => OptimizerKind::Sgd {
                momentum: self.momentum,
                weight_decay: self.weight_decay,
            },
            UpdateRule::Adam => OptimizerKind::adam(self.weight_decay),
        }
    }

    /// The entries a checkpoint's metadata records about the run.
    fn metadata(&self) -> Vec<(&'static str, String)> {
        let name = match self.optimizer {
            UpdateRule::Sgd => "sgd",
            UpdateRule::Adam => "adam",
        };
        let mut meta = vec![
            ("optimizer", name.to_string()),
            ("lr", self.learning_rate.to_string()),
            ("momentum", self.momentum.to_string()),
            ("weight_decay", self.weight_decay.to_string()),
            ("batch", self.batch_size.to_string()),
            ("seed", self.seed.to_string()),
        ];
        // `lr_decay` is the per-epoch factor (the name older checkpoints use).
        match self.schedule {
            LearningRateSchedule::Constant => meta.push(("lr_decay", 1f64.to_string())),
            LearningRateSchedule::Exponential { factor } => {
                meta.push(("lr_decay", factor.to_string()))
            }
            LearningRateSchedule::InverseTime { decay } => {
                meta.push(("lr_inverse_time_decay", decay.to_string()))
            }
        }
        meta
    }
}

/// What one training epoch did (one entry of [`TrainReport::epochs`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpochReport {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean cross-entropy over the epoch's minibatches as they were trained (nats).
    pub loss: f64,
    /// Fraction of training images classified correctly as they were trained.
    pub train_accuracy: f64,
    /// Accuracy on the held-out set after the epoch, when one was given to [`Trainer::fit`].
    pub test_accuracy: Option<f64>,
    /// Mean cross-entropy (nats) on the held-out set after the epoch, when one was given.
    pub test_loss: Option<f64>,
    /// Size of the held-out set, when one was given.
    pub test_examples: Option<usize>,
    /// Wall-clock seconds of the epoch's training (shuffling and gathering included, the
    /// held-out scoring not).
    pub seconds: f64,
    /// Training images per second.
    pub images_per_second: f64,
}

/// What [`Trainer::fit`] did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainReport {
    /// The architecture trained.
    pub arch: ArchKind,
    /// Number of parameters of the network.
    pub parameters: usize,
    /// Training images.
    pub examples: usize,
    /// The update rule.
    pub optimizer: UpdateRule,
    /// One report per epoch trained in this call (none when a resumed run was already done).
    pub epochs: Vec<EpochReport>,
    /// Held-out accuracy after the last epoch trained, when there was a held-out set.
    pub test_accuracy: Option<f64>,
}

/// Where a resumed run started (see [`Trainer::resume`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resumed {
    /// Epochs the checkpoint had done.
    pub epochs: usize,
    /// Whether the optimizer's buffers were restored (false when the file beside the
    /// checkpoint, [`optimizer_state_path`], was missing: they restart from zero).
    pub optimizer_state: bool,
}

/// A network in training with its optimizer: epoch by epoch ([`Self::train_epoch`]), or all
/// remaining epochs with scoring and checkpoints ([`Self::fit`]). A run resumed from a
/// checkpoint continues exactly as the uninterrupted run would have.
#[derive(Debug, Clone)]
pub struct Trainer {
    arch: Arch,
    params: TrainParams,
    model: Sequential<f32>,
    optimizer: Optimizer<f32>,
    epochs_done: usize,
    train_examples: usize,
    resumed: Option<Resumed>,
}

impl Trainer {
    /// A fresh network of `arch`, initialized as PyTorch does from `params.seed`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for bad params; errors of [`Arch::build`].
    pub fn new(arch: Arch, params: TrainParams) -> Result<Self> {
        params.check()?;
        let mut model = arch.build::<f32>()?;
        model.init_pytorch(&mut seeded(params.seed));
        let optimizer = Optimizer::new(params.optimizer_kind(), params.learning_rate);
        Ok(Trainer {
            arch,
            params,
            model,
            optimizer,
            epochs_done: 0,
            train_examples: 0,
            resumed: None,
        })
    }

    /// Continues from the checkpoint at `path` (written by [`Self::save`]), with the
    /// optimizer's buffers from beside it when they are there; a fresh trainer
    /// ([`Self::new`]) when there is no file at `path`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for bad params; [`Error::Io`] or [`Error::Format`] when the
    /// checkpoint or its optimizer state cannot be read, or the checkpoint is of another
    /// architecture or settings than `arch`.
    pub fn resume(path: &Path, arch: Arch, params: TrainParams) -> Result<Self> {
        params.check()?;
        if !path.exists() {
            return Trainer::new(arch, params);
        }
        let (model, saved_arch, meta) = load_model(path)?;
        if saved_arch != arch {
            return Err(Error::format(
                path,
                format!(
                    "checkpoint is a {} network with other settings than asked: resume with \
                     the same architecture and settings",
                    saved_arch.name()
                ),
            ));
        }
        let mut optimizer = Optimizer::new(params.optimizer_kind(), params.learning_rate);
        let state = optimizer_state_path(path);
        let optimizer_state = state.exists();
        if optimizer_state {
            let shapes: Vec<Vec<usize>> =
                model.params().iter().map(|p| p.shape().to_vec()).collect();
            load_optimizer_state(&mut optimizer, &model.param_names(), &shapes, &state)?;
        }
        let epochs = meta.get("epochs").and_then(|e| e.parse().ok()).unwrap_or(0);
        Ok(Trainer {
            arch,
            params,
            model,
            optimizer,
            epochs_done: epochs,
            train_examples: 0,
            resumed: Some(Resumed {
                epochs,
                optimizer_state,
            }),
        })
    }

    /// The network as trained so far.
    pub fn model(&self) -> &Sequential<f32> {
        &self.model
    }

    /// The trained network.
    pub fn into_model(self) -> Sequential<f32> {
        self.model
    }

    /// The architecture.
    pub fn arch(&self) -> Arch {
        self.arch
    }

    /// The parameters.
    pub fn params(&self) -> &TrainParams {
        &self.params
    }

    /// Epochs done (those of a resumed checkpoint included).
    pub fn epochs_done(&self) -> usize {
        self.epochs_done
    }

    /// Where a resumed run started; `None` for a fresh one.
    pub fn resumed(&self) -> Option<Resumed> {
        self.resumed
    }

    /// Trains the next epoch (epoch `t` = [`Self::epochs_done`], from 0) at the learning rate
    /// `params.schedule` gives for `t`: the images are shuffled with stream `t` of the seed
    /// (so a resumed run sees the same order as an uninterrupted one), each minibatch's mean
    /// loss gradient is computed in parallel, and the optimizer takes one step per minibatch.
    /// The last minibatch may be smaller (PyTorch's `drop_last=False`). Progress counts images.
    /// The report's `test_*` fields are `None`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (name `data`) for an empty set or data that does not fit
    /// ([`ImageSet::check_fits`]); [`Error::InvalidParameter`] (name `learning_rate`) naming the
    /// epoch and minibatch at the first minibatch whose loss is not finite (training diverged),
    /// before that minibatch's step.
    pub fn train_epoch(&mut self, data: &ImageSet, progress: &dyn Progress) -> Result<EpochReport> {
        data.check_run(&self.model, "no training images")?;
        let epoch_index = self.epochs_done;
        let batch = self.params.batch_size;
        self.optimizer.lr = self
            .params
            .schedule
            .rate(self.params.learning_rate, epoch_index);
        let start = Instant::now();
        let n = data.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut stream(self.params.seed, epoch_index as u64));
        let (_, c, h, w) = data.images.dim();
        // One minibatch's buffer: no larger than the data (a huge `batch_size` is one batch).
        let rows = batch.min(n);
        let mut x = Array4::<f32>::zeros((rows, c, h, w));
        let mut labels = Vec::with_capacity(rows);
        let (mut loss_sum, mut correct) = (0.0, 0);
        progress.start(n as u64, &format!("epoch {}", epoch_index + 1));
        for (batch_index, chunk) in order.chunks(batch).enumerate() {
            labels.clear();
            for (row, &i) in chunk.iter().enumerate() {
                x.slice_mut(s![row, .., .., ..])
                    .assign(&data.images.slice(s![i, .., .., ..]));
                labels.push(data.labels[i]);
            }
            let xb = x.slice(s![..chunk.len(), .., .., ..]);
            let mut grads = self.model.batch_gradients(xb, &labels);
            if !grads.loss_sum.is_finite() {
                return Err(Error::invalid(
                    "learning_rate",
                    format!(
                        "training diverged: the loss of epoch {}, minibatch {} of {} is {} \
                         (try a smaller learning rate); the model was not updated by it",
                        epoch_index + 1,
                        batch_index + 1,
                        n.div_ceil(batch),
                        grads.loss_sum / chunk.len() as f64
                    ),
                ));
            }
            let scale = 1.0 / chunk.len() as f32;
            for g in &mut grads.params {
                g.mapv_inplace(|v| v * scale);
            }
            self.optimizer.step(self.model.params_mut(), &grads.params);
            loss_sum += grads.loss_sum;
            correct += grads.correct;
            progress.advance(chunk.len() as u64);
            progress.message(&format!("loss {:.4}", grads.loss_sum / chunk.len() as f64));
        }
        let seconds = start.elapsed().as_secs_f64();
        self.epochs_done += 1;
        self.train_examples = n;
        Ok(EpochReport {
            epoch: epoch_index + 1,
            loss: loss_sum / n as f64,
            train_accuracy: correct as f64 / n as f64,
            test_accuracy: None,
            test_loss: None,
            test_examples: None,
            seconds,
            images_per_second: n as f64 / seconds,
        })
    }

    /// Writes a checkpoint: the network to `path` ([`save_model`]) and the optimizer's buffers
    /// beside it ([`optimizer_state_path`]), both with metadata recording the epochs done and
    /// the params (`lr`, `lr_decay` for the per-epoch factor, `momentum`, `batch`, ...).
    ///
    /// # Errors
    /// [`Error::Io`] when a file cannot be written.
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut meta: HashMap<String, String> = self
            .params
            .metadata()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        for (key, value) in [
            ("epochs", self.epochs_done.to_string()),
            ("train_examples", self.train_examples.to_string()),
            ("input_mean", MNIST_MEAN.to_string()),
            ("input_std", MNIST_STD.to_string()),
        ] {
            meta.insert(key.to_string(), value);
        }
        save_model(&self.model, &self.arch, path, &meta)?;
        save_optimizer_state(
            &self.optimizer,
            &self.model.param_names(),
            &optimizer_state_path(path),
            &meta,
        )
    }

    /// Trains the remaining epochs (up to `params.epochs`); after each one scores `held_out`
    /// (batches of 1,000), writes a checkpoint to `checkpoint` ([`Self::save`]) and calls
    /// `on_epoch` with the epoch's report. A run that fails (diverges) leaves the last good
    /// checkpoint in place.
    ///
    /// # Errors
    /// As [`Self::train_epoch`], [`evaluate`] and [`Self::save`].
    pub fn fit(
        &mut self,
        data: &ImageSet,
        held_out: Option<&ImageSet>,
        checkpoint: Option<&Path>,
        progress: &dyn Progress,
        on_epoch: &mut dyn FnMut(&EpochReport),
    ) -> Result<TrainReport> {
        let mut epochs = Vec::new();
        while self.epochs_done < self.params.epochs {
            let mut report = self.train_epoch(data, progress)?;
            if let Some(set) = held_out {
                let scored = evaluate(&self.model, set, &EvalParams::default(), progress)?;
                report.test_accuracy = Some(scored.accuracy);
                report.test_loss = Some(scored.loss);
                report.test_examples = Some(set.len());
            }
            if let Some(path) = checkpoint {
                self.save(path)?;
            }
            on_epoch(&report);
            epochs.push(report);
        }
        Ok(TrainReport {
            arch: self.arch.kind(),
            parameters: self.model.parameter_count(),
            examples: data.len(),
            optimizer: self.params.optimizer,
            test_accuracy: epochs.last().and_then(|e| e.test_accuracy),
            epochs,
        })
    }
}
