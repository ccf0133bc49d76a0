//! The UAI format (the UAI inference competitions'): Markov networks (`MARKOV`) and Bayesian
//! networks (`BAYES`), and their evidence files (`.evid`).
//!
//! # Models
//! Whitespace-separated numbers (line breaks anywhere):
//!
//! ```text
//! MARKOV            the preamble: MARKOV or BAYES (any letter case)
//! 3                 the number of variables
//! 2 2 3             their cardinalities (at least 1 each)
//! 2                 the number of factors
//! 1 0               each factor's scope: its size, then its variables
//! 2 1 2
//! 2  0.4 0.6        each factor's table: its number of entries, then the values
//! 6  1 2 3 4 5 6
//! ```
//!
//! A table is in C order over its scope AS LISTED: the LAST variable changes fastest (above,
//! the second table holds `phi(x1 = 0, x2 = 0), phi(0, 1), phi(0, 2), phi(1, 0), ...`). Variables
//! have no names in UAI: variable `i` is called `"i"` and its states `"0"`, `"1"`, ...
//!
//! A `MARKOV` file reads as a [`MarkovNetwork`], each factor a [`Potential`]. In a `BAYES` file
//! factor `k` is the conditional table of the LAST variable of its scope given the others (its
//! parents, in scope order), which is the [`Cpt`] layout; it reads as a
//! [`Network`], whose every table row must sum to 1 within [`crate::ROW_SUM_TOLERANCE`] and
//! whose graph must be acyclic, so that the Bayesian-network engine (barren-node pruning,
//! sampling, learning) applies.
//!
//! # Evidence
//! `count var state var state ...`, optionally preceded by the number of evidence samples,
//! which must then be 1 (the two forms are told apart by the parity of the number of
//! numbers); an empty file is no evidence. Variables and states are indices.
//!
//! # Errors
//! Every error is an [`Error::Format`] with the line and column (1-based) of the offending
//! number: a count that is not a whole number, a cardinality of 0, a scope variable out of range
//! or repeated, a table whose entry count is not the product of its scope's cardinalities, a
//! value that is negative, infinite or NaN, a file that ends early or has text after the last
//! table, and for `BAYES` a variable with no table or two, a row that does not sum to 1 or a
//! cycle. Nothing is allocated beyond what the file's size can fill: a count larger than the rest
//! of the file could hold is refused before any allocation, tables are limited to
//! [`MAX_TABLE_ENTRIES`] entries, and the variables' states together to half the file's size plus
//! [`MAX_DATASET_STATES`](crate::MAX_DATASET_STATES) (a state that a table uses takes at least one
//! value of the file).
//!
//! # The writers
//! One header line per item as above, each table on its own lines (one line per run of the last
//! variable), numbers in Rust's shortest round-trip form, so that writing then reading gives the
//! same model bit for bit (variable and state names become indices: a network with other names
//! reads back with names `"0"`, `"1"`, ...).

use std::fmt::Write as _;
use std::path::Path;

use deepgm_core::{Error, Result};

use crate::inference::Evidence;
use crate::markov::{MarkovNetwork, Model, Potential};
use crate::network::{Cpt, Network, Variable};
use crate::text::{format_error, show};
use crate::variables::Variables;
use crate::MAX_TABLE_ENTRIES;

/// Parses UAI text (`MARKOV` or `BAYES`, see the [module docs](self)). `source` names the text in
/// error messages; nothing is read from it.
///
/// # Errors
/// [`Error::Format`] naming `source`, with the line and column of the problem (see the
/// [module docs](self)).
///
/// ```
/// use deepgm_bn::{io::uai, Model};
/// let text = "MARKOV\n2\n2 2\n1\n2 0 1\n4 1 2 3 4\n";
/// let Model::Markov(net) = uai::parse_uai(text, "pair.uai").unwrap() else { panic!() };
/// // The last variable of the scope changes fastest: phi(x0 = 1, x1 = 0) is the third value.
/// assert_eq!(net.potential_value(0, &[1, 0]), 3.0);
/// assert_eq!(uai::write_uai_markov(&net), "MARKOV\n2\n2 2\n1\n2 0 1\n\n4\n1 2\n3 4\n\n");
/// let err = uai::parse_uai("MARKOV\n2\n2 2\n1\n2 0 1\n3 1 2 3\n", "bad.uai").unwrap_err();
/// assert_eq!(err.to_string(), "bad.uai:6:1: factor 0's table has 3 entries, expected 4 \
///     (the product of the cardinalities of its scope 0 1)");
/// ```
pub fn parse_uai(text: &str, source: impl AsRef<Path>) -> Result<Model> {
    parse(text, source.as_ref())
}

