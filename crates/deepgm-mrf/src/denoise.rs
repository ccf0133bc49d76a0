//! One entry point for every denoising algorithm, chosen at run time (a command-line flag, a
//! Python keyword).

use deepgm_core::params::Params;
use deepgm_core::progress::Progress;
use deepgm_core::Result;
use ndarray::ArrayView2;
use serde::Serialize;

use crate::gibbs::{anneal, gibbs, AnnealParams, GibbsParams};
use crate::graphcut::graph_cut;
use crate::icm::{icm, icm_checkerboard, IcmParams};
use crate::meanfield::{mean_field, MeanFieldParams};
use crate::model::IsingModel;
use crate::report::{Denoised, Method};

/// A denoising algorithm with its parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "kebab-case")]
pub enum Algorithm {
    /// [`icm`] from the observation.
    Icm(IcmParams),
    /// [`icm_checkerboard`] from the observation.
    IcmCheckerboard(IcmParams),
    /// [`gibbs`].
    Gibbs(GibbsParams),
    /// [`anneal`].
    Anneal(AnnealParams),
    /// [`mean_field`].
    Meanfield(MeanFieldParams),
    /// [`graph_cut`] (no parameters).
    Graphcut,
}

impl Algorithm {
    /// `method` with its default parameters.
    pub fn with_defaults(method: Method) -> Self {
        match method {
            Method::Icm => Algorithm::Icm(IcmParams::default()),
            Method::IcmCheckerboard => Algorithm::IcmCheckerboard(IcmParams::default()),
            Method::Gibbs => Algorithm::Gibbs(GibbsParams::default()),
            Method::Anneal => Algorithm::Anneal(AnnealParams::default()),
            Method::Meanfield => Algorithm::Meanfield(MeanFieldParams::default()),
            Method::Graphcut => Algorithm::Graphcut,
        }
    }

    /// Which method this is.
    pub fn method(&self) -> Method {
        match self {
            Algorithm::Icm(_) => Method::Icm,
            Algorithm::IcmCheckerboard(_) => Method::IcmCheckerboard,
            Algorithm::Gibbs(_) => Method::Gibbs,
            Algorithm::Anneal(_) => Method::Anneal,
            Algorithm::Meanfield(_) => Method::Meanfield,
            Algorithm::Graphcut => Method::Graphcut,
        }
    }
}

impl Params for Algorithm {
    fn check(&self) -> Result<()> {
        match self {
            Algorithm::Icm(p) | Algorithm::IcmCheckerboard(p) => p.check(),
            Algorithm::Gibbs(p) => p.check(),
            Algorithm::Anneal(p) => p.check(),
            Algorithm::Meanfield(p) => p.check(),
            Algorithm::Graphcut => Ok(()),
        }
    }
}

/// Runs `algorithm` on the observation `y` (shape `(rows, cols)`, values -1/+1) under `model`;
/// the same as calling the algorithm's own function.
///
/// # Errors
/// Those of the algorithm's function.
pub fn denoise(
    model: &IsingModel,
    y: ArrayView2<'_, i8>,
    algorithm: &Algorithm,
    progress: &dyn Progress,
) -> Result<Denoised> {
    match algorithm {
        Algorithm::Icm(p) => icm(model, y, p, progress),
        Algorithm::IcmCheckerboard(p) => icm_checkerboard(model, y, p, progress),
        Algorithm::Gibbs(p) => gibbs(model, y, p, progress),
        Algorithm::Anneal(p) => anneal(model, y, p, progress),
        Algorithm::Meanfield(p) => mean_field(model, y, p, progress),
        Algorithm::Graphcut => graph_cut(model, y, progress),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepgm_core::progress::NoProgress;
    use ndarray::Array2;

    #[test]
    fn denoise_runs_the_method_it_names() {
        let y = Array2::from_shape_fn((6, 7), |(r, c)| if (r + c) % 3 == 0 { -1i8 } else { 1 });
        let model = IsingModel::default();
        for method in Method::ALL {
            let algorithm = Algorithm::with_defaults(method);
            assert_eq!(algorithm.method(), method);
            assert!(algorithm.check().is_ok());
            let result = denoise(&model, y.view(), &algorithm, &NoProgress).unwrap();
            assert_eq!(result.report.method, method);
            assert_eq!(result.marginals.is_some(), method.estimates_marginals());
        }
        assert_eq!(
            serde_json::to_value(Algorithm::with_defaults(Method::Icm)).unwrap(),
            serde_json::json!({"method": "icm", "max_sweeps": 1000})
        );
        assert_eq!(
            serde_json::to_value(Algorithm::Graphcut).unwrap(),
            serde_json::json!({"method": "graphcut"})
        );
        let bad = Algorithm::Icm(IcmParams { max_sweeps: 0 });
        assert_eq!(bad.check().unwrap_err().parameter(), Some("max_sweeps"));
    }
}
