"""deepgm.bn: agreement with the command line (same floats), with pgmpy (1e-6), errors, threads."""

import json
import math
import os
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

import deepgm
from deepgm.bn import BayesianNetwork, structure_score

# pgmpy 1.1 deprecates the estimator names its users know (MaximumLikelihoodEstimator, ...).
pytestmark = pytest.mark.filterwarnings("ignore:.*will be removed in v1.3.0:FutureWarning")

REPO = Path(__file__).resolve().parents[3]
SHARED = Path("/work/shared/data/bif")
# Small and medium bnlearn networks (the huge ones, munin, barley..., would make the file slow).
SHARED_NETWORKS = [
    "asia", "cancer", "earthquake", "sachs", "survey", "alarm", "child", "insurance", "water",
]


def _cli():
    env = os.environ.get("DEEPGM_BIN")
    candidates = [Path(env)] if env else []
    candidates += [REPO / "target" / "release" / "deepgm", REPO / "target" / "debug" / "deepgm"]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    return None


CLI = _cli()
needs_cli = pytest.mark.skipif(CLI is None, reason="no deepgm binary (cargo build -p deepgm)")


def cli_json(*args):
    out = subprocess.run(
        [CLI, "bn", *args, "--json", "--quiet"], check=True, capture_output=True, text=True
    )
    report = json.loads(out.stdout)
    report.pop("seconds", None)
    report.pop("parse_seconds", None)
    return report


def sources():
    """(label, path) of the networks every test run has, then the shared ones present."""
    found = [("builtin:asia", "builtin:asia"), ("builtin:alarm", "builtin:alarm")]
    for name in SHARED_NETWORKS:
        path = SHARED / f"{name}.bif.gz"
        found.append(
            pytest.param(
                name,
                str(path),
                marks=pytest.mark.skipif(not path.exists(), reason=f"{path} is not present"),
            )
        )
    return found


def some_evidence(net, seed=7, k=2):
    """States of the last k variables in one forward sample (evidence of positive probability)."""
    pytest.importorskip("pandas")
    row = net.simulate(1, seed=seed).iloc[0]
    return {v: row[v] for v in net.variables[-k:]}


def evidence_text(evidence):
    return ",".join(f"{k}={v}" for k, v in evidence.items())


@pytest.fixture(scope="module")
def asia():
    return BayesianNetwork.read("builtin:asia")


@pytest.fixture(scope="module")
def alarm():
    return BayesianNetwork.read("builtin:alarm")


# ------------------------------------------------------------------ structure and files


def test_structure_of_asia(asia):
    assert asia.variables == ["asia", "tub", "smoke", "lung", "bronc", "either", "xray", "dysp"]
    assert asia.states("smoke") == ["yes", "no"]
    assert asia.parents("either") == ["lung", "tub"]
    assert ("smoke", "lung") in asia.edges() and len(asia.edges()) == 8
    assert asia.n_parameters == 18
    assert repr(asia).startswith("<BayesianNetwork") and "8 variables" in repr(asia)
    cpd = asia.cpd("dysp")
    assert cpd.shape == (2, 2, 2) and cpd.dtype == np.float64
    np.testing.assert_allclose(cpd.sum(axis=0), 1.0)
    assert asia.cpd("smoke").shape == (2,)


@pytest.mark.parametrize("suffix", [".bif", ".xmlbif", ".bif.gz", ".xml.gz"])
def test_write_read_round_trip(asia, tmp_path, suffix):
    path = tmp_path / f"asia{suffix}"
    asia.write(path)
    assert BayesianNetwork.read(path) == asia


def test_cpd_layout_is_pgmpys(tmp_path):
    readwrite = pytest.importorskip("pgmpy.readwrite")
    for name in ["builtin:asia", "builtin:alarm"]:
        net = BayesianNetwork.read(name)
        path = tmp_path / "net.bif"
        net.write(path)
        model = readwrite.BIFReader(str(path)).get_model()
        for var in net.variables:
            theirs = model.get_cpds(var)
            assert theirs.variables == [var] + net.parents(var)
            assert theirs.state_names[var] == net.states(var)
            np.testing.assert_array_equal(net.cpd(var), theirs.values)


