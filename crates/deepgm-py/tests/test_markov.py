"""deepgm.bn.MarkovNetwork: UAI files from Python, checked against brute-force enumeration in
NumPy, the command line's JSON (same floats) and the Bayesian network it was converted from."""

import doctest
import itertools
import json
import math
import subprocess
from pathlib import Path

import numpy as np
import pytest

import deepgm
from deepgm.bn import BayesianNetwork, MarkovNetwork

from test_bn import CLI, needs_cli

REPO = Path(__file__).resolve().parents[3]
UAI = REPO / "crates" / "deepgm-bn" / "tests" / "data" / "uai"
SHARED_UAI = Path("/work/shared/data/uai")


def brute_force(net, evidence):
    """(marginals, ln Z(e), best log value) by enumerating every assignment in NumPy."""
    names = net.variables
    cards = [len(net.states(v)) for v in names]
    factors = [([names.index(v) for v in scope], values) for scope, values in net.factors()]
    observed = {names.index(v): net.states(v).index(s) for v, s in evidence.items()}
    z = 0.0
    weights = {v: np.zeros(c) for v, c in enumerate(cards)}
    best = -math.inf
    for x in itertools.product(*[range(c) for c in cards]):
        if any(x[v] != s for v, s in observed.items()):
            continue
        w = 1.0
        for scope, values in factors:
            w *= values[tuple(x[v] for v in scope)]
        z += w
        if w > 0:
            best = max(best, math.log(w))
        for v in range(len(cards)):
            weights[v][x[v]] += w
    marginals = {
        names[v]: dict(zip(net.states(names[v]), weights[v] / z))
        for v in range(len(cards))
        if v not in observed
    }
    return marginals, math.log(z), best


@pytest.mark.parametrize("name", ["tiny", "chain"])
@pytest.mark.parametrize("method", ["auto", "jt", "ve"])
def test_answers_equal_brute_force(name, method):
    net = MarkovNetwork.read(UAI / f"{name}.uai")
    evidence = net.read_evidence(UAI / f"{name}.uai.evid")
    for ev in [{}, evidence]:
        marginals, log_z, best = brute_force(net, ev)
        got = net.query(evidence=ev, method=method)
        assert got.keys() == marginals.keys()
        for v, dist in marginals.items():
            for state, p in dist.items():
                assert abs(got[v][state] - p) < 1e-12, (v, state)
        assert abs(net.log_partition(ev) - log_z) < 1e-12
        assert abs(net.query_report(evidence=ev, method=method)["log_evidence"] - log_z) < 1e-12
        assignment, log_value = net.map_query(ev)
        assert abs(log_value - best) < 1e-12
        assert all(assignment[v] == s for v, s in ev.items())


def test_reads_names_factors_and_round_trips(tmp_path):
    net = MarkovNetwork.read(UAI / "tiny.uai")
    assert net.variables == ["0", "1", "2"]
    assert net.states("2") == ["0", "1", "2"]
    scopes = [scope for scope, _ in net.factors()]
    assert scopes == [["0"], ["0", "1"], ["1", "2"]]
    # The last variable of a scope changes fastest, as in the file.
    assert net.factors()[2][1].tolist() == [[1.0, 2.0, 3.0], [2.0, 1.0, 0.5]]
    out = tmp_path / "copy.uai.gz"
    net.write(out)
    assert MarkovNetwork.read(out) == net
    assert "3 variables" in repr(net)


def test_a_bayesian_network_as_factors_gives_its_answers():
    asia = BayesianNetwork.read("builtin:asia")
    markov = asia.to_markov_model()
    assert markov == MarkovNetwork.read("builtin:asia")
    evidence = {"smoke": "yes", "dysp": "yes"}
    want = asia.query(evidence=evidence)
    got = markov.query(evidence=evidence)
    for v in want:
        for s in want[v]:
            assert abs(want[v][s] - got[v][s]) < 1e-12
    assert abs(markov.log_partition(evidence) - asia.log_evidence(evidence)) < 1e-12
    assignment, log_value = markov.map_query(evidence)
    want_assignment, log_prob = asia.map_query(evidence)
    assert assignment == want_assignment and abs(log_value - log_prob) < 1e-12


@needs_cli
def test_query_and_map_equal_the_command_line():
    path = UAI / "tiny.uai"  # a MARKOV file (a BAYES one reads as a Bayesian network there)
    evid = UAI / "tiny.uai.evid"
    net = MarkovNetwork.read(path)
    evidence = net.read_evidence(evid)
    for cmd in ["query", "mpe"]:
        out = subprocess.run(
            [CLI, "bn", cmd, str(path), "--evidence-file", str(evid), "--json", "--quiet"],
            check=True, capture_output=True, text=True,
        )
        cli = json.loads(out.stdout)
        if cmd == "query":
            assert net.query(evidence=evidence) == cli["marginals"]
            report = net.query_report(evidence=evidence)
            assert report["log_evidence"] == cli["log_evidence"]
            assert report["method"] == cli["method"] and report["detail"] == cli["detail"]
        else:
            assignment, log_value = net.map_query(evidence)
            assert assignment == cli["assignment"] and log_value == cli["log_value"]


@pytest.mark.skipif(not SHARED_UAI.is_dir(), reason=f"{SHARED_UAI} is not present")
def test_a_competition_instance_matches_its_reference():
    net = MarkovNetwork.read(SHARED_UAI / "Promedus_24.uai")
    evidence = net.read_evidence(SHARED_UAI / "Promedus_24.uai.evid")
    pr = float((SHARED_UAI / "Promedus_24.uai.PR").read_text().split()[1])
    assert abs(net.log_partition(evidence) / math.log(10) - pr) < 1e-5
    numbers = (SHARED_UAI / "Promedus_24.uai.MAR").read_text().split()[2:]
    marginals = net.query(evidence=evidence)
    at = 0
    for v in net.variables:
        card = int(numbers[at])
        ref = [float(p) for p in numbers[at + 1 : at + 1 + card]]
        at += 1 + card
        if v in marginals:
            got = [marginals[v][s] for s in net.states(v)]
            assert max(abs(a - b) for a, b in zip(got, ref)) < 1e-5, v


def test_bad_input_raises_the_documented_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        MarkovNetwork.read(tmp_path / "missing.uai")
    bad = tmp_path / "bad.uai"
    bad.write_text("MARKOV\n2\n2 2\n1\n2 0 1\n\n3\n1 2 3\n")
    with pytest.raises(deepgm.FormatError) as caught:
        MarkovNetwork.read(bad)
    assert caught.value.line is not None and "4" in str(caught.value)
    net = MarkovNetwork.read(UAI / "tiny.uai")
    with pytest.raises(deepgm.DeepgmValueError, match="nope"):
        net.query(["nope"])
    with pytest.raises(deepgm.DeepgmValueError, match="state"):
        net.query(evidence={"0": "7"})
    with pytest.raises(deepgm.DeepgmValueError, match="observed"):
        net.query(["0"], evidence={"0": "1"})
    with pytest.raises(deepgm.DeepgmValueError, match="method"):
        net.query(method="fast")
    with pytest.raises(deepgm.InfeasibleError):
        net.query(max_memory=8)
    with pytest.raises(deepgm.DeepgmValueError, match="UAI"):
        net.write(tmp_path / "net.bif")
    with pytest.raises(TypeError):
        MarkovNetwork(object())


def test_docstring_examples_run():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    tests = finder.find(MarkovNetwork, "MarkovNetwork", globs={"deepgm": deepgm})
    for test in tests:
        runner.run(test)
    assert runner.failures == 0 and runner.tries >= 6
