//! Finite-difference checks of a network's hand-derived gradients (float64, central
//! differences), for users who want to see the derivation hold on their own network.

use ndarray::{ArrayD, ArrayView4};

use crate::loss::cross_entropy;
use crate::model::Sequential;

/// How well one gradient tensor agrees with finite differences.
#[derive(Debug, Clone, PartialEq)]
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

/// Checks the gradient of the summed cross-entropy of `(x, labels)` with respect to every
/// parameter and to the input, perturbing at most `max_entries` evenly spaced entries of each
/// tensor by `+-eps`.
///
/// # Panics
/// When `x` does not fit the network or a label is out of range (callers validate).
pub fn gradient_check(
    net: &Sequential<f64>,
    x: ArrayView4<'_, f64>,
    labels: &[u8],
    eps: f64,
    max_entries: usize,
) -> Vec<GradientCheck> {
    let analytic = net.batch_gradients(x, labels).params;
    let mut results = Vec::new();
    for (i, name) in net.param_names().into_iter().enumerate() {
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
    results
}
