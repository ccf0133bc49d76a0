//! The noise model of the denoising experiments: flip each pixel independently.

use deepgm_core::rng::DeepRng;
use deepgm_core::{Error, Result};
use ndarray::{Array2, ArrayView2};
use rand::Rng;

/// Flips each spin of `x` with probability `q` (binary symmetric channel).
///
/// # Errors
/// [`Error::InvalidParameter`] when `q` is not in [0, 1].
pub fn flip_noise(x: ArrayView2<'_, i8>, q: f64, rng: &mut DeepRng) -> Result<Array2<i8>> {
    if !(0.0..=1.0).contains(&q) {
        return Err(Error::invalid(
            "flip probability",
            format!("{q}: expected a number in [0, 1]"),
        ));
    }
    Ok(x.mapv(|v| if rng.random::<f64>() < q { -v } else { v }))
}
