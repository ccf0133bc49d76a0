//! Tour section: problem 3 of docs/derivations.md, restricted Boltzmann machines.

use std::path::Path;

use deepgm_core::mnist::Mnist;
use deepgm_core::progress::NoProgress;
use deepgm_rbm::{GibbsChains, Sampler, TrainParams, Trainer};
use ndarray::{Array2, Axis};

use super::derivations::Problem;
use super::report::{stretch, tile_figure, Section, Table};

pub fn section(dir: &Path, seed: u64) -> anyhow::Result<Section> {
    let mut s = Section {
        id: "rbm".into(),
        title: "3. Restricted Boltzmann machines".into(),
        problem: Some(Problem::Rbm),
        intro: "p(v,h) = exp(v'Wh + v'b + h'a)/Z over binary v and h. The source derives p(h|v) = \
                prod_j sigmoid((W'v + a)_j); deepgm corrects its slips (the first denominator is p(v), \
                the bias is a, not 1, and the result is p(h|v) = prod_j p(h_j|v)). Small RBMs are then \
                trained on the built-in digits and their log-likelihood measured exactly and by AIS."
            .into(),
        ..Default::default()
    };
    let tour = deepgm_rbm::tour(seed)?;
    s.claims(tour.claims);
    let (model, data) = (tour.model, tour.data);
    let hidden = model.hidden();
    let rows = tour
        .epochs
        .iter()
        .map(|e| {
            vec![
                e.epoch.to_string(),
                format!("{:.2}", e.reconstruction_error),
                format!("{:.2}", e.seconds),
            ]
        })
        .collect();
    s.tables.push(Table {
        caption: format!("CD-1 on the 2,000 built-in digits (stochastically binarized), {hidden} hidden units, batch 100, lr 0.05"),
        header: ["epoch", "reconstruction error", "seconds"].map(String::from).to_vec(),
        rows,
    });
    let filters: Vec<(String, Array2<u8>)> = model
        .w()
        .axis_iter(Axis(1))
        .enumerate()
        .map(|(j, column)| {
            let image = column
                .to_owned()
                .into_shape_with_order((28, 28))
                .expect("784 = 28 x 28");
            (format!("hidden unit {}", j + 1), stretch(image.view()))
        })
        .collect();
    s.figures.push(tile_figure(
        dir,
        "rbm-filter",
        format!(
            "The {hidden} learned filters: each hidden unit's 784 weights as a 28 x 28 picture \
             (black most negative, white most positive; shown 4x)"
        ),
        &filters,
        4,
        8,
    )?);
    s.figures.push(chains_figure(dir, &data, seed)?);
    s.notes.push(
        "Reading the chains: each row starts at a built-in digit (one of each class) and runs block \
         Gibbs sampling v -> h -> v; a tile shows p(v|h), the mean image of the chain's state after \
         that many steps. Early steps stay near the starting digit; later ones wander, slowly, to \
         other digits the model learned (a 2 or an 8 may become a 0). The 16-unit model above, kept \
         small so that its log Z can be summed exactly, has too few units for such samples: its \
         chains fall into one or two blurry modes."
            .into(),
    );
    Ok(s)
}

/// Block-Gibbs chains of a 64-unit RBM trained by CD-1 (minibatches of 20), started at one
/// built-in digit of each class, shown after 0, 1, 10, 100 and 1,000 steps (rows: chains,
/// columns: steps). These settings were chosen so that the chains show digits, and move between
/// classes, after about a second of training.
fn chains_figure(
    dir: &Path,
    data: &Array2<f32>,
    seed: u64,
) -> anyhow::Result<super::report::Figure> {
    const STEPS: [usize; 5] = [0, 1, 10, 100, 1000];
    let labels = &Mnist::embedded().labels;
    let params = TrainParams {
        hidden: CHAIN_MODEL_HIDDEN,
        sampler: Sampler::Cd(1),
        batch: 20,
        seed,
        ..TrainParams::default()
    };
    let mut trainer = Trainer::new(data.view(), params)?;
    for _ in 0..CHAIN_MODEL_EPOCHS {
        trainer.epoch(data.view(), &NoProgress)?;
    }
    let starts: Vec<usize> = (0..10u8)
        .filter_map(|digit| labels.iter().position(|&l| l == digit))
        .collect();
    let mut chains = GibbsChains::new(
        trainer.model(),
        data.select(Axis(0), &starts),
        seed.wrapping_add(1),
    )?;
    let mut columns = Vec::new();
    let mut done = 0;
    for &steps in &STEPS {
        columns.push(chains.advance(steps - done, &NoProgress));
        done = steps;
    }
    let mut tiles = Vec::new();
    for (row, &start) in starts.iter().enumerate() {
        for (column, &steps) in STEPS.iter().enumerate() {
            let image = columns[column]
                .row(row)
                .to_owned()
                .into_shape_with_order((28, 28))
                .expect("784 = 28 x 28");
            let label = if steps == 0 {
                format!("start: a {}", labels[start])
            } else {
                format!("after {steps} step{}", if steps == 1 { "" } else { "s" })
            };
            tiles.push((label, deepgm_core::image::unit_to_gray(image.view())));
        }
    }
    Ok(tile_figure(
        dir,
        "rbm-chain",
        format!(
            "Block-Gibbs chains of an RBM of {CHAIN_MODEL_HIDDEN} hidden units (CD-1, minibatches of \
             20, {CHAIN_MODEL_EPOCHS} epochs on the built-in digits): each row starts at a digit and \
             shows p(v|h) after 1, 10, 100 and 1,000 steps (shown 3x)"
        ),
        &tiles,
        3,
        STEPS.len(),
    )?)
}

/// Hidden units of the model whose chains the report shows.
const CHAIN_MODEL_HIDDEN: usize = 64;
/// Epochs of CD-1 for the model whose chains the report shows.
const CHAIN_MODEL_EPOCHS: usize = 30;
