"""deepgm.mrf: agreement with `deepgm mrf noise/denoise` on the built-in horse, the energy
against a NumPy computation, picture conventions, errors and seeds."""

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import deepgm
from deepgm import mrf

ROOT = Path(__file__).resolve().parents[3]
METHODS = ["icm", "icm-checkerboard", "gibbs", "anneal", "meanfield", "graphcut"]
# Keys of `deepgm mrf denoise --json` that the Python report leaves out (paths, the clean
# image's error rates) or that differ between runs (time).
CLI_ONLY = {"output", "error_rate", "input_error_rate"}


def _cli():
    env = os.environ.get("DEEPGM_BIN")
    if env:
        return Path(env)
    for profile in ("release", "debug"):
        path = ROOT / "target" / profile / "deepgm"
        if path.exists():
            return path
    return None


CLI = _cli()
needs_cli = pytest.mark.skipif(
    CLI is None or not CLI.exists(),
    reason="no deepgm binary (set DEEPGM_BIN or run `cargo build -p deepgm`)",
)


def _run(*args):
    out = subprocess.run(
        [str(CLI), *map(str, args)], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def horse():
    return mrf.read_picture("builtin:horse")


@pytest.fixture(scope="module")
def cli_noisy(tmp_path_factory):
    """`deepgm mrf noise builtin:horse -o noisy.png --flip 0.1 --seed 0`: (path, summary)."""
    if CLI is None or not CLI.exists():
        pytest.skip("no deepgm binary (set DEEPGM_BIN or run `cargo build -p deepgm`)")
    path = tmp_path_factory.mktemp("mrf") / "noisy.png"
    summary = _run("mrf", "noise", "builtin:horse", "-o", path, "--flip", 0.1, "--seed", 0, "--json")
    return path, summary


@pytest.fixture(scope="module")
def python_results(cli_noisy):
    """`deepgm.mrf.denoise` of the CLI's noisy picture by every method: {method: (x, report)}."""
    y = mrf.read_picture(cli_noisy[0])
    return {m: mrf.denoise(y, method=m) for m in METHODS}


def _gray_spins(gray):
    return np.where(np.asarray(gray) >= 128, 1, -1)


def _numpy_energy(x, y, beta, eta, h, eight=False):
    x = x.astype(np.int64)
    y = y.astype(np.int64)
    pairs = (x[:, 1:] * x[:, :-1]).sum() + (x[1:, :] * x[:-1, :]).sum()
    if eight:
        pairs += (x[1:, 1:] * x[:-1, :-1]).sum() + (x[1:, :-1] * x[:-1, 1:]).sum()
    return h * x.sum() - beta * pairs - eta * (x * y).sum()


def test_read_picture_reads_the_horse(horse):
    assert horse.shape == (328, 400) and horse.dtype == np.uint8
    assert set(np.unique(horse)) <= set(range(256))


@needs_cli
def test_add_noise_equals_the_cli_noise(horse, cli_noisy):
    path, summary = cli_noisy
    noisy = mrf.add_noise(horse, 0.1, seed=0)
    assert noisy.dtype == np.uint8 and noisy.shape == horse.shape
    np.testing.assert_array_equal(noisy, mrf.read_picture(path))
    assert int((_gray_spins(noisy) != _gray_spins(horse)).sum()) == summary["flipped"]


@needs_cli
@pytest.mark.parametrize("method", METHODS)
def test_denoise_equals_the_cli(method, cli_noisy, python_results, tmp_path):
    noisy_path, _ = cli_noisy
    out = tmp_path / "out.png"
    cli = _run("mrf", "denoise", noisy_path, "-o", out, "--method", method, "--json")
    x, report = python_results[method]
    y = mrf.read_picture(noisy_path)
    assert x.dtype == np.uint8 and x.shape == y.shape
    np.testing.assert_array_equal(x, mrf.read_picture(out))
    assert set(report) == set(cli) - CLI_ONLY
    for key in set(report) - {"seconds"}:
        assert report[key] == cli[key], key
    assert report["method"] == method
    # The energy of the picture, recomputed by energy() and by NumPy.
    assert mrf.energy(x, y) == report["energy"]
    expected = _numpy_energy(_gray_spins(x), _gray_spins(y), 1.0, 2.1, 0.0)
    assert expected == pytest.approx(report["energy"], abs=1e-6)
    assert report["changed"] == int((x != y).sum())


@needs_cli
def test_graphcut_energy_is_the_lowest(python_results):
    best = python_results["graphcut"][1]["energy"]
    for method, (_, report) in python_results.items():
        assert best <= report["energy"], method


@needs_cli
@pytest.mark.parametrize(
    "python, flags",
    [
        (
            dict(method="gibbs", sweeps=40, temperature=0.8, seed=5, neighbourhood=8),
            ["--method", "gibbs", "--sweeps", 40, "--temperature", 0.8, "--seed", 5, "--eight"],
        ),
        (
            dict(method="anneal", sweeps=30, temperature=3.0, final_temperature=0.1, seed=2, h=0.2),
            ["--method", "anneal", "--sweeps", 30, "--temperature", 3.0, "--final-temperature", 0.1,
             "--seed", 2, "--h", 0.2],
        ),
        (
            dict(method="meanfield", max_sweeps=7, temperature=1.5, beta=0.7, eta=1.5),
            ["--method", "meanfield", "--sweeps", 7, "--temperature", 1.5, "--beta", 0.7, "--eta", 1.5],
        ),
        (dict(method="icm", max_sweeps=1), ["--method", "icm", "--sweeps", 1]),
    ],
)
def test_knobs_mean_what_the_cli_flags_mean(python, flags, cli_noisy, tmp_path):
    noisy_path, _ = cli_noisy
    out = tmp_path / "out.png"
    cli = _run("mrf", "denoise", noisy_path, "-o", out, *flags, "--json")
    x, report = mrf.denoise(mrf.read_picture(noisy_path), **python)
    np.testing.assert_array_equal(x, mrf.read_picture(out))
    for key in set(report) - {"seconds"}:
        assert report[key] == cli[key], key


def test_energy_equals_numpy_for_both_neighbourhoods():
    rng = np.random.default_rng(7)
    x = rng.choice(np.array([-1, 1], dtype=np.int8), size=(13, 17))
    y = rng.choice(np.array([-1, 1], dtype=np.int8), size=(13, 17))
    for nb in (4, 8):
        got = mrf.energy(x, y, beta=0.7, eta=1.3, h=-0.4, neighbourhood=nb)
        assert isinstance(got, float)
        assert got == pytest.approx(_numpy_energy(x, y, 0.7, 1.3, -0.4, eight=nb == 8), abs=1e-9)
    # Each array's convention is its own: bool x, 0/1 y.
    assert mrf.energy(x > 0, (y > 0).astype(np.int64)) == pytest.approx(_numpy_energy(x, y, 1.0, 2.1, 0.0))


def _small_picture():
    clean = np.zeros((24, 30), dtype=bool)
    clean[:, 15:] = True
    clean[5:9, 3:8] = True
    return clean


@pytest.mark.parametrize(
    "make, dtype",
    [
        (lambda b: b, np.bool_),
        (lambda b: b.astype(np.int64), np.int64),
        (lambda b: b.astype(np.uint16), np.uint16),
        (lambda b: np.where(b, 1, -1).astype(np.int8), np.int8),
        (lambda b: np.where(b, 1, -1).astype(np.int32), np.int32),
        (lambda b: np.where(b, 1.0, -1.0), np.float64),
        (lambda b: b.astype(np.float32), np.float32),
        (lambda b: np.where(b, 200, 30).astype(np.uint8), np.uint8),
    ],
)
def test_conventions_round_trip(make, dtype):
    noisy = mrf.add_noise(_small_picture(), 0.15, seed=3)
    y = make(noisy)
    x, report = mrf.denoise(y, method="icm")
    assert x.dtype == dtype and x.shape == y.shape
    # The same labelling whatever the convention.
    reference, ref_report = mrf.denoise(noisy, method="icm")
    np.testing.assert_array_equal(x > (127 if dtype == np.uint8 else 0), reference)
    assert report["energy"] == ref_report["energy"]
    # The values stay in the input's convention.
    values = set(np.unique(x).tolist())
    expected = {
        np.bool_: {False, True},
        np.uint8: {0, 255},
        np.int64: {0, 1},
        np.uint16: {0, 1},
        np.float32: {0.0, 1.0},
    }.get(dtype, {-1, 1})
    assert values == expected
    # add_noise answers in the convention too.
    n = mrf.add_noise(y, 0.2, seed=1)
    assert n.dtype == dtype and set(np.unique(n).tolist()) <= expected


def test_int8_spins_go_through_without_copies():
    y = np.where(mrf.add_noise(_small_picture(), 0.1, seed=2), 1, -1).astype(np.int8)
    x, _ = mrf.denoise(y)
    # The library's buffer, wrapped: NumPy does not own it.
    assert x.dtype == np.int8 and not x.flags["OWNDATA"]
    # A strided view is copied once and gives the same answer as its contiguous copy.
    big = np.repeat(y, 2, axis=1)
    view = big[:, ::2]
    assert not view.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(mrf.denoise(view)[0], x)


def test_ambiguous_conventions_raise_and_convention_decides():
    ones = np.ones((4, 5), dtype=np.int64)
    with pytest.raises(deepgm.DeepgmValueError, match="ambiguous"):
        mrf.denoise(ones)
    assert set(np.unique(mrf.denoise(ones, convention="01")[0]).tolist()) <= {0, 1}
    x, _ = mrf.denoise(ones, convention="pm1", h=50.0)
    assert (x == -1).all()
    x, _ = mrf.denoise(ones, convention="01", h=50.0)
    assert (x == 0).all()
    mask = np.zeros((4, 5), dtype=np.uint8)
    mask[1, 2] = 1
    with pytest.raises(deepgm.DeepgmValueError, match="ambiguous"):
        mrf.denoise(mask)
    assert (mrf.denoise(mask, convention="gray")[0] == 0).all()
    assert mrf.denoise(mask, convention="01")[0].dtype == np.uint8
    with pytest.raises(deepgm.DeepgmValueError, match="convention"):
        mrf.denoise(ones, convention="bool")
    with pytest.raises(deepgm.DeepgmValueError, match="convention"):
        mrf.denoise(ones, convention="signs")


def test_bad_inputs_raise_naming_the_problem():
    y = np.where(_small_picture(), 1, -1).astype(np.int8)
    with pytest.raises(deepgm.DeepgmValueError, match="2-D"):
        mrf.denoise(np.ones((2, 3, 4), dtype=bool))
    bad = y.astype(np.int64)
    bad[3, 4] = 2
    with pytest.raises(deepgm.DeepgmValueError, match="value 2 at row 3, column 4"):
        mrf.denoise(bad)
    nan = y.astype(np.float64)
    nan[1, 2] = np.nan
    with pytest.raises(deepgm.DeepgmValueError, match="NaN.*row 1, column 2"):
        mrf.denoise(nan)
    with pytest.raises(deepgm.DeepgmValueError, match="beta"):
        mrf.denoise(y, method="graphcut", beta=-0.5)
    mrf.denoise(y, method="icm", beta=-0.5)  # other methods accept any beta
    with pytest.raises(deepgm.DeepgmValueError, match="flip"):
        mrf.add_noise(y, 1.5)
    with pytest.raises(deepgm.DeepgmValueError, match="method"):
        mrf.denoise(y, method="simplex")
    with pytest.raises(deepgm.DeepgmValueError, match="damping does not apply"):
        mrf.denoise(y, method="graphcut", damping=0.5)
    with pytest.raises(deepgm.DeepgmValueError, match="damping"):
        mrf.denoise(y, method="meanfield", damping=1.5)
    with pytest.raises(deepgm.DeepgmValueError, match="burn_in"):
        mrf.denoise(y, method="gibbs", sweeps=10, burn_in=10)
    # Library parameter names come back as the Python keywords.
    with pytest.raises(deepgm.DeepgmValueError, match="invalid temperature"):
        mrf.denoise(y, method="anneal", temperature=-1.0)
    with pytest.raises(deepgm.DeepgmValueError, match="invalid final_temperature"):
        mrf.denoise(y, method="anneal", temperature=1.0, final_temperature=2.0)
    with pytest.raises(deepgm.DeepgmValueError, match="neighbourhood"):
        mrf.denoise(y, neighbourhood=6)
    with pytest.raises(deepgm.DeepgmValueError, match="eta"):
        mrf.energy(y, y, eta=float("inf"))
    with pytest.raises(deepgm.DeepgmValueError, match="shape"):
        mrf.energy(y, y[:, 1:])
    with pytest.raises(deepgm.DeepgmValueError, match="return_marginals"):
        mrf.denoise(y, method="icm", return_marginals=True)
    with pytest.raises(deepgm.DeepgmValueError, match="at least 1 x 1"):
        mrf.denoise(np.zeros((0, 3), dtype=bool))
    with pytest.raises(deepgm.DeepgmValueError, match="at least 1 x 1"):
        mrf.denoise(np.zeros((3, 0), dtype=np.int64))
    with pytest.raises(deepgm.DeepgmValueError, match="dtype"):
        mrf.denoise(np.array([["a", "b"]]))
    with pytest.raises(OverflowError):
        mrf.add_noise(y, 0.1, seed=-1)


def test_read_picture_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        mrf.read_picture(tmp_path / "missing.png")
    with pytest.raises(FileNotFoundError):
        mrf.read_picture("builtin:zebra")
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not a picture")
    with pytest.raises(deepgm.FormatError) as info:
        mrf.read_picture(junk)
    assert info.value.path.endswith("junk.png")


@pytest.mark.parametrize("method", ["gibbs", "meanfield"])
def test_marginals(method):
    y = mrf.add_noise(_small_picture(), 0.1, seed=4)
    x, report, p = mrf.denoise(y, method=method, return_marginals=True)
    assert p.dtype == np.float64 and p.shape == y.shape
    assert ((p >= 0) & (p <= 1)).all()
    # The labelling is the side of 1/2 the marginal is on (ties keep y).
    np.testing.assert_array_equal(x[p > 0.5], True)
    np.testing.assert_array_equal(x[p < 0.5], False)
    x2, report2 = mrf.denoise(y, method=method)
    np.testing.assert_array_equal(x, x2)


def test_same_seed_same_output_another_seed_another():
    y = mrf.add_noise(_small_picture(), 0.2, seed=0)
    a, ra, pa = mrf.denoise(y, method="gibbs", seed=1, return_marginals=True)
    b, rb, pb = mrf.denoise(y, method="gibbs", seed=1, return_marginals=True)
    c, rc, pc = mrf.denoise(y, method="gibbs", seed=2, return_marginals=True)
    np.testing.assert_array_equal(pa, pb)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(pa, pc)
    clean = _small_picture()
    np.testing.assert_array_equal(mrf.add_noise(clean, 0.3, seed=9), mrf.add_noise(clean, 0.3, seed=9))
    assert not np.array_equal(mrf.add_noise(clean, 0.3, seed=9), mrf.add_noise(clean, 0.3, seed=10))


def test_methods_listed():
    assert list(mrf.METHODS) == METHODS
