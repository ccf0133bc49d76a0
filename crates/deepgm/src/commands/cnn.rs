//! `deepgm cnn grad | train | eval | predict | filters`.

use anyhow::Context;
use deepgm_cnn::{
    check_mnist_model, evaluate, load_model, normalize_pixel, optimizer_state_path, predict_files,
    Arch, EpochReport, EvalParams, EvalReport, GradCase, ImageSet, Layer, SeedConfig, Sequential,
    TrainParams, TrainReport, Trainer, UpdateRule,
};
use deepgm_core::atomic::write_bytes_atomic;
use deepgm_core::image::{picture_format_of, tile_grid, write_image, TileScale};
use deepgm_core::mnist::{DataSource, Split};
use deepgm_core::schedule::LearningRateSchedule;
use deepgm_core::Error;
use ndarray::{s, Array2, ArrayView2, Axis};
use serde::Serialize;
use serde_json::Value;

use crate::cli::{
    ArchArg, CnnCommand, CnnEvalArgs, CnnFiltersArgs, CnnGradArgs, CnnPredictArgs, CnnTrainArgs,
    OptimizerArg, SplitArg,
};
use crate::ui::{plural, Ui};

pub fn run(cmd: CnnCommand, ui: Ui) -> anyhow::Result<()> {
    match cmd {
        CnnCommand::Grad(args) => grad(&args, ui),
        CnnCommand::Train(args) => train(&args, ui),
        CnnCommand::Eval(args) => eval(&args, ui),
        CnnCommand::Predict(args) => predict(&args, ui),
        CnnCommand::Filters(args) => filters(&args, ui),
    }
}

/// Prints `report` as JSON, its keys in alphabetical order (as `serde_json::Value` keeps them).
fn print_report(ui: Ui, report: &impl Serialize) {
    ui.print_json(&serde_json::to_value(report).expect("plain data serializes"));
}

fn grad(args: &CnnGradArgs, ui: Ui) -> anyhow::Result<()> {
    let case = GradCase::read(&args.case)?;
    let report = case.evaluate()?;
    let value = serde_json::to_value(&report).expect("plain data serializes");
    if ui.json {
        ui.print_json(&value);
        return Ok(());
    }
    ui.say(format!("loss L = -log p_y = {:.12}", report.loss));
    for key in ["conv_out", "pool_out", "logits", "probs"] {
        print_value(&ui, key, &value[key]);
    }
    for key in [
        "conv_out",
        "pool_out",
        "conv_weight",
        "conv_bias",
        "linear_bias",
        "linear_weight",
        "x",
    ] {
        print_value(&ui, &format!("dL/d{key}"), &value["grad"][key]);
    }
    Ok(())
}

/// Prints a nested JSON array with its shape, one innermost row per line.
fn print_value(ui: &Ui, name: &str, value: &Value) {
    fn shape(v: &Value) -> Vec<usize> {
        match v {
            Value::Array(items) => {
                let mut s = vec![items.len()];
                if let Some(first) = items.first() {
                    s.extend(shape(first));
                }
                s
            }
            _ => Vec::new(),
        }
    }
    fn rows(v: &Value, prefix: String, out: &mut Vec<String>) {
        match v {
            Value::Array(items) if items.first().is_some_and(Value::is_array) => {
                for (i, item) in items.iter().enumerate() {
                    rows(item, format!("{prefix}[{i}]"), out);
                }
            }
            Value::Array(items) => {
                let nums: Vec<String> = items
                    .iter()
                    .map(|x| format!("{:>10.6}", x.as_f64().unwrap_or(f64::NAN)))
                    .collect();
                out.push(format!("  {prefix:<8} {}", nums.join(" ")));
            }
            other => out.push(format!("  {other}")),
        }
    }
    let dims: Vec<String> = shape(value).iter().map(usize::to_string).collect();
    ui.say(format!("{name} ({})", dims.join(" x ")));
    let mut lines = Vec::new();
    rows(value, String::new(), &mut lines);
    for line in lines {
        ui.say(line);
    }
}

fn split_of(arg: SplitArg) -> Split {
    match arg {
        SplitArg::Train => Split::Train,
        SplitArg::Test => Split::Test,
    }
}

fn arch_of(args: &CnnTrainArgs) -> Arch {
    match args.arch {
        ArchArg::Lenet5 => Arch::Lenet5,
        ArchArg::Seed => Arch::Seed(SeedConfig {
            maps: args.maps,
            kernel: args.kernel,
            stride: args.stride,
            padding: args.padding,
            pool: args.pool,
            pool_stride: args.pool_stride,
            ..SeedConfig::default()
        }),
    }
}

fn params_of(args: &CnnTrainArgs) -> TrainParams {
    TrainParams {
        epochs: args.epochs,
        batch_size: args.batch,
        learning_rate: args.lr,
        schedule: LearningRateSchedule::Exponential {
            factor: args.lr_factor,
        },
        optimizer: match args.optimizer {
            OptimizerArg::Sgd => UpdateRule::Sgd,
            OptimizerArg::Adam => UpdateRule::Adam,
        },
        momentum: args.momentum,
        weight_decay: args.weight_decay,
        seed: args.seed,
    }
}

