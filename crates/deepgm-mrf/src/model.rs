//! The Ising model of PRML 8.3.3: energy and the local energy difference of docs/derivations.md 4.1.

use deepgm_core::params::check_finite;
use deepgm_core::{Error, Result};
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use serde::Serialize;

/// Which pixels are neighbours. Serialized as the number of neighbours (4 or 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Neighbourhood {
    /// Left, right, up, down (the source's and Bishop's model).
    #[default]
    Four,
    /// The four above plus the four diagonals.
    Eight,
}

impl Serialize for Neighbourhood {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.size())
    }
}

impl Neighbourhood {
    /// The number of neighbours of an interior pixel: 4 or 8.
    pub fn size(self) -> u8 {
        match self {
            Neighbourhood::Four => 4,
            Neighbourhood::Eight => 8,
        }
    }

    /// The neighbourhood of `size` neighbours (4 or 8), the inverse of [`Neighbourhood::size`].
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `neighbourhood` for any other size.
    pub fn from_size(size: usize) -> Result<Self> {
        match size {
            4 => Ok(Neighbourhood::Four),
            8 => Ok(Neighbourhood::Eight),
            _ => Err(Error::param("neighbourhood", size, "4 or 8")),
        }
    }

    /// Row and column offsets of the neighbours that come *after* a pixel in raster order;
    /// iterating these over all pixels visits each neighbouring pair exactly once.
    pub fn forward_offsets(self) -> &'static [(isize, isize)] {
        match self {
            Neighbourhood::Four => &[(0, 1), (1, 0)],
            Neighbourhood::Eight => &[(0, 1), (1, 0), (1, 1), (1, -1)],
        }
    }

    /// Row and column offsets of all neighbours (4 or 8).
    pub fn offsets(self) -> &'static [(isize, isize)] {
        match self {
            Neighbourhood::Four => &[(0, 1), (0, -1), (1, 0), (-1, 0)],
            Neighbourhood::Eight => &[
                (0, 1),
                (0, -1),
                (1, 0),
                (-1, 0),
                (1, 1),
                (-1, -1),
                (1, -1),
                (-1, 1),
            ],
        }
    }
}

/// The Ising prior with an observation term, over x, y in {-1,+1}^N on a pixel grid:
///
/// `E(x, y) = h * sum_i x_i - beta * sum_{i~j} x_i x_j - eta * sum_i x_i y_i`,
/// each neighbouring pair counted once, and `p(x | y)` proportional to `exp(-E(x, y))`.
///
/// The parameters are finite by construction ([`IsingModel::new`] checks them); read them with
/// the getters. Serialized as `{h, beta, eta, neighbourhood}` (the neighbourhood as 4 or 8).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IsingModel {
    h: f64,
    beta: f64,
    eta: f64,
    neighbourhood: Neighbourhood,
}

impl Default for IsingModel {
    /// Bishop's parameters (PRML 8.3.3): h = 0, beta = 1.0, eta = 2.1, 4-neighbourhood.
    fn default() -> Self {
        IsingModel {
            h: 0.0,
            beta: 1.0,
            eta: 2.1,
            neighbourhood: Neighbourhood::Four,
        }
    }
}

impl IsingModel {
    /// A 4-neighbourhood model with the given parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the parameter (`h`, `beta` or `eta`) when one is not
    /// finite.
    pub fn new(h: f64, beta: f64, eta: f64) -> Result<Self> {
        check_finite("h", h)?;
        check_finite("beta", beta)?;
        check_finite("eta", eta)?;
        Ok(IsingModel {
            h,
            beta,
            eta,
            neighbourhood: Neighbourhood::Four,
        })
    }

    /// The same model over another neighbourhood.
    pub fn with_neighbourhood(mut self, neighbourhood: Neighbourhood) -> Self {
        self.neighbourhood = neighbourhood;
        self
    }

    /// Bias `h`: a positive `h` favours -1 (black).
    #[inline]
    pub fn h(&self) -> f64 {
        self.h
    }

