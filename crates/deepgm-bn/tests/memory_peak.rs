//! The memory plan bounds the real peak: on a grid-shaped Markov network whose plans are over
//! 100 MB, the growth of the process's peak resident set size while a query runs stays within
//! the planned `peak_bytes` plus [`SLACK_BYTES`], and reaches a fair part of it (so the plan is
//! not a vacuous overestimate).
//!
//! Linux only: it reads `VmRSS` and `VmHWM` from `/proc/self/status` and resets the peak by
//! writing 5 to `/proc/self/clear_refs`. One test in its own binary, so no other test allocates
//! while it measures.
#![cfg(target_os = "linux")]

use deepgm_bn::{
    map_markov, query_markov, Evidence, MarkovNetwork, Method, MpeParams, Potential, QueryParams,
    Variable,
};
use deepgm_core::progress::NoProgress;

/// Allowed growth beyond the plan: the allocator's bookkeeping and rounding, rayon's threads
/// and their stacks, the answers themselves.
const SLACK_BYTES: f64 = 32.0 * 1024.0 * 1024.0;
/// The measured growth must reach this fraction of the plan.
const MIN_FRACTION: f64 = 0.3;

/// A `rows x cols` grid of binary variables with a random-looking pairwise potential on each
/// edge and a unary one on each node (values in (0.5, 1.5), so nothing underflows).
fn grid(rows: usize, cols: usize) -> MarkovNetwork {
    let id = |r: usize, c: usize| r * cols + c;
    let variables = (0..rows * cols)
        .map(|i| Variable::new(i.to_string(), ["0", "1"]))
        .collect();
    let value = |k: usize| 0.5 + ((k * 2_654_435_761) % 1000) as f64 / 1000.0;
    let mut potentials = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            let k = potentials.len();
            potentials.push(Potential::new(vec![id(r, c)], vec![value(k), value(k + 1)]));
            let mut edge = |other: usize| {
                let k = potentials.len();
                let values = (0..4).map(|j| value(7 * k + j)).collect();
                potentials.push(Potential::new(vec![id(r, c), other], values));
            };
            if c + 1 < cols {
                edge(id(r, c + 1));
            }
            if r + 1 < rows {
                edge(id(r + 1, c));
            }
        }
    }
    MarkovNetwork::new("grid", variables, potentials).expect("a valid grid")
}

/// A field of `/proc/self/status` in bytes (the file gives kB).
fn status_bytes(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"));
    let kib: f64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("a size in kB");
    kib * 1024.0
}

/// Runs `work` and returns the growth of the peak resident set over the resident set before
/// it, in bytes; `None` where the kernel cannot reset the peak.
fn peak_growth(work: impl FnOnce()) -> Option<f64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    let before = status_bytes("VmRSS:");
    if (status_bytes("VmHWM:") - before).abs() > 1024.0 * 1024.0 {
        return None; // the reset did not take
    }
    work();
    Some(status_bytes("VmHWM:") - before)
}

fn check(what: &str, planned: f64, growth: Option<f64>) {
    let Some(growth) = growth else {
        eprintln!("skipped {what}: this kernel cannot reset the peak resident set");
        return;
    };
    let mib = |b: f64| b / (1024.0 * 1024.0);
    eprintln!(
        "{what}: planned {:.1} MiB, peak grew {:.1} MiB",
        mib(planned),
        mib(growth)
    );
    assert!(planned > 100e6, "{what}: the case must plan over 100 MB");
    assert!(
        growth <= planned + SLACK_BYTES,
        "{what}: the peak grew {:.1} MiB, over the plan's {:.1} MiB plus {:.0} MiB slack",
        mib(growth),
        mib(planned),
        mib(SLACK_BYTES)
    );
    assert!(
        growth >= MIN_FRACTION * planned,
        "{what}: the peak grew only {:.1} MiB of the plan's {:.1} MiB",
        mib(growth),
        mib(planned)
    );
}

#[test]
fn the_plan_bounds_the_peak_resident_set() {
    let net = grid(14, 40);
    let evidence = Evidence::none();
    // Warm the thread pool and the allocator outside the measurement.
    let small = grid(3, 3);
    query_markov(
        &small,
        &evidence,
        None,
        &QueryParams::default(),
        &NoProgress,
    )
    .unwrap();

    let params = QueryParams {
        method: Method::JunctionTree,
        ..QueryParams::default()
    };
    let mut planned = 0.0;
    let growth = peak_growth(|| {
        let answer = query_markov(&net, &evidence, None, &params, &NoProgress).unwrap();
        planned = answer.cost.peak_bytes;
    });
    check("junction tree", planned, growth);

    let growth = peak_growth(|| {
        let map = map_markov(&net, &evidence, &MpeParams::default(), &NoProgress).unwrap();
        planned = map.peak_bytes;
    });
    check("MAP (every intermediate table kept)", planned, growth);
}
