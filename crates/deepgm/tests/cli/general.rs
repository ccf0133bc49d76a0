//! End-to-end tests of every subcommand's help, and `deepgm tour`.

use crate::common::{deepgm, json, stderr, stdout};

#[test]
fn every_subcommand_has_help_with_an_example() {
    for args in [
        vec!["tour", "--help"],
        vec!["data", "--help"],
        vec!["mrf", "--help"],
        vec!["rbm", "--help"],
        vec!["cnn", "--help"],
        vec!["bn", "--help"],
        vec!["data", "list", "--help"],
        vec!["data", "check", "--help"],
        vec!["data", "fetch", "--help"],
        vec!["mrf", "noise", "--help"],
        vec!["mrf", "denoise", "--help"],
        vec!["rbm", "train", "--help"],
        vec!["rbm", "score", "--help"],
        vec!["rbm", "sample", "--help"],
        vec!["rbm", "filters", "--help"],
        vec!["cnn", "grad", "--help"],
        vec!["cnn", "train", "--help"],
        vec!["cnn", "eval", "--help"],
        vec!["cnn", "predict", "--help"],
        vec!["cnn", "filters", "--help"],
        vec!["bn", "info", "--help"],
        vec!["bn", "query", "--help"],
        vec!["bn", "mpe", "--help"],
        vec!["bn", "sample", "--help"],
        vec!["bn", "learn", "--help"],
        vec!["bn", "convert", "--help"],
        vec!["bn", "learn-structure", "--help"],
        vec!["bn", "score", "--help"],
    ] {
        let out = deepgm(&args);
        assert!(out.status.success());
        assert!(stdout(&out).contains("Example"), "{args:?}");
    }
    assert_eq!(deepgm(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn tour_writes_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = deepgm(&[
        "tour",
        "-o",
        dir.path().to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["failures"], 0);
    assert!(v["checks"].as_u64().unwrap() >= 10);
    for file in [
        "index.html",
        "report.md",
        "data-digit-00.png",
        "mrf-denoising-00.png",
        "rbm-chain-00.png",
        "cnn-features-00.png",
    ] {
        assert!(dir.path().join(file).exists(), "{file}");
    }
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(md.contains("4. Ising-model image denoising") && md.contains("Data"));
    assert!(md.contains("1. A convolutional network"));
    let page = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    assert!(!page.contains('`'), "a literal backtick in the HTML report");
    assert!(page.contains("<nav>") && page.contains("<math"));
    // Every check names the derivation step it confirms, and each step is on the page.
    for step in [
        "cnn-output-side",
        "bn-barren-pruning",
        "rbm-exact-log-z",
        "mrf-graph-cut",
    ] {
        assert!(page.contains(&format!("<li id=\"{step}\"")), "{step}");
        assert!(page.contains(&format!("href=\"#{step}\"")), "{step}");
    }
}
