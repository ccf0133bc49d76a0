//! End-to-end tests of `deepgm mrf ...`.

use std::path::Path;

use crate::common::{deepgm, json, stderr};
use deepgm_core::image::write_png;
use ndarray::Array2;

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
    let v = json(&out);
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["flip_rate", "flipped", "height", "output", "seed", "width"]
    );
    assert_eq!(v["seed"], 3);
    assert_eq!(
        v["flipped"].as_u64().unwrap() as f64 / 2000.0,
        v["flip_rate"]
    );
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
    let other = dir.path().join("noisy3.png");
    let out = deepgm(&[
        "mrf",
        "noise",
        clean.to_str().unwrap(),
        "-o",
        other.to_str().unwrap(),
        "--flip",
        "0.1",
        "--seed",
        "4",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(
        first,
        std::fs::read(&other).unwrap(),
        "another seed, other noise"
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
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "beta",
                "changed",
                "converged",
                "energy",
                "error_rate",
                "eta",
                "h",
                "height",
                "input_error_rate",
                "method",
                "neighbourhood",
                "output",
                "seconds",
                "sweeps",
                "width",
            ],
            "{method}"
        );
        for key in keys {
            assert!(!v[key].is_null(), "{method}: no {key}");
        }
        assert_eq!(v["neighbourhood"], 4);
        assert_eq!(v["beta"], 1.0);
        assert_eq!(v["eta"], 2.1);
        assert_eq!(v["h"], 0.0);
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
                "--method",
                "meanfield",
                "--temperature",
                "-1",
            ],
            "invalid --temperature -1",
        ),
        (
            vec![
                "mrf",
                "denoise",
                c,
                "-o",
                o,
                "--method",
                "anneal",
                "--temperature",
                "0.01",
            ],
            "invalid --final-temperature 0.05",
        ),
        (
            vec![
                "mrf", "denoise", c, "-o", o, "--method", "icm", "--sweeps", "0",
            ],
            "invalid --sweeps 0",
        ),
        (
            vec![
                "mrf", "denoise", c, "-o", o, "--method", "gibbs", "--sweeps", "0",
            ],
            "invalid --sweeps 0",
        ),
        (
            vec![
                "mrf",
                "denoise",
                c,
                "-o",
                o,
                "--method",
                "graphcut",
                "--marginals",
                o,
            ],
            "--marginals",
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
