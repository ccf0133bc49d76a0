//! Optimizers with PyTorch's exact update rules: SGD with momentum and weight decay
//! (`torch.optim.SGD`, dampening 0) and Adam (`torch.optim.Adam`, L2 weight decay).

use ndarray::{ArrayD, ArrayViewMutD, Zip};

use deepgm_core::numeric::Float;

/// Which update rule, with its settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptimizerKind {
    /// `b <- mu b + (g + wd w)` (b = g + wd w on the first step), `w <- w - lr b`.
    Sgd {
        /// Momentum `mu` (0 for plain SGD).
        momentum: f64,
        /// L2 weight decay `wd`.
        weight_decay: f64,
    },
    /// Adam with bias correction; the gradient includes `wd w`.
    Adam {
        /// First-moment decay (0.9).
        beta1: f64,
        /// Second-moment decay (0.999).
        beta2: f64,
        /// Added to the denominator (1e-8).
        eps: f64,
        /// L2 weight decay `wd`.
        weight_decay: f64,
    },
}

impl OptimizerKind {
    /// Adam with PyTorch's defaults and the given weight decay.
    pub fn adam(weight_decay: f64) -> Self {
        OptimizerKind::Adam {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay,
        }
    }

    /// The name used on the command line and in model metadata (`sgd` or `adam`).
    pub fn name(&self) -> &'static str {
        match self {
            OptimizerKind::Sgd { .. } => "sgd",
            OptimizerKind::Adam { .. } => "adam",
        }
    }
}

/// An optimizer with its per-parameter state (momentum buffers, or Adam's two moments).
#[derive(Debug, Clone)]
pub struct Optimizer<F> {
    /// The update rule.
    pub(crate) kind: OptimizerKind,
    /// Learning rate.
    pub(crate) lr: f64,
    /// Steps taken so far.
    pub(crate) steps: u64,
    /// Momentum buffers (SGD) or first moments (Adam), one per parameter; empty before the
    /// first step.
    pub(crate) first: Vec<ArrayD<F>>,
    /// Second moments (Adam only).
    pub(crate) second: Vec<ArrayD<F>>,
}

impl<F: Float> Optimizer<F> {
    /// A fresh optimizer.
    pub fn new(kind: OptimizerKind, lr: f64) -> Self {
        Optimizer {
            kind,
            lr,
            steps: 0,
            first: Vec::new(),
            second: Vec::new(),
        }
    }

    /// The update rule.
    pub fn kind(&self) -> OptimizerKind {
        self.kind
    }

    /// The learning rate of the next step.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Applies one update to `params` given their gradients (same order and shapes).
    ///
    /// # Panics
    /// When the counts or shapes of `params` and `grads` differ.
    pub fn step(&mut self, params: Vec<ArrayViewMutD<'_, F>>, grads: &[ArrayD<F>]) {
        assert_eq!(params.len(), grads.len(), "one gradient per parameter");
        if self.first.is_empty() {
            self.first = grads.iter().map(|g| ArrayD::zeros(g.raw_dim())).collect();
            if matches!(self.kind, OptimizerKind::Adam { .. }) {
                self.second = grads.iter().map(|g| ArrayD::zeros(g.raw_dim())).collect();
            }
        }
        self.steps += 1;
        match self.kind {
            OptimizerKind::Sgd {
                momentum,
                weight_decay,
            } => {
                let (lr, mu, wd) = (F::of(self.lr), F::of(momentum), F::of(weight_decay));
                let first_step = self.steps == 1;
                for ((mut w, g), b) in params.into_iter().zip(grads).zip(&mut self.first) {
                    Zip::from(&mut w).and(g).and(b).for_each(|w, &g, b| {
                        let d = g + wd * *w;
                        *b = if first_step || mu == F::zero() {
                            d
                        } else {
                            mu * *b + d
                        };
                        *w -= lr * *b;
                    });
                }
            }
            OptimizerKind::Adam {
                beta1,
                beta2,
                eps,
                weight_decay,
            } => {
                let t = self.steps as i32;
                let correction1 = 1.0 - beta1.powi(t);
                let correction2_sqrt = (1.0 - beta2.powi(t)).sqrt();
                let step_size = F::of(self.lr / correction1);
                let (b1, b2, wd) = (F::of(beta1), F::of(beta2), F::of(weight_decay));
                let (c2, eps) = (F::of(correction2_sqrt), F::of(eps));
                for (((mut w, g), m), v) in params
                    .into_iter()
                    .zip(grads)
                    .zip(&mut self.first)
                    .zip(&mut self.second)
                {
                    Zip::from(&mut w)
                        .and(g)
                        .and(m)
                        .and(v)
                        .for_each(|w, &g, m, v| {
                            let d = g + wd * *w;
                            *m = b1 * *m + (F::one() - b1) * d;
                            *v = b2 * *v + (F::one() - b2) * d * d;
                            let denom = v.sqrt() / c2 + eps;
                            *w -= step_size * *m / denom;
                        });
                }
            }
        }
    }
}
