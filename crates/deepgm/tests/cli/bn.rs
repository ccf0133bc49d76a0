//! End-to-end tests of `deepgm bn ...`.

use std::path::PathBuf;

use crate::common::{deepgm, json, stderr};

fn asia() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../deepgm-bn/data/asia.bif")
        .display()
        .to_string()
}

#[test]
fn bn_info_query_and_mpe_report_json() {
    let net = asia();
    let v = json(&deepgm(&["bn", "info", &net, "--json"]));
    assert_eq!(v["n_variables"], 8);
    assert_eq!(v["n_arcs"], 8);
    assert_eq!(v["n_parameters"], 18);
    assert_eq!(v["treewidth_bound"], 2);
    // P(lung | smoke=yes) = 0.1 in asia's table; dysp=yes raises it.
    let out = deepgm(&[
        "bn",
        "query",
        &net,
        "--evidence",
        "smoke=yes",
        "--target",
        "lung",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert!((v["marginals"]["lung"]["yes"].as_f64().unwrap() - 0.1).abs() < 1e-12);
    assert!((v["log_evidence"].as_f64().unwrap() - 0.5f64.ln()).abs() < 1e-12);
    assert!(v["seconds"].as_f64().unwrap() >= 0.0);
    assert!(v["parse_seconds"].as_f64().unwrap() >= 0.0);
    for method in ["jt", "ve", "auto"] {
        let v = json(&deepgm(&[
            "bn",
            "query",
            &net,
            "-e",
            "smoke=yes,dysp=yes",
            "--method",
            method,
            "--json",
        ]));
        let p = v["marginals"]["lung"]["yes"].as_f64().unwrap();
        assert!(p > 0.1 && p < 1.0, "{method}: {p}");
        assert_eq!(v["marginals"].as_object().unwrap().len(), 6);
    }
    let exact = json(&deepgm(&["bn", "query", &net, "-e", "dysp=yes", "--json"]));
    let sampled = json(&deepgm(&[
        "bn",
        "query",
        &net,
        "-e",
        "dysp=yes",
        "--method",
        "lw",
        "--samples",
        "200000",
        "--seed",
        "3",
        "--json",
    ]));
    let (a, b) = (
        exact["marginals"]["bronc"]["yes"].as_f64().unwrap(),
        sampled["marginals"]["bronc"]["yes"].as_f64().unwrap(),
    );
    assert!((a - b).abs() < 0.01, "lw {b} vs exact {a}");
    let again = json(&deepgm(&[
        "bn",
        "query",
        &net,
        "-e",
        "dysp=yes",
        "--method",
        "lw",
        "--samples",
        "200000",
        "--seed",
        "3",
        "--json",
    ]));
    assert_eq!(
        sampled["marginals"], again["marginals"],
        "same seed, same estimate"
    );
    let v = json(&deepgm(&[
        "bn",
        "mpe",
        &net,
        "--evidence",
        "dysp=yes",
        "--json",
    ]));
    assert_eq!(v["assignment"]["dysp"], "yes");
    assert!(v["log_prob"].as_f64().unwrap() < 0.0);
}

#[test]
fn bn_sample_learn_and_convert_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let net = asia();
    let csv = dir.path().join("asia.csv");
    let csv_s = csv.to_str().unwrap();
    let out = deepgm(&[
        "bn", "sample", &net, "-n", "20000", "--seed", "1", "-o", csv_s,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let first = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(first.lines().count(), 20001);
    assert!(first.lines().next().unwrap().contains("asia"));
    deepgm(&[
        "bn", "sample", &net, "-n", "20000", "--seed", "1", "-o", csv_s,
    ]);
    assert_eq!(
        first,
        std::fs::read_to_string(&csv).unwrap(),
        "same seed, same file"
    );
    let learned = dir.path().join("learned.xml");
    let out = deepgm(&[
        "bn",
        "learn",
        "--structure",
        &net,
        "--data",
        csv_s,
        "--prior",
        "bdeu",
        "--ess",
        "1",
        "-o",
        learned.to_str().unwrap(),
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert!(v["largest_change_from_structure_tables"].as_f64().unwrap() < 0.05);
    let back = dir.path().join("back.bif.gz");
    let out = deepgm(&[
        "bn",
        "convert",
        learned.to_str().unwrap(),
        back.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&deepgm(&["bn", "info", back.to_str().unwrap(), "--json"]));
    assert_eq!(v["n_parameters"], 18);
}

#[test]
fn bad_bn_input_exits_2_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let net = asia();
    let bad = dir.path().join("bad.bif");
    std::fs::write(&bad, "network x {\n}\nvariable a {\n  type discrete [ 2 ] { y, n };\n}\nprobability ( a ) {\n  table 0.5, 0.7;\n}\n").unwrap();
    for (args, needle) in [
        (
            vec!["bn", "info", bad.to_str().unwrap()],
            "bad.bif:7:3: the table of 'a': the row sums to 1.2",
        ),
        (vec!["bn", "info", "/no/such/file.bif"], "/no/such/file.bif"),
        (
            vec!["bn", "query", &net, "--evidence", "dysp=maybe"],
            "expected one of yes, no",
        ),
        (
            vec!["bn", "query", &net, "--evidence", "nobody=yes"],
            "nobody",
        ),
        (
            vec!["bn", "query", &net, "--evidence", "tub=yes,either=no"],
            "probability zero",
        ),
        (
            vec![
                "bn",
                "query",
                &net,
                "--target",
                "dysp",
                "--evidence",
                "dysp=yes",
            ],
            "observed",
        ),
        (
            vec!["bn", "query", &net, "--max-memory", "64"],
            "(set by --max-memory)",
        ),
        (
            vec!["bn", "mpe", &net, "--max-memory", "100"],
            "over the budget of 100 B (set by --max-memory)",
        ),
        (
            vec!["bn", "query", &net, "--max-memory", "4 parsecs"],
            "--max-memory",
        ),
        (
            vec!["bn", "query", &net, "--max-memory", "0"],
            "--max-memory",
        ),
        (
            vec!["bn", "query", &net, "--max-table-entries", "2"],
            "(set by --max-memory)",
        ),
        (vec!["bn", "convert", &net, "/tmp/out.txt"], ".bif"),
    ] {
        let out = deepgm(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
    }
}