/// The `--json` of `deepgm cnn train`: the library's report with the file written and the
/// held-out split's name.
#[derive(Serialize)]
struct TrainOutput<'a> {
    output: String,
    #[serde(flatten)]
    report: &'a TrainReport,
    test_split: Option<&'a str>,
}

fn train(args: &CnnTrainArgs, ui: Ui) -> anyhow::Result<()> {
    let arch = arch_of(args);
    let params = params_of(args);
    let mut trainer = if args.resume {
        Trainer::resume(&args.output, arch, params)?
    } else {
        Trainer::new(arch, params)?
    };
    let source = DataSource::locate(args.data.as_deref())?;
    let parts = source.train_and_held_out()?;
    let mut mnist = parts.train;
    if let Some(limit) = args.limit {
        mnist = mnist.take(limit);
    }
    let data = ImageSet::from_mnist(&mnist);
    let test = if args.no_test {
        None
    } else {
        Some(ImageSet::from_mnist(&parts.held_out))
    };
    let test_name = parts.held_out_name;
    if source == DataSource::Embedded {
        ui.note(format!(
            "built-in digits: training on the first {}, measuring on the last {} (held out)",
            data.len(),
            parts.held_out.len()
        ));
    }
    if trainer.resumed().is_some_and(|r| !r.optimizer_state) {
        ui.note(format!(
            "{} not found: the optimizer's buffers restart from zero",
            optimizer_state_path(&args.output).display()
        ));
    }
    let bar = ui.progress();
    let mut last_good = trainer.epochs_done();
    let mut on_epoch = |e: &EpochReport| {
        last_good = e.epoch;
        let test_text = e
            .test_accuracy
            .map(|a| format!(", {test_name} accuracy {:.2}%", 100.0 * a))
            .unwrap_or_default();
        bar.note(
            ui,
            format!(
                "epoch {:>3}: loss {:.4}, train accuracy {:.2}%{test_text}, {:.1} s ({:.0} images/s)",
                e.epoch,
                e.loss,
                100.0 * e.train_accuracy,
                e.seconds,
                e.images_per_second
            ),
        );
    };
    let report = trainer
        .fit(
            &data,
            test.as_ref(),
            Some(&args.output),
            &bar,
            &mut on_epoch,
        )
        .with_context(|| {
            if last_good > 0 {
                format!(
                    "{} holds the last good checkpoint (epoch {last_good})",
                    args.output.display()
                )
            } else {
                "no model was written".to_string()
            }
        })?;
    drop(bar);
    if ui.json {
        print_report(
            ui,
            &TrainOutput {
                output: args.output.display().to_string(),
                report: &report,
                test_split: test.as_ref().map(|_| test_name),
            },
        );
    } else {
        let acc = report
            .test_accuracy
            .map(|a| format!(", {test_name} accuracy {:.2}%", 100.0 * a))
            .unwrap_or_default();
        let epochs = trainer.epochs_done();
        ui.say(format!(
            "trained {} ({} parameters) for {epochs} epoch{} on {} digits{acc}, wrote {}",
            arch.name(),
            report.parameters,
            plural(epochs),
            data.len(),
            args.output.display()
        ));
    }
    Ok(())
}

/// The `--json` of `deepgm cnn eval`: the library's report with the split and architecture.
#[derive(Serialize)]
struct EvalOutput<'a> {
    #[serde(flatten)]
    report: &'a EvalReport,
    split: &'a str,
    arch: deepgm_cnn::ArchKind,
}

fn eval(args: &CnnEvalArgs, ui: Ui) -> anyhow::Result<()> {
    let (model, arch, _) = load_model(&args.model)?;
    let source = DataSource::locate(args.data.as_deref())?;
    let split = split_of(args.split);
    let data = ImageSet::from_mnist(&source.load(split)?);
    let bar = ui.progress();
    let params = EvalParams {
        batch_size: args.batch,
    };
    let result = evaluate(&model, &data, &params, &bar)?;
    drop(bar);
    if let Some(path) = &args.predictions {
        let mut csv = String::from("index,label,predicted\n");
        for (i, (y, p)) in data.labels.iter().zip(&result.predictions).enumerate() {
            csv.push_str(&format!("{i},{y},{p}\n"));
        }
        write_bytes_atomic(path, csv.as_bytes())?;
    }
    if ui.json {
        print_report(
            ui,
            &EvalOutput {
                report: &result,
                split: split.name(),
                arch: arch.kind(),
            },
        );
        return Ok(());
    }
    let errors = data.len() - (result.accuracy * data.len() as f64).round() as usize;
    ui.say(format!(
        "{} on {} {} digits: accuracy {:.2}% ({errors} errors), mean loss {:.4}",
        arch.name(),
        data.len(),
        source.split_label(split),
        100.0 * result.accuracy,
        result.loss
    ));
    ui.say("confusion (rows: true digit, columns: predicted)");
    let header: Vec<String> = (0..result.confusion.len())
        .map(|c| format!("{c:>5}"))
        .collect();
    ui.say(format!("     {}", header.join("")));
    for (t, row) in result.confusion.iter().enumerate() {
        let cells: Vec<String> = row.iter().map(|v| format!("{v:>5}")).collect();
        ui.say(format!("{t:>3}: {}", cells.join("")));
    }
    ui.say(format!(
        "{:.3} s, {:.0} images/s",
        result.seconds, result.images_per_second
    ));
    Ok(())
}

