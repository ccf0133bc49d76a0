//! Products with binary matrices as sums of selected rows.
//!
//! In CD training the visible states (data and reconstructions) are 0/1 and mostly 0 (about
//! 13% of MNIST's pixels are on), so `v W` is the sum of the rows of `W` picked by the ones of
//! each row of `v`, and the statistic `v' h` adds each row of `h` into the rows picked by `v`'s
//! ones. That skips the zeros (about 7 times less arithmetic than a dense GEMM on MNIST) and
//! needs additions only, so it is exact up to the order of the additions.

use ndarray::{ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;

/// For each row of a binary matrix, the column indices of its ones (a sparse row pattern
/// without values). Row `r` keeps its indices at `r * capacity`, so rows fill in parallel.
#[derive(Debug, Clone, Default)]
pub struct OnesByRow {
    /// Row `r`'s ones are `indices[r * capacity..][..counts[r]]`, increasing.
    indices: Vec<u32>,
    counts: Vec<u32>,
    capacity: usize,
    columns: usize,
}

impl OnesByRow {
    /// The pattern of the ones of `x` (rows x columns), or `None` when `x` has an entry other
    /// than 0 and 1.
    pub fn of(x: ArrayView2<'_, f32>) -> Option<Self> {
        let mut out = OnesByRow::default();
        out.refill(&[x]).then_some(out)
    }

    /// Empties the pattern and shapes it for `rows` rows over `columns` columns, reusing the
    /// buffers.
    fn reset(&mut self, rows: usize, columns: usize) {
        self.columns = columns;
        self.capacity = columns;
        self.counts.clear();
        self.counts.resize(rows, 0);
        if self.indices.len() < rows * columns {
            self.indices.resize(rows * columns, 0);
        }
    }

    /// Refills the pattern with the rows of the `blocks` stacked vertically (all with the same
    /// number of columns), reusing the buffers. Returns false (the pattern then holds the
    /// nonzero entries) when some entry is neither 0 nor 1.
    pub fn refill(&mut self, blocks: &[ArrayView2<'_, f32>]) -> bool {
        let columns = blocks.first().map_or(0, |b| b.ncols());
        let rows = blocks.iter().map(|b| b.nrows()).sum();
        self.reset(rows, columns);
        if columns == 0 {
            return true;
        }
        let mut slots = self.indices[..rows * columns].chunks_mut(columns);
        let mut counts = self.counts.iter_mut();
        let mut tasks = Vec::with_capacity(rows);
        for block in blocks {
            assert_eq!(block.ncols(), columns, "blocks of one width");
            for row in block.rows() {
                tasks.push((
                    row,
                    slots.next().expect("sized"),
                    counts.next().expect("sized"),
                ));
            }
        }
        tasks
            .into_par_iter()
            .with_min_len(16)
            .map(|(row, slots, count)| {
                // Branch-free: write every index, advance past it only for a one (random 0/1
                // data would mispredict a branch on every eighth entry).
                let mut n = 0;
                let mut binary = true;
                for (k, &x) in row.iter().enumerate() {
                    slots[n] = k as u32;
                    n += usize::from(x != 0.0);
                    binary &= x == 0.0 || x == 1.0;
                }
                *count = n as u32;
                binary
            })
            .reduce(|| true, |a, b| a && b)
    }

    /// Fills the pattern of the Bernoulli draws `rows`, whose ones are already known per row
    /// (used by samplers that produce the indices as they draw).
    pub(crate) fn rows_mut(
        &mut self,
        rows: usize,
        columns: usize,
    ) -> impl IndexedParallelIterator<Item = (&mut [u32], &mut u32)> {
        self.reset(rows, columns);
        let width = columns.max(1);
        self.indices[..rows * columns]
            .par_chunks_mut(width)
            .zip(self.counts.par_iter_mut())
    }

    /// The transposed pattern of `parts` stacked vertically (all with the same columns): for
    /// each column, the stacked rows holding a one in it.
    pub fn transpose_stacked(parts: &[&OnesByRow], out: &mut OnesByRow) {
        let columns = parts.first().map_or(0, |p| p.columns);
        let rows: usize = parts.iter().map(|p| p.rows()).sum();
        out.reset(columns, rows);
        let mut r = 0u32;
        for part in parts {
            assert_eq!(part.columns, columns, "parts of one width");
            for i in 0..part.rows() {
                for &k in part.row(i) {
                    let k = k as usize;
                    let c = &mut out.counts[k];
                    out.indices[k * rows + *c as usize] = r;
                    *c += 1;
                }
                r += 1;
            }
        }
    }

    /// The transposed pattern: for each column, the rows holding a one in it.
    pub fn transpose_into(&self, out: &mut OnesByRow) {
        OnesByRow::transpose_stacked(&[self], out);
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.counts.len()
    }

    /// The column indices of row `r`'s ones.
    pub fn row(&self, r: usize) -> &[u32] {
        &self.indices[r * self.capacity..][..self.counts[r] as usize]
    }

    /// The fraction of entries that are ones.
    pub fn density(&self) -> f64 {
        let cells = self.rows() * self.columns;
        if cells == 0 {
            0.0
        } else {
            self.counts.iter().map(|&c| c as f64).sum::<f64>() / cells as f64
        }
    }
}

/// `out = alpha * (X src) + beta * out` where `X` is the binary matrix of `ones` (rows of `out`
/// x rows of `src`): row `r` of the product is the sum of the rows of `src` listed in
/// `ones.row(r)`. With `beta == 0` the old contents of `out` are not read.
///
/// # Panics
/// When the shapes disagree or `out` is not in standard (row-major) layout.
pub fn sum_selected_rows(
    ones: &OnesByRow,
    src: ArrayView2<'_, f32>,
    alpha: f32,
    beta: f32,
    mut out: ArrayViewMut2<'_, f32>,
) {
    assert_eq!(ones.rows(), out.nrows(), "one pattern row per output row");
    assert_eq!(
        ones.columns,
        src.nrows(),
        "one pattern column per source row"
    );
    assert_eq!(src.ncols(), out.ncols(), "source and output widths");
    let owned;
    let width = src.ncols();
    let src = match src.as_slice() {
        Some(values) => values,
        None => {
            owned = src.as_standard_layout().into_owned();
            owned.as_slice().expect("standard layout")
        }
    };
    // Enough rows per task to amortize rayon's scheduling; one task per core for a minibatch.
    let rows_per_task = ones.rows().div_ceil(rayon::current_num_threads()).max(8);
    out.axis_chunks_iter_mut(Axis(0), rows_per_task)
        .into_par_iter()
        .enumerate()
        .for_each(|(t, mut chunk)| {
            for (i, mut row) in chunk.rows_mut().into_iter().enumerate() {
                let r = t * rows_per_task + i;
                let row = row.as_slice_mut().expect("standard layout output");
                accumulate_row(ones.row(r), src, width, alpha, beta, row);
            }
        });
}

/// Hints the CPU to load the first [`BLOCK`] entries of `values` into the cache.
#[inline(always)]
fn prefetch_block(values: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let lines = (BLOCK * 4).div_ceil(64).min(values.len().div_ceil(16));
        for line in 0..lines {
            // SAFETY: prefetching is a hint; the address is inside `values`.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(values.as_ptr().add(line * 16).cast()) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = values;
}

/// Output columns handled per pass over a row's index list: 64 f32 accumulators, eight AVX
/// registers.
const BLOCK: usize = 64;

fn accumulate_row(list: &[u32], src: &[f32], width: usize, alpha: f32, beta: f32, out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above).
            unsafe { accumulate_row_avx2(list, src, width, alpha, beta, out) };
            return;
        }
    }
    accumulate_row_portable(list, src, width, alpha, beta, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn accumulate_row_avx2(
    list: &[u32],
    src: &[f32],
    width: usize,
    alpha: f32,
    beta: f32,
    out: &mut [f32],
) {
    accumulate_row_portable(list, src, width, alpha, beta, out);
}

#[inline(always)]
fn accumulate_row_portable(
    list: &[u32],
    src: &[f32],
    width: usize,
    alpha: f32,
    beta: f32,
    out: &mut [f32],
) {
    if width < BLOCK {
        accumulate_narrow(list, src, width, alpha, beta, out);
        return;
    }
    let mut done = 0;
    while done < width {
        // Full blocks only; the last one is shifted left to end at `width` and overlaps the
        // previous one, whose columns it does not store again.
        let start = done.min(width - BLOCK);
        let mut acc = [0.0f32; BLOCK];
        for (i, &k) in list.iter().enumerate() {
            // The rows are scattered: fetch the block a few rows ahead into the cache.
            if let Some(&ahead) = list.get(i + PREFETCH_AHEAD) {
                prefetch_block(&src[ahead as usize * width + start..]);
            }
            let base = k as usize * width + start;
            let row: &[f32; BLOCK] = src[base..base + BLOCK].try_into().expect("block");
            for (a, &x) in acc.iter_mut().zip(row) {
                *a += x;
            }
        }
        let skip = done - start;
        store(&acc[skip..], alpha, beta, &mut out[done..start + BLOCK]);
        done = start + BLOCK;
    }
}

/// How many rows ahead the kernel prefetches.
const PREFETCH_AHEAD: usize = 6;

/// The kernel for rows narrower than a block.
#[inline(always)]
fn accumulate_narrow(
    list: &[u32],
    src: &[f32],
    width: usize,
    alpha: f32,
    beta: f32,
    out: &mut [f32],
) {
    let mut acc = [0.0f32; BLOCK];
    for &k in list {
        let row = &src[k as usize * width..][..width];
        for (a, &x) in acc[..width].iter_mut().zip(row) {
            *a += x;
        }
    }
    store(&acc[..width], alpha, beta, out);
}

/// `dst = alpha * acc + beta * dst` (`dst` not read when `beta` is 0).
#[inline(always)]
fn store(acc: &[f32], alpha: f32, beta: f32, dst: &mut [f32]) {
    if beta == 0.0 {
        for (o, &a) in dst.iter_mut().zip(acc) {
            *o = alpha * a;
        }
    } else {
        for (o, &a) in dst.iter_mut().zip(acc) {
            *o = alpha * a + beta * *o;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepgm_core::rng::seeded;
    use ndarray::Array2;
    use rand::Rng;

    fn random(rows: usize, cols: usize, seed: u64, density: f64) -> (Array2<f32>, Array2<f32>) {
        let mut rng = seeded(seed);
        let binary = Array2::from_shape_fn((rows, cols), |_| {
            f32::from(u8::from(rng.random::<f64>() < density))
        });
        let dense = Array2::from_shape_fn((cols, 1 + seed as usize % 130), |_| {
            rng.random::<f32>() * 2.0 - 1.0
        });
        (binary, dense)
    }

    fn close(a: &Array2<f32>, b: &Array2<f32>) {
        assert_eq!(a.dim(), b.dim());
        for (x, y) in a.iter().zip(b) {
            // Sums of up to ~100 terms of size 1 in f32: differences in the order of additions.
            assert!((x - y).abs() <= 1e-4 * (1.0 + y.abs()), "{x} vs {y}");
        }
    }

    #[test]
    fn selected_row_sums_equal_the_dense_product() {
        for (seed, (rows, cols)) in [(1, 5), (7, 64), (100, 784), (3, 65), (0, 9)]
            .into_iter()
            .enumerate()
        {
            for density in [0.0, 0.13, 0.5, 1.0] {
                let (x, w) = random(rows, cols, seed as u64 * 31 + 3, density);
                let ones = OnesByRow::of(x.view()).expect("binary");
                assert!((ones.density() - x.mean().unwrap_or(0.0) as f64).abs() < 1e-6);
                let mut out = Array2::from_elem((rows, w.ncols()), 0.5f32);
                sum_selected_rows(&ones, w.view(), 0.75, 0.0, out.view_mut());
                close(&out, &(x.dot(&w) * 0.75));
                let old = Array2::from_elem((rows, w.ncols()), 2.0f32);
                let mut out = old.clone();
                sum_selected_rows(&ones, w.view(), -1.5, 0.5, out.view_mut());
                close(&out, &(x.dot(&w) * -1.5 + &old * 0.5));
            }
        }
    }

    #[test]
    fn transposed_pattern_gives_the_transposed_product() {
        let (x, _) = random(37, 70, 5, 0.2);
        let (y, _) = random(11, 70, 6, 0.3);
        let mut stacked = OnesByRow::default();
        assert!(stacked.refill(&[x.view(), y.view()]));
        let mut by_column = OnesByRow::default();
        stacked.transpose_into(&mut by_column);
        assert_eq!(by_column.rows(), 70);
        let both = ndarray::concatenate(Axis(0), &[x.view(), y.view()]).unwrap();
        let mut rng = seeded(9);
        let h = Array2::from_shape_fn((48, 130), |_| rng.random::<f32>());
        let mut out = Array2::zeros((70, 130));
        sum_selected_rows(&by_column, h.view(), 1.0, 0.0, out.view_mut());
        close(&out, &both.t().dot(&h));
        let mut back = OnesByRow::default();
        by_column.transpose_into(&mut back);
        for r in 0..48 {
            assert_eq!(back.row(r), stacked.row(r));
        }
    }

    #[test]
    fn hidden_probabilities_of_ones_match_the_dense_path() {
        let (v, _) = random(50, 784, 11, 0.13);
        let mut model = crate::BernoulliRbm::<f32>::init(v.view(), 200, 2).unwrap();
        model.w.mapv_inplace(|x| x * 30.0); // weights of a trained size
        let ones = OnesByRow::of(v.view()).expect("binary");
        close(
            &model.hidden_probs_of_ones(&ones),
            &model.hidden_probs(v.view()),
        );
    }

    #[test]
    fn non_binary_input_is_reported() {
        let x = ndarray::array![[0.0f32, 1.0], [0.5, 0.0]];
        assert!(OnesByRow::of(x.view()).is_none());
        let x = ndarray::array![[0.0f32, 1.0], [1.0, 0.0]];
        let ones = OnesByRow::of(x.view()).expect("binary");
        assert_eq!(ones.row(0), &[1]);
        assert_eq!(ones.row(1), &[0]);
    }
}
