//! End-to-end tests of `deepgm cnn ...`.

use crate::common::{deepgm, json, stderr, stdout};
use deepgm_core::mnist::Mnist;
use ndarray::Array2;

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
    check(
        &|c| c["stride"] = 0.into(),
        "invalid stride 0: expected at least 1",
    );
    check(
        &|c| c["x"] = serde_json::json!([[0.5, 0.5], [0.5, 0.5]]),
        "convolution kernel: shape 5 x 5, expected at most the input side 2",
    );
    check(
        &|c| c["label"] = 10.into(),
        "invalid label 10: expected 0 to 9",
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
        "linear_weight row 3: shape 1057 values, expected 1058 values (F*S*S = 2*23*23 = 1058)",
    );
    check(
        &|c| c["conv_weight"][1].as_array_mut().unwrap().truncate(4),
        "conv_weight[1]: shape 4 rows, expected 5 rows",
    );
    check(&|c| c["pool"] = 30.into(), "pooling window: shape 30 x 30");
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "{\"x\": [[1, 2], [3").unwrap();
    let out = deepgm(&["cnn", "grad", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.json:1:"), "{}", stderr(&out));
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
    let other = dir.path().join("other.safetensors");
    let out = deepgm(&[
        "cnn",
        "train",
        "--data",
        "embedded",
        "--arch",
        "seed",
        "--epochs",
        "3",
        "--limit",
        "600",
        "--seed",
        "5",
        "-o",
        other.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(
        std::fs::read(&other).unwrap(),
        resumed,
        "another seed, other bytes"
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
    assert!(
        stderr(&out).contains("invalid --batch 0: expected at least 1"),
        "{}",
        stderr(&out)
    );
    let out = deepgm(&[
        "cnn", "train", "--data", "embedded", "--arch", "seed", "--kernel", "40", "-o", j,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expected at most the input side 28"),
        "{}",
        stderr(&out)
    );
    let out = deepgm(&["cnn", "train", "--data", "embedded", "--lr", "nan", "-o", j]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid --lr NaN"),
        "{}",
        stderr(&out)
    );
    // --lr-factor is a factor in (0, 1]; --lr-decay is its old name.
    for flag in ["--lr-factor", "--lr-decay"] {
        let out = deepgm(&["cnn", "train", "--data", "embedded", flag, "1.5", "-o", j]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("invalid --lr-factor 1.5"),
            "{}",
            stderr(&out)
        );
    }
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
