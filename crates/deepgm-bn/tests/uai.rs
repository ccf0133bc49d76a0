//! The UAI reader and writer: both preambles, evidence files in both forms, round trips, every
//! malformed case as a Format error at the right line and column, and no panic on any input.

use std::path::PathBuf;

use deepgm_bn::{
    load_model, parse_uai, parse_uai_evidence, write_uai, write_uai_bayes, write_uai_evidence,
    write_uai_markov, Evidence, MarkovNetwork, Model, Potential, Variable,
};
use deepgm_core::{Error, ErrorKind};
use proptest::prelude::*;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/uai")
        .join(name)
}

fn tiny_text() -> String {
    std::fs::read_to_string(data("tiny.uai")).unwrap()
}

fn chain_text() -> String {
    std::fs::read_to_string(data("chain.uai")).unwrap()
}

/// The text with line `line` (1-based) replaced.
fn with_line(text: &str, line: usize, replacement: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    lines[line - 1] = replacement;
    lines.join("\n") + "\n"
}

/// The line, column and message of a Format error.
fn located(err: &Error) -> (u64, u64, String) {
    match err {
        Error::Format {
            line: Some(line),
            column: Some(column),
            message,
            ..
        } => (*line, *column, message.clone()),
        other => panic!("expected a located Format error, got {other:?}"),
    }
}

#[test]
fn a_markov_file_reads_with_the_last_variable_fastest() {
    let Model::Markov(net) = load_model(data("tiny.uai")).unwrap() else {
        panic!("MARKOV reads as a Markov network")
    };
    assert_eq!(net.n_variables(), 3);
    assert_eq!(net.variable(2).name, "2");
    assert_eq!(net.variable(2).states, ["0", "1", "2"]);
    assert_eq!(net.potentials().len(), 3);
    // Factor 2 is over (1, 2): phi(x1 = 1, x2 = 0) is the fourth value, 2.
    assert_eq!(net.potential_value(2, &[0, 1, 0]), 2.0);
    assert_eq!(net.potential_value(2, &[0, 0, 2]), 3.0);
    assert_eq!(net.potential_value(1, &[1, 0, 0]), 3.0);
    // Any letter case for the preamble.
    let lower = tiny_text().replacen("MARKOV", "markov", 1);
    assert_eq!(
        parse_uai(&lower, "x.uai").unwrap(),
        Model::Markov(net.clone())
    );
    // `load` wants a Bayesian network and says where to go instead.
    let err = deepgm_bn::load(data("tiny.uai")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Format);
    assert!(err.to_string().contains("load_model"), "{err}");
}

#[test]
fn a_bayes_file_reads_as_a_bayesian_network() {
    let net = deepgm_bn::load(data("chain.uai")).unwrap();
    assert_eq!(net.parents(1), [0]);
    assert_eq!(net.parents(2), [1]);
    assert_eq!(net.cpt(2).row(1), [0.05, 0.95]);
    let Model::Bayesian(again) = load_model(data("chain.uai")).unwrap() else {
        panic!("BAYES reads as a Bayesian network")
    };
    assert_eq!(again, net);
    // P(x2 = 1) = 0.3 (0.9 0.4 + 0.1 0.95) + 0.7 (0.2 0.4 + 0.8 0.95).
    let evidence = deepgm_bn::load_uai_evidence(data("chain.uai.evid"), &net).unwrap();
    let answer = deepgm_bn::query(
        &net,
        &evidence,
        None,
        &Default::default(),
        &deepgm_core::progress::NoProgress,
    )
    .unwrap();
    let expected = 0.3 * (0.9 * 0.4 + 0.1 * 0.95) + 0.7 * (0.2 * 0.4 + 0.8 * 0.95);
    assert!((answer.log_evidence - f64::ln(expected)).abs() < 1e-12);
}

