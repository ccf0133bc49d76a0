//! Tour section: problem 1 of docs/derivations.md, a convolutional network with explicit backpropagation.

use std::path::Path;

use deepgm_cnn::{ImageSet, Layer, Sequential};
use ndarray::s;

use super::derivations::Problem;
use super::report::{enlarge, stretch, tile_figure, Section, Table};

pub fn section(dir: &Path, seed: u64) -> anyhow::Result<Section> {
    let mut s = Section {
        id: "cnn".into(),
        title: "1. A convolutional network with explicit backpropagation".into(),
        intro: "The seed network of the source: Conv(k x k, stride s) -> MaxPool(p x p, stride 1, \
                overlapping) -> Flatten -> Linear -> softmax, with every backward pass written by hand. \
                deepgm corrects the source's output size to floor((d-k)/s)+1, sums the gradient of an \
                input that wins several overlapping windows, sends ties to the first maximum (PyTorch's \
                rule), and completes the softmax layer with dL/dz = p - onehot(y). Each gradient is \
                checked against central differences in float64; a seed network is then trained on the \
                built-in digits."
            .into(),
        problem: Some(Problem::Cnn),
        ..Default::default()
    };
    let tour = deepgm_cnn::tour(seed)?;
    s.claims(tour.claims);
    s.tables.push(Table {
        caption: "Output side of a convolution: computed, deepgm's formula, the source's formula"
            .into(),
        header: ["input", "computed", "floor((d-k)/s)+1", "(d-k+1)/s"]
            .map(String::from)
            .to_vec(),
        rows: tour
            .output_sides
            .iter()
            .map(|o| {
                vec![
                    format!("d={}, k={}, s={}", o.input, o.kernel, o.stride),
                    o.computed.to_string(),
                    o.formula.to_string(),
                    format!("{:.2}", o.source),
                ]
            })
            .collect(),
    });
    s.tables.push(Table {
        caption:
            "Finite-difference checks (float64, eps 1e-5, up to 60 entries per tensor, batch of 2)"
                .into(),
        header: ["network", "gradient of", "entries", "relative error"]
            .map(String::from)
            .to_vec(),
        rows: tour
            .gradient_checks
            .iter()
            .map(|c| {
                vec![
                    c.network.clone(),
                    c.check.name.clone(),
                    c.check.entries.to_string(),
                    format!("{:.1e}", c.check.relative_error),
                ]
            })
            .collect(),
    });
    s.tables.push(Table {
        caption: "The seed network (10,642 parameters) trained with SGD (lr 0.01, momentum 0.9, batch 64) on \
                  the first 1,500 built-in digits, scored on the other 500"
            .into(),
        header: ["epoch", "loss", "train accuracy", "held-out accuracy", "seconds"]
            .map(String::from)
            .to_vec(),
        rows: tour
            .training
            .epochs
            .iter()
            .map(|e| {
                vec![
                    e.epoch.to_string(),
                    format!("{:.4}", e.loss),
                    format!("{:.1}%", 100.0 * e.train_accuracy),
                    format!("{:.1}%", 100.0 * e.test_accuracy.unwrap_or(0.0)),
                    format!("{:.2}", e.seconds),
                ]
            })
            .collect(),
    });
    s.figures
        .extend(feature_figures(dir, &tour.model, &tour.held_out)?);
    Ok(s)
}

/// A held-out digit, then the trained seed network's kernels with the digit's feature maps
/// before and after the overlapping pooling below them (one column a map), each tile labelled.
fn feature_figures(
    dir: &Path,
    model: &Sequential<f32>,
    held: &ImageSet,
) -> anyhow::Result<Vec<super::report::Figure>> {
    let Some(Layer::Conv2d(conv)) = model.layers().first() else {
        anyhow::bail!("the seed network starts with a convolution");
    };
    let maps = conv.out_channels();
    let mut tiles = Vec::new();
    for m in 0..maps {
        let kernel = conv.weight.slice(s![m, 0, .., ..]);
        tiles.push((
            format!(
                "kernel {} ({} x {}), black low, white high",
                m + 1,
                kernel.nrows(),
                kernel.ncols()
            ),
            enlarge(stretch(kernel).view(), 16),
        ));
    }
    let x = held.images.slice(s![0..1, .., .., ..]).to_owned();
    let label = held.labels[0];
    let digit = tile_figure(
        dir,
        "cnn-digit",
        "A held-out digit, the input of the maps below (shown 3x)",
        &[(
            format!("held-out digit (label {label})"),
            enlarge(stretch(x.slice(s![0, 0, .., ..])).view(), 3),
        )],
        1,
        1,
    )?;
    let conv_out = conv.forward(x.view());
    let pooled = match model.layers().get(1) {
        Some(Layer::MaxPool2d(pool)) => pool.forward_values(conv_out.view()),
        _ => anyhow::bail!("the seed network pools after its convolution"),
    };
    for m in 0..maps {
        let y = conv_out.slice(s![0, m, .., ..]);
        tiles.push((
            format!(
                "map {} after convolution ({} x {})",
                m + 1,
                y.nrows(),
                y.ncols()
            ),
            enlarge(stretch(y).view(), 3),
        ));
    }
    for m in 0..maps {
        let p = pooled.slice(s![0, m, .., ..]);
        tiles.push((
            format!(
                "map {} after overlapping pooling ({} x {})",
                m + 1,
                p.nrows(),
                p.ncols()
            ),
            enlarge(stretch(p).view(), 3),
        ));
    }
    let features = tile_figure(
        dir,
        "cnn-features",
        "The trained seed network, one column a feature map: its kernel, then the digit's map \
         after the convolution and after the overlapping pooling (each stretched from its own \
         minimum, black, to its maximum, white)",
        &tiles,
        1,
        maps,
    )?;
    Ok(vec![digit, features])
}
