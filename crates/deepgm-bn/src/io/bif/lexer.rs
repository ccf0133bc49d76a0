//! The BIF lexer: a hand-written scanner over the bytes of the text.
//!
//! Tokens are punctuation (`{ } ( ) [ ] ; , |`), quoted strings (`"..."`, with `\"` and `\\`
//! escapes) and words: maximal runs of anything else that is not whitespace, so that names and
//! states such as `>=7.5`, `0-3_days`, `Asy/Patch` or `Transp.` are single words. `//` line
//! comments and `/* */` block comments are skipped (outside quoted strings). Each token carries
//! the byte offset where it starts, for error messages.

use std::borrow::Cow;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind<'a> {
    /// One of `{ } ( ) [ ] ; , |`.
    Punct(u8),
    /// A run of other non-whitespace characters.
    Word(&'a str),
    /// A `"..."` string, escapes resolved.
    Quoted(Cow<'a, str>),
    /// The end of the text.
    Eof,
}

/// A token and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token<'a> {
    /// What it is.
    pub kind: Kind<'a>,
    /// Byte offset of its first character.
    pub offset: usize,
}

impl Token<'_> {
    /// The token as it reads in an error message: `'x'`, `end of file`.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Punct(b) => format!("'{}'", *b as char),
            Kind::Word(w) => crate::text::show(w),
            Kind::Quoted(q) => format!("\"{}\"", crate::text::show(q).trim_matches('\'')),
            Kind::Eof => "the end of the file".to_string(),
        }
    }

    /// The text of a word or quoted string (names, states, numbers).
    pub fn text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Word(w) => Some(w),
            Kind::Quoted(q) => Some(q),
            _ => None,
        }
    }

    /// Whether this is the unquoted word `keyword` (ASCII case-insensitive).
    pub fn is_keyword(&self, keyword: &str) -> bool {
        matches!(&self.kind, Kind::Word(w) if w.eq_ignore_ascii_case(keyword))
    }

    /// Whether this is the punctuation `p`.
    pub fn is(&self, p: u8) -> bool {
        self.kind == Kind::Punct(p)
    }
}

/// A lexing failure: the message and the byte offset it refers to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LexError {
    /// Where.
    pub offset: usize,
    /// What, and what was expected.
    pub message: String,
}

/// True for the bytes that end a word (and are tokens of their own, or start a string).
fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'{' | b'}' | b'(' | b')' | b'[' | b']' | b';' | b',' | b'|' | b'"'
    ) || b.is_ascii_whitespace()
}