#[test]
fn written_models_read_back_bit_for_bit() {
    for name in ["asia", "alarm"] {
        let net = deepgm_bn::embedded::load(name).unwrap();
        let text = write_uai_bayes(&net);
        assert!(text.starts_with("BAYES\n"));
        let Model::Bayesian(again) = parse_uai(&text, "x.uai").unwrap() else {
            panic!("{name}")
        };
        assert_eq!(again.n_variables(), net.n_variables());
        for (a, b) in net.cpts().iter().zip(again.cpts()) {
            assert_eq!(a.parents, b.parents, "{name}");
            assert_eq!(a.values.len(), b.values.len());
            for (x, y) in a.values.iter().zip(&b.values) {
                assert_eq!(x.to_bits(), y.to_bits(), "{name}");
            }
        }
        // Once names are indices, the round trip is the identity.
        assert_eq!(write_uai_bayes(&again), text);
        let markov = MarkovNetwork::from_network(&again);
        let text = write_uai_markov(&markov);
        let model = parse_uai(&text, "x.uai").unwrap();
        assert_eq!(model, Model::Markov(markov.with_name("unknown")));
        assert_eq!(write_uai(&model), text);
    }
    let tiny = load_model(data("tiny.uai")).unwrap();
    assert_eq!(parse_uai(&write_uai(&tiny), "again.uai").unwrap(), tiny);
}

#[test]
fn models_save_and_load_by_extension_gzip_included() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = load_model(data("tiny.uai")).unwrap();
    for file in ["t.uai", "t.uai.gz"] {
        let path = dir.path().join(file);
        deepgm_bn::save_model(&tiny, &path).unwrap();
        assert_eq!(load_model(&path).unwrap(), tiny, "{file}");
    }
    // An unknown extension is sniffed.
    let odd = dir.path().join("t.model");
    std::fs::write(&odd, tiny_text()).unwrap();
    assert_eq!(load_model(&odd).unwrap(), tiny);
    // BIF and XMLBIF cannot hold a Markov network.
    for file in ["t.bif", "t.xml"] {
        let err = deepgm_bn::save_model(&tiny, dir.path().join(file)).unwrap_err();
        assert_eq!(err.parameter(), Some("output"), "{file}");
        assert!(err.to_string().contains("Markov network"), "{err}");
    }
    // A Bayesian network goes everywhere: BIF -> UAI -> BIF keeps the tables.
    let asia = deepgm_bn::embedded::load("asia").unwrap();
    deepgm_bn::save(&asia, dir.path().join("asia.uai")).unwrap();
    let read = deepgm_bn::load(dir.path().join("asia.uai")).unwrap();
    deepgm_bn::save_model(&Model::Bayesian(read.clone()), dir.path().join("asia.bif")).unwrap();
    let back = deepgm_bn::load(dir.path().join("asia.bif")).unwrap();
    assert_eq!(back, read);
    assert_eq!(back.cpts(), asia.cpts());
}

#[test]
fn evidence_files_with_and_without_the_sample_count() {
    let net = load_model(data("tiny.uai")).unwrap();
    let from_file = deepgm_bn::load_uai_evidence(data("tiny.uai.evid"), &net).unwrap();
    assert_eq!(from_file.pairs(), [(2, 0)]);
    let plain = parse_uai_evidence("2 0 1 1 0", &net, "e").unwrap();
    let counted = parse_uai_evidence("1\n2\n0 1\n1 0\n", &net, "e").unwrap();
    assert_eq!(plain, counted);
    assert_eq!(plain.pairs(), [(0, 1), (1, 0)]);
    assert_eq!(
        parse_uai_evidence(&write_uai_evidence(&plain), &net, "e").unwrap(),
        plain
    );
    for none in ["", "0", "1 0", "\n 0 \n"] {
        assert_eq!(
            parse_uai_evidence(none, &net, "e").unwrap(),
            Evidence::none(),
            "{none:?}"
        );
    }
    let cases = [
        ("2 0 1", (1, 1), "the evidence count is 2"),
        ("1 5 0", (1, 3), "variable 5 is out of range"),
        ("1 0 7", (1, 5), "state 7 of variable 0"),
        ("2 0 1 0 0", (1, 7), "observed twice"),
        ("3 1 0 1 0 0", (1, 1), "3 evidence samples"),
        ("1 x 0", (1, 3), "whole number"),
        ("1\n1\n2 -1", (3, 3), "whole number"),
    ];
    for (text, (line, column), message) in cases {
        let err = parse_uai_evidence(text, &net, "e.evid").unwrap_err();
        let (l, c, m) = located(&err);
        assert_eq!((l, c), (line, column), "{text:?}: {err}");
        assert!(m.contains(message), "{text:?}: {err}");
    }
}