/// Parses UAI from bytes: UTF-8 (plain ASCII in practice), with an optional byte-order mark.
///
/// # Errors
/// As [`parse_uai`]; also [`Error::Format`] with the position of the first byte that is not
/// valid UTF-8.
pub fn parse_uai_bytes(bytes: &[u8], source: impl AsRef<Path>) -> Result<Model> {
    let text = crate::text::utf8(bytes, source.as_ref())?;
    parse(text, source.as_ref())
}

/// The model as UAI text: `BAYES` for a Bayesian network, `MARKOV` for a Markov network.
pub fn write_uai(model: &Model) -> String {
    match model {
        Model::Bayesian(net) => write_uai_bayes(net),
        Model::Markov(net) => write_uai_markov(net),
    }
}

/// A Bayesian network as UAI `BAYES` text: factor `i` is the table of variable `i`, its scope
/// the parents in table order, then the variable. Names become indices.
pub fn write_uai_bayes(net: &Network) -> String {
    let cards: Vec<usize> = (0..net.n_variables()).map(|v| net.cardinality(v)).collect();
    let scopes: Vec<Vec<usize>> = net
        .cpts()
        .iter()
        .map(|cpt| {
            let mut scope = cpt.parents.clone();
            scope.push(cpt.child);
            scope
        })
        .collect();
    let tables: Vec<&[f64]> = net.cpts().iter().map(|c| c.values.as_slice()).collect();
    write("BAYES", &cards, &scopes, &tables)
}

/// A Markov network as UAI `MARKOV` text, its potentials in order. Names become indices.
pub fn write_uai_markov(net: &MarkovNetwork) -> String {
    let scopes: Vec<Vec<usize>> = net.potentials().iter().map(|p| p.scope.clone()).collect();
    let tables: Vec<&[f64]> = net
        .potentials()
        .iter()
        .map(|p| p.values.as_slice())
        .collect();
    write("MARKOV", &net.cards(), &scopes, &tables)
}

fn write(preamble: &str, cards: &[usize], scopes: &[Vec<usize>], tables: &[&[f64]]) -> String {
    let entries: usize = tables.iter().map(|t| t.len()).sum();
    let mut out = String::with_capacity(32 + 4 * cards.len() + 8 * scopes.len() + 12 * entries);
    let join = |items: &mut dyn Iterator<Item = String>| items.collect::<Vec<_>>().join(" ");
    // `write!` to a String cannot fail.
    let _ = writeln!(out, "{preamble}\n{}", cards.len());
    let _ = writeln!(out, "{}", join(&mut cards.iter().map(usize::to_string)));
    let _ = writeln!(out, "{}", scopes.len());
    for scope in scopes {
        let mut items =
            std::iter::once(scope.len().to_string()).chain(scope.iter().map(usize::to_string));
        let _ = writeln!(out, "{}", join(&mut items));
    }
    out.push('\n');
    for (scope, table) in scopes.iter().zip(tables) {
        let _ = writeln!(out, "{}", table.len());
        let run = scope.last().map_or(1, |&v| cards[v]).max(1);
        for row in table.chunks(run) {
            let _ = writeln!(
                out,
                "{}",
                join(&mut row.iter().map(|&v| crate::io::bif::number(v)))
            );
        }
        out.push('\n');
    }
    out
}

