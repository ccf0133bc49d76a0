//! Times the ICM variants and graph cut on a random noisy grid: `cargo run --release --example icm_timing -- 2048`.
use deepgm_core::rng::seeded;
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
    let y = flip_noise(clean.view(), 0.1, &mut seeded(0)).unwrap();
    let model = IsingModel::default();
    for sweeps in [0, 1, 1000] {
        let t = Instant::now();
        let r = icm(&model, y.view(), None, sweeps).unwrap();
        println!(
            "icm sweeps<={sweeps}: {:.4} s (report {:.4}, {} sweeps)",
            t.elapsed().as_secs_f64(),
            r.report.seconds,
            r.report.sweeps
        );
        let t = Instant::now();
        let r = icm_checkerboard(&model, y.view(), None, sweeps).unwrap();
        println!(
            "checkerboard sweeps<={sweeps}: {:.4} s (report {:.4}, {} sweeps)",
            t.elapsed().as_secs_f64(),
            r.report.seconds,
            r.report.sweeps
        );
    }
    let t = Instant::now();
    let r = graph_cut(&model, y.view()).unwrap();
    println!(
        "graphcut: {:.4} s (report {:.4})",
        t.elapsed().as_secs_f64(),
        r.report.seconds
    );
}
