//! The readers never panic: arbitrary text, arbitrary bytes and mutations of real files give a
//! network or an error. Whatever parses also survives a write-then-read round trip.

use deepgm_bn::{
    embedded, parse_bif, parse_bif_bytes, parse_xmlbif, parse_xmlbif_bytes, write_bif, write_xmlbif,
};
use proptest::prelude::*;

/// Parses with both readers; what parses must round-trip through its own format.
fn check(text: &str) {
    if let Ok(net) = parse_bif(text, "fuzz.bif") {
        let again = parse_bif(&write_bif(&net), "again.bif").expect("written BIF reads back");
        assert_eq!(again, net);
    }
    if let Ok(net) = parse_xmlbif(text, "fuzz.xml") {
        let again =
            parse_xmlbif(&write_xmlbif(&net), "again.xml").expect("written XMLBIF reads back");
        assert_eq!(again, net);
    }
}

/// Characters that matter to the grammars, and some that do not.
const INTERESTING: &[char] = &[
    '{', '}', '(', ')', '[', ']', ';', ',', '|', '"', '\\', '/', '*', '\n', ' ', '0', '1', '.',
    'e', '-', '<', '>', '&', '=', '#', 'x', 'é', '\u{0}', 'A', 'a',
];

fn mutated(base: &'static str) -> impl Strategy<Value = String> {
    let n = base.chars().count();
    proptest::collection::vec(
        (
            0..n,
            0u8..4,
            proptest::sample::select(INTERESTING),
            1usize..20,
        ),
        1..6,
    )
    .prop_map(move |edits| {
        let mut chars: Vec<char> = base.chars().collect();
        for (at, op, c, len) in edits {
            let at = at.min(chars.len());
            match op {
                0 => chars.insert(at, c),
                1 => {
                    let end = (at + len).min(chars.len());
                    chars.drain(at..end);
                }
                2 if at < chars.len() => chars[at] = c,
                _ => {
                    // Duplicate a span (repeats blocks, rows, elements).
                    let end = (at + len * 4).min(chars.len());
                    let span: Vec<char> = chars[at..end].to_vec();
                    chars.splice(at..at, span);
                }
            }
        }
        chars.into_iter().collect()
    })
}

/// BIF-like token soup: the grammar's words in random order.
fn bif_tokens() -> impl Strategy<Value = String> {
    let words = proptest::sample::select(vec![
        "network",
        "variable",
        "probability",
        "type",
        "discrete",
        "property x = 1;",
        "table",
        "default",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ";",
        ",",
        "|",
        "2",
        "3",
        "0.5",
        "1",
        "0",
        "A",
        "B",
        "a0",
        "a1",
        "\"q q\"",
        "//c\n",
        "/*c*/",
        "1e-3",
    ]);
    proptest::collection::vec(words, 0..80).prop_map(|w| w.join(" "))
}

/// Structurally valid networks with random edits to counts, names and numbers.
fn near_valid_bif() -> impl Strategy<Value = String> {
    (0usize..4, 0usize..4, 0usize..4, proptest::collection::vec(0u8..3, 0..12)).prop_map(|(ca, cx, np, vals)| {
        let states = |n: usize, p: &str| (0..n).map(|i| format!("{p}{i}")).collect::<Vec<_>>().join(", ");
        let numbers: Vec<&str> = vals.iter().map(|v| ["0.5", "1", "0"][*v as usize]).collect();
        format!(
            "variable A {{ type discrete [ {ca} ] {{ {} }}; }}\nvariable X {{ type discrete [ {cx} ] {{ {} }}; }}\n\
             probability ( A ) {{ table {}; }}\nprobability ( X{} ) {{ table {}; }}",
            states(ca, "a"),
            states(cx, "x"),
            numbers.join(", "),
            if np > 0 { " | A" } else { "" },
            numbers.join(" "),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_text(text in "\\PC{0,300}") {
        check(&text);
    }

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_bif_bytes(&bytes, "fuzz.bif");
        let _ = parse_xmlbif_bytes(&bytes, "fuzz.xml");
    }

    #[test]
    fn mutations_of_asia_bif(text in mutated(embedded::ASIA)) {
        check(&text);
    }

    #[test]
    fn mutations_of_asia_xmlbif(text in mutated(asia_xml())) {
        check(&text);
    }

    #[test]
    fn bif_token_soup(text in bif_tokens()) {
        check(&text);
    }

    #[test]
    fn near_valid_networks(text in near_valid_bif()) {
        check(&text);
    }
}

/// asia as XMLBIF text, written once.
fn asia_xml() -> &'static str {
    static XML: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    XML.get_or_init(|| write_xmlbif(&embedded::load("asia").unwrap()))
}

#[test]
fn mutations_keep_some_inputs_valid() {
    // The mutation strategy is only useful if the base texts parse.
    assert!(parse_bif(embedded::ASIA, "asia").is_ok());
    assert!(parse_xmlbif(asia_xml(), "asia").is_ok());
}
