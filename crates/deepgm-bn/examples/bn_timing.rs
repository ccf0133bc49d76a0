//! Times exact queries in one process (no parsing or process start in the figures): every
//! posterior of NET given EVIDENCE with each method, REPS times, medians in milliseconds:
//! `cargo run --release -p deepgm-bn --example bn_timing -- NET.bif.gz "A=x,B=y" [REPS] [auto,jt,ve]`.
use deepgm_bn::{query, Evidence, Method, QueryParams};
use deepgm_core::progress::NoProgress;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: bn_timing NET [EVIDENCE] [REPS]");
    let evidence_text = args.next().unwrap_or_default();
    let reps: usize = args
        .next()
        .map_or(15, |r| r.parse().expect("REPS is a count"));
    let net = deepgm_bn::load(&path).expect("a readable network");
    let evidence = if evidence_text.is_empty() {
        Evidence::none()
    } else {
        Evidence::parse(&net, &evidence_text).expect("valid evidence")
    };
    let methods: Vec<Method> = args
        .next()
        .unwrap_or_else(|| "auto,jt,ve".into())
        .split(',')
        .map(|m| match m {
            "auto" => Method::Auto,
            "jt" => Method::JunctionTree,
            "ve" => Method::VariableElimination,
            other => panic!("unknown method {other}: expected auto, jt or ve"),
        })
        .collect();
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); methods.len()];
    let mut chosen = Method::Auto;
    // Interleaved, so drifts of the machine's speed hit every method alike.
    for _ in 0..reps {
        for (m, &method) in methods.iter().enumerate() {
            let start = Instant::now();
            let params = QueryParams {
                method,
                ..QueryParams::default()
            };
            let answer = query(&net, &evidence, None, &params, &NoProgress).expect("query");
            times[m].push(start.elapsed().as_secs_f64() * 1e3);
            if method == Method::Auto {
                chosen = answer.method;
            }
        }
    }
    for (m, method) in methods.iter().enumerate() {
        let t = &mut times[m];
        t.sort_by(f64::total_cmp);
        println!(
            "{:>4}: median {:8.2} ms, min {:8.2} ms{}",
            method.name(),
            t[t.len() / 2],
            t[0],
            if *method == Method::Auto {
                format!(" (chose {})", chosen.name())
            } else {
                String::new()
            }
        );
    }
}
