//! `deepgm mrf noise` and `deepgm mrf denoise`.

use std::path::Path;

use deepgm_core::image::{
    picture_format_of, read_gray, spins_to_gray, to_spins, unit_to_gray, write_image,
};
use deepgm_core::params::Params;
use deepgm_core::Error;
use deepgm_mrf::{
    count_differences, denoise as run_algorithm, flip_noise, Algorithm, AnnealParams, GibbsParams,
    IcmParams, IsingModel, MeanFieldParams, Neighbourhood, NoiseParams, Report,
};
use ndarray::Array2;
use serde::Serialize;

use crate::cli::{DenoiseArgs, Method, MrfCommand, NoiseArgs};
use crate::ui::Ui;

pub fn run(cmd: MrfCommand, ui: Ui) -> anyhow::Result<()> {
    match cmd {
        MrfCommand::Noise(args) => noise(&args, ui),
        MrfCommand::Denoise(args) => denoise(&args, ui),
    }
}

fn read_spins(path: &Path, threshold: u8) -> anyhow::Result<Array2<i8>> {
    Ok(to_spins(&read_gray(path)?, threshold))
}

/// `deepgm mrf noise --json`.
#[derive(Serialize)]
struct NoiseSummary {
    output: String,
    flipped: usize,
    flip_rate: f64,
    width: usize,
    height: usize,
    seed: u64,
}

fn noise(args: &NoiseArgs, ui: Ui) -> anyhow::Result<()> {
    // Refuse an output name whose format is unknown, or a bad probability, before any work.
    picture_format_of(&args.output)?;
    let params = NoiseParams {
        flip: args.flip,
        seed: args.seed,
    };
    params.check()?;
    let clean = read_spins(&args.input, args.threshold)?;
    let noisy = flip_noise(clean.view(), &params)?;
    write_image(&args.output, &spins_to_gray(&noisy))?;
    let flipped = count_differences(clean.view(), noisy.view());
    let (height, width) = noisy.dim();
    if ui.json {
        ui.print_json(&serde_json::to_value(NoiseSummary {
            output: args.output.display().to_string(),
            flipped,
            flip_rate: flipped as f64 / noisy.len() as f64,
            width,
            height,
            seed: args.seed,
        })?);
    } else {
        ui.say(format!(
            "flipped {flipped} of {} pixels ({:.2}%), wrote {}",
            noisy.len(),
            100.0 * flipped as f64 / noisy.len() as f64,
            args.output.display()
        ));
    }
    Ok(())
}

/// `deepgm mrf denoise --json`: the library's report and what the command adds.
#[derive(Serialize)]
struct DenoiseSummary<'a> {
    #[serde(flatten)]
    report: &'a Report,
    error_rate: Option<f64>,
    input_error_rate: Option<f64>,
    width: usize,
    height: usize,
    #[serde(flatten)]
    model: IsingModel,
    output: String,
}

/// The library's algorithm and parameters for the flags of `args`.
fn algorithm(args: &DenoiseArgs) -> Algorithm {
    match args.method {
        Method::Icm | Method::IcmCheckerboard => {
            let params = IcmParams {
                max_sweeps: args.sweeps.unwrap_or(IcmParams::default().max_sweeps),
            };
            if args.method == Method::Icm {
                Algorithm::Icm(params)
            } else {
                Algorithm::IcmCheckerboard(params)
            }
        }
        Method::Gibbs => {
            let base = args
                .sweeps
                .map_or_else(GibbsParams::default, GibbsParams::with_sweeps);
            Algorithm::Gibbs(GibbsParams {
                temperature: args.temperature.unwrap_or(base.temperature),
                seed: args.seed,
                ..base
            })
        }
        Method::Anneal => {
            let defaults = AnnealParams::default();
            Algorithm::Anneal(AnnealParams {
                t_start: args.temperature.unwrap_or(defaults.t_start),
                t_end: args.final_temperature.unwrap_or(defaults.t_end),
                sweeps: args.sweeps.unwrap_or(defaults.sweeps),
                seed: args.seed,
            })
        }
        Method::Meanfield => {
            let defaults = MeanFieldParams::default();
            Algorithm::Meanfield(MeanFieldParams {
                temperature: args.temperature.unwrap_or(defaults.temperature),
                max_sweeps: args.sweeps.unwrap_or(defaults.max_sweeps),
                ..defaults
            })
        }
        Method::Graphcut => Algorithm::Graphcut,
    }
}

fn denoise(args: &DenoiseArgs, ui: Ui) -> anyhow::Result<()> {
    // Refuse an output name whose format is unknown before any work is done.
    picture_format_of(&args.output)?;
    if let Some(path) = &args.marginals {
        picture_format_of(path)?;
    }
    let algorithm = algorithm(args);
    if args.marginals.is_some() && !algorithm.method().estimates_marginals() {
        return Err(
            Error::invalid("--marginals", "only meanfield and gibbs estimate marginals").into(),
        );
    }
    // Refuse bad parameters before reading the input.
    algorithm.check()?;
    let neighbourhood = if args.eight {
        Neighbourhood::Eight
    } else {
        Neighbourhood::Four
    };
    let model = IsingModel::new(args.h, args.beta, args.eta)?.with_neighbourhood(neighbourhood);
    let y = read_spins(&args.input, args.threshold)?;
    let clean = match &args.clean {
        Some(path) => {
            let clean = read_spins(path, args.threshold)?;
            if clean.dim() != y.dim() {
                return Err(Error::format(
                    path,
                    format!(
                        "{} x {} pixels, but the input is {} x {}",
                        clean.ncols(),
                        clean.nrows(),
                        y.ncols(),
                        y.nrows()
                    ),
                )
                .into());
            }
            Some(clean)
        }
        None => None,
    };
    let bar = ui.progress();
    let result = run_algorithm(&model, y.view(), &algorithm, &bar)?;
    drop(bar);
    write_image(&args.output, &spins_to_gray(&result.labels))?;
    if let (Some(path), Some(marginals)) = (&args.marginals, &result.marginals) {
        write_image(path, &unit_to_gray(marginals.mapv(|p| p as f32).view()))?;
    }
    let error_rate = clean
        .as_ref()
        .map(|c| count_differences(result.labels.view(), c.view()) as f64 / c.len() as f64);
    let noisy_error_rate = clean
        .as_ref()
        .map(|c| count_differences(y.view(), c.view()) as f64 / c.len() as f64);
    let r = &result.report;
    let (height, width) = result.labels.dim();
    if ui.json {
        ui.print_json(&serde_json::to_value(DenoiseSummary {
            report: r,
            error_rate,
            input_error_rate: noisy_error_rate,
            width,
            height,
            model,
            output: args.output.display().to_string(),
        })?);
    } else {
        ui.say(format!(
            "{}: energy {:.1}, changed {} of {} pixels, {} sweeps{}, {:.3} s",
            r.method,
            r.energy,
            r.changed,
            result.labels.len(),
            r.sweeps,
            if r.converged {
                ""
            } else {
                " (sweep cap reached)"
            },
            r.seconds
        ));
        if let (Some(after), Some(before)) = (error_rate, noisy_error_rate) {
            ui.say(format!(
                "error rate against the clean image: {:.3}% (input {:.3}%)",
                100.0 * after,
                100.0 * before
            ));
        }
        ui.say(format!("wrote {}", args.output.display()));
    }
    Ok(())
}
