"""deepgm.rbm: the BernoulliRBM estimator against scikit-learn's protocol and NumPy."""

import itertools
import os
import pickle
import subprocess
from pathlib import Path

import numpy as np
import pytest

import deepgm
from deepgm.rbm import BernoulliRBM, NotFittedError

REPO = Path(__file__).resolve().parents[3]


def small_data(n=40, d=6, seed=0):
    """Binary rows: the first half of the units on together, or the second half."""
    rng = np.random.RandomState(seed)
    rows = (np.arange(d)[None, :] < d // 2) == (rng.rand(n, 1) < 0.5)
    noise = rng.rand(n, d) < 0.05
    return (rows ^ noise).astype(np.float64)


@pytest.fixture(scope="module")
def digits():
    """The built-in digits pooled 2x2 to 14x14 and scaled to [0, 1] (fast in debug builds)."""
    images, labels = deepgm.data.mnist("embedded")
    x = images.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)).reshape(len(images), -1) / 255.0
    return x, labels


def brute_force_log_z(w, b, a):
    """log sum over all (v, h) of exp(v'Wh + v'b + h'a), in NumPy."""
    d, p = w.shape
    vs = np.array(list(itertools.product([0, 1], repeat=d)), dtype=np.float64)
    hs = np.array(list(itertools.product([0, 1], repeat=p)), dtype=np.float64)
    e = vs @ w @ hs.T + (vs @ b)[:, None] + (hs @ a)[None, :]
    m = e.max()
    return m + np.log(np.exp(e - m).sum())


def test_defaults_are_scikit_learns():
    sk = pytest.importorskip("sklearn.neural_network")
    ours = BernoulliRBM().get_params()
    theirs = sk.BernoulliRBM().get_params()
    for name, value in theirs.items():
        assert ours[name] == value, name
    assert ours["k"] == 1 and ours["persistent"] is True
    assert ours["momentum"] == 0.0 and ours["weight_decay"] == 0.0 and ours["binarize"] is None


def test_fit_attributes_shapes_and_dtypes():
    x = small_data()
    rbm = BernoulliRBM(n_components=3, n_iter=3, random_state=1).fit(x)
    assert rbm.components_.shape == (3, 6) and rbm.components_.dtype == np.float64
    assert rbm.intercept_hidden_.shape == (3,)
    assert rbm.intercept_visible_.shape == (6,)
    assert rbm.n_features_in_ == 6
    assert rbm.h_samples_.shape[1] == 3 and rbm.h_samples_.shape[0] >= 1
    assert not rbm.components_.flags.writeable
    x32 = x.astype(np.float32)
    rbm32 = BernoulliRBM(n_components=3, n_iter=1, random_state=1).fit(x32)
    assert rbm32.components_.dtype == np.float32
    assert rbm32.transform(x32).dtype == np.float32
    assert rbm32.score_samples(x32).dtype == np.float32
    assert rbm32.transform(x).dtype == np.float64


def test_transform_is_the_sigmoid_of_numpy():
    x = small_data()
    rbm = BernoulliRBM(n_components=4, n_iter=5, random_state=0).fit(x)
    expected = 1.0 / (1.0 + np.exp(-(x @ rbm.components_.T + rbm.intercept_hidden_)))
    np.testing.assert_allclose(rbm.transform(x), expected, rtol=1e-12, atol=1e-12)
    got32 = rbm.transform(x.astype(np.float32))
    np.testing.assert_allclose(got32, expected, rtol=1e-5, atol=1e-6)
    # Non-contiguous input (a copy is made) gives the same.
    xf = np.asfortranarray(x)
    np.testing.assert_allclose(rbm.transform(xf), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rbm.fit_transform(x), rbm.transform(x))


def test_score_samples_matches_scikit_learns_formula():
    x = small_data()
    rbm = BernoulliRBM(n_components=4, n_iter=3, random_state=3).fit(x)
    w, a, b = rbm.components_.T, rbm.intercept_hidden_, rbm.intercept_visible_

    def free_energy(v):
        return -(v @ b) - np.logaddexp(0, v @ w + a).sum(axis=1)

    scores = rbm.score_samples(x)
    assert scores.shape == (len(x),) and np.all(scores <= 0)
    # Each value is -D softplus(-(F(v~) - F(v))) for v~ = v with one unit flipped.
    d = x.shape[1]
    candidates = []
    for i in range(d):
        flipped = x.copy()
        flipped[:, i] = 1 - flipped[:, i]
        candidates.append(-d * np.logaddexp(0, -(free_energy(flipped) - free_energy(x))))
    candidates = np.array(candidates)  # D x N
    assert np.all(np.min(np.abs(candidates - scores[None, :]), axis=0) < 1e-4)
    # Seeded by random_state: the same units every call.
    np.testing.assert_array_equal(scores, rbm.score_samples(x))


