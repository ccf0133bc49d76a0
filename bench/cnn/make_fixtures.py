"""Reference fixtures for deepgm's hand-written CNN layers, computed by PyTorch autograd in float64.

Makes three files under crates/deepgm-cnn/tests/fixtures/:

  seed_cases.json  a list of {"name", "case", "expected"}: "case" is the input of
                   `deepgm cnn grad CASE.json` (one-channel image -> conv2d with bias -> max_pool2d ->
                   flatten -> linear -> softmax -> cross-entropy, no activation), "expected" holds
                   every intermediate value and dL/d of every parameter, of x and of the
                   intermediates (nested lists).
  layers.json      {"cases": [...]}: single layers (conv2d, maxpool2d, linear, relu, tanh, sigmoid,
                   flatten, cross_entropy) with output and the gradients of sum(output * grad_output).
                   Tensors are {"shape": [...], "data": [flat row-major floats]}.
  lenet5.json.gz   LeNet-5 (PyTorch default init, seed 0) on a batch of 3: logits, mean
                   cross-entropy, all parameter gradients, and the parameters after one and two SGD
                   steps (lr 0.1, momentum 0.9, weight decay 0.01) and after two Adam steps (lr 0.01).

Floats are written by json (the shortest repr that round-trips a float64). Every file is generated
from fixed seeds, so a rerun reproduces it; the outputs are committed, and this script only needs
rerunning when a fixture changes. Run from the repository root:

  bench/.venv/bin/python bench/cnn/make_fixtures.py
"""
import copy
import gzip
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "..", "crates", "deepgm-cnn", "tests", "fixtures")


def nested(t: torch.Tensor):
    assert t.dtype == torch.float64
    return t.detach().tolist()


def enc(t: torch.Tensor) -> dict:
    """The generic tensor encoding: shape plus flat row-major data."""
    assert t.dtype == torch.float64
    return {"shape": list(t.shape), "data": t.detach().reshape(-1).tolist()}


def write(name: str, obj, summary: str) -> None:
    """Writes `obj` as compact JSON (gzipped when `name` ends in .gz, with a fixed mtime so
    reruns give identical bytes)."""
    path = os.path.join(OUT_DIR, name)
    text = json.dumps(obj, separators=(",", ":"), allow_nan=False) + "\n"
    if name.endswith(".gz"):
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
            f.write(text.encode())
    else:
        with open(path, "w") as f:
            f.write(text)
    with (gzip.open(path, "rt") if name.endswith(".gz") else open(path)) as f:
        assert json.load(f) == obj, f"{name} does not round-trip"
    print(f"{name}: {summary}, {os.path.getsize(path) / 1024:.0f} KiB")


# ---------------------------------------------------------------- seed_cases.json

def seed_case(name, d, maps, k, s, p, pool, pool_stride, classes, x=None, w=None, b=None):
    """One `deepgm cnn grad` case; random values unless x, conv weight or conv bias are given."""
    x = torch.rand(d, d) if x is None else x
    w = torch.randn(maps, k, k) * 0.3 if w is None else w
    b = torch.randn(maps) * 0.3 if b is None else b
    h1 = (d + 2 * p - k) // s + 1
    assert h1 >= pool, name
    side = (h1 - pool) // pool_stride + 1
    a = torch.randn(classes, maps * side * side) * 0.3
    c = torch.randn(classes) * 0.3
    y = int(torch.randint(classes, ()))
    leaves = {"x": x, "conv_weight": w, "conv_bias": b, "linear_weight": a, "linear_bias": c}
    for t in leaves.values():
        t.requires_grad_(True)

    conv = F.conv2d(x[None, None], w[:, None], b, stride=s, padding=p)[0]
    pooled = F.max_pool2d(conv, pool, pool_stride)
    conv.retain_grad()
    pooled.retain_grad()
    logits = a @ pooled.flatten() + c
    logp = torch.log_softmax(logits, 0)
    loss = -logp[y]
    loss.backward()

    case = {"x": nested(x), "conv_weight": nested(w), "conv_bias": nested(b), "stride": s,
            "padding": p, "pool": pool, "pool_stride": pool_stride,
            "linear_weight": nested(a), "linear_bias": nested(c), "label": y}
    grad = {key: nested(t.grad) for key, t in leaves.items()}
    grad["conv_out"] = nested(conv.grad)
    grad["pool_out"] = nested(pooled.grad)
    expected = {"conv_out": nested(conv), "pool_out": nested(pooled), "logits": nested(logits),
                "probs": nested(logp.exp()), "loss": loss.item(), "grad": grad}
    return {"name": name, "case": case, "expected": expected}


