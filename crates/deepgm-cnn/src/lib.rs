//! deepgm-cnn: convolutional networks with hand-written backpropagation (problem 1 of
//! docs/derivations.md).
//!
//! Every layer has an explicit forward and backward pass, generic over `f32` (training) and
//! `f64` (derivation checks), the element type being [`Float`]:
//! - [`Conv2d`]: strided, zero-padded convolution through im2col and a tuned GEMM;
//! - [`MaxPool2d`]: max-pooling with any stride, overlapping windows summing their gradients,
//!   ties to the first maximum (PyTorch's rule); [`flatten`] in PyTorch's order;
//! - [`Linear`], [`Activation`] (ReLU, tanh, sigmoid), and [`cross_entropy`] (stable softmax,
//!   `dL/dz = p - onehot(y)`).
//!
//! [`Sequential`] chains them with PyTorch's parameter names; [`Arch`] builds the seed network
//! and LeNet-5; [`Optimizer`] has SGD with momentum and Adam with PyTorch's exact rules;
//! [`Trainer`] runs shuffled, data-parallel minibatch epochs ([`TrainParams`]), with a
//! learning-rate schedule, checkpoints and exact resumption; [`evaluate`] scores a labelled set;
//! [`save_model`] writes safetensors that PyTorch loads; [`GradCase`] evaluates one example of the
//! seed network with every intermediate and gradient; [`gradient_check`] compares a network's
//! gradients with finite differences; [`predict_files`] classifies pictures of digits
//! ([`mnist_like`] turns any picture into an MNIST-like input); [`claims`] checks the
//! derivation's claims.
//!
//! ```
//! use deepgm_cnn::{evaluate, Arch, EvalParams, ImageSet, SeedConfig, TrainParams, Trainer};
//! use deepgm_core::mnist::Mnist;
//! use deepgm_core::progress::NoProgress;
//!
//! let digits = ImageSet::from_mnist(&Mnist::embedded().take(128));
//! let params = TrainParams { epochs: 1, batch_size: 32, seed: 7, ..TrainParams::default() };
//! let mut trainer = Trainer::new(Arch::Seed(SeedConfig::default()), params).unwrap();
//! let report = trainer.fit(&digits, None, None, &NoProgress, &mut |_| {}).unwrap();
//! assert_eq!(report.parameters, 10642);
//! assert!(report.epochs[0].loss.is_finite());
//! let scored = evaluate(trainer.model(), &digits, &EvalParams::default(), &NoProgress).unwrap();
//! assert_eq!(scored.confusion.iter().flatten().sum::<usize>(), 128);
//! ```

mod activation;
mod arch;
mod claims;
mod conv;
mod evaluate;
mod grad_case;
mod gradcheck;
mod images;
mod linear;
mod loss;
mod model_file;
mod optim;
mod pool;
mod predict;
mod preprocess;
mod sequential;
mod train;
mod window;

pub use activation::Activation;
pub use arch::{Arch, ArchKind, SeedConfig};
pub use claims::{claims, tour, NetworkCheck, OutputSide, Tour};
pub use conv::{Conv2d, Conv2dGrads};
pub use deepgm_core::numeric::Float;
pub use evaluate::{evaluate, probabilities, scores, EvalParams, EvalReport};
pub use grad_case::{GradCase, GradReport, GradValues};
pub use gradcheck::{gradient_check, GradCheckParams, GradientCheck};
pub use images::{check_images, normalize_pixel, standardize, ImageSet, MNIST_MEAN, MNIST_STD};
pub use linear::{Linear, LinearGrads};
pub use loss::{cross_entropy, predicted, softmax, CrossEntropy};
pub use model_file::{
    load_model, load_optimizer_state, optimizer_state_path, save_model, save_optimizer_state,
};
pub use optim::{Optimizer, OptimizerKind};
pub use pool::{flatten, MaxPool2d};
pub use predict::{check_mnist_model, predict_files, PictureError, PredictReport, Prediction};
pub use preprocess::{mnist_like, MNIST_SIDE};
pub use sequential::{
    BatchGradients, Gradients, Layer, Saved, Sequential, Trace, PREDICT_BLOCK, TRAIN_BLOCK,
};
pub use train::{EpochReport, Resumed, TrainParams, TrainReport, Trainer, UpdateRule};
