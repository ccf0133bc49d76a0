//! Times one CD-1 epoch (500 hidden, batch 100) on the MNIST training split and exact log Z with 25
//! hidden units: `cargo run --release -p deepgm-rbm --example rbm_timing -- DIR`.
use deepgm_core::mnist::{Mnist, Split};
use deepgm_core::progress::NoProgress;
use deepgm_core::rng::seeded;
use deepgm_rbm::*;
use std::time::Instant;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "data/mnist".into());
    let mnist = Mnist::load_split(dir.as_ref(), Split::Train).expect("MNIST train split");
    let data = mnist.binarize_sample(&mut seeded(0)).mapv(f32::from);
    let sizes: Vec<usize> = if std::env::args().nth(2).as_deref() == Some("train-only") {
        vec![500]
    } else {
        vec![500, 25]
    };
    for hidden in sizes {
        let params = TrainParams {
            hidden,
            seed: 1,
            ..Default::default()
        };
        let mut trainer = Trainer::new(data.view(), params).unwrap();
        let stats = trainer.epoch(data.view(), &NoProgress).unwrap();
        let flops = 5.0 * 2.0 * 60000.0 * 784.0 * hidden as f64;
        println!(
            "hidden {hidden}: epoch {:.2} s, {:.1} GFLOP/s, recon {:.2}",
            stats.seconds,
            flops / stats.seconds / 1e9,
            stats.reconstruction_error
        );
        if hidden == 25 {
            let t = Instant::now();
            let log_z = exact_log_z(trainer.model(), &NoProgress).unwrap();
            println!(
                "exact log Z (2^25 terms): {log_z:.4} in {:.1} s",
                t.elapsed().as_secs_f64()
            );
        }
    }
}