# --------------------------------------------------------- agreement with the command line


@needs_cli
@pytest.mark.parametrize("label,path", sources())
def test_exact_answers_equal_the_cli(label, path):
    net = BayesianNetwork.read(path)
    for evidence in [{}, some_evidence(net)]:
        theirs = cli_json("query", path, "--evidence", evidence_text(evidence))
        ours = net.query_report(evidence=evidence)
        assert ours == theirs  # same floats, same keys
        assert net.query(evidence=evidence) == theirs["marginals"]
        # log_evidence is the library's own entry point (elimination over the evidence's
        # ancestors only), so it agrees with the query's value up to rounding.
        assert net.log_evidence(evidence) == pytest.approx(theirs["log_evidence"], abs=1e-12)
        if not evidence:
            assert net.log_evidence(evidence) == 0.0
        mpe = cli_json("mpe", path, "--evidence", evidence_text(evidence))
        assert net.map_query(evidence) == (mpe["assignment"], mpe["log_prob"])


@needs_cli
def test_methods_and_targets_equal_the_cli(alarm):
    evidence = some_evidence(alarm, seed=3)
    targets = alarm.variables[:3]
    for method in ["jt", "ve"]:
        theirs = cli_json(
            "query", "builtin:alarm", "-e", evidence_text(evidence),
            "-t", ",".join(targets), "--method", method,
        )
        ours = alarm.query_report(targets, evidence, method=method)
        assert ours == theirs and set(ours["marginals"]) == set(targets)


@needs_cli
def test_sampled_answers_equal_the_cli(asia):
    evidence = {"smoke": "yes", "dysp": "yes"}
    for method in ["lw", "gibbs"]:
        theirs = cli_json(
            "query", "builtin:asia", "-e", evidence_text(evidence), "--method", method,
            "--samples", "3000", "--seed", "5",
        )
        call = asia.likelihood_weighting if method == "lw" else asia.gibbs
        marginals, detail = call(evidence=evidence, n_samples=3000, seed=5)
        assert marginals == theirs["marginals"]
        assert detail["log_evidence"] == theirs["log_evidence"]
        assert detail["samples"] == theirs["detail"]["samples"] == 3000
        assert detail["effective_samples"] == theirs["detail"]["effective_samples"]
        assert detail["method"] == method
    # Another seed, another estimate.
    other, _ = asia.likelihood_weighting(evidence=evidence, n_samples=3000, seed=6)
    lw, _ = asia.likelihood_weighting(evidence=evidence, n_samples=3000, seed=5)
    assert other != lw


# ------------------------------------------------------------------ agreement with pgmpy


def _pgmpy_model(net, tmp_path):
    readwrite = pytest.importorskip("pgmpy.readwrite")
    path = tmp_path / f"{net.name}.bif"
    net.write(path)
    return readwrite.BIFReader(str(path)).get_model()


@pytest.mark.parametrize("name", ["builtin:asia", "builtin:alarm"])
def test_query_equals_pgmpy_variable_elimination(name, tmp_path):
    inference = pytest.importorskip("pgmpy.inference")
    net = BayesianNetwork.read(name)
    ve = inference.VariableElimination(_pgmpy_model(net, tmp_path))
    for evidence in [{}, some_evidence(net, seed=11, k=3)]:
        ours = net.query(evidence=evidence)
        targets = [v for v in net.variables if v not in evidence]
        if name == "builtin:alarm":
            targets = targets[::4]  # a spread of the 37 variables keeps pgmpy fast
        for var in targets:
            f = ve.query([var], evidence=evidence or None, show_progress=False)
            theirs = dict(zip(f.state_names[var], f.values))
            assert set(theirs) == set(ours[var])
            for state, p in theirs.items():
                assert abs(ours[var][state] - p) < 1e-6, (var, state)
        if evidence:
            # log P(e) from pgmpy's joint of the evidence variables.
            first, *rest = evidence
            f = ve.query([first], evidence={k: evidence[k] for k in rest} or None,
                         show_progress=False, joint=True)
            p_first = dict(zip(f.state_names[first], f.values))[evidence[first]]
            rest_ev = {k: evidence[k] for k in rest}
            log_rest = net.log_evidence(rest_ev)
            assert abs(net.log_evidence(evidence) - (math.log(p_first) + log_rest)) < 1e-6


