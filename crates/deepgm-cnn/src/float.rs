//! The element type of every tensor: `f32` for training, `f64` for derivation checks.

use std::fmt::{Debug, Display};
use std::iter::Sum;

use ndarray::{LinalgScalar, ScalarOperand};

/// A floating-point element type the layers run in (implemented for `f32` and `f64`).
pub trait Float:
    num_traits::Float
    + LinalgScalar
    + ScalarOperand
    + Sum
    + std::ops::AddAssign
    + std::ops::SubAssign
    + std::ops::MulAssign
    + Send
    + Sync
    + Debug
    + Display
    + Default
    + deepgm_core::linalg::GemmScalar
    + 'static
{
    /// `x` converted (rounded to nearest for `f32`).
    fn of(x: f64) -> Self;
    /// The value as `f64` (exact).
    fn to_f64_exact(self) -> f64;
}

impl Float for f32 {
    fn of(x: f64) -> Self {
        x as f32
    }
    fn to_f64_exact(self) -> f64 {
        f64::from(self)
    }
}

impl Float for f64 {
    fn of(x: f64) -> Self {
        x
    }
    fn to_f64_exact(self) -> f64 {
        self
    }
}