#[test]
fn malformed_files_are_format_errors_at_the_right_place() {
    let tiny = tiny_text();
    let mut truncated: Vec<&str> = tiny.lines().collect();
    truncated.pop();
    let truncated = truncated.join("\n") + "\n";
    let cases: Vec<(String, (u64, u64), &str)> = vec![
        (String::new(), (1, 1), "the preamble MARKOV or BAYES"),
        (with_line(&tiny, 1, "MRF"), (1, 1), "expected the preamble"),
        (with_line(&tiny, 2, "3.0"), (2, 1), "whole number"),
        (
            with_line(&tiny, 2, "1000000000000"),
            (2, 1),
            "could hold at most",
        ),
        (with_line(&tiny, 3, "2 0 3"), (3, 3), "cardinality 0"),
        (
            with_line(&tiny, 4, "1000000000000"),
            (4, 1),
            "could hold at most",
        ),
        (with_line(&tiny, 5, "4 0 1 2 0"), (5, 1), "would repeat"),
        (
            with_line(&tiny, 6, "2 0 0"),
            (6, 5),
            "lists variable 0 twice",
        ),
        (
            with_line(&tiny, 7, "2 1 3"),
            (7, 5),
            "variable 3, but the variables are 0 to 2",
        ),
        (
            with_line(&tiny, 12, "5"),
            (12, 1),
            "has 5 entries, expected 4",
        ),
        (with_line(&tiny, 12, "1000000000000"), (12, 1), "expected 4"),
        (
            with_line(&tiny, 10, "-0.4 0.6"),
            (10, 1),
            "expected a finite number >= 0",
        ),
        (
            with_line(&tiny, 10, "0.4 nan"),
            (10, 5),
            "finite number >= 0",
        ),
        (with_line(&tiny, 13, "inf 2"), (13, 1), "finite number >= 0"),
        (
            with_line(&tiny, 13, "1 1e999"),
            (13, 3),
            "finite number >= 0",
        ),
        (
            with_line(&tiny, 14, "3 one"),
            (14, 3),
            "(a number), found 'one'",
        ),
        (truncated, (16, 1), "could hold at most 3: is it truncated?"),
        (
            with_line(&tiny, 18, "2.000000 1.00000"),
            (19, 1),
            "the file ends where value 5 of factor 2's table",
        ),
        (
            tiny.clone() + "7\n",
            (19, 1),
            "unexpected '7' after the last table",
        ),
        (
            tiny.lines().take(4).collect::<Vec<_>>().join("\n"),
            (4, 1),
            "the number of factors is 3, but the rest of the file could hold at most 0",
        ),
        (
            tiny.lines().take(7).collect::<Vec<_>>().join("\n"),
            (7, 6),
            "the file ends where the number of entries of factor 0's table was expected",
        ),
    ];
    for (text, (line, column), message) in cases {
        let err = parse_uai(&text, "bad.uai").unwrap_err();
        let (l, c, m) = located(&err);
        assert_eq!((l, c), (line, column), "{message}: {err}");
        assert!(m.contains(message), "expected '{message}': {err}");
        assert!(err.to_string().starts_with("bad.uai:"), "{err}");
    }
}

#[test]
fn malformed_bayes_files_point_at_the_factor() {
    let chain = chain_text();
    let cases: Vec<(String, (u64, u64), &str)> = vec![
        // Row 1 of factor 1 (line 14) sums to 0.9.
        (with_line(&chain, 14, "0.2 0.7"), (14, 1), "sum"),
        (
            with_line(&chain, 7, "2 0 1"),
            (7, 1),
            "second table of variable 1",
        ),
        (
            "BAYES\n1\n2\n2\n0\n1 0\n1 1\n2 0.5 0.5\n".into(),
            (5, 1),
            "empty scope",
        ),
        (
            "BAYES\n2\n2 2\n1\n1 0\n2 0.5 0.5\n".into(),
            (4, 1),
            "variable 1 has no table",
        ),
    ];
    for (text, (line, column), message) in cases {
        let err = parse_uai(&text, "bad.uai").unwrap_err();
        let (l, c, m) = located(&err);
        assert_eq!((l, c), (line, column), "{message}: {err}");
        assert!(m.contains(message), "expected '{message}': {err}");
    }
    let cycle = "BAYES\n2\n2 2\n2\n2 1 0\n2 0 1\n4 0.5 0.5 0.5 0.5\n4 0.5 0.5 0.5 0.5\n";
    let err = parse_uai(cycle, "cycle.uai").unwrap_err();
    let (line, _, message) = located(&err);
    assert!(message.contains("cycle"), "{err}");
    assert!(line == 5 || line == 6, "{err}");
}