def test_same_random_state_same_model_another_differs():
    x = small_data()
    one = BernoulliRBM(n_components=3, n_iter=4, random_state=5).fit(x)
    two = BernoulliRBM(n_components=3, n_iter=4, random_state=5).fit(x)
    other = BernoulliRBM(n_components=3, n_iter=4, random_state=6).fit(x)
    np.testing.assert_array_equal(one.components_, two.components_)
    np.testing.assert_array_equal(one.intercept_hidden_, two.intercept_hidden_)
    assert not np.array_equal(one.components_, other.components_)
    # RandomState instances and None are accepted.
    BernoulliRBM(n_components=2, n_iter=1, random_state=np.random.RandomState(0)).fit(x)
    BernoulliRBM(n_components=2, n_iter=1).fit(x)


def test_options_cd_momentum_decay_binarize_and_partial_fit():
    x = small_data()
    probs = np.clip(x * 0.8 + 0.1, 0, 1)
    for options in (
        dict(persistent=False, k=2),
        dict(momentum=0.5, weight_decay=0.001),
        dict(binarize="sample"),
        dict(binarize="threshold"),
    ):
        rbm = BernoulliRBM(n_components=3, n_iter=2, random_state=0, **options).fit(probs)
        assert np.all(np.isfinite(rbm.components_))
    cd = BernoulliRBM(n_components=3, n_iter=2, random_state=0, persistent=False).fit(x)
    assert cd.h_samples_.shape == (0, 3)
    rbm = BernoulliRBM(n_components=3, random_state=0)
    for batch in np.array_split(x, 4):
        rbm.partial_fit(batch)
    before = rbm.components_.copy()
    rbm.partial_fit(x)
    assert not np.array_equal(before, rbm.components_)
    rbm.set_params(learning_rate=0.01).partial_fit(x)
    # The library names the model and the hidden units it was asked for.
    with pytest.raises(ValueError, match="5 hidden units"):
        rbm.set_params(n_components=5).partial_fit(x)


def test_gibbs_step_is_a_binary_sample():
    x = small_data()
    rbm = BernoulliRBM(n_components=3, n_iter=3, random_state=0).fit(x)
    v = rbm.gibbs(x)
    assert v.shape == x.shape and v.dtype == np.float64
    assert set(np.unique(v)) <= {0.0, 1.0}
    np.testing.assert_array_equal(v, rbm.gibbs(x))
    assert rbm.gibbs(x.astype(np.float32)).dtype == np.float32


def test_exact_log_partition_equals_brute_force_sum():
    x = small_data(d=5)
    rbm = BernoulliRBM(n_components=4, n_iter=5, learning_rate=0.5, random_state=0).fit(x)
    log_z, low, high = rbm.log_partition("exact")
    assert low == log_z == high
    w = rbm.components_.T.astype(np.float64)
    expected = brute_force_log_z(w, rbm.intercept_visible_, rbm.intercept_hidden_)
    assert abs(log_z - expected) < 1e-6
    # The average log-likelihood is -F(v) - log Z.
    fe = -(x @ rbm.intercept_visible_) - np.logaddexp(0, x @ w + rbm.intercept_hidden_).sum(1)
    assert abs(rbm.log_likelihood(x) - (-fe.mean() - expected)) < 1e-4
    report = rbm.score_report(x)
    assert report["method"] == "exact" and report["examples"] == len(x)
    # AIS agrees within its band on so small a model.
    est, lo, hi = rbm.log_partition("ais", ais_runs=20, ais_betas=300, seed=1)
    assert abs(est - expected) < 0.1 and lo <= est <= hi


