//! 2-D convolution (cross-correlation, as in the seed and PyTorch) with stride, zero padding and
//! an optional bias, both passes through im2col and a tuned GEMM (matrixmultiply).
//!
//! Seed problem 1: `Y^i[m,n] = sum_{p,q} X[(m-1)s+p, (n-1)s+q] W^i[p,q] (+ b_i)`, generalized to
//! C_in input channels and zero padding `pad` on every side.

use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array1, Array2, Array4, ArrayView2, ArrayView4, ArrayViewMut2, Axis};

use crate::float::Float;
use crate::shape::{check_window, ShapeError};

/// A convolution layer: `weight` is `(C_out, C_in, k, k)` (PyTorch's layout), `bias` is `(C_out)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Conv2d<F> {
    /// Kernels, shape `(C_out, C_in, k, k)`.
    pub weight: Array4<F>,
    /// One bias per output map, or none (the seed's network has none).
    pub bias: Option<Array1<F>>,
    /// Step between neighbouring windows, in pixels (at least 1).
    pub stride: usize,
    /// Zeros added on each side of the input.
    pub padding: usize,
}

/// Gradients of a [`Conv2d`]'s parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Conv2dGrads<F> {
    /// dL/dweight, shape `(C_out, C_in, k, k)`.
    pub weight: Array4<F>,
    /// dL/dbias, shape `(C_out)`, when the layer has a bias.
    pub bias: Option<Array1<F>>,
}

impl<F: Float> Conv2d<F> {
    /// Kernel side `k`.
    pub fn kernel(&self) -> usize {
        self.weight.dim().2
    }

    /// Input channels `C_in`.
    pub fn in_channels(&self) -> usize {
        self.weight.dim().1
    }

    /// Output maps `C_out`.
    pub fn out_channels(&self) -> usize {
        self.weight.dim().0
    }

    /// Output side lengths for an `h x w` input: `floor((h + 2 pad - k) / s) + 1` each (SPEC.md:
    /// the seed's `(d-k+1)/s` agrees only when `s` divides `d-k+1`).
    ///
    /// # Errors
    /// [`ShapeError`] when the stride is 0 or the kernel is larger than the padded input.
    pub fn output_size(&self, h: usize, w: usize) -> Result<(usize, usize), ShapeError> {
        let k = self.kernel();
        Ok((
            check_window("convolution", h + 2 * self.padding, k, self.stride)?,
            check_window("convolution", w + 2 * self.padding, k, self.stride)?,
        ))
    }

    /// For kernel column `q`: the output columns `n_lo..n_hi` whose input column
    /// `n s + q - pad` lies inside `0..w` (the others read padding zeros).
    fn valid_columns(&self, q: usize, w: usize, wo: usize) -> (usize, usize) {
        let (s, pad) = (self.stride, self.padding);
        let n_lo = if pad > q { (pad - q).div_ceil(s) } else { 0 };
        let n_hi = if w + pad > q {
            ((w + pad - q - 1) / s + 1).min(wo)
        } else {
            0
        };
        (n_lo.min(n_hi), n_hi)
    }

