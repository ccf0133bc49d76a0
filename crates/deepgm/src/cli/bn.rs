//! Grammar of `deepgm bn ...`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

/// `deepgm bn ...`
#[derive(Debug, Subcommand)]
pub enum BnCommand {
    /// Summarize a network: variables, arcs, parameters, in-degree, validation, treewidth bound.
    #[command(
        after_help = "NET is a .bif, .bif.gz, .xml, .xmlbif or .uai file (UAI MARKOV files are Markov \
networks: variables, factors, components, treewidth bound).\n\n\
Examples:\n  deepgm bn info alarm.bif.gz\n  deepgm bn info munin.bif.gz --json\n  \
deepgm bn info Promedus_24.uai"
    )]
    Info(BnInfoArgs),
    /// Posterior marginals and the probability of evidence (exact or sampled).
    #[command(
        after_help = "auto (the default) prunes the network to what the query needs, then runs\n\
variable elimination per target or one junction tree, whichever its plan says is cheaper.\n\
Evidence pairs split at their first '=' (state names such as '>=7.5' exist).\n\
A UAI file (.uai) is read as a Bayesian network (BAYES) or a Markov network (MARKOV), with\n\
variables and states named by index; for a Markov network log_evidence is ln Z(e), the log\n\
partition function with the evidence. --evidence-file reads a UAI .evid file (indices) for\n\
any network.\n\
--cases answers many evidence sets with one junction tree compiled once: a CSV whose header\n\
names variables and whose rows hold their states (an empty cell leaves it unobserved), one\n\
case a row; --json prints {\"cases\": [report, ...]}, -o writes a CSV of case, log_evidence\n\
and one VAR=STATE column per target state (empty where the variable is observed).\n\n\
Examples:\n  deepgm bn query asia.bif --evidence \"smoke=yes,dysp=yes\" --target lung,bronc\n  \
deepgm bn query alarm.bif.gz --cases patients.csv --target LVFAILURE -o posteriors.csv\n  \
deepgm bn query Promedus_24.uai --evidence-file Promedus_24.uai.evid --json\n  \
deepgm bn query alarm.bif.gz --evidence \"HRBP=HIGH\" --json\n  \
deepgm bn query alarm.bif.gz --method lw --samples 100000 --seed 1"
    )]
    Query(BnQueryArgs),
    /// Most probable explanation: the likeliest full assignment given the evidence.
    #[command(
        after_help = "For a UAI MARKOV network this is the MAP assignment, reported with log_value, the\n\
log of the product of the factors there (unnormalized).\n\n\
Examples:\n  deepgm bn mpe asia.bif --evidence \"dysp=yes,xray=yes\" --json\n  \
deepgm bn mpe Grids_12.uai --evidence-file Grids_12.uai.evid --json"
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
    /// Convert between BIF, XMLBIF and UAI (by the file extensions; .gz compresses).
    #[command(
        after_help = "XMLBIF is written for .xml, .xmlbif and .bifxml names alike; pyAgrum reads it only \
as .bifxml or .xmlbif, pgmpy under any name. A Bayesian network is written to .uai as BAYES (names \
become indices); a UAI MARKOV network can be written only as .uai.\n\n\
Examples:\n  deepgm bn convert builtin:alarm alarm.bifxml\n  deepgm bn convert builtin:alarm alarm.uai"
    )]
    Convert(BnConvertArgs),
}

/// Arguments of `deepgm bn info`.
#[derive(Debug, Args)]
pub struct BnInfoArgs {
    /// The network (.bif, .bif.gz, .xml, .xmlbif, .uai).
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
    /// The network (.bif, .bif.gz, .xml, .xmlbif, .uai).
    pub net: PathBuf,
    /// Observed states, e.g. "A=yes,B=no".
    #[arg(long, short, default_value = "")]
    pub evidence: String,
    /// A UAI evidence file (count, then variable and state indices), added to --evidence.
    #[arg(long, value_name = "FILE")]
    pub evidence_file: Option<PathBuf>,
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
    /// Refuse exact plans whose tables need more memory at once than this, e.g. 4GiB, 500MB
    /// (default: half the memory available on this machine).
    #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
    pub max_memory: Option<u64>,
    /// Old form of --max-memory, in table entries of 8 bytes each.
    #[arg(long, hide = true, conflicts_with = "max_memory")]
    pub max_table_entries: Option<f64>,
    /// Answer one evidence set per row of this CSV (header: variable names; cells: state
    /// names, empty for unobserved), compiling the network once.
    #[arg(long, value_name = "FILE.csv", conflicts_with_all = ["evidence", "evidence_file"])]
    pub cases: Option<PathBuf>,
    /// With --cases: also write the answers as CSV (one row per case).
    #[arg(short, long, value_name = "FILE.csv", requires = "cases")]
    pub output: Option<PathBuf>,
}

/// Arguments of `deepgm bn mpe`.
#[derive(Debug, Args)]
pub struct BnMpeArgs {
    /// The network (.bif, .bif.gz, .xml, .xmlbif, .uai).
    pub net: PathBuf,
    /// Observed states, e.g. "A=yes,B=no".
    #[arg(long, short, default_value = "")]
    pub evidence: String,
    /// A UAI evidence file (count, then variable and state indices), added to --evidence.
    #[arg(long, value_name = "FILE")]
    pub evidence_file: Option<PathBuf>,
    /// Refuse plans whose tables need more memory at once than this, e.g. 4GiB, 500MB
    /// (default: half the memory available on this machine).
    #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
    pub max_memory: Option<u64>,
    /// Old form of --max-memory, in table entries of 8 bytes each.
    #[arg(long, hide = true, conflicts_with = "max_memory")]
    pub max_table_entries: Option<f64>,
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
    /// Input network (.bif, .xml, .xmlbif, .uai, optionally .gz).
    pub input: PathBuf,
    /// Output network; the format follows the extension (.bif, .xml, .xmlbif, .uai, optionally
    /// .gz).
    pub output: PathBuf,
}

/// Reads a `--max-memory` size with the library's parser (`4GiB`, `500MB`, `2e9`).
fn parse_memory(text: &str) -> Result<u64, String> {
    deepgm_core::memory::parse_bytes(text, "max_memory").map_err(|e| e.to_string())
}

impl BnQueryArgs {
    /// The memory budget asked for, in bytes, if any (`--max-memory`, or the old
    /// `--max-table-entries` at 8 bytes per entry).
    pub fn memory_budget(&self) -> Option<u64> {
        memory_budget(self.max_memory, self.max_table_entries)
    }
}

impl BnMpeArgs {
    /// The memory budget asked for, in bytes, if any (see [`BnQueryArgs::memory_budget`]).
    pub fn memory_budget(&self) -> Option<u64> {
        memory_budget(self.max_memory, self.max_table_entries)
    }
}

fn memory_budget(max_memory: Option<u64>, max_table_entries: Option<f64>) -> Option<u64> {
    max_memory.or_else(|| max_table_entries.map(|e| (e.max(0.0) * 8.0).min(u64::MAX as f64) as u64))
}
