"""deepgm.cnn: the same networks, predictions and gradients as ``deepgm cnn train | eval | grad``."""

import csv
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import deepgm
from deepgm.cnn import Net, grad

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "crates" / "deepgm-cnn" / "tests" / "fixtures"

LENET5_LAYOUT = [
    ("0.weight", (6, 1, 5, 5)),
    ("0.bias", (6,)),
    ("3.weight", (16, 6, 5, 5)),
    ("3.bias", (16,)),
    ("7.weight", (120, 400)),
    ("7.bias", (120,)),
    ("9.weight", (84, 120)),
    ("9.bias", (84,)),
    ("11.weight", (10, 84)),
    ("11.bias", (10,)),
]


def cli_binary():
    env = os.environ.get("DEEPGM_BIN")
    if env:
        return Path(env)
    for profile in ("release", "debug"):
        path = ROOT / "target" / profile / "deepgm"
        if path.exists():
            return path
    return None


def run_cli(*args):
    binary = cli_binary()
    if binary is None or not binary.exists():
        pytest.skip("no deepgm binary: build it with `cargo build -p deepgm` or set DEEPGM_BIN")
    done = subprocess.run(
        [str(binary), *map(str, args)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def digits():
    train = deepgm.data.mnist("embedded")
    test = deepgm.data.mnist("embedded", split="test")
    return train, test


@pytest.fixture(scope="module")
def seed_net(digits):
    """Net("seed") fitted as the CLI's `cnn train --data embedded --arch seed --epochs 1`."""
    (X, y), (Xt, yt) = digits
    return Net("seed").fit(X, y, epochs=1, seed=0, validation_data=(Xt, yt))


@pytest.fixture(scope="module")
def cli_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "m.safetensors"
    report = json.loads(
        run_cli(
            "cnn", "train", "--data", "embedded", "--arch", "seed",
            "--epochs", "1", "--seed", "0", "-o", out, "--json", "--quiet",
        )
    )
    return out, report


def seed_case():
    cases = json.loads((FIXTURES / "seed_cases.json").read_text())
    return next(c for c in cases if c["name"].startswith("seed_"))["case"]


# Agreement with the command line -------------------------------------------------------------


def test_fit_gives_the_cli_model_byte_for_byte(seed_net, cli_model):
    path, report = cli_model
    cli = Net.load(path).state_dict()
    ours = seed_net.state_dict()
    assert list(ours) == list(cli) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    for name in cli:
        assert ours[name].dtype == cli[name].dtype == np.float32
        assert ours[name].shape == cli[name].shape
        assert ours[name].tobytes() == cli[name].tobytes(), name
    # The training report: the same numbers the CLI printed (timings aside).
    ours_epoch, cli_epoch = seed_net.history[0], report["epochs"][0]
    for key in ("epoch", "loss", "train_accuracy", "test_accuracy", "test_loss", "test_examples"):
        assert ours_epoch[key] == cli_epoch[key], key
    for key in ("arch", "parameters", "examples", "optimizer", "test_accuracy"):
        assert seed_net.fit_report[key] == report[key], key
    assert seed_net.n_parameters == report["parameters"] == 10642


def test_predictions_and_score_equal_cli_eval(seed_net, cli_model, digits, tmp_path):
    path, _ = cli_model
    _, (Xt, yt) = digits
    csv_path = tmp_path / "predictions.csv"
    report = json.loads(
        run_cli("cnn", "eval", path, "--data", "embedded", "--predictions", csv_path,
                "--json", "--quiet")
    )
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    cli_pred = np.array([int(r["predicted"]) for r in rows])
    assert np.array_equal(np.array([int(r["label"]) for r in rows]), yt)
    pred = seed_net.predict(Xt)
    assert pred.dtype == np.int64 and pred.shape == (500,)
    assert np.array_equal(pred, cli_pred)
    assert np.array_equal(Net.load(path).predict(Xt), cli_pred)
    assert seed_net.score(Xt, yt) == report["accuracy"]
    ours = seed_net.evaluate(Xt, yt)
    assert ours["confusion"] == report["confusion"]
    assert ours["loss"] == report["loss"] and ours["examples"] == report["examples"] == 500


def test_grad_equals_cli_grad(tmp_path):
    case = seed_case()
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    cli = json.loads(run_cli("cnn", "grad", path, "--json"))
    ours = grad(case)
    assert set(ours) == set(cli) and set(ours["grad"]) == set(cli["grad"])
    assert ours["loss"] == cli["loss"]
    for key in ("conv_out", "pool_out", "logits", "probs"):
        assert ours[key].dtype == np.float64
        assert np.array_equal(ours[key], np.array(cli[key])), key
    for key, value in cli["grad"].items():
        assert np.array_equal(ours["grad"][key], np.array(value)), key
    assert ours["grad"]["conv_weight"].shape == (2, 5, 5)
    assert ours["grad"]["x"].shape == (28, 28)


def test_grad_takes_arrays_and_matches_every_pytorch_fixture():
    cases = json.loads((FIXTURES / "seed_cases.json").read_text())
    for c in cases:
        case = {k: (np.asarray(v) if isinstance(v, list) else v) for k, v in c["case"].items()}
        out = grad(case)
        want = c["expected"]
        assert out["loss"] == pytest.approx(want["loss"], rel=1e-9, abs=1e-12), c["name"]
        for key in ("conv_out", "pool_out", "logits", "probs"):
            np.testing.assert_allclose(out[key], want[key], rtol=1e-9, atol=1e-12)
        for key, value in want["grad"].items():
            np.testing.assert_allclose(out["grad"][key], value, rtol=1e-9, atol=1e-12)


# The model file and PyTorch's layout ---------------------------------------------------------


def test_save_load_round_trip(seed_net, digits, tmp_path):
    _, (Xt, yt) = digits
    path = tmp_path / "net.safetensors"
    seed_net.save(path)
    assert (tmp_path / "net.safetensors.optimizer").exists()  # the CLI's checkpoint pair
    back = Net.load(path)
    assert back.arch == "seed" and back.config == seed_net.config
    assert back.metadata["epochs"] == "1" and back.metadata["arch"] == "seed"
    for (name, a), (name_b, b) in zip(seed_net.state_dict().items(), back.state_dict().items()):
        assert name == name_b and a.tobytes() == b.tobytes()
    assert np.array_equal(back.predict_proba(Xt), seed_net.predict_proba(Xt))
    # A loaded network saves the same parameters again.
    again = tmp_path / "again.safetensors"
    back.save(again)
    assert Net.load(again).state_dict()["3.weight"].tobytes() == back.state_dict()["3.weight"].tobytes()


def test_lenet5_state_dict_has_pytorch_sequential_names_and_shapes():
    net = Net("lenet5")
    sd = net.state_dict()
    assert [(k, v.shape) for k, v in sd.items()] == LENET5_LAYOUT
    assert all(v.dtype == np.float32 for v in sd.values())
    assert net.n_parameters == sum(v.size for v in sd.values()) == 61706
    assert Net().arch == "lenet5" and Net().config is None
    assert repr(Net("lenet5")).startswith("Net('lenet5')")


def test_torch_sequential_loads_the_state_dict(digits):
    torch = pytest.importorskip("torch")
    nn = torch.nn
    (X, y), _ = digits
    net = Net("lenet5").fit(X[:128], y[:128], epochs=1, seed=3)
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )
    model.load_state_dict({k: torch.from_numpy(v) for k, v in net.state_dict().items()})
    x = ((X[:16].astype(np.float32) / np.float32(255) - np.float32(0.1307)) / np.float32(0.3081))
    with torch.no_grad():
        logits = model(torch.from_numpy(x[:, None])).numpy()
    np.testing.assert_allclose(logits, net.decision_function(X[:16]), rtol=1e-4, atol=1e-4)


# Inputs --------------------------------------------------------------------------------------


def test_uint8_pixels_are_standardized_and_floats_taken_as_given(seed_net, digits):
    _, (Xt, _) = digits
    X = Xt[:64]
    standardized = (X.astype(np.float32) / np.float32(255) - np.float32(0.1307)) / np.float32(0.3081)
    logits = seed_net.decision_function(X)
    assert logits.dtype == np.float32 and logits.shape == (64, 10)
    assert np.array_equal(seed_net.decision_function(standardized), logits)
    assert np.array_equal(seed_net.decision_function(standardized.astype(np.float64)), logits)
    assert np.array_equal(seed_net.decision_function(X[:, None]), logits)
    # Non-contiguous inputs are copied, with the same result.
    assert np.array_equal(seed_net.decision_function(np.asfortranarray(X)), logits)
    assert np.array_equal(seed_net.decision_function(np.asfortranarray(standardized)), logits)
    # A strided view is copied; the same images in the same batch give the same scores.
    assert np.array_equal(
        seed_net.decision_function(standardized[::2]), seed_net.decision_function(X[::2])
    )
    proba = seed_net.predict_proba(X)
    assert proba.dtype == np.float64 and proba.shape == (64, 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert np.array_equal(proba.argmax(axis=1), seed_net.predict(X))


def test_same_seed_same_model_another_seed_another(digits):
    (X, y), _ = digits
    X, y = X[:200], y[:200]
    a = Net("seed", maps=3).fit(X, y, epochs=1, seed=5, batch_size=32).state_dict()
    b = Net("seed", maps=3).fit(X, y, epochs=1, seed=5, batch_size=32).state_dict()
    c = Net("seed", maps=3).fit(X, y, epochs=1, seed=6, batch_size=32).state_dict()
    assert all(a[k].tobytes() == b[k].tobytes() for k in a)
    assert any(a[k].tobytes() != c[k].tobytes() for k in a)
    assert a["0.weight"].shape == (3, 1, 5, 5)


def test_seed_settings_and_optimizers(digits):
    (X, y), _ = digits
    net = Net("seed", maps=4, kernel=3, stride=2, padding=1, pool=3, pool_stride=2)
    assert net.config["maps"] == 4 and net.config["pool_stride"] == 2
    assert "kernel=3" in repr(net) and "not fitted" in repr(net)
    net.fit(X[:100], y[:100], epochs=2, optimizer="adam", lr=1e-3, lr_factor=0.5,
            weight_decay=1e-4)
    assert [e["epoch"] for e in net.history] == [1, 2]
    assert net.history[0]["test_accuracy"] is None
    assert net.fit_report["optimizer"] == "adam"
    assert "fitted" in repr(net) and "not fitted" not in repr(net)
    assert Net("seed").fit(X[:10], y[:10], epochs=0).history == []
    # A batch larger than the data is one batch (and allocates no more than the data).
    huge = Net("seed").fit(X[:10], y[:10], epochs=1, batch_size=10**12).state_dict()
    exact = Net("seed").fit(X[:10], y[:10], epochs=1, batch_size=10).state_dict()
    assert all(huge[k].tobytes() == exact[k].tobytes() for k in huge)


# Bad input -----------------------------------------------------------------------------------


def test_bad_arrays_raise_naming_the_problem(seed_net, digits):
    (X, y), _ = digits
    X, y = X[:20], y[:20]
    with pytest.raises(deepgm.DeepgmValueError, match="images.*28, 28"):
        seed_net.predict(X[:, :, :27])
    with pytest.raises(deepgm.DeepgmValueError, match="invalid X: shape"):
        seed_net.predict(X.reshape(20, -1))
    with pytest.raises(deepgm.DeepgmValueError, match="invalid X: dtype"):
        seed_net.predict(X.astype(np.int32))
    with pytest.raises(deepgm.DeepgmValueError, match="no images"):
        seed_net.predict(X[:0])
    bad = X.astype(np.float32)
    bad[3, 0, 5] = np.nan
    with pytest.raises(deepgm.DeepgmValueError, match="NaN in image 3.*finite"):
        seed_net.predict(bad)
    with pytest.raises(deepgm.DeepgmValueError, match="image 3.*finite"):
        Net("seed").fit(bad, y, epochs=1)
    with pytest.raises(deepgm.DeepgmValueError, match="label 10 of image 2"):
        Net("seed").fit(X, np.where(np.arange(20) == 2, 10, y), epochs=1)
    with pytest.raises(deepgm.DeepgmValueError, match="label -1 of image 0"):
        seed_net.score(X, np.where(np.arange(20) == 0, -1, y.astype(np.int64)))
    with pytest.raises(deepgm.DeepgmValueError, match="20 images but 19 labels"):
        Net("seed").fit(X, y[:19], epochs=1)
    with pytest.raises(deepgm.DeepgmValueError, match="invalid y: dtype"):
        Net("seed").fit(X, y.astype(float), epochs=1)


def test_bad_settings_raise_naming_them(digits):
    (X, y), _ = digits
    X, y = X[:20], y[:20]
    with pytest.raises(deepgm.DeepgmValueError, match='arch "vgg"'):
        Net("vgg")
    with pytest.raises(deepgm.DeepgmValueError, match="maps.*lenet5"):
        Net("lenet5", maps=3)
    with pytest.raises(deepgm.DeepgmValueError, match="invalid maps 0"):
        Net("seed", maps=0)
    with pytest.raises(deepgm.DeepgmValueError, match="invalid kernel -1"):
        Net("seed", kernel=-1)
    with pytest.raises(deepgm.DeepgmValueError):
        Net("seed", kernel=40)  # larger than the input: the library's shape check
    with pytest.raises(deepgm.DeepgmValueError, match="invalid epochs -1"):
        Net("seed").fit(X, y, epochs=-1)
    with pytest.raises(deepgm.DeepgmValueError, match="invalid batch_size 0"):
        Net("seed").fit(X, y, batch_size=0)
    with pytest.raises(deepgm.DeepgmValueError, match="invalid lr"):
        Net("seed").fit(X, y, lr=-0.1)
    with pytest.raises(deepgm.DeepgmValueError, match="invalid lr_factor 2"):
        Net("seed").fit(X, y, lr_factor=2.0)
    with pytest.raises(deepgm.DeepgmValueError, match="invalid momentum"):
        Net("seed").fit(X, y, momentum=float("nan"))
    with pytest.raises(deepgm.DeepgmValueError, match='optimizer "rmsprop"'):
        Net("seed").fit(X, y, optimizer="rmsprop")
    with pytest.raises(deepgm.DeepgmValueError, match="invalid seed -3"):
        Net("seed").fit(X, y, seed=-3)
    with pytest.raises(deepgm.DeepgmValueError, match="not fitted"):
        Net("seed").predict(X)


def test_bad_files_and_cases(tmp_path):
    with pytest.raises(FileNotFoundError):
        Net.load(tmp_path / "missing.safetensors")
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all")
    with pytest.raises(deepgm.FormatError) as info:
        Net.load(junk)
    assert info.value.path.endswith("junk.safetensors")
    case = seed_case()
    with pytest.raises(deepgm.DeepgmValueError, match="invalid label 10"):
        grad({**case, "label": 10})
    with pytest.raises(deepgm.DeepgmValueError, match="linear_weight"):
        grad({**case, "linear_weight": [row[:-1] for row in case["linear_weight"]]})
    with pytest.raises(deepgm.DeepgmValueError, match="not a gradient case.*missing field"):
        grad({k: v for k, v in case.items() if k != "x"})
    with pytest.raises(deepgm.DeepgmValueError, match="not a gradient case.*unknown field"):
        grad({**case, "colour": 1})
    with pytest.raises(deepgm.DeepgmValueError, match="not a gradient case"):
        grad([1, 2, 3])
    with pytest.raises(deepgm.DeepgmValueError, match="not a gradient case: a value is not finite"):
        grad({**case, "x": np.full((28, 28), np.nan)})
