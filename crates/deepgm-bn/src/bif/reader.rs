//! The BIF reader: a recursive-descent parser over [`Lexer`] tokens, then name resolution and
//! table assembly, then [`Network`] validation with errors pointed back at the file.

use std::collections::HashMap;
use std::path::Path;

use deepgm_core::Result;

use super::lexer::{Kind, LexError, Lexer, Token};
use crate::network::{Cpt, Network, Variable};
use crate::text::{format_error, line_col, show};
use crate::MAX_TABLE_ENTRIES;

/// A parse failure at a byte offset.
struct ParseError {
    offset: usize,
    message: String,
}

impl From<LexError> for ParseError {
    fn from(e: LexError) -> Self {
        ParseError {
            offset: e.offset,
            message: e.message,
        }
    }
}

type PResult<T> = std::result::Result<T, ParseError>;

fn err<T>(offset: usize, message: String) -> PResult<T> {
    Err(ParseError { offset, message })
}

/// A name or state and where it is.
struct Located {
    text: String,
    offset: usize,
}

/// A `variable` block.
struct VariableDecl {
    name: Located,
    /// Offset of the `variable` keyword.
    offset: usize,
    states: Vec<String>,
    properties: Vec<String>,
}

/// One statement of a `probability` block.
enum Entry {
    /// `table v1, v2, ...;` (child state slowest, see [`super`]).
    Table(Vec<f64>),
    /// `default v1, ...;`
    Default(Vec<f64>),
    /// `(s1, s2) v1, ...;`
    Row(Vec<Located>, Vec<f64>),
}

/// A statement with the offsets of its start and of its first value.
struct LocatedEntry {
    entry: Entry,
    offset: usize,
    values_offset: usize,
}

/// A `probability` block.
struct ProbabilityDecl {
    child: Located,
    parents: Vec<Located>,
    entries: Vec<LocatedEntry>,
    /// Offset of the `probability` keyword.
    offset: usize,
}

/// Everything the file declares, before names are resolved.
struct Document {
    name: Option<String>,
    properties: Vec<String>,
    variables: Vec<VariableDecl>,
    probabilities: Vec<ProbabilityDecl>,
}

/// The parser: the lexer with one token of look-ahead.
struct Parser<'a> {
    lexer: Lexer<'a>,
    peeked: Option<Token<'a>>,
}

