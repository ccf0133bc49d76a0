//! Parameter learning and the CSV form of datasets.

use deepgm_bn::Network;
use deepgm_bn::SampleParams;
use deepgm_bn::{counts, LearnParams, Prior};
use deepgm_bn::{load_csv, read_csv, save_csv, write_csv, Dataset};
use deepgm_core::progress::NoProgress;
use proptest::prelude::*;

fn forward_sample(net: &Network, samples: usize, seed: u64) -> deepgm_core::Result<Dataset> {
    deepgm_bn::forward_sample(net, &SampleParams { samples, seed }, &NoProgress)
}

fn learn_parameters(net: &Network, data: &Dataset, prior: Prior) -> deepgm_core::Result<Network> {
    deepgm_bn::learn_parameters(net, data, &LearnParams { prior }, &NoProgress)
}

#[test]
fn learning_from_alarm_samples_recovers_the_tables() {
    let net = deepgm_bn::embedded::load("alarm").unwrap();
    let data = forward_sample(&net, 100_000, 17).unwrap();
    let learned = learn_parameters(&net, &data, Prior::MaximumLikelihood).unwrap();
    let bdeu = learn_parameters(&net, &data, Prior::BDeu { ess: 1.0 }).unwrap();
    let all_counts = counts(&net, &data).unwrap();
    let mut checked_rows = 0;
    for (v, var_counts) in all_counts.iter().enumerate() {
        let (truth, got, got_bdeu) = (net.cpt(v), learned.cpt(v), bdeu.cpt(v));
        assert_eq!(got.parents, truth.parents);
        let card = truth.child_card;
        for cfg in 0..truth.n_rows() {
            let count: u64 = var_counts[cfg * card..(cfg + 1) * card].iter().sum();
            if count < 500 {
                continue;
            }
            checked_rows += 1;
            for (k, (&p, &q)) in truth.row(cfg).iter().zip(got.row(cfg)).enumerate() {
                let tol = 5.0 * (p * (1.0 - p) / count as f64).sqrt() + 1e-3;
                assert!(
                    (p - q).abs() <= tol,
                    "{} [{}] state {k}: learned {q} vs true {p} from {count} rows",
                    net.variable(v).name,
                    net.config_label(v, cfg)
                );
                // With >= 500 rows the prior's pseudo-counts move BDeu(1) by < 1/500.
                assert!((got_bdeu.row(cfg)[k] - q).abs() < 2e-3);
            }
        }
    }
    // alarm has 243 rows in all; most are seen often enough to check.
    assert!(checked_rows > 100, "{checked_rows}");
}

/// A -> B, with A in {a0, a1} and B in {b0, b1, b2}.
fn tiny() -> Network {
    let mut b = Network::builder("tiny");
    b.variable("A", ["a0", "a1"]);
    b.variable("B", ["b0", "b1", "b2"]);
    b.table("A", &[], vec![0.5, 0.5]);
    b.table("B", &["A"], vec![0.2, 0.3, 0.5, 0.6, 0.2, 0.2]);
    b.build().unwrap()
}

#[test]
fn mle_and_bdeu_on_a_hand_made_dataset() {
    let net = tiny();
    // Columns in another order than the network's: B, A. A = a0 four times (B: b0, b0, b1,
    // b2); A = a1 never seen.
    let csv = "B,A\nb0,a0\nb0,a0\nb1,a0\nb2,a0\n";
    let data = read_csv(&net, csv, "tiny.csv").unwrap();
    assert_eq!(data.vars(), [1, 0]);
    let mle = learn_parameters(&net, &data, Prior::MaximumLikelihood).unwrap();
    assert_eq!(mle.cpt(0).values, [1.0, 0.0]);
    // Unseen a1: the uniform row.
    let third = 1.0 / 3.0;
    assert_eq!(mle.cpt(1).values, [0.5, 0.25, 0.25, third, third, third]);

    // BDeu, ess 1. A: q = 1, r = 2, alpha = 1/2: (4 + 1/2) / (4 + 1) = 0.9, 0.5/5 = 0.1.
    // B: q = 2, r = 3, alpha = 1/6; row a0: N = 4, (2 + 1/6) / (4 + 1/2) = 13/27,
    // (1 + 1/6) / 4.5 = 7/27 twice; row a1 unseen: the prior mean 1/3.
    let bdeu = learn_parameters(&net, &data, Prior::BDeu { ess: 1.0 }).unwrap();
    let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-15);
    assert!(
        close(&bdeu.cpt(0).values, &[0.9, 0.1]),
        "{:?}",
        bdeu.cpt(0).values
    );
    assert!(
        close(
            &bdeu.cpt(1).values,
            &[13.0 / 27.0, 7.0 / 27.0, 7.0 / 27.0, third, third, third]
        ),
        "{:?}",
        bdeu.cpt(1).values
    );
    // A larger ess pulls toward uniform: ess 6 gives alpha_B = 1, row a0 = (3, 2, 2) / 7.
    let strong = learn_parameters(&net, &data, Prior::BDeu { ess: 6.0 }).unwrap();
    assert!(close(
        &strong.cpt(1).values[..3],
        &[3.0 / 7.0, 2.0 / 7.0, 2.0 / 7.0]
    ));
    // The learned network keeps names, states and structure.
    assert_eq!(bdeu.variables(), net.variables());
    assert_eq!(bdeu.name(), "tiny");
}