/// The scanner; the parser pulls tokens with [`Lexer::next_token`], or raw text up to a `;`
/// with [`Lexer::raw_until_semicolon`] (for `property` lines).
pub(crate) struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    /// The whole text being scanned.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Skips whitespace and comments.
    fn skip_trivia(&mut self) -> Result<(), LexError> {
        loop {
            match self.bytes.get(self.pos) {
                Some(b) if b.is_ascii_whitespace() => self.pos += 1,
                Some(b'/') => match self.bytes.get(self.pos + 1) {
                    Some(b'/') => {
                        while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
                            self.pos += 1;
                        }
                    }
                    Some(b'*') => self.skip_block_comment()?,
                    _ => return Ok(()),
                },
                _ => return Ok(()),
            }
        }
    }

    fn skip_block_comment(&mut self) -> Result<(), LexError> {
        let start = self.pos;
        match find(&self.bytes[start + 2..], b"*/") {
            Some(i) => {
                self.pos = start + 2 + i + 2;
                Ok(())
            }
            None => Err(LexError {
                offset: start,
                message: "a '/*' comment is never closed: expected '*/'".to_string(),
            }),
        }
    }

    /// True at the start of a comment.
    fn at_comment(&self) -> bool {
        self.bytes.get(self.pos) == Some(&b'/')
            && matches!(self.bytes.get(self.pos + 1), Some(b'/') | Some(b'*'))
    }

    /// The next token.
    pub fn next_token(&mut self) -> Result<Token<'a>, LexError> {
        self.skip_trivia()?;
        let offset = self.pos;
        let Some(&b) = self.bytes.get(self.pos) else {
            return Ok(Token {
                kind: Kind::Eof,
                offset,
            });
        };
        if b == b'"' {
            let kind = Kind::Quoted(self.quoted()?);
            return Ok(Token { kind, offset });
        }
        if is_delimiter(b) {
            self.pos += 1;
            return Ok(Token {
                kind: Kind::Punct(b),
                offset,
            });
        }
        while self.pos < self.bytes.len()
            && !is_delimiter(self.bytes[self.pos])
            && !self.at_comment()
        {
            self.pos += 1;
        }
        // Delimiters are ASCII, so the cut is on a character boundary.
        Ok(Token {
            kind: Kind::Word(&self.text[offset..self.pos]),
            offset,
        })
    }

    /// Reads a quoted string starting at the current `"`.
    fn quoted(&mut self) -> Result<Cow<'a, str>, LexError> {
        let start = self.pos;
        self.pos += 1;
        let body_start = self.pos;
        let mut owned: Option<String> = None;
        let mut chunk_start = body_start;
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'"' => {
                    let tail = &self.text[chunk_start..self.pos];
                    self.pos += 1;
                    return Ok(match owned {
                        Some(mut s) => {
                            s.push_str(tail);
                            Cow::Owned(s)
                        }
                        None => Cow::Borrowed(tail),
                    });
                }
                b'\\' if matches!(self.bytes.get(self.pos + 1), Some(b'"') | Some(b'\\')) => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.text[chunk_start..self.pos]);
                    s.push(self.bytes[self.pos + 1] as char);
                    self.pos += 2;
                    chunk_start = self.pos;
                }
                _ => self.pos += 1,
            }
        }
        Err(LexError {
            offset: start,
            message: "a quoted string is never closed: expected '\"'".to_string(),
        })
    }

    /// Reads the text up to the next `;` outside quoted strings and comments (for `property`
    /// lines), consuming the `;`. Returns the text trimmed; when it is exactly one quoted string,
    /// its unescaped content instead. Comments inside are dropped.
    pub fn raw_until_semicolon(&mut self) -> Result<String, LexError> {
        let start = self.pos;
        let mut raw = String::new();
        let mut only_quoted: Option<Option<String>> = None; // Some(Some(s)): exactly one string so far
        loop {
            let chunk_start = self.pos;
            while self.pos < self.bytes.len()
                && !matches!(self.bytes[self.pos], b';' | b'"')
                && !self.at_comment()
            {
                self.pos += 1;
            }
            let chunk = &self.text[chunk_start..self.pos];
            raw.push_str(chunk);
            if !chunk.trim().is_empty() {
                only_quoted = Some(None);
            }
            match self.bytes.get(self.pos) {
                None => {
                    return Err(LexError {
                        offset: start,
                        message: "a property never ends: expected ';'".to_string(),
                    })
                }
                Some(b';') => {
                    self.pos += 1;
                    return Ok(match only_quoted {
                        Some(Some(s)) => s,
                        _ => raw.trim().to_string(),
                    });
                }
                Some(b'"') => {
                    let q_start = self.pos;
                    let content = self.quoted()?;
                    raw.push_str(&self.text[q_start..self.pos]);
                    only_quoted = match only_quoted {
                        None => Some(Some(content.into_owned())),
                        Some(_) => Some(None),
                    };
                }
                Some(_) => {
                    // A comment: skip it, leaving a space so words on both sides stay apart.
                    if self.bytes[self.pos + 1] == b'/' {
                        while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
                            self.pos += 1;
                        }
                    } else {
                        self.skip_block_comment()?;
                    }
                    raw.push(' ');
                }
            }
        }
    }
}

/// The first index of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Kind<'_>> {
        let mut lexer = Lexer::new(text);
        let mut out = Vec::new();
        loop {
            let t = lexer.next_token().unwrap();
            if t.kind == Kind::Eof {
                return out;
            }
            out.push(t.kind);
        }
    }

    #[test]
    fn words_punctuation_strings_and_comments() {
        let k = kinds(
            "variable \"a b\\\"c\" { // note\n type discrete[2] {>=7.5, Asy/Patch}; /* x */ }",
        );
        assert_eq!(
            k,
            vec![
                Kind::Word("variable"),
                Kind::Quoted(Cow::Owned("a b\"c".to_string())),
                Kind::Punct(b'{'),
                Kind::Word("type"),
                Kind::Word("discrete"),
                Kind::Punct(b'['),
                Kind::Word("2"),
                Kind::Punct(b']'),
                Kind::Punct(b'{'),
                Kind::Word(">=7.5"),
                Kind::Punct(b','),
                Kind::Word("Asy/Patch"),
                Kind::Punct(b'}'),
                Kind::Punct(b';'),
                Kind::Punct(b'}'),
            ]
        );
    }

    #[test]
    fn a_comment_right_after_a_word_ends_it() {
        assert_eq!(
            kinds("abc//x\ndef/*y*/g"),
            vec![Kind::Word("abc"), Kind::Word("def"), Kind::Word("g")]
        );
    }

    #[test]
    fn raw_property_text() {
        let mut lexer = Lexer::new(" position = (1, 2) /* c */ ; \"quoted; text\" ; a \"b\" ;");
        assert_eq!(lexer.raw_until_semicolon().unwrap(), "position = (1, 2)");
        assert_eq!(lexer.raw_until_semicolon().unwrap(), "quoted; text");
        assert_eq!(lexer.raw_until_semicolon().unwrap(), "a \"b\"");
        assert!(lexer.raw_until_semicolon().is_err());
    }

    #[test]
    fn unterminated_string_and_comment_are_errors_at_their_start() {
        let mut lexer = Lexer::new("ab \"cd");
        lexer.next_token().unwrap();
        assert_eq!(lexer.next_token().unwrap_err().offset, 3);
        let mut lexer = Lexer::new("x /* never");
        lexer.next_token().unwrap();
        assert_eq!(lexer.next_token().unwrap_err().offset, 2);
    }
}
