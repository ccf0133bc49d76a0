//! The source's claims about the convolutional network (problem 1 of docs/derivations.md),
//! checked numerically: the output-size formula, the pooling backward rule, the softmax
//! gradient, every layer's backward pass against central differences, and that the seed
//! network learns digits.

use deepgm_core::claims::Claim;
use deepgm_core::mnist::DataSource;
use deepgm_core::progress::NoProgress;
use deepgm_core::rng::seeded;
use deepgm_core::Result;
use ndarray::{array, Array1, Array2, Array4};
use rand::Rng;
use rand_distr::StandardNormal;

use crate::activation::Activation;
use crate::arch::{Arch, SeedConfig};
use crate::conv::Conv2d;
use crate::gradcheck::{gradient_check, GradCheckParams, GradientCheck};
use crate::images::ImageSet;
use crate::linear::Linear;
use crate::loss::cross_entropy;
use crate::pool::MaxPool2d;
use crate::sequential::{Layer, Sequential};
use crate::train::{TrainParams, TrainReport, Trainer};

/// A convolution's output side computed, by deepgm's formula and by the source's.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSide {
    /// Input side `d`.
    pub input: usize,
    /// Kernel side `k`.
    pub kernel: usize,
    /// Stride `s`.
    pub stride: usize,
    /// The side of the convolution's output.
    pub computed: usize,
    /// `floor((d-k)/s)+1`.
    pub formula: usize,
    /// The source's `(d-k+1)/s`, not always whole.
    pub source: f64,
}

/// One finite-difference check of one network.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkCheck {
    /// The network checked, in words.
    pub network: String,
    /// The check of one gradient tensor.
    pub check: GradientCheck,
}

/// The claims with what they measured, for a report's tables and figures.
#[derive(Debug, Clone)]
pub struct Tour {
    /// Every claim, in the order of the derivation.
    pub claims: Vec<Claim>,
    /// The sizes behind `cnn-output-side`.
    pub output_sides: Vec<OutputSide>,
    /// The finite-difference checks behind `cnn-input-gradient`.
    pub gradient_checks: Vec<NetworkCheck>,
    /// The training behind `cnn-weight-gradient`: the seed network trained by SGD (lr 0.01,
    /// momentum 0.9, batch 64) for 5 epochs on the first 1,500 built-in digits, scored after
    /// each epoch on the other 500.
    pub training: TrainReport,
    /// The trained seed network.
    pub model: Sequential<f32>,
    /// The 500 held-out digits.
    pub held_out: ImageSet,
}

/// The claims of problem 1, each checked with draws from `seed`.
///
/// # Errors
/// Only if a network fails to build or train (not expected).
pub fn claims(seed: u64) -> Result<Vec<Claim>> {
    Ok(tour(seed)?.claims)
}

/// A small network with every layer kind the seed network's and LeNet-5's lack (tanh, sigmoid), a
/// strided padded convolution and overlapping pooling.
fn mixed_network() -> Result<Sequential<f64>> {
    Sequential::new(
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
    )
}

