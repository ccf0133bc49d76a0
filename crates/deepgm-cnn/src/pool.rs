//! Max pooling over square windows with any stride, overlapping windows included (the seed uses
//! stride 1).
//!
//! Forward: `P[m,n] = max over the window`. Backward: each window sends its gradient to its
//! arg-max, and an input that wins several overlapping windows receives the SUM. Ties go to the
//! first maximum in row-major window order (PyTorch's rule).

use ndarray::{Array4, ArrayView4};

use crate::float::Float;
use crate::shape::{check_window, ShapeError};

/// A max-pooling layer (no parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxPool2d {
    /// Window side `p`.
    pub window: usize,
    /// Step between windows (1 in the seed: overlapping windows).
    pub stride: usize,
}

impl MaxPool2d {
    /// Output side lengths for an `h x w` input: `floor((h - p) / stride) + 1` each.
    ///
    /// # Errors
    /// [`ShapeError`] when the stride is 0 or the window is larger than the input.
    pub fn output_size(&self, h: usize, w: usize) -> Result<(usize, usize), ShapeError> {
        Ok((
            check_window("pooling", h, self.window, self.stride)?,
            check_window("pooling", w, self.window, self.stride)?,
        ))
    }

    /// Forward pass: `(N, C, H, W)` to `(N, C, H_out, W_out)`, with each output's arg-max as an
    /// index into its input plane (`row * W + col`), in the output's order.
    ///
    /// # Panics
    /// When the input is smaller than the window (callers check with [`Self::output_size`]).
    pub fn forward<F: Float>(&self, x: ArrayView4<'_, F>) -> (Array4<F>, Vec<u32>) {
        let (n, c, h, w) = x.dim();
        let (ho, wo) = self
            .output_size(h, w)
            .expect("input shape checked by the caller");
        let mut out = Array4::zeros((n, c, ho, wo));
        let mut argmax = vec![0u32; n * c * ho * wo];
        let (p, s) = (self.window, self.stride);
        let x = x.as_standard_layout();
        let planes = x.as_slice().expect("standard layout").chunks_exact(h * w);
        let outs = out
            .as_slice_mut()
            .expect("fresh array")
            .chunks_exact_mut(ho * wo);
        for ((plane, o), a) in planes.zip(outs).zip(argmax.chunks_exact_mut(ho * wo)) {
            for m in 0..ho {
                for nn in 0..wo {
                    let first = m * s * w + nn * s;
                    let (mut best, mut at) = (plane[first], first);
                    for i in 0..p {
                        let row = (m * s + i) * w + nn * s;
                        for (j, &v) in plane[row..row + p].iter().enumerate() {
                            // Strictly greater: ties keep the first maximum in row-major order.
                            if v > best {
                                best = v;
                                at = row + j;
                            }
                        }
                    }
                    o[m * wo + nn] = best;
                    a[m * wo + nn] = at as u32;
                }
            }
        }
        (out, argmax)
    }

    /// Backward pass: scatters `grad_out` to the arg-max positions of an input of shape
    /// `input_dim`, summing where one input won several windows.
    ///
    /// # Panics
    /// When `argmax` does not come from [`Self::forward`] on an input of shape `input_dim`.
    pub fn backward<F: Float>(
        &self,
        input_dim: (usize, usize, usize, usize),
        argmax: &[u32],
        grad_out: ArrayView4<'_, F>,
    ) -> Array4<F> {
        let (_, _, h, w) = input_dim;
        let mut grad_x = Array4::zeros(input_dim);
        let plane_out = grad_out.dim().2 * grad_out.dim().3;
        assert_eq!(argmax.len(), grad_out.len(), "one arg-max per output");
        let grad_out = grad_out.as_standard_layout();
        let gs = grad_out.as_slice().expect("standard layout");
        let planes = grad_x
            .as_slice_mut()
            .expect("fresh array")
            .chunks_exact_mut(h * w);
        for ((plane, g), a) in planes
            .zip(gs.chunks_exact(plane_out))
            .zip(argmax.chunks_exact(plane_out))
        {
            for (&gi, &ai) in g.iter().zip(a) {
                plane[ai as usize] += gi;
            }
        }
        grad_x
    }
}

/// Flattening `(N, C, H, W)` to `(N, C*H*W)`: channel-major, then row-major within a map
/// (1-based `(k-1) S^2 + (m-1) S + n` in the seed's notation), exactly PyTorch's `flatten`.
/// Backward is the inverse reshape.
pub fn flatten<F: Float>(x: ArrayView4<'_, F>) -> ndarray::Array2<F> {
    let (n, c, h, w) = x.dim();
    x.as_standard_layout()
        .into_owned()
        .into_shape_with_order((n, c * h * w))
        .expect("standard layout")
}
