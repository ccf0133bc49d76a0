//! One example through the seed network in float64, every intermediate and gradient exposed:
//! the input and output of `deepgm cnn grad`.

use std::path::Path;

use deepgm_core::{Error, Result};
use ndarray::{Array1, Array2, Array4, ArrayD, Ix1, Ix2, Ix3};
use serde::{Deserialize, Serialize};

use crate::arch::{Arch, SeedConfig};
use crate::loss::cross_entropy;
use crate::sequential::{Layer, Sequential};

fn one() -> usize {
    1
}

/// The seed network and one labelled example (the JSON input of `deepgm cnn grad`; read one
/// with [`GradCase::read`]).
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

/// Every intermediate value of the case's forward pass, and the gradients (the report of
/// `deepgm cnn grad`).
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

/// `Ok` when `rows` is `want_rows x want_cols`; `note` is added to what is expected.
fn rectangular(
    what: &str,
    rows: &[Vec<f64>],
    want_rows: usize,
    want_cols: usize,
    note: &str,
) -> Result<()> {
    if rows.len() != want_rows {
        return Err(Error::Shape {
            what: what.to_string(),
            got: format!("{} rows", rows.len()),
            expected: format!("{want_rows} rows{note}"),
        });
    }
    for (i, r) in rows.iter().enumerate() {
        if r.len() != want_cols {
            return Err(Error::Shape {
                what: format!("{what} row {i}"),
                got: format!("{} values", r.len()),
                expected: format!("{want_cols} values{note}"),
            });
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
    /// Reads a case from the JSON file `path` and checks it ([`Self::network`]).
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; [`Error::Format`] naming the file when it is
    /// not a case (with the line and column of a JSON error) or its numbers do not fit
    /// together (the message of [`Self::network`]'s error).
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let case: GradCase = serde_json::from_slice(&bytes).map_err(|e| {
            let message = format!("not a gradient case: {e}");
            match e.line() {
                0 => Error::format(path, message),
                line => Error::format_at(path, line as u64, Some(e.column() as u64), message),
            }
        })?;
        case.network()
            .map_err(|e| Error::format(path, e.to_string()))?;
        Ok(case)
    }

    /// The seed network this case describes, with its parameters.
    ///
    /// # Errors
    /// [`Error::Shape`] saying which number is wrong and what it should be: a ragged or empty
    /// `x`, kernels of different sizes, a kernel larger than the padded input, a linear layer
    /// whose width is not `F*S*S`, a bias of the wrong length; [`Error::InvalidParameter`] for
    /// a zero stride or pooling window (named as the field) or a label out of range (`label`).
    pub fn network(&self) -> Result<Sequential<f64>> {
        let d = self.x.len();
        if d == 0 {
            return Err(Error::shape("x", [0usize; 0], "a d x d image"));
        }
        rectangular("x", &self.x, d, d, " (a square image)")?;
        let maps = self.conv_weight.len();
        if maps == 0 {
            return Err(Error::Shape {
                what: "conv_weight".into(),
                got: "no kernels".into(),
                expected: "at least 1".into(),
            });
        }
        let k = self.conv_weight[0].len();
        if k == 0 {
            return Err(Error::shape("conv_weight[0]", [0usize; 0], "k x k"));
        }
        for (i, kernel) in self.conv_weight.iter().enumerate() {
            rectangular(&format!("conv_weight[{i}]"), kernel, k, k, "")?;
        }
        if let Some(b) = &self.conv_bias {
            if b.len() != maps {
                return Err(Error::Shape {
                    what: "conv_bias".into(),
                    got: format!("{} values", b.len()),
                    expected: format!("{maps} values, one per kernel"),
                });
            }
        }
        let classes = self.linear_weight.len();
        if classes == 0 {
            return Err(Error::Shape {
                what: "linear_weight".into(),
                got: "no rows".into(),
                expected: "one row per class".into(),
            });
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
        let width = format!(" (F*S*S = {maps}*{side}*{side} = {features})");
        rectangular(
            "linear_weight",
            &self.linear_weight,
            classes,
            features,
            &width,
        )?;
        if self.linear_bias.len() != classes {
            return Err(Error::Shape {
                what: "linear_bias".into(),
                got: format!("{} values", self.linear_bias.len()),
                expected: format!("{classes} values, one per row of linear_weight"),
            });
        }
        if self.label >= classes.min(256) {
            return Err(Error::param(
                "label",
                self.label,
                format!("0 to {}", classes.min(256) - 1),
            ));
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
    pub fn evaluate(&self) -> Result<GradReport> {
        let net = self.network()?;
        let d = self.x.len();
        let x = Array4::from_shape_vec((1, 1, d, d), flat(&self.x)).expect("checked");
        let trace = net.forward_trace(x.view());
        let logits = trace.logits();
        let label = u8::try_from(self.label).expect("checked: below 256");
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
