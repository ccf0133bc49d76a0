//! Source positions for error messages: byte offsets turned into 1-based lines and columns.

use std::path::Path;

use deepgm_core::Error;

/// The 1-based line and column (in characters) of byte `offset` in `text`.
///
/// Offsets past the end, or inside a multi-byte character, are clamped to the nearest earlier
/// character boundary. A `\r\n` pair counts as one line break.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// An [`Error::Format`] on `source` whose message starts with `line L, column C:` for byte
/// `offset` of `text`.
pub(crate) fn format_error(text: &str, source: &Path, offset: usize, message: &str) -> Error {
    let (line, column) = line_col(text, offset);
    Error::format(source, format!("line {line}, column {column}: {message}"))
}

/// `bytes` as UTF-8 text without a leading byte-order mark.
///
/// # Errors
/// [`Error::Format`] on `source` with the line and column of the first invalid byte.
pub(crate) fn utf8<'a>(bytes: &'a [u8], source: &Path) -> Result<&'a str, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = e.valid_up_to();
        // The prefix up to `valid` is UTF-8 by definition.
        let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or("");
        format_error(
            prefix,
            source,
            valid,
            &format!("expected UTF-8 text, found the byte 0x{:02X}", bytes[valid]),
        )
    })
}

/// Shows a found item in an error message: short items quoted as they are, long ones cut.
pub(crate) fn show(found: &str) -> String {
    const MAX: usize = 40;
    if found.chars().count() <= MAX {
        format!("'{found}'")
    } else {
        let cut: String = found.chars().take(MAX).collect();
        format!("'{cut}...'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based_and_count_characters() {
        let text = "ab\ncé d\r\nx";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 2), (1, 3));
        assert_eq!(line_col(text, 3), (2, 1));
        // 'é' is two bytes: the space after it is the third character of line 2.
        assert_eq!(line_col(text, 6), (2, 3));
        assert_eq!(line_col(text, 5), (2, 2)); // inside 'é': clamped to its start
        assert_eq!(line_col(text, text.len() - 1), (3, 1));
        assert_eq!(line_col(text, 1000), (3, 2));
    }
}