/// Parses a UAI evidence file's text (see the [module docs](self)) for `model`; `source` names
/// it in errors.
///
/// # Errors
/// [`Error::Format`] naming `source` with the line and column of a number that is not a whole
/// number, a variable or state out of range, a variable observed twice, a count that does not
/// match the pairs that follow, or a sample count other than 1.
///
/// ```
/// use deepgm_bn::{io::uai, MarkovNetwork};
/// let net = MarkovNetwork::from_network(&deepgm_bn::embedded::load("asia").unwrap());
/// let plain = uai::parse_uai_evidence("2 0 1 3 0", &net, "a.evid").unwrap();
/// let with_samples = uai::parse_uai_evidence("1\n2 0 1 3 0\n", &net, "b.evid").unwrap();
/// assert_eq!(plain, with_samples);
/// assert_eq!(plain.pairs(), [(0, 1), (3, 0)]);
/// assert_eq!(uai::write_uai_evidence(&plain), "2 0 1 3 0\n");
/// ```
pub fn parse_uai_evidence<M: Variables + ?Sized>(
    text: &str,
    model: &M,
    source: impl AsRef<Path>,
) -> Result<Evidence> {
    parse_evidence(text, model, source.as_ref())
}

/// Reads a UAI evidence file (gzipped when it starts with the gzip magic bytes) for `model`.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; otherwise as [`parse_uai_evidence`].
pub fn load_uai_evidence<M: Variables + ?Sized>(
    path: impl AsRef<Path>,
    model: &M,
) -> Result<Evidence> {
    let path = path.as_ref();
    let bytes = crate::io::read_file(path)?;
    let text = crate::text::utf8(&bytes, path)?;
    parse_evidence(text, model, path)
}

/// Evidence as UAI evidence text: `count var state ...` on one line.
pub fn write_uai_evidence(evidence: &Evidence) -> String {
    let mut out = evidence.pairs().len().to_string();
    for &(v, s) in evidence.pairs() {
        let _ = write!(out, " {v} {s}");
    }
    out.push('\n');
    out
}

/// A whitespace-separated word of the text and its byte offset.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    at: usize,
    text: &'a str,
}

/// Splits the text into words, and reports errors at their positions.
struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    source: &'a Path,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str, source: &'a Path) -> Self {
        Lexer {
            text,
            pos: 0,
            source,
        }
    }

    fn next(&mut self) -> Option<Token<'a>> {
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() && bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        if self.pos == bytes.len() {
            return None;
        }
        let at = self.pos;
        while self.pos < bytes.len() && !bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        // Whitespace is ASCII, so `at` and `pos` are character boundaries.
        Some(Token {
            at,
            text: &self.text[at..self.pos],
        })
    }

    fn error(&self, at: usize, message: impl AsRef<str>) -> Error {
        format_error(self.text, self.source, at, message.as_ref())
    }

    fn expect(&mut self, what: &str) -> Result<Token<'a>> {
        self.next().ok_or_else(|| {
            self.error(
                self.text.len(),
                format!("the file ends where {what} was expected"),
            )
        })
    }

    fn integer(&mut self, what: &str) -> Result<(Token<'a>, usize)> {
        let token = self.expect(what)?;
        let value = whole_number(token.text).ok_or_else(|| {
            self.error(
                token.at,
                format!(
                    "expected {what} (a whole number), found {}",
                    show(token.text)
                ),
            )
        })?;
        Ok((token, value))
    }

    /// The most words the rest of the text can hold: each needs a byte and a separator.
    fn room(&self) -> usize {
        (self.text.len() - self.pos) / 2
    }

    /// A count of items that take at least `words_each` words each, refused when the rest of
    /// the file could not hold that many.
    fn count(&mut self, what: &str, words_each: usize) -> Result<(Token<'a>, usize)> {
        let (token, n) = self.integer(what)?;
        let most = self.room() / words_each;
        if n > most {
            return Err(self.error(
                token.at,
                format!(
                    "{what} is {n}, but the rest of the file could hold at most {most}: is it \
                     truncated?"
                ),
            ));
        }
        Ok((token, n))
    }
}

/// A whole number written in decimal digits, if it is one that fits in `usize`.
fn whole_number(text: &str) -> Option<usize> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// One factor's scope as read, with where it was read.
struct Scope {
    /// Offset of the scope's size (its first number).
    at: usize,
    vars: Vec<usize>,
    entries: usize,
}

