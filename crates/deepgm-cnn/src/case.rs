//! One example through the seed network in float64, every intermediate and gradient exposed:
//! the input and output of `deepgm cnn grad`.

use ndarray::{Array1, Array2, Array4, ArrayD, Ix1, Ix2, Ix3};
use serde::{Deserialize, Serialize};

use crate::arch::{Arch, SeedConfig};
use crate::loss::cross_entropy;
use crate::model::{Layer, Sequential};
use crate::shape::ShapeError;

fn one() -> usize {
    1
}

/// The seed network and one labelled example (JSON input of `deepgm cnn grad`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GradCase {
    /// The `d x d` input image.
    pub x: Vec<Vec<f64>>,
    /// `F` kernels, each `k x k`.
    pub conv_weight: Vec<Vec<Vec<f64>>>,
    /// One bias per map (default zeros: the source has none).
    #[serde(default)]
    pub conv_bias: Option<Vec<f64>>,
    /// Convolution stride `s`.
    pub stride: usize,
    /// Zero padding on each side (default 0).
    #[serde(default)]
    pub padding: usize,
    /// Pooling window `p`.
    pub pool: usize,
    /// Pooling stride (default 1, the source's overlapping pooling).
    #[serde(default = "one")]
    pub pool_stride: usize,
    /// `A`, `classes x (F*S*S)`.
    pub linear_weight: Vec<Vec<f64>>,
    /// `c`, one per class.
    pub linear_bias: Vec<f64>,
    /// The true class `y`.
    pub label: usize,
}

/// Every intermediate value of the case's forward pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradReport {
    /// `Y`, `F x H1 x W1`.
    pub conv_out: Vec<Vec<Vec<f64>>>,
    /// `P`, `F x S x S`.
    pub pool_out: Vec<Vec<Vec<f64>>>,
    /// `z = A f + c`.
    pub logits: Vec<f64>,
    /// `softmax(z)`.
    pub probs: Vec<f64>,
    /// `L = -log p_y` (nats).
    pub loss: f64,
    /// Gradients of `L`, each shaped like the value it differentiates.
    pub grad: GradValues,
}

/// dL/d(every parameter and intermediate) of a [`GradCase`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradValues {
    /// dL/dW, `F x k x k`.
    pub conv_weight: Vec<Vec<Vec<f64>>>,
    /// dL/db, `F`.
    pub conv_bias: Vec<f64>,
    /// dL/dX, `d x d`.
    pub x: Vec<Vec<f64>>,
    /// dL/dA, `classes x (F*S*S)`.
    pub linear_weight: Vec<Vec<f64>>,
    /// dL/dc, `classes`.
    pub linear_bias: Vec<f64>,
    /// dL/dY, `F x H1 x W1`.
    pub conv_out: Vec<Vec<Vec<f64>>>,
    /// dL/dP, `F x S x S`.
    pub pool_out: Vec<Vec<Vec<f64>>>,
}

fn rectangular(
    what: &str,
    rows: &[Vec<f64>],
    want_rows: usize,
    want_cols: usize,
) -> Result<(), ShapeError> {
    if rows.len() != want_rows {
        return Err(ShapeError::new(format!(
            "{what} has {} rows: expected {want_rows}",
            rows.len()
        )));
    }
    for (i, r) in rows.iter().enumerate() {
        if r.len() != want_cols {
            return Err(ShapeError::new(format!(
                "{what} row {i} has {} values: expected {want_cols}",
                r.len()
            )));
        }
    }
    Ok(())
}

fn flat(rows: &[Vec<f64>]) -> Vec<f64> {
    rows.iter().flatten().copied().collect()
}

fn nested3(a: &ArrayD<f64>) -> Vec<Vec<Vec<f64>>> {
    let a = a.view().into_dimensionality::<Ix3>().expect("3-D");
    a.outer_iter()
        .map(|m| m.outer_iter().map(|r| r.to_vec()).collect())
        .collect()
}

fn nested2(a: ndarray::ArrayView2<'_, f64>) -> Vec<Vec<f64>> {
    a.outer_iter().map(|r| r.to_vec()).collect()
}

