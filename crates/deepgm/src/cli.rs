//! Command-line grammar (clap derive). Every subcommand's `--help` ends with an example.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    /// Inspect and download datasets (MNIST).
    #[command(subcommand)]
    Data(DataCommand),
    /// Ising-model (Markov random field) image denoising.
    #[command(subcommand)]
    Mrf(MrfCommand),
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

/// `deepgm data ...`
#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Validate the MNIST files in a directory; print the counts and label histogram of each split.
    #[command(
        after_help = "Examples:\n  deepgm data check data/mnist\n  deepgm data check embedded --json"
    )]
    Check {
        /// Directory holding the IDX files (.gz or raw), or `embedded`. Default: $DEEPGM_DATA,
        /// else ./data/mnist.
        dir: Option<PathBuf>,
    },
    /// Download a dataset from public mirrors, verifying each file's SHA-256.
    #[command(after_help = "Example:\n  deepgm data fetch mnist data/mnist")]
    Fetch {
        /// Which dataset.
        dataset: Dataset,
        /// Destination directory. Default: $DEEPGM_DATA, else ./data/mnist.
        dir: Option<PathBuf>,
        /// Seconds to wait for a mirror to connect or send data.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
    },
}

/// Datasets `deepgm data fetch` knows.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Dataset {
    /// The MNIST handwritten digits (four gzipped IDX files, 11 MB).
    Mnist,
}

/// `deepgm mrf ...`
#[derive(Debug, Subcommand)]
pub enum MrfCommand {
    /// Flip each pixel of a black-and-white image with probability q.
    #[command(
        after_help = "Example:\n  deepgm mrf noise clean.png -o noisy.png --flip 0.1 --seed 0"
    )]
    Noise(NoiseArgs),
    /// Denoise a black-and-white image under the Ising model.
    #[command(
        after_help = "The energy is E(x,y) = h*sum x_i - beta*sum_{i~j} x_i x_j - eta*sum x_i y_i over\n\
x, y in {-1,+1} (gray >= threshold is +1, white). graphcut finds the exact minimum (beta >= 0).\n\n\
Examples:\n  deepgm mrf denoise noisy.png -o clean.png\n  \
deepgm mrf denoise noisy.png -o icm.png --method icm --clean original.png --json\n  \
deepgm mrf denoise noisy.png -o mf.png --method meanfield --marginals mf-probs.png"
    )]
    Denoise(DenoiseArgs),
}

/// Arguments of `deepgm mrf noise`.
#[derive(Debug, Args)]
pub struct NoiseArgs {
    /// Input image (PNG or JPEG); thresholded to black and white.
    pub input: PathBuf,
    /// Output PNG.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Probability of flipping each pixel, in [0, 1].
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    pub flip: f64,
    /// Random seed (same seed, same noise).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Gray level at or above which a pixel is white (+1).
    #[arg(long, default_value_t = 128)]
    pub threshold: u8,
}

/// Denoising algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// Iterated conditional modes, raster order, until a sweep changes nothing.
    Icm,
    /// ICM updating one checkerboard colour at a time.
    IcmCheckerboard,
    /// Gibbs sampling at --temperature; output is the per-pixel majority after burn-in.
    Gibbs,
    /// Simulated annealing, geometric schedule from --temperature to --final-temperature.
    Anneal,
    /// Damped mean-field updates to a tolerance; output is the rounded mean.
    Meanfield,
    /// Exact minimum energy by s-t minimum cut (needs beta >= 0).
    Graphcut,
}

/// Arguments of `deepgm mrf denoise`.
#[derive(Debug, Args)]
pub struct DenoiseArgs {
    /// Noisy input image (PNG or JPEG); thresholded to black and white.
    pub input: PathBuf,
    /// Output PNG (white = +1).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Algorithm.
    #[arg(long, value_enum, default_value_t = Method::Graphcut)]
    pub method: Method,
    /// Coupling between neighbours (beta).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub beta: f64,
    /// Coupling to the observed pixel (eta).
    #[arg(long, default_value_t = 2.1, allow_negative_numbers = true)]
    pub eta: f64,
    /// Bias (h); positive favours black (-1).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub h: f64,
    /// Use the 8-neighbourhood (diagonals too) instead of the 4-neighbourhood.
    #[arg(long)]
    pub eight: bool,
    /// Sweeps: the cap for ICM and mean field, the count for Gibbs and annealing.
    #[arg(long)]
    pub sweeps: Option<usize>,
    /// Temperature T for Gibbs sampling and mean field; starting temperature for annealing.
    #[arg(long, allow_negative_numbers = true)]
    pub temperature: Option<f64>,
    /// Final temperature of the annealing schedule.
    #[arg(long, default_value_t = 0.05)]
    pub final_temperature: f64,
    /// Random seed (Gibbs sampling and annealing).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The clean image, to report the error rate.
    #[arg(long)]
    pub clean: Option<PathBuf>,
    /// Mean field: also write the marginals P(x_i = +1) as a grayscale PNG.
    #[arg(long)]
    pub marginals: Option<PathBuf>,
    /// Gray level at or above which a pixel is white (+1).
    #[arg(long, default_value_t = 128)]
    pub threshold: u8,
}
