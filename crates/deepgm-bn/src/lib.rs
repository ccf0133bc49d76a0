//! deepgm-bn: discrete Bayesian networks (problem 2 of docs/derivations.md).
//!
//! A Bayesian network over variables `x_1..x_n` is a DAG with one conditional probability table
//! per variable; the joint is `p(x) = prod_k p(x_k | pa_k)`. This crate holds the model, its
//! file formats, exact and sampled inference, and parameter and structure learning.
//!
//! ```
//! use deepgm_bn::{query, Evidence, QueryParams};
//! use deepgm_core::progress::NoProgress;
//!
//! let net = deepgm_bn::load("builtin:asia")?;
//! let evidence = Evidence::parse(&net, "smoke=yes,dysp=yes")?;
//! let targets = deepgm_bn::parse_targets(&net, "lung,bronc", "targets")?;
//! let answer = query(&net, &evidence, Some(&targets), &QueryParams::default(), &NoProgress)?;
//! let lung = answer.marginal("lung").unwrap();
//! assert!((lung.probability_of("yes").unwrap() - 0.1483).abs() < 1e-4);
//! assert!((answer.log_evidence.exp() - 0.2764).abs() < 1e-4);
//! // Reports serialize by name: {"marginals": {"lung": {"yes": ..., "no": ...}, ...}, ...}.
//! let json = serde_json::to_value(&answer).unwrap();
//! assert_eq!(json["marginals"]["lung"]["yes"], lung.probability_of("yes").unwrap());
//! # Ok::<(), deepgm_core::Error>(())
//! ```
//!
//! - [`Network`]: validated variables ([`Variable`], named states) and tables ([`Cpt`], dense,
//!   one row per parent configuration with the first parent varying slowest); built with
//!   [`Network::new`] or [`NetworkBuilder`]. Validation rejects cycles, bad sizes and rows that
//!   do not sum to 1 within [`ROW_SUM_TOLERANCE`], naming the variable and parent configuration;
//!   rows are kept exactly as given (see [`Network`]).
//! - Graph queries: [`Network::topological_order`], [`Network::parents`],
//!   [`Network::children`], [`Network::markov_blanket`], [`Network::d_separated`] (Bayes ball),
//!   [`Network::ancestral_mask`].
//! - Formats: BIF ([`parse_bif`], [`write_bif`]; see [`io::bif`] for the dialect and the order of
//!   `table` values) and XMLBIF ([`parse_xmlbif`], [`write_xmlbif`]); [`load`] and [`save`] by
//!   file name, gzip included. UAI ([`io::uai`]: [`parse_uai`], [`write_uai`], evidence files
//!   with [`load_uai_evidence`]) holds Bayesian (`BAYES`) and Markov (`MARKOV`) networks;
//!   [`load_model`] and [`save_model`] read and write whichever a file holds ([`Model`]).
//! - Markov networks (undirected models, factor graphs): [`MarkovNetwork`] of named variables
//!   and [`Potential`]s ([`MarkovNetwork::from_network`] converts a Bayesian network);
//!   [`query_markov`] (marginals and `ln Z(e)`), [`log_partition`] and [`map_markov`] (the MAP
//!   assignment, [`MapAssignment`]) answer them exactly with the same elimination and junction
//!   tree, pruned to connected components; [`summarize_markov`] ([`MarkovSummary`]).
//!   [`Evidence`], [`find_variable`] and [`parse_targets`] take either kind of model through
//!   the [`Variables`] trait.
//! - [`embedded`]: asia and alarm built in (`builtin:asia`, `builtin:alarm` for [`load`]).
//! - Exact inference: [`query`] with [`QueryParams`] answers [`Posteriors`] (marginals by
//!   name, `log P(e)`, the [`Method`] that ran and its [`Cost`]). Every query first prunes the
//!   network to the targets, the evidence and their ancestors (barren nodes sum to 1 and
//!   vanish), keeps the part connected to a target, then runs variable elimination per target
//!   or one junction tree, whichever its predicted time is lower ([`Method::Auto`]); a plan whose
//!   peak memory is over [`QueryParams::max_memory`] is refused before anything is allocated. [`mpe`] with
//!   [`MpeParams`] gives the most probable explanation ([`Explanation`]); [`Evidence`] and
//!   [`parse_targets`] read the `"A=yes,B=no"` and `"X,Y"` text forms. For many evidence sets
//!   on one network, [`CompiledNetwork`] ([`CompileParams`]) keeps the junction tree and its
//!   messages and recomputes only what each new evidence set changes
//!   ([`CompiledNetwork::query`], or [`CompiledNetwork::query_values`] for the numbers alone).
//! - Sampling: [`forward_sample`] with [`SampleParams`] draws exact samples of the joint as a
//!   [`Dataset`]; [`likelihood_weighting`] ([`LikelihoodWeightingParams`]) and blocked
//!   [`gibbs`] sampling ([`GibbsParams`]) answer the same questions as [`query`] approximately,
//!   as an [`Estimate`].
//! - Learning: [`learn_parameters`] with [`LearnParams`] ([`Prior`]: maximum likelihood or
//!   BDeu) estimates a structure's tables from complete data ([`Dataset`], read from CSV with
//!   [`load_csv`]); [`hill_climb`] with [`HillClimbParams`] searches for a structure under a
//!   decomposable [`StructureScore`] ([`FamilyScorer`]), compared with [`dag_shd`] and
//!   [`cpdag_shd`], fitted with [`fit`].
//! - [`summarize`]: sizes and a treewidth bound of a network ([`Summary`]).
//! - [`claims()`]: the derivation's claims, checked (the tour reports them).
//!
//! Every entry point takes its parameters as a struct implementing
//! [`deepgm_core::params::Params`] (checked first; errors name the field) and, when it can run
//! long, a [`deepgm_core::progress::Progress`]. Reports derive `serde::Serialize`, with
//! variables and states by name.
//!
//! Graph queries and formats:
//!
//! ```
//! let net = deepgm_bn::embedded::load("asia").unwrap();
//! let either = net.find("either").unwrap();
//! assert_eq!(net.n_variables(), 8);
//! assert_eq!(net.n_parameters(), 18);
//! let names = |vs: Vec<usize>| vs.into_iter().map(|v| net.variable(v).name.clone()).collect::<Vec<_>>();
//! assert_eq!(names(net.markov_blanket(either)), ["tub", "lung", "bronc", "xray", "dysp"]);
//! let (smoke, asia, dysp) = (net.find("smoke").unwrap(), net.find("asia").unwrap(), net.find("dysp").unwrap());
//! assert!(net.d_separated(&[smoke], &[asia], &[]));
//! assert!(!net.d_separated(&[smoke], &[asia], &[dysp]));
//! // Write and read back: the same network, bit for bit.
//! let again = deepgm_bn::parse_bif(&deepgm_bn::write_bif(&net), "<string>").unwrap();
//! assert_eq!(again, net);
//! ```