fn parse(text: &str, source: &Path) -> Result<Model> {
    let mut lex = Lexer::new(text, source);
    let preamble = lex.expect("the preamble MARKOV or BAYES")?;
    let bayes = match preamble.text.to_ascii_uppercase().as_str() {
        "MARKOV" => false,
        "BAYES" => true,
        _ => {
            return Err(lex.error(
                preamble.at,
                format!(
                    "expected the preamble MARKOV or BAYES, found {}",
                    show(preamble.text)
                ),
            ))
        }
    };
    let (n_token, n) = lex.count("the number of variables", 1)?;
    let mut cards = Vec::with_capacity(n);
    for i in 0..n {
        let (token, card) = lex.integer(&format!("the cardinality of variable {i}"))?;
        if card == 0 {
            return Err(lex.error(
                token.at,
                format!("variable {i} has cardinality 0: expected at least 1 state"),
            ));
        }
        cards.push(card);
    }
    // Each factor takes at least two numbers: its scope size and its table's entry count.
    let (factors_token, n_factors) = lex.count("the number of factors", 2)?;
    let mut scopes: Vec<Scope> = Vec::with_capacity(n_factors);
    let mut last_seen = vec![usize::MAX; n];
    for k in 0..n_factors {
        let (size_token, size) = lex.count(&format!("the scope size of factor {k}"), 1)?;
        if size > n {
            return Err(lex.error(
                size_token.at,
                format!(
                    "factor {k}'s scope has {size} variables, but the model has only {n}: a \
                     variable would repeat"
                ),
            ));
        }
        let mut vars = Vec::with_capacity(size);
        let mut entries = 1usize;
        for _ in 0..size {
            let (token, v) = lex.integer(&format!("a variable of factor {k}'s scope"))?;
            if v >= n {
                let range = match n {
                    0 => "the model has no variables".to_string(),
                    _ => format!("the variables are 0 to {}", n - 1),
                };
                return Err(lex.error(
                    token.at,
                    format!("factor {k}'s scope has variable {v}, but {range}"),
                ));
            }
            if std::mem::replace(&mut last_seen[v], k) == k {
                return Err(lex.error(
                    token.at,
                    format!("factor {k}'s scope lists variable {v} twice"),
                ));
            }
            entries = entries
                .checked_mul(cards[v])
                .filter(|&e| e <= MAX_TABLE_ENTRIES)
                .ok_or_else(|| {
                    lex.error(
                        size_token.at,
                        format!(
                            "factor {k}'s table would have more than {MAX_TABLE_ENTRIES} entries"
                        ),
                    )
                })?;
            vars.push(v);
        }
        scopes.push(Scope {
            at: size_token.at,
            vars,
            entries,
        });
    }
    let mut tables: Vec<Vec<f64>> = Vec::with_capacity(n_factors);
    let mut table_at = Vec::with_capacity(n_factors);
    for (k, scope) in scopes.iter().enumerate() {
        let what = format!("the number of entries of factor {k}'s table");
        let (count_token, count) = lex.integer(&what)?;
        if count != scope.entries {
            let vars: Vec<String> = scope.vars.iter().map(usize::to_string).collect();
            return Err(lex.error(
                count_token.at,
                format!(
                    "factor {k}'s table has {count} entries, expected {} (the product of the \
                     cardinalities of its scope{}{})",
                    scope.entries,
                    if vars.is_empty() { "" } else { " " },
                    if vars.is_empty() {
                        ", which is empty".to_string()
                    } else {
                        vars.join(" ")
                    }
                ),
            ));
        }
        if count > lex.room() {
            return Err(lex.error(
                count_token.at,
                format!(
                    "factor {k}'s table has {count} entries, but the rest of the file could \
                     hold at most {}: is it truncated?",
                    lex.room()
                ),
            ));
        }
        let mut values = Vec::with_capacity(count);
        for j in 0..count {
            let token = lex.expect(&format!("value {j} of factor {k}'s table ({count} values)"))?;
            let value: f64 = token.text.parse().map_err(|_| {
                lex.error(
                    token.at,
                    format!(
                        "expected value {j} of factor {k}'s table (a number), found {}",
                        show(token.text)
                    ),
                )
            })?;
            if !(value.is_finite() && value >= 0.0) {
                return Err(lex.error(
                    token.at,
                    format!(
                        "value {j} of factor {k}'s table is {}: expected a finite number >= 0",
                        show(token.text)
                    ),
                ));
            }
            // -0 reads as 0, so every zero writes back the same.
            values.push(if value == 0.0 { 0.0 } else { value });
        }
        tables.push(values);
        table_at.push(count_token.at);
    }
    if let Some(token) = lex.next() {
        return Err(lex.error(
            token.at,
            format!(
                "unexpected {} after the last table (the file declares {n_factors} factors)",
                show(token.text)
            ),
        ));
    }
    let states: usize = cards.iter().fold(0usize, |a, &c| a.saturating_add(c));
    let most_states = text.len() / 2 + crate::MAX_DATASET_STATES;
    if states > most_states {
        return Err(lex.error(
            n_token.at,
            format!(
                "the variables have {states} states in all, more than a file of this size can \
                 use (at most {most_states})"
            ),
        ));
    }
    let variables: Vec<Variable> = cards
        .iter()
        .enumerate()
        .map(|(i, &c)| Variable::new(i.to_string(), (0..c).map(|s| s.to_string())))
        .collect();
    if bayes {
        let at = Located {
            lex: &lex,
            scopes: &scopes,
            table_at: &table_at,
            factors_at: factors_token.at,
        };
        bayesian(
            variables,
            &cards,
            scopes.iter().map(|s| &s.vars),
            tables,
            at,
        )
        .map(Model::Bayesian)
    } else {
        let potentials = scopes
            .into_iter()
            .zip(tables)
            .map(|(scope, values)| Potential::new(scope.vars, values))
            .collect();
        MarkovNetwork::new("unknown", variables, potentials)
            .map(Model::Markov)
            .map_err(|e| Error::format(source, e.to_string()))
    }
}

