//! `deepgm data check` and `deepgm data fetch`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use deepgm_core::builtin::{Builtin, CORE_BUILTINS};
use deepgm_core::fetch::{fetch, mnist_files, FetchOutcome, MNIST_MIRRORS};
use deepgm_core::mnist::{DataSource, Mnist, Split, DATA_ENV, DEFAULT_DIR};
use serde_json::json;

use crate::cli::{DataCommand, Dataset};
use crate::ui::Ui;

pub fn run(cmd: DataCommand, ui: Ui) -> anyhow::Result<()> {
    match cmd {
        DataCommand::Check { dir, data } => check(dir.or(data).as_deref(), ui),
        DataCommand::List => list(ui),
        DataCommand::Fetch {
            dataset: Dataset::Mnist,
            dir,
            timeout,
        } => fetch_mnist(dir, Duration::from_secs(timeout), ui),
    }
}

/// Summary of one split, as printed by `data check` and the tour.
pub fn split_summary(name: &str, mnist: &Mnist) -> serde_json::Value {
    let (rows, cols) = mnist.image_shape();
    json!({
        "split": name,
        "count": mnist.len(),
        "rows": rows,
        "cols": cols,
        "label_histogram": mnist.label_histogram(),
    })
}

fn check(dir: Option<&Path>, ui: Ui) -> anyhow::Result<()> {
    let source = DataSource::locate(dir)?;
    let mut splits = Vec::new();
    match &source {
        DataSource::Embedded => splits.push(split_summary("embedded-test", &Mnist::embedded())),
        DataSource::Dir(dir) => {
            for split in Split::ALL {
                if !split_present(dir, split) {
                    continue;
                }
                let mnist = Mnist::load_split(dir, split)?;
                splits.push(split_summary(split.name(), &mnist));
            }
        }
    }
    if ui.json {
        let location = match &source {
            DataSource::Embedded => "embedded".to_string(),
            DataSource::Dir(d) => d.display().to_string(),
        };
        ui.print_json(&json!({ "source": location, "splits": splits }));
        return Ok(());
    }
    for s in &splits {
        ui.say(format!(
            "{:<14} {:>6} images of {}x{}; labels 0-9: {}",
            s["split"].as_str().unwrap_or(""),
            s["count"],
            s["rows"],
            s["cols"],
            s["label_histogram"]
                .as_array()
                .map(|a| a
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(" "))
                .unwrap_or_default()
        ));
    }
    Ok(())
}

/// Every built-in, from the crates that hold them.
fn builtins() -> Vec<Builtin> {
    CORE_BUILTINS
        .iter()
        .chain(deepgm_bn::embedded::BUILTINS)
        .copied()
        .collect()
}

fn list(ui: Ui) -> anyhow::Result<()> {
    let all = builtins();
    if ui.json {
        let rows: Vec<serde_json::Value> = all
            .iter()
            .map(|b| json!({"name": b.full_name(), "kind": b.kind.name(), "description": b.description}))
            .collect();
        ui.print_json(&json!({ "builtins": rows }));
        return Ok(());
    }
    for b in &all {
        ui.say(format!(
            "{:<16} {:<8} {}",
            b.full_name(),
            b.kind.name(),
            b.description
        ));
    }
    ui.say("Use a name wherever a file of its kind is taken, e.g. deepgm bn info builtin:asia.");
    Ok(())
}

fn split_present(dir: &Path, split: Split) -> bool {
    [split.images_stem(), split.labels_stem()]
        .iter()
        .any(|stem| dir.join(stem).is_file() || dir.join(format!("{stem}.gz")).is_file())
}

fn fetch_mnist(dir: Option<PathBuf>, timeout: Duration, ui: Ui) -> anyhow::Result<()> {
    let dir = dir
        .or_else(|| {
            std::env::var_os(DATA_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DIR));
    let outcomes = fetch(&dir, &MNIST_MIRRORS, &mnist_files(), timeout, |name| {
        ui.note(format!("downloading {name}"))
    })?;
    let rows: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|o| match o {
            FetchOutcome::AlreadyValid { path } => {
                json!({"file": path.display().to_string(), "status": "already-valid"})
            }
            FetchOutcome::Downloaded {
                path,
                mirror,
                bytes,
            } => json!({"file": path.display().to_string(), "status": "downloaded",
                        "mirror": mirror, "bytes": bytes}),
        })
        .collect();
    if ui.json {
        ui.print_json(&json!({ "dir": dir.display().to_string(), "files": rows }));
    } else {
        for r in &rows {
            ui.say(format!(
                "{}: {}",
                r["file"].as_str().unwrap_or(""),
                r["status"].as_str().unwrap_or("")
            ));
        }
        ui.say(format!("MNIST verified in {}", dir.display()));
    }
    Ok(())
}
