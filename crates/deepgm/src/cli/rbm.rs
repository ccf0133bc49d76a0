//! Grammar of `deepgm rbm ...`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{Binarize, SplitArg};

/// `deepgm rbm ...`
#[derive(Debug, Subcommand)]
pub enum RbmCommand {
    /// Train a Bernoulli RBM on binarized MNIST by CD-k or persistent CD.
    #[command(
        after_help = "A checkpoint is written to --output after every epoch; --resume continues from it \
(momentum buffers and persistent chains restart).\n\n\
Examples:\n  deepgm rbm train --data data/mnist --hidden 500 --cd 1 --epochs 20 -o rbm500.safetensors\n  \
deepgm rbm train --data embedded --hidden 25 --pcd --epochs 5 -o small.safetensors"
    )]
    Train(RbmTrainArgs),
    /// Measure a model: log Z (exact or AIS), average log-probability, reconstruction, pseudo-likelihood.
    #[command(
        after_help = "--json prints method, log_z, log_z_low, log_z_high (log_z_low is null when the AIS band's \
lower end is not positive), avg_log_prob, recon_error and pseudo_log_likelihood, in nats per image.\n\n\
Examples:\n  deepgm rbm score rbm25.safetensors --data data/mnist --exact --json\n  \
deepgm rbm score rbm500.safetensors --data data/mnist --ais-runs 100 --ais-betas 14500"
    )]
    Score(RbmScoreArgs),
    /// Draw samples by block Gibbs sampling and save them as a grid picture.
    #[command(
        after_help = "Example:\n  deepgm rbm sample rbm500.safetensors --chains 100 --steps 1000 -o samples.png"
    )]
    Sample(RbmSampleArgs),
    /// Save each hidden unit's weights as a tile of a grid picture.
    #[command(after_help = "Example:\n  deepgm rbm filters rbm500.safetensors -o filters.png")]
    Filters(RbmFiltersArgs),
}

/// Arguments of `deepgm rbm train`.
#[derive(Debug, Args)]
pub struct RbmTrainArgs {
    /// MNIST directory, or `embedded`. Default: $DEEPGM_DATA, else ./data/mnist.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Hidden units.
    #[arg(long, default_value_t = 500)]
    pub hidden: usize,
    /// Contrastive divergence with K Gibbs steps (the default, K = 1).
    #[arg(long, value_name = "K", conflicts_with = "pcd")]
    pub cd: Option<usize>,
    /// Persistent contrastive divergence with K Gibbs steps per update.
    #[arg(long, value_name = "K", num_args = 0..=1, default_missing_value = "1")]
    pub pcd: Option<usize>,
    /// Epochs in total (with --resume, including those already done).
    #[arg(long, default_value_t = 10)]
    pub epochs: usize,
    /// Examples per minibatch.
    #[arg(long, default_value_t = 100)]
    pub batch: usize,
    /// Learning rate.
    #[arg(long, default_value_t = 0.05)]
    pub lr: f64,
    /// Learning-rate decay: epoch t uses lr / (1 + decay * t).
    #[arg(long, default_value_t = 0.0)]
    pub lr_decay: f64,
    /// Momentum after the first 5 epochs (0.5 before).
    #[arg(long, default_value_t = 0.9)]
    pub momentum: f64,
    /// L2 weight decay on the weights.
    #[arg(long, default_value_t = 0.0002)]
    pub weight_decay: f64,
    /// How intensities become binary pixels.
    #[arg(long, value_enum, default_value_t = Binarize::Sample)]
    pub binarize: Binarize,
    /// Use only the first N training digits.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Random seed (initialization, binarization, minibatch order, sampling).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Continue from the checkpoint at --output.
    #[arg(long)]
    pub resume: bool,
    /// Model file (safetensors with tensors W, b, a).
    #[arg(short, long)]
    pub output: PathBuf,
}

/// Arguments of `deepgm rbm score`.
#[derive(Debug, Args)]
pub struct RbmScoreArgs {
    /// Model file written by `deepgm rbm train`.
    pub model: PathBuf,
    /// MNIST directory, or `embedded`.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Which split to score.
    #[arg(long, value_enum, default_value_t = SplitArg::Test)]
    pub split: SplitArg,
    /// Compute log Z exactly (the default when the smaller layer has at most 25 units).
    #[arg(long, conflicts_with_all = ["ais_runs", "ais_betas"])]
    pub exact: bool,
    /// AIS runs.
    #[arg(long)]
    pub ais_runs: Option<usize>,
    /// AIS inverse temperatures.
    #[arg(long)]
    pub ais_betas: Option<usize>,
    /// Random seed (binarization, AIS, pseudo-likelihood).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// Arguments of `deepgm rbm sample`.
#[derive(Debug, Args)]
pub struct RbmSampleArgs {
    /// Model file.
    pub model: PathBuf,
    /// Independent chains (one tile each).
    #[arg(long, default_value_t = 100)]
    pub chains: usize,
    /// Block Gibbs steps per chain.
    #[arg(long, default_value_t = 1000)]
    pub steps: usize,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output PNG.
    #[arg(short, long)]
    pub output: PathBuf,
}

/// Arguments of `deepgm rbm filters`.
#[derive(Debug, Args)]
pub struct RbmFiltersArgs {
    /// Model file.
    pub model: PathBuf,
    /// Show at most this many hidden units.
    #[arg(long, default_value_t = 100)]
    pub max: usize,
    /// Output PNG.
    #[arg(short, long)]
    pub output: PathBuf,
}