    /// Coupling `beta` of neighbours: positive favours equal neighbours (smoothness).
    #[inline]
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// Coupling `eta` of each latent pixel to its observation.
    #[inline]
    pub fn eta(&self) -> f64 {
        self.eta
    }

    /// Which pixels are neighbours.
    #[inline]
    pub fn neighbourhood(&self) -> Neighbourhood {
        self.neighbourhood
    }

    /// The energy `E(x, y)`, summed in f64 straight from the definition.
    ///
    /// # Errors
    /// As [`check_pair`].
    pub fn energy(&self, x: ArrayView2<'_, i8>, y: ArrayView2<'_, i8>) -> Result<f64> {
        check_pair(x, y)?;
        Ok(self.energy_of_valid(x, y))
    }

    /// [`IsingModel::energy`] without the input checks, for labellings valid by construction.
    /// Rows are summed in parallel; the sums are exact integers, so the result does not depend on
    /// the split.
    pub(crate) fn energy_of_valid(&self, x: ArrayView2<'_, i8>, y: ArrayView2<'_, i8>) -> f64 {
        let x = x.as_standard_layout();
        let y = y.as_standard_layout();
        let cols = x.ncols();
        let xs = x.as_slice().expect("standard layout");
        let ys = y.as_slice().expect("standard layout");
        let dot = |a: &[i8], b: &[i8]| -> i64 {
            a.iter()
                .zip(b)
                .map(|(&p, &q)| i32::from(p) * i32::from(q))
                .sum::<i32>() as i64
        };
        let eight = self.neighbourhood == Neighbourhood::Eight;
        let (bias, pairs, data) = xs
            .par_chunks(cols)
            .zip(ys.par_chunks(cols))
            .enumerate()
            .map(|(r, (row, yrow))| {
                let bias = row.iter().map(|&v| i32::from(v)).sum::<i32>() as i64;
                let data = dot(row, yrow);
                let mut pairs = dot(&row[1..], &row[..cols - 1]);
                if let Some(below) = xs.get((r + 1) * cols..(r + 2) * cols) {
                    pairs += dot(row, below);
                    if eight {
                        pairs += dot(&row[..cols - 1], &below[1..]);
                        pairs += dot(&row[1..], &below[..cols - 1]);
                    }
                }
                (bias, pairs, data)
            })
            .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
        self.h * bias as f64 - self.beta * pairs as f64 - self.eta * data as f64
    }

    /// docs/derivations.md 4.1: `E(x_m = +1, rest) - E(x_m = -1, rest)
    /// = 2h - 2 beta sum_{j in N(m)} x_j - 2 eta y_m`, from the neighbours of pixel
    /// `m = (row, col)` alone. The value of `x[m]` itself does not matter.
    ///
    /// # Panics
    /// When `(row, col)` is outside the grid or `x` and `y` differ in shape.
    pub fn delta_energy(
        &self,
        x: ArrayView2<'_, i8>,
        y: ArrayView2<'_, i8>,
        row: usize,
        col: usize,
    ) -> f64 {
        assert_eq!(x.dim(), y.dim(), "x and y must have the same shape");
        let neighbours = neighbour_sum(x, self.neighbourhood, row, col);
        2.0 * self.h - 2.0 * self.beta * neighbours as f64 - 2.0 * self.eta * y[[row, col]] as f64
    }

    /// The number of neighbouring pairs on a `rows x cols` grid.
    pub fn pair_count(&self, rows: usize, cols: usize) -> usize {
        let horizontal = rows * cols.saturating_sub(1);
        let vertical = rows.saturating_sub(1) * cols;
        match self.neighbourhood {
            Neighbourhood::Four => horizontal + vertical,
            Neighbourhood::Eight => {
                horizontal + vertical + 2 * rows.saturating_sub(1) * cols.saturating_sub(1)
            }
        }
    }
}