def seed_cases() -> list:
    torch.manual_seed(0)
    cases = [seed_case("seed_d28_f2_k5_s1_pool2s1", 28, 2, 5, 1, 0, 2, 1, 10)]
    for i, (k, s) in enumerate((k, s) for k in (2, 3, 5) for s in (1, 2, 3)):
        d = 9 + i % 5
        cases.append(seed_case(f"k{k}_s{s}_d{d}", d, 2 + i % 2, k, s, 0, 2, 1, 4))
    cases.append(seed_case("pool3_stride1_overlap", 12, 2, 3, 1, 0, 3, 1, 4))
    cases.append(seed_case("pool2_stride2", 13, 3, 3, 1, 0, 2, 2, 4))
    cases.append(seed_case("padding1", 10, 2, 3, 1, 1, 2, 1, 4))
    cases.append(seed_case("padding2_stride2", 11, 2, 5, 2, 2, 2, 1, 4))
    # Map 0 is identically zero: every one of its pool windows is a tie.
    w = torch.randn(2, 3, 3) * 0.3
    w[0] = 0.0
    b = torch.tensor([0.0, 0.1])
    cases.append(seed_case("tie_zero_map", 10, 2, 3, 1, 0, 2, 1, 4, w=w, b=b))
    # Small integers everywhere in the conv: ties within nonzero maps too.
    x = torch.randint(0, 3, (9, 9)).double()
    w = torch.randint(-1, 2, (2, 3, 3)).double()
    b = torch.randint(-1, 2, (2,)).double()
    cases.append(seed_case("tie_integer", 9, 2, 3, 1, 0, 2, 1, 4, x=x, w=w, b=b))
    return cases


# ---------------------------------------------------------------- layers.json

def layer_case(name, layer, config, fn, x, params, x_transform=None):
    """Output and gradients of sum(fn(x, **params) * grad_output) for random grad_output."""
    x.requires_grad_(True)
    for t in params.values():
        t.requires_grad_(True)
    out = fn(x, **params)
    g = torch.randn_like(out)
    (out * g).sum().backward()
    return {"name": name, "layer": layer, "config": config, "input": enc(x),
            "params": {k: enc(t) for k, t in params.items()}, "grad_output": enc(g),
            "output": enc(out), "grad_input": enc(x.grad),
            "grad_params": {k: enc(t.grad) for k, t in params.items()}}


def conv_case(n, cin, cout, k, s, p, bias, hw):
    config = {"in_channels": cin, "out_channels": cout, "kernel": k, "stride": s, "padding": p,
              "bias": bias}
    params = {"weight": torch.randn(cout, cin, k, k) * 0.3}
    if bias:
        params["bias"] = torch.randn(cout) * 0.3
    fn = lambda x, weight, bias=None: F.conv2d(x, weight, bias, stride=s, padding=p)
    name = f"conv2d_{cin}to{cout}_k{k}_s{s}_p{p}_{'bias' if bias else 'nobias'}_{hw}x{hw}"
    return layer_case(name, "conv2d", config, fn, torch.randn(n, cin, hw, hw), params)


def pool_case(name, k, s, x):
    fn = lambda x: F.max_pool2d(x, k, s)
    return layer_case(name, "maxpool2d", {"kernel": k, "stride": s}, fn, x, {})


def cross_entropy_case(n, classes):
    logits = torch.randn(n, classes, requires_grad=True)
    labels = torch.randint(classes, (n,))
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    return {"name": f"cross_entropy_n{n}_c{classes}", "layer": "cross_entropy",
            "config": {"classes": classes}, "input": enc(logits), "labels": labels.tolist(),
            "params": {}, "output": {"shape": [], "data": [loss.item()]},
            "probs": enc(torch.softmax(logits, 1)), "grad_input": enc(logits.grad),
            "grad_params": {}}


