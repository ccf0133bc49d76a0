//! The element type of deepgm's arrays and the numerically stable scalar functions every model
//! family shares (logistic, softplus, log-sum-exp, and a vectorizable `exp` for f32).

use std::fmt::{Debug, Display};
use std::iter::Sum;

use ndarray::{LinalgScalar, ScalarOperand};
use num_traits::FromPrimitive;

/// A floating-point element type the models run in: `f32` for training, `f64` for derivation
/// checks. Implemented for exactly those two.
pub trait Float:
    num_traits::Float
    + FromPrimitive
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
    + crate::linalg::GemmScalar
    + 'static
{
    /// `x` converted (rounded to nearest for `f32`).
    fn of(x: f64) -> Self;
    /// The value as `f64` (exact).
    fn to_f64_exact(self) -> f64;
    /// `row[i] <- sigmoid(row[i] + bias[i])`. f64 uses [`sigmoid`]; f32 uses the branch-free
    /// [`fast_sigmoid`], which the compiler vectorizes (the RBM training hot path).
    fn bias_sigmoid(row: &mut [Self], bias: &[Self]) {
        for (x, &b) in row.iter_mut().zip(bias) {
            *x = sigmoid(*x + b);
        }
    }
}

impl Float for f32 {
    fn of(x: f64) -> Self {
        x as f32
    }
    fn to_f64_exact(self) -> f64 {
        f64::from(self)
    }
    fn bias_sigmoid(row: &mut [f32], bias: &[f32]) {
        for (x, &b) in row.iter_mut().zip(bias) {
            *x = fast_sigmoid(*x + b);
        }
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

/// `exp(x)` for f32 without branches or library calls, so that loops over slices vectorize:
/// `x = k ln 2 + r` with `|r| <= ln 2 / 2`, a degree-6 Taylor polynomial for `exp(r)`, and `2^k`
/// built from the exponent bits. Inputs are clamped to [-87, 88] (the normal f32 range). Relative
/// error below 1e-6 (tested).
#[inline(always)]
pub fn fast_exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    // Round to nearest by adding and subtracting 1.5 * 2^23 (exact for |k| < 2^22): `round()`
    // would be a library call on baseline x86-64, which stops the loop from vectorizing.
    const ROUNDER: f32 = 12_582_912.0;
    let k = (x * std::f32::consts::LOG2_E + ROUNDER) - ROUNDER;
    // ln 2 split in two (Cody and Waite) so that r keeps its precision for large |k|.
    let r = (x - k * 0.693_359_4) - k * -2.121_944_4e-4;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    let scale = f32::from_bits(((k as i32 + 127) as u32) << 23);
    p * scale
}

/// `1 / (1 + exp(-x))` through [`fast_exp`]; absolute error below 1e-6 (tested).
#[inline(always)]
pub fn fast_sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + fast_exp(-x))
}

/// The logistic function `1 / (1 + exp(-x))`, without overflow for large |x|.
#[inline]
pub fn sigmoid<F: num_traits::Float>(x: F) -> F {
    if x >= F::zero() {
        F::one() / (F::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (F::one() + e)
    }
}

/// `log(1 + exp(x))`, stable for all x: `max(x, 0) + log1p(exp(-|x|))`.
#[inline]
pub fn softplus<F: num_traits::Float>(x: F) -> F {
    x.max(F::zero()) + (-x.abs()).exp().ln_1p()
}

/// `log(sum(exp(values)))` in f64, stable; `-inf` for an empty slice.
pub fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return max;
    }
    max + values.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_exp_and_sigmoid_are_accurate() {
        let mut worst_exp = 0.0f64;
        let mut worst_sigmoid = 0.0f64;
        for i in -200_000..=200_000 {
            let x = i as f32 * 4.35e-4; // [-87, 87]
            let exact = (x as f64).exp();
            worst_exp = worst_exp.max(((fast_exp(x) as f64) - exact).abs() / exact);
            let s = 1.0 / (1.0 + (-(x as f64)).exp());
            worst_sigmoid = worst_sigmoid.max(((fast_sigmoid(x) as f64) - s).abs());
        }
        assert!(worst_exp < 1e-6, "exp relative error {worst_exp}");
        assert!(worst_sigmoid < 1e-6, "sigmoid error {worst_sigmoid}");
        assert_eq!(fast_sigmoid(1000.0), 1.0);
        assert!(fast_sigmoid(-1000.0) < 1e-37);
    }

    #[test]
    fn stable_at_extremes() {
        assert_eq!(sigmoid(1000.0f64), 1.0);
        assert_eq!(sigmoid(-1000.0f64), 0.0);
        assert!((softplus(1000.0f64) - 1000.0).abs() < 1e-12);
        assert!(softplus(-1000.0f64) >= 0.0 && softplus(-1000.0f64) < 1e-300);
        assert!((softplus(0.0f64) - 2f64.ln()).abs() < 1e-15);
        assert!((log_sum_exp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-12);
        assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
    }

    #[test]
    fn bias_sigmoid_agrees_between_precisions() {
        let bias = [0.5f32, -1.0, 3.0];
        let mut row32 = [1.0f32, 2.0, -40.0];
        f32::bias_sigmoid(&mut row32, &bias);
        let mut row64 = [1.0f64, 2.0, -40.0];
        f64::bias_sigmoid(&mut row64, &[0.5, -1.0, 3.0]);
        for (a, b) in row32.iter().zip(&row64) {
            assert!((f64::from(*a) - b).abs() < 1e-6, "{a} vs {b}");
        }
    }
}