/// Sum of the spins of the neighbours of `(row, col)` that lie inside the grid.
pub fn neighbour_sum(x: ArrayView2<'_, i8>, nb: Neighbourhood, row: usize, col: usize) -> i32 {
    let (rows, cols) = x.dim();
    nb.offsets()
        .iter()
        .filter_map(|&(dr, dc)| {
            let (nr, nc) = (row as isize + dr, col as isize + dc);
            (nr >= 0 && nc >= 0 && (nr as usize) < rows && (nc as usize) < cols)
                .then(|| x[[nr as usize, nc as usize]] as i32)
        })
        .sum()
}

/// Checks that `spins` (the argument called `name`) is a non-empty grid of -1/+1 values.
///
/// # Errors
/// [`Error::Shape`] for an empty grid; [`Error::InvalidParameter`] naming `name` for a value
/// other than -1 or +1.
pub fn check_spins(name: &str, spins: ArrayView2<'_, i8>) -> Result<()> {
    if spins.is_empty() {
        return Err(Error::shape(name, spins.dim(), "at least 1 x 1 pixels"));
    }
    let valid = |v: &i8| *v == 1 || *v == -1;
    let all_valid = match spins.as_slice() {
        Some(values) => values.iter().fold(true, |ok, v| ok & valid(v)),
        None => spins.iter().all(valid),
    };
    if !all_valid {
        let ((r, c), v) = spins
            .indexed_iter()
            .find(|(_, v)| !valid(v))
            .expect("an invalid value exists");
        return Err(Error::invalid(
            name,
            format!("value {v} at row {r}, column {c}: expected -1 or +1"),
        ));
    }
    Ok(())
}

/// Checks a labelling `x` against an observation `y`: both valid spin grids of one shape.
///
/// # Errors
/// As [`check_spins`]; [`Error::Shape`] naming `x` when the shapes differ.
pub fn check_pair(x: ArrayView2<'_, i8>, y: ArrayView2<'_, i8>) -> Result<()> {
    check_spins("x", x)?;
    check_spins("y", y)?;
    if x.dim() != y.dim() {
        return Err(Error::shape(
            "x",
            x.dim(),
            format!("{:?}, the shape of y", y.dim()),
        ));
    }
    Ok(())
}

/// Number of pixels where `a` and `b` differ (shapes must match).
pub fn count_differences(a: ArrayView2<'_, i8>, b: ArrayView2<'_, i8>) -> usize {
    match (a.as_slice(), b.as_slice()) {
        (Some(a), Some(b)) => count_differences_in(a, b),
        _ => a.iter().zip(b.iter()).filter(|(p, q)| p != q).count(),
    }
}

/// Number of positions where the slices differ (over the shorter length). Counts in byte-wide
/// blocks of 255 so the comparison runs 16 or 32 lanes at a time.
pub(crate) fn count_differences_in(a: &[i8], b: &[i8]) -> usize {
    a.chunks(255)
        .zip(b.chunks(255))
        .map(|(x, y)| x.iter().zip(y).fold(0u8, |n, (p, q)| n + u8::from(p != q)) as usize)
        .sum()
}

/// Every labelling of a `rows x cols` grid, in binary counting order (pixel 0 is bit 0;
/// bit set means +1). For brute-force checks on tiny grids (`rows * cols <= 24`).
///
/// # Panics
/// When the grid has more than 24 pixels.
pub fn all_labellings(rows: usize, cols: usize) -> impl Iterator<Item = Array2<i8>> {
    let n = rows * cols;
    assert!(n <= 24, "brute force over {n} pixels is too large");
    (0u32..1 << n).map(move |bits| {
        Array2::from_shape_fn((rows, cols), |(r, c)| {
            if bits >> (r * cols + c) & 1 == 1 {
                1
            } else {
                -1
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbourhoods_come_from_their_sizes() {
        for nb in [Neighbourhood::Four, Neighbourhood::Eight] {
            assert_eq!(Neighbourhood::from_size(nb.size().into()).unwrap(), nb);
        }
        let err = Neighbourhood::from_size(6).unwrap_err();
        assert_eq!(err.parameter(), Some("neighbourhood"));
    }
}