def test_save_load_round_trip_equals(tmp_path):
    x = small_data()
    rbm = BernoulliRBM(n_components=3, n_iter=3, random_state=0).fit(x.astype(np.float32))
    path = tmp_path / "rbm.safetensors"
    rbm.save(path)
    back = BernoulliRBM.load(path)
    assert back.n_components == 3 and back.n_features_in_ == 6
    np.testing.assert_array_equal(back.components_, rbm.components_)
    np.testing.assert_array_equal(back.intercept_visible_, rbm.intercept_visible_)
    np.testing.assert_array_equal(back.intercept_hidden_, rbm.intercept_hidden_)
    np.testing.assert_array_equal(back.transform(x), rbm.transform(x))
    assert back.metadata_["format"] == "deepgm-rbm" and back.metadata_["epochs"] == "3"
    # Pickling keeps the parameters.
    again = pickle.loads(pickle.dumps(rbm))
    np.testing.assert_array_equal(again.transform(x), rbm.transform(x))
    with pytest.raises(FileNotFoundError):
        BernoulliRBM.load(tmp_path / "missing.safetensors")
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a safetensors file")
    with pytest.raises(deepgm.FormatError):
        BernoulliRBM.load(bad)


def deepgm_bin():
    if os.environ.get("DEEPGM_BIN"):
        return Path(os.environ["DEEPGM_BIN"])
    for profile in ("release", "debug"):
        path = REPO / "target" / profile / "deepgm"
        if path.exists():
            return path
    return None


