//! A spin grid with a one-pixel border of zeros, so that every pixel has all its neighbours at
//! fixed offsets (a zero neighbour contributes nothing): the hot loops need no bounds tests.

use ndarray::{Array2, ArrayView2};

use crate::model::Neighbourhood;

/// Spins in {-1,+1} stored row-major with a zero border; `stride = cols + 2`.
#[derive(Debug, Clone)]
pub(crate) struct PaddedGrid<T> {
    pub rows: usize,
    pub cols: usize,
    pub stride: usize,
    pub data: Vec<T>,
}

impl<T: Copy + Default> PaddedGrid<T> {
    /// A padded copy of `values`.
    pub fn from_view(values: ArrayView2<'_, T>) -> Self {
        let (rows, cols) = values.dim();
        let stride = cols + 2;
        let mut data = vec![T::default(); (rows + 2) * stride];
        for (r, row) in values.outer_iter().enumerate() {
            let start = (r + 1) * stride + 1;
            let target = &mut data[start..start + cols];
            match row.as_slice() {
                Some(source) => target.copy_from_slice(source),
                None => target.iter_mut().zip(row.iter()).for_each(|(t, &v)| *t = v),
            }
        }
        PaddedGrid {
            rows,
            cols,
            stride,
            data,
        }
    }

    /// A padded grid of `rows x cols` filled with `value` inside (the border stays default).
    pub fn filled(rows: usize, cols: usize, value: T) -> Self {
        let stride = cols + 2;
        let mut data = vec![T::default(); (rows + 2) * stride];
        for r in 0..rows {
            let start = (r + 1) * stride + 1;
            data[start..start + cols].fill(value);
        }
        PaddedGrid {
            rows,
            cols,
            stride,
            data,
        }
    }

    /// Index of interior pixel `(r, c)` in `data`.
    #[inline]
    pub fn index(&self, r: usize, c: usize) -> usize {
        (r + 1) * self.stride + c + 1
    }

    /// The interior as an array.
    pub fn to_array(&self) -> Array2<T> {
        let mut out = Vec::with_capacity(self.rows * self.cols);
        for r in 0..self.rows {
            let start = self.index(r, 0);
            out.extend_from_slice(&self.data[start..start + self.cols]);
        }
        Array2::from_shape_vec((self.rows, self.cols), out).expect("rows * cols values")
    }
}

/// Offsets in a padded buffer of the neighbours of a pixel.
pub(crate) fn neighbour_offsets(nb: Neighbourhood, stride: usize) -> Vec<isize> {
    nb.offsets()
        .iter()
        .map(|&(dr, dc)| dr * stride as isize + dc)
        .collect()
}

/// Sum of the neighbours of `i` (a padded index), for the 4- or 8-neighbourhood.
#[inline(always)]
pub(crate) fn neighbour_sum(data: &[i8], i: usize, stride: usize, eight: bool) -> i32 {
    let s =
        data[i - 1] as i32 + data[i + 1] as i32 + data[i - stride] as i32 + data[i + stride] as i32;
    if eight {
        s + data[i - stride - 1] as i32
            + data[i - stride + 1] as i32
            + data[i + stride - 1] as i32
            + data[i + stride + 1] as i32
    } else {
        s
    }
}

/// Float version of [`neighbour_sum`] for mean-field magnetizations.
#[inline(always)]
pub(crate) fn neighbour_sum_f64(data: &[f64], i: usize, stride: usize, eight: bool) -> f64 {
    let s = data[i - 1] + data[i + 1] + data[i - stride] + data[i + stride];
    if eight {
        s + data[i - stride - 1]
            + data[i - stride + 1]
            + data[i + stride - 1]
            + data[i + stride + 1]
    } else {
        s
    }
}