def test_map_query_equals_pgmpy(asia, tmp_path):
    inference = pytest.importorskip("pgmpy.inference")
    ve = inference.VariableElimination(_pgmpy_model(asia, tmp_path))
    evidence = {"dysp": "yes", "xray": "no"}
    assignment, log_prob = asia.map_query(evidence)
    # pgmpy ignores the evidence when no variables are named: name the unobserved ones.
    hidden = [v for v in asia.variables if v not in evidence]
    theirs = ve.map_query(hidden, evidence=evidence, show_progress=False)
    assert {k: assignment[k] for k in theirs} == theirs
    assert all(assignment[k] == v for k, v in evidence.items())
    # log_prob is log P(x) of the full assignment, product of the tables.
    total = 0.0
    for var in asia.variables:
        cpd = asia.cpd(var)
        index = tuple(
            [asia.states(var).index(assignment[var])]
            + [asia.states(p).index(assignment[p]) for p in asia.parents(var)]
        )
        total += math.log(cpd[index])
    assert abs(total - log_prob) < 1e-12


# --------------------------------------------------------------------------- sampling


def test_simulate_is_a_dataframe_of_state_names(asia):
    pd = pytest.importorskip("pandas")
    df = asia.simulate(2000, seed=3)
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == asia.variables and len(df) == 2000
    assert set(df["smoke"]) <= {"yes", "no"}
    assert df.equals(asia.simulate(2000, seed=3))
    assert not df.equals(asia.simulate(2000, seed=4))
    # Frequencies near the exact marginals.
    assert abs((df["smoke"] == "yes").mean() - 0.5) < 0.05
    assert len(asia.simulate(0)) == 0


def test_sampled_estimates_near_exact(asia):
    evidence = {"smoke": "yes"}
    exact = asia.query(["lung", "bronc"], evidence)
    lw, detail = asia.likelihood_weighting(["lung", "bronc"], evidence, n_samples=20000, seed=1)
    gibbs, gdetail = asia.gibbs(["lung", "bronc"], evidence, n_samples=20000, burn_in=100, seed=1)
    for var in exact:
        for state in exact[var]:
            assert abs(lw[var][state] - exact[var][state]) < 0.02
            assert abs(gibbs[var][state] - exact[var][state]) < 0.03
    assert abs(detail["log_evidence"] - math.log(0.5)) < 1e-9  # root evidence: weights 0.5
    assert gdetail["log_evidence"] is None and gdetail["method"] == "gibbs"
    assert 0 < detail["effective_samples"] <= 20000 and detail["seed"] == 1


# --------------------------------------------------------------------------- learning


@pytest.fixture(scope="module")
def asia_data(asia):
    pytest.importorskip("pandas")
    return asia.simulate(5000, seed=21)


def _pgmpy_estimates(net, data, estimator, **kwargs):
    pytest.importorskip("pgmpy")
    from pgmpy.models import DiscreteBayesianNetwork

    model = DiscreteBayesianNetwork(net.edges())
    model.add_nodes_from(net.variables)
    est = estimator(model, data, state_names={v: net.states(v) for v in net.variables})
    return {v: est.estimate_cpd(v, **kwargs) for v in net.variables}


def _assert_tables_equal(learned, theirs):
    for var, cpd in theirs.items():
        ours = learned.cpd(var)
        # pgmpy orders a table's parents its own way: put ours in its order.
        order = [0] + [1 + learned.parents(var).index(p) for p in cpd.variables[1:]]
        ours = np.transpose(ours, order)
        for axis, v in enumerate(cpd.variables):
            assert cpd.state_names[v] == learned.states(v)
        np.testing.assert_allclose(ours, cpd.values, rtol=0, atol=1e-12, err_msg=var)


def test_fit_mle_equals_pgmpy(asia, asia_data):
    estimators = pytest.importorskip("pgmpy.estimators")
    learned = asia.fit(asia_data)
    theirs = _pgmpy_estimates(asia, asia_data, estimators.MaximumLikelihoodEstimator)
    _assert_tables_equal(learned, theirs)
    assert learned.edges() == asia.edges() and learned != asia


