//! Fully connected layer `z = A f + c` (PyTorch's `nn.Linear`: weight `(out, in)`).

use deepgm_core::linalg::{gemm_with, product_with, Threads};
use ndarray::{Array1, Array2, ArrayView2, Axis};

use deepgm_core::numeric::Float;

/// A fully connected layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear<F> {
    /// `A`, shape `(out_features, in_features)`.
    pub weight: Array2<F>,
    /// `c`, shape `(out_features)`.
    pub bias: Array1<F>,
}

/// Gradients of a [`Linear`] layer's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearGrads<F> {
    /// dL/dA, shape `(out_features, in_features)`.
    pub weight: Array2<F>,
    /// dL/dc, shape `(out_features)`.
    pub bias: Array1<F>,
}

impl<F: Float> Linear<F> {
    /// Input width.
    pub fn in_features(&self) -> usize {
        self.weight.ncols()
    }

    /// Output width.
    pub fn out_features(&self) -> usize {
        self.weight.nrows()
    }

    /// Forward pass on a batch: `(N, in)` to `(N, out)`, row `i` being `A x_i + c`.
    ///
    /// # Panics
    /// When `x` is not `in_features` wide (callers check shapes first).
    pub fn forward(&self, x: ArrayView2<'_, F>) -> Array2<F> {
        assert_eq!(x.ncols(), self.in_features(), "linear input width");
        let mut out = Array2::zeros((x.nrows(), self.out_features()));
        out.rows_mut()
            .into_iter()
            .for_each(|mut r| r.assign(&self.bias));
        gemm_with(
            F::one(),
            x,
            self.weight.t(),
            F::one(),
            &mut out.view_mut(),
            Threads::One,
        );
        out
    }

    /// Backward pass: `dL/dx = g A` (when `input_grad`), `dL/dA = g^T x`, `dL/dc = sum_i g_i`,
    /// summed over the batch.
    pub fn backward(
        &self,
        x: ArrayView2<'_, F>,
        grad_out: ArrayView2<'_, F>,
        input_grad: bool,
    ) -> (Option<Array2<F>>, LinearGrads<F>) {
        // product_with writes every element of fresh arrays (no zeroing pass first).
        let grad_x =
            input_grad.then(|| product_with(F::one(), grad_out, self.weight.view(), Threads::One));
        let weight = product_with(F::one(), grad_out.t(), x, Threads::One);
        let bias = grad_out.sum_axis(Axis(0));
        (grad_x, LinearGrads { weight, bias })
    }
}
