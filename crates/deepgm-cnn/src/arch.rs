//! The two architectures: the seed network and LeNet-5.

use std::collections::HashMap;

use ndarray::{Array1, Array2, Array4};
use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::conv::Conv2d;
use crate::float::Float;
use crate::linear::Linear;
use crate::model::{Layer, Sequential};
use crate::pool::MaxPool2d;
use crate::shape::ShapeError;

/// The seed network with its settings: `Conv(1 -> maps, k, stride, padding, bias) ->
/// MaxPool(pool, pool_stride) -> Flatten -> Linear(maps*S*S -> classes)`, softmax in the loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedConfig {
    /// Feature maps `F` (2 in the source).
    pub maps: usize,
    /// Kernel side `k` (5).
    pub kernel: usize,
    /// Convolution stride `s` (1).
    pub stride: usize,
    /// Zero padding on each side (0).
    pub padding: usize,
    /// Pooling window `p` (2).
    pub pool: usize,
    /// Pooling stride (1: overlapping windows, as in the source).
    pub pool_stride: usize,
    /// Input side `d` (28 for MNIST).
    pub side: usize,
    /// Number of classes (10).
    pub classes: usize,
}

impl Default for SeedConfig {
    fn default() -> Self {
        SeedConfig {
            maps: 2,
            kernel: 5,
            stride: 1,
            padding: 0,
            pool: 2,
            pool_stride: 1,
            side: 28,
            classes: 10,
        }
    }
}

/// A network architecture deepgm can build, save and load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    /// The seed network (one convolution, overlapping max-pool, linear, softmax).
    Seed(SeedConfig),
    /// LeNet-5 with ReLU and max-pooling, for 1 x 28 x 28 inputs and 10 classes.
    Lenet5,
}

impl Arch {
    /// The name stored in model files and taken by `--arch` (`seed` or `lenet5`).
    pub fn name(&self) -> &'static str {
        match self {
            Arch::Seed(_) => "seed",
            Arch::Lenet5 => "lenet5",
        }
    }

    /// The network with zero parameters (call [`Sequential::init_pytorch`] or load values).
    ///
    /// # Errors
    /// [`ShapeError`] when the seed network's settings do not fit together (e.g. a kernel larger than
    /// the input).
    pub fn build<F: Float>(&self) -> Result<Sequential<F>, ShapeError> {
        let conv = |cin, cout, k, stride, padding| {
            Layer::Conv2d(Conv2d {
                weight: Array4::zeros((cout, cin, k, k)),
                bias: Some(Array1::zeros(cout)),
                stride,
                padding,
            })
        };
        let linear = |fin, fout| {
            Layer::Linear(Linear {
                weight: Array2::zeros((fout, fin)),
                bias: Array1::zeros(fout),
            })
        };
        let relu = || Layer::Activation(Activation::Relu);
        match *self {
            Arch::Seed(c) => {
                let pool = MaxPool2d {
                    window: c.pool,
                    stride: c.pool_stride,
                };
                let head = vec![
                    conv(1, c.maps, c.kernel, c.stride, c.padding),
                    Layer::MaxPool2d(pool),
                    Layer::Flatten,
                ];
                let partial = Sequential {
                    layers: head.clone(),
                    input_shape: [1, c.side, c.side],
                };
                let features = partial.output_shape()?[0];
                let mut layers = head;
                layers.push(linear(features, c.classes));
                Sequential::new(layers, [1, c.side, c.side])
            }
            Arch::Lenet5 => {
                let pool = || {
                    Layer::MaxPool2d(MaxPool2d {
                        window: 2,
                        stride: 2,
                    })
                };
                Sequential::new(
                    vec![
                        conv(1, 6, 5, 1, 2),
                        relu(),
                        pool(),
                        conv(6, 16, 5, 1, 0),
                        relu(),
                        pool(),
                        Layer::Flatten,
                        linear(400, 120),
                        relu(),
                        linear(120, 84),
                        relu(),
                        linear(84, 10),
                    ],
                    [1, 28, 28],
                )
            }
        }
    }

    /// The metadata entries that describe the architecture in a model file.
    pub fn to_metadata(&self) -> HashMap<String, String> {
        let mut meta = HashMap::new();
        meta.insert("arch".to_string(), self.name().to_string());
        if let Arch::Seed(c) = self {
            meta.insert(
                "arch_config".to_string(),
                serde_json::to_string(c).expect("plain struct"),
            );
        }
        meta
    }

    /// Reads the architecture back from a model file's metadata.
    ///
    /// # Errors
    /// A message saying which entry is missing or wrong.
    pub fn from_metadata(meta: &HashMap<String, String>) -> Result<Self, String> {
        match meta.get("arch").map(String::as_str) {
            Some("lenet5") => Ok(Arch::Lenet5),
            Some("seed") => match meta.get("arch_config") {
                None => Ok(Arch::Seed(SeedConfig::default())),
                Some(text) => serde_json::from_str(text)
                    .map(Arch::Seed)
                    .map_err(|e| format!("metadata arch_config is not a seed configuration: {e}")),
            },
            Some(other) => Err(format!(
                "metadata arch is `{other}`: expected seed or lenet5"
            )),
            None => Err("no `arch` entry in the metadata: expected seed or lenet5".to_string()),
        }
    }
}
