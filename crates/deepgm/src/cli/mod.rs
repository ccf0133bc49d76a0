//! Command-line grammar (clap derive). Every subcommand's `--help` ends with an example.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod bn;
mod cnn;
mod data;
mod mrf;
mod rbm;

pub use bn::*;
pub use cnn::*;
pub use data::*;
pub use mrf::*;
pub use rbm::*;

/// deepgm: four classic models, real, fast and verified: a convolutional network with
/// hand-derived backpropagation, Bayesian networks, restricted Boltzmann machines and Ising-model
/// image denoising.
#[derive(Debug, Parser)]
#[command(name = "deepgm", version, propagate_version = true)]
#[command(
    after_help = "Start with `deepgm tour`: it checks every claim and writes a report.\n\
Exit codes: 0 success, 1 failure, 2 bad input or usage."
)]
pub struct Cli {
    /// Print exactly one JSON object on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// No progress bars and no notes on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every part on the built-in data, check each claim of the source derivations, write a report.
    #[command(
        after_help = "Example:\n  deepgm tour -o tour-report && xdg-open tour-report/index.html"
    )]
    Tour(TourArgs),
    /// Inspect, list and download datasets (MNIST; the built-in digits, picture and networks).
    #[command(
        subcommand,
        after_help = "Examples:\n  deepgm data list\n  deepgm data check embedded\n  deepgm data fetch mnist data/mnist"
    )]
    Data(DataCommand),
    /// Ising-model (Markov random field) image denoising.
    #[command(
        subcommand,
        after_help = "Example:\n  deepgm mrf noise builtin:horse -o noisy.png --flip 0.1 --seed 0\n  deepgm mrf denoise noisy.png -o clean.png --clean builtin:horse"
    )]
    Mrf(MrfCommand),
    /// Restricted Boltzmann machines: train on MNIST, score by log-likelihood, sample, show filters.
    #[command(
        subcommand,
        after_help = "Example:\n  deepgm rbm train --data embedded --hidden 25 --epochs 5 -o rbm25.safetensors\n  deepgm rbm score rbm25.safetensors --data embedded"
    )]
    Rbm(RbmCommand),
    /// Convolutional networks with hand-derived backprop: inspect gradients, train on MNIST, predict.
    #[command(
        subcommand,
        after_help = "Example:\n  deepgm cnn train --data embedded --arch seed --epochs 3 -o seed.safetensors\n  deepgm cnn eval seed.safetensors --data embedded"
    )]
    Cnn(CnnCommand),
    /// Bayesian networks: read BIF/XMLBIF, exact and approximate inference, MPE, sampling, learning.
    #[command(
        subcommand,
        after_help = "Example:\n  deepgm bn query builtin:asia --evidence \"smoke=yes,dysp=yes\" --target lung,bronc"
    )]
    Bn(BnCommand),
}

/// Arguments of `deepgm tour`.
#[derive(Debug, Args)]
pub struct TourArgs {
    /// Directory for the report (index.html, report.md and pictures); created if needed.
    #[arg(short, long, default_value = "tour-report")]
    pub output: PathBuf,
    /// Seed for every random choice in the tour.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// How MNIST intensities become binary pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Binarize {
    /// Each pixel is 1 with probability intensity/255 (Salakhutdinov and Murray 2008), seeded.
    Sample,
    /// As `sample`, drawn afresh every epoch ("dynamic binarization"; training only, scoring
    /// samples once).
    Resample,
    /// A pixel is 1 when its intensity is at least 128.
    Threshold,
}

/// Which MNIST split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SplitArg {
    /// The 60,000 training digits.
    Train,
    /// The 10,000 test digits.
    Test,
}