#[test]
fn learning_errors() {
    let net = tiny();
    let data = read_csv(&net, "A,B\na0,b1\n", "x.csv").unwrap();
    for ess in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = learn_parameters(&net, &data, Prior::BDeu { ess }).unwrap_err();
        assert_eq!(err.kind(), deepgm_core::ErrorKind::InvalidParameter);
        assert_eq!(err.parameter(), Some("ess"), "{err}");
    }
    // A dataset missing a column (built by hand: read_csv would refuse it).
    let partial = Dataset::new(&net, vec![0], vec![0, 1, 1]).unwrap();
    let err = learn_parameters(&net, &partial, Prior::MaximumLikelihood).unwrap_err();
    assert_eq!(err.parameter(), Some("dataset"), "{err}");
    assert!(
        err.to_string().contains("no column for variable(s) B"),
        "{err}"
    );
    // An empty dataset: MLE is uniform everywhere, BDeu the prior mean (also uniform).
    let empty = read_csv(&net, "A,B\n", "x.csv").unwrap();
    assert_eq!(empty.n_rows(), 0);
    let mle = learn_parameters(&net, &empty, Prior::MaximumLikelihood).unwrap();
    assert_eq!(mle.cpt(0).values, [0.5, 0.5]);
    // Dataset::new checks its input.
    for (vars, values) in [
        (vec![0, 1], vec![0, 3]),
        (vec![0, 0], vec![0, 0]),
        (vec![0, 1], vec![0]),
        (vec![5], vec![0]),
    ] {
        let err = Dataset::new(&net, vars, values).unwrap_err();
        assert_eq!(err.parameter(), Some("dataset"), "{err}");
    }
}

#[test]
fn csv_round_trip() {
    let net = deepgm_bn::embedded::load("alarm").unwrap();
    let data = forward_sample(&net, 2000, 5).unwrap();
    let text = write_csv(&net, &data);
    assert!(text.starts_with(&format!("{},", net.variable(0).name)));
    assert_eq!(text.lines().count(), 2001);
    assert_eq!(read_csv(&net, &text, "mem.csv").unwrap(), data);

    // Through a file, written atomically.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("samples.csv");
    save_csv(&net, &data, &path).unwrap();
    assert_eq!(load_csv(&net, &path).unwrap(), data);

    // Names that need quoting, columns in another order, CRLF, spaces, quotes, blank lines.
    let mut b = Network::builder("odd");
    b.variable("x, y", ["say \"hi\"", "a,b", "plain"]);
    b.variable("z", ["1", "2"]);
    b.table("x, y", &[], vec![0.2, 0.3, 0.5]);
    b.table("z", &["x, y"], vec![0.5, 0.5, 0.1, 0.9, 1.0, 0.0]);
    let odd = b.build().unwrap();
    let data = forward_sample(&odd, 300, 1).unwrap();
    let text = write_csv(&odd, &data);
    assert!(text.starts_with("\"x, y\",z\n"), "{text}");
    assert_eq!(read_csv(&odd, &text, "odd.csv").unwrap(), data);
    let by_hand = read_csv(
        &odd,
        "\u{feff} z , \"x, y\"\r\n\r\n 2 ,  \"say \"\"hi\"\"\" \r\n\"1\",plain\r\n",
        "odd.csv",
    )
    .unwrap();
    assert_eq!(by_hand.vars(), [1, 0]);
    assert_eq!(by_hand.values(), [1, 0, 0, 2]);
}

/// A CSV error's location and message, from the fields of an [`deepgm_core::Error::Format`].
struct CsvProblem {
    line: u64,
    column: Option<u64>,
    message: String,
}

impl CsvProblem {
    fn at(&self, line: u64, column: Option<u64>) -> bool {
        (self.line, self.column) == (line, column)
    }

    fn contains(&self, text: &str) -> bool {
        self.message.contains(text)
    }
}

impl std::fmt::Display for CsvProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{:?}: {}", self.line, self.column, self.message)
    }
}

fn csv_error(text: &str) -> CsvProblem {
    let net = deepgm_bn::embedded::load("asia").unwrap();
    match read_csv(&net, text, "bad.csv").unwrap_err() {
        deepgm_core::Error::Format {
            path,
            line: Some(line),
            column,
            message,
        } => {
            assert_eq!(path.to_str(), Some("bad.csv"));
            CsvProblem {
                line,
                column,
                message,
            }
        }
        other => panic!("expected a format error with a line, got {other:?}"),
    }
}

