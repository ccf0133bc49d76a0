//! Finite-difference checks (float64, central differences) of every layer's backward pass and
//! of whole networks: relative error `|a - n| / max(|a| + |n|, 1e-8) <= 1e-6` over each gradient
//! tensor, with `a` the hand-derived gradient and `n` the numerical one.

use deepgm_cnn::{Activation, Arch, Conv2d, Linear, MaxPool2d, SeedConfig, Sequential};
use deepgm_core::rng::seeded;
use ndarray::{Array2, Array4, ArrayD, IxDyn};
use rand::Rng;
use rand_distr::StandardNormal;

const EPS: f64 = 1e-5;
const TOL: f64 = 1e-6;

fn random(shape: &[usize], rng: &mut impl Rng) -> ArrayD<f64> {
    ArrayD::from_shape_simple_fn(IxDyn(shape), || rng.sample::<f64, _>(StandardNormal))
}

/// Compares `analytic` with central differences of `loss` with respect to `value`.
fn check(
    what: &str,
    value: &mut ArrayD<f64>,
    analytic: &ArrayD<f64>,
    loss: &mut dyn FnMut(&ArrayD<f64>) -> f64,
) {
    assert_eq!(value.shape(), analytic.shape(), "{what}: gradient shape");
    let mut numeric = ArrayD::zeros(value.raw_dim());
    for i in 0..value.len() {
        let orig = value.as_slice().unwrap()[i];
        value.as_slice_mut().unwrap()[i] = orig + EPS;
        let up = loss(value);
        value.as_slice_mut().unwrap()[i] = orig - EPS;
        let down = loss(value);
        value.as_slice_mut().unwrap()[i] = orig;
        numeric.as_slice_mut().unwrap()[i] = (up - down) / (2.0 * EPS);
    }
    let diff = (&numeric - analytic).mapv(|v| v * v).sum().sqrt();
    let norm = numeric.mapv(|v| v * v).sum().sqrt() + analytic.mapv(|v| v * v).sum().sqrt();
    let rel = diff / norm.max(1e-8);
    assert!(rel <= TOL, "{what}: relative error {rel:e} > {TOL:e}");
}

fn dot(a: &ArrayD<f64>, b: &ArrayD<f64>) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn conv2d_all_strides_kernels_and_paddings() {
    let mut rng = seeded(1);
    for &k in &[2usize, 3, 5] {
        for &stride in &[1usize, 2, 3] {
            for &padding in &[0usize, 1, 2] {
                for bias in [true, false] {
                    let (cin, cout, h, w) = (2, 3, 9, 8);
                    let mut wt = random(&[cout, cin, k, k], &mut rng);
                    let mut b = random(&[cout], &mut rng);
                    let mut x = random(&[2, cin, h, w], &mut rng);
                    let make = |wt: &ArrayD<f64>, b: &ArrayD<f64>| Conv2d {
                        weight: wt.clone().into_dimensionality().unwrap(),
                        bias: bias
                            .then(|| b.clone().into_dimensionality::<ndarray::Ix1>().unwrap()),
                        stride,
                        padding,
                    };
                    let conv = make(&wt, &b);
                    let x4: Array4<f64> = x.clone().into_dimensionality().unwrap();
                    let r = random(conv.forward(x4.view()).shape(), &mut rng);
                    let r4: Array4<f64> = r.clone().into_dimensionality().unwrap();
                    let (gx, gp) = conv.backward(x4.view(), r4.view(), true);
                    let what = format!("conv k{k} s{stride} p{padding} bias {bias}");
                    let f = |conv: &Conv2d<f64>, x: &ArrayD<f64>| {
                        let x4: Array4<f64> = x.clone().into_dimensionality().unwrap();
                        dot(&conv.forward(x4.view()).into_dyn(), &r)
                    };
                    check(
                        &format!("{what} dX"),
                        &mut x.clone(),
                        &gx.unwrap().into_dyn(),
                        &mut |x| f(&conv, x),
                    );
                    check(
                        &format!("{what} dW"),
                        &mut wt,
                        &gp.weight.into_dyn(),
                        &mut |w| f(&make(w, &b), &x),
                    );
                    if bias {
                        let gb = gp.bias.unwrap().into_dyn();
                        check(&format!("{what} db"), &mut b, &gb, &mut |b| {
                            f(&make(&wt, b), &x)
                        });
                    }
                    x.fill(0.0);
                }
            }
        }
    }
}

#[test]
fn maxpool_overlapping_and_strided() {
    let mut rng = seeded(2);
    for &(window, stride) in &[(2usize, 1usize), (3, 1), (2, 2), (3, 2), (3, 3)] {
        let pool = MaxPool2d { window, stride };
        // Continuous random inputs have no ties, so the max is differentiable everywhere checked.
        let mut x = random(&[2, 2, 7, 8], &mut rng);
        let x4: Array4<f64> = x.clone().into_dimensionality().unwrap();
        let (out, arg) = pool.forward(x4.view());
        let r = random(out.shape(), &mut rng);
        let gx = pool.backward(x4.dim(), &arg, r.view().into_dimensionality().unwrap());
        if stride == 1 {
            let mut sorted = arg.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert!(
                sorted.len() < arg.len(),
                "with overlap some input wins several windows"
            );
        }
        check(
            &format!("pool {window}/{stride} dX"),
            &mut x,
            &gx.into_dyn(),
            &mut |x| {
                let x4: Array4<f64> = x.clone().into_dimensionality().unwrap();
                dot(&pool.forward(x4.view()).0.into_dyn(), &r)
            },
        );
    }
}

