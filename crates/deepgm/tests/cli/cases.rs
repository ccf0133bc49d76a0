//! End-to-end tests of `deepgm bn query NET --cases FILE.csv`: every row's answer equals a
//! separate `bn query --evidence ... --json`, the CSV output holds the same numbers, and bad
//! case files exit 2 naming the file, line and column.

use std::path::Path;

use serde_json::Value;

use crate::common::{deepgm, json, stderr};

/// Writes `text` to `name` in `dir` and returns the path as text.
fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The `--evidence` text of a case file's row (cells of `header`, empty ones skipped).
fn evidence_text(header: &[&str], row: &[&str]) -> String {
    header
        .iter()
        .zip(row)
        .filter(|(_, cell)| !cell.is_empty())
        .map(|(var, cell)| format!("{var}={cell}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Asserts that two reports' marginals (same variables and states) and log_evidence agree to
/// 1e-12, and that they name the same evidence.
fn assert_same_answer(ours: &Value, theirs: &Value, what: &str) {
    let d =
        (ours["log_evidence"].as_f64().unwrap() - theirs["log_evidence"].as_f64().unwrap()).abs();
    assert!(d <= 1e-12, "{what}: log_evidence differs by {d:e}");
    assert_eq!(ours["evidence"], theirs["evidence"], "{what}");
    let (a, b) = (
        ours["marginals"].as_object().unwrap(),
        theirs["marginals"].as_object().unwrap(),
    );
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{what}"
    );
    for (var, states) in b {
        for (state, p) in states.as_object().unwrap() {
            let q = a[var][state].as_f64().unwrap();
            assert!(
                (q - p.as_f64().unwrap()).abs() <= 1e-12,
                "{what}: {var}={state} {q} vs {p}"
            );
        }
    }
}

const HEADER: [&str; 5] = ["HRBP", "CO", "BP", "LVFAILURE", "HISTORY"];
const ROWS: [[&str; 5]; 5] = [
    ["HIGH", "LOW", "", "", ""],
    ["", "", "", "", ""],
    ["NORMAL", "", "LOW", "TRUE", ""],
    ["", "HIGH", "", "", "TRUE"],
    ["LOW", "NORMAL", "HIGH", "FALSE", "FALSE"],
];

fn alarm_cases(dir: &Path) -> String {
    let mut text = HEADER.join(",") + "\n";
    for row in ROWS {
        text += &(row.join(",") + "\n");
    }
    write(dir, "cases.csv", &text)
}

#[test]
fn every_case_equals_a_separate_query() {
    let dir = tempfile::tempdir().unwrap();
    let cases = alarm_cases(dir.path());
    let out = deepgm(&["bn", "query", "builtin:alarm", "--cases", &cases, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    let reports = v["cases"].as_array().unwrap();
    assert_eq!(reports.len(), ROWS.len());
    assert!(v["seconds"].as_f64().unwrap() >= 0.0);
    assert!(v["compile_seconds"].as_f64().unwrap() >= 0.0);
    for (i, (row, ours)) in ROWS.iter().zip(reports).enumerate() {
        let evidence = evidence_text(&HEADER, row);
        let theirs = json(&deepgm(&[
            "bn",
            "query",
            "builtin:alarm",
            "--evidence",
            &evidence,
            "--json",
        ]));
        assert_same_answer(ours, &theirs, &format!("case {i} ({evidence})"));
        assert_eq!(ours["method"], "jt");
        assert_eq!(ours["detail"]["pruned_variables"], 37);
    }
    // --target restricts every case's marginals, in the order asked.
    let out = deepgm(&[
        "bn",
        "query",
        "builtin:alarm",
        "--cases",
        &cases,
        "--target",
        "MINVOL,PCWP",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    for (i, (row, ours)) in ROWS
        .iter()
        .zip(json(&out)["cases"].as_array().unwrap())
        .enumerate()
    {
        let theirs = json(&deepgm(&[
            "bn",
            "query",
            "builtin:alarm",
            "--evidence",
            &evidence_text(&HEADER, row),
            "--target",
            "MINVOL,PCWP",
            "--json",
        ]));
        assert_same_answer(ours, &theirs, &format!("case {i} with targets"));
    }
}

#[test]
fn the_csv_output_holds_each_cases_posteriors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = alarm_cases(dir.path());
    let output = dir.path().join("posteriors.csv");
    let out = deepgm(&[
        "bn",
        "query",
        "builtin:alarm",
        "--cases",
        &cases,
        "--json",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let reports = json(&out)["cases"].as_array().unwrap().clone();
    let text = std::fs::read_to_string(&output).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&header[..2], ["case", "log_evidence"]);
    assert!(header.contains(&"HRBP=HIGH") && header.contains(&"LVFAILURE=TRUE"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), ROWS.len());
    for (i, (row, report)) in rows.iter().zip(&reports).enumerate() {
        assert_eq!(row.len(), header.len(), "row {i}");
        assert_eq!(row[0], i.to_string());
        // The same numbers (serde_json's reader may round the last bit of what it parses).
        let same = |cell: &str, v: &Value| {
            let (a, b) = (cell.parse::<f64>().unwrap(), v.as_f64().unwrap());
            (a - b).abs() <= 1e-15 * b.abs().max(1.0)
        };
        assert!(same(row[1], &report["log_evidence"]), "row {i}");
        for (column, cell) in header.iter().zip(row).skip(2) {
            let (var, state) = column.split_once('=').unwrap();
            match report["marginals"].get(var) {
                Some(m) => assert!(same(cell, &m[state]), "row {i}, {column}"),
                // Observed in this case: no posterior.
                None => assert_eq!(*cell, "", "row {i}, {column}"),
            }
        }
    }
    // Text output with -o: a line saying what was written.
    let out = deepgm(&[
        "bn",
        "query",
        "builtin:alarm",
        "--cases",
        &cases,
        "-t",
        "PCWP",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(crate::common::stdout(&out).contains("5 cases"));
    let text = std::fs::read_to_string(&output).unwrap();
    assert!(text.starts_with("case,log_evidence,PCWP=LOW,PCWP=NORMAL,PCWP=HIGH\n"));
    assert_eq!(text.lines().count(), 1 + ROWS.len());
}

#[test]
fn bad_case_files_exit_2_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let bad = [
        (
            "unknown_column.csv",
            "HRBP,BOGUS\nHIGH,x\n",
            ":1:2: unknown column",
            "BOGUS",
        ),
        (
            "unknown_state.csv",
            "HRBP,CO\nHIGH,LOW\nHIGH,MEDIUM\n",
            ":3:2:",
            "CO has no state `MEDIUM`",
        ),
        (
            "ragged.csv",
            "HRBP,CO\nHIGH,LOW\n\nHIGH\n",
            ":4:",
            "expected 2 fields",
        ),
        ("repeated.csv", "CO,HRBP,CO\n", ":1:3:", "appears twice"),
        ("empty.csv", "", ":1:", "empty"),
        (
            "unterminated.csv",
            "HRBP,CO\n\"HIGH,LOW\n",
            ":2:1:",
            "unterminated",
        ),
    ];
    for (name, text, place, message) in bad {
        let path = write(dir.path(), name, text);
        let out = deepgm(&["bn", "query", "builtin:alarm", "--cases", &path]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(&format!("{path}{place}")), "{name}: {err}");
        assert!(err.contains(message), "{name}: {err}");
    }
    // Impossible evidence names its line; a target observed in a case names its cell.
    let asia = write(
        dir.path(),
        "asia.csv",
        "smoke,tub,either\nyes,,\nno,yes,no\n",
    );
    let out = deepgm(&["bn", "query", "builtin:asia", "--cases", &asia]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!("{asia}:3: ")),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("probability zero"));
    let out = deepgm(&[
        "bn",
        "query",
        "builtin:asia",
        "--cases",
        &asia,
        "--target",
        "lung,tub",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&format!("{asia}:3:2: tub is observed")));
    // --cases with --evidence, or with a sampling method, is a usage error.
    let ok = write(dir.path(), "ok.csv", "smoke\nyes\n");
    for extra in [&["--evidence", "dysp=yes"][..], &["--method", "lw"]] {
        let mut args = vec!["bn", "query", "builtin:asia", "--cases", &ok];
        args.extend_from_slice(extra);
        assert_eq!(deepgm(&args).status.code(), Some(2), "{extra:?}");
    }
    // A missing file is an I/O error naming it.
    let missing = dir.path().join("missing.csv").display().to_string();
    let out = deepgm(&["bn", "query", "builtin:asia", "--cases", &missing]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.csv"));
}

#[test]
fn help_shows_a_cases_example() {
    let out = deepgm(&["bn", "query", "--help"]);
    let text = crate::common::stdout(&out);
    assert!(text.contains("--cases"));
    assert!(text.contains("deepgm bn query alarm.bif.gz --cases"));
}
