//! What every denoising algorithm returns.

use std::fmt;

use ndarray::Array2;
use serde::Serialize;

/// A denoising algorithm, serialized (and displayed) by its command-line name: `icm`,
/// `icm-checkerboard`, `gibbs`, `anneal`, `meanfield`, `graphcut`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Raster-order iterated conditional modes ([`crate::icm`]).
    Icm,
    /// Iterated conditional modes one colour class at a time ([`crate::icm_checkerboard`]).
    IcmCheckerboard,
    /// Gibbs sampling at a temperature ([`crate::gibbs`]).
    Gibbs,
    /// Simulated annealing ([`crate::anneal`]).
    Anneal,
    /// Damped mean-field updates ([`crate::mean_field`]).
    Meanfield,
    /// The exact minimum by a minimum s-t cut ([`crate::graph_cut`]).
    Graphcut,
}

impl Method {
    /// Every method, in the order above.
    pub const ALL: [Method; 6] = [
        Method::Icm,
        Method::IcmCheckerboard,
        Method::Gibbs,
        Method::Anneal,
        Method::Meanfield,
        Method::Graphcut,
    ];

    /// The method's name, as serialized.
    pub fn name(self) -> &'static str {
        match self {
            Method::Icm => "icm",
            Method::IcmCheckerboard => "icm-checkerboard",
            Method::Gibbs => "gibbs",
            Method::Anneal => "anneal",
            Method::Meanfield => "meanfield",
            Method::Graphcut => "graphcut",
        }
    }

    /// The method called `name` (its serialized name, as [`Method::name`] gives it).
    ///
    /// # Errors
    /// [`deepgm_core::Error::InvalidParameter`] naming `method` for any other name.
    pub fn from_name(name: &str) -> deepgm_core::Result<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
                deepgm_core::Error::param(
                    "method",
                    format!("'{name}'"),
                    format!("one of {}", names.join(", ")),
                )
            })
    }

    /// Whether the method estimates the marginals `P(x_i = +1 | y)` ([`Denoised::marginals`]).
    pub fn estimates_marginals(self) -> bool {
        matches!(self, Method::Gibbs | Method::Meanfield)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A denoised labelling with the figures that let methods be compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Denoised {
    /// The labelling x in {-1,+1}, shape `(rows, cols)`.
    pub labels: Array2<i8>,
    /// Estimated marginals `P(x_i = +1 | y)` where the method yields them (Gibbs sampling:
    /// the fraction of kept samples with +1; mean field: `(1 + m_i) / 2`), shape `(rows, cols)`.
    pub marginals: Option<Array2<f64>>,
    /// Energy, sweeps, pixels changed, time.
    pub report: Report,
}

/// Figures about one run of a denoising algorithm; serialized with these field names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The algorithm.
    pub method: Method,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_serialize_as_their_names() {
        for method in Method::ALL {
            let json = serde_json::to_value(method).unwrap();
            assert_eq!(json, method.name());
            assert_eq!(method.to_string(), method.name());
            assert_eq!(Method::from_name(method.name()).unwrap(), method);
        }
        let err = Method::from_name("simplex").unwrap_err();
        assert_eq!(err.parameter(), Some("method"));
    }
}