@pytest.mark.parametrize("ess", [1.0, 10.0])
def test_fit_bdeu_equals_pgmpy(asia, asia_data, ess):
    estimators = pytest.importorskip("pgmpy.estimators")
    learned = asia.fit(asia_data, prior="bdeu", equivalent_sample_size=ess)
    theirs = _pgmpy_estimates(
        asia, asia_data, estimators.BayesianEstimator,
        prior_type="BDeu", equivalent_sample_size=ess,
    )
    _assert_tables_equal(learned, theirs)


def test_fit_accepts_a_dict_of_columns(asia, asia_data):
    columns = {v: list(asia_data[v]) for v in reversed(asia.variables)}
    assert asia.fit(columns) == asia.fit(asia_data)


def test_learn_recovers_asia_and_scores(asia, asia_data):
    learned, report = BayesianNetwork.learn(asia_data, restarts=2, return_report=True)
    assert sorted(learned.variables) == sorted(asia.variables)
    assert report["score_name"] == "bic" and len(report["arcs"]) == len(learned.edges())
    # The report's score is the learned graph's, and far above the empty graph's.
    assert abs(structure_score(learned, asia_data) - report["score"]) < 1e-6
    empty = BayesianNetwork.learn(asia_data, max_indegree=0, restarts=0)
    assert empty.edges() == []
    assert report["score"] > structure_score(empty, asia_data) + 100
    again = BayesianNetwork.learn(asia_data, restarts=2)
    assert again == learned  # same seed, same network
    for score in ["aic", "k2", "bdeu", "ll"]:
        assert math.isfinite(structure_score(asia, asia_data, score))
    limited = BayesianNetwork.learn(asia_data, max_indegree=1, restarts=0)
    assert all(len(limited.parents(v)) <= 1 for v in limited.variables)


def test_structure_score_equals_pgmpy(asia, asia_data):
    estimators = pytest.importorskip("pgmpy.estimators")
    from pgmpy.models import DiscreteBayesianNetwork

    model = DiscreteBayesianNetwork(asia.edges())
    model.add_nodes_from(asia.variables)
    for ours, theirs in [("bic", estimators.BIC), ("k2", estimators.K2)]:
        expected = theirs(asia_data).score(model)
        assert abs(structure_score(asia, asia_data, ours) - expected) < 1e-6 * abs(expected)


# ---------------------------------------------------------------------------- errors


def test_unknown_variable(asia):
    with pytest.raises(deepgm.DeepgmValueError, match="no variable `lungs`.*lung"):
        asia.query(["lungs"])
    with pytest.raises(deepgm.DeepgmValueError, match="no variable `Smoke`"):
        asia.query(evidence={"Smoke": "yes"})
    with pytest.raises(deepgm.DeepgmValueError, match="no variable `x`"):
        asia.cpd("x")


def test_unknown_state(asia):
    with pytest.raises(deepgm.DeepgmValueError, match="smoke has no state `maybe`"):
        asia.query(evidence={"smoke": "maybe"})
    with pytest.raises(deepgm.DeepgmValueError, match='unknown state "maybe"'):
        data = {v: ["yes"] for v in asia.variables}
        data["smoke"] = ["maybe"]
        asia.fit(data)


def test_observed_target_and_zero_evidence(asia):
    with pytest.raises(deepgm.DeepgmValueError, match="smoke"):
        asia.query(["smoke"], {"smoke": "yes"})
    with pytest.raises(deepgm.DeepgmValueError, match="probability zero"):
        # either is the deterministic OR of tub and lung.
        asia.query(["dysp"], {"tub": "yes", "either": "no"})


