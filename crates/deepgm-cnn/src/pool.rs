//! Max pooling over square windows with any stride, overlapping windows included (the source uses
//! stride 1).
//!
//! Forward: `P[m,n] = max over the window`. Backward: each window sends its gradient to its
//! arg-max, and an input that wins several overlapping windows receives the SUM. Ties go to the
//! first maximum in row-major window order (PyTorch's rule).

use ndarray::{Array4, ArrayView4, Zip};

use deepgm_core::numeric::Float;
use deepgm_core::Result;

use crate::window::check_window;

/// `new` when `pick`, else `old`, by masks rather than a branch, so that the loops choosing
/// arg-max indices vectorize (the compiler kept a branch per element for the plain `if`).
#[inline(always)]
fn select(pick: bool, new: u32, old: u32) -> u32 {
    let mask = 0u32.wrapping_sub(u32::from(pick));
    (new & mask) | (old & !mask)
}

/// 2x2 windows with stride 2 over one `? x w` plane, straight into the output: each window's
/// four values compared in row-major order (top left, top right, bottom left, bottom right),
/// keeping the first strict maximum, by selects that vectorize. `best` and `at` hold one output
/// plane (`at`: index `row * w + col` into the input plane).
fn pool_2x2_plane<F: Float>(plane: &[F], w: usize, best: &mut [F], at: &mut [u32]) {
    let wo = w / 2;
    for (m, (b_row, a_row)) in best
        .chunks_exact_mut(wo)
        .zip(at.chunks_exact_mut(wo))
        .enumerate()
    {
        let top = &plane[2 * m * w..2 * m * w + 2 * wo];
        let bottom = &plane[(2 * m + 1) * w..(2 * m + 1) * w + 2 * wo];
        let top_at = (2 * m * w) as u32;
        let bottom_at = top_at + w as u32;
        for (n, (((b, a), t), u)) in b_row
            .iter_mut()
            .zip(a_row.iter_mut())
            .zip(top.chunks_exact(2))
            .zip(bottom.chunks_exact(2))
            .enumerate()
        {
            let col = 2 * n as u32;
            let (mut value, mut index) = (t[0], top_at + col);
            let pick = t[1] > value;
            value = if pick { t[1] } else { value };
            index = select(pick, top_at + col + 1, index);
            let pick = u[0] > value;
            value = if pick { u[0] } else { value };
            index = select(pick, bottom_at + col, index);
            let pick = u[1] > value;
            value = if pick { u[1] } else { value };
            index = select(pick, bottom_at + col + 1, index);
            *b = value;
            *a = index;
        }
    }
}

/// A max-pooling layer (no parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxPool2d {
    /// Window side `p`.
    pub window: usize,
    /// Step between windows (1 in the source: overlapping windows).
    pub stride: usize,
}

