//! Datasets from named columns of state names, as a binding receives them (a pandas DataFrame
//! or a dict of lists): the in-memory counterpart of [`super::read_csv`] and
//! [`super::infer_variables`], with the same rules.

use std::collections::BTreeSet;

use deepgm_core::{Error, Result};

use super::{Dataset, StateLookup, MAX_DATASET_STATES};
use crate::network::{Network, Variable};

/// The error of a column-wise dataset (parameter name `data`).
fn bad(message: impl Into<String>) -> Error {
    Error::invalid("data", message.into())
}

/// The number of rows of `columns`, checking that every column has it.
fn common_length<N: AsRef<str>, S: AsRef<str>>(columns: &[(N, Vec<S>)]) -> Result<usize> {
    let Some((first_name, first)) = columns.first() else {
        return Ok(0);
    };
    for (name, values) in columns {
        if values.len() != first.len() {
            return Err(bad(format!(
                "column {} has {} values but column {} has {}: every column must have one \
                 value per row",
                name.as_ref(),
                values.len(),
                first_name.as_ref(),
                first.len()
            )));
        }
    }
    Ok(first.len())
}

/// Checks that no column name is empty or repeated.
fn check_names<N: AsRef<str>, S>(columns: &[(N, Vec<S>)]) -> Result<()> {
    for (col, (name, _)) in columns.iter().enumerate() {
        let name = name.as_ref();
        if name.is_empty() {
            return Err(bad(format!(
                "column {}: empty column name: expected a variable name",
                col + 1
            )));
        }
        if let Some(first) = columns[..col].iter().position(|(n, _)| n.as_ref() == name) {
            return Err(bad(format!(
                "column {name} appears twice (also column {})",
                first + 1
            )));
        }
    }
    Ok(())
}

/// A dataset over every variable of `net` from `(variable name, state names)` columns, in the
/// columns' order: the rules of [`super::read_csv`] (every variable exactly once, known states,
/// no empty value) for data held in memory.
///
/// # Errors
/// [`Error::InvalidParameter`] (name `data`) naming an unknown, empty or repeated column name,
/// the variables without a column, columns of different lengths, or the row and column of an
/// empty value or an unknown state (with the valid states).
pub fn dataset_from_columns<N: AsRef<str>, S: AsRef<str>>(
    net: &Network,
    columns: &[(N, Vec<S>)],
) -> Result<Dataset> {
    check_names(columns)?;
    let n_rows = common_length(columns)?;
    let mut vars = Vec::with_capacity(columns.len());
    for (name, _) in columns {
        let name = name.as_ref();
        let Some(v) = net.find(name) else {
            let names: Vec<&str> = net.variables().iter().map(|v| v.name.as_str()).collect();
            return Err(bad(format!(
                "unknown variable \"{name}\" (extra column): the network has no variable of \
                 that name{}",
                crate::text::did_you_mean(name, &names)
            )));
        };
        if net.cardinality(v) > MAX_DATASET_STATES {
            return Err(bad(format!(
                "{name}: the variable has {} states, more than the {MAX_DATASET_STATES} a \
                 dataset can hold",
                net.cardinality(v)
            )));
        }
        vars.push(v);
    }
    let missing: Vec<&str> = (0..net.n_variables())
        .filter(|v| !vars.contains(v))
        .map(|v| net.variable(v).name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(bad(format!(
            "missing column(s) for variable(s) {}: the data must hold every variable of the \
             network exactly once",
            crate::text::list_names(&missing, crate::text::MISSING_COLUMNS_LISTED)
        )));
    }
    let n_cols = vars.len();
    let mut values = vec![0u16; n_rows * n_cols];
    for (col, ((_, cells), &var)) in columns.iter().zip(&vars).enumerate() {
        let variable = net.variable(var);
        let lookup = StateLookup::new(&variable.states);
        for (row, cell) in cells.iter().enumerate() {
            let cell = cell.as_ref();
            match lookup.get(cell) {
                Some(x) => values[row * n_cols + col] = x,
                None => {
                    let what = if cell.is_empty() {
                        "missing value".to_string()
                    } else {
                        format!("unknown state \"{cell}\"")
                    };
                    return Err(bad(format!(
                        "row {}, column {}: {what}: expected one of {}",
                        row + 1,
                        variable.name,
                        crate::text::list_names(&variable.states, crate::text::STATES_LISTED)
                    )));
                }
            }
        }
    }
    Ok(Dataset::from_parts(vars, n_rows, values))
}