/// Where the parts of a UAI file were read, to point model errors at them.
struct Located<'a, 'b> {
    lex: &'b Lexer<'a>,
    scopes: &'b [Scope],
    table_at: &'b [usize],
    factors_at: usize,
}

impl Located<'_, '_> {
    /// The offset of the first value of row `row` (of `row_len` values) of factor `k`'s table.
    fn row(&self, k: usize, row: usize, row_len: usize) -> usize {
        let mut lex = Lexer::new(self.lex.text, self.lex.source);
        lex.pos = self.table_at[k];
        let _count = lex.next();
        let mut at = self.table_at[k];
        for _ in 0..=row * row_len {
            match lex.next() {
                Some(t) => at = t.at,
                None => break,
            }
        }
        at
    }
}

/// The Bayesian network of a `BAYES` file: factor `k` is the table of its scope's last variable.
fn bayesian<'s>(
    variables: Vec<Variable>,
    cards: &[usize],
    scopes: impl Iterator<Item = &'s Vec<usize>>,
    tables: Vec<Vec<f64>>,
    at: Located<'_, '_>,
) -> Result<Network> {
    let n = variables.len();
    let lex = at.lex;
    let mut factor_of: Vec<Option<usize>> = vec![None; n];
    let mut cpts = Vec::with_capacity(tables.len());
    for (k, (scope, values)) in scopes.zip(tables).enumerate() {
        let Some((&child, parents)) = scope.split_last() else {
            return Err(lex.error(
                at.scopes[k].at,
                format!(
                    "factor {k} of a BAYES file has an empty scope: expected its parents, then \
                     the variable it is the table of"
                ),
            ));
        };
        if let Some(first) = factor_of[child].replace(k) {
            return Err(lex.error(
                at.scopes[k].at,
                format!(
                    "factor {k} is a second table of variable {child} (factor {first} is the \
                     first): in a BAYES file each variable has one factor, whose scope ends \
                     with it"
                ),
            ));
        }
        cpts.push(Cpt::new(child, parents.to_vec(), values, &variables));
    }
    if let Some(v) = factor_of.iter().position(Option::is_none) {
        return Err(lex.error(
            at.factors_at,
            format!(
                "variable {v} has no table: in a BAYES file each variable has one factor, whose \
                 scope ends with it"
            ),
        ));
    }
    Network::build("unknown".into(), variables, cpts).map_err(|e| {
        let offset = match (
            e.variable.and_then(|v| factor_of.get(v).copied().flatten()),
            e.config,
        ) {
            (Some(k), Some(row)) => {
                let child = *at.scopes[k]
                    .vars
                    .last()
                    .expect("a BAYES scope is not empty");
                at.row(k, row, cards[child])
            }
            (Some(k), None) => at.scopes[k].at,
            (None, _) => at.factors_at,
        };
        lex.error(offset, format!("BAYES: {}", e.message))
    })
}

