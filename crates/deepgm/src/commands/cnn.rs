//! `deepgm cnn grad | train | eval | predict | filters`.

use std::collections::HashMap;
use std::path::Path;

use deepgm_cnn::model::Layer;
use deepgm_cnn::preprocess::mnist_like;
use deepgm_cnn::train::{normalize_pixel, probabilities};
use deepgm_cnn::{
    evaluate, io, train_epoch, Arch, GradCase, ImageSet, Optimizer, OptimizerKind, SeedConfig,
    Sequential,
};
use deepgm_core::atomic::write_bytes_atomic;
use deepgm_core::image::{picture_format_of, read_gray, tile_grid, write_image, TileScale};
use deepgm_core::mnist::{DataSource, Split};
use deepgm_core::rng::seeded;
use deepgm_core::Error;
use ndarray::{s, Array2, Array4, ArrayView2, Axis};
use serde_json::{json, Value};

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

/// Reads and checks a gradient case, naming the file and the problem.
pub fn read_case(path: &Path) -> anyhow::Result<GradCase> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let case: GradCase = serde_json::from_slice(&bytes)
        .map_err(|e| Error::format(path, format!("not a gradient case: {e}")))?;
    case.network().map_err(|e| Error::format(path, e.0))?;
    Ok(case)
}

