//! Agreement with PyTorch autograd (float64) on fixtures written by
//! `bench/cnn/make_fixtures.py`: every forward value and gradient to 1e-9.

use std::io::Read;

use deepgm_cnn::{
    cross_entropy, flatten, Activation, Arch, Conv2d, GradCase, GradReport, Linear, MaxPool2d,
    Optimizer, OptimizerKind,
};
use ndarray::{Array2, Array4, ArrayD, IxDyn};
use serde_json::Value;

const TOL: f64 = 1e-9;

/// A layer's output, input gradient and named parameter gradients.
type LayerResult = (ArrayD<f64>, ArrayD<f64>, Vec<(&'static str, ArrayD<f64>)>);

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let text = if name.ends_with(".gz") {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut s)
            .unwrap();
        s
    } else {
        String::from_utf8(bytes).unwrap()
    };
    serde_json::from_str(&text).unwrap()
}

fn tensor(v: &Value) -> ArrayD<f64> {
    let shape: Vec<usize> = serde_json::from_value(v["shape"].clone()).unwrap();
    let data: Vec<f64> = serde_json::from_value(v["data"].clone()).unwrap();
    ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap()
}

fn assert_close(what: &str, got: &ArrayD<f64>, want: &ArrayD<f64>) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= TOL * scale,
            "{what}[{i}]: {g} vs PyTorch {w} (tolerance {TOL} x {scale})"
        );
    }
}

fn assert_json_close(what: &str, got: &Value, want: &Value) {
    match (got, want) {
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{what}: length");
            for (i, (g, w)) in g.iter().zip(w).enumerate() {
                assert_json_close(&format!("{what}[{i}]"), g, w);
            }
        }
        (Value::Object(g), Value::Object(w)) => {
            for (k, w) in w {
                assert_json_close(&format!("{what}.{k}"), &g[k], w);
            }
        }
        _ => {
            let (g, w) = (got.as_f64().unwrap(), want.as_f64().unwrap());
            assert!(
                (g - w).abs() <= TOL * w.abs().max(1.0),
                "{what}: {g} vs PyTorch {w}"
            );
        }
    }
}

#[test]
fn seed_network_cases_match_pytorch() {
    let cases = fixture("seed_cases.json");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 14);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let input: GradCase = serde_json::from_value(case["case"].clone()).unwrap();
        let report: GradReport = input.evaluate().unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = serde_json::to_value(&report).unwrap();
        assert_json_close(name, &got, &case["expected"]);
    }
}

fn param(case: &Value, key: &str) -> Option<ArrayD<f64>> {
    case["params"].get(key).map(tensor)
}

#[test]
fn every_layer_matches_pytorch() {
    let all = fixture("layers.json");
    let mut kinds = std::collections::BTreeSet::new();
    for case in all["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let kind = case["layer"].as_str().unwrap();
        kinds.insert(kind.to_string());
        let x = tensor(&case["input"]);
        let config = &case["config"];
        let get = |k: &str| config[k].as_u64().unwrap() as usize;
        let (out, grad_in, grad_params): LayerResult = match kind {
            "conv2d" => {
                let w = param(case, "weight").unwrap();
                let conv = Conv2d {
                    weight: w.into_dimensionality().unwrap(),
                    bias: param(case, "bias").map(|b| b.into_dimensionality().unwrap()),
                    stride: get("stride"),
                    padding: get("padding"),
                };
                let x4: Array4<f64> = x.clone().into_dimensionality().unwrap();
                let g = tensor(&case["grad_output"]).into_dimensionality().unwrap();
                let out = conv.forward(x4.view());
                let (gx, gp) = conv.backward(x4.view(), g.view(), true);
                let mut ps = vec![("weight", gp.weight.into_dyn())];
                ps.extend(gp.bias.map(|b| ("bias", b.into_dyn())));
                (out.into_dyn(), gx.unwrap().into_dyn(), ps)
            }
            "maxpool2d" => {
                let pool = MaxPool2d {
                    window: get("kernel"),
                    stride: get("stride"),
                };
                let x4: Array4<f64> = x.clone().into_dimensionality().unwrap();
                let g: Array4<f64> = tensor(&case["grad_output"]).into_dimensionality().unwrap();
                let (out, arg) = pool.forward(x4.view());
                let gx = pool.backward(x4.dim(), &arg, g.view());
                (out.into_dyn(), gx.into_dyn(), vec![])
            }
            "linear" => {
                let lin = Linear {
                    weight: param(case, "weight")
                        .unwrap()
                        .into_dimensionality()
                        .unwrap(),
                    bias: param(case, "bias").unwrap().into_dimensionality().unwrap(),
                };
                let x2: Array2<f64> = x.clone().into_dimensionality().unwrap();
                let g: Array2<f64> = tensor(&case["grad_output"]).into_dimensionality().unwrap();
                let (gx, gp) = lin.backward(x2.view(), g.view(), true);
                let ps = vec![
                    ("weight", gp.weight.into_dyn()),
                    ("bias", gp.bias.into_dyn()),
                ];
                (
                    lin.forward(x2.view()).into_dyn(),
                    gx.unwrap().into_dyn(),
                    ps,
                )
            }
            "relu" | "tanh" | "sigmoid" => {
                let act = match kind {
                    "relu" => Activation::Relu,
                    "tanh" => Activation::Tanh,
                    _ => Activation::Sigmoid,
                };
                let y = act.forward(x.view());
                let gx = act.backward(y.view(), tensor(&case["grad_output"]).view());
                (y, gx, vec![])
            }
            "flatten" => {
                let x4: Array4<f64> = x.clone().into_dimensionality().unwrap();
                let g = tensor(&case["grad_output"]);
                let gx = g
                    .as_standard_layout()
                    .into_owned()
                    .into_shape_with_order(IxDyn(x4.shape()))
                    .unwrap();
                (flatten(x4.view()).into_dyn(), gx, vec![])
            }
            "cross_entropy" => {
                let z: Array2<f64> = x.clone().into_dimensionality().unwrap();
                let labels: Vec<u8> = serde_json::from_value(case["labels"].clone()).unwrap();
                let ce = cross_entropy(z.view(), &labels);
                let n = labels.len() as f64;
                assert_close(
                    &format!("{name} probs"),
                    &ce.probs.clone().into_dyn(),
                    &tensor(&case["probs"]),
                );
                let loss = ArrayD::from_elem(IxDyn(&[]), ce.loss_sum / n);
                (loss, (ce.grad / n).into_dyn(), vec![])
            }
            other => panic!("{name}: unknown layer kind {other}"),
        };
        assert_close(&format!("{name} output"), &out, &tensor(&case["output"]));
        assert_close(
            &format!("{name} grad_input"),
            &grad_in,
            &tensor(&case["grad_input"]),
        );
        let want = case["grad_params"].as_object().unwrap();
        assert_eq!(want.len(), grad_params.len(), "{name}: parameter count");
        for (key, g) in grad_params {
            assert_close(&format!("{name} grad {key}"), &g, &tensor(&want[key]));
        }
    }
    let expected = [
        "conv2d",
        "cross_entropy",
        "flatten",
        "linear",
        "maxpool2d",
        "relu",
        "sigmoid",
        "tanh",
    ];
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), expected);
}

