//! Complete data over a network's variables: the [`Dataset`] table that forward sampling
//! produces and parameter learning consumes, and its CSV form with state names.
//!
//! # CSV dialect
//! - The first record is the header: one variable name per column, in any order. [`read_csv`]
//!   requires every variable of the network exactly once (an unknown, repeated or missing
//!   column is an error naming it).
//! - Every other record holds one state name per column.
//! - Fields are separated by commas; spaces and tabs around a field are ignored; a field may be
//!   quoted (`"..."`, with `""` for a quote inside), which allows commas, quotes and line
//!   breaks in names. Records end with `\n` or `\r\n`; a leading byte-order mark is skipped.
//! - Blank (or whitespace-only) lines are skipped, so in a one-column file a missing value
//!   cannot be told from a blank line.
//!
//! [`write_csv`] writes this dialect (quoting only names that need it), and reading its output
//! gives the same [`Dataset`] back.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use deepgm_core::{Error, Result};

use crate::network::Network;

mod columns;
mod csv;

pub use columns::{dataset_from_columns, variables_from_columns};

use csv::{CsvError, Records};

/// The most states a variable may have to be stored in a [`Dataset`] (state indices are
/// `u16`).
pub const MAX_DATASET_STATES: usize = 1 << 16;

/// A table of complete observations: `n_rows()` rows, one column per listed network variable,
/// each cell a state index.
///
/// # Layout
/// Row-major: cell `(row, column)` is `values()[row * n_columns() + column]`, the index of a
/// state of variable `vars()[column]` (into [`crate::Variable::states`]). A dataset refers to a
/// network only by variable indices; [`Dataset::new`] checks them against one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    vars: Vec<usize>,
    n_rows: usize,
    values: Vec<u16>,
}

impl Dataset {
    /// A dataset over the network variables `vars` (column order) with the row-major cells
    /// `values` (see the layout above).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (name `dataset`) when a variable index is out of range or
    /// repeated, `values.len()` is not a multiple of `vars.len()` (or is not 0 when there are no
    /// columns), or a cell is not a state of its column's variable.
    pub fn new(net: &Network, vars: Vec<usize>, values: Vec<u16>) -> Result<Self> {
        let mut seen = vec![false; net.n_variables()];
        for &v in &vars {
            if v >= net.n_variables() {
                return Err(Error::invalid(
                    "dataset",
                    format!(
                        "variable index {v} is out of range: the network has {} variables",
                        net.n_variables()
                    ),
                ));
            }
            if std::mem::replace(&mut seen[v], true) {
                return Err(Error::invalid(
                    "dataset",
                    format!("variable {} has two columns", net.variable(v).name),
                ));
            }
        }
        let n_cols = vars.len();
        let n_rows = match n_cols {
            0 if values.is_empty() => 0,
            0 => {
                return Err(Error::invalid(
                    "dataset",
                    "a dataset without columns cannot hold values",
                ))
            }
            c if !values.len().is_multiple_of(c) => {
                return Err(Error::invalid(
                    "dataset",
                    format!("{} values do not fill rows of {c} columns", values.len()),
                ))
            }
            c => values.len() / c,
        };
        for (k, &x) in values.iter().enumerate() {
            let var = vars[k % n_cols.max(1)];
            if usize::from(x) >= net.cardinality(var) {
                return Err(Error::invalid(
                    "dataset",
                    format!(
                        "row {}, column {} ({}): state index {x} is out of range: the variable \
                         has {} states",
                        k / n_cols + 1,
                        k % n_cols + 1,
                        net.variable(var).name,
                        net.cardinality(var)
                    ),
                ));
            }
        }
        Ok(Dataset {
            vars,
            n_rows,
            values,
        })
    }

    /// Builds a dataset from parts already known to be consistent.
    pub(crate) fn from_parts(vars: Vec<usize>, n_rows: usize, values: Vec<u16>) -> Self {
        debug_assert_eq!(values.len(), n_rows * vars.len());
        Dataset {
            vars,
            n_rows,
            values,
        }
    }

    /// The network variable of each column.
    pub fn vars(&self) -> &[usize] {
        &self.vars
    }

    /// The number of rows (observations).
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The number of columns (variables).
    pub fn n_columns(&self) -> usize {
        self.vars.len()
    }