impl<'a> Parser<'a> {
    fn next(&mut self) -> PResult<Token<'a>> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => Ok(self.lexer.next_token()?),
        }
    }

    fn peek(&mut self) -> PResult<&Token<'a>> {
        if self.peeked.is_none() {
            self.peeked = Some(self.lexer.next_token()?);
        }
        Ok(self.peeked.as_ref().expect("just filled"))
    }

    fn expect(&mut self, p: u8, context: &str) -> PResult<Token<'a>> {
        let t = self.next()?;
        if t.is(p) {
            Ok(t)
        } else {
            err(
                t.offset,
                format!("expected '{}' {context}, found {}", p as char, t.describe()),
            )
        }
    }

    /// A name (word or quoted string), trimmed.
    fn name(&mut self, what: &str) -> PResult<Located> {
        let t = self.next()?;
        match t.text() {
            Some(text) => {
                let text = text.trim();
                if text.is_empty() {
                    return err(t.offset, format!("expected {what}, found an empty name"));
                }
                Ok(Located {
                    text: text.to_string(),
                    offset: t.offset,
                })
            }
            None => err(t.offset, format!("expected {what}, found {}", t.describe())),
        }
    }

    /// `property` text up to `;` (the keyword already read); `None` for an empty one.
    fn property(&mut self) -> PResult<Option<String>> {
        debug_assert!(self.peeked.is_none());
        let text = self.lexer.raw_until_semicolon()?;
        Ok(Some(text).filter(|t| !t.trim().is_empty()))
    }

    /// Skips an optional `;` after a block's closing brace.
    fn optional_semicolon(&mut self) -> PResult<()> {
        if self.peek()?.is(b';') {
            self.next()?;
        }
        Ok(())
    }

    fn document(&mut self) -> PResult<Document> {
        let mut doc = Document {
            name: None,
            properties: Vec::new(),
            variables: Vec::new(),
            probabilities: Vec::new(),
        };
        let mut network_offset: Option<usize> = None;
        loop {
            let t = self.next()?;
            if t.kind == Kind::Eof {
                return Ok(doc);
            } else if t.is_keyword("network") {
                if let Some(first) = network_offset {
                    let (line, _) = line_col(self.lexer_text(), first);
                    return err(
                        t.offset,
                        format!("a second 'network' block (the first is at line {line})"),
                    );
                }
                network_offset = Some(t.offset);
                self.network(&mut doc)?;
            } else if t.is_keyword("variable") {
                let decl = self.variable(t.offset)?;
                doc.variables.push(decl);
            } else if t.is_keyword("probability") {
                let decl = self.probability(t.offset)?;
                doc.probabilities.push(decl);
            } else {
                return err(
                    t.offset,
                    format!(
                        "expected 'network', 'variable' or 'probability', found {}",
                        t.describe()
                    ),
                );
            }
        }
    }

    fn lexer_text(&self) -> &'a str {
        self.lexer.text()
    }

    /// `network [NAME] { (property ...;)* }`
    fn network(&mut self, doc: &mut Document) -> PResult<()> {
        if !self.peek()?.is(b'{') {
            doc.name = Some(self.name("the network's name")?.text);
        }
        self.expect(b'{', "to open the network block")?;
        loop {
            let t = self.next()?;
            if t.is(b'}') {
                return self.optional_semicolon();
            } else if t.is_keyword("property") {
                doc.properties.extend(self.property()?);
            } else {
                return err(
                    t.offset,
                    format!(
                        "expected 'property' or '}}' in the network block, found {}",
                        t.describe()
                    ),
                );
            }
        }
    }

    /// `variable NAME { type discrete [ n ] { s1, s2 }; (property ...;)* }`
    fn variable(&mut self, offset: usize) -> PResult<VariableDecl> {
        let name = self.name("a variable name after 'variable'")?;
        self.expect(
            b'{',
            &format!("to open the block of variable '{}'", name.text),
        )?;
        let mut states: Option<Vec<String>> = None;
        let mut properties = Vec::new();
        loop {
            let t = self.next()?;
            if t.is(b'}') {
                self.optional_semicolon()?;
                break;
            } else if t.is_keyword("property") {
                properties.extend(self.property()?);
            } else if t.is_keyword("type") {
                if states.is_some() {
                    return err(
                        t.offset,
                        format!("variable '{}' has a second 'type' statement", name.text),
                    );
                }
                states = Some(self.type_statement(&name.text)?);
            } else {
                return err(
                    t.offset,
                    format!(
                        "expected 'type', 'property' or '}}' in the block of variable '{}', found {}",
                        name.text,
                        t.describe()
                    ),
                );
            }
        }
        let Some(states) = states else {
            return err(
                offset,
                format!(
                    "variable '{}' has no 'type discrete [ n ] {{ ... }};' statement",
                    name.text
                ),
            );
        };
        Ok(VariableDecl {
            name,
            offset,
            states,
            properties,
        })
    }

    /// `discrete [ n ] { s1, s2, ... } ;` (after `type`). Commas between states are optional.
    fn type_statement(&mut self, variable: &str) -> PResult<Vec<String>> {
        let t = self.next()?;
        if !t.is_keyword("discrete") {
            return err(
                t.offset,
                format!(
                    "expected 'discrete' after 'type' (only discrete variables are supported), found {}",
                    t.describe()
                ),
            );
        }
        self.expect(b'[', "after 'type discrete'")?;
        let t = self.next()?;
        let declared: usize = match t.text().map(str::parse) {
            Some(Ok(n)) => n,
            _ => {
                return err(
                    t.offset,
                    format!(
                        "expected the number of states after '[', found {}",
                        t.describe()
                    ),
                )
            }
        };
        let count_offset = t.offset;
        self.expect(b']', "after the number of states")?;
        self.expect(b'{', "to open the list of states")?;
        let mut states: Vec<String> = Vec::new();
        let mut offsets: Vec<usize> = Vec::new();
        loop {
            let t = self.next()?;
            if t.is(b'}') {
                break;
            } else if t.is(b',') {
                continue;
            }
            match t.text() {
                Some(s) => {
                    let s = s.trim();
                    if s.is_empty() {
                        return err(
                            t.offset,
                            format!("variable '{variable}' has an empty state name"),
                        );
                    }
                    if let Some(k) = states.iter().position(|x| x == s) {
                        let (line, column) = line_col(self.lexer_text(), offsets[k]);
                        return err(
                            t.offset,
                            format!(
                                "variable '{variable}' has the state '{s}' twice (first at line {line}, column {column})"
                            ),
                        );
                    }
                    states.push(s.to_string());
                    offsets.push(t.offset);
                }
                None => {
                    return err(
                        t.offset,
                        format!("expected a state name, ',' or '}}', found {}", t.describe()),
                    )
                }
            }
        }
        if states.len() != declared {
            return err(
                count_offset,
                format!(
                    "variable '{variable}' is declared with [ {declared} ] states but lists {}",
                    states.len()
                ),
            );
        }
        if states.is_empty() {
            return err(count_offset, format!("variable '{variable}' has no states"));
        }
        self.expect(b';', "after the list of states")?;
        Ok(states)
    }

    /// `probability ( X | A, B ) { entries }`, also the old `probability ( X A B )`.
    fn probability(&mut self, offset: usize) -> PResult<ProbabilityDecl> {
        self.expect(b'(', "after 'probability'")?;
        let child = self.name("a variable name after 'probability ('")?;
        let mut parents = Vec::new();
        if self.peek()?.is(b'|') {
            self.next()?;
        }
        loop {
            let t = self.peek()?;
            if t.is(b')') {
                self.next()?;
                break;
            } else if t.is(b',') {
                self.next()?;
                continue;
            }
            parents.push(self.name("a parent name, ',' or ')'")?);
        }
        self.expect(b'{', &format!("to open the table of '{}'", child.text))?;
        let mut entries = Vec::new();
        loop {
            let t = self.next()?;
            if t.is(b'}') {
                self.optional_semicolon()?;
                break;
            } else if t.is_keyword("table") {
                let (values, values_offset) = self.values()?;
                entries.push(LocatedEntry {
                    entry: Entry::Table(values),
                    offset: t.offset,
                    values_offset,
                });
            } else if t.is_keyword("default") {
                let (values, values_offset) = self.values()?;
                entries.push(LocatedEntry {
                    entry: Entry::Default(values),
                    offset: t.offset,
                    values_offset,
                });
            } else if t.is(b'(') {
                let states = self.row_states()?;
                let (values, values_offset) = self.values()?;
                entries.push(LocatedEntry {
                    entry: Entry::Row(states, values),
                    offset: t.offset,
                    values_offset,
                });
            } else if t.is_keyword("property") {
                // Properties of a table have no place in the model; skipped.
                self.property()?;
            } else {
                return err(
                    t.offset,
                    format!(
                        "expected 'table', 'default', '(' or '}}' in the table of '{}', found {}",
                        child.text,
                        t.describe()
                    ),
                );
            }
        }
        Ok(ProbabilityDecl {
            child,
            parents,
            entries,
            offset,
        })
    }

    /// The parent states of a row, after its `(`, up to and including `)`.
    fn row_states(&mut self) -> PResult<Vec<Located>> {
        let mut states = Vec::new();
        loop {
            let t = self.peek()?;
            if t.is(b')') {
                self.next()?;
                return Ok(states);
            } else if t.is(b',') {
                self.next()?;
                continue;
            }
            states.push(self.name("a parent state, ',' or ')'")?);
        }
    }

    /// Numbers separated by commas and/or whitespace, up to and including `;`; returns them and
    /// the offset of the first.
    fn values(&mut self) -> PResult<(Vec<f64>, usize)> {
        let mut values = Vec::new();
        let mut first = None;
        loop {
            let t = self.next()?;
            first.get_or_insert(t.offset);
            if t.is(b';') {
                if values.is_empty() {
                    return err(
                        t.offset,
                        "expected a probability (a number), found ';'".to_string(),
                    );
                }
                return Ok((values, first.unwrap_or(t.offset)));
            } else if t.is(b',') {
                continue;
            }
            let parsed = match &t.kind {
                Kind::Word(w) => w.parse::<f64>().ok(),
                _ => None,
            };
            match parsed {
                Some(v) => values.push(v),
                None if values.is_empty() => {
                    return err(
                        t.offset,
                        format!("expected a probability (a number), found {}", t.describe()),
                    )
                }
                None => {
                    return err(
                        t.offset,
                        format!(
                            "expected a number, ',' or ';' after the values, found {}",
                            t.describe()
                        ),
                    )
                }
            }
        }
    }
}

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
    let mut parser = Parser {
        lexer: Lexer::new(text),
        peeked: None,
    };
    let doc = parser
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
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 4, column 1:"), "{e}");
        assert!(e.contains("A=a0"), "{e}");
    }
}