impl MaxPool2d {
    /// Output side lengths for an `h x w` input: `floor((h - p) / stride) + 1` each.
    ///
    /// # Errors
    /// [`deepgm_core::Error::InvalidParameter`] naming `stride` or `window` when it is 0;
    /// [`deepgm_core::Error::Shape`] when the window is larger than the input.
    pub fn output_size(&self, h: usize, w: usize) -> Result<(usize, usize)> {
        Ok((
            check_window("pooling", "window", h, self.window, self.stride, false)?,
            check_window("pooling", "window", w, self.window, self.stride, false)?,
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
        let x = x.as_standard_layout();
        let planes = x.as_slice().expect("standard layout").chunks_exact(h * w);
        let outs = out
            .as_slice_mut()
            .expect("fresh array")
            .chunks_exact_mut(ho * wo);
        // Separable: the best of each row segment first, then the best of those down the
        // window. Keeping the first strict maximum in both passes gives the first maximum in
        // row-major window order, and each pass is a vectorizable select over contiguous rows.
        if self.window == 2 && self.stride == 2 {
            for ((plane, o), a) in planes.zip(outs).zip(argmax.chunks_exact_mut(ho * wo)) {
                pool_2x2_plane(plane, w, o, a);
            }
            return (out, argmax);
        }
        let mut row_best = vec![F::zero(); h * wo];
        let mut row_at = vec![0u32; h * wo];
        for ((plane, o), a) in planes.zip(outs).zip(argmax.chunks_exact_mut(ho * wo)) {
            for y in 0..h {
                let src = &plane[y * w..(y + 1) * w];
                let best = &mut row_best[y * wo..(y + 1) * wo];
                let at = &mut row_at[y * wo..(y + 1) * wo];
                self.row_pass(src, best, at);
            }
            for m in 0..ho {
                let top = m * self.stride;
                let (best, at) = (&mut o[m * wo..(m + 1) * wo], &mut a[m * wo..(m + 1) * wo]);
                for (b, &v) in best.iter_mut().zip(&row_best[top * wo..(top + 1) * wo]) {
                    *b = v;
                }
                for (b, &col) in at.iter_mut().zip(&row_at[top * wo..(top + 1) * wo]) {
                    *b = (top * w) as u32 + col;
                }
                for r in top + 1..top + self.window {
                    let offset = (r * w) as u32;
                    let cand = &row_best[r * wo..(r + 1) * wo];
                    let cand_at = &row_at[r * wo..(r + 1) * wo];
                    for (((b, i), &v), &col) in
                        best.iter_mut().zip(at.iter_mut()).zip(cand).zip(cand_at)
                    {
                        let better = v > *b;
                        *b = if better { v } else { *b };
                        *i = select(better, offset + col, *i);
                    }
                }
            }
        }
        (out, argmax)
    }

    /// The first maximum of each window's segment of one input row: value and column.
    fn row_pass<F: Float>(&self, src: &[F], best: &mut [F], at: &mut [u32]) {
        let (p, st) = (self.window, self.stride);
        let wo = best.len();
        if st == 1 {
            for (b, &v) in best.iter_mut().zip(&src[..wo]) {
                *b = v;
            }
            for (n, a) in at.iter_mut().enumerate() {
                *a = n as u32;
            }
            for j in 1..p {
                for (n, ((b, a), &v)) in best
                    .iter_mut()
                    .zip(at.iter_mut())
                    .zip(&src[j..j + wo])
                    .enumerate()
                {
                    let better = v > *b;
                    *b = if better { v } else { *b };
                    *a = select(better, (n + j) as u32, *a);
                }
            }
        } else {
            // 2x2 windows of stride 2 never come here: `forward` takes them whole.
            for (n, (b, a)) in best.iter_mut().zip(at.iter_mut()).enumerate() {
                let start = n * st;
                let (mut bv, mut ba) = (src[start], start);
                for (j, &v) in src[start + 1..start + p].iter().enumerate() {
                    if v > bv {
                        bv = v;
                        ba = start + 1 + j;
                    }
                }
                *b = bv;
                *a = ba as u32;
            }
        }
    }

    /// The maximum of each window's segment of one input row (the first one on ties, as in
    /// [`Self::row_pass`]); branch-free selects that vectorize.
    fn row_max<F: Float>(&self, src: &[F], best: &mut [F]) {
        let (p, st) = (self.window, self.stride);
        let wo = best.len();
        if st == 1 {
            for (b, &v) in best.iter_mut().zip(&src[..wo]) {
                *b = v;
            }
            for j in 1..p {
                for (b, &v) in best.iter_mut().zip(&src[j..j + wo]) {
                    *b = if v > *b { v } else { *b };
                }
            }
        } else if p == 2 && st == 2 {
            for (b, pair) in best.iter_mut().zip(src.chunks_exact(2)) {
                *b = if pair[1] > pair[0] { pair[1] } else { pair[0] };
            }
        } else {
            for (n, b) in best.iter_mut().enumerate() {
                let window = &src[n * st..n * st + p];
                *b = window[1..]
                    .iter()
                    .fold(window[0], |m, &v| if v > m { v } else { m });
            }
        }
    }

    /// Forward pass without arg-max bookkeeping, for inference: the same values as
    /// [`Self::forward`], taking the maximum along rows first and then down the window.
    ///
    /// # Panics
    /// When the input is smaller than the window (callers check with [`Self::output_size`]).
    pub fn forward_values<F: Float>(&self, x: ArrayView4<'_, F>) -> Array4<F> {
        let (n, c, h, w) = x.dim();
        let (ho, wo) = self
            .output_size(h, w)
            .expect("input shape checked by the caller");
        let (p, st) = (self.window, self.stride);
        let mut out = Array4::zeros((n, c, ho, wo));
        let x = x.as_standard_layout();
        let planes = x.as_slice().expect("standard layout").chunks_exact(h * w);
        let outs = out
            .as_slice_mut()
            .expect("fresh array")
            .chunks_exact_mut(ho * wo);
        let mut row_max = vec![F::zero(); h * wo];
        for (plane, o) in planes.zip(outs) {
            for (src, dst) in plane.chunks_exact(w).zip(row_max.chunks_exact_mut(wo)) {
                self.row_max(src, dst);
            }
            for (m, dst) in o.chunks_exact_mut(wo).enumerate() {
                let top = m * st;
                // An inline copy: rows are short, and a memcpy call per row costs more.
                for (d, &v) in dst.iter_mut().zip(&row_max[top * wo..(top + 1) * wo]) {
                    *d = v;
                }
                for r in top + 1..top + p {
                    for (d, &v) in dst.iter_mut().zip(&row_max[r * wo..(r + 1) * wo]) {
                        *d = if v > *d { v } else { *d };
                    }
                }
            }
        }
        out
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

    /// The backward pass through a ReLU in front of this pooling, in one pass: the gradient at
    /// the ReLU's input, given the pooling's `output`. A window's arg-max holds the window's
    /// maximum, so the ReLU passes the gradient there exactly when the pooled value is positive:
    /// `grad_out [output > 0]` scattered by [`Self::backward`]. Every window that chose an
    /// input has the same value, so the sums are those of the two passes, bit for bit.
    ///
    /// # Panics
    /// As [`Self::backward`], or when `output` and `grad_out` differ in shape.
    pub fn backward_through_relu<F: Float>(
        &self,
        input_dim: (usize, usize, usize, usize),
        argmax: &[u32],
        grad_out: ArrayView4<'_, F>,
        output: ArrayView4<'_, F>,
    ) -> Array4<F> {
        assert_eq!(
            output.dim(),
            grad_out.dim(),
            "pooling output and its gradient"
        );
        // Masking the pooled gradient (a quarter of the ReLU's size for 2x2 windows) replaces
        // the ReLU's own backward pass over its whole output.
        let masked = Zip::from(&grad_out).and(&output).map_collect(|&g, &y| {
            if y > F::zero() {
                g
            } else {
                F::zero()
            }
        });
        self.backward(input_dim, argmax, masked.view())
    }
}

/// Flattening `(N, C, H, W)` to `(N, C*H*W)`: channel-major, then row-major within a map
/// (1-based `(k-1) S^2 + (m-1) S + n` in the source's notation), exactly PyTorch's `flatten`.
/// Backward is the inverse reshape.
pub fn flatten<F: Float>(x: ArrayView4<'_, F>) -> ndarray::Array2<F> {
    let (n, c, h, w) = x.dim();
    x.as_standard_layout()
        .into_owned()
        .into_shape_with_order((n, c * h * w))
        .expect("standard layout")
}
