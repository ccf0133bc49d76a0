//! BIF tables: the parsed declarations' names resolved and their `probability` blocks
//! assembled into [`Cpt`]s, then [`Network`] validation with errors pointed back at the file.

use std::collections::HashMap;
use std::path::Path;

use deepgm_core::Result;

use super::parser::{Document, Entry, Located, Parser, ProbabilityDecl};
use crate::network::{Cpt, Network, Variable};
use crate::text::{format_error, line_col, show};
use crate::MAX_TABLE_ENTRIES;

/// Where each table came from, for validation errors found after assembly.
struct TableOrigin {
    /// Offset of the `probability` keyword.
    block: usize,
    /// For each parent configuration, the offset of the statement that gave its row.
    rows: Vec<usize>,
}

/// Parses BIF `text`; `source` names it in error messages (a path, or a label such as
/// `<string>`). See [the module docs](super) for what is accepted.
pub(crate) fn parse(text: &str, source: &Path) -> Result<Network> {
    let doc = Parser::new(text)
        .document()
        .map_err(|e| format_error(text, source, e.offset, &e.message))?;
    assemble(doc, text, source)
}

fn assemble(doc: Document, text: &str, source: &Path) -> Result<Network> {
    let at = |offset: usize, message: String| format_error(text, source, offset, &message);

    let mut index: HashMap<&str, usize> = HashMap::with_capacity(doc.variables.len());
    for (i, decl) in doc.variables.iter().enumerate() {
        if let Some(&first) = index.get(decl.name.text.as_str()) {
            let (line, _) = line_col(text, doc.variables[first].offset);
            return Err(at(
                decl.name.offset,
                format!(
                    "variable '{}' is declared twice (first at line {line})",
                    decl.name.text
                ),
            ));
        }
        index.insert(&decl.name.text, i);
    }
    let variables: Vec<Variable> = doc
        .variables
        .iter()
        .map(|d| Variable {
            name: d.name.text.clone(),
            states: d.states.clone(),
            properties: d.properties.clone(),
        })
        .collect();

    let lookup = |name: &Located| -> Result<usize> {
        index.get(name.text.as_str()).copied().ok_or_else(|| {
            at(
                name.offset,
                format!(
                    "unknown variable '{}' (every variable needs a 'variable' block)",
                    name.text
                ),
            )
        })
    };

    let mut origins: Vec<Option<TableOrigin>> = (0..variables.len()).map(|_| None).collect();
    let mut cpts = Vec::with_capacity(variables.len());
    for block in &doc.probabilities {
        let child = lookup(&block.child)?;
        if let Some(first) = &origins[child] {
            let (line, _) = line_col(text, first.block);
            return Err(at(
                block.offset,
                format!(
                    "a second probability block for '{}' (the first is at line {line})",
                    block.child.text
                ),
            ));
        }
        let mut parents = Vec::with_capacity(block.parents.len());
        for p in &block.parents {
            let p_index = lookup(p)?;
            if p_index == child {
                return Err(at(
                    p.offset,
                    format!("variable '{}' is listed as its own parent", p.text),
                ));
            }
            if parents.contains(&p_index) {
                return Err(at(p.offset, format!("parent '{}' is listed twice", p.text)));
            }
            parents.push(p_index);
        }
        let cpt = Cpt::new(child, parents, Vec::new(), &variables);
        let (cpt, origin) = fill_table(cpt, block, &variables, text, source)?;
        origins[child] = Some(origin);
        cpts.push(cpt);
    }
    for (i, origin) in origins.iter().enumerate() {
        if origin.is_none() {
            return Err(at(
                doc.variables[i].offset,
                format!("variable '{}' has no probability block", variables[i].name),
            ));
        }
    }

    let name = doc.name.unwrap_or_else(|| "unknown".to_string());
    Network::build(name, variables, cpts)
        .map(|net| net.with_properties(doc.properties))
        .map_err(|e| {
            let offset = match e.variable.and_then(|v| origins[v].as_ref()) {
                Some(origin) => e
                    .config
                    .and_then(|c| origin.rows.get(c).copied())
                    .unwrap_or(origin.block),
                None => 0,
            };
            at(offset, e.message)
        })
}

