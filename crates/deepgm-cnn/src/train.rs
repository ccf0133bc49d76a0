//! Training and evaluation on labelled image sets (MNIST): shuffled minibatches, data-parallel
//! gradients, accuracy, mean loss and the confusion matrix.

use std::time::Instant;

use deepgm_core::mnist::Mnist;
use deepgm_core::progress::Progress;
use deepgm_core::rng::stream;
use deepgm_core::{Error, Result};
use ndarray::{s, Array4, ArrayView2, Axis};
use rand::seq::SliceRandom;

use crate::loss::{cross_entropy, predicted};
use crate::model::Sequential;
use crate::optim::Optimizer;

/// Mean of the MNIST training pixels (after scaling to [0, 1]); inputs are standardized with it.
pub const MNIST_MEAN: f32 = 0.1307;
/// Standard deviation of the MNIST training pixels (after scaling to [0, 1]).
pub const MNIST_STD: f32 = 0.3081;

/// The input value of a pixel: `(v / 255 - MNIST_MEAN) / MNIST_STD` (the usual MNIST
/// preprocessing, `ToTensor` then `Normalize((0.1307,), (0.3081,))` in PyTorch).
pub fn normalize_pixel(v: u8) -> f32 {
    (f32::from(v) / 255.0 - MNIST_MEAN) / MNIST_STD
}

/// Labelled images ready for a network: `images` is `(N, 1, H, W)`, standardized.
#[derive(Debug, Clone)]
pub struct ImageSet {
    /// Standardized pixels, `(N, 1, H, W)`.
    pub images: Array4<f32>,
    /// Class labels, one per image.
    pub labels: Vec<u8>,
}

impl ImageSet {
    /// Standardizes MNIST digits with [`normalize_pixel`].
    pub fn from_mnist(mnist: &Mnist) -> Self {
        let (n, h, w) = mnist.images.dim();
        let images = mnist
            .images
            .mapv(normalize_pixel)
            .into_shape_with_order((n, 1, h, w))
            .expect("same element count");
        ImageSet {
            images,
            labels: mnist.labels.clone(),
        }
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Checks a training or evaluation run: a batch size of at least 1, at least one image
    /// (`empty` says what is missing otherwise), and data that fits `model`.
    fn check_run(&self, model: &Sequential<f32>, batch: usize, empty: &str) -> Result<()> {
        if batch == 0 {
            return Err(Error::invalid("--batch", "0: expected at least 1"));
        }
        if self.is_empty() {
            return Err(Error::invalid("data", empty));
        }
        self.check_fits(model)
    }

    /// Checks that the images fit `model` and every label is one of its classes.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the data's shape or the first bad label.
    pub fn check_fits(&self, model: &Sequential<f32>) -> Result<()> {
        let (_, c, h, w) = self.images.dim();
        if [c, h, w] != model.input_shape {
            return Err(Error::invalid(
                "data",
                format!(
                    "images are {c} x {h} x {w}: the network expects {:?}",
                    model.input_shape
                ),
            ));
        }
        let classes = model.classes();
        if let Some((i, &y)) = self
            .labels
            .iter()
            .enumerate()
            .find(|(_, &y)| usize::from(y) >= classes)
        {
            return Err(Error::invalid(
                "data",
                format!("label {y} of image {i}: expected 0..{classes}"),
            ));
        }
        Ok(())
    }
}

/// What one training epoch did.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochStats {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean cross-entropy over the epoch's minibatches as they were trained (nats).
    pub loss: f64,
    /// Fraction of training images classified correctly as they were trained.
    pub accuracy: f64,
    /// Wall-clock seconds of the epoch (data shuffling and gathering included).
    pub seconds: f64,
    /// Training images per second.
    pub images_per_second: f64,
}

