//! Compile once, query many, timed in one process: CASES evidence sets of OBSERVED variables
//! each (drawn from seeded forward samples, so every set has positive probability), every
//! posterior of the unobserved variables per case, answered by one [`CompiledNetwork`] and by a
//! separate exact [`query`] per case. Both loops run REPS times, interleaved; the figures are
//! the medians of the time per case, in microseconds, and the compiled answers are checked
//! against the fresh ones (1e-12 on every probability and on `ln P(e)`).
//!
//! `cargo run --release -p deepgm-bn --example bn_cases_timing -- NET.bif[.gz] [--cases 1000]
//! [--observed 5] [--seed 2026] [--reps 5] [--compiled-only] [--json]`
//!
//! `--compiled-only` times the compiled loop alone (for a profiler) and skips the check.
//!
//! `--json` prints one object: `{"compiled_us", "fresh_us", "speedup", "compile_ms", "cases",
//! "observed", "reps", "max_diff"}`. `bench/bn/cases.py` measures the Python and CLI programs.
use deepgm_bn::{forward_sample, load, query, CompileParams, CompiledNetwork, Evidence};
use deepgm_bn::{QueryParams, SampleParams};
use deepgm_core::progress::NoProgress;
use rand::seq::index::sample;
use std::time::Instant;

// The binary's allocator, so the figures match what `deepgm bn query --cases` does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect(
        "usage: bn_cases_timing NET [--cases N] [--observed K] [--seed S] [--reps R] \
         [--compiled-only] [--json]",
    );
    let (mut cases, mut observed, mut seed, mut reps, mut json) = (1000, 5, 2026u64, 5, false);
    let mut compiled_only = false;
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| panic!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--cases" => cases = value().parse().expect("--cases is a count"),
            "--observed" => observed = value().parse().expect("--observed is a count"),
            "--seed" => seed = value().parse().expect("--seed is an integer"),
            "--reps" => reps = value().parse().expect("--reps is a count"),
            "--json" => json = true,
            "--compiled-only" => compiled_only = true,
            other => panic!("unknown flag {other}"),
        }
    }
    let net = load(&path).expect("a Bayesian network");
    let samples = SampleParams {
        samples: cases,
        seed,
    };
    let data = forward_sample(&net, &samples, &NoProgress).expect("forward samples");
    let n = net.n_variables();
    let evidence: Vec<Evidence> = (0..cases)
        .map(|i| {
            let mut rng = deepgm_core::rng::stream(seed, i as u64);
            let row = data.row(i);
            let mut pairs: Vec<(usize, usize)> = sample(&mut rng, n, observed.min(n))
                .into_iter()
                .map(|v| (v, row[v] as usize))
                .collect();
            pairs.sort_unstable();
            Evidence::from_pairs(&net, &pairs).expect("sampled states are in range")
        })
        .collect();

    let start = Instant::now();
    let mut engine = CompiledNetwork::new(&net, &CompileParams::default()).expect("compiles");
    let compile_ms = start.elapsed().as_secs_f64() * 1e3;
    let params = QueryParams::default();
    let mut max_diff = 0.0f64;
    let (mut compiled_us, mut fresh_us) = (Vec::new(), Vec::new());
    for rep in 0..reps {
        for k in 0..2 {
            if compiled_only && k == 1 {
                continue;
            }
            let start = Instant::now();
            if (k + rep) % 2 == 0 || compiled_only {
                let mut sink = 0.0;
                for e in &evidence {
                    let answer = engine.query_values(e, None).expect("compiled query");
                    sink += answer.log_evidence;
                }
                std::hint::black_box(sink);
                compiled_us.push(start.elapsed().as_secs_f64() * 1e6 / cases as f64);
            } else {
                let mut sink = 0.0;
                for e in &evidence {
                    let answer = query(&net, e, None, &params, &NoProgress).expect("query");
                    sink += answer.log_evidence;
                }
                std::hint::black_box(sink);
                fresh_us.push(start.elapsed().as_secs_f64() * 1e6 / cases as f64);
            }
        }
    }
    if compiled_only {
        compiled_us.sort_by(f64::total_cmp);
        println!("compiled {:.2} us/case", compiled_us[compiled_us.len() / 2]);
        return;
    }
    // The check, outside the timed loops.
    for e in &evidence {
        let compiled = engine.query(e, None).expect("compiled query");
        let fresh = query(&net, e, None, &params, &NoProgress).expect("query");
        max_diff = max_diff.max((compiled.log_evidence - fresh.log_evidence).abs());
        for (a, b) in compiled.marginals.iter().zip(&fresh.marginals) {
            assert_eq!(a.name, b.name, "the same targets in the same order");
            for (p, q) in a.probabilities.iter().zip(&b.probabilities) {
                max_diff = max_diff.max((p - q).abs());
            }
        }
    }
    assert!(max_diff <= 1e-12, "compiled answers differ by {max_diff}");
    let median = |t: &mut Vec<f64>| {
        t.sort_by(f64::total_cmp);
        t[t.len() / 2]
    };
    let (compiled, fresh) = (median(&mut compiled_us), median(&mut fresh_us));
    if json {
        println!(
            "{{\"compiled_us\": {compiled}, \"fresh_us\": {fresh}, \"speedup\": {}, \
             \"compile_ms\": {compile_ms}, \"cases\": {cases}, \"observed\": {observed}, \
             \"reps\": {reps}, \"max_diff\": {max_diff}}}",
            fresh / compiled
        );
    } else {
        println!(
            "{path}: compiled {compiled:.2} us/case, fresh {fresh:.2} us/case, {:.1}x \
             (compile {compile_ms:.2} ms, {cases} cases of {observed} observed, {reps} reps, \
             max diff {max_diff:.1e})",
            fresh / compiled
        );
    }
}