    /// im2col of one image (`cin x h x w`, row-major): row `(c, p, q)`, column `(m, n)` of
    /// `cols` holds `x[c, m s + p - pad, n s + q - pad]` (zero outside the input).
    fn im2col(&self, image: &[F], (cin, h, w): (usize, usize, usize), cols: &mut [F]) {
        let (k, s, pad) = (self.kernel(), self.stride, self.padding);
        let (ho, wo) = self.output_size(h, w).expect("checked by the caller");
        for c in 0..cin {
            let plane = &image[c * h * w..(c + 1) * h * w];
            for p in 0..k {
                for q in 0..k {
                    let row_index = (c * k + p) * k + q;
                    let row = &mut cols[row_index * ho * wo..(row_index + 1) * ho * wo];
                    let (n_lo, n_hi) = self.valid_columns(q, w, wo);
                    for (m, out) in row.chunks_exact_mut(wo).enumerate() {
                        let y = m * s + p;
                        if y < pad || y - pad >= h {
                            out.fill(F::zero());
                            continue;
                        }
                        let src = &plane[(y - pad) * w..(y - pad + 1) * w];
                        out[..n_lo].fill(F::zero());
                        out[n_hi..].fill(F::zero());
                        if n_lo == n_hi {
                            continue;
                        }
                        let first = n_lo * s + q - pad;
                        if s == 1 {
                            out[n_lo..n_hi].copy_from_slice(&src[first..first + n_hi - n_lo]);
                        } else {
                            for (o, &v) in out[n_lo..n_hi]
                                .iter_mut()
                                .zip(src[first..].iter().step_by(s))
                            {
                                *o = v;
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds the columns back into one image's gradient (the transpose of [`Self::im2col`]).
    fn col2im(&self, cols: &[F], (cin, h, w): (usize, usize, usize), grad: &mut [F]) {
        let (k, s, pad) = (self.kernel(), self.stride, self.padding);
        let (ho, wo) = self.output_size(h, w).expect("checked by the caller");
        for c in 0..cin {
            let plane = &mut grad[c * h * w..(c + 1) * h * w];
            for p in 0..k {
                for q in 0..k {
                    let row_index = (c * k + p) * k + q;
                    let row = &cols[row_index * ho * wo..(row_index + 1) * ho * wo];
                    let (n_lo, n_hi) = self.valid_columns(q, w, wo);
                    if n_lo == n_hi {
                        continue;
                    }
                    for (m, g) in row.chunks_exact(wo).enumerate() {
                        let y = m * s + p;
                        if y < pad || y - pad >= h {
                            continue;
                        }
                        let dst = &mut plane[(y - pad) * w..(y - pad + 1) * w];
                        let first = n_lo * s + q - pad;
                        if s == 1 {
                            for (d, &v) in dst[first..first + n_hi - n_lo]
                                .iter_mut()
                                .zip(&g[n_lo..n_hi])
                            {
                                *d += v;
                            }
                        } else {
                            for (d, &v) in dst[first..].iter_mut().step_by(s).zip(&g[n_lo..n_hi]) {
                                *d += v;
                            }
                        }
                    }
                }
            }
        }
    }

    fn weight_matrix(&self) -> ArrayView2<'_, F> {
        let (cout, cin, k, _) = self.weight.dim();
        self.weight
            .view()
            .into_shape_with_order((cout, cin * k * k))
            .expect("standard layout weights")
    }

    /// Checks that `x` is `(N, C_in, H, W)` with a valid output size; returns `(H_out, W_out)`.
    ///
    /// # Errors
    /// [`ShapeError`] naming the channel count or side that does not fit.
    pub fn check_input(&self, x: &ArrayView4<'_, F>) -> Result<(usize, usize), ShapeError> {
        let (_, cin, h, w) = x.dim();
        if cin != self.in_channels() {
            return Err(ShapeError::new(format!(
                "convolution input has {cin} channels: expected {}",
                self.in_channels()
            )));
        }
        self.output_size(h, w)
    }

    /// Forward pass: `(N, C_in, H, W)` to `(N, C_out, H_out, W_out)`.
    ///
    /// # Panics
    /// When `x` does not pass [`Self::check_input`] (callers check shapes first).
    pub fn forward(&self, x: ArrayView4<'_, F>) -> Array4<F> {
        let (ho, wo) = self
            .check_input(&x)
            .expect("input shape checked by the caller");
        let (n, cin) = (x.dim().0, x.dim().1);
        let (cout, k) = (self.out_channels(), self.kernel());
        let mut out = Array4::zeros((n, cout, ho, wo));
        let mut cols = Array2::zeros((cin * k * k, ho * wo));
        let wmat = self.weight_matrix();
        let x = x.as_standard_layout();
        let xs = x.as_slice().expect("standard layout");
        let (h, w) = (x.dim().2, x.dim().3);
        for (image, mut y) in out.axis_iter_mut(Axis(0)).enumerate() {
            let src = &xs[image * cin * h * w..(image + 1) * cin * h * w];
            self.im2col(src, (cin, h, w), cols.as_slice_mut().expect("fresh array"));
            let mut y2: ArrayViewMut2<'_, F> = y
                .view_mut()
                .into_shape_with_order((cout, ho * wo))
                .expect("standard layout output");
            general_mat_mul(F::one(), &wmat, &cols, F::zero(), &mut y2);
            if let Some(bias) = &self.bias {
                for (mut map, &b) in y2.outer_iter_mut().zip(bias) {
                    map.mapv_inplace(|v| v + b);
                }
            }
        }
        out
    }

    /// Backward pass: given the forward input `x` and `grad_out = dL/dY`, returns `dL/dX` (when
    /// `input_grad`, else `None`) and the parameter gradients, summed over the batch.
    ///
    /// Weight gradient (seed): `dL/dW[p,q] = sum_{m,n} dL/dY[m,n] X[(m-1)s+p, (n-1)s+q]`; input
    /// gradient (SPEC.md): each `dL/dY[m,n] W[p,q]` is added into `dL/dX[(m-1)s+p, (n-1)s+q]`.
    ///
    /// # Panics
    /// When the shapes do not match the forward pass's.
    pub fn backward(
        &self,
        x: ArrayView4<'_, F>,
        grad_out: ArrayView4<'_, F>,
        input_grad: bool,
    ) -> (Option<Array4<F>>, Conv2dGrads<F>) {
        let (ho, wo) = self
            .check_input(&x)
            .expect("input shape checked by the caller");
        let (n, cin) = (x.dim().0, x.dim().1);
        let (cout, k) = (self.out_channels(), self.kernel());
        assert_eq!(grad_out.dim(), (n, cout, ho, wo), "gradient shape");
        let mut cols = Array2::zeros((cin * k * k, ho * wo));
        let mut grad_cols = Array2::zeros((cin * k * k, ho * wo));
        let mut grad_w = Array2::zeros((cout, cin * k * k));
        let mut grad_x = input_grad.then(|| Array4::zeros(x.dim()));
        let wmat = self.weight_matrix();
        let grad_out = grad_out.as_standard_layout();
        let x = x.as_standard_layout();
        let xs = x.as_slice().expect("standard layout");
        let (h, w) = (x.dim().2, x.dim().3);
        let plane = cin * h * w;
        for image in 0..n {
            let g = grad_out
                .slice(s![image, .., .., ..])
                .into_shape_with_order((cout, ho * wo))
                .expect("standard layout gradient");
            let src = &xs[image * plane..(image + 1) * plane];
            self.im2col(src, (cin, h, w), cols.as_slice_mut().expect("fresh array"));
            general_mat_mul(F::one(), &g, &cols.t(), F::one(), &mut grad_w);
            if let Some(grad_x) = grad_x.as_mut() {
                general_mat_mul(F::one(), &wmat.t(), &g, F::zero(), &mut grad_cols);
                let dst = &mut grad_x.as_slice_mut().expect("fresh array")
                    [image * plane..(image + 1) * plane];
                self.col2im(grad_cols.as_slice().expect("fresh array"), (cin, h, w), dst);
            }
        }
        let bias = self.bias.as_ref().map(|_| {
            grad_out
                .sum_axis(Axis(3))
                .sum_axis(Axis(2))
                .sum_axis(Axis(0))
        });
        let weight = grad_w
            .into_shape_with_order(self.weight.dim())
            .expect("same number of weights");
        (grad_x, Conv2dGrads { weight, bias })
    }
}
