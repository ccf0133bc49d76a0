//! Scoring a network on a labelled set: accuracy, mean loss, the confusion matrix and each
//! image's prediction.

use std::time::Instant;

use deepgm_core::params::{check_positive, Params};
use deepgm_core::progress::Progress;
use deepgm_core::{Error, Result};
use ndarray::{Array2, ArrayView2, ArrayView4, Axis};
use serde::Serialize;

use crate::images::{check_images, ImageSet};
use crate::loss::{cross_entropy, predicted};
use crate::sequential::Sequential;

/// Parameters of [`evaluate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvalParams {
    /// Images per forward pass (each pass is split across threads); default 1,000.
    pub batch_size: usize,
}

impl Default for EvalParams {
    fn default() -> Self {
        EvalParams { batch_size: 1000 }
    }
}

impl Params for EvalParams {
    fn check(&self) -> Result<()> {
        check_positive("batch_size", self.batch_size)
    }
}

/// A model's results on a labelled set (the report of `deepgm cnn eval`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    /// Fraction classified correctly.
    pub accuracy: f64,
    /// Mean cross-entropy (nats).
    pub loss: f64,
    /// `confusion[true][predicted]` counts.
    pub confusion: Vec<Vec<usize>>,
    /// The predicted class of each image, in order (not serialized).
    #[serde(skip)]
    pub predictions: Vec<u8>,
    /// Number of images scored.
    pub examples: usize,
    /// Seconds of inference (forward passes and scoring).
    pub seconds: f64,
    /// Images per second of inference.
    pub images_per_second: f64,
}

/// Scores `model` on `data` in batches of `params.batch_size` images, each batch split across
/// threads. Progress counts images.
///
/// # Errors
/// [`deepgm_core::Error::InvalidParameter`] for bad params, an empty set or data that does not
/// fit ([`ImageSet::check_fits`]).
pub fn evaluate(
    model: &Sequential<f32>,
    data: &ImageSet,
    params: &EvalParams,
    progress: &dyn Progress,
) -> Result<EvalReport> {
    params.check()?;
    data.check_run(model, "no images to evaluate")?;
    let batch = params.batch_size;
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
        let logits = batch_scores(model, xb);
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
    Ok(EvalReport {
        accuracy: correct as f64 / n,
        loss: loss_sum / n,
        confusion,
        predictions,
        examples: data.len(),
        seconds,
        images_per_second: n / seconds,
    })
}

/// The class scores of one batch of [`evaluate`] or [`scores`] (one place, so that both give
/// the same numbers for the same batches).
fn batch_scores(model: &Sequential<f32>, xb: ArrayView4<'_, f32>) -> Array2<f32> {
    model.predict(xb)
}

/// Class scores (logits) `(N, classes)` of `images` (`(N, C, H, W)`, standardized), computed
/// in batches of `params.batch_size` exactly as [`evaluate`] computes them, so that
/// [`predicted`] of each row is [`EvalReport::predictions`]'s entry.
///
/// # Errors
/// [`Error::InvalidParameter`] for bad params or no images (name `data`);
/// as [`check_images`] for images that do not fit `model` or are not finite.
pub fn scores(
    model: &Sequential<f32>,
    images: ArrayView4<'_, f32>,
    params: &EvalParams,
) -> Result<Array2<f32>> {
    params.check()?;
    if images.dim().0 == 0 {
        return Err(Error::invalid("data", "no images to classify"));
    }
    check_images(model, images)?;
    let parts: Vec<Array2<f32>> = images
        .axis_chunks_iter(Axis(0), params.batch_size)
        .map(|xb| batch_scores(model, xb))
        .collect();
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    ndarray::concatenate(Axis(0), &views)
        .map_err(|e| Error::invalid("data", format!("the batches do not fit together: {e}")))
}

/// Softmax probabilities of each row of `(N, classes)` scores, as `f64`.
pub fn probabilities(logits: ArrayView2<'_, f32>) -> Vec<Vec<f64>> {
    crate::loss::softmax(logits.mapv(f64::from).view())
        .rows()
        .into_iter()
        .map(|r| r.to_vec())
        .collect()
}