#[test]
fn lenet5_forward_gradients_and_optimizer_steps_match_pytorch() {
    let fx = fixture("lenet5.json.gz");
    let mut net = Arch::Lenet5.build::<f64>().unwrap();
    let names = net.param_names();
    assert_eq!(
        names,
        [
            "0.weight",
            "0.bias",
            "3.weight",
            "3.bias",
            "7.weight",
            "7.bias",
            "9.weight",
            "9.bias",
            "11.weight",
            "11.bias"
        ]
    );
    for (name, mut p) in names.iter().zip(net.params_mut()) {
        p.assign(&tensor(&fx["params"][name]));
    }
    let x: Array4<f64> = tensor(&fx["input"]).into_dimensionality().unwrap();
    let labels: Vec<u8> = serde_json::from_value(fx["labels"].clone()).unwrap();
    let logits = net.forward(x.view());
    assert_close("logits", &logits.clone().into_dyn(), &tensor(&fx["logits"]));
    let batch = net.batch_gradients(x.view(), &labels);
    let n = labels.len() as f64;
    let loss = batch.loss_sum / n;
    assert!(
        (loss - fx["loss"].as_f64().unwrap()).abs() < TOL,
        "loss {loss}"
    );
    let grads: Vec<ArrayD<f64>> = batch.params.iter().map(|g| g / n).collect();
    for (name, g) in names.iter().zip(&grads) {
        assert_close(&format!("grad {name}"), g, &tensor(&fx["grads"][name]));
    }

    let run = |kind: OptimizerKind, lr: f64, steps: usize| {
        let mut model = net.clone();
        let mut opt = Optimizer::new(kind, lr);
        for _ in 0..steps {
            let b = model.batch_gradients(x.view(), &labels);
            let g: Vec<ArrayD<f64>> = b.params.iter().map(|g| g / n).collect();
            opt.step(model.params_mut(), &g);
        }
        model
    };
    let sgd = OptimizerKind::Sgd {
        momentum: 0.9,
        weight_decay: 0.01,
    };
    for (model, key) in [
        (run(sgd, 0.1, 1), "sgd_step_params"),
        (run(sgd, 0.1, 2), "sgd_two_step_params"),
        (
            run(OptimizerKind::adam(0.0), 0.01, 2),
            "adam_two_step_params",
        ),
    ] {
        let want = fx[key].as_object().unwrap();
        assert!(want.len() >= 9, "{key}");
        for (name, p) in model.param_names().iter().zip(model.params()) {
            if let Some(w) = want.get(name) {
                assert_close(&format!("{key} {name}"), &p.to_owned(), &tensor(w));
            }
        }
    }
}
