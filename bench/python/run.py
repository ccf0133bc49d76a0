#!/usr/bin/env python3
"""deepgm's Python package against the peers' Python calls, in one process, same inputs.

    python bench/python/run.py --reps 3 [--parts bn rbm cnn]

- bn: every posterior marginal of each shared network (no evidence, and the 5 observed
  variables of bench/bn's rule), `BayesianNetwork.query` against pyAgrum's LazyPropagation and
  pgmpy's VariableElimination (pgmpy skipped past --pgmpy-budget seconds); and the Python
  overhead: `query` against the same call returning the report's dict (`query_report`), whose
  conversion is the part a binding adds.
- rbm: `BernoulliRBM(n_components=500, batch_size=100, learning_rate=0.05, n_iter=1).fit(X)` on
  the 60,000 binarized training digits, deepgm against scikit-learn, float32 and float64 inputs.
- cnn: `Net("lenet5").fit` for one epoch against `deepgm cnn train` for one epoch (the CLI's own
  `seconds` of its epoch).

Needs the package installed (`pip install ./crates/deepgm-py`), the peers (pyAgrum, pgmpy,
scikit-learn) and ../shared/data; prints a Markdown table of medians and ratios and writes JSON.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(ROOT, "..", "shared", "data")
sys.path.insert(0, os.path.join(ROOT, "bench", "bn"))

NETWORKS = ["asia", "alarm", "child", "insurance", "water", "hailfinder", "barley", "mildew", "munin"]


def median_time(fn, reps):
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_bn(reps, pgmpy_budget):
    import deepgm
    import peers

    rows = []
    for name in NETWORKS:
        path = os.path.join(SHARED, "bif", f"{name}.bif.gz")
        if not os.path.exists(path):
            continue
        raw = peers.parse_bif(path)
        net = deepgm.bn.BayesianNetwork.read(path)
        agrum = peers.pyagrum_load(path, raw=raw)
        for label, evidence in [("none", {}), ("5 observed", peers.choose_evidence(raw, 5, 0))]:
            ours = median_time(lambda: net.query(evidence=evidence), reps)
            report = median_time(lambda: net.query_report(evidence=evidence), reps)
            agrum_s = statistics.median(
                peers.pyagrum_all_marginals(agrum, evidence)[1] for _ in range(reps))
            try:
                pg = peers.pgmpy_all_marginals(path, evidence, budget_s=pgmpy_budget)[1]
            except Exception as err:  # budget exceeded or pgmpy failure: reported, not fatal
                pg = None
                print(f"  pgmpy on {name}: {type(err).__name__}", file=sys.stderr)
            rows.append({"network": name, "evidence": label, "deepgm_s": ours,
                         "deepgm_report_s": report, "pyagrum_s": agrum_s, "pgmpy_s": pg})
            print(f"bn {name:10s} {label:10s} deepgm {ours*1e3:8.2f} ms  pyAgrum {agrum_s*1e3:8.2f} ms"
                  f"  ({agrum_s/ours:5.1f}x)  pgmpy {'-' if pg is None else f'{pg*1e3:.1f} ms'}", flush=True)
    return rows


def binarized_digits():
    import deepgm

    images, _ = deepgm.data.mnist(os.path.join(SHARED, "mnist"), split="train")
    rng = np.random.default_rng(0)
    x = images.reshape(len(images), -1) / 255.0
    return (rng.random(x.shape) < x).astype(np.float64)


def bench_rbm(reps):
    import deepgm
    from sklearn.neural_network import BernoulliRBM as SkRBM

    x64 = binarized_digits()
    rows = []
    for dtype in [np.float32, np.float64]:
        x = x64.astype(dtype)
        args = dict(n_components=500, batch_size=100, learning_rate=0.05, n_iter=1, random_state=0)
        ours = median_time(lambda: deepgm.rbm.BernoulliRBM(**args).fit(x), reps)
        theirs = median_time(lambda: SkRBM(**args).fit(x), reps)
        rows.append({"dtype": np.dtype(dtype).name, "deepgm_s": ours, "sklearn_s": theirs})
        print(f"rbm fit {np.dtype(dtype).name}: deepgm {ours:.2f} s  scikit-learn {theirs:.2f} s"
              f"  ({theirs/ours:.2f}x)", flush=True)
    return rows


def bench_cnn(reps, binary):
    import deepgm

    mnist = os.path.join(SHARED, "mnist")
    x, y = deepgm.data.mnist(mnist, split="train")
    ours = median_time(lambda: deepgm.cnn.Net("lenet5").fit(x, y, epochs=1, seed=0), reps)
    cli = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(reps):
            out = subprocess.run([binary, "cnn", "train", "--data", mnist, "--arch", "lenet5", "--epochs", "1",
                                  "--seed", "0", "--no-test", "-o", os.path.join(tmp, "m.safetensors"), "--json"],
                                 capture_output=True, text=True, check=True)
            report = json.loads(out.stdout)
            cli.append(sum(e["seconds"] for e in report["epochs"]))
    cli_s = statistics.median(cli)
    print(f"cnn lenet5 epoch: Python {ours:.2f} s  CLI epoch {cli_s:.2f} s  ({ours/cli_s:.3f})", flush=True)
    return [{"python_fit_s": ours, "cli_epoch_s": cli_s}]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--parts", nargs="+", default=["bn", "rbm", "cnn"])
    parser.add_argument("--pgmpy-budget", type=float, default=30.0)
    parser.add_argument("--deepgm", default=os.path.join(ROOT, "target", "release", "deepgm"))
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json"))
    args = parser.parse_args()
    results = {}
    if "bn" in args.parts:
        results["bn"] = bench_bn(args.reps, args.pgmpy_budget)
    if "rbm" in args.parts:
        results["rbm"] = bench_rbm(args.reps)
    if "cnn" in args.parts:
        results["cnn"] = bench_cnn(args.reps, args.deepgm)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