/// One epoch of minibatch training: the images are shuffled with stream `epoch_index` of
/// `seed` (so a resumed run sees the same order as an uninterrupted one), each minibatch's mean
/// loss gradient is computed in parallel and `optimizer` takes one step per minibatch. The last
/// minibatch may be smaller (PyTorch's `drop_last=False`).
///
/// # Errors
/// [`Error::InvalidParameter`] for an empty set, a zero batch size or data that does not fit;
/// [`Error::InvalidParameter`] (name `learning rate`) naming the epoch and minibatch at the first
/// minibatch whose loss is not finite (training diverged), before that minibatch's step.
pub fn train_epoch(
    model: &mut Sequential<f32>,
    optimizer: &mut Optimizer<f32>,
    data: &ImageSet,
    batch: usize,
    seed: u64,
    epoch_index: usize,
    progress: &dyn Progress,
) -> Result<EpochStats> {
    data.check_run(model, batch, "no training images")?;
    let start = Instant::now();
    let n = data.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut stream(seed, epoch_index as u64));
    let (_, c, h, w) = data.images.dim();
    let mut x = Array4::<f32>::zeros((batch, c, h, w));
    let mut labels = Vec::with_capacity(batch);
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
        let mut grads = model.batch_gradients(xb, &labels);
        if !grads.loss_sum.is_finite() {
            return Err(Error::invalid(
                "learning rate",
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
        optimizer.step(model.params_mut(), &grads.params);
        loss_sum += grads.loss_sum;
        correct += grads.correct;
        progress.advance(chunk.len() as u64);
        progress.message(&format!("loss {:.4}", grads.loss_sum / chunk.len() as f64));
    }
    let seconds = start.elapsed().as_secs_f64();
    Ok(EpochStats {
        epoch: epoch_index + 1,
        loss: loss_sum / n as f64,
        accuracy: correct as f64 / n as f64,
        seconds,
        images_per_second: n as f64 / seconds,
    })
}

/// A model's results on a labelled set.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Fraction classified correctly.
    pub accuracy: f64,
    /// Mean cross-entropy (nats).
    pub loss: f64,
    /// `confusion[true][predicted]` counts.
    pub confusion: Vec<Vec<usize>>,
    /// The predicted class of each image, in order.
    pub predictions: Vec<u8>,
    /// Seconds of inference (forward passes and scoring).
    pub seconds: f64,
    /// Images per second of inference.
    pub images_per_second: f64,
}

/// Scores `model` on `data` in batches of `batch` images, each batch split across threads.
///
/// # Errors
/// [`Error::InvalidParameter`] for an empty set, a zero batch size or data that does not fit.
pub fn evaluate(
    model: &Sequential<f32>,
    data: &ImageSet,
    batch: usize,
    progress: &dyn Progress,
) -> Result<Evaluation> {
    data.check_run(model, batch, "no images to evaluate")?;
    let classes = model.classes();
    let mut confusion = vec![vec![0usize; classes]; classes];
    let mut predictions = Vec::with_capacity(data.len());
    let (mut loss_sum, mut correct) = (0.0, 0);
    let start = Instant::now();
    progress.start(data.len() as u64, "evaluate");
    for (xb, labels) in data
        .images
        .axis_chunks_iter(Axis(0), batch)
        .zip(data.labels.chunks(batch))
    {
        let logits = model.predict(xb);
        let ce = cross_entropy(logits.view(), labels);
        loss_sum += f64::from(ce.loss_sum);
        correct += ce.correct;
        for (row, &y) in logits.rows().into_iter().zip(labels) {
            let guess = predicted(row);
            confusion[usize::from(y)][guess] += 1;
            predictions.push(guess as u8);
        }
        progress.advance(labels.len() as u64);
    }
    let seconds = start.elapsed().as_secs_f64();
    let n = data.len() as f64;
    Ok(Evaluation {
        accuracy: correct as f64 / n,
        loss: loss_sum / n,
        confusion,
        predictions,
        seconds,
        images_per_second: n / seconds,
    })
}

/// Softmax probabilities of each row of `(N, classes)` scores, as `f64`.
pub fn probabilities(logits: ArrayView2<'_, f32>) -> Vec<Vec<f64>> {
    crate::loss::softmax(logits.mapv(f64::from).view())
        .rows()
        .into_iter()
        .map(|r| r.to_vec())
        .collect()
}
