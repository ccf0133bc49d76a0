//! The BIF writer: bnlearn's layout, one row per parent configuration.

use std::fmt::Write as _;

use crate::network::Network;

/// Whether `name` must be quoted to read back as one word.
fn needs_quotes(name: &str) -> bool {
    name.is_empty()
        || name.contains("//")
        || name.contains("/*")
        || name.chars().any(|c| {
            c.is_whitespace()
                || matches!(c, '{' | '}' | '(' | ')' | '[' | ']' | ';' | ',' | '|' | '"')
        })
}

/// `"..."` with `\` and `"` escaped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A name as it must appear in BIF: bare when possible, quoted otherwise.
pub(crate) fn name(text: &str) -> String {
    if needs_quotes(text) {
        quoted(text)
    } else {
        text.to_string()
    }
}

/// A property text as it must appear between `property` and `;`.
fn property(text: &str) -> String {
    let bare = !text.is_empty()
        && !text.contains([';', '"'])
        && !text.contains("//")
        && !text.contains("/*")
        && text.trim() == text;
    if bare {
        text.to_string()
    } else {
        quoted(text)
    }
}

/// A probability written so that it reads back to the same `f64`, bit for bit: Rust's shortest
/// round-trip representation, in plain decimal for ordinary magnitudes and with an exponent for
/// very small or very large ones (plain decimal would spell out hundreds of zeros).
pub(crate) fn number(value: f64) -> String {
    let magnitude = value.abs();
    if value == 0.0 || (1e-5..1e16).contains(&magnitude) {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

/// The network as BIF text (see [`crate::write_bif`]).
pub(crate) fn write(net: &Network) -> String {
    let mut out = String::with_capacity(64 * net.n_variables() + 24 * net.n_parameters());
    let net_name = if net.name().is_empty() {
        "unknown"
    } else {
        net.name()
    };
    // `write!` to a String cannot fail.
    let _ = writeln!(out, "network {} {{", name(net_name));
    for p in net.properties() {
        let _ = writeln!(out, "  property {};", property(p));
    }
    out.push_str("}\n");
    for v in net.variables() {
        let states: Vec<String> = v.states.iter().map(|s| name(s)).collect();
        let _ = writeln!(out, "variable {} {{", name(&v.name));
        let _ = writeln!(
            out,
            "  type discrete [ {} ] {{ {} }};",
            v.states.len(),
            states.join(", ")
        );
        for p in &v.properties {
            let _ = writeln!(out, "  property {};", property(p));
        }
        out.push_str("}\n");
    }
    for (i, cpt) in net.cpts().iter().enumerate() {
        let child = name(&net.variable(i).name);
        let values_of = |row: &[f64]| {
            row.iter()
                .map(|&v| number(v))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if cpt.parents.is_empty() {
            let _ = writeln!(out, "probability ( {child} ) {{");
            let _ = writeln!(out, "  table {};", values_of(&cpt.values));
        } else {
            let parents: Vec<String> = cpt
                .parents
                .iter()
                .map(|&p| name(&net.variable(p).name))
                .collect();
            let _ = writeln!(out, "probability ( {child} | {} ) {{", parents.join(", "));
            // State names of each parent, quoted once.
            let parent_states: Vec<Vec<String>> = cpt
                .parents
                .iter()
                .map(|&p| net.variable(p).states.iter().map(|s| name(s)).collect())
                .collect();
            let mut states = vec![0usize; cpt.parents.len()];
            for config in 0..cpt.n_rows() {
                let labels: Vec<&str> = states
                    .iter()
                    .zip(&parent_states)
                    .map(|(&s, names)| names[s].as_str())
                    .collect();
                let _ = writeln!(
                    out,
                    "  ({}) {};",
                    labels.join(", "),
                    values_of(cpt.row(config))
                );
                // Next configuration: the last parent varies fastest.
                for (slot, &card) in states.iter_mut().zip(&cpt.parent_cards).rev() {
                    *slot += 1;
                    if *slot < card {
                        break;
                    }
                    *slot = 0;
                }
            }
        }
        out.push_str("}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_only_when_needed() {
        assert_eq!(name(">=7.5"), ">=7.5");
        assert_eq!(name("Asy/Patch"), "Asy/Patch");
        assert_eq!(name("a b"), "\"a b\"");
        assert_eq!(name("a,b"), "\"a,b\"");
        assert_eq!(name("x//y"), "\"x//y\"");
        assert_eq!(name("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
        assert_eq!(name(""), "\"\"");
    }

    #[test]
    fn numbers_round_trip_bit_exactly() {
        for v in [
            0.0,
            1.0,
            0.1,
            1.0 / 3.0,
            9.999e-1,
            1e-7,
            1.543138e-05,
            5e-324,
            0.30000000000000004,
        ] {
            let text = number(v);
            assert_eq!(
                text.parse::<f64>().unwrap().to_bits(),
                v.to_bits(),
                "{text}"
            );
        }
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(1e-7), "1e-7");
    }
}
