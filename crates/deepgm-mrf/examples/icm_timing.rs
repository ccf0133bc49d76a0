//! Times the ICM variants and graph cut on a random noisy grid: `cargo run --release --example icm_timing -- 2048`.
use deepgm_core::progress::NoProgress;
use deepgm_mrf::*;
use ndarray::Array2;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2048);
    let clean = Array2::from_shape_fn(
        (n, n),
        |(r, c)| if (r / 64 + c / 64) % 2 == 0 { 1i8 } else { -1 },
    );
    let y = flip_noise(clean.view(), &NoiseParams { flip: 0.1, seed: 0 }).unwrap();
    let model = IsingModel::default();
    for max_sweeps in [1, 2, 1000] {
        let params = IcmParams { max_sweeps };
        let t = Instant::now();
        let r = icm(&model, y.view(), &params, &NoProgress).unwrap();
        println!(
            "icm sweeps<={max_sweeps}: {:.4} s (report {:.4}, {} sweeps)",
            t.elapsed().as_secs_f64(),
            r.report.seconds,
            r.report.sweeps
        );
        let t = Instant::now();
        let r = icm_checkerboard(&model, y.view(), &params, &NoProgress).unwrap();
        println!(
            "checkerboard sweeps<={max_sweeps}: {:.4} s (report {:.4}, {} sweeps)",
            t.elapsed().as_secs_f64(),
            r.report.seconds,
            r.report.sweeps
        );
    }
    let t = Instant::now();
    let r = graph_cut(&model, y.view(), &NoProgress).unwrap();
    println!(
        "graphcut: {:.4} s (report {:.4})",
        t.elapsed().as_secs_f64(),
        r.report.seconds
    );
}
