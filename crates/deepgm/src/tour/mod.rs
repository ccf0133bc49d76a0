//! `deepgm tour`: runs every part on the built-in data, checks each claim of the four
//! derivations (docs/derivations.md)
//! numerically, and writes `report.md` and `index.html` with pictures.

mod bn;
mod cnn;
mod data;
mod derivations;
mod mrf;
mod rbm;
mod report;

use std::time::Instant;

use anyhow::{bail, Context};
use serde::Serialize;

use crate::cli::TourArgs;
use crate::ui::Ui;
use report::Section;

/// What `deepgm tour --json` prints.
#[derive(Serialize)]
struct TourReport<'a> {
    report: std::path::PathBuf,
    checks: usize,
    failures: usize,
    seconds: f64,
    sections: Vec<SectionReport<'a>>,
}

/// One section of [`TourReport`].
#[derive(Serialize)]
struct SectionReport<'a> {
    title: &'a str,
    seconds: f64,
    checks: &'a [report::Check],
}

pub fn run(args: &TourArgs, ui: Ui) -> anyhow::Result<()> {
    let started = Instant::now();
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("creating the report directory {}", args.output.display()))?;
    type Build = fn(&std::path::Path, u64) -> anyhow::Result<Section>;
    let parts: [(&str, Build); 5] = [
        ("data", data::section),
        ("cnn", cnn::section),
        ("bn", bn::section),
        ("rbm", rbm::section),
        ("mrf", mrf::section),
    ];
    let mut sections = Vec::new();
    for (name, build) in parts {
        ui.note(format!("tour: {name}..."));
        let t = Instant::now();
        let mut section = build(&args.output, args.seed)?;
        section.seconds = t.elapsed().as_secs_f64();
        sections.push(section);
    }
    let header = format!(
        "Every claim below is checked numerically by `deepgm tour --seed {}` (deepgm {}), on the data built into deepgm.",
        args.seed,
        env!("CARGO_PKG_VERSION")
    );
    report::write(&args.output, &sections, &header)?;
    let checks: usize = sections.iter().map(|s| s.checks.len()).sum();
    let failures: usize = sections.iter().map(Section::failures).sum();
    let seconds = started.elapsed().as_secs_f64();
    if ui.json {
        ui.print_json(&TourReport {
            report: args.output.join("index.html"),
            checks,
            failures,
            seconds,
            sections: sections
                .iter()
                .map(|s| SectionReport {
                    title: &s.title,
                    seconds: s.seconds,
                    checks: &s.checks,
                })
                .collect(),
        });
    } else {
        for s in &sections {
            ui.say(format!(
                "{}: {} of {} checks pass ({:.1} s)",
                s.title,
                s.checks.len() - s.failures(),
                s.checks.len(),
                s.seconds
            ));
            for c in s.checks.iter().filter(|c| !c.passed) {
                ui.say(format!("  FAIL {}: {}", c.claim, c.measured));
            }
        }
        ui.say(format!(
            "report: {} ({checks} checks, {failures} failed, {seconds:.1} s)",
            args.output.join("index.html").display()
        ));
    }
    if failures > 0 {
        bail!(
            "{failures} of {checks} tour checks failed; see {}",
            args.output.join("report.md").display()
        );
    }
    Ok(())
}
