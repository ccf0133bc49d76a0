//! Matrix products through the `gemm` crate (AVX-512/AVX2/FMA kernels chosen at run time), on
//! rayon's thread pool: the same pool as the element-wise work, so two pools never compete for
//! the cores.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};
use num_traits::{One, Zero};

/// An element type the `gemm` crate multiplies (`f32`, `f64`).
pub trait GemmScalar: Copy + Zero + One + PartialEq + Send + Sync + 'static {}

impl GemmScalar for f32 {}
impl GemmScalar for f64 {}

/// Whether a product may split its work across rayon's threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threads {
    /// Use rayon's threads when the product is large enough to pay.
    Pool,
    /// Stay on the calling thread (the caller is already parallel).
    One,
}

/// `c <- alpha * a b + beta * c` for any strides (transposed views included), on rayon's
/// threads when large enough.
///
/// # Panics
/// When the shapes do not conform (`a` is m x k, `b` k x n, `c` m x n): a programming error.
pub fn gemm_into<F: GemmScalar>(
    alpha: F,
    a: ArrayView2<'_, F>,
    b: ArrayView2<'_, F>,
    beta: F,
    c: &mut ArrayViewMut2<'_, F>,
) {
    gemm_with(alpha, a, b, beta, c, Threads::Pool);
}

/// [`gemm_into`] with a choice of [`Threads`].
///
/// # Panics
/// When the shapes do not conform.
pub fn gemm_with<F: GemmScalar>(
    alpha: F,
    a: ArrayView2<'_, F>,
    b: ArrayView2<'_, F>,
    beta: F,
    c: &mut ArrayViewMut2<'_, F>,
    threads: Threads,
) {
    let (m, k) = a.dim();
    let (k2, n) = b.dim();
    assert_eq!(k, k2, "inner dimensions differ");
    assert_eq!(c.dim(), (m, n), "output shape");
    if m == 0 || n == 0 {
        return;
    }
    // SAFETY: the pointers and strides come from live ndarray views whose shapes were checked
    // above; `c` is borrowed mutably, so it aliases neither `a` nor `b`.
    unsafe {
        raw_gemm(
            alpha,
            a,
            b,
            beta,
            c.as_mut_ptr(),
            (c.strides()[0], c.strides()[1]),
            threads,
        )
    }
}

/// The product `alpha a b` in a new `m x n` array (standard layout) that is never zeroed: the
/// GEMM writes every element.
///
/// # Panics
/// When the inner dimensions differ.
pub fn product_with<F: GemmScalar>(
    alpha: F,
    a: ArrayView2<'_, F>,
    b: ArrayView2<'_, F>,
    threads: Threads,
) -> Array2<F> {
    let (m, k) = a.dim();
    let (k2, n) = b.dim();
    assert_eq!(k, k2, "inner dimensions differ");
    if m == 0 || n == 0 || k == 0 {
        return Array2::zeros((m, n));
    }
    let mut c = Array2::<F>::uninit((m, n));
    let strides = (n as isize, 1);
    // SAFETY: `c` is a fresh m x n standard-layout array; with `read_dst` false (beta 0) the
    // GEMM only writes it, every element once k > 0, after which it is initialized.
    unsafe {
        raw_gemm(
            alpha,
            a,
            b,
            F::zero(),
            c.as_mut_ptr().cast::<F>(),
            strides,
            threads,
        );
        c.assume_init()
    }
}

/// Calls the `gemm` crate on `a b` into the `m x n` matrix at `c` with row and column strides
/// `c_strides` (elements).
///
/// # Safety
/// `c` must be valid for writes (and reads when `beta != 0`) at every `i * rs + j * cs` for
/// `i < m`, `j < n`, and alias neither `a` nor `b`.
unsafe fn raw_gemm<F: GemmScalar>(
    alpha: F,
    a: ArrayView2<'_, F>,
    b: ArrayView2<'_, F>,
    beta: F,
    c: *mut F,
    (crs, ccs): (isize, isize),
    threads: Threads,
) {
    let (m, k) = a.dim();
    let n = b.ncols();
    if m == 0 || n == 0 {
        return;
    }
    let pool = rayon::current_num_threads();
    let parallelism = if threads == Threads::Pool && m * n * k >= 1 << 16 && pool > 1 {
        gemm::Parallelism::Rayon(pool)
    } else {
        gemm::Parallelism::None
    };
    let (ars, acs) = (a.strides()[0], a.strides()[1]);
    let (brs, bcs) = (b.strides()[0], b.strides()[1]);
    // SAFETY: `a` and `b` are live views; the caller vouches for `c`.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c,
            ccs,
            crs,
            beta != F::zero(),
            a.as_ptr(),
            acs,
            ars,
            b.as_ptr(),
            bcs,
            brs,
            beta,
            alpha,
            false,
            false,
            false,
            parallelism,
        );
    }
}

/// `a b` as a new array.
pub fn matmul<F: GemmScalar>(a: ArrayView2<'_, F>, b: ArrayView2<'_, F>) -> Array2<F> {
    product_with(F::one(), a, b, Threads::Pool)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn matches_ndarray_dot_for_all_layouts() {
        let a = Array2::from_shape_fn((37, 53), |(i, j)| ((i * 31 + j * 7) % 17) as f64 - 8.0);
        let b = Array2::from_shape_fn((53, 29), |(i, j)| ((i * 13 + j * 3) % 11) as f64 - 5.0);
        assert_eq!(matmul(a.view(), b.view()), a.dot(&b));
        let at = a.t().to_owned();
        assert_eq!(matmul(at.t(), b.view()), a.dot(&b));
        let mut c = Array2::from_elem((37, 29), 1.0);
        gemm_into(2.0, a.view(), b.view(), 0.5, &mut c.view_mut());
        let expected = a.dot(&b) * 2.0 + 0.5;
        assert_eq!(c, expected);
    }

    #[test]
    fn product_writes_every_element_including_empty_inner_dimension() {
        let a = Array2::from_shape_fn((19, 7), |(i, j)| (i as f32) - (j as f32) * 0.5);
        let b = Array2::from_shape_fn((7, 23), |(i, j)| ((i + 2 * j) % 5) as f32 - 2.0);
        assert_eq!(
            product_with(1.5, a.view(), b.view(), Threads::One),
            a.dot(&b) * 1.5
        );
        assert_eq!(
            product_with(1.0, b.t(), a.t(), Threads::Pool),
            b.t().dot(&a.t())
        );
        let empty_a = Array2::<f64>::zeros((3, 0));
        let empty_b = Array2::<f64>::zeros((0, 4));
        let c = product_with(1.0, empty_a.view(), empty_b.view(), Threads::One);
        assert_eq!(c, Array2::<f64>::zeros((3, 4)));
    }
}
