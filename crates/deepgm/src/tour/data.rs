//! Tour section: the data every model stands on.

use std::path::Path;

use deepgm_core::mnist::{DataSource, Mnist, Split};
use deepgm_core::mnist_claims;

use super::report::{tile_figure, Section, Table};

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
    s.claims(mnist_claims::claims());
    let mnist = Mnist::embedded();
    let hist = mnist.label_histogram();
    s.tables.push(Table {
        caption: "Label histogram of the built-in subset".into(),
        header: (0..10).map(|d| d.to_string()).collect(),
        rows: vec![hist.iter().map(|c| c.to_string()).collect()],
    });

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
                match mnist_claims::full_split(&data_dir, split) {
                    Ok(claim) => s.claims([claim]),
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
