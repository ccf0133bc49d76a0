//! `deepgm rbm train | score | sample | filters`.

use std::collections::HashMap;
use std::path::Path;

use deepgm_core::image::{picture_format_of, tile_grid, write_image, TileScale};
use deepgm_core::mnist::{DataSource, Mnist, Split};
use deepgm_core::rng::seeded;
use deepgm_core::Error;
use deepgm_rbm::{
    ais_log_z, average_log_prob, base_rate_biases, exact_log_z, io, pseudo_log_likelihood,
    reconstruction_cross_entropy, AisOptions, BernoulliRbm, Sampler, TrainOptions, Trainer,
};
use ndarray::{Array2, Axis};
use serde_json::json;

use crate::cli::{
    Binarize, RbmCommand, RbmFiltersArgs, RbmSampleArgs, RbmScoreArgs, RbmTrainArgs, SplitArg,
};
use crate::ui::{plural, Ui};

/// Largest smaller-layer size scored exactly by default (2^25 configurations, about 20 s).
pub const DEFAULT_EXACT_LIMIT: usize = 25;

pub fn run(cmd: RbmCommand, ui: Ui) -> anyhow::Result<()> {
    match cmd {
        RbmCommand::Train(args) => train(&args, ui),
        RbmCommand::Score(args) => score(&args, ui),
        RbmCommand::Sample(args) => sample(&args, ui),
        RbmCommand::Filters(args) => filters(&args, ui),
    }
}

