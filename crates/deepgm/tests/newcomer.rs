//! What a newcomer meets first: built-in data by name, file modes and formats, messages that
//! say what to do, and commands that stop or go on as a user would expect.

mod common;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;

use common::{deepgm, json, stderr, stdout};

#[test]
fn builtins_are_listed_and_usable_by_name() {
    let out = deepgm(&["data", "list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let names: Vec<String> = json(&out)["builtins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap().to_string())
        .collect();
    for name in [
        "builtin:mnist",
        "builtin:horse",
        "builtin:asia",
        "builtin:alarm",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} missing: {names:?}");
    }
    let out = deepgm(&["bn", "info", "builtin:asia", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["n_variables"], 8);
    let out = deepgm(&["data", "check", "--data", "builtin:mnist", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["splits"][0]["count"], 2000);

    let dir = tempfile::tempdir().unwrap();
    let noisy = dir.path().join("noisy.png");
    let out = deepgm(&[
        "mrf",
        "noise",
        "builtin:horse",
        "-o",
        noisy.to_str().unwrap(),
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["width"], 400);

    let out = deepgm(&["bn", "info", "builtin:zebra"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("builtin:asia"), "{}", stderr(&out));
}

#[test]
fn a_missing_file_names_the_os_error_once() {
    let out = deepgm(&["bn", "info", "asia"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    assert!(err.contains("asia"), "{err}");
}

#[test]
fn a_gzipped_network_is_read_whatever_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("asia.bif");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(deepgm_bn::embedded::ASIA.as_bytes()).unwrap();
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    let out = deepgm(&["bn", "info", path.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["n_arcs"], 8);
}

#[test]
fn written_files_get_ordinary_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let probe = dir.path().join("probe");
    std::fs::File::create(&probe).unwrap();
    let ordinary = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
    let out = dir.path().join("asia.bif");
    let result = deepgm(&["bn", "convert", "builtin:asia", out.to_str().unwrap()]);
    assert!(result.status.success(), "{}", stderr(&result));
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode, ordinary,
        "mode {mode:o}, an ordinary create gives {ordinary:o}"
    );
    // Replacing the file keeps the mode it was given.
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
    let result = deepgm(&["bn", "convert", "builtin:asia", out.to_str().unwrap()]);
    assert!(result.status.success(), "{}", stderr(&result));
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn pictures_are_written_in_the_format_their_name_asks_for() {
    let dir = tempfile::tempdir().unwrap();
    let jpg = dir.path().join("noisy.jpg");
    let out = deepgm(&["mrf", "noise", "builtin:horse", "-o", jpg.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read(&jpg)
        .unwrap()
        .starts_with(&[0xFF, 0xD8, 0xFF]));
    let gif = dir.path().join("noisy.gif");
    let out = deepgm(&[
        "mrf",
        "denoise",
        "builtin:horse",
        "-o",
        gif.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(".png, .jpg or .jpeg"),
        "{}",
        stderr(&out)
    );
    assert!(!gif.exists());
}

#[test]
fn cnn_train_on_built_in_digits_measures_held_out_digits() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("seed.safetensors");
    let out = deepgm(&[
        "cnn",
        "train",
        "--data",
        "embedded",
        "--arch",
        "seed",
        "--epochs",
        "1",
        "-o",
        model.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("for 1 epoch on 1500 digits, held-out accuracy"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("measuring on the last 500"),
        "{}",
        stderr(&out)
    );
    let out = deepgm(&[
        "cnn",
        "eval",
        model.to_str().unwrap(),
        "--data",
        "embedded",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["examples"], 500);
}

#[test]
fn a_diverging_cnn_run_stops_and_keeps_the_last_good_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("seed.safetensors");
    let m = model.to_str().unwrap();
    let common = [
        "cnn", "train", "--data", "embedded", "--arch", "seed", "--limit", "300", "-o", m,
    ];
    let first = deepgm(&[&common[..], &["--epochs", "1"]].concat());
    assert!(first.status.success(), "{}", stderr(&first));
    let good = std::fs::read(&model).unwrap();
    let out = deepgm(&[&common[..], &["--epochs", "2", "--resume", "--lr", "1e12"]].concat());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("epoch 2, minibatch"), "{err}");
    assert!(err.contains("last good checkpoint (epoch 1)"), "{err}");
    assert_eq!(
        std::fs::read(&model).unwrap(),
        good,
        "the checkpoint changed"
    );
}

#[test]
fn cnn_predict_reports_a_bad_picture_and_classifies_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("seed.safetensors");
    let m = model.to_str().unwrap();
    let out = deepgm(&[
        "cnn", "train", "--data", "embedded", "--arch", "seed", "--epochs", "1", "-o", m,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let broken = dir.path().join("broken.png");
    std::fs::write(&broken, b"not a picture").unwrap();
    let seven = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seven.png");
    let out = deepgm(&["cnn", "predict", m, broken.to_str().unwrap(), seven]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("broken.png"), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 of 2 pictures"), "{}", stderr(&out));
    assert!(stdout(&out).contains("seven.png: "), "{}", stdout(&out));
    let out = deepgm(&[
        "cnn",
        "predict",
        m,
        broken.to_str().unwrap(),
        seven,
        "--json",
    ]);
    let v = json(&out);
    assert_eq!(v["predictions"].as_array().unwrap().len(), 1);
    assert_eq!(v["errors"].as_array().unwrap().len(), 1);
}

#[test]
fn unknown_names_get_suggestions_and_pandas_csv_a_hint() {
    let out = deepgm(&["bn", "query", "builtin:alarm", "--target", "HYPOVOLEMIAA"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("did you mean `HYPOVOLEMIA`"), "{err}");
    // All 37 names are listed, not only the first few.
    assert!(err.contains("VENTLUNG") && err.contains("HRBP"), "{err}");
    let out = deepgm(&["bn", "query", "builtin:asia", "--evidence", "smoke=yess"]);
    assert!(
        stderr(&out).contains("did you mean `yes`"),
        "{}",
        stderr(&out)
    );

    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("asia.csv");
    let out = deepgm(&[
        "bn",
        "sample",
        "builtin:asia",
        "-n",
        "50",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // What pandas' to_csv writes by default: the index as an unnamed first column.
    let text = std::fs::read_to_string(&csv).unwrap();
    let with_index: String = text
        .lines()
        .enumerate()
        .map(|(i, line)| match i {
            0 => format!(",{line}\n"),
            _ => format!("{},{line}\n", i - 1),
        })
        .collect();
    std::fs::write(&csv, with_index).unwrap();
    let learned = dir.path().join("learned.bif");
    let out = deepgm(&[
        "bn",
        "learn",
        "--structure",
        "builtin:asia",
        "--data",
        csv.to_str().unwrap(),
        "-o",
        learned.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("index=False"), "{}", stderr(&out));
}
