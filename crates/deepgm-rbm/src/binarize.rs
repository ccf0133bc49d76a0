//! MNIST intensities as binary visible states.

use deepgm_core::mnist::Mnist;
use deepgm_core::rng::{seeded, stream};
use ndarray::{Array2, ArrayView2};
use rand::Rng;
use serde::Serialize;

/// How MNIST intensities become binary pixels. Serialized (and named in model metadata) as
/// `sample`, `resample` or `threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Binarization {
    /// Each pixel is 1 with probability intensity/255 (Salakhutdinov and Murray 2008), seeded.
    Sample,
    /// As `Sample`, drawn afresh every epoch of training ("dynamic binarization"); scoring
    /// draws once.
    Resample,
    /// A pixel is 1 when its intensity is at least 128.
    Threshold,
}

impl Binarization {
    /// The name used in model metadata: `sample`, `resample` or `threshold`.
    pub fn name(self) -> &'static str {
        match self {
            Binarization::Sample => "sample",
            Binarization::Resample => "resample",
            Binarization::Threshold => "threshold",
        }
    }

    /// The binarization named `name` (see [`Binarization::name`]).
    ///
    /// # Errors
    /// [`deepgm_core::Error::InvalidParameter`] naming `binarize` for another name.
    pub fn from_name(name: &str) -> deepgm_core::Result<Binarization> {
        [
            Binarization::Sample,
            Binarization::Resample,
            Binarization::Threshold,
        ]
        .into_iter()
        .find(|b| b.name() == name)
        .ok_or_else(|| deepgm_core::Error::param("binarize", name, "sample, resample or threshold"))
    }

    /// The binarization of a model whose metadata names `name` (see [`Binarization::name`])
    /// when it is scored: `Threshold` for `threshold`, else one draw (`Sample`), also for a
    /// model trained on fresh draws each epoch.
    pub fn for_scoring(name: Option<&str>) -> Binarization {
        match name {
            Some("threshold") => Binarization::Threshold,
            _ => Binarization::Sample,
        }
    }

    /// The digits as binary rows (N x 784) in f32; `Sample` and `Resample` draw with the
    /// generator of `seed`.
    pub fn apply(self, mnist: &Mnist, seed: u64) -> Array2<f32> {
        match self {
            Binarization::Sample | Binarization::Resample => {
                mnist.binarize_sample(&mut seeded(seed)).mapv(f32::from)
            }
            Binarization::Threshold => mnist.binarize_threshold(128).mapv(f32::from),
        }
    }

    /// Probabilities in [0, 1] (N x D) as binary rows: `Sample` and `Resample` (here drawn once,
    /// as `Sample`) set each entry to 1 with its probability, drawing with the generator of
    /// `seed`; `Threshold` sets it to
    /// 1 when it is at least 128/255, the threshold of intensity 128 in [`Binarization::apply`].
    ///
    /// # Errors
    /// [`deepgm_core::Error::InvalidParameter`] naming `data` when an entry is not finite.
    pub fn apply_probabilities(
        self,
        x: ArrayView2<'_, f32>,
        seed: u64,
    ) -> deepgm_core::Result<Array2<f32>> {
        crate::model::check_finite_data(x)?;
        Ok(match self {
            Binarization::Sample | Binarization::Resample => {
                let mut rng = seeded(seed);
                x.mapv(|p| f32::from(u8::from(rng.random::<f32>() < p)))
            }
            Binarization::Threshold => x.mapv(|p| f32::from(u8::from(p >= 128.0 / 255.0))),
        })
    }

    /// The training data of epoch `epoch` (0-based) when it differs from that of
    /// [`Binarization::apply`]: for `Resample` after the first epoch, fresh pixels drawn from
    /// stream `epoch` of `seed`, so a resumed run draws the same; else `None`.
    pub fn for_epoch(self, mnist: &Mnist, seed: u64, epoch: usize) -> Option<Array2<f32>> {
        (self == Binarization::Resample && epoch > 0).then(|| {
            mnist
                .binarize_sample(&mut stream(seed, epoch as u64))
                .mapv(f32::from)
        })
    }
}
