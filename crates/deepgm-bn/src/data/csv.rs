//! The CSV tokenizer of [`super`]: records of trimmed, unquoted fields with their line
//! numbers (the dialect is described in the parent module).

use std::borrow::Cow;
use std::path::Path;

use deepgm_core::Error;

/// A CSV problem at a 1-based line and, for a field, its 1-based column.
#[derive(Debug)]
pub(super) struct CsvError {
    pub(super) line: usize,
    pub(super) column: Option<usize>,
    pub(super) message: String,
}

impl CsvError {
    /// A problem of line `line` as a whole.
    pub(super) fn line(line: usize, message: impl Into<String>) -> Self {
        CsvError {
            line,
            column: None,
            message: message.into(),
        }
    }

    /// A problem at column `column` of line `line`.
    pub(super) fn at(line: usize, column: usize, message: impl Into<String>) -> Self {
        CsvError {
            line,
            column: Some(column),
            message: message.into(),
        }
    }

    /// The [`Error::Format`] on `source`.
    pub(super) fn on(self, source: &Path) -> Error {
        Error::Format {
            path: source.to_path_buf(),
            line: Some(self.line as u64),
            column: self.column.map(|c| c as u64),
            message: self.message,
        }
    }
}

/// What the tokenizer returns.
pub(super) type CsvResult<T> = std::result::Result<T, CsvError>;

/// One CSV record: its first line (1-based) and its trimmed, unquoted fields.
pub(super) struct Record<'a> {
    pub(super) line: usize,
    pub(super) fields: Vec<Cow<'a, str>>,
    /// Whether the first field was quoted (a quoted empty field is not a blank line).
    pub(super) quoted: bool,
}

impl Record<'_> {
    pub(super) fn is_blank(&self) -> bool {
        !self.quoted && self.fields.len() == 1 && self.fields[0].is_empty()
    }
}

/// A CSV tokenizer over text (all delimiters are ASCII, so byte positions are character
/// boundaries wherever it slices).
pub(super) struct Records<'a> {
    text: &'a str,
    pos: usize,
    pub(super) line: usize,
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

impl<'a> Records<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Records {
            text,
            pos: 0,
            line: 1,
        }
    }

    /// The byte at `i`, if any.
    pub(super) fn at(&self, i: usize) -> Option<u8> {
        self.text.as_bytes().get(i).copied()
    }

    /// True at a record end: `\n`, `\r\n`, a final `\r`, or the end of the text.
    pub(super) fn at_record_end(&self, i: usize) -> bool {
        match self.at(i) {
            None | Some(b'\n') => true,
            Some(b'\r') => matches!(self.at(i + 1), None | Some(b'\n')),
            _ => false,
        }
    }

    /// Moves past the record end at `pos` (which must be one).
    pub(super) fn skip_record_end(&mut self) {
        if self.at(self.pos) == Some(b'\r') {
            self.pos += 1;
        }
        if self.at(self.pos) == Some(b'\n') {
            self.pos += 1;
            self.line += 1;
        }
    }

    /// The first record that is not blank: the header.
    pub(super) fn header(&mut self) -> CsvResult<Record<'a>> {
        loop {
            match self.next_record()? {
                None => {
                    return Err(CsvError::line(
                        1,
                        "the file is empty: expected a header naming the variables",
                    ))
                }
                Some(r) if r.is_blank() => continue,
                Some(r) => return Ok(r),
            }
        }
    }

    /// The next record, `None` at the end of the text, or an error message.
    pub(super) fn next_record(&mut self) -> CsvResult<Option<Record<'a>>> {
        let mut record = Record {
            line: 0,
            fields: Vec::new(),
            quoted: false,
        };
        Ok(self.next_into(&mut record)?.then_some(record))
    }

    /// Reads the next record into `record` (reusing its field vector); false at the end of
    /// the text.
    pub(super) fn next_into(&mut self, record: &mut Record<'a>) -> CsvResult<bool> {
        if self.pos >= self.text.len() {
            return Ok(false);
        }
        record.line = self.line;
        record.fields.clear();
        record.quoted = false;
        let bytes = self.text.as_bytes();
        loop {
            while self.at(self.pos).is_some_and(is_space) {
                self.pos += 1;
            }
            let col = record.fields.len() + 1;
            let field = if self.at(self.pos) == Some(b'"') {
                if record.fields.is_empty() {
                    record.quoted = true;
                }
                self.quoted_field(col)?
            } else {
                let start = self.pos;
                loop {
                    let rest = &bytes[self.pos..];
                    match rest
                        .iter()
                        .position(|&b| b == b',' || b == b'\n' || b == b'\r')
                    {
                        None => self.pos = bytes.len(),
                        Some(k) => self.pos += k,
                    }
                    // A lone carriage return is part of the field.
                    if self.at(self.pos) == Some(b'\r') && !self.at_record_end(self.pos) {
                        self.pos += 1;
                        continue;
                    }
                    break;
                }
                Cow::Borrowed(self.text[start..self.pos].trim_matches([' ', '\t']))
            };
            record.fields.push(field);
            if self.at(self.pos) == Some(b',') {
                self.pos += 1;
                continue;
            }
            // Only a record end is left here.
            self.skip_record_end();
            return Ok(true);
        }
    }

    /// A quoted field starting at `pos` (on its opening quote), trimmed inside; leaves `pos`
    /// on the comma or record end after it.
    pub(super) fn quoted_field(&mut self, col: usize) -> CsvResult<Cow<'a, str>> {
        let open_line = self.line;
        self.pos += 1;
        let start = self.pos;
        let mut owned: Option<String> = None;
        let mut piece_start = start;
        loop {
            match self.at(self.pos) {
                None => {
                    return Err(CsvError::at(
                        open_line,
                        col,
                        "unterminated quoted value: expected a closing '\"'",
                    ))
                }
                Some(b'"') if self.at(self.pos + 1) == Some(b'"') => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.text[piece_start..self.pos]);
                    s.push('"');
                    self.pos += 2;
                    piece_start = self.pos;
                }
                Some(b'"') => break,
                Some(b'\n') => {
                    self.line += 1;
                    self.pos += 1;
                }
                Some(_) => self.pos += 1,
            }
        }
        let value = match owned {
            Some(mut s) => {
                s.push_str(&self.text[piece_start..self.pos]);
                let trimmed = s.trim_matches([' ', '\t']);
                Cow::Owned(trimmed.to_string())
            }
            None => Cow::Borrowed(self.text[start..self.pos].trim_matches([' ', '\t'])),
        };
        self.pos += 1; // the closing quote
        while self.at(self.pos).is_some_and(is_space) {
            self.pos += 1;
        }
        if self.at(self.pos) != Some(b',') && !self.at_record_end(self.pos) {
            return Err(CsvError::at(
                self.line,
                col,
                "unexpected text after a closing quote: expected ',' or the end of the line",
            ));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<Vec<String>> {
        let mut r = Records::new(text);
        let mut out = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            out.push(rec.fields.iter().map(|f| f.to_string()).collect());
        }
        out
    }

    #[test]
    fn tokenizer_handles_quotes_spaces_and_line_ends() {
        assert_eq!(
            fields(" a , \"b,c\" ,\"d\"\"e\"\r\nx,\"y\nz\",\n"),
            vec![vec!["a", "b,c", "d\"e"], vec!["x", "y\nz", ""]]
        );
        assert_eq!(fields("a\n\nb"), vec![vec!["a"], vec![""], vec!["b"]]);
        assert!(Records::new("\"abc").next_record().is_err());
        assert!(Records::new("\"a\"b,c").next_record().is_err());
    }
}
