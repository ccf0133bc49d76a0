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
        #[arg(conflicts_with = "data")]
        dir: Option<PathBuf>,
        /// The same as DIR, spelled as the other commands spell it.
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// List the data built into deepgm: digits, a picture and networks, each usable by name.
    #[command(
        after_help = "Each is named builtin:NAME wherever a file of its kind is taken.\n\n\
Examples:\n  deepgm data list\n  deepgm bn info builtin:asia\n  \
deepgm mrf noise builtin:horse -o noisy.png --flip 0.1"
    )]
    List,
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

impl Binarize {
    /// The name used on the command line and in model metadata.
    pub fn name(self) -> &'static str {
        match self {
            Binarize::Sample => "sample",
            Binarize::Resample => "resample",
            Binarize::Threshold => "threshold",
        }
    }
}

/// Which MNIST split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SplitArg {
    /// The 60,000 training digits.
    Train,
    /// The 10,000 test digits.
    Test,
}

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
    /// Multiply the learning rate by this after every epoch (epoch e, from 0, uses
    /// lr * decay^e; PyTorch's StepLR with step 1). 1 keeps it constant.
    #[arg(long, default_value_t = 1.0)]
    pub lr_decay: f64,
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

/// `deepgm bn ...`
#[derive(Debug, Subcommand)]
pub enum BnCommand {
    /// Summarize a network: variables, arcs, parameters, in-degree, validation, treewidth bound.
    #[command(after_help = "NET is a .bif, .bif.gz, .xml or .xmlbif file.\n\n\
Examples:\n  deepgm bn info alarm.bif.gz\n  deepgm bn info munin.bif.gz --json")]
    Info(BnInfoArgs),
    /// Posterior marginals and the probability of evidence (exact or sampled).
    #[command(
        after_help = "auto (the default) prunes the network to what the query needs, then runs\n\
variable elimination per target or one junction tree, whichever its plan says is cheaper.\n\
Evidence pairs split at their first '=' (state names such as '>=7.5' exist).\n\n\
Examples:\n  deepgm bn query asia.bif --evidence \"smoke=yes,dysp=yes\" --target lung,bronc\n  \
deepgm bn query alarm.bif.gz --evidence \"HRBP=HIGH\" --json\n  \
deepgm bn query alarm.bif.gz --method lw --samples 100000 --seed 1"
    )]
    Query(BnQueryArgs),
    /// Most probable explanation: the likeliest full assignment given the evidence.
    #[command(
        after_help = "Example:\n  deepgm bn mpe asia.bif --evidence \"dysp=yes,xray=yes\" --json"
    )]
    Mpe(BnMpeArgs),
    /// Draw forward (ancestral) samples and write them as CSV with state names.
    #[command(
        after_help = "Example:\n  deepgm bn sample alarm.bif.gz -n 100000 --seed 0 -o alarm.csv"
    )]
    Sample(BnSampleArgs),
    /// Learn a structure's tables from complete data (CSV of state names).
    #[command(
        after_help = "The structure's own tables are ignored; every variable needs a column.\n\n\
Example:\n  deepgm bn learn --structure alarm.bif.gz --data alarm.csv --prior bdeu --ess 1 -o learned.bif"
    )]
    Learn(BnLearnArgs),
    /// Learn a network's structure and tables from complete data by score-based search.
    #[command(
        name = "learn-structure",
        after_help = "Hill climbing over DAGs (add, delete, reverse an arc) on a decomposable score, with a \
tabu list, --patience steps without improvement allowed, and --restarts seeded random restarts \
(restart k moves k x --perturb arcs of the best graph at random). \
--restarts 0 --patience 0 is pgmpy's HillClimbSearch. The variables are the CSV's columns, their \
states the values seen (sorted). List files hold one arc a line, FROM -> TO.\n\n\
Examples:\n  deepgm bn sample builtin:asia -n 50000 --seed 0 -o asia.csv\n  \
deepgm bn learn-structure --data asia.csv --score bic --compare builtin:asia -o learned.bif"
    )]
    LearnStructure(BnLearnStructureArgs),
    /// Score a network's structure (its DAG) on complete data.
    #[command(
        after_help = "The states are the network's (a state the data never shows still counts in the \
penalty of BIC and AIC).\n\n\
Examples:\n  deepgm bn score builtin:asia --data asia.csv --score bdeu --ess 10\n  \
deepgm bn score learned.bif --data asia.csv --compare builtin:asia --json"
    )]
    Score(BnScoreArgs),
    /// Convert between BIF and XMLBIF (by the file extensions; .gz compresses).
    #[command(
        after_help = "XMLBIF is written for .xml, .xmlbif and .bifxml names alike; pyAgrum reads it only \
as .bifxml or .xmlbif, pgmpy under any name.\n\n\
Example:\n  deepgm bn convert builtin:alarm alarm.bifxml"
    )]
    Convert(BnConvertArgs),
}

