//! Tour section: the data every model stands on.

use std::path::Path;

use deepgm_core::idx::{self, IdxArray};
use deepgm_core::mnist::{DataSource, Mnist, Split};

use super::report::{tile_figure, Section, Table};

/// Published label counts of the MNIST training split, digits 0-9.
const TRAIN_COUNTS: [usize; 10] = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];

pub fn section(dir: &Path, _seed: u64) -> anyhow::Result<Section> {
    let mut s = Section {
        id: "data".into(),
        title: "Data: MNIST and images".into(),
        intro:
            "The 2,000 MNIST test digits built into deepgm, read through the same validating IDX \
                reader as the full files; the reader's checks are exercised on damaged copies."
                .into(),
        ..Default::default()
    };
    let mnist = Mnist::embedded();
    let hist = mnist.label_histogram();
    s.check(
        "built-in subset: 2,000 digits of 28 x 28 with labels 0-9",
        format!(
            "{} digits of {:?}, {} labels",
            mnist.len(),
            mnist.image_shape(),
            hist.iter().sum::<usize>()
        ),
        mnist.len() == 2000
            && mnist.image_shape() == (28, 28)
            && hist.iter().sum::<usize>() == 2000,
    );
    s.check(
        "it is the start of the MNIST test split (first labels 7 2 1 0 4)",
        format!("first labels {:?}", &mnist.labels[..5]),
        mnist.labels[..5] == [7, 2, 1, 0, 4],
    );
    s.tables.push(Table {
        caption: "Label histogram of the built-in subset".into(),
        header: (0..10).map(|d| d.to_string()).collect(),
        rows: vec![hist.iter().map(|c| c.to_string()).collect()],
    });

    // The validating reader on damaged copies.
    let array = IdxArray {
        magic: 2051,
        dims: vec![mnist.len(), 28, 28],
        data: mnist.images.iter().copied().collect(),
    };
    let raw = idx::encode(&array, false);
    let gz = idx::encode(&array, true);
    let same =
        idx::decode(raw.clone(), Path::new("raw")).ok() == idx::decode(gz, Path::new("gz")).ok();
    s.check(
        "raw and gzipped IDX read alike (detected by content)",
        format!("identical: {same}"),
        same,
    );
    let mut truncated = raw.clone();
    truncated.truncate(raw.len() - 100);
    let err = idx::decode(truncated, Path::new("truncated.idx"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    s.check(
        "a truncated file is rejected, naming it",
        err.clone(),
        err.contains("truncated.idx") && err.contains("truncated"),
    );
    let mut wrong = raw;
    wrong[2] = 0x0b;
    let err = idx::decode(wrong, Path::new("wrong-magic.idx"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    s.check(
        "a wrong magic number is rejected, naming it",
        err.clone(),
        err.contains("wrong magic"),
    );

    let digits: Vec<(String, ndarray::Array2<u8>)> = (0..20)
        .map(|i| {
            (
                format!("#{i}: label {}", mnist.labels[i]),
                mnist.image(i).to_owned(),
            )
        })
        .collect();
    s.figures.push(tile_figure(
        dir,
        "data-digit",
        "The first 20 built-in digits with their labels (28 x 28 pixels, shown 3x)",
        &digits,
        3,
        10,
    )?);

    match DataSource::locate(None) {
        Ok(DataSource::Dir(data_dir)) => {
            for split in Split::ALL {
                match Mnist::load_split(&data_dir, split) {
                    Ok(full) => {
                        let h = full.label_histogram();
                        if split == Split::Train {
                            s.check(
                                format!("full training split in {} has the published label counts", data_dir.display()),
                                format!("{} digits: {:?}", full.len(), h),
                                full.len() == 60000 && h == TRAIN_COUNTS,
                            );
                        } else {
                            s.check(
                                format!("full test split in {} has 10,000 digits", data_dir.display()),
                                format!("{} digits: {:?}", full.len(), h),
                                full.len() == 10000,
                            );
                        }
                    }
                    Err(e) => s.notes.push(format!("{} split not checked: {e}", split.name())),
                }
            }
        }
        _ => s.notes.push(
            "Full MNIST was not found (--data, $DEEPGM_DATA, ./data/mnist); `deepgm data fetch mnist` downloads it."
                .into(),
        ),
    }
    Ok(s)
}