mod claims;
mod data;
pub mod embedded;
mod factor;
mod graph;
mod inference;
pub mod io;
mod learn;
mod markov;
mod network;
mod order;
mod report;
mod sampling;
mod structure;
mod summary;
mod text;
mod validate;
mod variables;

pub use claims::claims;
pub use data::{
    dataset_from_columns, infer_variables, load_csv, read_csv, save_csv, variables_from_columns,
    write_csv, write_csv_to, Dataset, MAX_DATASET_STATES,
};
pub use inference::{
    find_variable, log_evidence, log_joint, mpe, parse_targets, query, CompileParams,
    CompiledNetwork, Cost, Evidence, Explanation, MemoryPlan, Method, MpeParams, PosteriorValues,
    Posteriors, QueryParams, BYTES_PER_ENTRY,
};
pub use io::bif::{parse_bif, parse_bif_bytes, write_bif};
pub use io::uai::{
    load_uai_evidence, parse_uai, parse_uai_bytes, parse_uai_evidence, write_uai, write_uai_bayes,
    write_uai_evidence, write_uai_markov,
};
pub use io::xmlbif::{parse_xmlbif, parse_xmlbif_bytes, write_xmlbif};
pub use io::{load, load_model, save, save_model, FileFormat};
pub use learn::{counts, learn_parameters, LearnParams, Prior};
pub use markov::{
    log_partition, map_markov, query_markov, summarize_markov, MapAssignment, MarkovNetwork,
    MarkovSummary, Model, Potential,
};
pub use network::{Cpt, Network, NetworkBuilder, Variable};
pub use order::Heuristic;
pub use report::{Marginal, VariableState};
pub use sampling::{
    forward_sample, gibbs, likelihood_weighting, Estimate, GibbsParams, LikelihoodWeightingParams,
    SampleParams, SampleStats, SamplingMethod, GIBBS_START_TRIES, MAX_BLOCK_STATES,
};
pub use structure::{
    cpdag_shd, dag_by_names, dag_shd, data_from_columns, fit, hill_climb, load_arcs, load_data,
    structure_network, Cpdag, Dag, Edge, FamilyScorer, HillClimbParams, HillClimbResult, Shd,
    StructureScore,
};
pub use summary::{summarize, Summary, VariableSummary};
pub use validate::ROW_SUM_TOLERANCE;
pub use variables::Variables;

/// The most entries (parent configurations x child states) a table read from a file may have
/// (2^24, 128 MiB of `f64`): larger declared tables are refused with an error before anything
/// is allocated, so a small hostile file cannot exhaust memory. The largest bnlearn tables are
/// far below this.
pub const MAX_TABLE_ENTRIES: usize = 1 << 24;
