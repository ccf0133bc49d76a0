//! `deepgm bn query NET --cases FILE.csv`: one evidence set per row of a CSV, answered by one
//! network compiled once ([`deepgm_bn::CompiledNetwork`]).
//!
//! The CSV dialect is the one of `deepgm bn sample` and `learn --data` (comma-separated,
//! fields trimmed of spaces and tabs, `"..."` quoting with `""` for a quote, `\n` or `\r\n`
//! line ends, a leading byte-order mark skipped, blank lines skipped), except that the header
//! may name any of the network's variables, in any order, and an empty cell leaves its
//! variable unobserved in that row. Errors name the file, the line and the column (the field's
//! number, as the other CSV readers do).

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use deepgm_bn::{
    parse_targets, CompileParams, CompiledNetwork, Cost, Evidence, Marginal, Method, Model,
    Network, PosteriorValues, Posteriors, VariableState,
};
use deepgm_core::Error;
use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;

use crate::cli::{BnMethod, BnQueryArgs};
use crate::ui::Ui;

/// One row of the cases file: the line it starts on, its evidence, and the header column of
/// each observed variable (for errors).
struct Case {
    line: usize,
    evidence: Evidence,
    columns: Vec<(usize, usize)>,
}

/// Answers every row of the cases file `path` on the network of `args.net`.
pub fn query_cases(args: &BnQueryArgs, path: &Path, ui: Ui) -> anyhow::Result<()> {
    let start = Instant::now();
    let net = match deepgm_bn::load_model(&args.net)? {
        Model::Bayesian(net) => net,
        Model::Markov(_) => {
            return Err(Error::invalid(
                "cases",
                format!(
                    "{} holds a Markov network: --cases answers Bayesian networks",
                    args.net.display()
                ),
            )
            .into())
        }
    };
    let parse_seconds = start.elapsed().as_secs_f64();
    if !matches!(args.method, BnMethod::Auto | BnMethod::Jt) {
        let name = format!("{:?}", args.method).to_lowercase();
        return Err(Error::param(
            "method",
            name,
            "auto or jt: --cases answers with one junction tree compiled for all the cases",
        )
        .into());
    }
    let targets = match &args.target {
        Some(text) => Some(parse_targets(&net, text, "targets")?),
        None => None,
    };
    let text = read_text(path)?;
    let cases = read_cases(&net, &text, path)?;
    if let Some(targets) = &targets {
        for case in &cases {
            if let Some(&(v, column)) = case.columns.iter().find(|(v, _)| targets.contains(v)) {
                return Err(Error::format_at(
                    path,
                    case.line as u64,
                    Some(column as u64 + 1),
                    format!(
                        "{} is observed in this case and asked for with --target",
                        net.variable(v).name
                    ),
                )
                .into());
            }
        }
    }

    let compile_start = Instant::now();
    let mut params = CompileParams::default();
    if let Some(bytes) = args.memory_budget() {
        params.max_memory = bytes;
    }
    let mut engine = CompiledNetwork::new(&net, &params)?;
    let compile_seconds = compile_start.elapsed().as_secs_f64();
    let query_start = Instant::now();
    let mut answers = Vec::with_capacity(cases.len());
    for case in &cases {
        let answer = engine
            .query_values(&case.evidence, targets.as_deref())
            .map_err(|e| match e.parameter() {
                // The only evidence error left is probability zero: say which row.
                Some("evidence") => Error::format_at(
                    path,
                    case.line as u64,
                    None,
                    "the evidence of this case has probability zero under the network",
                ),
                _ => e,
            })?;
        answers.push(answer);
    }
    let seconds = query_start.elapsed().as_secs_f64();

    if let Some(output) = &args.output {
        let columns: Vec<usize> = match &targets {
            Some(t) => t.clone(),
            None => (0..net.n_variables()).collect(),
        };
        deepgm_core::atomic::write_atomic(output, |w| {
            write_answers(&net, &columns, &answers, w).map_err(|e| Error::io(output, e))
        })?;
    }
    if ui.json {
        ui.print_json(&CasesJson {
            cases: Reports {
                net: &net,
                cases: &cases,
                answers: &answers,
                cost: engine.cost(),
            },
            seconds,
            compile_seconds,
            parse_seconds,
        });
    } else {
        if args.output.is_none() {
            for (i, (case, answer)) in cases.iter().zip(&answers).enumerate() {
                let observed: Vec<String> = case
                    .evidence
                    .pairs()
                    .iter()
                    .map(|&(v, s)| {
                        let variable = net.variable(v);
                        format!("{}={}", variable.name, variable.states[s])
                    })
                    .collect();
                ui.say(format!(
                    "case {i} (line {}): {}",
                    case.line,
                    if observed.is_empty() {
                        "no evidence".to_string()
                    } else {
                        observed.join(", ")
                    }
                ));
                ui.say(format!(
                    "  log P(evidence) = {:.9} (P = {:.6e})",
                    answer.log_evidence,
                    answer.log_evidence.exp()
                ));
                for (v, probabilities) in &answer.marginals {
                    let variable = net.variable(*v);
                    let cells: Vec<String> = variable
                        .states
                        .iter()
                        .zip(probabilities)
                        .map(|(s, p)| format!("{s} {p:.6}"))
                        .collect();
                    ui.say(format!("  {}: {}", variable.name, cells.join("  ")));
                }
            }
        }
        if let Some(output) = &args.output {
            ui.say(format!(
                "wrote {} ({} cases)",
                output.display(),
                answers.len()
            ));
        }
        ui.note(format!(
            "jt, compiled once: {} cases in {seconds:.4} s, {:.1} us a case (compiled in \
             {compile_seconds:.3} s, read in {parse_seconds:.3} s)",
            answers.len(),
            if answers.is_empty() {
                0.0
            } else {
                seconds / answers.len() as f64 * 1e6
            }
        ));
    }
    Ok(())
}

