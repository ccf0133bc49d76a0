"""Writes the structure-score fixtures of deepgm-bn from pgmpy's scores.

Data: crates/deepgm-bn/tests/fixtures/alarm-1000.csv.gz, 1,000 forward samples of the built-in
alarm network made by deepgm itself:

    deepgm bn sample builtin:alarm -n 1000 --seed 7 -o alarm-1000.csv && gzip -9 -n alarm-1000.csv

DAGs: alarm's own graph, the empty graph, and four random DAGs over alarm's 37 variables (numpy
default_rng(SEED), a random order, each ordered pair an arc with probability 0.06, at most 4
parents). For each DAG, the total score under pgmpy 1.1.2's LogLikeliHood, BIC, AIC, K2 and BDeu
(equivalent sample size 1 and 10), with the state names pgmpy infers from the data (sorted), and
each family's score of the true graph. Written to
crates/deepgm-bn/tests/fixtures/alarm-1000-scores.json.

Run from the repository root: bench/.venv/bin/python bench/bn/structure_fixtures.py
"""

import gzip
import io
import json
import os

import numpy as np
import pandas as pd
from pgmpy.estimators import AIC, BIC, K2, BDeu
from pgmpy.estimators.StructureScore import LogLikeliHood
from pgmpy.readwrite import BIFReader
from pgmpy.models import DiscreteBayesianNetwork

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
FIXTURES = os.path.join(ROOT, "crates", "deepgm-bn", "tests", "fixtures")
SEED = 20261202


def random_dags(names, count, rng):
    dags = []
    for _ in range(count):
        order = list(rng.permutation(len(names)))
        arcs = []
        indegree = {v: 0 for v in range(len(names))}
        for i, a in enumerate(order):
            for b in order[i + 1:]:
                if rng.random() < 0.06 and indegree[b] < 4:
                    arcs.append((names[a], names[b]))
                    indegree[b] += 1
        dags.append(arcs)
    return dags


def main():
    with gzip.open(os.path.join(FIXTURES, "alarm-1000.csv.gz"), "rt") as f:
        data = pd.read_csv(io.StringIO(f.read()), dtype=str, keep_default_na=False)
    alarm = BIFReader(os.path.join(ROOT, "crates", "deepgm-bn", "data", "alarm.bif")).get_model()
    names = list(data.columns)
    true_arcs = [list(e) for e in alarm.edges()]
    rng = np.random.default_rng(SEED)
    dags = {"true": true_arcs, "empty": []}
    for i, arcs in enumerate(random_dags(names, 4, rng)):
        dags[f"random{i}"] = [list(a) for a in arcs]
    scorers = {
        "ll": LogLikeliHood(data),
        "bic": BIC(data),
        "aic": AIC(data),
        "k2": K2(data),
        "bdeu1": BDeu(data, equivalent_sample_size=1),
        "bdeu10": BDeu(data, equivalent_sample_size=10),
    }
    out = {"rows": len(data), "dags": {}, "families": {}}
    for name, arcs in dags.items():
        model = DiscreteBayesianNetwork()
        model.add_nodes_from(names)
        model.add_edges_from([tuple(a) for a in arcs])
        out["dags"][name] = {
            "arcs": arcs,
            "scores": {k: float(s.score(model)) for k, s in scorers.items()},
        }
    model = DiscreteBayesianNetwork()
    model.add_nodes_from(names)
    model.add_edges_from([tuple(a) for a in true_arcs])
    for v in names:
        parents = sorted(model.get_parents(v))
        out["families"][v] = {
            "parents": parents,
            "scores": {k: float(s.local_score(v, parents)) for k, s in scorers.items()},
        }
    path = os.path.join(FIXTURES, "alarm-1000-scores.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
