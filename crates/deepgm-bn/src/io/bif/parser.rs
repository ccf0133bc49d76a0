//! The BIF parser: a recursive-descent parser over [`Lexer`] tokens, producing the file's
//! declarations with their byte offsets (names are resolved and tables assembled in
//! [`super::tables`]).

use super::lexer::{Kind, LexError, Lexer, Token};
use crate::text::line_col;

/// A parse failure at a byte offset.
pub(super) struct ParseError {
    pub(super) offset: usize,
    pub(super) message: String,
}

impl From<LexError> for ParseError {
    fn from(e: LexError) -> Self {
        ParseError {
            offset: e.offset,
            message: e.message,
        }
    }
}

pub(super) type PResult<T> = std::result::Result<T, ParseError>;

fn err<T>(offset: usize, message: String) -> PResult<T> {
    Err(ParseError { offset, message })
}

/// A name or state and where it is.
pub(super) struct Located {
    pub(super) text: String,
    pub(super) offset: usize,
}

/// A `variable` block.
pub(super) struct VariableDecl {
    pub(super) name: Located,
    /// Offset of the `variable` keyword.
    pub(super) offset: usize,
    pub(super) states: Vec<String>,
    pub(super) properties: Vec<String>,
}

/// One statement of a `probability` block.
pub(super) enum Entry {
    /// `table v1, v2, ...;` (child state slowest, see [`super`]).
    Table(Vec<f64>),
    /// `default v1, ...;`
    Default(Vec<f64>),
    /// `(s1, s2) v1, ...;`
    Row(Vec<Located>, Vec<f64>),
}

/// A statement with the offsets of its start and of its first value.
pub(super) struct LocatedEntry {
    pub(super) entry: Entry,
    pub(super) offset: usize,
    pub(super) values_offset: usize,
}

/// A `probability` block.
pub(super) struct ProbabilityDecl {
    pub(super) child: Located,
    pub(super) parents: Vec<Located>,
    pub(super) entries: Vec<LocatedEntry>,
    /// Offset of the `probability` keyword.
    pub(super) offset: usize,
}

/// Everything the file declares, before names are resolved.
pub(super) struct Document {
    pub(super) name: Option<String>,
    pub(super) properties: Vec<String>,
    pub(super) variables: Vec<VariableDecl>,
    pub(super) probabilities: Vec<ProbabilityDecl>,
}

/// The parser: the lexer with one token of look-ahead.
pub(super) struct Parser<'a> {
    lexer: Lexer<'a>,
    peeked: Option<Token<'a>>,
}

impl<'a> Parser<'a> {
    /// A parser at the start of `text`.
    pub(super) fn new(text: &'a str) -> Self {
        Parser {
            lexer: Lexer::new(text),
            peeked: None,
        }
    }

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

    pub(super) fn document(&mut self) -> PResult<Document> {
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
