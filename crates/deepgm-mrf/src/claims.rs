//! The claims of problem 4 of docs/derivations.md, checked numerically: what `deepgm tour`
//! reports for Ising-model denoising, computed here so that tests assert the same checks.

use std::path::Path;

use deepgm_core::builtin::HORSE_PNG;
use deepgm_core::claims::Claim;
use deepgm_core::image::{decode_gray, to_spins};
use deepgm_core::progress::NoProgress;
use deepgm_core::rng::{seeded, DeepRng};
use deepgm_core::Result;
use ndarray::Array2;
use rand::Rng;

use crate::gibbs::{anneal, AnnealParams};
use crate::graphcut::graph_cut;
use crate::icm::{icm, icm_from, IcmParams};
use crate::meanfield::{mean_field, MeanFieldParams};
use crate::model::{all_labellings, count_differences, IsingModel, Neighbourhood};
use crate::noise::{flip_noise, NoiseParams};
use crate::report::Denoised;

/// The claims of the tour's Ising-model section and the denoising of the built-in horse they
/// are partly measured on.
#[derive(Debug, Clone)]
pub struct Tour {
    /// The checks, in the tour's order, each under its derivation step.
    pub claims: Vec<Claim>,
    /// The denoising of the built-in horse (for the tour's table and figure).
    pub horse: HorseDenoising,
}

/// The built-in horse (400 x 328 pixels), 10% of its pixels flipped, denoised by ICM,
/// annealing, mean field and graph cut under Bishop's model (h = 0, beta = 1, eta = 2.1).
#[derive(Debug, Clone)]
pub struct HorseDenoising {
    /// The clean picture as spins, shape `(rows, cols)`.
    pub clean: Array2<i8>,
    /// The noisy observation y, same shape.
    pub noisy: Array2<i8>,
    /// The model every method ran under.
    pub model: IsingModel,
    /// `E(y, y)`: the energy of the noisy input taken as the labelling.
    pub noisy_energy: f64,
    /// Fraction of pixels where the noisy input differs from the clean picture.
    pub noisy_error_rate: f64,
    /// The four runs, in the order ICM, annealing, mean field, graph cut.
    pub runs: Vec<HorseRun>,
}

/// One method's run on the noisy horse.
#[derive(Debug, Clone)]
pub struct HorseRun {
    /// The labelling and its report.
    pub result: Denoised,
    /// Fraction of pixels where the labelling differs from the clean picture.
    pub error_rate: f64,
}

impl HorseDenoising {
    /// Whether every method's error rate is below the noisy input's.
    pub fn removes_noise(&self) -> bool {
        self.runs
            .iter()
            .all(|run| run.error_rate < self.noisy_error_rate)
    }
}

/// The checks of the tour's Ising-model section (seeds 4.1, 4.2 and the exact minimum by a
/// graph cut), every random draw made from `seed`. Same seed, same claims.
///
/// # Errors
/// Only if a library call fails, which would be a bug.
pub fn claims(seed: u64) -> Result<Vec<Claim>> {
    Ok(tour(seed)?.claims)
}

/// [`claims`] together with the horse denoising that two of them are measured on.
///
/// # Errors
/// As [`claims`].
pub fn tour(seed: u64) -> Result<Tour> {
    let mut rng = seeded(seed);
    let mut claims = local_difference(&mut rng)?;
    claims.push(beta_and_h_zero(&mut rng, seed)?);
    claims.push(graph_cut_brute_force(&mut rng)?);
    let horse = denoise_horse(seed)?;
    claims.push(graph_cut_lowest(&horse));
    claims.push(removes_noise(&horse));
    Ok(Tour { claims, horse })
}

fn random_spins(rows: usize, cols: usize, rng: &mut DeepRng) -> Array2<i8> {
    Array2::from_shape_fn((rows, cols), |_| if rng.random::<bool>() { 1 } else { -1 })
}

