//! Softmax and cross-entropy, completing the source's "softmax layer": `p = softmax(z)`,
//! `L = -log p_y`, `dL/dz = p - onehot(y)`.

use ndarray::{Array2, ArrayView1, ArrayView2};

use deepgm_core::numeric::Float;

/// Row-wise softmax of `(N, C)` logits, stable (the row maximum is subtracted first).
pub fn softmax<F: Float>(logits: ArrayView2<'_, F>) -> Array2<F> {
    let mut p = logits.to_owned();
    for mut row in p.rows_mut() {
        let max = row.iter().copied().fold(F::neg_infinity(), F::max);
        row.mapv_inplace(|z| (z - max).exp());
        let sum: F = row.iter().copied().sum();
        row.mapv_inplace(|e| e / sum);
    }
    p
}

/// Cross-entropy of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossEntropy<F> {
    /// `sum_i -log p_i[y_i]`, computed as `logsumexp(z_i) - z_i[y_i]` (no `log 0`).
    pub loss_sum: F,
    /// Softmax probabilities, `(N, C)`.
    pub probs: Array2<F>,
    /// d(loss_sum)/dz = `p - onehot(y)`, `(N, C)`; divide by N for the mean loss.
    pub grad: Array2<F>,
    /// How many rows have their largest logit at the label.
    pub correct: usize,
}

/// Softmax cross-entropy of `(N, C)` logits against `labels` (each below C).
///
/// # Panics
/// When a label is out of range or the counts differ (callers validate labels).
pub fn cross_entropy<F: Float>(logits: ArrayView2<'_, F>, labels: &[u8]) -> CrossEntropy<F> {
    assert_eq!(logits.nrows(), labels.len(), "one label per row");
    let probs = softmax(logits);
    let mut grad = probs.clone();
    let mut loss_sum = F::zero();
    let mut correct = 0;
    for ((z, mut g), &y) in logits.rows().into_iter().zip(grad.rows_mut()).zip(labels) {
        let y = usize::from(y);
        let max = z.iter().copied().fold(F::neg_infinity(), F::max);
        let lse = max + z.iter().map(|&v| (v - max).exp()).sum::<F>().ln();
        loss_sum += lse - z[y];
        g[y] -= F::one();
        if predicted(z) == y {
            correct += 1;
        }
    }
    CrossEntropy {
        loss_sum,
        probs,
        grad,
        correct,
    }
}

/// Index of the largest value (the first one on ties).
pub fn predicted<F: Float>(scores: ArrayView1<'_, F>) -> usize {
    let mut best = 0;
    for (i, &v) in scores.iter().enumerate() {
        if v > scores[best] {
            best = i;
        }
    }
    best
}