fn predict(args: &CnnPredictArgs, ui: Ui) -> anyhow::Result<()> {
    let (model, _, _) = load_model(&args.model)?;
    let report =
        predict_files(&model, &args.images).with_context(|| args.model.display().to_string())?;
    if !ui.json {
        for failure in &report.errors {
            eprintln!("error: {}", failure.error);
        }
    }
    for p in &report.predictions {
        ui.say(format!(
            "{}: {} (p = {:.3})  [{}]",
            p.file,
            p.digit,
            p.probabilities[p.digit],
            p.probabilities
                .iter()
                .enumerate()
                .map(|(d, v)| format!("{d}:{v:.3}"))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    if ui.json {
        print_report(ui, &report);
    }
    if report.errors.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(
        "images",
        format!(
            "{} of {} pictures could not be classified (reported above)",
            report.errors.len(),
            args.images.len()
        ),
    )
    .into())
}

/// `img` scaled to `side x side` by nearest neighbour (for showing tiny kernels and maps).
fn enlarge(img: ArrayView2<'_, f32>, side: usize) -> Array2<f32> {
    let (h, w) = img.dim();
    Array2::from_shape_fn((side, side), |(r, c)| img[[r * h / side, c * w / side]])
}

/// The first layer's kernels (input channel 0) as a row of tiles, and, when `digit` is given
/// (a standardized 28 x 28 image), a second row with the digit and its feature maps.
fn kernels_picture(
    model: &Sequential<f32>,
    digit: Option<ArrayView2<'_, f32>>,
) -> anyhow::Result<Array2<u8>> {
    const TILE: usize = 84;
    let Some(Layer::Conv2d(conv)) = model.layers().first() else {
        return Err(Error::invalid("model", "its first layer is not a convolution").into());
    };
    let maps = conv.out_channels();
    let mut tiles: Vec<Array2<f32>> = Vec::new();
    let kernels: Vec<Array2<f32>> = conv
        .weight
        .axis_iter(Axis(0))
        .map(|w| enlarge(w.index_axis(Axis(0), 0), TILE))
        .collect();
    let cols = maps.min(8) + usize::from(digit.is_some());
    if let Some(d) = digit {
        // The slot above the digit stays empty (background), so kernels sit above their maps.
        tiles.push(Array2::from_elem((TILE, TILE), f32::NAN));
        tiles.extend(kernels.iter().take(cols - 1).cloned());
        let x = d
            .to_owned()
            .into_shape_with_order((1, 1, 28, 28))
            .expect("28 x 28");
        let first = conv.forward(x.view());
        tiles.push(enlarge(d, TILE));
        for m in 0..cols - 1 {
            tiles.push(enlarge(first.slice(s![0, m, .., ..]), TILE));
        }
    } else {
        tiles.extend(kernels);
    }
    let views: Vec<_> = tiles.iter().map(|t| t.view()).collect();
    Ok(tile_grid(&views, cols, 4, 128, TileScale::PerTile)?)
}

/// The `--json` of `deepgm cnn filters`.
#[derive(Serialize)]
struct FiltersOutput {
    output: String,
    digit: Option<usize>,
}

fn filters(args: &CnnFiltersArgs, ui: Ui) -> anyhow::Result<()> {
    // Refuse an output name whose format is unknown before any work is done.
    picture_format_of(&args.output)?;
    let (model, _, _) = load_model(&args.model)?;
    let digit = match args.digit {
        Some(i) => {
            check_mnist_model(&model).with_context(|| args.model.display().to_string())?;
            let test = DataSource::locate(args.data.as_deref())?.load(Split::Test)?;
            if i >= test.len() {
                return Err(
                    Error::param("digit", i, format!("an index below {}", test.len())).into(),
                );
            }
            Some(test.image(i).mapv(normalize_pixel))
        }
        None => None,
    };
    let picture = kernels_picture(&model, digit.as_ref().map(|d| d.view()))?;
    write_image(&args.output, &picture)?;
    if ui.json {
        print_report(
            ui,
            &FiltersOutput {
                output: args.output.display().to_string(),
                digit: args.digit,
            },
        );
    } else {
        ui.say(format!("wrote {}", args.output.display()));
    }
    Ok(())
}
