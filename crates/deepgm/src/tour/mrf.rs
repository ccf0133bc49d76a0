//! Tour section: problem 4 of docs/derivations.md, Ising-model denoising.

use std::path::Path;

use deepgm_core::image::{decode_gray, spins_to_gray, to_spins};
use deepgm_core::progress::NoProgress;
use deepgm_core::rng::seeded;
use deepgm_mrf::{
    all_labellings, anneal, count_differences, flip_noise, graph_cut, icm, mean_field,
    AnnealOptions, Denoised, IsingModel, MeanFieldOptions, Neighbourhood, DEFAULT_MAX_SWEEPS,
};
use ndarray::Array2;
use rand::Rng;

use super::derivations::Problem;
use super::report::{tile_figure, Section, Table};

const HORSE: &[u8] = deepgm_core::builtin::HORSE_PNG;

fn random_spins(rows: usize, cols: usize, rng: &mut impl Rng) -> Array2<i8> {
    Array2::from_shape_fn((rows, cols), |_| if rng.random::<bool>() { 1 } else { -1 })
}

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
    let mut rng = seeded(seed);

    // Seed 4.1: the energy difference is local.
    let mut worst = 0.0f64;
    let mut locality_violations = 0usize;
    let trials = 2000;
    for trial in 0..trials {
        let (rows, cols) = (rng.random_range(1..12), rng.random_range(1..12));
        let x = random_spins(rows, cols, &mut rng);
        let y = random_spins(rows, cols, &mut rng);
        let nb = if trial % 2 == 0 {
            Neighbourhood::Four
        } else {
            Neighbourhood::Eight
        };
        let model = IsingModel::new(
            rng.random_range(-3.0..3.0),
            rng.random_range(-3.0..3.0),
            rng.random_range(-3.0..3.0),
        )?
        .with_neighbourhood(nb);
        let (r, c) = (rng.random_range(0..rows), rng.random_range(0..cols));
        let mut plus = x.clone();
        plus[[r, c]] = 1;
        let mut minus = x.clone();
        minus[[r, c]] = -1;
        let full = model.energy(plus.view(), y.view())? - model.energy(minus.view(), y.view())?;
        let local = model.delta_energy(x.view(), y.view(), r, c);
        worst = worst.max((full - local).abs());
        // Flip a pixel that is neither m nor a neighbour: the local difference must not move.
        let (pr, pc) = (rng.random_range(0..rows), rng.random_range(0..cols));
        let (dr, dc) = (pr as isize - r as isize, pc as isize - c as isize);
        if (pr, pc) != (r, c) && !nb.offsets().contains(&(dr, dc)) {
            let mut far = x.clone();
            far[[pr, pc]] = -far[[pr, pc]];
            if model.delta_energy(far.view(), y.view(), r, c) != local {
                locality_violations += 1;
            }
        }
    }
    s.check_step(
        "mrf-local-difference",
        "4.1: E(x_m=+1) - E(x_m=-1) = 2h - 2 beta sum_{j in N(m)} x_j - 2 eta y_m",
        format!("{trials} random grids and parameters: largest gap to two full energy evaluations {worst:.1e}"),
        worst <= 1e-9,
    );
    s.check_step(
        "mrf-local-difference",
        "4.1: the difference depends only on the neighbours of m",
        format!("{locality_violations} changes when a non-neighbour was flipped"),
        locality_violations == 0,
    );

    // Seed 4.2: beta = h = 0 gives x = y.
    let y = random_spins(40, 40, &mut rng);
    let plain = IsingModel::new(0.0, 0.0, 2.1)?;
    let methods: Vec<Denoised> = vec![
        icm(&plain, y.view(), Some((-&y).view()), DEFAULT_MAX_SWEEPS)?,
        anneal(
            &plain,
            y.view(),
            &AnnealOptions {
                seed,
                ..Default::default()
            },
            &NoProgress,
        )?,
        mean_field(&plain, y.view(), &MeanFieldOptions::default())?,
        graph_cut(&plain, y.view())?,
    ];
    let agree = methods.iter().filter(|d| d.labels == y).count();
    s.check_step(
        "mrf-beta-h-zero",
        "4.2: with beta = h = 0 the most probable x is y (ICM from -y, annealing, mean field, graph cut)",
        format!("{agree} of {} methods return x = y on a random 40 x 40 y", methods.len()),
        agree == methods.len(),
    );

    // Graph cut against brute force.
    let mut cut_gap = 0.0f64;
    for _ in 0..4 {
        let y = random_spins(4, 4, &mut rng);
        let model = IsingModel::new(
            rng.random_range(-1.0..1.0),
            rng.random_range(0.0..2.0),
            rng.random_range(0.0..3.0),
        )?;
        let cut = graph_cut(&model, y.view())?.report.energy;
        let brute = all_labellings(4, 4)
            .map(|x| model.energy(x.view(), y.view()))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .fold(f64::INFINITY, f64::min);
        cut_gap = cut_gap.max((cut - brute).abs());
    }
    s.check_step(
        "mrf-graph-cut",
        "graph cut finds the global minimum (all 65,536 labellings of 4 x 4, 4 random models with h != 0)",
        format!("largest gap {cut_gap:.1e}"),
        cut_gap <= 1e-9,
    );

    // Denoise a real image.
    let clean = to_spins(&decode_gray(HORSE, Path::new("builtin:horse"))?, 128);
    let noisy = flip_noise(clean.view(), 0.1, &mut seeded(seed))?;
    let model = IsingModel::default();
    let results = vec![
        icm(&model, noisy.view(), None, DEFAULT_MAX_SWEEPS)?,
        anneal(
            &model,
            noisy.view(),
            &AnnealOptions {
                seed,
                ..Default::default()
            },
            &NoProgress,
        )?,
        mean_field(&model, noisy.view(), &MeanFieldOptions::default())?,
        graph_cut(&model, noisy.view())?,
    ];
    let error =
        |x: &Array2<i8>| count_differences(x.view(), clean.view()) as f64 / clean.len() as f64;
    let noisy_error = error(&noisy);
    let mut rows = vec![vec![
        "noisy input".to_string(),
        format!("{:.1}", model.energy(noisy.view(), noisy.view())?),
        format!("{:.2}%", 100.0 * noisy_error),
        "-".into(),
        "-".into(),
    ]];
    for r in &results {
        rows.push(vec![
            r.report.method.to_string(),
            format!("{:.1}", r.report.energy),
            format!("{:.2}%", 100.0 * error(&r.labels)),
            r.report.sweeps.to_string(),
            format!("{:.3}", r.report.seconds),
        ]);
    }
    s.tables.push(Table {
        caption: format!(
            "Denoising the horse ({} x {}, 10% flipped, seed {seed}), h = 0, beta = 1, eta = 2.1",
            clean.ncols(),
            clean.nrows()
        ),
        header: ["method", "energy", "error rate", "sweeps", "seconds"]
            .map(String::from)
            .to_vec(),
        rows,
    });
    let cut = results.last().expect("graph cut ran");
    let lowest = results
        .iter()
        .all(|r| cut.report.energy <= r.report.energy + 1e-9);
    s.check_step(
        "mrf-graph-cut",
        "graph cut's energy is the lowest of the four methods",
        format!(
            "graph cut {:.1}; others {}",
            cut.report.energy,
            results[..3]
                .iter()
                .map(|r| format!("{} {:.1}", r.report.method, r.report.energy))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        lowest,
    );
    let all_better = results.iter().all(|r| error(&r.labels) < noisy_error);
    s.check(
        "every method removes noise (error rate below the input's)",
        format!(
            "input {:.2}%; {}",
            100.0 * noisy_error,
            results
                .iter()
                .map(|r| format!("{} {:.2}%", r.report.method, 100.0 * error(&r.labels)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        all_better,
    );

    let mut pictures = vec![
        (
            "clean (the built-in horse)".to_string(),
            spins_to_gray(&clean),
        ),
        (
            format!(
                "noisy input: 10% flipped, error {:.2}%",
                100.0 * noisy_error
            ),
            spins_to_gray(&noisy),
        ),
    ];
    for r in &results {
        pictures.push((
            format!(
                "{}: energy {:.0}, error {:.2}%",
                r.report.method,
                r.report.energy,
                100.0 * error(&r.labels)
            ),
            spins_to_gray(&r.labels),
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
