//! Grammar of `deepgm cnn ...`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::SplitArg;

/// `deepgm cnn ...`
#[derive(Debug, Subcommand)]
pub enum CnnCommand {
    /// Evaluate the seed network (docs/derivations.md, problem 1) on one example (JSON) and print
    /// every intermediate and gradient.
    #[command(
        after_help = "CASE.json holds x (d x d), conv_weight ([F][k][k]), conv_bias ([F], optional), stride, \
padding (optional, 0), pool, pool_stride (optional, 1), linear_weight ([classes][F*S*S]), linear_bias and \
label. The output (float64) has conv_out, pool_out, logits, probs, loss and grad (dL/d of conv_weight, \
conv_bias, x, linear_weight, linear_bias, conv_out, pool_out), each shaped like its value.\n\n\
Example:\n  deepgm cnn grad case.json --json > grads.json"
    )]
    Grad(CnnGradArgs),
    /// Train the seed network or LeNet-5 on MNIST by minibatch SGD or Adam.
    #[command(
        after_help = "Inputs are pixel/255 standardized by MNIST's mean 0.1307 and deviation 0.3081. \
A checkpoint is written to --output after every epoch (the optimizer's buffers beside it, in \
<output>.optimizer); --resume continues exactly where it stopped. The file loads into the same \
torch.nn.Sequential (names 0.weight, 0.bias, ...; metadata `arch`).\n\n\
Examples:\n  deepgm cnn train --data data/mnist --arch lenet5 --epochs 10 -o lenet5.safetensors\n  \
deepgm cnn train --data embedded --arch seed --epochs 3 --optimizer adam --lr 0.001 -o seed.safetensors"
    )]
    Train(CnnTrainArgs),
    /// Test accuracy, mean loss and confusion matrix of a trained model.
    #[command(
        after_help = "Example:\n  deepgm cnn eval lenet5.safetensors --data data/mnist --json"
    )]
    Eval(CnnEvalArgs),
    /// Classify pictures of digits (any size; dark-on-light pictures are inverted, as MNIST is light-on-dark).
    #[command(
        after_help = "Example:\n  deepgm cnn predict lenet5.safetensors my-seven.png other.jpg"
    )]
    Predict(CnnPredictArgs),
    /// Save the first layer's kernels, and optionally the feature maps of one digit, as a picture.
    #[command(
        after_help = "Example:\n  deepgm cnn filters seed.safetensors -o kernels.png --digit 0 --data embedded"
    )]
    Filters(CnnFiltersArgs),
}

/// Which architecture `deepgm cnn train` builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ArchArg {
    /// The seed network (problem 1 of docs/derivations.md): Conv(1->2, 5x5) - MaxPool(2, stride 1)
    /// - Flatten - Linear(1058->10).
    Seed,
    /// LeNet-5: two 5x5 convolutions with ReLU and 2x2 pooling, then 120-84-10 with ReLU.
    Lenet5,
}

/// Which optimizer `deepgm cnn train` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OptimizerArg {
    /// SGD with momentum (PyTorch's rule).
    Sgd,
    /// Adam (betas 0.9, 0.999; eps 1e-8).
    Adam,
}

/// Arguments of `deepgm cnn grad`.
#[derive(Debug, Args)]
pub struct CnnGradArgs {
    /// JSON file describing the network and the example.
    pub case: PathBuf,
}

/// Arguments of `deepgm cnn train`.
#[derive(Debug, Args)]
pub struct CnnTrainArgs {
    /// MNIST directory, or `embedded`. Default: $DEEPGM_DATA, else ./data/mnist.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Architecture.
    #[arg(long, value_enum, default_value_t = ArchArg::Lenet5)]
    pub arch: ArchArg,
    /// Seed network: feature maps.
    #[arg(long, default_value_t = 2)]
    pub maps: usize,
    /// Seed network: kernel side.
    #[arg(long, default_value_t = 5)]
    pub kernel: usize,
    /// Seed network: convolution stride.
    #[arg(long, default_value_t = 1)]
    pub stride: usize,
    /// Seed network: zero padding on each side.
    #[arg(long, default_value_t = 0)]
    pub padding: usize,
    /// Seed network: pooling window.
    #[arg(long, default_value_t = 2)]
    pub pool: usize,
    /// Seed network: pooling stride.
    #[arg(long, default_value_t = 1)]
    pub pool_stride: usize,
    /// Epochs in total (with --resume, including those already done).
    #[arg(long, default_value_t = 5)]
    pub epochs: usize,
    /// Examples per minibatch.
    #[arg(long, default_value_t = 64)]
    pub batch: usize,
    /// Learning rate.
    #[arg(long, default_value_t = 0.01)]
    pub lr: f64,
    /// Multiply the learning rate by this factor, in (0, 1], after every epoch (epoch e, from 0,
    /// uses lr * factor^e; PyTorch's StepLR with step 1). 1 keeps it constant.
    #[arg(long, alias = "lr-decay", default_value_t = 1.0)]
    pub lr_factor: f64,
    /// SGD momentum.
    #[arg(long, default_value_t = 0.9)]
    pub momentum: f64,
    /// L2 weight decay.
    #[arg(long, default_value_t = 0.0)]
    pub weight_decay: f64,
    /// Update rule.
    #[arg(long, value_enum, default_value_t = OptimizerArg::Sgd)]
    pub optimizer: OptimizerArg,
    /// Use only the first N training digits.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Skip scoring the test split after each epoch.
    #[arg(long)]
    pub no_test: bool,
    /// Random seed (initialization and minibatch order).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Continue from the checkpoint at --output.
    #[arg(long)]
    pub resume: bool,
    /// Model file (safetensors).
    #[arg(short, long)]
    pub output: PathBuf,
}

/// Arguments of `deepgm cnn eval`.
#[derive(Debug, Args)]
pub struct CnnEvalArgs {
    /// Model file written by `deepgm cnn train`.
    pub model: PathBuf,
    /// MNIST directory, or `embedded`.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Which split to score.
    #[arg(long, value_enum, default_value_t = SplitArg::Test)]
    pub split: SplitArg,
    /// Images per forward pass.
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// Also write each image's prediction to this CSV file (index,label,predicted).
    #[arg(long, value_name = "CSV")]
    pub predictions: Option<PathBuf>,
}

/// Arguments of `deepgm cnn predict`.
#[derive(Debug, Args)]
pub struct CnnPredictArgs {
    /// Model file.
    pub model: PathBuf,
    /// Pictures (PNG or JPEG).
    #[arg(required = true)]
    pub images: Vec<PathBuf>,
}

/// Arguments of `deepgm cnn filters`.
#[derive(Debug, Args)]
pub struct CnnFiltersArgs {
    /// Model file.
    pub model: PathBuf,
    /// Also show the feature maps of this test digit (its index).
    #[arg(long)]
    pub digit: Option<usize>,
    /// MNIST directory for --digit, or `embedded`.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Output PNG.
    #[arg(short, long)]
    pub output: PathBuf,
}
