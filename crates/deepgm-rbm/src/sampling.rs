//! Block Gibbs sampling `v -> h -> v` of a trained model.

use deepgm_core::numeric::sigmoid;
use deepgm_core::params::{check_positive, Params};
use deepgm_core::progress::Progress;
use deepgm_core::rng::{seeded, DeepRng};
use deepgm_core::Result;
use ndarray::{Array2, ArrayView2};
use serde::Serialize;

use crate::model::{sample_bernoulli, BernoulliRbm};

/// Parameters of [`gibbs_samples`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GibbsParams {
    /// Independent chains (one sample each); default 100.
    pub chains: usize,
    /// Block Gibbs steps per chain (0 returns the starting probabilities); default 1,000.
    pub steps: usize,
    /// Seed of the generator; default 0.
    pub seed: u64,
}

impl Default for GibbsParams {
    fn default() -> Self {
        GibbsParams {
            chains: 100,
            steps: 1000,
            seed: 0,
        }
    }
}

impl Params for GibbsParams {
    fn check(&self) -> Result<()> {
        check_positive("chains", self.chains)
    }
}

/// Runs `params.chains` independent block-Gibbs chains for `params.steps` steps from visible
/// states drawn from the visible biases alone, and returns the last step's `p(v | h)`
/// (chains x D): the mean image of each chain's final state, which is what sample pictures
/// show. `progress` counts steps (labelled `gibbs`).
///
/// # Errors
/// [`deepgm_core::Error::InvalidParameter`] naming `chains` when it is 0.
pub fn gibbs_samples(
    model: &BernoulliRbm<f32>,
    params: &GibbsParams,
    progress: &dyn Progress,
) -> Result<Array2<f32>> {
    params.check()?;
    let start = Array2::from_shape_fn((params.chains, model.visible()), |(_, i)| {
        sigmoid(model.b[i])
    });
    let mut rng = seeded(params.seed);
    let v = sample_bernoulli(&start, &mut rng);
    if params.steps == 0 {
        return Ok(start);
    }
    let mut chains = GibbsChains {
        model: model.clone(),
        v,
        rng,
    };
    Ok(chains.advance(params.steps, progress))
}

/// Block-Gibbs chains that can be advanced a few steps at a time (to show a chain's state after
/// 1, 10, 100, ... steps): the model, the chains' binary visible states and their generator.
#[derive(Debug, Clone)]
pub struct GibbsChains {
    model: BernoulliRbm<f32>,
    v: Array2<f32>,
    rng: DeepRng,
}

impl GibbsChains {
    /// Chains of `model` started at the binary visible states `start` (one chain per row,
    /// N x D), drawing from the generator of `seed`.
    ///
    /// # Errors
    /// [`deepgm_core::Error::InvalidParameter`] naming `data` when `start` does not have D
    /// columns.
    pub fn new(model: &BernoulliRbm<f32>, start: Array2<f32>, seed: u64) -> Result<Self> {
        model.check_visible(start.view())?;
        Ok(GibbsChains {
            model: model.clone(),
            v: start,
            rng: seeded(seed),
        })
    }

    /// Advances every chain by `steps` steps (v -> h -> v each) and returns the last step's
    /// `p(v | h)` (N x D); with `steps` 0, the current states. `progress` counts steps
    /// (labelled `gibbs`).
    pub fn advance(&mut self, steps: usize, progress: &dyn Progress) -> Array2<f32> {
        progress.start(steps as u64, "gibbs");
        let mut probs = self.v.clone();
        for _ in 0..steps {
            let h = sample_bernoulli(&self.model.hidden_probs(self.v.view()), &mut self.rng);
            probs = self.model.visible_probs(h.view());
            self.v = sample_bernoulli(&probs, &mut self.rng);
            progress.advance(1);
        }
        probs
    }

    /// The chains' current binary visible states (N x D).
    pub fn states(&self) -> ArrayView2<'_, f32> {
        self.v.view()
    }
}
