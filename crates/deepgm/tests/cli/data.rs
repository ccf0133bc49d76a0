//! End-to-end tests of `deepgm data ...`.

use std::path::{Path, PathBuf};

use crate::common::{deepgm, json, stderr, stdout};
use deepgm_core::idx::{encode, IdxArray};
use deepgm_core::mnist::Mnist;

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