/// What `query --cases --json` prints.
#[derive(Serialize)]
struct CasesJson<'a> {
    /// One query report per case, as `query --json` prints it (without its timings).
    cases: Reports<'a>,
    /// Seconds answering all the cases.
    seconds: f64,
    /// Seconds compiling the network.
    compile_seconds: f64,
    /// Seconds reading the network.
    parse_seconds: f64,
}

/// The cases' reports, made one at a time as they are written (names are copied into a report
/// only for the time it takes to serialize it).
struct Reports<'a> {
    net: &'a Network,
    cases: &'a [Case],
    answers: &'a [PosteriorValues],
    cost: Cost,
}

impl Serialize for Reports<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.answers.len()))?;
        for (case, answer) in self.cases.iter().zip(self.answers) {
            seq.serialize_element(&report(self.net, case, answer, self.cost))?;
        }
        seq.end()
    }
}

/// The query report of one case, as [`CompiledNetwork::query`] makes it.
fn report(net: &Network, case: &Case, answer: &PosteriorValues, cost: Cost) -> Posteriors {
    let marginals = answer
        .marginals
        .iter()
        .map(|(v, probabilities)| {
            let variable = net.variable(*v);
            Marginal {
                variable: *v,
                name: variable.name.clone(),
                states: variable.states.clone(),
                probabilities: probabilities.clone(),
            }
        })
        .collect();
    let evidence = case
        .evidence
        .pairs()
        .iter()
        .map(|&(v, s)| {
            let variable = net.variable(v);
            VariableState {
                variable: v,
                name: variable.name.clone(),
                state: s,
                state_name: variable.states[s].clone(),
            }
        })
        .collect();
    Posteriors {
        log_evidence: answer.log_evidence,
        marginals,
        method: Method::JunctionTree,
        evidence,
        cost,
    }
}

/// Writes the answers as CSV: `case,log_evidence`, then `VAR=STATE` for every state of every
/// variable of `columns`; a variable observed in a case (so not one of its targets) has empty
/// cells there. Probabilities are written in full (Rust's shortest exact form).
fn write_answers(
    net: &Network,
    columns: &[usize],
    answers: &[PosteriorValues],
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let mut line = String::from("case,log_evidence");
    for &v in columns {
        let variable = net.variable(v);
        for state in &variable.states {
            line.push(',');
            line.push_str(&quoted(&format!("{}={state}", variable.name)));
        }
    }
    line.push('\n');
    w.write_all(line.as_bytes())?;
    let mut slot: Vec<Option<usize>> = vec![None; net.n_variables()];
    for (i, answer) in answers.iter().enumerate() {
        for (k, (v, _)) in answer.marginals.iter().enumerate() {
            slot[*v] = Some(k);
        }
        line.clear();
        line.push_str(&format!("{i},{}", answer.log_evidence));
        for &v in columns {
            match slot[v] {
                Some(k) => {
                    for p in &answer.marginals[k].1 {
                        line.push_str(&format!(",{p}"));
                    }
                }
                None => (0..net.cardinality(v)).for_each(|_| line.push(',')),
            }
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
        for (v, _) in &answer.marginals {
            slot[*v] = None;
        }
    }
    Ok(())
}

/// A CSV field: quoted (with `""` for a quote) when it holds a comma, a quote, a line break or
/// leading or trailing spaces or tabs, as is otherwise.
fn quoted(field: &str) -> Cow<'_, str> {
    let needs = field.contains([',', '"', '\n', '\r'])
        || field.starts_with([' ', '\t'])
        || field.ends_with([' ', '\t']);
    if needs {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

/// The text of the cases file: an [`Error::Format`] with the line where it stops being UTF-8.
fn read_text(path: &Path) -> deepgm_core::Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..valid]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        Error::format_at(
            path,
            line as u64,
            None,
            "the file is not valid UTF-8 text (expected CSV of state names)",
        )
    })
}

