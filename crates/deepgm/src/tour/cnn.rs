//! Tour section: problem 1 of docs/derivations.md, a convolutional network with explicit backpropagation.

use std::path::Path;

use deepgm_cnn::activation::Activation;
use deepgm_cnn::check::gradient_check;
use deepgm_cnn::loss::cross_entropy;
use deepgm_cnn::model::Layer;
use deepgm_cnn::{
    evaluate, train_epoch, Arch, Conv2d, ImageSet, Linear, MaxPool2d, Optimizer, OptimizerKind,
    SeedConfig, Sequential,
};
use deepgm_core::mnist::DataSource;
use deepgm_core::progress::NoProgress;
use deepgm_core::rng::seeded;
use ndarray::{array, s, Array1, Array2, Array4};
use rand::Rng;
use rand_distr::StandardNormal;

use super::derivations::Problem;
use super::report::{enlarge, stretch, tile_figure, Section, Table};

/// A small network with every layer kind the seed network's and LeNet-5's lack (tanh, sigmoid), a
/// strided padded convolution and overlapping pooling.
fn mixed_network() -> anyhow::Result<Sequential<f64>> {
    Ok(Sequential::new(
        vec![
            Layer::Conv2d(Conv2d {
                weight: Array4::zeros((3, 1, 3, 3)),
                bias: Some(Array1::zeros(3)),
                stride: 2,
                padding: 1,
            }),
            Layer::Activation(Activation::Tanh),
            Layer::MaxPool2d(MaxPool2d {
                window: 3,
                stride: 1,
            }),
            Layer::Flatten,
            Layer::Linear(Linear {
                weight: Array2::zeros((8, 3 * 5 * 5)),
                bias: Array1::zeros(8),
            }),
            Layer::Activation(Activation::Sigmoid),
            Layer::Linear(Linear {
                weight: Array2::zeros((4, 8)),
                bias: Array1::zeros(4),
            }),
        ],
        [1, 14, 14],
    )?)
}

