//! Convolutional networks with hand-written backpropagation (problem 1 of docs/derivations.md).
//!
//! Every layer has an explicit forward and backward pass, generic over `f32` (training) and
//! `f64` (derivation checks):
//! - [`conv::Conv2d`]: strided, zero-padded convolution through im2col and a tuned GEMM;
//! - [`pool::MaxPool2d`]: max-pooling with any stride, overlapping windows summing their
//!   gradients, ties to the first maximum (PyTorch's rule); [`pool::flatten`] in PyTorch's order;
//! - [`linear::Linear`], [`activation::Activation`] (ReLU, tanh, sigmoid), and
//!   [`loss::cross_entropy`] (stable softmax, `dL/dz = p - onehot(y)`).
//!
//! [`model::Sequential`] chains them with PyTorch's parameter names; [`arch::Arch`] builds the
//! seed network and LeNet-5; [`optim`] has SGD with momentum and Adam with PyTorch's exact
//! rules; [`train`] runs shuffled, data-parallel minibatch epochs and evaluation; [`io`] saves
//! safetensors that PyTorch loads; [`case`] evaluates one example of the seed network with every
//! intermediate and gradient; [`preprocess`] turns any digit picture into an MNIST-like input.
#![warn(missing_docs)]

pub mod activation;
pub mod arch;
pub mod case;
pub mod check;
pub mod conv;
pub mod float;
pub mod io;
pub mod linear;
pub mod loss;
pub mod model;
pub mod optim;
pub mod pool;
pub mod preprocess;
pub mod shape;
pub mod train;

pub use activation::Activation;
pub use arch::{Arch, SeedConfig};
pub use case::{GradCase, GradReport};
pub use conv::Conv2d;
pub use float::Float;
pub use linear::Linear;
pub use model::{Layer, Sequential};
pub use optim::{Optimizer, OptimizerKind};
pub use pool::MaxPool2d;
pub use shape::ShapeError;
pub use train::{evaluate, train_epoch, EpochStats, Evaluation, ImageSet};
