//! End-to-end tests of `deepgm rbm ...`.

use crate::common::{deepgm, json, stderr};

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
    // The library's parameter names come back as flags.
    let png = dir.path().join("none.png");
    for (args, needle) in [
        (
            vec![
                "rbm",
                "sample",
                m,
                "--chains",
                "0",
                "-o",
                png.to_str().unwrap(),
            ],
            "invalid --chains 0",
        ),
        (
            vec!["rbm", "score", m, "--data", "embedded", "--ais-betas", "2"],
            "invalid --ais-betas 2",
        ),
    ] {
        let out = deepgm(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn rbm_resampled_binarization_is_seeded_and_differs_from_one_draw() {
    let dir = tempfile::tempdir().unwrap();
    let train = |name: &str, mode: &str, seed: &str| {
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
            seed,
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
    let once = train("once.safetensors", "sample", "5");
    let fresh = train("fresh.safetensors", "resample", "5");
    assert_eq!(
        fresh,
        train("fresh2.safetensors", "resample", "5"),
        "same seed, same model"
    );
    assert_ne!(
        fresh,
        train("other.safetensors", "resample", "6"),
        "other seed, other model"
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
            "--batch",
        ),
        (
            vec![
                "rbm",
                "train",
                "--data",
                "embedded",
                "--lr-decay=-1",
                "-o",
                model.to_str().unwrap(),
            ],
            "invalid --lr-decay -1",
        ),
        (
            vec![
                "rbm",
                "train",
                "--data",
                "embedded",
                "--cd",
                "0",
                "-o",
                model.to_str().unwrap(),
            ],
            "--cd/--pcd",
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