/// The cases of the CSV `text` (read from `path`, which errors name).
fn read_cases(net: &Network, text: &str, path: &Path) -> deepgm_core::Result<Vec<Case>> {
    let at = |line: usize, column: Option<usize>, message: String| {
        Error::format_at(path, line as u64, column.map(|c| c as u64), message)
    };
    let mut records = Records::new(text.strip_prefix('\u{feff}').unwrap_or(text));
    let header = loop {
        match records
            .next_record()
            .map_err(|(l, c, m)| at(l, Some(c), m))?
        {
            None => {
                return Err(at(
                    1,
                    None,
                    "the file is empty: expected a header naming the observed variables".into(),
                ))
            }
            Some(r) if r.is_blank() => continue,
            Some(r) => break r,
        }
    };
    let mut vars = Vec::with_capacity(header.fields.len());
    let mut column_of: Vec<Option<usize>> = vec![None; net.n_variables()];
    for (col, name) in header.fields.iter().enumerate() {
        let found = deepgm_bn::find_variable(net, name, "cases").map_err(|e| {
            let message = match e {
                Error::InvalidParameter { expected, .. } => expected,
                other => other.to_string(),
            };
            at(
                header.line,
                Some(col + 1),
                format!("unknown column: {message}"),
            )
        })?;
        if let Some(first) = column_of[found] {
            return Err(at(
                header.line,
                Some(col + 1),
                format!("variable {name} appears twice (also column {})", first + 1),
            ));
        }
        column_of[found] = Some(col);
        vars.push(found);
    }
    let mut cases = Vec::new();
    while let Some(record) = records
        .next_record()
        .map_err(|(l, c, m)| at(l, Some(c), m))?
    {
        if record.is_blank() {
            continue;
        }
        if record.fields.len() != vars.len() {
            return Err(at(
                record.line,
                None,
                format!(
                    "expected {} fields (one per header column), found {}",
                    vars.len(),
                    record.fields.len()
                ),
            ));
        }
        let mut pairs = Vec::new();
        let mut columns = Vec::new();
        for (col, (cell, &v)) in record.fields.iter().zip(&vars).enumerate() {
            if cell.is_empty() {
                continue;
            }
            let variable = net.variable(v);
            let Some(state) = variable.state_index(cell) else {
                // The library's message: the valid states, and the closest one.
                let message = match Evidence::from_names(net, &[(variable.name.as_str(), cell)]) {
                    Err(Error::InvalidParameter { expected, .. }) => expected,
                    Err(other) => other.to_string(),
                    Ok(_) => unreachable!("the state was not found"),
                };
                return Err(at(record.line, Some(col + 1), message));
            };
            pairs.push((v, state));
            columns.push((v, col));
        }
        let evidence = Evidence::from_pairs(net, &pairs).expect("one state per distinct variable");
        cases.push(Case {
            line: record.line,
            evidence,
            columns,
        });
    }
    Ok(cases)
}

/// One CSV record: the line it starts on and its trimmed, unquoted fields.
struct Record<'a> {
    line: usize,
    fields: Vec<Cow<'a, str>>,
    /// Whether the first field was quoted (a quoted empty field is not a blank line).
    quoted: bool,
}

impl Record<'_> {
    fn is_blank(&self) -> bool {
        !self.quoted && self.fields.len() == 1 && self.fields[0].is_empty()
    }
}

/// A CSV problem: its line, its column (the field's number) and what is wrong.
type CsvError = (usize, usize, String);