pub fn section(dir: &Path, seed: u64) -> anyhow::Result<Section> {
    let mut s = Section {
        id: "cnn".into(),
        title: "1. A convolutional network with explicit backpropagation".into(),
        intro: "The seed network of the source: Conv(k x k, stride s) -> MaxPool(p x p, stride 1, \
                overlapping) -> Flatten -> Linear -> softmax, with every backward pass written by hand. \
                deepgm corrects the source's output size to floor((d-k)/s)+1, sums the gradient of an \
                input that wins several overlapping windows, sends ties to the first maximum (PyTorch's \
                rule), and completes the softmax layer with dL/dz = p - onehot(y). Each gradient is \
                checked against central differences in float64; a seed network is then trained on the \
                built-in digits."
            .into(),
        problem: Some(Problem::Cnn),
        ..Default::default()
    };
    let mut rng = seeded(seed);

    // Output size: floor((d-k)/s)+1, where the source's (d-k+1)/s is not even whole.
    let mut size_rows = Vec::new();
    let mut sizes_ok = true;
    for &(d, k, st) in &[
        (28usize, 5usize, 1usize),
        (28, 5, 2),
        (28, 4, 3),
        (12, 3, 3),
    ] {
        let conv = Conv2d::<f64> {
            weight: Array4::zeros((1, 1, k, k)),
            bias: None,
            stride: st,
            padding: 0,
        };
        let y = conv.forward(Array4::zeros((1, 1, d, d)).view());
        let formula = (d - k) / st + 1;
        sizes_ok &= y.dim().2 == formula;
        size_rows.push(vec![
            format!("d={d}, k={k}, s={st}"),
            y.dim().2.to_string(),
            formula.to_string(),
            format!("{:.2}", (d - k + 1) as f64 / st as f64),
        ]);
    }
    s.check_step(
        "cnn-output-side",
        "the convolution's output side is floor((d-k)/s)+1 (the correction of the source's (d-k+1)/s)",
        "see the table of sizes",
        sizes_ok,
    );
    s.tables.push(Table {
        caption: "Output side of a convolution: computed, deepgm's formula, the source's formula"
            .into(),
        header: ["input", "computed", "floor((d-k)/s)+1", "(d-k+1)/s"]
            .map(String::from)
            .to_vec(),
        rows: size_rows,
    });

    // Pooling ties and overlaps.
    let pool = MaxPool2d {
        window: 2,
        stride: 1,
    };
    let x = array![[[[5.0f64, 5.0, 1.0], [5.0, 9.0, 2.0], [0.0, 3.0, 4.0]]]];
    let (_, arg) = pool.forward(x.view());
    let g = pool.backward(x.dim(), &arg, array![[[[1.0, 2.0], [3.0, 4.0]]]].view());
    let (_, tie_arg) = pool.forward(Array4::<f64>::from_elem((1, 1, 3, 3), 1.0).view());
    s.check_step(
        "cnn-pooling-backward",
        "overlapping pooling: an input that wins several windows receives the sum of their gradients; \
         ties go to the first maximum in row-major order",
        format!(
            "centre of a 3x3 wins 4 windows and gets {} = 1+2+3+4; a constant input sends windows to {tie_arg:?}",
            g[[0, 0, 1, 1]]
        ),
        g[[0, 0, 1, 1]] == 10.0 && tie_arg == vec![0, 1, 3, 4],
    );
    let z = Array2::from_shape_fn((1, 10), |_| rng.sample::<f64, _>(StandardNormal) * 3.0);
    let ce = cross_entropy(z.view(), &[3]);
    let gap = (0..10)
        .map(|c| (ce.grad[[0, c]] - (ce.probs[[0, c]] - f64::from(u8::from(c == 3)))).abs())
        .fold(0.0, f64::max);
    s.check_step(
        "cnn-softmax-cross-entropy",
        "softmax cross-entropy: dL/dz = p - onehot(y)",
        format!("largest gap {gap:.1e} on random logits"),
        gap < 1e-15,
    );

    // Finite differences of every layer inside whole networks.
    let seed_net = |kernel, stride, padding, pool, pool_stride, side| {
        Arch::Seed(SeedConfig {
            maps: 2,
            kernel,
            stride,
            padding,
            pool,
            pool_stride,
            side,
            classes: 10,
        })
        .build::<f64>()
    };
    let networks: Vec<(String, Sequential<f64>)> = vec![
        (
            "seed (k=5, s=1, pool 2/1), 28x28".into(),
            seed_net(5, 1, 0, 2, 1, 28)?,
        ),
        (
            "seed (k=3, s=2, pool 3/1)".into(),
            seed_net(3, 2, 0, 3, 1, 15)?,
        ),
        (
            "seed (k=2, s=3, pad 1, pool 2/2)".into(),
            seed_net(2, 3, 1, 2, 2, 16)?,
        ),
        (
            "LeNet-5 (ReLU, padding, pool 2/2)".into(),
            Arch::Lenet5.build()?,
        ),
        (
            "conv s=2 pad 1, tanh, pool 3/1, sigmoid".into(),
            mixed_network()?,
        ),
    ];
    let mut rows = Vec::new();
    let mut worst = 0.0f64;
    for (name, mut net) in networks {
        net.init_pytorch(&mut rng);
        let [c, h, w] = net.input_shape;
        // Continuous random inputs: no pooling ties and no ReLU input exactly at 0.
        let x = Array4::from_shape_simple_fn((2, c, h, w), || rng.sample::<f64, _>(StandardNormal));
        let classes = net.classes() as u8;
        let labels = [rng.random_range(0..classes), rng.random_range(0..classes)];
        for check in gradient_check(&net, x.view(), &labels, 1e-5, 60) {
            worst = worst.max(check.relative_error);
            rows.push(vec![
                name.clone(),
                check.name,
                check.entries.to_string(),
                format!("{:.1e}", check.relative_error),
            ]);
        }
    }
    s.check_step(
        "cnn-input-gradient",
        "every layer's backward pass (conv with stride and padding, overlapping and strided max-pool, \
         flatten, linear, ReLU, tanh, sigmoid, softmax cross-entropy) agrees with central differences",
        format!("largest relative error {worst:.1e} over 5 networks (tolerance 1e-6)"),
        worst <= 1e-6,
    );
    s.tables.push(Table {
        caption:
            "Finite-difference checks (float64, eps 1e-5, up to 60 entries per tensor, batch of 2)"
                .into(),
        header: ["network", "gradient of", "entries", "relative error"]
            .map(String::from)
            .to_vec(),
        rows,
    });

    // Train the seed network on the built-in digits, measured on digits it never saw.
    let parts = DataSource::Embedded.train_and_held_out()?;
    let train = ImageSet::from_mnist(&parts.train);
    let held = ImageSet::from_mnist(&parts.held_out);
    let arch = Arch::Seed(SeedConfig::default());
    let mut model = arch.build::<f32>()?;
    model.init_pytorch(&mut seeded(seed));
    let mut optimizer = Optimizer::new(
        OptimizerKind::Sgd {
            momentum: 0.9,
            weight_decay: 0.0,
        },
        0.01,
    );
    let mut rows = Vec::new();
    let mut accuracy = 0.0;
    for epoch in 0..5 {
        let stats = train_epoch(
            &mut model,
            &mut optimizer,
            &train,
            64,
            seed,
            epoch,
            &NoProgress,
        )?;
        let scored = evaluate(&model, &held, 1000, &NoProgress)?;
        accuracy = scored.accuracy;
        rows.push(vec![
            stats.epoch.to_string(),
            format!("{:.4}", stats.loss),
            format!("{:.1}%", 100.0 * stats.accuracy),
            format!("{:.1}%", 100.0 * scored.accuracy),
            format!("{:.2}", stats.seconds),
        ]);
    }
    s.check_step(
        "cnn-weight-gradient",
        "the seed network learns digits: trained by SGD on 1,500 built-in digits, it classifies the \
         500 others far above chance (10%)",
        format!("held-out accuracy {:.1}% after 5 epochs", 100.0 * accuracy),
        accuracy >= 0.8,
    );
    s.tables.push(Table {
        caption: "The seed network (10,642 parameters) trained with SGD (lr 0.01, momentum 0.9, batch 64) on \
                  the first 1,500 built-in digits, scored on the other 500"
            .into(),
        header: ["epoch", "loss", "train accuracy", "held-out accuracy", "seconds"]
            .map(String::from)
            .to_vec(),
        rows,
    });
    s.figures.extend(feature_figures(dir, &model, &held)?);
    Ok(s)
}