/// The variables that `(name, state names)` columns describe, for data that comes without a
/// network (structure learning): one variable per column, named by it, whose states are the
/// distinct values of its column in sorted order, as [`super::infer_variables`] makes them.
///
/// # Errors
/// [`Error::InvalidParameter`] (name `data`) for an empty or repeated column name, columns of
/// different lengths, no rows, an empty value (with its row), or a column with more than
/// [`MAX_DATASET_STATES`] distinct values.
pub fn variables_from_columns<N: AsRef<str>, S: AsRef<str>>(
    columns: &[(N, Vec<S>)],
) -> Result<Vec<Variable>> {
    check_names(columns)?;
    if common_length(columns)? == 0 {
        return Err(bad("no rows: expected at least one row of data"));
    }
    columns
        .iter()
        .map(|(name, cells)| {
            let name = name.as_ref();
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            for (row, cell) in cells.iter().enumerate() {
                let cell = cell.as_ref();
                if cell.is_empty() {
                    return Err(bad(format!(
                        "row {}, column {name}: missing value",
                        row + 1
                    )));
                }
                seen.insert(cell);
            }
            if seen.len() > MAX_DATASET_STATES {
                return Err(bad(format!(
                    "column {name} has {} distinct values, more than the {MAX_DATASET_STATES} a \
                     variable can have",
                    seen.len()
                )));
            }
            Ok(Variable::new(name, seen.into_iter().collect::<Vec<_>>()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use deepgm_core::ErrorKind;

    use super::*;
    use crate::data::{read_csv, write_csv};
    use crate::structure::{data_from_columns, load_data};

    fn asia() -> Network {
        crate::embedded::load("asia").unwrap()
    }

    /// The columns of a CSV text written by `write_csv`.
    fn columns_of(net: &Network, data: &Dataset) -> Vec<(String, Vec<String>)> {
        data.vars()
            .iter()
            .enumerate()
            .map(|(j, &v)| {
                let states = &net.variable(v).states;
                let cells = data
                    .rows()
                    .map(|row| states[usize::from(row[j])].clone())
                    .collect();
                (net.variable(v).name.clone(), cells)
            })
            .collect()
    }

    #[test]
    fn columns_give_the_dataset_the_csv_gives() {
        let net = asia();
        let params = crate::SampleParams {
            samples: 200,
            seed: 4,
        };
        let data =
            crate::forward_sample(&net, &params, &deepgm_core::progress::NoProgress).unwrap();
        let mut columns = columns_of(&net, &data);
        assert_eq!(dataset_from_columns(&net, &columns).unwrap(), data);
        assert_eq!(
            read_csv(&net, &write_csv(&net, &data), "<mem>").unwrap(),
            data
        );
        // Column order is kept, as read_csv keeps the header's.
        columns.reverse();
        let reversed = dataset_from_columns(&net, &columns).unwrap();
        assert_eq!(reversed.vars()[0], net.n_variables() - 1);
        assert_eq!(reversed.n_rows(), 200);
    }

    #[test]
    fn bad_columns_name_the_problem() {
        let net = asia();
        let ok: Vec<(String, Vec<String>)> = net
            .variables()
            .iter()
            .map(|v| (v.name.clone(), vec![v.states[0].clone(); 3]))
            .collect();
        let check = |columns: &[(String, Vec<String>)], needle: &str| {
            let err = dataset_from_columns(&net, columns).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidParameter);
            assert!(err.to_string().contains(needle), "{err}");
        };
        let mut c = ok.clone();
        c.pop();
        check(&c, "missing column(s) for variable(s) dysp");
        let mut c = ok.clone();
        c[0].0 = "asai".into();
        check(&c, "unknown variable \"asai\"");
        let mut c = ok.clone();
        c[1].0 = "asia".into();
        check(&c, "appears twice");
        let mut c = ok.clone();
        c[2].1[1] = "maybe".into();
        check(&c, "row 2, column smoke: unknown state \"maybe\"");
        let mut c = ok.clone();
        c[2].1[0] = String::new();
        check(&c, "missing value");
        let mut c = ok;
        c[3].1.pop();
        check(&c, "values");
    }

    #[test]
    fn structure_data_from_columns_as_from_a_file() {
        let dir = std::env::temp_dir().join(format!("deepgm-bn-columns-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("d.csv");
        std::fs::write(&path, "b,a\nv,x\nu,y\nu,x\n").unwrap();
        let from_file = load_data(&path, false).unwrap();
        let columns = vec![("b", vec!["v", "u", "u"]), ("a", vec!["x", "y", "x"])];
        let from_columns = data_from_columns(&columns, false).unwrap();
        assert_eq!(from_columns.0, from_file.0);
        assert_eq!(from_columns.1, from_file.1);
        assert_eq!(from_columns.2, from_file.2);
        assert_eq!(from_columns.0.variable(0).states, ["u", "v"]);
        let constant = vec![("a", vec!["x", "x"]), ("b", vec!["u", "v"])];
        let err = data_from_columns(&constant, false).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParameter);
        assert!(err.to_string().contains("constant"), "{err}");
        assert!(data_from_columns(&constant, true).is_ok());
        let one = vec![("a", vec!["x", "y"])];
        assert!(data_from_columns(&one, false)
            .unwrap_err()
            .to_string()
            .contains("two variables"));
        let empty: Vec<(&str, Vec<&str>)> = vec![("a", vec![]), ("b", vec![])];
        assert!(data_from_columns(&empty, false).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn evidence_from_names_is_evidence_parse() {
        let net = asia();
        let named = [("smoke", "yes"), ("dysp", "no")];
        assert_eq!(
            crate::Evidence::from_names(&net, &named).unwrap(),
            crate::Evidence::parse(&net, "smoke=yes,dysp=no").unwrap()
        );
        let err = crate::Evidence::from_names(&net, &[("smoke", "maybe")]).unwrap_err();
        assert!(err.to_string().contains("no state `maybe`"), "{err}");
        let err =
            crate::Evidence::from_names(&net, &[("smoke", "yes"), ("smoke", "no")]).unwrap_err();
        assert!(err.to_string().contains("twice"), "{err}");
    }
}
