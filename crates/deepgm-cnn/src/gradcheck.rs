//! Finite-difference checks of a network's hand-derived gradients (float64, central
//! differences), for users who want to see the derivation hold on their own network.

use deepgm_core::params::{check_positive, check_positive_real, Params};
use deepgm_core::progress::Progress;
use deepgm_core::{Error, Result};
use ndarray::{ArrayD, ArrayView4};
use serde::Serialize;

use crate::loss::cross_entropy;
use crate::sequential::Sequential;

/// Parameters of [`gradient_check`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradCheckParams {
    /// Half-width of the central differences; default 1e-5.
    pub eps: f64,
    /// The most entries of each tensor perturbed (evenly spaced); default 60.
    pub max_entries: usize,
}

impl Default for GradCheckParams {
    fn default() -> Self {
        GradCheckParams {
            eps: 1e-5,
            max_entries: 60,
        }
    }
}

impl Params for GradCheckParams {
    fn check(&self) -> Result<()> {
        check_positive_real("eps", self.eps)?;
        check_positive("max_entries", self.max_entries)
    }
}

/// How well one gradient tensor agrees with finite differences.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradientCheck {
    /// The parameter's PyTorch name (`"0.weight"`), or `"input"`.
    pub name: String,
    /// `|a - n| / max(|a| + |n|, 1e-12)` over the checked entries (Euclidean norms), with `a`
    /// the backward pass's gradient and `n` the central difference.
    pub relative_error: f64,
    /// How many entries were perturbed.
    pub entries: usize,
}

fn summed_loss(net: &Sequential<f64>, x: ArrayView4<'_, f64>, labels: &[u8]) -> f64 {
    net.batch_gradients(x, labels).loss_sum
}

fn compare(name: String, pairs: &[(f64, f64)]) -> GradientCheck {
    let diff: f64 = pairs
        .iter()
        .map(|(a, n)| (a - n) * (a - n))
        .sum::<f64>()
        .sqrt();
    let na: f64 = pairs.iter().map(|(a, _)| a * a).sum::<f64>().sqrt();
    let nn: f64 = pairs.iter().map(|(_, n)| n * n).sum::<f64>().sqrt();
    GradientCheck {
        name,
        relative_error: diff / (na + nn).max(1e-12),
        entries: pairs.len(),
    }
}

/// Checks the gradient of the summed cross-entropy of `(x, labels)` (`x` is `(N, C, H, W)`,
/// one label per image) with respect to every parameter and to the input, perturbing at most
/// `params.max_entries` evenly spaced entries of each tensor by `+-params.eps`. One result per
/// parameter tensor in [`Sequential::param_names`] order, then `input`; progress counts tensors.
///
/// # Errors
/// [`Error::InvalidParameter`] for bad params or a label out of range; [`Error::Shape`] when
/// `x` does not fit the network or the label count differs from the image count.
pub fn gradient_check(
    net: &Sequential<f64>,
    x: ArrayView4<'_, f64>,
    labels: &[u8],
    params: &GradCheckParams,
    progress: &dyn Progress,
) -> Result<Vec<GradientCheck>> {
    params.check()?;
    let (n, c, h, w) = x.dim();
    if [c, h, w] != net.input_shape || n == 0 {
        return Err(Error::shape(
            "x",
            x.shape(),
            format!("N x {:?} with N at least 1", net.input_shape),
        ));
    }
    if labels.len() != n {
        return Err(Error::shape(
            "labels",
            labels.len(),
            format!("{n}, one per image"),
        ));
    }
    let classes = net.classes();
    if let Some(&y) = labels.iter().find(|&&y| usize::from(y) >= classes) {
        return Err(Error::param("labels", y, format!("0 to {}", classes - 1)));
    }
    let (eps, max_entries) = (params.eps, params.max_entries);
    let names = net.param_names();
    progress.start(names.len() as u64 + 1, "gradient check");
    let analytic = net.batch_gradients(x, labels).params;
    let mut results = Vec::new();
    for (i, name) in names.into_iter().enumerate() {
        let value: ArrayD<f64> = net.params()[i].to_owned();
        let step = value.len().div_ceil(max_entries.max(1)).max(1);
        let mut probe = net.clone();
        let mut pairs = Vec::new();
        for j in (0..value.len()).step_by(step) {
            let mut shifted = value.clone();
            let orig = value.as_slice().expect("standard layout")[j];
            shifted.as_slice_mut().expect("standard layout")[j] = orig + eps;
            probe.params_mut()[i].assign(&shifted);
            let up = summed_loss(&probe, x, labels);
            shifted.as_slice_mut().expect("standard layout")[j] = orig - eps;
            probe.params_mut()[i].assign(&shifted);
            let down = summed_loss(&probe, x, labels);
            let a = analytic[i].as_slice().expect("standard layout")[j];
            pairs.push((a, (up - down) / (2.0 * eps)));
        }
        results.push(compare(name, &pairs));
        progress.advance(1);
    }
    let trace = net.forward_trace(x);
    let ce = cross_entropy(trace.logits(), labels);
    let input_grad = net
        .backward(&trace, ce.grad.view(), true)
        .input
        .expect("asked for");
    let xs = x.as_standard_layout().into_owned();
    let step = xs.len().div_ceil(max_entries.max(1)).max(1);
    let mut pairs = Vec::new();
    for j in (0..xs.len()).step_by(step) {
        let mut shifted = xs.clone();
        shifted.as_slice_mut().expect("standard layout")[j] += eps;
        let up = summed_loss(net, shifted.view(), labels);
        shifted.as_slice_mut().expect("standard layout")[j] -= 2.0 * eps;
        let down = summed_loss(net, shifted.view(), labels);
        let a = input_grad.as_slice().expect("standard layout")[j];
        pairs.push((a, (up - down) / (2.0 * eps)));
    }
    results.push(compare("input".to_string(), &pairs));
    progress.advance(1);
    Ok(results)
}
