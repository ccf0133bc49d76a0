//! BIF, the Bayesian network interchange format of the bnlearn repository (Cozman's BIF 0.15).
//!
//! # What the reader accepts
//! What pgmpy's and pyAgrum's BIF readers accept:
//! - `// line` and `/* block */` comments, free whitespace and line breaks;
//! - `network NAME { property ...; }` (optional; the name defaults to `unknown`); a property is
//!   the text up to the next `;` (trimmed; unquoted when it is one quoted string; empty ones are
//!   dropped);
//! - `variable X { type discrete [ n ] { s1, s2, ... }; property ...; }` (commas between states
//!   optional; `n` must match the number of states listed);
//! - `probability ( X | A, B ) { ... }` (also the older `probability ( X A B )`), holding either
//!   one `table v1, v2, ...;` or one row per parent configuration, `(a1, b2) v1, v2;`, plus an
//!   optional `default v1, v2;` row for every configuration not listed (commas between values
//!   optional); `property` lines in a probability block are skipped;
//! - names and states as bare words (anything but whitespace and `{ } ( ) [ ] ; , | "`, so
//!   `>=7.5`, `0-3_days` or `Asy/Patch` are fine) or quoted (`"a b"`, with `\"` and `\\`
//!   escapes; surrounding whitespace is trimmed); keywords in any letter case;
//! - blocks in any order (a table may come before its variable's declaration), optionally
//!   followed by `;`.
//!
//! # The order of `table` values
//! For a variable with parents, `table` lists the values with the CHILD's state varying
//! slowest, then the parent configurations (first parent slowest, last fastest): for
//! `probability ( X | A, B )` the values are `p(x0|a0,b0), p(x0|a0,b1), ..., p(x1|a0,b0), ...`.
//! That is how pgmpy (`values.reshape(card(X), -1)`) and pyAgrum both read it; the reader turns
//! it into the [`Cpt`](crate::Cpt) layout (one row per parent configuration). For a root the
//! distinction does not arise.
//!
//! # Errors
//! Every error is an [`Error::Format`](deepgm_core::Error::Format) on the source with its `line`
//! and `column` (1-based; shown as `source:line:column:`) and a message that says what was
//! found and what was expected. Model errors
//! (a row not summing to 1, a cycle, ...) point at the offending row or probability block.
//!
//! # The writer
//! bnlearn's layout: roots as `table`, other variables with one row per parent configuration
//! (first parent slowest), names quoted only when needed, properties kept, numbers in Rust's
//! shortest round-trip form, so that writing then reading gives an identical network.

mod lexer;
mod parser;
mod tables;
mod writer;

use std::path::Path;

use deepgm_core::Result;

use crate::network::Network;

/// Parses BIF text. `source` names the text in error messages (the file's path, or a label such
/// as `<string>`); nothing is read from it.
///
/// # Errors
/// [`Error::Format`](deepgm_core::Error::Format) naming `source`, with the line and column, for
/// a syntax error, an unknown variable or state, a table of the wrong size, a missing row, or a
/// model that fails [`Network::new`]'s checks.
pub fn parse_bif(text: &str, source: impl AsRef<Path>) -> Result<Network> {
    tables::parse(text, source.as_ref())
}

/// Parses BIF from bytes: UTF-8, with an optional byte-order mark (see [`parse_bif`]).
///
/// # Errors
/// As [`parse_bif`]; also [`Error::Format`](deepgm_core::Error::Format) with the position of
/// the first byte that is not valid UTF-8.
pub fn parse_bif_bytes(bytes: &[u8], source: impl AsRef<Path>) -> Result<Network> {
    let text = crate::text::utf8(bytes, source.as_ref())?;
    tables::parse(text, source.as_ref())
}

/// The network as BIF text, in bnlearn's layout (see the [module docs](self)).
pub fn write_bif(net: &Network) -> String {
    writer::write(net)
}

pub(crate) use writer::number;
