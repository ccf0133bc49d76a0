//! `deepgm rbm train | score | sample | filters`.

use deepgm_core::image::{picture_format_of, tile_grid, write_image, TileScale};
use deepgm_core::mnist::{DataSource, Split};
use deepgm_core::progress::Progress;
use deepgm_core::schedule::LearningRateSchedule;
use deepgm_core::Error;
use deepgm_rbm::{
    base_rate_biases, gibbs_samples, load_model, score as score_model, BernoulliRbm, Binarization,
    EpochReport, GibbsParams, LogZMethod, Sampler, ScoreParams, ScoreReport, TrainParams, Trainer,
};
use ndarray::{Array2, Axis};
use serde::Serialize;

use crate::cli::{
    Binarize, RbmCommand, RbmFiltersArgs, RbmSampleArgs, RbmScoreArgs, RbmTrainArgs, SplitArg,
};
use crate::ui::{plural, Ui};

pub fn run(cmd: RbmCommand, ui: Ui) -> anyhow::Result<()> {
    match cmd {
        RbmCommand::Train(args) => train(&args, ui),
        RbmCommand::Score(args) => score(&args, ui),
        RbmCommand::Sample(args) => sample(&args, ui),
        RbmCommand::Filters(args) => filters(&args, ui),
    }
}

/// The library's binarization of a `--binarize` choice.
fn binarization(mode: Binarize) -> Binarization {
    match mode {
        Binarize::Sample => Binarization::Sample,
        Binarize::Resample => Binarization::Resample,
        Binarize::Threshold => Binarization::Threshold,
    }
}

/// The side lengths of the square image a visible layer of `d` units shows as.
fn image_shape(d: usize) -> anyhow::Result<(usize, usize)> {
    let side = (d as f64).sqrt().round() as usize;
    if side * side != d {
        return Err(Error::invalid(
            "model",
            format!("{d} visible units do not form a square image"),
        )
        .into());
    }
    Ok((side, side))
}

/// Each hidden unit's weights as a tile (at most `max` of them), each stretched to its own range.
fn filters_picture(model: &BernoulliRbm<f32>, max: usize) -> anyhow::Result<Array2<u8>> {
    let shape = image_shape(model.visible())?;
    let columns: Vec<Array2<f32>> = model
        .w()
        .axis_iter(Axis(1))
        .take(max.max(1))
        .map(|c| c.to_owned().into_shape_with_order(shape).expect("square"))
        .collect();
    let views: Vec<_> = columns.iter().map(|c| c.view()).collect();
    let cols = (views.len() as f64).sqrt().ceil() as usize;
    Ok(tile_grid(&views, cols, 1, 0, TileScale::PerTile)?)
}

/// Samples of `model` drawn as `params` says, as a grid of probability images.
fn samples_picture(
    model: &BernoulliRbm<f32>,
    params: &GibbsParams,
    progress: &dyn Progress,
) -> anyhow::Result<Array2<u8>> {
    let shape = image_shape(model.visible())?;
    let probs = gibbs_samples(model, params, progress)?;
    let tiles: Vec<Array2<f32>> = probs
        .axis_iter(Axis(0))
        .map(|r| r.to_owned().into_shape_with_order(shape).expect("square"))
        .collect();
    let views: Vec<_> = tiles.iter().map(|t| t.view()).collect();
    let cols = (views.len() as f64).sqrt().ceil() as usize;
    Ok(tile_grid(&views, cols, 1, 128, TileScale::Unit)?)
}

/// What `rbm train --json` prints.
#[derive(Serialize)]
struct TrainOutput {
    output: String,
    hidden: usize,
    sampler: Sampler,
    examples: usize,
    epochs: Vec<EpochReport>,
}

fn train(args: &RbmTrainArgs, ui: Ui) -> anyhow::Result<()> {
    let sampler = match (args.cd, args.pcd) {
        (_, Some(k)) => Sampler::Pcd(k),
        (Some(k), None) => Sampler::Cd(k),
        (None, None) => Sampler::Cd(1),
    };
    let params = TrainParams {
        hidden: args.hidden,
        sampler,
        batch: args.batch,
        learning_rate: args.lr,
        schedule: LearningRateSchedule::InverseTime {
            decay: args.lr_decay,
        },
        final_momentum: args.momentum,
        weight_decay: args.weight_decay,
        seed: args.seed,
        ..TrainParams::default()
    };
    let source = DataSource::locate(args.data.as_deref())?;
    let mut mnist = source.load(Split::Train)?;
    if let Some(limit) = args.limit {
        mnist = mnist.take(limit);
    }
    let mode = binarization(args.binarize);
    let mut data = mode.apply(&mnist, args.seed);
    let mut trainer = if args.resume && args.output.exists() {
        Trainer::resume(&args.output, data.ncols(), params)?
    } else {
        Trainer::new(data.view(), params)?
    };
    let mut epochs = Vec::new();
    let bar = ui.progress();
    while trainer.epochs_done() < args.epochs {
        if let Some(fresh) = mode.for_epoch(&mnist, args.seed, trainer.epochs_done()) {
            data = fresh;
        }
        let report = trainer.epoch(data.view(), &bar)?;
        let extra = [
            ("binarize", binarization(args.binarize).name().to_string()),
            ("train_examples", data.nrows().to_string()),
        ];
        trainer.save_checkpoint(&args.output, &extra)?;
        bar.note(
            ui,
            format!(
                "epoch {:>3}: reconstruction error {:.3}, {:.2} s",
                report.epoch, report.reconstruction_error, report.seconds
            ),
        );
        epochs.push(report);
    }
    drop(bar);
    if ui.json {
        let output = TrainOutput {
            output: args.output.display().to_string(),
            hidden: args.hidden,
            sampler,
            examples: data.nrows(),
            epochs,
        };
        ui.print_json(&serde_json::to_value(&output)?);
    } else {
        ui.say(format!(
            "trained {} epoch{} ({sampler}, {} hidden units, {} digits), wrote {}",
            trainer.epochs_done(),
            plural(trainer.epochs_done()),
            args.hidden,
            data.nrows(),
            args.output.display()
        ));
    }
    Ok(())
}