def layer_cases() -> list:
    torch.manual_seed(1)
    cases = [conv_case(2, 3, 4, 3, 2, 1, True, 9),
             conv_case(3, 2, 3, 5, 1, 2, False, 8),
             conv_case(2, 1, 6, 5, 1, 2, True, 28),
             conv_case(2, 6, 16, 5, 1, 0, True, 14),
             conv_case(3, 2, 2, 2, 3, 0, True, 11)]
    cases.append(pool_case("maxpool2d_k2_s2", 2, 2, torch.randn(2, 3, 8, 8)))
    cases.append(pool_case("maxpool2d_k3_s1", 3, 1, torch.randn(2, 2, 7, 7)))
    cases.append(pool_case("maxpool2d_k3_s2", 3, 2, torch.randn(1, 2, 9, 9)))
    cases.append(pool_case("maxpool2d_k2_s1_ties", 2, 1, torch.rand(2, 2, 6, 6).round()))
    for n, fin, fout in ((3, 7, 5), (2, 40, 12)):
        params = {"weight": torch.randn(fout, fin) / fin ** 0.5, "bias": torch.randn(fout) * 0.3}
        cases.append(layer_case(f"linear_{fin}to{fout}_n{n}", "linear",
                                {"in_features": fin, "out_features": fout},
                                F.linear, torch.randn(n, fin), params))
    for kind, fn in (("relu", torch.relu), ("tanh", torch.tanh), ("sigmoid", torch.sigmoid)):
        for shape in ((2, 3, 4, 4), (3, 7)):
            x = torch.randn(*shape)
            if kind == "relu":  # keep clear of the kink at 0
                x[x.abs() < 1e-3] = 0.5
            name = f"{kind}_{'x'.join(map(str, shape))}"
            cases.append(layer_case(name, kind, {}, fn, x, {}))
    cases.append(layer_case("flatten_2x3x4x5", "flatten", {}, lambda x: x.flatten(1),
                            torch.randn(2, 3, 4, 5), {}))
    cases.append(cross_entropy_case(5, 10))
    return cases


# ---------------------------------------------------------------- lenet5.json

def lenet5() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def train_steps(model, opt, x, labels, steps):
    """Run `steps` forward/backward/step rounds; returns the first round's logits, loss, grads."""
    first = None
    for _ in range(steps):
        opt.zero_grad()
        logits = model(x)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        if first is None:
            grads = {k: enc(p.grad) for k, p in model.named_parameters()}
            first = (enc(logits), loss.item(), grads)
        opt.step()
    return first


def params_of(model, skip=()) -> dict:
    return {k: enc(p) for k, p in model.named_parameters() if k not in skip}


# The optimizer results leave out the 120 x 400 matrix to keep the committed file small; the
# other nine tensors exercise the same update rule.
OPTIMIZER_SKIP = ("7.weight",)


def lenet5_fixture() -> dict:
    torch.manual_seed(2)
    model = lenet5()
    with torch.no_grad():  # short decimals keep the file small; any values would do
        for p in model.parameters():
            p.copy_((p * 1e5).round() / 1e5)
    x = (torch.rand(3, 1, 28, 28) * 1e3).round() / 1e3
    labels = torch.randint(10, (3,))
    out = {"input": enc(x), "labels": labels.tolist(), "params": params_of(model)}

    sgd_model = copy.deepcopy(model)
    sgd = torch.optim.SGD(sgd_model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.01)
    out["logits"], out["loss"], out["grads"] = train_steps(sgd_model, sgd, x, labels, 1)
    out["sgd_step_params"] = params_of(sgd_model, OPTIMIZER_SKIP)
    train_steps(sgd_model, sgd, x, labels, 1)
    out["sgd_two_step_params"] = params_of(sgd_model, OPTIMIZER_SKIP)

    adam_model = copy.deepcopy(model)
    adam = torch.optim.Adam(adam_model.parameters(), lr=0.01)
    train_steps(adam_model, adam, x, labels, 2)
    out["adam_two_step_params"] = params_of(adam_model, OPTIMIZER_SKIP)
    return out


def main() -> None:
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    cases = seed_cases()
    write("seed_cases.json", cases, f"{len(cases)} seed-network cases")
    cases = layer_cases()
    kinds = sorted({c["layer"] for c in cases})
    write("layers.json", {"cases": cases}, f"{len(cases)} layer cases ({', '.join(kinds)})")
    net = lenet5_fixture()
    n_params = sum(len(t["data"]) for t in net["params"].values())
    write("lenet5.json.gz", net, f"LeNet-5, {n_params} parameters, batch 3, loss {net['loss']:.6f}")


if __name__ == "__main__":
    main()