fn grad(args: &CnnGradArgs, ui: Ui) -> anyhow::Result<()> {
    let case = read_case(&args.case)?;
    let report = case
        .evaluate()
        .map_err(|e| Error::format(&args.case, e.0))?;
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

fn optimizer_of(args: &CnnTrainArgs) -> anyhow::Result<Optimizer<f32>> {
    for (name, v) in [
        ("--lr", args.lr),
        ("--momentum", args.momentum),
        ("--weight-decay", args.weight_decay),
        ("--lr-decay", args.lr_decay),
    ] {
        if !v.is_finite() || v < 0.0 {
            return Err(Error::invalid(name, format!("{v}: expected a finite value >= 0")).into());
        }
    }
    let kind = match args.optimizer {
        OptimizerArg::Sgd => OptimizerKind::Sgd {
            momentum: args.momentum,
            weight_decay: args.weight_decay,
        },
        OptimizerArg::Adam => OptimizerKind::adam(args.weight_decay),
    };
    Ok(Optimizer::new(kind, args.lr))
}

fn train(args: &CnnTrainArgs, ui: Ui) -> anyhow::Result<()> {
    let arch = arch_of(args);
    let mut optimizer = optimizer_of(args)?;
    if args.batch == 0 {
        return Err(Error::invalid("--batch", "0: expected at least 1").into());
    }
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
    let (mut model, done) = if args.resume && args.output.exists() {
        let (model, saved_arch, meta) = io::load(&args.output)?;
        if saved_arch != arch {
            return Err(Error::format(
                &args.output,
                format!(
                    "checkpoint is a {} network with other settings than asked: resume with the same --arch and settings",
                    saved_arch.name()
                ),
            )
            .into());
        }
        let state = io::state_path(&args.output);
        let names = model.param_names();
        let shapes: Vec<Vec<usize>> = model.params().iter().map(|p| p.shape().to_vec()).collect();
        if state.exists() {
            io::load_state(&mut optimizer, &names, &shapes, &state)?;
        } else {
            ui.note(format!(
                "{} not found: the optimizer's buffers restart from zero",
                state.display()
            ));
        }
        let done = meta.get("epochs").and_then(|e| e.parse().ok()).unwrap_or(0);
        (model, done)
    } else {
        let mut model = arch.build::<f32>().map_err(Error::from)?;
        model.init_pytorch(&mut seeded(args.seed));
        (model, 0)
    };
    let mut history = Vec::new();
    let bar = ui.progress();
    for epoch in done..args.epochs {
        optimizer.lr = args.lr * args.lr_decay.powi(epoch as i32);
        let stats = train_epoch(
            &mut model,
            &mut optimizer,
            &data,
            args.batch,
            args.seed,
            epoch,
            &bar,
        )
        .map_err(|e| {
            let kept = if epoch > 0 {
                format!(
                    "{} holds the last good checkpoint (epoch {epoch})",
                    args.output.display()
                )
            } else {
                "no model was written".to_string()
            };
            anyhow::Error::from(e).context(kept)
        })?;
        let scored = match &test {
            Some(t) => Some(evaluate(&model, t, 1000, &bar)?),
            None => None,
        };
        let meta: HashMap<String, String> = [
            ("epochs", stats.epoch.to_string()),
            ("optimizer", optimizer.kind.name().to_string()),
            ("lr", args.lr.to_string()),
            ("lr_decay", args.lr_decay.to_string()),
            ("momentum", args.momentum.to_string()),
            ("weight_decay", args.weight_decay.to_string()),
            ("batch", args.batch.to_string()),
            ("seed", args.seed.to_string()),
            ("train_examples", data.len().to_string()),
            ("input_mean", deepgm_cnn::train::MNIST_MEAN.to_string()),
            ("input_std", deepgm_cnn::train::MNIST_STD.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        io::save(&model, &arch, &args.output, &meta)?;
        io::save_state(
            &optimizer,
            &model.param_names(),
            &io::state_path(&args.output),
            &meta,
        )?;
        let test_text = scored
            .as_ref()
            .map(|e| format!(", {test_name} accuracy {:.2}%", 100.0 * e.accuracy))
            .unwrap_or_default();
        bar.note(
            ui,
            format!(
            "epoch {:>3}: loss {:.4}, train accuracy {:.2}%{test_text}, {:.1} s ({:.0} images/s)",
            stats.epoch,
            stats.loss,
            100.0 * stats.accuracy,
            stats.seconds,
            stats.images_per_second
        ),
        );
        history.push(json!({
            "epoch": stats.epoch,
            "loss": stats.loss,
            "train_accuracy": stats.accuracy,
            "test_accuracy": scored.as_ref().map(|e| e.accuracy),
            "test_loss": scored.as_ref().map(|e| e.loss),
            "test_examples": test.as_ref().map(ImageSet::len),
            "seconds": stats.seconds,
            "images_per_second": stats.images_per_second,
        }));
    }
    drop(bar);
    let last_test = history.last().and_then(|h| h["test_accuracy"].as_f64());
    if ui.json {
        ui.print_json(&json!({
            "output": args.output.display().to_string(),
            "arch": arch.name(),
            "parameters": model.parameter_count(),
            "examples": data.len(),
            "optimizer": optimizer.kind.name(),
            "epochs": history,
            "test_accuracy": last_test,
            "test_split": test.as_ref().map(|_| test_name),
        }));
    } else {
        let acc = last_test
            .map(|a| format!(", {test_name} accuracy {:.2}%", 100.0 * a))
            .unwrap_or_default();
        ui.say(format!(
            "trained {} ({} parameters) for {} epoch{} on {} digits{acc}, wrote {}",
            arch.name(),
            model.parameter_count(),
            args.epochs.max(done),
            plural(args.epochs.max(done)),
            data.len(),
            args.output.display()
        ));
    }
    Ok(())
}

fn eval(args: &CnnEvalArgs, ui: Ui) -> anyhow::Result<()> {
    let (model, arch, _) = io::load(&args.model)?;
    let source = DataSource::locate(args.data.as_deref())?;
    let split = split_of(args.split);
    let data = ImageSet::from_mnist(&source.load(split)?);
    let bar = ui.progress();
    let result = evaluate(&model, &data, args.batch, &bar)?;
    drop(bar);
    if let Some(path) = &args.predictions {
        let mut csv = String::from("index,label,predicted\n");
        for (i, (y, p)) in data.labels.iter().zip(&result.predictions).enumerate() {
            csv.push_str(&format!("{i},{y},{p}\n"));
        }
        write_bytes_atomic(path, csv.as_bytes())?;
    }
    if ui.json {
        ui.print_json(&json!({
            "accuracy": result.accuracy,
            "loss": result.loss,
            "confusion": result.confusion,
            "examples": data.len(),
            "split": split.name(),
            "arch": arch.name(),
            "seconds": result.seconds,
            "images_per_second": result.images_per_second,
        }));
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

/// Standardized `(n, 1, 28, 28)` inputs from 28 x 28 pictures.
fn inputs(images: &[Array2<u8>]) -> Array4<f32> {
    let mut x = Array4::zeros((images.len(), 1, 28, 28));
    for (i, img) in images.iter().enumerate() {
        x.slice_mut(s![i, 0, .., ..])
            .assign(&img.mapv(normalize_pixel));
    }
    x
}

fn check_mnist_input(model: &Sequential<f32>, path: &Path) -> anyhow::Result<()> {
    if model.input_shape != [1, 28, 28] {
        return Err(Error::format(
            path,
            format!(
                "the model takes {:?} inputs: predict needs a 1 x 28 x 28 (MNIST) model",
                model.input_shape
            ),
        )
        .into());
    }
    Ok(())
}

fn predict(args: &CnnPredictArgs, ui: Ui) -> anyhow::Result<()> {
    let (model, _, _) = io::load(&args.model)?;
    check_mnist_input(&model, &args.model)?;
    // One unreadable picture is reported and skipped; the others are still classified.
    let mut pictures = Vec::new();
    let mut readable = Vec::new();
    let mut failures = Vec::new();
    for path in &args.images {
        let digit = read_gray(path)
            .and_then(|gray| mnist_like(&gray).map_err(|e| Error::format(path, e.to_string())));
        match digit {
            Ok(digit) => {
                pictures.push(digit);
                readable.push(path);
            }
            Err(e) => {
                if !ui.json {
                    eprintln!("error: {e}");
                }
                failures.push((path, e));
            }
        }
    }
    let probs = if pictures.is_empty() {
        Vec::new()
    } else {
        probabilities(model.predict(inputs(&pictures).view()).view())
    };
    let mut results = Vec::new();
    for (path, p) in readable.iter().zip(&probs) {
        let digit = deepgm_cnn::loss::predicted(ndarray::ArrayView1::from(&p[..]));
        ui.say(format!(
            "{}: {digit} (p = {:.3})  [{}]",
            path.display(),
            p[digit],
            p.iter()
                .enumerate()
                .map(|(d, v)| format!("{d}:{v:.3}"))
                .collect::<Vec<_>>()
                .join(" ")
        ));
        results
            .push(json!({"file": path.display().to_string(), "digit": digit, "probabilities": p}));
    }
    if ui.json {
        let errors: Vec<Value> = failures
            .iter()
            .map(|(path, e)| json!({"file": path.display().to_string(), "error": e.to_string()}))
            .collect();
        ui.print_json(&json!({ "predictions": results, "errors": errors }));
    }
    if failures.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(
        "images",
        format!(
            "{} of {} pictures could not be classified (reported above)",
            failures.len(),
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
pub fn kernels_picture(
    model: &Sequential<f32>,
    digit: Option<ArrayView2<'_, f32>>,
) -> anyhow::Result<Array2<u8>> {
    const TILE: usize = 84;
    let Some(Layer::Conv2d(conv)) = model.layers.first() else {
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

fn filters(args: &CnnFiltersArgs, ui: Ui) -> anyhow::Result<()> {
    // Refuse an output name whose format is unknown before any work is done.
    picture_format_of(&args.output)?;
    let (model, _, _) = io::load(&args.model)?;
    let digit = match args.digit {
        Some(i) => {
            check_mnist_input(&model, &args.model)?;
            let test = DataSource::locate(args.data.as_deref())?.load(Split::Test)?;
            if i >= test.len() {
                return Err(Error::invalid(
                    "--digit",
                    format!("{i}: expected an index below {}", test.len()),
                )
                .into());
            }
            Some(test.image(i).mapv(normalize_pixel))
        }
        None => None,
    };
    let picture = kernels_picture(&model, digit.as_ref().map(|d| d.view()))?;
    write_image(&args.output, &picture)?;
    if ui.json {
        ui.print_json(&json!({"output": args.output.display().to_string(), "digit": args.digit}));
    } else {
        ui.say(format!("wrote {}", args.output.display()));
    }
    Ok(())
}