/// Seed 4.1: the energy difference is local.
fn local_difference(rng: &mut DeepRng) -> Result<Vec<Claim>> {
    let mut worst = 0.0f64;
    let mut locality_violations = 0usize;
    let trials = 2000;
    for trial in 0..trials {
        let (rows, cols) = (rng.random_range(1..12), rng.random_range(1..12));
        let x = random_spins(rows, cols, rng);
        let y = random_spins(rows, cols, rng);
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
    Ok(vec![
        Claim::new(
            "mrf-local-difference",
            "4.1: E(x_m=+1) - E(x_m=-1) = 2h - 2 beta sum_{j in N(m)} x_j - 2 eta y_m",
            format!(
                "{trials} random grids and parameters: largest gap to two full energy evaluations {worst:.1e}"
            ),
            worst <= 1e-9,
        ),
        Claim::new(
            "mrf-local-difference",
            "4.1: the difference depends only on the neighbours of m",
            format!("{locality_violations} changes when a non-neighbour was flipped"),
            locality_violations == 0,
        ),
    ])
}

/// Seed 4.2: beta = h = 0 gives x = y.
fn beta_and_h_zero(rng: &mut DeepRng, seed: u64) -> Result<Claim> {
    let y = random_spins(40, 40, rng);
    let plain = IsingModel::new(0.0, 0.0, 2.1)?;
    let methods: Vec<Denoised> = vec![
        icm_from(
            &plain,
            y.view(),
            (-&y).view(),
            &IcmParams::default(),
            &NoProgress,
        )?,
        anneal(
            &plain,
            y.view(),
            &AnnealParams {
                seed,
                ..Default::default()
            },
            &NoProgress,
        )?,
        mean_field(&plain, y.view(), &MeanFieldParams::default(), &NoProgress)?,
        graph_cut(&plain, y.view(), &NoProgress)?,
    ];
    let agree = methods.iter().filter(|d| d.labels == y).count();
    Ok(Claim::new(
        "mrf-beta-h-zero",
        "4.2: with beta = h = 0 the most probable x is y (ICM from -y, annealing, mean field, graph cut)",
        format!(
            "{agree} of {} methods return x = y on a random 40 x 40 y",
            methods.len()
        ),
        agree == methods.len(),
    ))
}

/// Graph cut against brute force on 4 x 4 grids.
fn graph_cut_brute_force(rng: &mut DeepRng) -> Result<Claim> {
    let mut cut_gap = 0.0f64;
    for _ in 0..4 {
        let y = random_spins(4, 4, rng);
        let model = IsingModel::new(
            rng.random_range(-1.0..1.0),
            rng.random_range(0.0..2.0),
            rng.random_range(0.0..3.0),
        )?;
        let cut = graph_cut(&model, y.view(), &NoProgress)?.report.energy;
        let brute = all_labellings(4, 4)
            .map(|x| model.energy(x.view(), y.view()))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .fold(f64::INFINITY, f64::min);
        cut_gap = cut_gap.max((cut - brute).abs());
    }
    Ok(Claim::new(
        "mrf-graph-cut",
        "graph cut finds the global minimum (all 65,536 labellings of 4 x 4, 4 random models with h != 0)",
        format!("largest gap {cut_gap:.1e}"),
        cut_gap <= 1e-9,
    ))
}

/// Denoises the built-in horse with 10% of its pixels flipped (noise drawn from `seed`).
fn denoise_horse(seed: u64) -> Result<HorseDenoising> {
    let clean = to_spins(&decode_gray(HORSE_PNG, Path::new("builtin:horse"))?, 128);
    let noisy = flip_noise(clean.view(), &NoiseParams { flip: 0.1, seed })?;
    let model = IsingModel::default();
    let results = vec![
        icm(&model, noisy.view(), &IcmParams::default(), &NoProgress)?,
        anneal(
            &model,
            noisy.view(),
            &AnnealParams {
                seed,
                ..Default::default()
            },
            &NoProgress,
        )?,
        mean_field(
            &model,
            noisy.view(),
            &MeanFieldParams::default(),
            &NoProgress,
        )?,
        graph_cut(&model, noisy.view(), &NoProgress)?,
    ];
    let error =
        |x: &Array2<i8>| count_differences(x.view(), clean.view()) as f64 / clean.len() as f64;
    let noisy_error_rate = error(&noisy);
    let noisy_energy = model.energy(noisy.view(), noisy.view())?;
    let runs = results
        .into_iter()
        .map(|result| HorseRun {
            error_rate: error(&result.labels),
            result,
        })
        .collect();
    Ok(HorseDenoising {
        clean,
        noisy,
        model,
        noisy_energy,
        noisy_error_rate,
        runs,
    })
}

/// Graph cut's energy on the horse is the lowest of the four methods.
/// Every method leaves fewer wrong pixels than the noisy input had (an observation).
fn removes_noise(horse: &HorseDenoising) -> Claim {
    Claim::observation(
        "every method removes noise (error rate below the input's)",
        format!(
            "input {:.2}%; {}",
            100.0 * horse.noisy_error_rate,
            horse
                .runs
                .iter()
                .map(|r| format!("{} {:.2}%", r.result.report.method, 100.0 * r.error_rate))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        horse.removes_noise(),
    )
}

fn graph_cut_lowest(horse: &HorseDenoising) -> Claim {
    let (cut, others) = horse.runs.split_last().expect("four runs");
    let cut = &cut.result.report;
    let lowest = horse
        .runs
        .iter()
        .all(|r| cut.energy <= r.result.report.energy + 1e-9);
    Claim::new(
        "mrf-graph-cut",
        "graph cut's energy is the lowest of the four methods",
        format!(
            "graph cut {:.1}; others {}",
            cut.energy,
            others
                .iter()
                .map(|r| format!("{} {:.1}", r.result.report.method, r.result.report.energy))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        lowest,
    )
}