/// Arguments of `deepgm bn info`.
#[derive(Debug, Args)]
pub struct BnInfoArgs {
    /// The network (.bif, .bif.gz, .xml, .xmlbif).
    pub net: PathBuf,
}

/// Inference methods of `deepgm bn query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BnMethod {
    /// The faster exact method for this query (pruned elimination or junction tree).
    Auto,
    /// Junction tree: every marginal in one pass.
    Jt,
    /// Variable elimination, once per target.
    Ve,
    /// Likelihood weighting (sampled).
    Lw,
    /// Gibbs sampling (sampled).
    Gibbs,
}

/// Arguments of `deepgm bn query`.
#[derive(Debug, Args)]
pub struct BnQueryArgs {
    /// The network (.bif, .bif.gz, .xml, .xmlbif).
    pub net: PathBuf,
    /// Observed states, e.g. "A=yes,B=no".
    #[arg(long, short, default_value = "")]
    pub evidence: String,
    /// Variables to report, comma-separated (default: every unobserved variable).
    #[arg(long, short)]
    pub target: Option<String>,
    /// Inference algorithm.
    #[arg(long, value_enum, default_value_t = BnMethod::Auto)]
    pub method: BnMethod,
    /// Samples for lw and gibbs.
    #[arg(long, default_value_t = 100_000)]
    pub samples: usize,
    /// Gibbs sweeps discarded before counting.
    #[arg(long, default_value_t = 1000)]
    pub burn_in: usize,
    /// Random seed for lw and gibbs (same seed, same output).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Refuse exact plans whose tables total more entries than this (8 bytes each).
    #[arg(long, default_value_t = 2e8)]
    pub max_table_entries: f64,
}

/// Arguments of `deepgm bn mpe`.
#[derive(Debug, Args)]
pub struct BnMpeArgs {
    /// The network (.bif, .bif.gz, .xml, .xmlbif).
    pub net: PathBuf,
    /// Observed states, e.g. "A=yes,B=no".
    #[arg(long, short, default_value = "")]
    pub evidence: String,
    /// Refuse plans whose tables total more entries than this (8 bytes each).
    #[arg(long, default_value_t = 2e8)]
    pub max_table_entries: f64,
}

/// Arguments of `deepgm bn sample`.
#[derive(Debug, Args)]
pub struct BnSampleArgs {
    /// The network (.bif, .bif.gz, .xml, .xmlbif).
    pub net: PathBuf,
    /// Number of samples (rows).
    #[arg(short = 'n', long, default_value_t = 1000)]
    pub samples: usize,
    /// Random seed (same seed, same file).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output CSV (header: variable names; cells: state names).
    #[arg(short, long)]
    pub output: PathBuf,
}

/// Parameter priors of `deepgm bn learn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BnPrior {
    /// Maximum likelihood: counts over row totals.
    Mle,
    /// Bayesian Dirichlet equivalent uniform, with --ess.
    Bdeu,
}

/// Arguments of `deepgm bn learn`.
#[derive(Debug, Args)]
pub struct BnLearnArgs {
    /// The network whose variables, states and parents to use.
    #[arg(long)]
    pub structure: PathBuf,
    /// Complete data: a CSV with one column per variable, cells are state names.
    #[arg(long)]
    pub data: PathBuf,
    /// Parameter estimator.
    #[arg(long, value_enum, default_value_t = BnPrior::Mle)]
    pub prior: BnPrior,
    /// Equivalent sample size of the BDeu prior.
    #[arg(long, default_value_t = 1.0)]
    pub ess: f64,
    /// Output network (.bif or .xml, optionally .gz).
    #[arg(short, long)]
    pub output: PathBuf,
}

