//! Times exact queries in one process (no parsing or process start in the figures, memory warm
//! after the first repetition): every posterior of MODEL (BIF, XMLBIF or UAI) given the
//! evidence, with each method, interleaved, REPS times; medians and minima in milliseconds.
//!
//! `cargo run --release -p deepgm-bn --example bn_timing -- MODEL [--evidence "A=x,B=y"]
//! [--evidence-file F.evid] [--reps 15] [--methods auto,jt,ve] [--json]`
//!
//! `bench/bn/planner.py` runs it per case; `--json` prints one object
//! `{"median_ms": {method: ms}, "min_ms": {...}, "reps": n, "auto_chose": "jt"|"ve"}`.
use deepgm_bn::{load_model, load_uai_evidence, query, query_markov, Evidence, Method, Model};
use deepgm_bn::{Posteriors, QueryParams};
use deepgm_core::progress::NoProgress;
use std::time::Instant;

// The binary's allocator, so the figures match what `deepgm bn query` does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: bn_timing MODEL [--evidence E] [--evidence-file F] [--reps N] [--methods M] [--json]");
    let (mut evidence_text, mut evidence_file) = (String::new(), None);
    let (mut reps, mut methods_text, mut json) = (15usize, "auto,jt,ve".to_string(), false);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| panic!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--evidence" => evidence_text = value(),
            "--evidence-file" => evidence_file = Some(value()),
            "--reps" => reps = value().parse().expect("--reps is a count"),
            "--methods" => methods_text = value(),
            "--json" => json = true,
            other => panic!("unknown argument {other}"),
        }
    }
    let model = load_model(&path).expect("a readable model");
    let evidence = match (&model, &evidence_file) {
        (Model::Markov(m), Some(f)) => load_uai_evidence(f, m).expect("a valid evidence file"),
        (Model::Bayesian(n), Some(f)) => load_uai_evidence(f, n).expect("a valid evidence file"),
        (Model::Bayesian(n), None) if !evidence_text.is_empty() => {
            Evidence::parse(n, &evidence_text).expect("valid evidence")
        }
        (Model::Markov(m), None) if !evidence_text.is_empty() => {
            Evidence::parse(m, &evidence_text).expect("valid evidence")
        }
        _ => Evidence::none(),
    };
    let methods: Vec<Method> = methods_text
        .split(',')
        .map(|m| match m {
            "auto" => Method::Auto,
            "jt" => Method::JunctionTree,
            "ve" => Method::VariableElimination,
            other => panic!("unknown method {other}: expected auto, jt or ve"),
        })
        .collect();
    let run = |method: Method| -> Posteriors {
        let params = QueryParams {
            method,
            ..QueryParams::default()
        };
        match &model {
            Model::Bayesian(net) => query(net, &evidence, None, &params, &NoProgress),
            Model::Markov(net) => query_markov(net, &evidence, None, &params, &NoProgress),
        }
        .expect("query")
    };
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); methods.len()];
    let mut chosen = Method::Auto;
    // Interleaved, the order rotating, so drifts of the machine's speed hit every method alike.
    for rep in 0..reps {
        for k in 0..methods.len() {
            let m = (k + rep) % methods.len();
            let start = Instant::now();
            let answer = run(methods[m]);
            times[m].push(start.elapsed().as_secs_f64() * 1e3);
            if methods[m] == Method::Auto {
                chosen = answer.method;
            }
        }
    }
    let stats: Vec<(f64, f64)> = times
        .iter_mut()
        .map(|t| {
            t.sort_by(f64::total_cmp);
            (t[t.len() / 2], t[0])
        })
        .collect();
    if json {
        let field = |pick: fn(&(f64, f64)) -> f64| {
            methods
                .iter()
                .zip(&stats)
                .map(|(m, s)| format!("\"{}\": {}", m.name(), pick(s)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!(
            "{{\"median_ms\": {{{}}}, \"min_ms\": {{{}}}, \"reps\": {reps}, \"auto_chose\": \"{}\"}}",
            field(|s| s.0),
            field(|s| s.1),
            chosen.name()
        );
        return;
    }
    for (method, (median, min)) in methods.iter().zip(&stats) {
        println!(
            "{:>4}: median {median:8.2} ms, min {min:8.2} ms{}",
            method.name(),
            if *method == Method::Auto {
                format!(" (chose {})", chosen.name())
            } else {
                String::new()
            }
        );
    }
}