/// MNIST digits as binary rows (N x 784) in f32, binarized as chosen (seeded when sampled).
pub fn binarize(mnist: &Mnist, mode: Binarize, seed: u64) -> Array2<f32> {
    match mode {
        Binarize::Sample | Binarize::Resample => {
            mnist.binarize_sample(&mut seeded(seed)).mapv(f32::from)
        }
        Binarize::Threshold => mnist.binarize_threshold(128).mapv(f32::from),
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
pub fn filters_picture(model: &BernoulliRbm<f32>, max: usize) -> anyhow::Result<Array2<u8>> {
    let shape = image_shape(model.visible())?;
    let columns: Vec<Array2<f32>> = model
        .w
        .axis_iter(Axis(1))
        .take(max.max(1))
        .map(|c| c.to_owned().into_shape_with_order(shape).expect("square"))
        .collect();
    let views: Vec<_> = columns.iter().map(|c| c.view()).collect();
    let cols = (views.len() as f64).sqrt().ceil() as usize;
    Ok(tile_grid(&views, cols, 1, 0, TileScale::PerTile)?)
}

/// `chains` samples after `steps` block-Gibbs steps, as a grid of probability images.
pub fn samples_picture(
    model: &BernoulliRbm<f32>,
    chains: usize,
    steps: usize,
    seed: u64,
) -> anyhow::Result<Array2<u8>> {
    let shape = image_shape(model.visible())?;
    let probs = model.gibbs_samples(chains.max(1), steps, &mut seeded(seed));
    let tiles: Vec<Array2<f32>> = probs
        .axis_iter(Axis(0))
        .map(|r| r.to_owned().into_shape_with_order(shape).expect("square"))
        .collect();
    let views: Vec<_> = tiles.iter().map(|t| t.view()).collect();
    let cols = (views.len() as f64).sqrt().ceil() as usize;
    Ok(tile_grid(&views, cols, 1, 128, TileScale::Unit)?)
}

fn load_model(path: &Path) -> anyhow::Result<(BernoulliRbm<f32>, HashMap<String, String>)> {
    Ok(io::load(path)?)
}

fn train(args: &RbmTrainArgs, ui: Ui) -> anyhow::Result<()> {
    let sampler = match (args.cd, args.pcd) {
        (_, Some(k)) => Sampler::Pcd(k),
        (Some(k), None) => Sampler::Cd(k),
        (None, None) => Sampler::Cd(1),
    };
    if args.hidden == 0 {
        return Err(Error::invalid("--hidden", "0: expected at least 1").into());
    }
    let source = DataSource::locate(args.data.as_deref())?;
    let mut mnist = source.load(Split::Train)?;
    if let Some(limit) = args.limit {
        mnist = mnist.take(limit);
    }
    let mut data = binarize(&mnist, args.binarize, args.seed);
    let options = TrainOptions {
        sampler,
        batch: args.batch,
        learning_rate: args.lr,
        lr_decay: args.lr_decay,
        final_momentum: args.momentum,
        weight_decay: args.weight_decay,
        ..TrainOptions::default()
    };
    let (model, done) = if args.resume && args.output.exists() {
        let (model, meta) = load_model(&args.output)?;
        if model.hidden() != args.hidden || model.visible() != data.ncols() {
            return Err(Error::format(
                &args.output,
                format!(
                    "checkpoint is {} x {}, but --hidden {} on {}-pixel data was asked",
                    model.visible(),
                    model.hidden(),
                    args.hidden,
                    data.ncols()
                ),
            )
            .into());
        }
        let done = meta.get("epochs").and_then(|e| e.parse().ok()).unwrap_or(0);
        (model, done)
    } else {
        (
            BernoulliRbm::init(data.view(), args.hidden, &mut seeded(args.seed))?,
            0,
        )
    };
    let mut trainer = Trainer::new(model, options, args.seed.wrapping_add(done as u64))?;
    trainer.epochs_done = done;
    let sampler_name = match sampler {
        Sampler::Cd(k) => format!("cd-{k}"),
        Sampler::Pcd(k) => format!("pcd-{k}"),
    };
    let mut history = Vec::new();
    let bar = ui.progress();
    while trainer.epochs_done < args.epochs {
        if args.binarize == Binarize::Resample && trainer.epochs_done > 0 {
            // Fresh pixels each epoch, from a stream of the seed, so resuming draws the same.
            let mut rng = deepgm_core::rng::stream(args.seed, trainer.epochs_done as u64);
            data = mnist.binarize_sample(&mut rng).mapv(f32::from);
        }
        let stats = trainer.epoch(data.view(), &bar)?;
        let meta: HashMap<String, String> = [
            ("epochs", stats.epoch.to_string()),
            ("sampler", sampler_name.clone()),
            ("batch", args.batch.to_string()),
            ("lr", args.lr.to_string()),
            ("lr_decay", args.lr_decay.to_string()),
            ("momentum", args.momentum.to_string()),
            ("weight_decay", args.weight_decay.to_string()),
            ("binarize", args.binarize.name().to_string()),
            ("seed", args.seed.to_string()),
            ("train_examples", data.nrows().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        io::save(&trainer.model, &args.output, &meta)?;
        bar.note(
            ui,
            format!(
                "epoch {:>3}: reconstruction error {:.3}, {:.2} s",
                stats.epoch, stats.reconstruction_error, stats.seconds
            ),
        );
        history.push(
            json!({"epoch": stats.epoch, "reconstruction_error": stats.reconstruction_error,
                            "learning_rate": stats.learning_rate, "momentum": stats.momentum,
                            "seconds": stats.seconds}),
        );
    }
    drop(bar);
    if ui.json {
        ui.print_json(&json!({
            "output": args.output.display().to_string(),
            "hidden": args.hidden,
            "sampler": sampler_name,
            "examples": data.nrows(),
            "epochs": history,
        }));
    } else {
        ui.say(format!(
            "trained {} epoch{} ({sampler_name}, {} hidden units, {} digits), wrote {}",
            trainer.epochs_done,
            plural(trainer.epochs_done),
            args.hidden,
            data.nrows(),
            args.output.display()
        ));
    }
    Ok(())
}

fn score(args: &RbmScoreArgs, ui: Ui) -> anyhow::Result<()> {
    let (model, meta) = load_model(&args.model)?;
    let source = DataSource::locate(args.data.as_deref())?;
    let split = match args.split {
        SplitArg::Train => Split::Train,
        SplitArg::Test => Split::Test,
    };
    let mode = match meta.get("binarize").map(String::as_str) {
        Some("threshold") => Binarize::Threshold,
        // Scoring draws one binarization, also for a model trained on fresh ones each epoch.
        _ => Binarize::Sample,
    };
    let data = binarize(&source.load(split)?, mode, args.seed);
    model.check_visible(data.view())?;
    let smaller = model.hidden().min(model.visible());
    let use_exact = args.exact
        || (args.ais_runs.is_none() && args.ais_betas.is_none() && smaller <= DEFAULT_EXACT_LIMIT);
    let bar = ui.progress();
    let (method, log_z, low, high) = if use_exact {
        let z = exact_log_z(&model, &bar)?;
        ("exact", z, z, z)
    } else {
        let defaults = AisOptions::default();
        let options = AisOptions {
            runs: args.ais_runs.unwrap_or(defaults.runs),
            betas: args.ais_betas.unwrap_or(defaults.betas),
            seed: args.seed,
        };
        // The base-rate model comes from the training data, as in Salakhutdinov and Murray.
        let train = binarize(&source.load(Split::Train)?, mode, args.seed);
        let est = ais_log_z(&model, &base_rate_biases(train.view()), &options, &bar)?;
        ("ais", est.log_z, est.log_z_low, est.log_z_high)
    };
    drop(bar);
    let avg = average_log_prob(&model, data.view(), log_z);
    let recon = reconstruction_cross_entropy(&model, data.view());
    let pl = pseudo_log_likelihood(&model, data.view(), &mut seeded(args.seed));
    if ui.json {
        ui.print_json(&json!({
            "method": method,
            "log_z": log_z,
            "log_z_low": low,
            "log_z_high": high,
            "avg_log_prob": avg,
            "recon_error": recon,
            "pseudo_log_likelihood": pl,
            "examples": data.nrows(),
            "split": split.name(),
            "hidden": model.hidden(),
        }));
    } else {
        ui.say(format!(
            "log Z ({method}): {log_z:.3} [{low:.3}, {high:.3}]"
        ));
        ui.say(format!(
            "average log-probability on {} {} digits: {avg:.2} nats",
            data.nrows(),
            source.split_label(split)
        ));
        ui.say(format!("reconstruction cross-entropy: {recon:.2} nats"));
        ui.say(format!("pseudo-log-likelihood: {pl:.2}"));
    }
    Ok(())
}

fn sample(args: &RbmSampleArgs, ui: Ui) -> anyhow::Result<()> {
    // Refuse an output name whose format is unknown before any work is done.
    picture_format_of(&args.output)?;
    let (model, _) = load_model(&args.model)?;
    if args.chains == 0 {
        return Err(Error::invalid("--chains", "0: expected at least 1").into());
    }
    let picture = samples_picture(&model, args.chains, args.steps, args.seed)?;
    write_image(&args.output, &picture)?;
    if ui.json {
        ui.print_json(&json!({"output": args.output.display().to_string(), "chains": args.chains, "steps": args.steps}));
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

fn filters(args: &RbmFiltersArgs, ui: Ui) -> anyhow::Result<()> {
    // Refuse an output name whose format is unknown before any work is done.
    picture_format_of(&args.output)?;
    let (model, _) = load_model(&args.model)?;
    write_image(&args.output, &filters_picture(&model, args.max)?)?;
    let shown = args.max.min(model.hidden());
    if ui.json {
        ui.print_json(&json!({"output": args.output.display().to_string(), "filters": shown}));
    } else {
        ui.say(format!("{shown} filters, wrote {}", args.output.display()));
    }
    Ok(())
}