impl GradCase {
    /// The seed network this case describes, with its parameters.
    ///
    /// # Errors
    /// [`ShapeError`] saying which number is wrong and what it should be: a ragged or empty
    /// `x`, kernels of different sizes, a kernel larger than the padded input, stride 0, a
    /// linear layer whose width is not `F*S*S`, a bias of the wrong length, a label out of range.
    pub fn network(&self) -> Result<Sequential<f64>, ShapeError> {
        let d = self.x.len();
        if d == 0 {
            return Err(ShapeError::new("x is empty: expected a d x d image"));
        }
        rectangular("x", &self.x, d, d)?;
        let maps = self.conv_weight.len();
        if maps == 0 {
            return Err(ShapeError::new(
                "conv_weight has no kernels: expected at least 1",
            ));
        }
        let k = self.conv_weight[0].len();
        if k == 0 {
            return Err(ShapeError::new("conv_weight[0] is empty: expected k x k"));
        }
        for (i, kernel) in self.conv_weight.iter().enumerate() {
            rectangular(&format!("conv_weight[{i}]"), kernel, k, k)?;
        }
        if let Some(b) = &self.conv_bias {
            if b.len() != maps {
                return Err(ShapeError::new(format!(
                    "conv_bias has {} values: expected {maps}, one per kernel",
                    b.len()
                )));
            }
        }
        let classes = self.linear_weight.len();
        if classes == 0 {
            return Err(ShapeError::new(
                "linear_weight has no rows: expected one per class",
            ));
        }
        let config = SeedConfig {
            maps,
            kernel: k,
            stride: self.stride,
            padding: self.padding,
            pool: self.pool,
            pool_stride: self.pool_stride,
            side: d,
            classes,
        };
        let mut net = Arch::Seed(config).build::<f64>()?;
        let features = match &net.layers[3] {
            Layer::Linear(l) => l.in_features(),
            _ => unreachable!("the seed network's layer 3 is linear"),
        };
        let pooled = net.shapes()?[1].clone();
        let side = pooled[1];
        let width = format!("F*S*S = {maps}*{side}*{side} = {features}");
        rectangular("linear_weight", &self.linear_weight, classes, features)
            .map_err(|e| ShapeError::new(format!("{e} ({width})")))?;
        if self.linear_bias.len() != classes {
            return Err(ShapeError::new(format!(
                "linear_bias has {} values: expected {classes}, one per row of linear_weight",
                self.linear_bias.len()
            )));
        }
        if self.label >= classes {
            return Err(ShapeError::new(format!(
                "label {} is out of range: expected 0 to {}",
                self.label,
                classes - 1
            )));
        }
        if let Layer::Conv2d(c) = &mut net.layers[0] {
            c.weight = Array4::from_shape_vec(
                (maps, 1, k, k),
                self.conv_weight.iter().flat_map(|m| flat(m)).collect(),
            )
            .expect("checked");
            c.bias = Some(Array1::from(
                self.conv_bias.clone().unwrap_or_else(|| vec![0.0; maps]),
            ));
        }
        if let Layer::Linear(l) = &mut net.layers[3] {
            l.weight = Array2::from_shape_vec((classes, features), flat(&self.linear_weight))
                .expect("checked");
            l.bias = Array1::from(self.linear_bias.clone());
        }
        Ok(net)
    }

    /// Runs the forward and backward passes.
    ///
    /// # Errors
    /// As [`Self::network`].
    pub fn evaluate(&self) -> Result<GradReport, ShapeError> {
        let net = self.network()?;
        let d = self.x.len();
        let x = Array4::from_shape_vec((1, 1, d, d), flat(&self.x)).expect("checked");
        let trace = net.forward_trace(x.view());
        let logits = trace.logits();
        let label = u8::try_from(self.label).map_err(|_| ShapeError::new("label too large"))?;
        let ce = cross_entropy(logits, &[label]);
        let grads = net.backward(&trace, ce.grad.view(), true);
        let squeeze =
            |a: &ArrayD<f64>| -> ArrayD<f64> { a.index_axis(ndarray::Axis(0), 0).to_owned() };
        let p = |i: usize| grads.params[i].clone();
        let conv_w = p(0).index_axis(ndarray::Axis(1), 0).to_owned();
        let grad = GradValues {
            conv_weight: nested3(&conv_w),
            conv_bias: p(1).into_dimensionality::<Ix1>().expect("1-D").to_vec(),
            x: nested2(
                squeeze(&squeeze(grads.input.as_ref().expect("asked for")))
                    .view()
                    .into_dimensionality::<Ix2>()
                    .expect("2-D"),
            ),
            linear_weight: nested2(p(2).view().into_dimensionality::<Ix2>().expect("2-D")),
            linear_bias: p(3).into_dimensionality::<Ix1>().expect("1-D").to_vec(),
            conv_out: nested3(&squeeze(&grads.outputs[0])),
            pool_out: nested3(&squeeze(&grads.outputs[1])),
        };
        Ok(GradReport {
            conv_out: nested3(&squeeze(&trace.activations[1])),
            pool_out: nested3(&squeeze(&trace.activations[2])),
            logits: logits.row(0).to_vec(),
            probs: ce.probs.row(0).to_vec(),
            loss: ce.loss_sum,
            grad,
        })
    }
}
