//! End-to-end tests of `deepgm bn ...` on UAI files: Markov networks (MARKOV), Bayesian
//! networks (BAYES), `.evid` evidence files, and conversions.

use std::path::PathBuf;

use crate::common::{deepgm, json, stderr, stdout};

/// A file of `crates/deepgm-bn/tests/data/uai`.
fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../deepgm-bn/tests/data/uai")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn query_a_markov_network_with_an_evidence_file() {
    let net = data("tiny.uai");
    let evid = data("tiny.uai.evid");
    let out = deepgm(&["bn", "query", &net, "--evidence-file", &evid, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    // Evidence x2 = 0: phi0(x0) phi1(x0, x1) phi2(x1, 0), phi2(., 0) = (1, 2).
    // Z(e) = sum over x0, x1 of phi0 phi1 phi2: 0.4 (1 * 1 + 2 * 2) + 0.6 (3 * 1 + 1 * 2) = 5.
    let log_z = v["log_evidence"].as_f64().unwrap();
    assert!((log_z - 5f64.ln()).abs() < 1e-12, "{log_z}");
    // Marginals keyed by index: P(x0 = 1 | e) = 0.6 * 5 / 5.
    assert!((v["marginals"]["0"]["1"].as_f64().unwrap() - 0.6).abs() < 1e-12);
    assert!(
        v["marginals"].get("2").is_none(),
        "observed variables are not targets"
    );
    assert_eq!(v["evidence"]["2"], "0");
    for method in ["jt", "ve"] {
        let again = json(&deepgm(&[
            "bn",
            "query",
            &net,
            "--evidence-file",
            &evid,
            "--method",
            method,
            "--json",
        ]));
        assert_eq!(again["method"], method);
        let p = again["marginals"]["1"]["1"].as_f64().unwrap();
        assert!((p - v["marginals"]["1"]["1"].as_f64().unwrap()).abs() < 1e-12);
    }
    // Text output names ln Z.
    let out = deepgm(&["bn", "query", &net, "-e", "2=0", "--target", "0"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("ln Z(evidence) = 1.609437912"),
        "{}",
        stdout(&out)
    );
    // Sampling methods need a Bayesian network.
    let out = deepgm(&["bn", "query", &net, "--method", "lw"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("Markov network"), "{}", stderr(&out));
}

#[test]
fn map_and_info_of_a_markov_network() {
    let net = data("tiny.uai");
    let out = deepgm(&[
        "bn",
        "mpe",
        &net,
        "--evidence-file",
        &data("tiny.uai.evid"),
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    // Best: x0 = 0, x1 = 1 (0.4 * 2 * 2 = 1.6) against x0 = 1, x1 = 0 (0.6 * 3 * 1 = 1.8).
    assert_eq!(v["assignment"]["0"], "1");
    assert_eq!(v["assignment"]["1"], "0");
    assert_eq!(v["assignment"]["2"], "0");
    assert!((v["log_value"].as_f64().unwrap() - 1.8f64.ln()).abs() < 1e-12);
    let v = json(&deepgm(&["bn", "info", &net, "--json"]));
    assert_eq!(v["model"], "markov");
    assert_eq!(v["n_variables"], 3);
    assert_eq!(v["n_potentials"], 3);
    assert_eq!(v["n_table_entries"], 12);
    let out = deepgm(&["bn", "info", &net]);
    assert!(stdout(&out).contains("factors 3"), "{}", stdout(&out));
}

#[test]
fn a_bayes_file_is_a_bayesian_network_everywhere() {
    let net = data("chain.uai");
    let evid = data("chain.uai.evid");
    let v = json(&deepgm(&[
        "bn",
        "query",
        &net,
        "--evidence-file",
        &evid,
        "--json",
    ]));
    let expected = 0.3 * (0.9 * 0.4 + 0.1 * 0.95) + 0.7 * (0.2 * 0.4 + 0.8 * 0.95);
    assert!((v["log_evidence"].as_f64().unwrap() - f64::ln(expected)).abs() < 1e-12);
    let v = json(&deepgm(&["bn", "info", &net, "--json"]));
    assert_eq!(v["n_arcs"], 2);
    let v = json(&deepgm(&[
        "bn",
        "mpe",
        &net,
        "--evidence-file",
        &evid,
        "--json",
    ]));
    assert!(v["log_prob"].as_f64().unwrap() < 0.0);
    // Sampling reads it too.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("chain.csv").display().to_string();
    let out = deepgm(&["bn", "sample", &net, "-n", "10", "-o", &csv]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A Markov network cannot be sampled: the error says what reads it.
    let out = deepgm(&["bn", "sample", &data("tiny.uai"), "-n", "10", "-o", &csv]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("Markov network"), "{}", stderr(&out));
}

#[test]
fn evidence_files_work_for_bif_networks_and_combine_with_evidence() {
    let asia = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../deepgm-bn/data/asia.bif")
        .display()
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    // asia's variable 2 is smoke; state 0 is yes.
    let evid = dir.path().join("asia.evid");
    std::fs::write(&evid, "1 2 0\n").unwrap();
    let evid = evid.display().to_string();
    let by_file = json(&deepgm(&[
        "bn",
        "query",
        &asia,
        "--evidence-file",
        &evid,
        "--json",
    ]));
    let by_name = json(&deepgm(&[
        "bn",
        "query",
        &asia,
        "-e",
        "smoke=yes",
        "--json",
    ]));
    assert_eq!(by_file["evidence"], by_name["evidence"]);
    assert_eq!(by_file["marginals"], by_name["marginals"]);
    let both = json(&deepgm(&[
        "bn",
        "query",
        &asia,
        "-e",
        "dysp=yes",
        "--evidence-file",
        &evid,
        "--json",
    ]));
    assert_eq!(both["evidence"]["smoke"], "yes");
    assert_eq!(both["evidence"]["dysp"], "yes");
    // The same variable twice, and a malformed file, are bad input.
    let out = deepgm(&[
        "bn",
        "query",
        &asia,
        "-e",
        "smoke=no",
        "--evidence-file",
        &evid,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("observed twice"), "{}", stderr(&out));
    let bad = dir.path().join("bad.evid");
    std::fs::write(&bad, "1 99 0\n").unwrap();
    let out = deepgm(&[
        "bn",
        "query",
        &asia,
        "--evidence-file",
        &bad.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("bad.evid:1:3"), "{}", stderr(&out));
}

#[test]
fn convert_between_bif_xmlbif_and_uai() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let out = deepgm(&["bn", "convert", "builtin:asia", &path("asia.uai")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(path("asia.uai")).unwrap();
    assert!(text.starts_with("BAYES\n8\n"), "{text}");
    // UAI BAYES -> XMLBIF -> BIF, and the same answers by index all the way.
    assert!(
        deepgm(&["bn", "convert", &path("asia.uai"), &path("asia.xml")])
            .status
            .success()
    );
    assert!(
        deepgm(&["bn", "convert", &path("asia.xml"), &path("asia.bif")])
            .status
            .success()
    );
    let a = json(&deepgm(&[
        "bn",
        "query",
        &path("asia.uai"),
        "-e",
        "2=0",
        "--json",
    ]));
    let b = json(&deepgm(&[
        "bn",
        "query",
        &path("asia.bif"),
        "-e",
        "2=0",
        "--json",
    ]));
    assert_eq!(a["marginals"], b["marginals"]);
    // A Markov network goes to UAI (gzipped too) but not to BIF.
    let tiny = data("tiny.uai");
    assert!(deepgm(&["bn", "convert", &tiny, &path("tiny.uai.gz")])
        .status
        .success());
    let again = json(&deepgm(&[
        "bn",
        "query",
        &path("tiny.uai.gz"),
        "-e",
        "2=0",
        "--json",
    ]));
    assert!((again["log_evidence"].as_f64().unwrap() - 5f64.ln()).abs() < 1e-12);
    let out = deepgm(&["bn", "convert", &tiny, &path("tiny.bif")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("Markov network"), "{}", stderr(&out));
}

#[test]
fn a_malformed_uai_file_names_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.uai");
    std::fs::write(&bad, "MARKOV\n2\n2 2\n1\n2 0 1\n3 1 2 3\n").unwrap();
    let out = deepgm(&["bn", "query", &bad.display().to_string()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("bad.uai:6:1: factor 0's table has 3 entries, expected 4"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn help_shows_uai_examples() {
    for (command, example) in [
        ("query", "--evidence-file Promedus_24.uai.evid"),
        ("mpe", "Grids_12.uai --evidence-file"),
        ("info", "Promedus_24.uai"),
        ("convert", "alarm.uai"),
    ] {
        let out = deepgm(&["bn", command, "--help"]);
        assert!(
            stdout(&out).contains(example),
            "{command}: {}",
            stdout(&out)
        );
    }
}
