//! 2-D convolution (cross-correlation, as in the source and PyTorch) with stride, zero padding and
//! an optional bias, both passes through im2col and a tuned GEMM (the `gemm` crate).
//!
//! Problem 1 of docs/derivations.md: `Y^i[m,n] = sum_{p,q} X[(m-1)s+p, (n-1)s+q] W^i[p,q] (+ b_i)`, generalized to
//! C_in input channels and zero padding `pad` on every side.

use deepgm_core::linalg::{gemm_with, product_with, Threads};
use std::mem::MaybeUninit;

use ndarray::{Array1, Array2, Array4, ArrayView2, ArrayView4};

use deepgm_core::numeric::Float;
use deepgm_core::{Error, Result};

use crate::window::check_window;

/// A convolution layer: `weight` is `(C_out, C_in, k, k)` (PyTorch's layout), `bias` is `(C_out)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Conv2d<F> {
    /// Kernels, shape `(C_out, C_in, k, k)`.
    pub weight: Array4<F>,
    /// One bias per output map, or none (the seed network has none).
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

    /// Output side lengths for an `h x w` input: `floor((h + 2 pad - k) / s) + 1` each (docs/derivations.md 1.2:
    /// the source's `(d-k+1)/s` agrees only when `s` divides `d-k+1`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `stride` or `kernel` when it is 0; [`Error::Shape`]
    /// when the kernel is larger than the padded input.
    pub fn output_size(&self, h: usize, w: usize) -> Result<(usize, usize)> {
        let (k, pad, s) = (self.kernel(), self.padding, self.stride);
        Ok((
            check_window("convolution", "kernel", h + 2 * pad, k, s, pad > 0)?,
            check_window("convolution", "kernel", w + 2 * pad, k, s, pad > 0)?,
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
    /// `cols` holds `x[c, m s + p - pad, n s + q - pad]` (zero outside the input). Row `r` of
    /// the image's block starts at `r * row_stride + offset` (several images side by side).
    /// Every element of the image's block is written, so `cols` may start uninitialized.
    fn im2col(
        &self,
        image: &[F],
        (cin, h, w): (usize, usize, usize),
        cols: &mut [MaybeUninit<F>],
        (row_stride, offset): (usize, usize),
    ) {
        let (k, s, pad) = (self.kernel(), self.stride, self.padding);
        let (ho, wo) = self.output_size(h, w).expect("checked by the caller");
        for c in 0..cin {
            let plane = &image[c * h * w..(c + 1) * h * w];
            for p in 0..k {
                for q in 0..k {
                    let row_index = (c * k + p) * k + q;
                    let start = row_index * row_stride + offset;
                    let row = &mut cols[start..start + ho * wo];
                    let (n_lo, n_hi) = self.valid_columns(q, w, wo);
                    let zero = MaybeUninit::new(F::zero());
                    for (m, out) in row.chunks_exact_mut(wo).enumerate() {
                        let y = m * s + p;
                        if y < pad || y - pad >= h {
                            out.fill(zero);
                            continue;
                        }
                        let src = &plane[(y - pad) * w..(y - pad + 1) * w];
                        out[..n_lo].fill(zero);
                        out[n_hi..].fill(zero);
                        if n_lo == n_hi {
                            continue;
                        }
                        let first = n_lo * s + q - pad;
                        if s == 1 {
                            // An inline loop: rows are short, and a memcpy call per row costs
                            // more than the copy.
                            for (o, &v) in out[n_lo..n_hi].iter_mut().zip(&src[first..]) {
                                *o = MaybeUninit::new(v);
                            }
                        } else {
                            for (o, &v) in out[n_lo..n_hi]
                                .iter_mut()
                                .zip(src[first..].iter().step_by(s))
                            {
                                *o = MaybeUninit::new(v);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds the columns back into one image's gradient (the transpose of [`Self::im2col`]).
    fn col2im(
        &self,
        cols: &[F],
        (cin, h, w): (usize, usize, usize),
        grad: &mut [F],
        (row_stride, offset): (usize, usize),
    ) {
        let (k, s, pad) = (self.kernel(), self.stride, self.padding);
        let (ho, wo) = self.output_size(h, w).expect("checked by the caller");
        for c in 0..cin {
            let plane = &mut grad[c * h * w..(c + 1) * h * w];
            for p in 0..k {
                for q in 0..k {
                    let row_index = (c * k + p) * k + q;
                    let start = row_index * row_stride + offset;
                    let row = &cols[start..start + ho * wo];
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
    /// [`Error::Shape`] naming the channel count or side that does not fit (as
    /// [`Self::output_size`]).
    pub fn check_input(&self, x: &ArrayView4<'_, F>) -> Result<(usize, usize)> {
        let (_, cin, h, w) = x.dim();
        if cin != self.in_channels() {
            return Err(Error::Shape {
                what: "convolution input".into(),
                got: format!("{cin} channels"),
                expected: format!("{} channels", self.in_channels()),
            });
        }
        self.output_size(h, w)
    }

    /// The im2col matrix of a whole batch: `(C_in k k, N H_out W_out)`, image `i` in columns
    /// `i H_out W_out ..`.
    ///
    /// # Panics
    /// When `x` does not pass [`Self::check_input`].
    pub fn columns(&self, x: ArrayView4<'_, F>) -> Array2<F> {
        let (ho, wo) = self
            .check_input(&x)
            .expect("input shape checked by the caller");
        let (n, cin, h, w) = x.dim();
        let k = self.kernel();
        let width = n * ho * wo;
        // Not zeroed first: im2col writes every element (zeroing cost as much as a tenth of
        // a LeNet-5 training step).
        let mut cols = Array2::uninit((cin * k * k, width));
        let x = x.as_standard_layout();
        let xs = x.as_slice().expect("standard layout");
        let out = cols.as_slice_mut().expect("fresh array");
        for (image, src) in xs.chunks_exact(cin * h * w).enumerate() {
            self.im2col(src, (cin, h, w), out, (width, image * ho * wo));
        }
        // SAFETY: the images' blocks tile the columns `0..n H_out W_out` of every row, and
        // im2col writes each element of its block.
        unsafe { cols.assume_init() }
    }

    /// Forward pass: `(N, C_in, H, W)` to `(N, C_out, H_out, W_out)`.
    ///
    /// # Panics
    /// When `x` does not pass [`Self::check_input`] (callers check shapes first).
    pub fn forward(&self, x: ArrayView4<'_, F>) -> Array4<F> {
        let cols = self.columns(x);
        self.forward_columns(&cols, x.dim())
    }

    /// Forward pass from the batch's [`Self::columns`]: one GEMM for the whole batch.
    pub fn forward_columns(
        &self,
        cols: &Array2<F>,
        (n, _, h, w): (usize, usize, usize, usize),
    ) -> Array4<F> {
        let (ho, wo) = self.output_size(h, w).expect("checked by the caller");
        let cout = self.out_channels();
        let y = product_with(F::one(), self.weight_matrix(), cols.view(), Threads::One);
        // (C_out, N, HW) to (N, C_out, HW), adding the bias.
        let mut out = Array4::uninit((n, cout, ho, wo));
        let plane = ho * wo;
        let ys = y.as_slice().expect("fresh array");
        for (i, image) in out
            .as_slice_mut()
            .expect("fresh array")
            .chunks_exact_mut(cout * plane)
            .enumerate()
        {
            for (c, dst) in image.chunks_exact_mut(plane).enumerate() {
                let src = &ys[c * n * plane + i * plane..][..plane];
                let b = self.bias.as_ref().map_or(F::zero(), |b| b[c]);
                for (d, &v) in dst.iter_mut().zip(src) {
                    *d = MaybeUninit::new(v + b);
                }
            }
        }
        // SAFETY: the loops above visit every (image, map) plane and write all of it.
        unsafe { out.assume_init() }
    }

    /// Backward pass: given the forward input `x` and `grad_out = dL/dY`, returns `dL/dX` (when
    /// `input_grad`, else `None`) and the parameter gradients, summed over the batch.
    ///
    /// Weight gradient (seed): `dL/dW[p,q] = sum_{m,n} dL/dY[m,n] X[(m-1)s+p, (n-1)s+q]`; input
    /// gradient (docs/derivations.md 1.4): each `dL/dY[m,n] W[p,q]` is added into `dL/dX[(m-1)s+p, (n-1)s+q]`.
    ///
    /// # Panics
    /// When the shapes do not match the forward pass's.
    pub fn backward(
        &self,
        x: ArrayView4<'_, F>,
        grad_out: ArrayView4<'_, F>,
        input_grad: bool,
    ) -> (Option<Array4<F>>, Conv2dGrads<F>) {
        let cols = self.columns(x);
        self.backward_columns(&cols, x.dim(), grad_out, input_grad)
    }

    /// Backward pass from the forward pass's [`Self::columns`] (input of shape `input_dim`):
    /// `dW = G cols^T` and `dcols = W^T G` as single GEMMs over the batch, `G` being `grad_out`
    /// as `(C_out, N H_out W_out)`.
    ///
    /// # Panics
    /// When the shapes do not match the forward pass's.
    pub fn backward_columns(
        &self,
        cols: &Array2<F>,
        input_dim: (usize, usize, usize, usize),
        grad_out: ArrayView4<'_, F>,
        input_grad: bool,
    ) -> (Option<Array4<F>>, Conv2dGrads<F>) {
        let (n, cin, h, w) = input_dim;
        let (ho, wo) = self.output_size(h, w).expect("checked by the caller");
        let cout = self.out_channels();
        assert_eq!(grad_out.dim(), (n, cout, ho, wo), "gradient shape");
        let plane = ho * wo;
        let width = n * plane;
        // (N, C_out, HW) to (C_out, N, HW).
        let grad_out = grad_out.as_standard_layout();
        let gs = grad_out.as_slice().expect("standard layout");
        let mut g = Array2::uninit((cout, width));
        let g_slice = g.as_slice_mut().expect("fresh array");
        for (i, image) in gs.chunks_exact(cout * plane).enumerate() {
            for (c, src) in image.chunks_exact(plane).enumerate() {
                for (d, &v) in g_slice[c * width + i * plane..][..plane]
                    .iter_mut()
                    .zip(src)
                {
                    *d = MaybeUninit::new(v);
                }
            }
        }
        // SAFETY: every (map, image) block of `g` was written above.
        let g = unsafe { g.assume_init() };
        // dW = G cols^T, written column-major (as dW^T, C_in k k x C_out): the GEMM then packs
        // the short side G (C_out rows) rather than the long im2col matrix, which both operands
        // lay out along the batch.
        let mut grad_w_t = Array2::<F>::zeros((cols.nrows(), cout));
        gemm_with(
            F::one(),
            g.view(),
            cols.t(),
            F::zero(),
            &mut grad_w_t.view_mut().reversed_axes(),
            Threads::One,
        );
        let grad_w = grad_w_t.reversed_axes().as_standard_layout().into_owned();
        let grad_x = input_grad.then(|| {
            let grad_cols =
                product_with(F::one(), self.weight_matrix().t(), g.view(), Threads::One);
            let mut grad_x = Array4::zeros(input_dim);
            let gc = grad_cols.as_slice().expect("fresh array");
            for (image, dst) in grad_x
                .as_slice_mut()
                .expect("fresh array")
                .chunks_exact_mut(cin * h * w)
                .enumerate()
            {
                self.col2im(gc, (cin, h, w), dst, (width, image * plane));
            }
            grad_x
        });
        let bias = self
            .bias
            .as_ref()
            .map(|_| g.rows().into_iter().map(|r| r.sum()).collect::<Array1<F>>());
        let weight = grad_w
            .into_shape_with_order(self.weight.dim())
            .expect("same number of weights");
        (grad_x, Conv2dGrads { weight, bias })
    }
}