    /// All cells, row-major (`n_rows() * n_columns()` state indices).
    pub fn values(&self) -> &[u16] {
        &self.values
    }

    /// Row `i`: one state index per column.
    ///
    /// # Panics
    /// If `i >= n_rows()`.
    pub fn row(&self, i: usize) -> &[u16] {
        assert!(
            i < self.n_rows,
            "row {i} out of range ({} rows)",
            self.n_rows
        );
        let c = self.vars.len();
        &self.values[i * c..(i + 1) * c]
    }

    /// The rows in order.
    pub fn rows(&self) -> impl Iterator<Item = &[u16]> + '_ {
        let c = self.vars.len();
        (0..self.n_rows).map(move |i| &self.values[i * c..(i + 1) * c])
    }

    /// The column holding network variable `var`, if any.
    pub fn column_of(&self, var: usize) -> Option<usize> {
        self.vars.iter().position(|&v| v == var)
    }

    /// How many rows have each state of network variable `var` (a vector of
    /// `card` counts), or `None` when the dataset has no column for it. States past `card`
    /// (a dataset built for another network) are not counted.
    pub fn state_counts(&self, var: usize, card: usize) -> Option<Vec<usize>> {
        let col = self.column_of(var)?;
        let mut counts = vec![0usize; card];
        for row in self.rows() {
            if let Some(c) = counts.get_mut(usize::from(row[col])) {
                *c += 1;
            }
        }
        Some(counts)
    }
}

