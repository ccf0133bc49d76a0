//! Helpers for error messages: byte offsets turned into 1-based lines and columns, lists of
//! names cut to a readable length, and "did you mean" suggestions.

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

/// An [`Error::Format`] on `source` at the line and column of byte `offset` of `text`.
pub(crate) fn format_error(text: &str, source: &Path, offset: usize, message: &str) -> Error {
    let (line, column) = line_col(text, offset);
    Error::format_at(source, line as u64, Some(column as u64), message)
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

/// How many state names an error message lists.
pub(crate) const STATES_LISTED: usize = 12;

/// How many missing CSV columns an error message lists.
pub(crate) const MISSING_COLUMNS_LISTED: usize = 10;

/// Names joined by ", ", the first `limit` of them, then "... (N in all)" when there are more.
pub(crate) fn list_names<S: AsRef<str>>(names: &[S], limit: usize) -> String {
    let shown: Vec<&str> = names.iter().take(limit).map(AsRef::as_ref).collect();
    if names.len() > limit {
        format!("{}, ... ({} in all)", shown.join(", "), names.len())
    } else {
        shown.join(", ")
    }
}

/// The candidates closest to `name`, best first (at most three): those equal up to letter case,
/// then those within an edit distance of a third of the name's length (at least 1, at most 3).
pub(crate) fn closest<'a, S: AsRef<str>>(name: &str, candidates: &'a [S]) -> Vec<&'a str> {
    let lower = name.to_lowercase();
    let budget = (lower.chars().count() / 3).clamp(1, 3);
    let mut scored: Vec<(usize, &str)> = candidates
        .iter()
        .map(AsRef::as_ref)
        .filter_map(|c| {
            let d = edit_distance(&lower, &c.to_lowercase());
            (d <= budget).then_some((d, c))
        })
        .collect();
    scored.sort_by_key(|&(d, _)| d);
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// " (did you mean `a` or `b`?)" for the closest candidates, or nothing.
pub(crate) fn did_you_mean<S: AsRef<str>>(name: &str, candidates: &[S]) -> String {
    let near = closest(name, candidates);
    if near.is_empty() {
        return String::new();
    }
    let quoted: Vec<String> = near.iter().map(|c| format!("`{c}`")).collect();
    format!(" (did you mean {}?)", quoted.join(" or "))
}

/// Levenshtein distance between two strings, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
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

    #[test]
    fn edit_distance_and_suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("smoke", "smoke"), 0);
        let names = [
            "asia", "tub", "smoke", "lung", "bronc", "either", "xray", "dysp",
        ];
        assert_eq!(closest("Smoke", &names), vec!["smoke"]);
        assert_eq!(closest("smok", &names), vec!["smoke"]);
        assert_eq!(closest("lungs", &names), vec!["lung"]);
        assert!(closest("pressure", &names).is_empty());
        assert_eq!(did_you_mean("brnc", &names), " (did you mean `bronc`?)");
        assert_eq!(did_you_mean("zzzzzz", &names), "");
    }

    #[test]
    fn long_lists_are_cut_with_the_count() {
        let names: Vec<String> = (0..30).map(|i| format!("v{i}")).collect();
        assert_eq!(list_names(&names[..3], 5), "v0, v1, v2");
        assert_eq!(list_names(&names, 2), "v0, v1, ... (30 in all)");
    }
}
