//! Times each step of LeNet-5's training pass on one thread's share of a batch (IMAGES, default
//! 32), the
//! fastest of REPS repetitions per step, so that a noisy machine still shows where the time
//! goes: `cargo run --release -p deepgm-cnn --example cnn_timing -- [REPS] [IMAGES]`.
use deepgm_cnn::{Arch, Layer, Sequential};
use deepgm_core::rng::seeded;
use ndarray::{Array2, Array4, ArrayView4};
use rand::Rng;
use std::collections::BTreeMap;
use std::time::Instant;

// The allocator the `deepgm` binary uses, so that allocation-heavy steps time as they run there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn as4(a: ndarray::ArrayViewD<'_, f32>) -> ArrayView4<'_, f32> {
    a.into_dimensionality().expect("4-D")
}

fn main() {
    let reps: usize = std::env::args()
        .nth(1)
        .map_or(200, |r| r.parse().expect("REPS is a count"));
    let images: usize = std::env::args()
        .nth(2)
        .map_or(32, |r| r.parse().expect("IMAGES is a count"));
    let mut rng = seeded(0);
    let mut net: Sequential<f32> = Arch::Lenet5.build().expect("LeNet-5");
    net.init_pytorch(&mut rng);
    let x = Array4::from_shape_fn((images, 1, 28, 28), |_| rng.random::<f32>());
    let labels: Vec<u8> = (0..images).map(|i| (i % 10) as u8).collect();
    let mut best: BTreeMap<String, f64> = BTreeMap::new();
    let mut record = |name: String, start: Instant| {
        let t = start.elapsed().as_secs_f64() * 1e6;
        let e = best.entry(name).or_insert(f64::INFINITY);
        *e = e.min(t);
    };
    let mut passes = Vec::with_capacity(reps);
    for _ in 0..reps {
        let all = Instant::now();
        let mut acts: Vec<ndarray::ArrayD<f32>> = vec![x.clone().into_dyn()];
        let mut cols = Vec::new();
        let mut argmax = Vec::new();
        for (i, layer) in net.layers().iter().enumerate() {
            let input = acts.last().expect("input").view();
            let start = Instant::now();
            let out = match layer {
                Layer::Conv2d(c) => {
                    let x4 = as4(input);
                    let cm = c.columns(x4);
                    record(format!("{i:02} conv im2col"), start);
                    let start = Instant::now();
                    let y = c.forward_columns(&cm, x4.dim()).into_dyn();
                    record(format!("{i:02} conv gemm+bias"), start);
                    cols.push(cm);
                    y
                }
                Layer::MaxPool2d(p) => {
                    let (y, a) = p.forward(as4(input));
                    argmax.push(a);
                    record(format!("{i:02} pool"), start);
                    y.into_dyn()
                }
                Layer::Activation(a) => {
                    let y = a.forward(input);
                    record(format!("{i:02} act"), start);
                    y
                }
                Layer::Flatten => {
                    let n = input.shape()[0];
                    let y = input
                        .as_standard_layout()
                        .into_owned()
                        .into_shape_with_order((n, 400))
                        .expect("flat")
                        .into_dyn();
                    record(format!("{i:02} flatten"), start);
                    y
                }
                Layer::Linear(l) => {
                    let y = l
                        .forward(input.into_dimensionality().expect("2-D"))
                        .into_dyn();
                    record(format!("{i:02} linear"), start);
                    y
                }
            };
            acts.push(out);
        }
        // Backward, with the softmax gradient p - onehot(y) as the output gradient.
        let start = Instant::now();
        let ce = deepgm_cnn::cross_entropy(
            acts.last()
                .expect("scores")
                .view()
                .into_dimensionality()
                .expect("2-D"),
            &labels,
        );
        record("99 loss".into(), start);
        let mut grad: ndarray::ArrayD<f32> = ce.grad.into_dyn();
        for (i, layer) in net.layers().iter().enumerate().rev() {
            let x_in = acts[i].view();
            let y = acts[i + 1].view();
            let start = Instant::now();
            let need = i > 0;
            let next: Option<ndarray::ArrayD<f32>> = match layer {
                Layer::Conv2d(c) => {
                    let cm = cols.pop().expect("columns");
                    let (gx, _) = c.backward_columns(
                        &cm,
                        x_in.into_dimensionality::<ndarray::Ix4>()
                            .expect("4-D")
                            .dim(),
                        grad.view().into_dimensionality().expect("4-D"),
                        need,
                    );
                    record(format!("{i:02} conv back"), start);
                    gx.map(|g| g.into_dyn())
                }
                Layer::MaxPool2d(p) => {
                    let a = argmax.pop().expect("argmax");
                    let g = p.backward(
                        x_in.into_dimensionality::<ndarray::Ix4>()
                            .expect("4-D")
                            .dim(),
                        &a,
                        grad.view().into_dimensionality().expect("4-D"),
                    );
                    record(format!("{i:02} pool back"), start);
                    Some(g.into_dyn())
                }
                Layer::Activation(a) => {
                    let g = a.backward(y, grad.view());
                    record(format!("{i:02} act back"), start);
                    Some(g)
                }
                Layer::Flatten => {
                    let g = grad
                        .as_standard_layout()
                        .into_owned()
                        .into_shape_with_order(x_in.raw_dim())
                        .expect("same count");
                    record(format!("{i:02} flatten back"), start);
                    Some(g)
                }
                Layer::Linear(l) => {
                    let (gx, _) = l.backward(
                        x_in.into_dimensionality().expect("2-D"),
                        grad.view()
                            .into_dimensionality::<ndarray::Ix2>()
                            .expect("2-D"),
                        need,
                    );
                    record(format!("{i:02} linear back"), start);
                    gx.map(|g: Array2<f32>| g.into_dyn())
                }
            };
            match next {
                Some(g) => grad = g,
                None => break,
            }
        }
        passes.push(all.elapsed().as_secs_f64() * 1e6);
    }
    let total: f64 = best.values().sum();
    for (name, t) in &best {
        println!("{name:<20} {t:8.1} us  {:5.1}%", 100.0 * t / total);
    }
    passes.sort_by(f64::total_cmp);
    println!(
        "sum of the fastest steps {total:.1} us; whole pass ({images} images): fastest {:.1} us, median {:.1} us",
        passes[0],
        passes[passes.len() / 2]
    );
}