#[test]
fn linear_and_activations() {
    let mut rng = seeded(3);
    let mut w = random(&[5, 7], &mut rng);
    let mut b = random(&[5], &mut rng);
    let mut x = random(&[4, 7], &mut rng);
    let make = |w: &ArrayD<f64>, b: &ArrayD<f64>| Linear {
        weight: w.clone().into_dimensionality::<ndarray::Ix2>().unwrap(),
        bias: b.clone().into_dimensionality::<ndarray::Ix1>().unwrap(),
    };
    let r = random(&[4, 5], &mut rng);
    let f = |lin: &Linear<f64>, x: &ArrayD<f64>| {
        let x2: Array2<f64> = x.clone().into_dimensionality().unwrap();
        dot(&lin.forward(x2.view()).into_dyn(), &r)
    };
    let lin = make(&w, &b);
    let x2: Array2<f64> = x.clone().into_dimensionality().unwrap();
    let (gx, gp) = lin.backward(x2.view(), r.view().into_dimensionality().unwrap(), true);
    check(
        "linear dx",
        &mut x.clone(),
        &gx.unwrap().into_dyn(),
        &mut |x| f(&lin, x),
    );
    check("linear dA", &mut w, &gp.weight.into_dyn(), &mut |w| {
        f(&make(w, &b), &x)
    });
    check("linear dc", &mut b, &gp.bias.into_dyn(), &mut |b| {
        f(&make(&w, b), &x)
    });

    for act in [Activation::Relu, Activation::Tanh, Activation::Sigmoid] {
        // Keep ReLU's inputs away from its kink at 0.
        x.mapv_inplace(|v| if v.abs() < 0.05 { v + 0.1 } else { v });
        let y = act.forward(x.view());
        let r = random(y.shape(), &mut rng);
        let g = act.backward(y.view(), r.view());
        check(&format!("{act:?}"), &mut x.clone(), &g, &mut |x| {
            dot(&act.forward(x.view()), &r)
        });
    }
}

/// Whole-network check of every parameter's and the input's gradient of the mean
/// cross-entropy.
fn check_network(what: &str, net: &Sequential<f64>, x: &Array4<f64>, labels: &[u8]) {
    let loss =
        |net: &Sequential<f64>, x: &Array4<f64>| net.batch_gradients(x.view(), labels).loss_sum;
    let grads = net.batch_gradients(x.view(), labels);
    let names = net.param_names();
    for (i, name) in names.iter().enumerate() {
        let mut value = net.params()[i].to_owned();
        let mut probe = net.clone();
        check(
            &format!("{what} {name}"),
            &mut value,
            &grads.params[i],
            &mut |v| {
                probe.params_mut()[i].assign(v);
                loss(&probe, x)
            },
        );
    }
    let trace = net.forward_trace(x.view());
    let logits = trace
        .activations
        .last()
        .unwrap()
        .view()
        .into_dimensionality()
        .unwrap();
    let ce = deepgm_cnn::cross_entropy(logits, labels);
    let gx = net.backward(&trace, ce.grad.view(), true).input.unwrap();
    check(
        &format!("{what} input"),
        &mut x.clone().into_dyn(),
        &gx,
        &mut |x| loss(net, &x.clone().into_dimensionality().unwrap()),
    );
}

#[test]
fn seed_network_for_every_setting() {
    let mut rng = seeded(4);
    for &(kernel, stride, padding, pool, pool_stride) in &[
        (5, 1, 0, 2, 1),
        (2, 1, 0, 2, 1),
        (3, 2, 0, 2, 1),
        (2, 3, 0, 2, 1),
        (3, 1, 1, 3, 1),
        (5, 2, 2, 3, 1),
        (3, 3, 1, 2, 1),
        (5, 1, 0, 2, 2),
    ] {
        let config = SeedConfig {
            maps: 2,
            kernel,
            stride,
            padding,
            pool,
            pool_stride,
            side: 12,
            classes: 4,
        };
        let mut net = Arch::Seed(config).build::<f64>().unwrap();
        net.init_pytorch(&mut rng);
        let x: Array4<f64> = random(&[3, 1, 12, 12], &mut rng)
            .into_dimensionality()
            .unwrap();
        let what = format!("seed k{kernel} s{stride} p{padding} pool {pool}/{pool_stride}");
        check_network(&what, &net, &x, &[0, 3, 1]);
    }
}

#[test]
fn lenet5_whole_network() {
    let mut rng = seeded(5);
    let mut net = Arch::Lenet5.build::<f64>().unwrap();
    net.init_pytorch(&mut rng);
    let x: Array4<f64> = random(&[2, 1, 28, 28], &mut rng)
        .into_dimensionality()
        .unwrap();
    // Only a sample of the big tensors is perturbed to keep the test quick: check the small
    // layers in full and the input.
    let labels = [7u8, 2];
    let grads = net.batch_gradients(x.view(), &labels);
    for (i, name) in net.param_names().iter().enumerate() {
        let value = net.params()[i].to_owned();
        let step = (value.len() / 40).max(1);
        for j in (0..value.len()).step_by(step) {
            let mut probe = net.clone();
            let mut p = value.clone();
            p.as_slice_mut().unwrap()[j] += EPS;
            probe.params_mut()[i].assign(&p);
            let up = probe.batch_gradients(x.view(), &labels).loss_sum;
            p.as_slice_mut().unwrap()[j] -= 2.0 * EPS;
            probe.params_mut()[i].assign(&p);
            let down = probe.batch_gradients(x.view(), &labels).loss_sum;
            let numeric = (up - down) / (2.0 * EPS);
            let analytic = grads.params[i].as_slice().unwrap()[j];
            let rel = (numeric - analytic).abs() / (numeric.abs() + analytic.abs()).max(1e-7);
            assert!(
                rel <= 1e-5 || (numeric - analytic).abs() < 1e-9,
                "{name}[{j}]: {analytic} vs {numeric}"
            );
        }
    }
}
