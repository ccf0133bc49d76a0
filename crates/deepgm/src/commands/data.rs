//! `deepgm data check` and `deepgm data fetch`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use deepgm_core::builtin::{Builtin, CORE_BUILTINS};
use deepgm_core::fetch::{fetch, mnist_files, FetchOutcome, MNIST_MIRRORS};
use deepgm_core::mnist::{DataSource, Mnist, Split, SplitSummary, DATA_ENV, DEFAULT_DIR};
use serde::Serialize;

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

/// What `deepgm data list --json` prints.
#[derive(Serialize)]
struct ListReport<'a> {
    builtins: &'a [Builtin],
}

/// What `deepgm data fetch --json` prints.
#[derive(Serialize)]
struct FetchReport<'a> {
    dir: &'a Path,
    files: &'a [FetchOutcome],
}

/// What `deepgm data check --json` prints.
#[derive(Serialize)]
struct CheckReport {
    source: String,
    splits: Vec<SplitSummary>,
}

fn check(dir: Option<&Path>, ui: Ui) -> anyhow::Result<()> {
    let source = DataSource::locate(dir)?;
    let mut splits = Vec::new();
    match &source {
        DataSource::Embedded => splits.push(Mnist::embedded().summary("embedded-test")),
        DataSource::Dir(dir) => {
            for split in Split::ALL {
                if !split_present(dir, split) {
                    continue;
                }
                let mnist = Mnist::load_split(dir, split)?;
                splits.push(mnist.summary(split.name()));
            }
        }
    }
    if ui.json {
        let location = match &source {
            DataSource::Embedded => "embedded".to_string(),
            DataSource::Dir(d) => d.display().to_string(),
        };
        ui.print_json(&CheckReport {
            source: location,
            splits,
        });
        return Ok(());
    }
    for s in &splits {
        let histogram: Vec<String> = s.label_histogram.iter().map(usize::to_string).collect();
        ui.say(format!(
            "{:<14} {:>6} images of {}x{}; labels 0-9: {}",
            s.split,
            s.count,
            s.rows,
            s.cols,
            histogram.join(" ")
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
        ui.print_json(&ListReport { builtins: &all });
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
    if ui.json {
        ui.print_json(&FetchReport {
            dir: &dir,
            files: &outcomes,
        });
    } else {
        for outcome in &outcomes {
            let (path, status) = match outcome {
                FetchOutcome::AlreadyValid { path } => (path, "already-valid"),
                FetchOutcome::Downloaded { path, .. } => (path, "downloaded"),
            };
            ui.say(format!("{}: {status}", path.display()));
        }
        ui.say(format!("MNIST verified in {}", dir.display()));
    }
    Ok(())
}
