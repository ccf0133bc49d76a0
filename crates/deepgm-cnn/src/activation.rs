//! Element-wise activations. Each backward pass uses the forward OUTPUT `y`:
//! ReLU `g [y > 0]`, tanh `g (1 - y^2)`, sigmoid `g y (1 - y)`.

use ndarray::{ArrayD, ArrayViewD, Zip};

use deepgm_core::numeric::{sigmoid, Float};

/// An element-wise nonlinearity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `max(0, x)` (gradient 0 at 0, as PyTorch).
    Relu,
    /// `tanh x`.
    Tanh,
    /// `1 / (1 + e^-x)`.
    Sigmoid,
}

impl Activation {
    /// Applies the activation to every element.
    pub fn forward<F: Float>(self, x: ArrayViewD<'_, F>) -> ArrayD<F> {
        match self {
            Activation::Relu => x.mapv(|v| if v > F::zero() { v } else { F::zero() }),
            Activation::Tanh => x.mapv(F::tanh),
            Activation::Sigmoid => x.mapv(sigmoid),
        }
    }

    /// dL/dx from the forward output `y` and `grad_out = dL/dy`.
    pub fn backward<F: Float>(
        self,
        y: ArrayViewD<'_, F>,
        grad_out: ArrayViewD<'_, F>,
    ) -> ArrayD<F> {
        // map_collect writes every element of a fresh array (no zeroing pass first).
        let zip = Zip::from(&y).and(&grad_out);
        match self {
            Activation::Relu => zip.map_collect(|&y, &g| if y > F::zero() { g } else { F::zero() }),
            Activation::Tanh => zip.map_collect(|&y, &g| g * (F::one() - y * y)),
            Activation::Sigmoid => zip.map_collect(|&y, &g| g * y * (F::one() - y)),
        }
    }
}