/// The dataset as CSV text with a header of variable names and one line of state names per
/// row (see the module documentation for the dialect).
///
/// # Panics
/// If `data` was not built for `net` (a column's variable or a cell's state out of range).
pub fn write_csv(net: &Network, data: &Dataset) -> String {
    let mut out = Vec::with_capacity(16 + data.values.len() * 4);
    write_csv_to(net, data, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("names are UTF-8")
}

/// Writes the CSV text of `data` (see [`write_csv`]) to `w`.
///
/// # Errors
/// The writer's I/O errors.
///
/// # Panics
/// As [`write_csv`].
pub fn write_csv_to(net: &Network, data: &Dataset, w: &mut dyn Write) -> std::io::Result<()> {
    let header: Vec<Cow<'_, str>> = data
        .vars
        .iter()
        .map(|&v| quote(&net.variable(v).name))
        .collect();
    w.write_all(header.join(",").as_bytes())?;
    w.write_all(b"\n")?;
    // The quoted state names of each column, looked up once.
    let names: Vec<Vec<Cow<'_, str>>> = data
        .vars
        .iter()
        .map(|&v| net.variable(v).states.iter().map(|s| quote(s)).collect())
        .collect();
    let mut line = String::new();
    for row in data.rows() {
        line.clear();
        for (col, &x) in row.iter().enumerate() {
            if col > 0 {
                line.push(',');
            }
            line.push_str(&names[col][usize::from(x)]);
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// Writes the CSV text of `data` to `path` atomically (a temporary file renamed into place).
///
/// # Errors
/// [`Error::Io`] naming `path` when it cannot be written.
///
/// # Panics
/// As [`write_csv`].
pub fn save_csv(net: &Network, data: &Dataset, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    deepgm_core::atomic::write_atomic(path, |w| {
        write_csv_to(net, data, w).map_err(|e| Error::io(path, e))
    })
}

/// Reads a CSV file of state names (see [`read_csv`]).
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Format`] naming the file for invalid
/// UTF-8 (with the line) and everything [`read_csv`] rejects.
pub fn load_csv(net: &Network, path: impl AsRef<Path>) -> Result<Dataset> {
    let path = path.as_ref();
    read_csv(net, &read_text(path)?, path)
}

/// The text of a CSV file.
///
/// # Errors
/// [`Error::Io`] when it cannot be read; [`Error::Format`] naming the line where it stops being
/// UTF-8.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = e.utf8_error().valid_up_to();
        let line = 1 + bytes[..valid].iter().filter(|&&b| b == b'\n').count();
        CsvError::line(
            line,
            "the file is not valid UTF-8 text (expected CSV of state names)",
        )
        .on(path)
    })
}

/// Parses CSV text of state names into a [`Dataset`] whose columns are in the header's order
/// (see the module documentation for the dialect); `source` names the text in errors.
///
/// # Errors
/// [`Error::Format`] on `source` with the `line` (1-based) and, for a field, the `column`
/// (1-based):
/// - an empty text (no header), an empty, unknown or repeated column name, or a network
///   variable without a column (`missing column(s) for variable(s) ...`);
/// - a record with another number of fields than the header (`expected N fields ...,
///   found M`);
/// - an empty cell (`VAR: missing value: expected one of ...`) or an unknown state
///   (`VAR: unknown state "x": expected one of a, b, c`);
/// - an unterminated quote, or text after a closing quote;
/// - a variable with more than [`MAX_DATASET_STATES`] states.
pub fn read_csv(net: &Network, text: &str, source: impl AsRef<Path>) -> Result<Dataset> {
    let source = source.as_ref();
    let fail = |e: CsvError| e.on(source);
    let mut records = Records::new(text.strip_prefix('\u{feff}').unwrap_or(text));
    let header = records.header().map_err(fail)?;
    let mut vars = Vec::with_capacity(header.fields.len());
    let mut column_of: Vec<Option<usize>> = vec![None; net.n_variables()];
    for (col, field) in header.fields.iter().enumerate() {
        let name = field.as_ref();
        if name.is_empty() {
            return Err(fail(empty_column_name(header.line, col)));
        }
        let Some(v) = net.find(name) else {
            let names: Vec<&str> = net.variables().iter().map(|v| v.name.as_str()).collect();
            return Err(fail(CsvError::at(
                header.line,
                col + 1,
                format!(
                    "unknown variable \"{name}\" (extra column): the network has no variable \
                     of that name{}",
                    crate::text::did_you_mean(name, &names)
                ),
            )));
        };
        if let Some(first) = column_of[v] {
            return Err(fail(CsvError::at(
                header.line,
                col + 1,
                format!("variable {name} appears twice (also column {})", first + 1),
            )));
        }
        if net.cardinality(v) > MAX_DATASET_STATES {
            return Err(fail(CsvError::at(
                header.line,
                col + 1,
                format!(
                    "{name}: the variable has {} states, more than the {} a dataset can hold",
                    net.cardinality(v),
                    MAX_DATASET_STATES
                ),
            )));
        }
        column_of[v] = Some(col);
        vars.push(v);
    }
    let missing: Vec<&str> = (0..net.n_variables())
        .filter(|&v| column_of[v].is_none())
        .map(|v| net.variable(v).name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(fail(CsvError::line(
            header.line,
            format!(
                "missing column(s) for variable(s) {}: the header must name every variable of \
                 the network exactly once",
                crate::text::list_names(&missing, crate::text::MISSING_COLUMNS_LISTED)
            ),
        )));
    }

    let lookups: Vec<StateLookup<'_>> = vars
        .iter()
        .map(|&v| StateLookup::new(&net.variable(v).states))
        .collect();
    let n_cols = vars.len();
    let mut values: Vec<u16> = Vec::new();
    let mut n_rows = 0usize;
    let mut record = header;
    while records.next_into(&mut record).map_err(&fail)? {
        if record.is_blank() {
            continue;
        }
        if record.fields.len() != n_cols {
            return Err(fail(CsvError::line(
                record.line,
                format!(
                    "expected {n_cols} fields (one per header column), found {}",
                    record.fields.len()
                ),
            )));
        }
        for (col, field) in record.fields.iter().enumerate() {
            let cell = field.as_ref();
            match lookups[col].get(cell) {
                Some(x) => values.push(x),
                None => {
                    let variable = net.variable(vars[col]);
                    let what = if cell.is_empty() {
                        "missing value".to_string()
                    } else {
                        format!("unknown state \"{cell}\"")
                    };
                    return Err(fail(CsvError::at(
                        record.line,
                        col + 1,
                        format!(
                            "{}: {what}: expected one of {}",
                            variable.name,
                            crate::text::list_names(&variable.states, crate::text::STATES_LISTED)
                        ),
                    )));
                }
            }
        }
        n_rows += 1;
    }
    Ok(Dataset::from_parts(vars, n_rows, values))
}

/// The variables a CSV of state names describes, for data that comes without a network
/// (structure learning): one variable per header column, named by it, whose states are the
/// distinct values of its column in sorted order (as pgmpy names them). Empty cells are left to
/// [`read_csv`], which reports them with their line and column.
///
/// # Errors
/// [`Error::Format`] on `source`: an empty text, an empty or repeated column name, a record with
/// another number of fields than the header, a column with no value at all, a malformed quote,
/// or a column with more than [`MAX_DATASET_STATES`] distinct values.
pub fn infer_variables(text: &str, source: impl AsRef<Path>) -> Result<Vec<crate::Variable>> {
    let source = source.as_ref();
    let fail = |e: CsvError| e.on(source);
    let mut records = Records::new(text.strip_prefix('\u{feff}').unwrap_or(text));
    let header = records.header().map_err(fail)?;
    let names: Vec<String> = header.fields.iter().map(|f| f.to_string()).collect();
    for (col, name) in names.iter().enumerate() {
        if name.is_empty() {
            return Err(fail(empty_column_name(header.line, col)));
        }
        if let Some(first) = names[..col].iter().position(|n| n == name) {
            return Err(fail(CsvError::at(
                header.line,
                col + 1,
                format!("column {name} appears twice (also column {})", first + 1),
            )));
        }
    }
    let mut seen: Vec<std::collections::HashSet<String>> = vec![Default::default(); names.len()];
    let header_line = header.line;
    let mut rows = 0usize;
    let mut record = header;
    while records.next_into(&mut record).map_err(&fail)? {
        if record.is_blank() {
            continue;
        }
        rows += 1;
        if record.fields.len() != names.len() {
            return Err(fail(CsvError::line(
                record.line,
                format!(
                    "expected {} fields (one per header column), found {}",
                    names.len(),
                    record.fields.len()
                ),
            )));
        }
        for (col, field) in record.fields.iter().enumerate() {
            if !field.is_empty() && !seen[col].contains(field.as_ref()) {
                seen[col].insert(field.to_string());
            }
        }
    }
    if rows == 0 {
        return Err(fail(CsvError::line(
            header_line,
            "a header but no rows: expected at least one row of data",
        )));
    }
    names
        .into_iter()
        .zip(seen)
        .map(|(name, values)| {
            if values.is_empty() {
                return Err(Error::format(source, format!("column {name} has no value")));
            }
            if values.len() > MAX_DATASET_STATES {
                return Err(Error::format(
                    source,
                    format!(
                        "column {name} has {} distinct values, more than the \
                         {MAX_DATASET_STATES} a variable can have",
                        values.len()
                    ),
                ));
            }
            let mut states: Vec<String> = values.into_iter().collect();
            states.sort();
            Ok(crate::Variable::new(name, states))
        })
        .collect()
}

/// The error for an empty column name at 0-based column `col` of line `line`.
fn empty_column_name(line: usize, col: usize) -> CsvError {
    // pandas' `to_csv` writes its index as a first column with an empty name.
    let hint = if col == 0 {
        " (a file written by pandas with its index: write it with `to_csv(..., index=False)`)"
    } else {
        ""
    };
    CsvError::at(
        line,
        col + 1,
        format!("empty column name: expected a variable name{hint}"),
    )
}

/// State name to index: a linear search for a few states (faster than hashing), a hash map
/// for many.
enum StateLookup<'n> {
    Few(&'n [String]),
    Many(HashMap<&'n str, u16>),
}

impl<'n> StateLookup<'n> {
    fn new(states: &'n [String]) -> Self {
        if states.len() <= 16 {
            StateLookup::Few(states)
        } else {
            StateLookup::Many(
                states
                    .iter()
                    .enumerate()
                    .map(|(k, s)| (s.as_str(), k as u16))
                    .collect(),
            )
        }
    }

    #[inline]
    fn get(&self, name: &str) -> Option<u16> {
        match self {
            StateLookup::Few(states) => states.iter().position(|s| s == name).map(|k| k as u16),
            StateLookup::Many(map) => map.get(name).copied(),
        }
    }
}

/// The name as a CSV field: quoted when it holds a comma, a quote, a line break, or spaces
/// at either end (or is empty).
fn quote(name: &str) -> Cow<'_, str> {
    let needs = name.is_empty()
        || name.contains([',', '"', '\n', '\r'])
        || name.starts_with([' ', '\t'])
        || name.ends_with([' ', '\t']);
    if needs {
        Cow::Owned(format!("\"{}\"", name.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_only_when_needed() {
        assert_eq!(quote("yes"), "yes");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote(""), "\"\"");
    }
}