/// Scores of `deepgm bn learn-structure` and `deepgm bn score`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BnScoreArg {
    /// Bayesian information criterion: log-likelihood - (ln N / 2) x free parameters.
    Bic,
    /// Akaike's information criterion: log-likelihood - free parameters.
    Aic,
    /// Cooper and Herskovits' K2 score.
    K2,
    /// Bayesian Dirichlet equivalent uniform, with --ess.
    Bdeu,
    /// Log-likelihood of the maximum-likelihood tables (no penalty).
    Ll,
}

/// The data and score of `deepgm bn learn-structure` and `deepgm bn score`.
#[derive(Debug, Args)]
pub struct BnScoringArgs {
    /// Complete data: a CSV with one column per variable, cells are state names.
    #[arg(long)]
    pub data: PathBuf,
    /// Score.
    #[arg(long, value_enum, default_value_t = BnScoreArg::Bic)]
    pub score: BnScoreArg,
    /// Equivalent sample size of the BDeu score (for learn-structure, also of --prior bdeu).
    #[arg(long, default_value_t = 1.0)]
    pub ess: f64,
}

/// Arguments of `deepgm bn learn-structure`.
#[derive(Debug, Args)]
pub struct BnLearnStructureArgs {
    /// The data and the score (to maximize).
    #[command(flatten)]
    pub scoring: BnScoringArgs,
    /// The most parents a variable may have.
    #[arg(long, value_name = "N")]
    pub max_indegree: Option<usize>,
    /// Recent moves that may not be undone.
    #[arg(long, default_value_t = 100)]
    pub tabu: usize,
    /// Steps without improvement allowed before a climb stops (0: plain hill climbing).
    #[arg(long, default_value_t = 10)]
    pub patience: usize,
    /// Random restarts from a perturbed best graph.
    #[arg(long, default_value_t = 10)]
    pub restarts: usize,
    /// Random moves applied before the first restart; restart k applies k times as many.
    #[arg(long, default_value_t = 3)]
    pub perturb: usize,
    /// Random seed of the restarts.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The least score improvement a step must bring.
    #[arg(long, default_value_t = 1e-4)]
    pub tolerance: f64,
    /// Start from this network's graph instead of the empty one.
    #[arg(long, value_name = "NET")]
    pub start: Option<PathBuf>,
    /// Arcs every graph must have (a file of FROM -> TO lines).
    #[arg(long, value_name = "FILE")]
    pub whitelist: Option<PathBuf>,
    /// Arcs no graph may have (a file of FROM -> TO lines).
    #[arg(long, value_name = "FILE")]
    pub blacklist: Option<PathBuf>,
    /// Compare the result with this network: structural Hamming distances and its score.
    #[arg(long, value_name = "NET")]
    pub compare: Option<PathBuf>,
    /// Estimator of the learned graph's tables.
    #[arg(long, value_enum, default_value_t = BnPrior::Mle)]
    pub prior: BnPrior,
    /// Keep columns that hold one value (unconnected) instead of refusing the data.
    #[arg(long)]
    pub keep_constant: bool,
    /// Output network (.bif, .xml, .xmlbif, .bifxml; optionally .gz).
    #[arg(short, long)]
    pub output: PathBuf,
}

/// Arguments of `deepgm bn score`.
#[derive(Debug, Args)]
pub struct BnScoreArgs {
    /// The network whose graph to score.
    pub net: PathBuf,
    /// The data and the score.
    #[command(flatten)]
    pub scoring: BnScoringArgs,
    /// Also compare the graph with this network's: structural Hamming distances (DAG and CPDAG).
    #[arg(long, value_name = "NET")]
    pub compare: Option<PathBuf>,
}

/// Arguments of `deepgm bn convert`.
#[derive(Debug, Args)]
pub struct BnConvertArgs {
    /// Input network.
    pub input: PathBuf,
    /// Output network; the format follows the extension (.bif, .xml, .xmlbif, optionally .gz).
    pub output: PathBuf,
}
