//! deepgm-bn: discrete Bayesian networks (problem 2 of docs/derivations.md).
//!
//! A Bayesian network over variables `x_1..x_n` is a DAG with one conditional probability table
//! per variable; the joint is `p(x) = prod_k p(x_k | pa_k)`. This crate holds the model and its
//! file formats; inference, sampling and learning build on it.
//!
//! - [`Network`]: validated variables ([`Variable`], named states) and tables ([`Cpt`], dense,
//!   one row per parent configuration with the first parent varying slowest); built with
//!   [`Network::new`] or [`NetworkBuilder`]. Validation rejects cycles, bad sizes and rows that
//!   do not sum to 1 within [`ROW_SUM_TOLERANCE`], naming the variable and parent configuration;
//!   rows are kept exactly as given (see [`Network`]).
//! - Graph queries: [`Network::topological_order`], [`Network::parents`],
//!   [`Network::children`], [`Network::markov_blanket`], [`Network::d_separated`] (Bayes ball),
//!   [`Network::ancestral_mask`].
//! - Formats: BIF ([`parse_bif`], [`write_bif`]; see [`bif`] for the dialect and the order of
//!   `table` values) and XMLBIF ([`parse_xmlbif`], [`write_xmlbif`]); [`load`] and [`save`] by
//!   file name, gzip included.
//! - [`embedded`]: asia and alarm built in.
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
#![warn(missing_docs)]

pub mod bif;
pub mod data;
pub mod embedded;
pub mod factor;
mod graph;
pub mod inference;
pub mod io;
pub mod learn;
mod network;
pub mod order;
pub mod sampling;
pub mod structure;
mod text;
mod validate;
pub mod xmlbif;

pub use bif::{parse_bif, parse_bif_bytes, write_bif};
pub use data::{load_csv, read_csv, save_csv, write_csv, Dataset};
pub use io::{load, save, FileFormat};
pub use learn::{learn_parameters, Prior};
pub use network::{Cpt, Network, NetworkBuilder, Variable};
pub use sampling::{forward_sample, gibbs, likelihood_weighting, Estimate};
pub use validate::ROW_SUM_TOLERANCE;
pub use xmlbif::{parse_xmlbif, parse_xmlbif_bytes, write_xmlbif};

/// The most entries (parent configurations x child states) a table read from a file may have
/// (2^24, 128 MiB of `f64`): larger declared tables are refused with an error before anything
/// is allocated, so a small hostile file cannot exhaust memory. The largest bnlearn tables are
/// far below this.
pub const MAX_TABLE_ENTRIES: usize = 1 << 24;