const HEADER: &str = "asia,tub,smoke,lung,bronc,either,xray,dysp";

#[test]
fn bad_csvs_name_line_column_and_variable() {
    let row = "no,no,yes,no,yes,no,no,yes";
    // Unknown state.
    let msg = csv_error(&format!("{HEADER}\n{row}\nno,no,maybe,no,yes,no,no,yes\n"));
    assert!(
        msg.at(3, Some(3))
            && msg.contains("smoke: unknown state \"maybe\": expected one of yes, no"),
        "{msg}"
    );
    // Empty cell, quoted empty cell.
    let msg = csv_error(&format!("{HEADER}\nno,no,yes,no,yes,no, ,yes\n"));
    assert!(
        msg.at(2, Some(7)) && msg.contains("xray: missing value: expected one of yes, no"),
        "{msg}"
    );
    let msg = csv_error(&format!("{HEADER}\n\"\",no,yes,no,yes,no,no,yes\n"));
    assert!(
        msg.at(2, Some(1)) && msg.contains("asia: missing value"),
        "{msg}"
    );
    // Ragged rows (after a skipped blank line, so line numbers count it).
    let msg = csv_error(&format!("{HEADER}\n{row}\n\nno,no,yes\n"));
    assert!(
        msg.at(4, None) && msg.contains("expected 8 fields"),
        "{msg}"
    );
    assert!(msg.contains("found 3"), "{msg}");
    let msg = csv_error(&format!("{HEADER}\n{row},no\n"));
    assert!(
        msg.at(2, None) && msg.contains("expected 8 fields"),
        "{msg}"
    );
    // Missing column.
    let msg = csv_error("asia,tub,smoke,lung,bronc,either,xray\nno,no,yes,no,yes,no,no\n");
    assert!(
        msg.at(1, None) && msg.contains("missing column(s) for variable(s) dysp"),
        "{msg}"
    );
    // Extra column.
    let msg = csv_error(&format!("{HEADER},age\n{row},30\n"));
    assert!(
        msg.at(1, Some(9)) && msg.contains("unknown variable \"age\" (extra column)"),
        "{msg}"
    );
    // Repeated column.
    let msg = csv_error(&format!("{HEADER},tub\n{row},no\n"));
    assert!(
        msg.at(1, Some(9)) && msg.contains("variable tub appears twice (also column 2)"),
        "{msg}"
    );
    // Empty text; quotes.
    let msg = csv_error("");
    assert!(
        msg.at(1, None) && msg.contains("the file is empty"),
        "{msg}"
    );
    assert!(csv_error("  \n\n").contains("the file is empty"));
    let msg = csv_error(&format!("{HEADER}\n{row}\n\"no,no"));
    assert!(
        msg.at(3, Some(1)) && msg.contains("unterminated quoted value"),
        "{msg}"
    );
    let msg = csv_error(&format!("{HEADER}\n\"no\"x,no,yes,no,yes,no,no,yes\n"));
    assert!(
        msg.at(2, Some(1)) && msg.contains("unexpected text after a closing quote"),
        "{msg}"
    );
}

#[test]
fn load_csv_reports_io_and_utf8_errors() {
    let net = tiny();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.csv");
    let err = load_csv(&net, &missing).unwrap_err();
    assert_eq!(err.kind(), deepgm_core::ErrorKind::Io, "{err}");
    assert!(err.to_string().contains("none.csv"), "{err}");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, b"A,B\na0,b1\na\xff,b0\n").unwrap();
    let err = load_csv(&net, &bad).unwrap_err();
    assert!(
        matches!(&err, deepgm_core::Error::Format { line: Some(3), message, .. } if message.contains("UTF-8")),
        "{err:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn read_csv_never_panics_on_arbitrary_text(text in any::<String>()) {
        let net = tiny();
        let _ = read_csv(&net, &text, "p.csv");
    }

    #[test]
    fn read_csv_never_panics_on_csv_like_text(
        pieces in proptest::collection::vec(
            prop_oneof![
                Just("A"), Just("B"), Just("a0"), Just("a1"), Just("b2"), Just(","),
                Just("\n"), Just("\r\n"), Just("\r"), Just("\""), Just("\"\""), Just(" "),
                Just("x"), Just("\u{feff}"), Just("é"),
            ],
            0..40,
        )
    ) {
        let net = tiny();
        let text: String = pieces.concat();
        if let Ok(data) = read_csv(&net, &text, "p.csv") {
            // Whatever parses writes back and parses to the same dataset.
            prop_assert_eq!(read_csv(&net, &write_csv(&net, &data), "q.csv").unwrap(), data);
        }
    }
}