/// A CSV tokenizer over text (every delimiter is ASCII, so byte positions are character
/// boundaries wherever it slices).
struct Records<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

impl<'a> Records<'a> {
    fn new(text: &'a str) -> Self {
        Records {
            text,
            pos: 0,
            line: 1,
        }
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.text.as_bytes().get(i).copied()
    }

    /// True at a record end: `\n`, `\r\n`, a final `\r`, or the end of the text.
    fn at_record_end(&self, i: usize) -> bool {
        match self.at(i) {
            None | Some(b'\n') => true,
            Some(b'\r') => matches!(self.at(i + 1), None | Some(b'\n')),
            _ => false,
        }
    }

    /// The next record, `None` at the end of the text.
    fn next_record(&mut self) -> Result<Option<Record<'a>>, CsvError> {
        if self.pos >= self.text.len() {
            return Ok(None);
        }
        let mut record = Record {
            line: self.line,
            fields: Vec::new(),
            quoted: false,
        };
        loop {
            while self.at(self.pos).is_some_and(is_space) {
                self.pos += 1;
            }
            let column = record.fields.len() + 1;
            let field = if self.at(self.pos) == Some(b'"') {
                if record.fields.is_empty() {
                    record.quoted = true;
                }
                self.quoted_field(column)?
            } else {
                let start = self.pos;
                while !self.at_record_end(self.pos) && self.at(self.pos) != Some(b',') {
                    self.pos += 1;
                }
                Cow::Borrowed(self.text[start..self.pos].trim_matches([' ', '\t']))
            };
            record.fields.push(field);
            if self.at(self.pos) == Some(b',') {
                self.pos += 1;
                continue;
            }
            // A record end.
            if self.at(self.pos) == Some(b'\r') {
                self.pos += 1;
            }
            if self.at(self.pos) == Some(b'\n') {
                self.pos += 1;
                self.line += 1;
            }
            return Ok(Some(record));
        }
    }

    /// A quoted field starting at `pos` (on its opening quote), trimmed inside; leaves `pos`
    /// on the comma or record end after it.
    fn quoted_field(&mut self, column: usize) -> Result<Cow<'a, str>, CsvError> {
        let open_line = self.line;
        self.pos += 1;
        let mut value = String::new();
        let mut piece = self.pos;
        loop {
            match self.at(self.pos) {
                None => {
                    return Err((
                        open_line,
                        column,
                        "unterminated quoted value: expected a closing '\"'".into(),
                    ))
                }
                Some(b'"') if self.at(self.pos + 1) == Some(b'"') => {
                    value.push_str(&self.text[piece..=self.pos]);
                    self.pos += 2;
                    piece = self.pos;
                }
                Some(b'"') => break,
                Some(b'\n') => {
                    self.line += 1;
                    self.pos += 1;
                }
                Some(_) => self.pos += 1,
            }
        }
        value.push_str(&self.text[piece..self.pos]);
        self.pos += 1;
        while self.at(self.pos).is_some_and(is_space) {
            self.pos += 1;
        }
        if self.at(self.pos) != Some(b',') && !self.at_record_end(self.pos) {
            return Err((
                self.line,
                column,
                "unexpected text after a closing quote: expected ',' or the end of the line".into(),
            ));
        }
        Ok(Cow::Owned(value.trim_matches([' ', '\t']).to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<Vec<String>> {
        let mut records = Records::new(text);
        let mut out = Vec::new();
        while let Some(r) = records.next_record().unwrap() {
            out.push(r.fields.iter().map(|f| f.to_string()).collect());
        }
        out
    }

    #[test]
    fn the_tokenizer_reads_quotes_spaces_empty_cells_and_line_ends() {
        assert_eq!(
            fields("a, b ,c\r\n\"x,\"\"y\"\"\" ,,z\n\n"),
            vec![vec!["a", "b", "c"], vec!["x,\"y\"", "", "z"], vec![""],]
        );
        assert_eq!(fields("a\rb,c"), vec![vec!["a\rb", "c"]]);
        assert!(Records::new("\"open").next_record().is_err());
        assert!(Records::new("\"a\" b,c").next_record().is_err());
    }

    #[test]
    fn quoted_fields_round_trip() {
        for name in ["plain", "a,b", "say \"hi\"", " padded"] {
            let text = format!("{}\n", quoted(name));
            assert_eq!(fields(&text), vec![vec![name.trim().to_string()]]);
        }
    }
}
