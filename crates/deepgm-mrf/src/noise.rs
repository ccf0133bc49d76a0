//! The noise model of the denoising experiments: flip each pixel independently.

use deepgm_core::params::{check_in_range, Params};
use deepgm_core::rng::seeded;
use deepgm_core::Result;
use ndarray::{Array2, ArrayView2};
use rand::Rng;
use serde::Serialize;

/// Parameters of [`flip_noise`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoiseParams {
    /// Probability of flipping each pixel, in [0, 1]; default 0.1.
    pub flip: f64,
    /// Seed of the generator (same seed, same noise); default 0.
    pub seed: u64,
}

impl Default for NoiseParams {
    fn default() -> Self {
        NoiseParams { flip: 0.1, seed: 0 }
    }
}

impl Params for NoiseParams {
    fn check(&self) -> Result<()> {
        check_in_range("flip", self.flip, 0.0, 1.0)
    }
}

/// Flips each spin of `x` independently with probability `params.flip` (a binary symmetric
/// channel), drawing one uniform number per pixel in row-major order from `params.seed`.
///
/// # Errors
/// [`deepgm_core::Error::InvalidParameter`] naming `flip` when it is not in [0, 1].
pub fn flip_noise(x: ArrayView2<'_, i8>, params: &NoiseParams) -> Result<Array2<i8>> {
    params.check()?;
    let mut rng = seeded(params.seed);
    let q = params.flip;
    Ok(x.mapv(|v| if rng.random::<f64>() < q { -v } else { v }))
}