/// A held-out digit, then the trained seed network's kernels with the digit's feature maps
/// before and after the overlapping pooling below them (one column a map), each tile labelled.
fn feature_figures(
    dir: &Path,
    model: &Sequential<f32>,
    held: &ImageSet,
) -> anyhow::Result<Vec<super::report::Figure>> {
    let Some(Layer::Conv2d(conv)) = model.layers.first() else {
        anyhow::bail!("the seed network starts with a convolution");
    };
    let maps = conv.out_channels();
    let mut tiles = Vec::new();
    for m in 0..maps {
        let kernel = conv.weight.slice(s![m, 0, .., ..]);
        tiles.push((
            format!(
                "kernel {} ({} x {}), black low, white high",
                m + 1,
                kernel.nrows(),
                kernel.ncols()
            ),
            enlarge(stretch(kernel).view(), 16),
        ));
    }
    let x = held.images.slice(s![0..1, .., .., ..]).to_owned();
    let label = held.labels[0];
    let digit = tile_figure(
        dir,
        "cnn-digit",
        "A held-out digit, the input of the maps below (shown 3x)",
        &[(
            format!("held-out digit (label {label})"),
            enlarge(stretch(x.slice(s![0, 0, .., ..])).view(), 3),
        )],
        1,
        1,
    )?;
    let conv_out = conv.forward(x.view());
    let pooled = match model.layers.get(1) {
        Some(Layer::MaxPool2d(pool)) => pool.forward_values(conv_out.view()),
        _ => anyhow::bail!("the seed network pools after its convolution"),
    };
    for m in 0..maps {
        let y = conv_out.slice(s![0, m, .., ..]);
        tiles.push((
            format!(
                "map {} after convolution ({} x {})",
                m + 1,
                y.nrows(),
                y.ncols()
            ),
            enlarge(stretch(y).view(), 3),
        ));
    }
    for m in 0..maps {
        let p = pooled.slice(s![0, m, .., ..]);
        tiles.push((
            format!(
                "map {} after overlapping pooling ({} x {})",
                m + 1,
                p.nrows(),
                p.ncols()
            ),
            enlarge(stretch(p).view(), 3),
        ));
    }
    let features = tile_figure(
        dir,
        "cnn-features",
        "The trained seed network, one column a feature map: its kernel, then the digit's map \
         after the convolution and after the overlapping pooling (each stretched from its own \
         minimum, black, to its maximum, white)",
        &tiles,
        1,
        maps,
    )?;
    Ok(vec![digit, features])
}
