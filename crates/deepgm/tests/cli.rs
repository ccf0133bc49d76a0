//! The `deepgm` program end to end: exit codes, messages, JSON output, determinism.

mod common;

use std::path::{Path, PathBuf};

use common::{deepgm, json, stderr, stdout};

use deepgm_core::idx::{encode, IdxArray};
use deepgm_core::image::write_png;
use deepgm_core::mnist::Mnist;
use ndarray::Array2;

/// Writes the embedded digits as a gzipped test split into `dir`.
fn write_test_split(dir: &Path) {
    let m = Mnist::embedded();
    let images = IdxArray {
        magic: 2051,
        dims: vec![m.len(), 28, 28],
        data: m.images.iter().copied().collect(),
    };
    let labels = IdxArray {
        magic: 2049,
        dims: vec![m.len()],
        data: m.labels.clone(),
    };
    std::fs::write(dir.join("t10k-images-idx3-ubyte.gz"), encode(&images, true)).unwrap();
    std::fs::write(dir.join("t10k-labels-idx1-ubyte"), encode(&labels, false)).unwrap();
}

#[test]
fn data_check_reports_counts_and_histogram() {
    let dir = tempfile::tempdir().unwrap();
    write_test_split(dir.path());
    let out = deepgm(&["data", "check", dir.path().to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["splits"].as_array().unwrap().len(), 1);
    assert_eq!(v["splits"][0]["split"], "test");
    assert_eq!(v["splits"][0]["count"], 2000);
    let hist: Vec<u64> = v["splits"][0]["label_histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    assert_eq!(
        hist,
        Mnist::embedded()
            .label_histogram()
            .map(|c| c as u64)
            .to_vec()
    );
    let text = deepgm(&["data", "check", dir.path().to_str().unwrap()]);
    assert!(
        stdout(&text).contains("2000 images of 28x28"),
        "{}",
        stdout(&text)
    );
}

/// The real MNIST in ../shared/data, when present: 60,000 + 10,000 with the published counts.
#[test]
fn data_check_on_full_mnist() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mnist");
    if !dir.join("train-images-idx3-ubyte.gz").exists() {
        eprintln!("skipped: {} not present", dir.display());
        return;
    }
    let out = deepgm(&["data", "check", dir.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["splits"][0]["count"], 60000);
    assert_eq!(v["splits"][1]["count"], 10000);
    assert_eq!(
        v["splits"][0]["label_histogram"],
        serde_json::json!([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    );
}

#[test]
fn data_check_bad_files_exit_2_naming_the_file() {
    // Truncated image file.
    let dir = tempfile::tempdir().unwrap();
    write_test_split(dir.path());
    let path = dir.path().join("t10k-images-idx3-ubyte.gz");
    let m = Mnist::embedded();
    let mut raw = encode(
        &IdxArray {
            magic: 2051,
            dims: vec![m.len(), 28, 28],
            data: m.images.iter().copied().collect(),
        },
        false,
    );
    raw.truncate(raw.len() - 784);
    std::fs::write(&path, &raw).unwrap();
    let out = deepgm(&["data", "check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("t10k-images-idx3-ubyte.gz") && err.contains("truncated"),
        "{err}"
    );

    // Wrong magic number in the label file.
    let dir = tempfile::tempdir().unwrap();
    write_test_split(dir.path());
    let labels = dir.path().join("t10k-labels-idx1-ubyte");
    let mut bytes = std::fs::read(&labels).unwrap();
    bytes[2] = 0x0D; // IDX float data: not an MNIST label file
    std::fs::write(&labels, &bytes).unwrap();
    let out = deepgm(&["data", "check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("t10k-labels-idx1-ubyte") && err.contains("magic"),
        "{err}"
    );

    // Empty directory.
    let dir = tempfile::tempdir().unwrap();
    let out = deepgm(&["data", "check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("deepgm data fetch mnist"),
        "{}",
        stderr(&out)
    );
}

fn write_picture(path: &Path) -> Array2<i8> {
    let spins = Array2::from_shape_fn(
        (40, 50),
        |(r, c)| if (r / 10 + c / 10) % 2 == 0 { 1i8 } else { -1 },
    );
    write_png(path, &spins.mapv(|s| if s > 0 { 255u8 } else { 0 })).unwrap();
    spins
}

#[test]
fn noise_then_denoise_with_json_report() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.png");
    let noisy = dir.path().join("noisy.png");
    write_picture(&clean);
    let out = deepgm(&[
        "mrf",
        "noise",
        clean.to_str().unwrap(),
        "-o",
        noisy.to_str().unwrap(),
        "--flip",
        "0.1",
        "--seed",
        "3",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let first = std::fs::read(&noisy).unwrap();
    let again = dir.path().join("noisy2.png");
    deepgm(&[
        "mrf",
        "noise",
        clean.to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
        "--flip",
        "0.1",
        "--seed",
        "3",
    ]);
    assert_eq!(
        first,
        std::fs::read(&again).unwrap(),
        "same seed, same noise"
    );

    for method in [
        "icm",
        "icm-checkerboard",
        "gibbs",
        "anneal",
        "meanfield",
        "graphcut",
    ] {
        let output = dir.path().join(format!("{method}.png"));
        let out = deepgm(&[
            "mrf",
            "denoise",
            noisy.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
            "--method",
            method,
            "--clean",
            clean.to_str().unwrap(),
            "--json",
        ]);
        assert!(out.status.success(), "{method}: {}", stderr(&out));
        let v = json(&out);
        assert_eq!(v["method"], method);
        for key in [
            "energy",
            "changed",
            "error_rate",
            "sweeps",
            "seconds",
            "width",
            "height",
        ] {
            assert!(!v[key].is_null(), "{method}: no {key}");
        }
        assert_eq!(v["width"], 50);
        assert_eq!(v["height"], 40);
        assert!(
            v["error_rate"].as_f64().unwrap() < v["input_error_rate"].as_f64().unwrap(),
            "{method}: {v}"
        );
        assert!(output.exists());
    }
}

#[test]
fn bad_mrf_input_exits_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.png");
    write_picture(&clean);
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not an image").unwrap();
    // A PNG whose header says 0 x 0 pixels.
    let zero = dir.path().join("zero.png");
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let ihdr: Vec<u8> = [&b"IHDR"[..], &[0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0]].concat();
    let mut crc = flate2::Crc::new();
    crc.update(&ihdr);
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc.sum().to_be_bytes());
    std::fs::write(&zero, &png).unwrap();
    let out_png = dir.path().join("out.png");
    let o = out_png.to_str().unwrap();
    let c = clean.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["mrf", "denoise", "/no/such/file.png", "-o", o],
            "file.png",
        ),
        (
            vec!["mrf", "denoise", text.to_str().unwrap(), "-o", o],
            "notes.txt",
        ),
        (
            vec!["mrf", "denoise", zero.to_str().unwrap(), "-o", o],
            "zero.png",
        ),
        (vec!["mrf", "noise", c, "-o", o, "--flip", "1.5"], "--flip"),
        (vec!["mrf", "noise", c, "-o", o, "--flip", "-0.1"], "--flip"),
        (
            vec!["mrf", "denoise", c, "-o", o, "--beta", "nan"],
            "--beta",
        ),
        (vec!["mrf", "denoise", c, "-o", o, "--eta", "inf"], "--eta"),
        (
            vec!["mrf", "denoise", c, "-o", o, "--method", "magic"],
            "magic",
        ),
        (vec!["mrf", "denoise", c, "-o", o, "--beta", "-1"], "beta"),
        (
            vec![
                "mrf",
                "denoise",
                c,
                "-o",
                o,
                "--method",
                "gibbs",
                "--temperature",
                "0",
            ],
            "--temperature",
        ),
        (
            vec![
                "mrf",
                "denoise",
                c,
                "-o",
                o,
                "--clean",
                text.to_str().unwrap(),
            ],
            "notes.txt",
        ),
    ];
    for (args, needle) in cases {
        let out = deepgm(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"));
    }
    assert!(!out_png.exists(), "no output after a failure");
}

#[test]
fn output_into_a_missing_directory_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.png");
    write_picture(&clean);
    let target = dir.path().join("missing-dir").join("x.png");
    let out = deepgm(&[
        "mrf",
        "denoise",
        clean.to_str().unwrap(),
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("x.png"), "{}", stderr(&out));
    assert!(!target.exists());
}

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

#[test]
fn rbm_train_score_sample_filters() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("rbm.safetensors");
    let m = model.to_str().unwrap();
    let out = deepgm(&[
        "rbm", "train", "--data", "embedded", "--hidden", "8", "--epochs", "2", "--limit", "400",
        "--seed", "3", "-o", m, "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["epochs"].as_array().unwrap().len(), 2);
    let first = std::fs::read(&model).unwrap();
    // --resume continues to 3 epochs from the checkpoint.
    let out = deepgm(&[
        "rbm", "train", "--data", "embedded", "--hidden", "8", "--epochs", "3", "--limit", "400",
        "--seed", "3", "--resume", "-o", m, "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["epochs"].as_array().unwrap().len(), 1);
    assert_ne!(first, std::fs::read(&model).unwrap());

    let out = deepgm(&["rbm", "score", m, "--data", "embedded", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["method"], "exact");
    for key in [
        "log_z",
        "log_z_low",
        "log_z_high",
        "avg_log_prob",
        "recon_error",
        "pseudo_log_likelihood",
    ] {
        assert!(v[key].as_f64().is_some(), "{key}: {v}");
    }
    assert!(v["avg_log_prob"].as_f64().unwrap() < 0.0);
    let out = deepgm(&[
        "rbm",
        "score",
        m,
        "--data",
        "embedded",
        "--ais-runs",
        "20",
        "--ais-betas",
        "500",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ais = json(&out);
    assert_eq!(ais["method"], "ais");
    assert!(
        (ais["log_z"].as_f64().unwrap() - v["log_z"].as_f64().unwrap()).abs() < 2.0,
        "{ais} vs {v}"
    );

    for (cmd, file) in [("sample", "samples.png"), ("filters", "filters.png")] {
        let png = dir.path().join(file);
        let mut args = vec!["rbm", cmd, m, "-o", png.to_str().unwrap()];
        if cmd == "sample" {
            args.extend(["--chains", "9", "--steps", "20"]);
        }
        let out = deepgm(&args);
        assert!(out.status.success(), "{cmd}: {}", stderr(&out));
        assert!(png.exists());
    }
}

#[test]
fn rbm_resampled_binarization_is_seeded_and_differs_from_one_draw() {
    let dir = tempfile::tempdir().unwrap();
    let train = |name: &str, mode: &str| {
        let path = dir.path().join(name);
        let out = deepgm(&[
            "rbm",
            "train",
            "--data",
            "embedded",
            "--hidden",
            "6",
            "--epochs",
            "3",
            "--limit",
            "300",
            "--seed",
            "5",
            "--binarize",
            mode,
            "-o",
            path.to_str().unwrap(),
            "--json",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        // The exact log Z identifies the weights (the files also differ in their metadata).
        let out = deepgm(&[
            "rbm",
            "score",
            path.to_str().unwrap(),
            "--data",
            "embedded",
            "--json",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        json(&out)["log_z"].as_f64().unwrap()
    };
    let once = train("once.safetensors", "sample");
    let fresh = train("fresh.safetensors", "resample");
    assert_eq!(
        fresh,
        train("fresh2.safetensors", "resample"),
        "same seed, same model"
    );
    assert_ne!(once, fresh, "epochs 2 and 3 see new pixels");
}

#[test]
fn rbm_bad_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.safetensors");
    std::fs::write(&junk, b"junk").unwrap();
    let out_png = dir.path().join("x.png");
    let o = out_png.to_str().unwrap();
    let model = dir.path().join("m.safetensors");
    for (args, needle) in [
        (
            vec!["rbm", "filters", "/no/such/model.safetensors", "-o", o],
            "model.safetensors",
        ),
        (
            vec!["rbm", "filters", junk.to_str().unwrap(), "-o", o],
            "junk.safetensors",
        ),
        (
            vec![
                "rbm",
                "train",
                "--data",
                "embedded",
                "--hidden",
                "0",
                "-o",
                model.to_str().unwrap(),
            ],
            "--hidden",
        ),
        (
            vec![
                "rbm",
                "train",
                "--data",
                "embedded",
                "--batch",
                "0",
                "-o",
                model.to_str().unwrap(),
            ],
            "batch",
        ),
        (
            vec![
                "rbm",
                "train",
                "--data",
                "/no/such/dir",
                "-o",
                model.to_str().unwrap(),
            ],
            "deepgm data fetch mnist",
        ),
    ] {
        let out = deepgm(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
    }
}

fn seed_fixture_case() -> (serde_json::Value, serde_json::Value) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../deepgm-cnn/tests/fixtures/seed_cases.json"
    );
    let cases: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let case = &cases[0];
    (case["case"].clone(), case["expected"].clone())
}

#[test]
fn cnn_grad_prints_every_intermediate_and_gradient() {
    let dir = tempfile::tempdir().unwrap();
    let (case, expected) = seed_fixture_case();
    let path = dir.path().join("case.json");
    std::fs::write(&path, case.to_string()).unwrap();
    let out = deepgm(&["cnn", "grad", path.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    let loss = v["loss"].as_f64().unwrap();
    assert!((loss - expected["loss"].as_f64().unwrap()).abs() < 1e-9);
    for key in [
        "conv_weight",
        "conv_bias",
        "x",
        "linear_weight",
        "linear_bias",
        "conv_out",
        "pool_out",
    ] {
        assert!(v["grad"][key].is_array(), "{key}");
    }
    assert_eq!(v["pool_out"].as_array().unwrap().len(), 2);
    assert_eq!(v["pool_out"][0].as_array().unwrap().len(), 23);
    let text = deepgm(&["cnn", "grad", path.to_str().unwrap()]);
    assert!(text.status.success());
    assert!(
        stdout(&text).contains("dL/dconv_weight (2 x 5 x 5)"),
        "{}",
        stdout(&text)
    );
}

#[test]
fn cnn_grad_bad_cases_name_the_wrong_number() {
    let dir = tempfile::tempdir().unwrap();
    let (case, _) = seed_fixture_case();
    let check = |edit: &dyn Fn(&mut serde_json::Value), expect: &str| {
        let mut c = case.clone();
        edit(&mut c);
        let path = dir.path().join("bad.json");
        std::fs::write(&path, c.to_string()).unwrap();
        let out = deepgm(&["cnn", "grad", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{expect}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("bad.json") && err.contains(expect),
            "{expect}: {err}"
        );
    };
    check(&|c| c["stride"] = 0.into(), "stride 0");
    check(
        &|c| c["x"] = serde_json::json!([[0.5, 0.5], [0.5, 0.5]]),
        "larger than its input side 2",
    );
    check(
        &|c| c["label"] = 10.into(),
        "label 10 is out of range: expected 0 to 9",
    );
    check(
        &|c| {
            c["linear_weight"][3]
                .as_array_mut()
                .unwrap()
                .pop()
                .map(|_| ())
                .unwrap()
        },
        "linear_weight row 3 has 1057 values: expected 1058 (F*S*S = 2*23*23 = 1058)",
    );
    check(
        &|c| c["conv_weight"][1].as_array_mut().unwrap().truncate(4),
        "conv_weight[1] has 4 rows: expected 5",
    );
    check(&|c| c["pool"] = 30.into(), "pooling window 30");
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "{\"x\": [[1, 2], [3").unwrap();
    let out = deepgm(&["cnn", "grad", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("line 1"), "{}", stderr(&out));
}

#[test]
fn cnn_train_eval_predict_filters_and_resume() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("seed.safetensors");
    let m = model.to_str().unwrap();
    let train = |epochs: &str, extra: &[&str]| {
        let mut args = vec![
            "cnn", "train", "--data", "embedded", "--arch", "seed", "--epochs", epochs, "--limit",
            "600", "--seed", "4", "-o", m, "--json",
        ];
        args.extend_from_slice(extra);
        deepgm(&args)
    };
    let out = train("2", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["epochs"].as_array().unwrap().len(), 2);
    assert_eq!(v["parameters"], 10642);
    assert!(v["test_accuracy"].as_f64().unwrap() > 0.5);
    let two = std::fs::read(&model).unwrap();
    // Resume to 3 epochs equals training 3 epochs straight (same bytes).
    assert!(train("3", &["--resume"]).status.success());
    let resumed = std::fs::read(&model).unwrap();
    assert_ne!(two, resumed);
    std::fs::remove_file(&model).unwrap();
    assert!(train("3", &[]).status.success());
    assert_eq!(
        std::fs::read(&model).unwrap(),
        resumed,
        "resume = uninterrupted, same seed = same bytes"
    );

    let csv = dir.path().join("pred.csv");
    let out = deepgm(&[
        "cnn",
        "eval",
        m,
        "--data",
        "embedded",
        "--json",
        "--predictions",
        csv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    let confusion: Vec<Vec<u64>> = serde_json::from_value(v["confusion"].clone()).unwrap();
    assert_eq!(confusion.iter().flatten().sum::<u64>(), 500);
    let diagonal: u64 = (0..10).map(|i| confusion[i][i]).sum();
    assert!((v["accuracy"].as_f64().unwrap() - diagonal as f64 / 500.0).abs() < 1e-12);
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 501);

    // A dark digit on a light, larger picture is inverted, centred and classified.
    let mnist = Mnist::embedded();
    let digit = mnist.image(0);
    let mut big = Array2::from_elem((90, 70), 255u8);
    for ((r, c), &v) in digit.indexed_iter() {
        for dy in 0..3 {
            for dx in 0..2 {
                big[[5 + 3 * r + dy, 8 + 2 * c + dx]] = 255 - v;
            }
        }
    }
    let picture = dir.path().join("digit.png");
    deepgm_core::image::write_png(&picture, &big).unwrap();
    let out = deepgm(&["cnn", "predict", m, picture.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let p = &json(&out)["predictions"][0];
    let probs: Vec<f64> = serde_json::from_value(p["probabilities"].clone()).unwrap();
    assert!((probs.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert!(p["digit"].as_u64().unwrap() < 10);

    let png = dir.path().join("k.png");
    let out = deepgm(&[
        "cnn",
        "filters",
        m,
        "-o",
        png.to_str().unwrap(),
        "--digit",
        "3",
        "--data",
        "embedded",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(png.exists());
}

#[test]
fn cnn_bad_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.safetensors");
    std::fs::write(&junk, b"not a model").unwrap();
    let j = junk.to_str().unwrap();
    let out = deepgm(&["cnn", "eval", j, "--data", "embedded"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("junk.safetensors"));
    let out = deepgm(&[
        "cnn", "train", "--data", "embedded", "--batch", "0", "-o", j,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = deepgm(&[
        "cnn", "train", "--data", "embedded", "--arch", "seed", "--kernel", "40", "-o", j,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("larger than its input side 28"),
        "{}",
        stderr(&out)
    );
    let out = deepgm(&["cnn", "train", "--data", "embedded", "--lr", "nan", "-o", j]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read(&junk).unwrap(),
        b"not a model",
        "failed runs leave files alone"
    );
    let blank = dir.path().join("blank.png");
    deepgm_core::image::write_png(&blank, &Array2::from_elem((40, 40), 200u8)).unwrap();
    let model = dir.path().join("m.safetensors");
    let m = model.to_str().unwrap();
    assert!(deepgm(&[
        "cnn",
        "train",
        "--data",
        "embedded",
        "--arch",
        "seed",
        "--epochs",
        "1",
        "--limit",
        "64",
        "--no-test",
        "-o",
        m
    ])
    .status
    .success());
    let out = deepgm(&["cnn", "predict", m, blank.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("blank.png") && stderr(&out).contains("blank"),
        "{}",
        stderr(&out)
    );
}

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
            "line 7, column 3: the table of 'a': the row sums to 1.2",
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
            vec!["bn", "query", &net, "--max-table-entries", "2"],
            "--max-table-entries",
        ),
        (vec!["bn", "convert", &net, "/tmp/out.txt"], ".bif"),
    ] {
        let out = deepgm(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
    }
}
