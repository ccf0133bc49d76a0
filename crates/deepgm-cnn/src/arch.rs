//! The two architectures: the seed network and LeNet-5.

use std::collections::HashMap;

use deepgm_core::params::{check_positive, Params};
use deepgm_core::{Error, Result};
use ndarray::{Array1, Array2, Array4};
use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::conv::Conv2d;
use crate::linear::Linear;
use crate::pool::MaxPool2d;
use crate::sequential::{Layer, Sequential};
use deepgm_core::numeric::Float;

/// The seed network with its settings: `Conv(1 -> maps, k, stride, padding, bias) ->
/// MaxPool(pool, pool_stride) -> Flatten -> Linear(maps*S*S -> classes)`, softmax in the loss.
/// The defaults are the source's network for MNIST.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedConfig {
    /// Feature maps `F`; default 2 (the source's).
    pub maps: usize,
    /// Kernel side `k`; default 5.
    pub kernel: usize,
    /// Convolution stride `s`; default 1.
    pub stride: usize,
    /// Zero padding on each side; default 0.
    pub padding: usize,
    /// Pooling window `p`; default 2.
    pub pool: usize,
    /// Pooling stride; default 1 (overlapping windows, as in the source).
    pub pool_stride: usize,
    /// Input side `d`; default 28 (MNIST).
    pub side: usize,
    /// Number of classes; default 10.
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

impl Params for SeedConfig {
    /// Every count (all fields but `padding`) at least 1; whether the windows fit the input is
    /// checked by [`Arch::build`].
    fn check(&self) -> Result<()> {
        check_positive("maps", self.maps)?;
        check_positive("kernel", self.kernel)?;
        check_positive("stride", self.stride)?;
        check_positive("pool", self.pool)?;
        check_positive("pool_stride", self.pool_stride)?;
        check_positive("side", self.side)?;
        check_positive("classes", self.classes)
    }
}

/// Which architecture, without its settings: how reports and model files name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArchKind {
    /// The seed network (`seed`).
    Seed,
    /// LeNet-5 (`lenet5`).
    Lenet5,
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
    /// Which architecture this is.
    pub fn kind(&self) -> ArchKind {
        match self {
            Arch::Seed(_) => ArchKind::Seed,
            Arch::Lenet5 => ArchKind::Lenet5,
        }
    }

    /// The name stored in model files (`seed` or `lenet5`).
    pub fn name(&self) -> &'static str {
        match self {
            Arch::Seed(_) => "seed",
            Arch::Lenet5 => "lenet5",
        }
    }

    /// The network with zero parameters (call [`Sequential::init_pytorch`] or load values).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming a [`SeedConfig`] field that is 0 (but `padding`);
    /// [`Error::Shape`] when the seed network's settings do not fit together (e.g. a kernel
    /// larger than the input).
    pub fn build<F: Float>(&self) -> Result<Sequential<F>> {
        if let Arch::Seed(config) = self {
            config.check()?;
        }
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
    /// [`Error::InvalidParameter`] (name `metadata`) saying which entry is missing or wrong.
    pub fn from_metadata(meta: &HashMap<String, String>) -> Result<Self> {
        match meta.get("arch").map(String::as_str) {
            Some("lenet5") => Ok(Arch::Lenet5),
            Some("seed") => match meta.get("arch_config") {
                None => Ok(Arch::Seed(SeedConfig::default())),
                Some(text) => serde_json::from_str(text).map(Arch::Seed).map_err(|e| {
                    Error::invalid(
                        "metadata",
                        format!("arch_config is not a seed configuration: {e}"),
                    )
                }),
            },
            Some(other) => Err(Error::param(
                "metadata",
                format!("arch `{other}`"),
                "seed or lenet5",
            )),
            None => Err(Error::invalid(
                "metadata",
                "no `arch` entry: expected seed or lenet5",
            )),
        }
    }
}
