//! Tour section: problem 4 of docs/derivations.md, Ising-model denoising. The checks are
//! `deepgm_mrf::tour`'s; this file only writes them, the table and the figure.

use std::path::Path;

use deepgm_core::image::spins_to_gray;

use super::derivations::Problem;
use super::report::{tile_figure, Section, Table};

pub fn section(dir: &Path, seed: u64) -> anyhow::Result<Section> {
    let mut s = Section {
        id: "mrf".into(),
        title: "4. Ising-model image denoising".into(),
        problem: Some(Problem::Mrf),
        intro: "E(x,y) = h sum x_i - beta sum_{i~j} x_i x_j - eta sum x_i y_i over x, y in {-1,+1}, \
                4-neighbourhood unless noted. A real black-and-white image (400 x 328) gets 10% of its \
                pixels flipped and is denoised with Bishop's parameters (h = 0, beta = 1, eta = 2.1)."
            .into(),
        ..Default::default()
    };
    let tour = deepgm_mrf::tour(seed)?;
    s.claims(tour.claims);
    let horse = &tour.horse;

    let mut rows = vec![vec![
        "noisy input".to_string(),
        format!("{:.1}", horse.noisy_energy),
        format!("{:.2}%", 100.0 * horse.noisy_error_rate),
        "-".into(),
        "-".into(),
    ]];
    for r in &horse.runs {
        let report = &r.result.report;
        rows.push(vec![
            report.method.to_string(),
            format!("{:.1}", report.energy),
            format!("{:.2}%", 100.0 * r.error_rate),
            report.sweeps.to_string(),
            format!("{:.3}", report.seconds),
        ]);
    }
    s.tables.push(Table {
        caption: format!(
            "Denoising the horse ({} x {}, 10% flipped, seed {seed}), h = 0, beta = 1, eta = 2.1",
            horse.clean.ncols(),
            horse.clean.nrows()
        ),
        header: ["method", "energy", "error rate", "sweeps", "seconds"]
            .map(String::from)
            .to_vec(),
        rows,
    });

    let mut pictures = vec![
        (
            "clean (the built-in horse)".to_string(),
            spins_to_gray(&horse.clean),
        ),
        (
            format!(
                "noisy input: 10% flipped, error {:.2}%",
                100.0 * horse.noisy_error_rate
            ),
            spins_to_gray(&horse.noisy),
        ),
    ];
    for r in &horse.runs {
        pictures.push((
            format!(
                "{}: energy {:.0}, error {:.2}%",
                r.result.report.method,
                r.result.report.energy,
                100.0 * r.error_rate
            ),
            spins_to_gray(&r.result.labels),
        ));
    }
    s.figures.push(tile_figure(
        dir,
        "mrf-denoising",
        "Denoising the horse: the clean picture, the noisy input, and each method's output \
         (graph cut is the exact minimum of the energy)",
        &pictures,
        1,
        3,
    )?);
    Ok(s)
}