fn parse_evidence<M: Variables + ?Sized>(text: &str, model: &M, source: &Path) -> Result<Evidence> {
    let mut lex = Lexer::new(text, source);
    // Every number, as read (bounded by the file's size).
    let mut numbers: Vec<(Token<'_>, usize)> = Vec::new();
    while let Some(token) = lex.next() {
        let value = whole_number(token.text).ok_or_else(|| {
            lex.error(
                token.at,
                format!(
                    "expected a whole number (a count, variable or state), found {}",
                    show(token.text)
                ),
            )
        })?;
        numbers.push((token, value));
    }
    if numbers.is_empty() {
        return Ok(Evidence::none());
    }
    // `count pairs...` has an odd number of numbers, `1 count pairs...` an even one.
    let body = if numbers.len().is_multiple_of(2) {
        let (token, samples) = numbers[0];
        if samples != 1 {
            return Err(lex.error(
                token.at,
                format!(
                    "the file starts with {samples} evidence samples (an even count of numbers \
                     means a sample count comes first): only files of one sample are read"
                ),
            ));
        }
        &numbers[1..]
    } else {
        &numbers[..]
    };
    let (count_token, count) = body[0];
    let pairs = &body[1..];
    if pairs.len() != count.saturating_mul(2) {
        let message = format!(
            "the evidence count is {count}, but {} numbers follow it (expected {}, a variable \
             and a state per observation)",
            pairs.len(),
            count.saturating_mul(2)
        );
        return Err(lex.error(count_token.at, message));
    }
    let n = model.n_variables();
    let mut observed = vec![false; n];
    let mut out = Vec::with_capacity(count);
    for pair in pairs.chunks_exact(2) {
        let ((var_token, var), (state_token, state)) = (pair[0], pair[1]);
        if var >= n {
            return Err(lex.error(
                var_token.at,
                format!("variable {var} is out of range: the model has {n} variables"),
            ));
        }
        let card = model.cardinality(var);
        if state >= card {
            return Err(lex.error(
                state_token.at,
                format!("state {state} of variable {var} is out of range: it has {card} states"),
            ));
        }
        if std::mem::replace(&mut observed[var], true) {
            return Err(lex.error(var_token.at, format!("variable {var} is observed twice")));
        }
        out.push((var, state));
    }
    Evidence::from_pairs(model, &out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_beyond_the_file_are_refused_before_allocating() {
        let err = parse_uai("MARKOV 1000000000000 2", "big.uai").unwrap_err();
        assert!(err.to_string().contains("could hold at most"), "{err}");
        let err = parse_uai("MARKOV 1 2 1000000000000", "big.uai").unwrap_err();
        assert!(err.to_string().contains("could hold at most"), "{err}");
        // A table of 2^24 + entries is refused by the table limit.
        let err = parse_uai("MARKOV 2 65536 65536 1 2 0 1 4294967296", "big.uai").unwrap_err();
        assert!(err.to_string().contains("more than"), "{err}");
        // 99999999999999999999999 does not fit in usize: not a whole number we read.
        let err = parse_uai("MARKOV 99999999999999999999999", "big.uai").unwrap_err();
        assert!(err.to_string().contains("whole number"), "{err}");
        // An evidence count whose double overflows.
        let net = crate::MarkovNetwork::from_network(&crate::embedded::load("asia").unwrap());
        let err = parse_uai_evidence("9223372036854775808", &net, "e.evid").unwrap_err();
        assert!(err.to_string().contains("the evidence count"), "{err}");
        // Many states on few bytes.
        let err = parse_uai("MARKOV 2 100000000 100000000 0", "big.uai").unwrap_err();
        assert!(err.to_string().contains("states in all"), "{err}");
    }

    #[test]
    fn rows_of_bayes_tables_are_located() {
        let text = "BAYES\n2\n2 2\n2\n1 0\n2 0 1\n2 0.5 0.5\n4\n0.5 0.5\n0.7 0.2\n";
        let err = parse_uai(text, "b.uai").unwrap_err();
        let Error::Format { line, column, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!((*line, *column), (Some(10), Some(1)), "{err}");
    }
}