/// A Markov network named as a UAI file names it, with random scopes and values.
fn markov_strategy() -> impl Strategy<Value = MarkovNetwork> {
    (1usize..6, proptest::collection::vec(1usize..4, 6))
        .prop_flat_map(|(n, cards)| {
            let cards: Vec<usize> = cards[..n].to_vec();
            let factor = proptest::sample::subsequence((0..n).collect::<Vec<_>>(), 0..=n.min(3))
                .prop_shuffle()
                .prop_flat_map({
                    let cards = cards.clone();
                    move |scope| {
                        let entries: usize = scope.iter().map(|&v| cards[v]).product();
                        let values = proptest::collection::vec(
                            prop_oneof![Just(0.0), 0.0f64..1e3, 1e-300f64..1e-290],
                            entries,
                        );
                        (Just(scope), values)
                    }
                });
            (Just(cards), proptest::collection::vec(factor, 0..5))
        })
        .prop_map(|(cards, factors)| {
            let variables = cards
                .iter()
                .enumerate()
                .map(|(i, &c)| Variable::new(i.to_string(), (0..c).map(|s| s.to_string())))
                .collect();
            let potentials = factors
                .into_iter()
                .map(|(scope, values)| Potential::new(scope, values))
                .collect();
            MarkovNetwork::new("unknown", variables, potentials).unwrap()
        })
}

/// Characters that matter to the grammar, and some that do not.
const INTERESTING: &[char] = &[
    '0', '1', '2', '9', ' ', '\n', '.', '-', 'e', 'E', '+', 'n', 'a', 'i', 'f', 'M', 'B', '\t',
    '\u{0}', 'é',
];

fn mutated(base: String) -> impl Strategy<Value = String> {
    let n = base.chars().count();
    proptest::collection::vec(
        (
            0..n,
            0u8..4,
            proptest::sample::select(INTERESTING),
            1usize..8,
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
                    let end = (at + len * 3).min(chars.len());
                    let span: Vec<char> = chars[at..end].to_vec();
                    chars.splice(at..at, span);
                }
            }
        }
        chars.into_iter().collect()
    })
}

/// What parses writes and reads back to the same model; nothing panics.
fn check(text: &str) {
    if let Ok(model) = parse_uai(text, "fuzz.uai") {
        let again = parse_uai(&write_uai(&model), "again.uai").expect("written UAI reads back");
        assert_eq!(again, model);
        if let Ok(evidence) = parse_uai_evidence(text, &model, "fuzz.evid") {
            assert!(Evidence::from_pairs(&model, evidence.pairs()).is_ok());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_markov_network_round_trips(net in markov_strategy()) {
        let model = Model::Markov(net);
        let text = write_uai(&model);
        prop_assert_eq!(parse_uai(&text, "x.uai").unwrap(), model);
    }

    #[test]
    fn mutated_files_never_panic(text in mutated(tiny_text())) {
        check(&text);
    }

    #[test]
    fn mutated_bayes_files_never_panic(text in mutated(chain_text())) {
        check(&text);
    }

    #[test]
    fn number_soup_never_panics(words in proptest::collection::vec(
        prop_oneof![
            Just("MARKOV".to_string()),
            Just("BAYES".to_string()),
            (0u64..5).prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            (0.0f64..2.0).prop_map(|v| v.to_string()),
        ],
        0..40,
    )) {
        check(&words.join(" "));
        let net = MarkovNetwork::from_network(&deepgm_bn::embedded::load("asia").unwrap());
        let _ = parse_uai_evidence(&words.join(" "), &net, "soup.evid");
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(model) = deepgm_bn::parse_uai_bytes(&bytes, "bytes.uai") {
            prop_assert_eq!(parse_uai(&write_uai(&model), "again.uai").unwrap(), model);
        }
    }
}
