//! Grammar of `deepgm bn ...`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

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