/// What `rbm score --json` prints: the library's report and the split scored.
#[derive(Serialize)]
struct ScoreOutput {
    #[serde(flatten)]
    report: ScoreReport,
    split: &'static str,
}

fn score(args: &RbmScoreArgs, ui: Ui) -> anyhow::Result<()> {
    let (model, meta) = load_model(&args.model)?;
    let source = DataSource::locate(args.data.as_deref())?;
    let split = match args.split {
        SplitArg::Train => Split::Train,
        SplitArg::Test => Split::Test,
    };
    let mode = Binarization::for_scoring(meta.get("binarize").map(String::as_str));
    let data = mode.apply(&source.load(split)?, args.seed);
    let defaults = ScoreParams::default();
    let params = ScoreParams {
        method: if args.exact {
            Some(LogZMethod::Exact)
        } else if args.ais_runs.is_some() || args.ais_betas.is_some() {
            Some(LogZMethod::Ais)
        } else {
            None
        },
        ais_runs: args.ais_runs.unwrap_or(defaults.ais_runs),
        ais_betas: args.ais_betas.unwrap_or(defaults.ais_betas),
        seed: args.seed,
    };
    // AIS starts from the base-rate model of the training data, as in Salakhutdinov and Murray.
    let base = if params.method_for(&model) == LogZMethod::Ais {
        let train = mode.apply(&source.load(Split::Train)?, args.seed);
        Some(base_rate_biases(train.view()))
    } else {
        None
    };
    let bar = ui.progress();
    let report = score_model(&model, data.view(), base.as_ref(), &params, &bar)?;
    drop(bar);
    if ui.json {
        let output = ScoreOutput {
            report,
            split: split.name(),
        };
        ui.print_json(&serde_json::to_value(&output)?);
    } else {
        let ScoreReport {
            method,
            log_z,
            log_z_low: low,
            log_z_high: high,
            avg_log_prob: avg,
            recon_error: recon,
            pseudo_log_likelihood: pl,
            examples,
            ..
        } = report;
        let method = method.name();
        ui.say(format!(
            "log Z ({method}): {log_z:.3} [{low:.3}, {high:.3}]"
        ));
        ui.say(format!(
            "average log-probability on {examples} {} digits: {avg:.2} nats",
            source.split_label(split)
        ));
        ui.say(format!("reconstruction cross-entropy: {recon:.2} nats"));
        ui.say(format!("pseudo-log-likelihood: {pl:.2}"));
    }
    Ok(())
}

/// What `rbm sample --json` prints.
#[derive(Serialize)]
struct SampleOutput {
    output: String,
    chains: usize,
    steps: usize,
}

fn sample(args: &RbmSampleArgs, ui: Ui) -> anyhow::Result<()> {
    // Refuse an output name whose format is unknown before any work is done.
    picture_format_of(&args.output)?;
    let (model, _) = load_model(&args.model)?;
    let params = GibbsParams {
        chains: args.chains,
        steps: args.steps,
        seed: args.seed,
    };
    let bar = ui.progress();
    let picture = samples_picture(&model, &params, &bar)?;
    drop(bar);
    write_image(&args.output, &picture)?;
    if ui.json {
        let output = SampleOutput {
            output: args.output.display().to_string(),
            chains: args.chains,
            steps: args.steps,
        };
        ui.print_json(&serde_json::to_value(&output)?);
    } else {
        ui.say(format!(
            "{} samples after {} steps, wrote {}",
            args.chains,
            args.steps,
            args.output.display()
        ));
    }
    Ok(())
}

/// What `rbm filters --json` prints.
#[derive(Serialize)]
struct FiltersOutput {
    output: String,
    filters: usize,
}

fn filters(args: &RbmFiltersArgs, ui: Ui) -> anyhow::Result<()> {
    // Refuse an output name whose format is unknown before any work is done.
    picture_format_of(&args.output)?;
    let (model, _) = load_model(&args.model)?;
    write_image(&args.output, &filters_picture(&model, args.max)?)?;
    let shown = args.max.min(model.hidden());
    if ui.json {
        let output = FiltersOutput {
            output: args.output.display().to_string(),
            filters: shown,
        };
        ui.print_json(&serde_json::to_value(&output)?);
    } else {
        ui.say(format!("{shown} filters, wrote {}", args.output.display()));
    }
    Ok(())
}
