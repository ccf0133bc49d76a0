//! Forward (ancestral) sampling of the joint distribution.

use deepgm_core::params::Params;
use deepgm_core::progress::Progress;
use deepgm_core::rng;
use deepgm_core::{Error, Result};
use rand::Rng;
use serde::Serialize;

use super::tables::Tables;
use super::PROGRESS_CHUNK;
use crate::data::Dataset;
use crate::network::Network;

/// Parameters of [`forward_sample`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SampleParams {
    /// Samples (rows) to draw; default 1,000. 0 gives an empty dataset.
    pub samples: usize,
    /// Seed of the generator; default 0.
    pub seed: u64,
}

impl Default for SampleParams {
    fn default() -> Self {
        SampleParams {
            samples: 1000,
            seed: 0,
        }
    }
}

impl Params for SampleParams {
    /// Every value is usable (0 samples give an empty dataset).
    fn check(&self) -> Result<()> {
        Ok(())
    }
}

/// `params.samples` independent samples of the joint distribution by forward (ancestral)
/// sampling, as a [`Dataset`] with one column per network variable in the network's variable
/// order, seeded with `params.seed`. `progress` hears of the samples drawn, in chunks.
///
/// Cost: one uniform number and one row lookup per variable per sample; nothing is allocated
/// per sample beyond the output (`2 * samples * n_variables` bytes).
///
/// # Errors
/// [`Error::InvalidParameter`] (name `network`) when a variable has more than
/// [`MAX_DATASET_STATES`](crate::data::MAX_DATASET_STATES) states; (name `samples`) when the
/// output cannot be allocated.
///
/// ```
/// use deepgm_bn::{forward_sample, SampleParams};
/// use deepgm_core::progress::NoProgress;
/// let net = deepgm_bn::embedded::load("asia").unwrap();
/// let params = SampleParams { samples: 1000, seed: 7 };
/// let data = forward_sample(&net, &params, &NoProgress).unwrap();
/// assert_eq!((data.n_rows(), data.n_columns()), (1000, 8));
/// assert_eq!(data, forward_sample(&net, &params, &NoProgress).unwrap());
/// let other = SampleParams { seed: 8, ..params };
/// assert_ne!(data, forward_sample(&net, &other, &NoProgress).unwrap());
/// ```
pub fn forward_sample(
    net: &Network,
    params: &SampleParams,
    progress: &dyn Progress,
) -> Result<Dataset> {
    params.check()?;
    let n = params.samples;
    let mut rng = rng::seeded(params.seed);
    let tables = Tables::new(net)?;
    let nv = net.n_variables();
    let too_many = || {
        Error::invalid(
            "samples",
            format!("{n} samples of {nv} variables do not fit in memory"),
        )
    };
    let total = n.checked_mul(nv).ok_or_else(too_many)?;
    let mut values: Vec<u16> = Vec::new();
    values.try_reserve_exact(total).map_err(|_| too_many())?;
    values.resize(total, 0);
    let order = net.topological_order();
    progress.start(n as u64, "samples");
    if nv > 0 {
        for chunk in values.chunks_mut(nv * PROGRESS_CHUNK) {
            for row in chunk.chunks_exact_mut(nv) {
                for &v in &order {
                    let cfg = tables.config(v, row);
                    row[v] = tables.draw(v, cfg, rng.random::<f64>());
                }
            }
            progress.advance((chunk.len() / nv) as u64);
        }
    }
    Ok(Dataset::from_parts((0..nv).collect(), n, values))
}