/// [`claims`] with the sizes, checks, training and trained network they measured.
///
/// # Errors
/// As [`claims`].
pub fn tour(seed: u64) -> Result<Tour> {
    let mut claims = Vec::new();
    let mut rng = seeded(seed);

    // Output size: floor((d-k)/s)+1, where the source's (d-k+1)/s is not even whole.
    let mut output_sides = Vec::new();
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
        output_sides.push(OutputSide {
            input: d,
            kernel: k,
            stride: st,
            computed: y.dim().2,
            formula: (d - k) / st + 1,
            source: (d - k + 1) as f64 / st as f64,
        });
    }
    claims.push(Claim::new(
        "cnn-output-side",
        "the convolution's output side is floor((d-k)/s)+1 (the correction of the source's (d-k+1)/s)",
        "see the table of sizes",
        output_sides.iter().all(|o| o.computed == o.formula),
    ));

    // Pooling ties and overlaps.
    let pool = MaxPool2d {
        window: 2,
        stride: 1,
    };
    let x = array![[[[5.0f64, 5.0, 1.0], [5.0, 9.0, 2.0], [0.0, 3.0, 4.0]]]];
    let (_, arg) = pool.forward(x.view());
    let g = pool.backward(x.dim(), &arg, array![[[[1.0, 2.0], [3.0, 4.0]]]].view());
    let (_, tie_arg) = pool.forward(Array4::<f64>::from_elem((1, 1, 3, 3), 1.0).view());
    claims.push(Claim::new(
        "cnn-pooling-backward",
        "overlapping pooling: an input that wins several windows receives the sum of their gradients; \
         ties go to the first maximum in row-major order",
        format!(
            "centre of a 3x3 wins 4 windows and gets {} = 1+2+3+4; a constant input sends windows to {tie_arg:?}",
            g[[0, 0, 1, 1]]
        ),
        g[[0, 0, 1, 1]] == 10.0 && tie_arg == vec![0, 1, 3, 4],
    ));
    let z = Array2::from_shape_fn((1, 10), |_| rng.sample::<f64, _>(StandardNormal) * 3.0);
    let ce = cross_entropy(z.view(), &[3]);
    let gap = (0..10)
        .map(|c| (ce.grad[[0, c]] - (ce.probs[[0, c]] - f64::from(u8::from(c == 3)))).abs())
        .fold(0.0, f64::max);
    claims.push(Claim::new(
        "cnn-softmax-cross-entropy",
        "softmax cross-entropy: dL/dz = p - onehot(y)",
        format!("largest gap {gap:.1e} on random logits"),
        gap < 1e-15,
    ));

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
    let networks: Vec<(&str, Sequential<f64>)> = vec![
        (
            "seed (k=5, s=1, pool 2/1), 28x28",
            seed_net(5, 1, 0, 2, 1, 28)?,
        ),
        ("seed (k=3, s=2, pool 3/1)", seed_net(3, 2, 0, 3, 1, 15)?),
        (
            "seed (k=2, s=3, pad 1, pool 2/2)",
            seed_net(2, 3, 1, 2, 2, 16)?,
        ),
        ("LeNet-5 (ReLU, padding, pool 2/2)", Arch::Lenet5.build()?),
        ("conv s=2 pad 1, tanh, pool 3/1, sigmoid", mixed_network()?),
    ];
    let mut gradient_checks = Vec::new();
    let mut worst = 0.0f64;
    for (name, mut net) in networks {
        net.init_pytorch(&mut rng);
        let [c, h, w] = net.input_shape;
        // Continuous random inputs: no pooling ties and no ReLU input exactly at 0.
        let x = Array4::from_shape_simple_fn((2, c, h, w), || rng.sample::<f64, _>(StandardNormal));
        let classes = net.classes() as u8;
        let labels = [rng.random_range(0..classes), rng.random_range(0..classes)];
        let params = GradCheckParams {
            eps: 1e-5,
            max_entries: 60,
        };
        for check in gradient_check(&net, x.view(), &labels, &params, &NoProgress)? {
            worst = worst.max(check.relative_error);
            gradient_checks.push(NetworkCheck {
                network: name.to_string(),
                check,
            });
        }
    }
    claims.push(Claim::new(
        "cnn-input-gradient",
        "every layer's backward pass (conv with stride and padding, overlapping and strided max-pool, \
         flatten, linear, ReLU, tanh, sigmoid, softmax cross-entropy) agrees with central differences",
        format!("largest relative error {worst:.1e} over 5 networks (tolerance 1e-6)"),
        worst <= 1e-6,
    ));

    // Train the seed network on the built-in digits, measured on digits it never saw.
    let parts = DataSource::Embedded.train_and_held_out()?;
    let train = ImageSet::from_mnist(&parts.train);
    let held_out = ImageSet::from_mnist(&parts.held_out);
    let params = TrainParams {
        epochs: 5,
        batch_size: 64,
        learning_rate: 0.01,
        momentum: 0.9,
        weight_decay: 0.0,
        seed,
        ..TrainParams::default()
    };
    let mut trainer = Trainer::new(Arch::Seed(SeedConfig::default()), params)?;
    let training = trainer.fit(&train, Some(&held_out), None, &NoProgress, &mut |_| {})?;
    let accuracy = training.test_accuracy.unwrap_or(0.0);
    claims.push(Claim::new(
        "cnn-weight-gradient",
        "the seed network learns digits: trained by SGD on 1,500 built-in digits, it classifies the \
         500 others far above chance (10%)",
        format!("held-out accuracy {:.1}% after 5 epochs", 100.0 * accuracy),
        accuracy >= 0.8,
    ));
    Ok(Tour {
        claims,
        output_sides,
        gradient_checks,
        training,
        model: trainer.into_model(),
        held_out,
    })
}