def test_cli_reads_the_saved_model(tmp_path):
    binary = deepgm_bin()
    if binary is None:
        pytest.skip("no deepgm binary (cargo build -p deepgm)")
    digits_x = (deepgm.data.mnist("embedded")[0][:50].reshape(50, -1) >= 128).astype(np.float32)
    rbm = BernoulliRBM(n_components=10, n_iter=1, random_state=0).fit(digits_x)
    path = tmp_path / "rbm.safetensors"
    rbm.save(path)
    out = subprocess.run(
        [str(binary), "rbm", "filters", str(path), "--output", str(tmp_path / "f.png")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "f.png").exists()


def test_cli_scores_a_saved_model_as_score_report_does(tmp_path):
    import json

    binary = deepgm_bin()
    if binary is None:
        pytest.skip("no deepgm binary (cargo build -p deepgm)")
    train, _ = deepgm.data.mnist("embedded")
    test, _ = deepgm.data.mnist("embedded", split="test")
    x = train[:200].reshape(200, -1) / 255.0
    rbm = BernoulliRBM(n_components=8, n_iter=2, binarize="threshold", random_state=0).fit(x)
    path = tmp_path / "rbm.safetensors"
    rbm.save(path)
    out = subprocess.run(
        [str(binary), "rbm", "score", str(path), "--data", "embedded", "--exact", "--json", "-q"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    cli = json.loads(out.stdout)
    # The CLI thresholds the test digits at intensity 128, as the model's metadata says.
    ours = rbm.score_report((test.reshape(len(test), -1) >= 128).astype(np.float32), "exact")
    assert cli["examples"] == ours["examples"] == 500
    for key in ("log_z", "avg_log_prob", "recon_error", "pseudo_log_likelihood"):
        assert cli[key] == pytest.approx(ours[key], rel=1e-9, abs=1e-9), key


def test_bad_input_raises_value_errors_naming_the_problem():
    x = small_data()
    with pytest.raises(deepgm.DeepgmValueError, match="n_components"):
        BernoulliRBM(n_components=-1).fit(x)
    with pytest.raises(deepgm.DeepgmValueError, match="n_components"):
        BernoulliRBM(n_components=0).fit(x)
    with pytest.raises(deepgm.DeepgmValueError, match="batch_size"):
        BernoulliRBM(batch_size=0).fit(x)
    with pytest.raises(deepgm.DeepgmValueError, match="learning_rate"):
        BernoulliRBM(learning_rate=float("nan")).fit(x)
    with pytest.raises(deepgm.DeepgmValueError, match="momentum"):
        BernoulliRBM(momentum=-1.0).fit(x)
    with pytest.raises(deepgm.DeepgmValueError, match="k"):
        BernoulliRBM(k=0).fit(x)
    with pytest.raises(deepgm.DeepgmValueError, match="binarize"):
        BernoulliRBM(binarize="round").fit(x)
    nan = x.copy()
    nan[3, 2] = np.nan
    with pytest.raises(deepgm.DeepgmValueError, match="X NaN"):
        BernoulliRBM(n_components=2).fit(nan)
    with pytest.raises(deepgm.DeepgmValueError, match="X NaN"):
        BernoulliRBM(n_components=2, binarize="sample").fit(nan)
    rbm = BernoulliRBM(n_components=2, n_iter=1, random_state=0).fit(x)
    with pytest.raises(deepgm.DeepgmValueError, match="X inf"):
        rbm.transform(np.where(nan != nan, np.inf, x))
    with pytest.raises(deepgm.DeepgmValueError, match="visible units"):
        rbm.transform(x[:, :4])
    with pytest.raises(deepgm.DeepgmValueError, match="visible units"):
        rbm.score_samples(x[:, :4])
    with pytest.raises(deepgm.DeepgmValueError, match="invalid v"):
        rbm.gibbs(x[:, :4])
    with pytest.raises(deepgm.DeepgmValueError, match="2-D"):
        rbm.transform(x[0])
    with pytest.raises(deepgm.DeepgmValueError, match="no training examples"):
        BernoulliRBM().fit(np.zeros((0, 3)))
    with pytest.raises(deepgm.DeepgmValueError, match="method"):
        rbm.log_partition("guess")
    with pytest.raises(deepgm.DeepgmValueError, match="ais_betas"):
        rbm.log_partition("ais", ais_betas=2)
    with pytest.raises(deepgm.DeepgmValueError, match="ais_runs"):
        rbm.log_partition("ais", ais_runs=0)
    with pytest.raises(deepgm.InfeasibleError):
        BernoulliRBM(n_components=40, n_iter=0).fit(np.zeros((2, 40))).log_partition("exact")
    with pytest.raises(deepgm.InfeasibleError):
        BernoulliRBM(n_components=2**62).fit(x)
    with pytest.raises(deepgm.DeepgmValueError, match="random_state"):
        BernoulliRBM(random_state=2**70).fit(x)
    with pytest.raises(deepgm.DeepgmValueError, match="random_state"):
        BernoulliRBM(random_state=-1).fit(x)
    with pytest.raises(deepgm.DeepgmValueError, match="no examples"):
        rbm.log_likelihood(np.zeros((0, 6)))
    with pytest.raises(TypeError):
        rbm.transform(np.array([[{}, 1, 0, 1, 0, 1]], dtype=object))
    with pytest.raises(NotFittedError):
        BernoulliRBM().transform(x)
    assert not hasattr(BernoulliRBM(), "components_")
    with pytest.raises(ValueError, match="Invalid parameter"):
        BernoulliRBM().set_params(n_hidden=3)


def test_pipeline_on_builtin_digits_reaches_a_sensible_accuracy(digits):
    sklearn_rbm = pytest.importorskip("sklearn.neural_network")
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    x, y = digits

    def accuracy(rbm):
        pipe = Pipeline([("rbm", rbm), ("clf", LogisticRegression(C=100.0, max_iter=1000))])
        pipe.fit(x[:1000], y[:1000])
        return pipe.score(x[1000:], y[1000:])

    options = dict(n_components=100, learning_rate=0.06, n_iter=10, random_state=0)
    ours = accuracy(BernoulliRBM(**options))
    theirs = accuracy(sklearn_rbm.BernoulliRBM(**options))
    # 500 test digits of 14x14 pixels; scikit-learn's own RBM scores about the same.
    assert ours > 0.78, (ours, theirs)
    assert ours > theirs - 0.05, (ours, theirs)


def test_clone_and_grid_search():
    pytest.importorskip("sklearn")
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    rbm = BernoulliRBM(n_components=7, learning_rate=0.05, k=2, binarize="threshold", random_state=3)
    copy = clone(rbm)
    assert copy is not rbm and copy.get_params() == rbm.get_params()
    x = small_data(n=60)
    y = (x[:, 0] > 0.5).astype(int)
    pipe = Pipeline([("rbm", BernoulliRBM(n_iter=2, random_state=0)), ("clf", LogisticRegression())])
    search = GridSearchCV(pipe, {"rbm__n_components": [2, 4]}, cv=2)
    search.fit(x, y)
    assert search.best_params_["rbm__n_components"] in (2, 4)
    assert not hasattr(copy, "_model")


# The checks of scikit-learn's estimator suite that cannot apply, and why.
EXPECTED_FAILED_CHECKS = {
    "check_n_features_in_after_fitting": "a wrong number of features raises the library's "
    "ValueError ('invalid X: 3 values per example, but the model has 4 visible units'), not "
    "scikit-learn's exact wording, which the check matches",
    "check_estimators_empty_data_messages": "data without features raises the library's "
    "ValueError ('invalid X: no training examples'), not scikit-learn's exact wording",
    "check_methods_subset_invariance": "score_samples flips one random unit per row, so a "
    "row's value depends on its position (scikit-learn expects this failure of its own RBM)",
    "check_methods_sample_order_invariance": "as check_methods_subset_invariance "
    "(scikit-learn expects this failure of its own RBM)",
}


def _sklearn_checks():
    try:
        from sklearn.utils.estimator_checks import check_estimator
    except ImportError:  # pragma: no cover
        return None
    return check_estimator


@pytest.mark.filterwarnings("ignore:Estimator BernoulliRBM does not inherit")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_scikit_learn_estimator_checks():
    check_estimator = _sklearn_checks()
    if check_estimator is None:
        pytest.skip("scikit-learn is not installed")
    results = check_estimator(
        BernoulliRBM(n_components=4, n_iter=2, random_state=0),
        on_fail=None,
        expected_failed_checks=EXPECTED_FAILED_CHECKS,
    )
    failed = [
        (r["check_name"], str(r["exception"])[:300])
        for r in results
        if r["status"] == "failed"
    ]
    assert not failed, failed
    passed = [r["check_name"] for r in results if r["status"] == "passed"]
    assert len(passed) >= 30, passed
    # Those not passed are the expected failures above and check_array_api_input (skipped
    # by scikit-learn itself unless SCIPY_ARRAY_API is set).
    others = {r["check_name"] for r in results if r["status"] != "passed"}
    assert others <= set(EXPECTED_FAILED_CHECKS) | {"check_array_api_input"}, others


def test_import_does_not_import_scikit_learn():
    import sys

    code = "import sys, deepgm, deepgm.rbm; assert 'sklearn' not in sys.modules, 'imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_verbose_prints_each_epoch(capsys):
    BernoulliRBM(n_components=2, n_iter=2, verbose=1, random_state=0).fit(small_data())
    out = capsys.readouterr().out
    assert "Iteration 1" in out and "Iteration 2" in out


def test_readme_example_runs():
    images, labels = deepgm.data.mnist("embedded")
    X = images.reshape(len(images), -1) / 255.0
    rbm = BernoulliRBM(n_components=32, n_iter=2, random_state=0).fit(X[:300])
    features = rbm.transform(X)
    assert features.shape == (1500, 32)
    ll = rbm.log_likelihood(X[:100] > 0.5, method="ais", ais_runs=10, ais_betas=500)
    assert np.isfinite(ll) and ll < 0


def test_update_is_learning_rate_times_the_mean_gradient():
    # scikit-learn applies learning_rate / batch_size to summed statistics: a mean gradient
    # times learning_rate. One partial_fit (all of X as one minibatch) from the initial model:
    x = small_data()
    n = len(x)
    init = BernoulliRBM(n_components=3, n_iter=0, random_state=0).fit(x)
    steps = {}
    for lr in (0.1, 0.2):
        rbm = BernoulliRBM(n_components=3, learning_rate=lr, random_state=0).partial_fit(x)
        steps[lr] = (
            rbm.components_ - init.components_,
            rbm.intercept_visible_ - init.intercept_visible_,
            rbm.intercept_hidden_ - init.intercept_hidden_,
        )
    # the same draws: twice the rate, twice the step;
    for small, large in zip(steps[0.1], steps[0.2]):
        np.testing.assert_allclose(large, 2 * small, rtol=1e-4, atol=1e-6)
    # the visible biases move by lr * mean(v0 - vk) with binary vk: n * (mean(v0) - db / lr)
    # counts the negative samples' ones;
    ones = n * (x.mean(axis=0) - steps[0.1][1] / 0.1)
    np.testing.assert_allclose(ones, np.round(ones), atol=1e-3)
    assert np.all((np.round(ones) >= 0) & (np.round(ones) <= n))
    # the hidden biases by lr * mean(p(h|v0) - p(h|vk)), so by at most lr.
    assert np.abs(steps[0.1][2]).max() <= 0.1 + 1e-6


def test_docstring_examples_run(tmp_path, monkeypatch):
    import doctest

    import deepgm.rbm

    monkeypatch.chdir(tmp_path)  # the save / load examples write rbm.safetensors
    result = doctest.testmod(deepgm.rbm, optionflags=doctest.ELLIPSIS, extraglobs={"np": np})
    assert result.failed == 0 and result.attempted >= 20
