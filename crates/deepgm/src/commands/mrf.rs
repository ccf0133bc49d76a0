//! `deepgm mrf noise` and `deepgm mrf denoise`.

use std::path::Path;

use deepgm_core::image::{
    picture_format_of, read_gray, spins_to_gray, to_spins, unit_to_gray, write_image,
};
use deepgm_core::rng::seeded;
use deepgm_core::Error;
use deepgm_mrf::{
    anneal, count_differences, flip_noise, gibbs, graph_cut, icm, icm_checkerboard, mean_field,
    AnnealOptions, Denoised, GibbsOptions, IsingModel, MeanFieldOptions, Neighbourhood,
    DEFAULT_MAX_SWEEPS,
};
use ndarray::Array2;
use serde_json::json;

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

fn noise(args: &NoiseArgs, ui: Ui) -> anyhow::Result<()> {
    // Refuse an output name whose format is unknown before any work is done.
    picture_format_of(&args.output)?;
    if !(0.0..=1.0).contains(&args.flip) {
        return Err(Error::invalid(
            "--flip",
            format!("{}: expected a probability in [0, 1]", args.flip),
        )
        .into());
    }
    let clean = read_spins(&args.input, args.threshold)?;
    let noisy = flip_noise(clean.view(), args.flip, &mut seeded(args.seed))?;
    write_image(&args.output, &spins_to_gray(&noisy))?;
    let flipped = count_differences(clean.view(), noisy.view());
    let (height, width) = noisy.dim();
    if ui.json {
        ui.print_json(&json!({
            "output": args.output.display().to_string(),
            "flipped": flipped,
            "flip_rate": flipped as f64 / noisy.len() as f64,
            "width": width,
            "height": height,
            "seed": args.seed,
        }));
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

fn method_name(method: Method) -> &'static str {
    match method {
        Method::Icm => "icm",
        Method::IcmCheckerboard => "icm-checkerboard",
        Method::Gibbs => "gibbs",
        Method::Anneal => "anneal",
        Method::Meanfield => "meanfield",
        Method::Graphcut => "graphcut",
    }
}

fn check_finite(name: &str, value: f64) -> anyhow::Result<()> {
    if !value.is_finite() {
        return Err(Error::invalid(name, format!("{value}: expected a finite number")).into());
    }
    Ok(())
}

fn denoise(args: &DenoiseArgs, ui: Ui) -> anyhow::Result<()> {
    // Refuse an output name whose format is unknown before any work is done.
    picture_format_of(&args.output)?;
    if let Some(path) = &args.marginals {
        picture_format_of(path)?;
    }
    for (name, value) in [("--beta", args.beta), ("--eta", args.eta), ("--h", args.h)] {
        check_finite(name, value)?;
    }
    if let Some(t) = args.temperature {
        if !(t.is_finite() && t > 0.0) {
            return Err(Error::invalid(
                "--temperature",
                format!("{t}: expected a finite number > 0"),
            )
            .into());
        }
    }
    if args.sweeps == Some(0) {
        return Err(Error::invalid("--sweeps", "0: expected at least 1").into());
    }
    if args.marginals.is_some() && !matches!(args.method, Method::Meanfield | Method::Gibbs) {
        return Err(
            Error::invalid("--marginals", "only meanfield and gibbs estimate marginals").into(),
        );
    }
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
    let result: Denoised = match args.method {
        Method::Icm => icm(
            &model,
            y.view(),
            None,
            args.sweeps.unwrap_or(DEFAULT_MAX_SWEEPS),
        )?,
        Method::IcmCheckerboard => icm_checkerboard(
            &model,
            y.view(),
            None,
            args.sweeps.unwrap_or(DEFAULT_MAX_SWEEPS),
        )?,
        Method::Gibbs => {
            let sweeps = args.sweeps.unwrap_or(GibbsOptions::default().sweeps);
            let options = GibbsOptions {
                temperature: args.temperature.unwrap_or(1.0),
                sweeps,
                burn_in: sweeps / 4,
                seed: args.seed,
            };
            gibbs(&model, y.view(), &options, &bar)?
        }
        Method::Anneal => {
            let defaults = AnnealOptions::default();
            let options = AnnealOptions {
                t_start: args.temperature.unwrap_or(defaults.t_start),
                t_end: args.final_temperature,
                sweeps: args.sweeps.unwrap_or(defaults.sweeps),
                seed: args.seed,
            };
            anneal(&model, y.view(), &options, &bar)?
        }
        Method::Meanfield => {
            let defaults = MeanFieldOptions::default();
            let options = MeanFieldOptions {
                temperature: args.temperature.unwrap_or(defaults.temperature),
                max_sweeps: args.sweeps.unwrap_or(defaults.max_sweeps),
                ..defaults
            };
            mean_field(&model, y.view(), &options)?
        }
        Method::Graphcut => graph_cut(&model, y.view())?,
    };
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
        ui.print_json(&json!({
            "method": method_name(args.method),
            "energy": r.energy,
            "changed": r.changed,
            "error_rate": error_rate,
            "input_error_rate": noisy_error_rate,
            "sweeps": r.sweeps,
            "converged": r.converged,
            "seconds": r.seconds,
            "width": width,
            "height": height,
            "h": args.h,
            "beta": args.beta,
            "eta": args.eta,
            "neighbourhood": if args.eight { 8 } else { 4 },
            "output": args.output.display().to_string(),
        }));
    } else {
        ui.say(format!(
            "{}: energy {:.1}, changed {} of {} pixels, {} sweeps{}, {:.3} s",
            method_name(args.method),
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