/// Fills `cpt.values` from the block's statements.
fn fill_table(
    mut cpt: Cpt,
    block: &ProbabilityDecl,
    variables: &[Variable],
    text: &str,
    source: &Path,
) -> Result<(Cpt, TableOrigin)> {
    let at = |offset: usize, message: String| format_error(text, source, offset, &message);
    let child_name = &variables[cpt.child].name;
    let card = cpt.child_card;
    let n_rows = cpt
        .parent_cards
        .iter()
        .try_fold(1usize, |acc, &c| acc.checked_mul(c));
    let total = n_rows.and_then(|r| r.checked_mul(card));
    let (n_rows, total) = match (n_rows, total) {
        (Some(r), Some(t)) if t <= MAX_TABLE_ENTRIES => (r, t),
        _ => {
            return Err(at(
                block.offset,
                format!(
                    "the table of '{child_name}' would have more than {MAX_TABLE_ENTRIES} entries"
                ),
            ))
        }
    };
    let describe_configs = || {
        format!(
            "{n_rows} parent configuration{} x {card} states",
            if n_rows == 1 { "" } else { "s" }
        )
    };
    if block.entries.is_empty() {
        return Err(at(
            block.offset,
            format!("the probability block of '{child_name}' has no table"),
        ));
    }

    let mut origin = TableOrigin {
        block: block.offset,
        rows: vec![usize::MAX; n_rows],
    };
    // A `table` statement gives everything, alone.
    if let Some(table_at) = block
        .entries
        .iter()
        .position(|e| matches!(e.entry, Entry::Table(_)))
    {
        if block.entries.len() > 1 {
            let other = &block.entries[if table_at == 0 { 1 } else { 0 }];
            return Err(at(
                other.offset.max(block.entries[table_at].offset),
                format!(
                    "the table of '{child_name}' mixes 'table' with other statements: expected \
                     either one 'table' or rows and a 'default'"
                ),
            ));
        }
        let entry = &block.entries[table_at];
        let Entry::Table(values) = &entry.entry else {
            unreachable!("found by the match above")
        };
        if values.len() != total {
            return Err(at(
                entry.values_offset,
                format!(
                    "the table of '{child_name}' has {} values, expected {total} ({})",
                    values.len(),
                    describe_configs()
                ),
            ));
        }
        // BIF's `table` lists the child's state slowest (as pgmpy and pyAgrum read it):
        // value[x * n_rows + config]; the model wants value[config * card + x].
        let mut dense = vec![0.0; total];
        for x in 0..card {
            for config in 0..n_rows {
                dense[config * card + x] = values[x * n_rows + config];
            }
        }
        cpt.values = dense;
        origin.rows.fill(entry.offset);
        return Ok((cpt, origin));
    }

    let mut dense = vec![0.0; total];
    let mut default: Option<(&[f64], usize)> = None;
    let mut states = vec![0usize; cpt.parents.len()];
    for entry in &block.entries {
        let values = match &entry.entry {
            Entry::Table(_) => unreachable!("handled above"),
            Entry::Default(values) => {
                if let Some((_, first)) = default {
                    let (line, _) = line_col(text, first);
                    return Err(at(
                        entry.offset,
                        format!(
                            "a second 'default' row in the table of '{child_name}' (the first is at line {line})"
                        ),
                    ));
                }
                default = Some((values, entry.offset));
                values
            }
            Entry::Row(row_states, values) => {
                if row_states.len() != cpt.parents.len() {
                    let names: Vec<&str> = cpt
                        .parents
                        .iter()
                        .map(|&p| variables[p].name.as_str())
                        .collect();
                    return Err(at(
                        entry.offset,
                        format!(
                            "the row gives {} parent state{}, expected {} (for {})",
                            row_states.len(),
                            if row_states.len() == 1 { "" } else { "s" },
                            names.len(),
                            if names.is_empty() {
                                "no parents".to_string()
                            } else {
                                names.join(", ")
                            }
                        ),
                    ));
                }
                for ((slot, state), &p) in states.iter_mut().zip(row_states).zip(&cpt.parents) {
                    let parent = &variables[p];
                    *slot = parent.state_index(&state.text).ok_or_else(|| {
                        at(
                            state.offset,
                            format!(
                                "{} is not a state of '{}' (expected one of: {})",
                                show(&state.text),
                                parent.name,
                                crate::text::list_names(&parent.states, crate::text::STATES_LISTED)
                            ),
                        )
                    })?;
                }
                let config = cpt.config_index(&states).expect("states checked above");
                if origin.rows[config] != usize::MAX {
                    let (line, _) = line_col(text, origin.rows[config]);
                    return Err(at(
                        entry.offset,
                        format!(
                            "a second row for parent configuration {} of '{child_name}' (the first is at line {line})",
                            crate::validate::config_label(variables, &cpt, config)
                        ),
                    ));
                }
                origin.rows[config] = entry.offset;
                values
            }
        };
        if values.len() != card {
            return Err(at(
                entry.values_offset,
                format!(
                    "the row has {} values, expected {card} (one per state of '{child_name}')",
                    values.len()
                ),
            ));
        }
        if let Entry::Row(..) = entry.entry {
            let config = cpt.config_index(&states).expect("states checked above");
            dense[config * card..(config + 1) * card].copy_from_slice(values);
        }
    }
    for config in 0..n_rows {
        if origin.rows[config] == usize::MAX {
            match default {
                Some((values, offset)) => {
                    dense[config * card..(config + 1) * card].copy_from_slice(values);
                    origin.rows[config] = offset;
                }
                None => {
                    return Err(at(
                        block.offset,
                        format!(
                            "the table of '{child_name}' has no row for parent configuration {} and no 'default' row",
                            crate::validate::config_label(variables, &cpt, config)
                        ),
                    ))
                }
            }
        }
    }
    cpt.values = dense;
    Ok((cpt, origin))
}

/// Parse errors as `Error::Format`, for the unit tests of this module.
#[cfg(test)]
fn parse_str(text: &str) -> Result<Network> {
    parse(text, Path::new("test.bif"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepgm_core::Error;

    #[test]
    fn default_row_fills_the_rest() {
        let net = parse_str(
            "variable A { type discrete [2] {a0, a1}; }\n\
             variable X { type discrete [2] {x0, x1}; }\n\
             probability (A) { table 0.5 0.5; }\n\
             probability (X | A) { default 0.3, 0.7; (a1) 0.1, 0.9; }",
        )
        .unwrap();
        assert_eq!(net.cpt(1).values, vec![0.3, 0.7, 0.1, 0.9]);
        assert_eq!(net.name(), "unknown");
    }

    #[test]
    fn config_label_in_missing_row_error() {
        let e = parse_str(
            "variable A { type discrete [2] {a0, a1}; }\n\
             variable X { type discrete [2] {x0, x1}; }\n\
             probability (A) { table 0.5 0.5; }\n\
             probability (X | A) { (a1) 0.1, 0.9; }",
        )
        .unwrap_err();
        assert!(
            matches!(&e, Error::Format { line: Some(4), column: Some(1), message, .. }
                if message.contains("A=a0")),
            "{e:?}"
        );
    }
}
