//! What every denoising algorithm returns.

use ndarray::Array2;

/// A denoised labelling with the figures that let methods be compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Denoised {
    /// The labelling x in {-1,+1}, shape `(rows, cols)`.
    pub labels: Array2<i8>,
    /// Estimated marginals `P(x_i = +1 | y)` where the method yields them (Gibbs sampling:
    /// the fraction of kept samples with +1; mean field: `(1 + m_i) / 2`).
    pub marginals: Option<Array2<f64>>,
    /// Energy, sweeps, pixels changed, time.
    pub report: Report,
}

/// Figures about one run of a denoising algorithm.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The algorithm's name as on the command line (`icm`, `graphcut`, ...).
    pub method: &'static str,
    /// `E(labels, y)` under the model.
    pub energy: f64,
    /// Full sweeps over the grid (0 for graph cut).
    pub sweeps: usize,
    /// Pixels where `labels` differs from the observation y.
    pub changed: usize,
    /// Whether the stopping rule was met (a fixed point, a tolerance, the exact optimum) rather
    /// than the sweep cap. Sampling methods that run a fixed number of sweeps report true.
    pub converged: bool,
    /// Wall-clock seconds the algorithm took.
    pub seconds: f64,
}
