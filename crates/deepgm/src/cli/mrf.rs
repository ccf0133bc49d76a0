//! Grammar of `deepgm mrf ...`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

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
    /// Final temperature of the annealing schedule (default 0.05).
    #[arg(long)]
    pub final_temperature: Option<f64>,
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