def test_truncated_file_is_a_format_error_with_line(asia, tmp_path):
    text = asia.to_bif()
    path = tmp_path / "cut.bif"
    path.write_text(text[: len(text) // 2])
    with pytest.raises(deepgm.FormatError) as info:
        BayesianNetwork.read(path)
    assert info.value.path.endswith("cut.bif") and info.value.line is not None


def test_malformed_file_is_a_format_error_with_line(tmp_path):
    path = tmp_path / "bad.bif"
    path.write_text("network x {\n}\nvariable a {\n  type discrete [ 2 ] { yes no ;\n}\n")
    with pytest.raises(deepgm.FormatError) as info:
        BayesianNetwork.read(path)
    assert info.value.line is not None and info.value.line >= 3
    assert "bad.bif" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.bif"):
        BayesianNetwork.read(tmp_path / "nope.bif")
    with pytest.raises(FileNotFoundError):
        BayesianNetwork.read("builtin:nonesuch")


def test_negative_counts(asia):
    with pytest.raises(deepgm.DeepgmValueError, match="n_samples -1"):
        asia.simulate(-1)
    with pytest.raises(deepgm.DeepgmValueError, match="n_samples"):
        asia.likelihood_weighting(n_samples=0)
    with pytest.raises(deepgm.DeepgmValueError, match="burn_in"):
        asia.gibbs(n_samples=10, burn_in=-5)


def test_budget_too_small_is_infeasible(alarm):
    with pytest.raises(deepgm.InfeasibleError) as info:
        alarm.query(max_memory=1000)
    assert info.value.needed > info.value.budget == 1000
    assert "max_memory" in str(info.value) and isinstance(info.value, MemoryError)
    with pytest.raises(deepgm.InfeasibleError, match="over the budget of 1.0 KiB"):
        alarm.map_query(max_memory="1KiB")
    assert alarm.query(max_memory="1GiB") == alarm.query()
    for bad in [float("nan"), 0, -5, "4 parsecs", "0"]:
        with pytest.raises(deepgm.DeepgmValueError, match="max_memory"):
            alarm.query(max_memory=bad)


def test_bad_parameters_name_python_keywords(asia, asia_data):
    with pytest.raises(deepgm.DeepgmValueError, match="equivalent_sample_size"):
        asia.fit(asia_data, prior="bdeu", equivalent_sample_size=0)
    with pytest.raises(deepgm.DeepgmValueError, match="prior"):
        asia.fit(asia_data, prior="laplace")
    with pytest.raises(deepgm.DeepgmValueError, match="method"):
        asia.query(method="magic")
    with pytest.raises(deepgm.DeepgmValueError, match="score"):
        structure_score(asia, asia_data, "mdl")


def test_bad_data(asia, asia_data):
    with pytest.raises(deepgm.DeepgmValueError, match="missing column.*smoke"):
        asia.fit(asia_data.drop(columns=["smoke"]))
    with pytest.raises(deepgm.DeepgmValueError, match="values"):
        columns = {v: list(asia_data[v]) for v in asia.variables}
        columns["smoke"] = columns["smoke"][:-1]
        asia.fit(columns)
    with pytest.raises(deepgm.DeepgmValueError, match="constant"):
        BayesianNetwork.learn({"a": ["x", "x"], "b": ["u", "v"]})
    with pytest.raises(deepgm.DeepgmValueError, match="two variables"):
        BayesianNetwork.learn({"a": ["x", "y"]})
    with pytest.raises(TypeError):
        asia.fit({v: [1] for v in asia.variables})
    with pytest.raises(TypeError):
        asia.fit([1, 2, 3])


# --------------------------------------------------------------------------- threads


def test_threads_give_the_results_of_one_at_a_time(alarm):
    evidence = some_evidence(alarm, seed=5)
    data = alarm.simulate(3000, seed=9)
    expected_query = alarm.query(evidence=evidence)
    expected_fit = alarm.fit(data, prior="bdeu", equivalent_sample_size=2.0)
    barrier = threading.Barrier(2)
    results = {}

    def run(name, call):
        barrier.wait()
        results[name] = [call() for _ in range(3)]

    threads = [
        threading.Thread(target=run, args=("query", lambda: alarm.query(evidence=evidence))),
        threading.Thread(
            target=run,
            args=("fit", lambda: alarm.fit(data, prior="bdeu", equivalent_sample_size=2.0)),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["query"] == [expected_query] * 3
    assert results["fit"] == [expected_fit] * 3


def test_write_unknown_extension_and_bad_evidence_type(asia, tmp_path):
    with pytest.raises(deepgm.DeepgmValueError):
        asia.write(tmp_path / "asia.txt")
    assert not (tmp_path / "asia.txt").exists()
    with pytest.raises(TypeError, match="evidence"):
        asia.query(evidence=["smoke=yes"])


# ------------------------------------------------------------------ compiled networks


def _close(ours, theirs, tol=1e-12):
    """Two marginals dicts with the same variables and states, every probability within tol."""
    assert list(ours) == list(theirs)
    for var, states in theirs.items():
        assert list(ours[var]) == list(states)
        for state, p in states.items():
            assert abs(ours[var][state] - p) <= tol, (var, state)


def _sampled_cases(net, n, k, seed):
    """n evidence sets of k variables (chosen per row with a seeded generator) from forward
    samples, so each has positive probability."""
    pytest.importorskip("pandas")
    rows = net.simulate(n, seed=seed)
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(n):
        chosen = rng.choice(len(net.variables), size=k, replace=False)
        cases.append({net.variables[j]: rows.iloc[i][net.variables[j]] for j in sorted(chosen)})
    return cases


@pytest.mark.parametrize("label,path", sources())
def test_compiled_answers_equal_plain_queries(label, path):
    net = BayesianNetwork.read(path)
    compiled = net.compile()
    cases = [{}] + _sampled_cases(net, 12, 5 if len(net.variables) > 5 else 2, seed=4)
    for evidence in cases:
        _close(compiled.query(evidence=evidence), net.query(evidence=evidence))
        ours = compiled.query_report(evidence=evidence)
        theirs = net.query_report(evidence=evidence)
        assert abs(ours["log_evidence"] - theirs["log_evidence"]) <= 1e-12
        assert ours["evidence"] == theirs["evidence"] and ours["method"] == "jt"
        _close(ours["marginals"], theirs["marginals"])
    targets = net.variables[:3]
    evidence = {k: v for k, v in cases[-1].items() if k not in targets}
    _close(compiled.query(targets, evidence), net.query(targets, evidence))
    assert list(compiled.query(targets[0], evidence)) == [targets[0]]


def test_compiled_answers_do_not_depend_on_earlier_queries(alarm):
    cases = _sampled_cases(alarm, 30, 5, seed=9)
    seen = alarm.compile()
    history = [seen.query(evidence=e) for e in cases]
    # The same evidence sets in reverse order on another engine, and each on a fresh one.
    again = alarm.compile()
    backwards = [again.query(evidence=e) for e in reversed(cases)][::-1]
    assert history == backwards
    for e, answer in list(zip(cases, history))[:5]:
        assert alarm.compile().query(evidence=e) == answer


def test_compiled_errors_and_detail(asia):
    compiled = asia.compile()
    good = compiled.query(evidence={"smoke": "yes"})
    with pytest.raises(deepgm.DeepgmValueError, match="probability zero"):
        compiled.query(evidence={"tub": "yes", "either": "no"})
    assert compiled.query(evidence={"smoke": "yes"}) == good  # still usable
    with pytest.raises(deepgm.DeepgmValueError, match="smoke"):
        compiled.query(["smoke"], {"smoke": "yes"})
    with pytest.raises(deepgm.DeepgmValueError, match="no variable `lungs`"):
        compiled.query(["lungs"])
    with pytest.raises(deepgm.DeepgmValueError, match="smoke has no state `maybe`"):
        compiled.query(evidence={"smoke": "maybe"})
    with pytest.raises(TypeError, match="evidence"):
        compiled.query(evidence=["smoke=yes"])
    detail = compiled.detail
    assert detail["pruned_variables"] == 8 and detail["cliques"] >= 1
    assert compiled.network is asia and "CompiledNetwork" in repr(compiled)
    with pytest.raises(deepgm.InfeasibleError):
        BayesianNetwork.read("builtin:alarm").compile(max_memory=1000)
    assert BayesianNetwork.read("builtin:alarm").compile(max_memory="1GiB").query() == (
        BayesianNetwork.read("builtin:alarm").compile().query()
    )
