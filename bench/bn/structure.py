"""Side-by-side benchmark of structure learning: `deepgm bn learn-structure` against pgmpy's
HillClimbSearch and pyAgrum's greedy hill climbing, on forward samples of the shared networks.

For each network (../shared/data/bif/NAME.bif.gz) and sample size N, the data is N forward
samples drawn by `deepgm bn sample NET -n N --seed 1` (a CSV of state names). Each tool learns a
DAG with the same score (BIC, and K2), at most 4 parents a variable:

  deepgm        `deepgm bn learn-structure --data CSV --score S --max-indegree 4 --keep-constant
                --json`, with its
                defaults (tabu list of 100 moves, patience 10, 10 seeded restarts of 3 moves);
  deepgm-plain  the same with --restarts 0 --patience 0: plain hill climbing with a tabu list of
                100, which is what pgmpy's HillClimbSearch does;
  pgmpy         HillClimbSearch(data).estimate(scoring_method=BIC(data) or K2(data),
                max_indegree=4, tabu_length=100, epsilon=1e-4), data read with dtype=str;
  pyAgrum       BNLearner(CSV) with useGreedyHillClimbing(), useScoreBIC() or useScoreK2(),
                setMaxIndegree(4), useNoPrior() for BIC, then learnDAG() (the graph only: learnBN() would
                also estimate tables, which fails without a prior on unseen configurations).

Each peer runs in its own process with a time limit (--timeout seconds, default 600); the time
reported is the learning call only (reading the CSV excluded; deepgm's "search_seconds": building
its count columns and the search), wall clock, one repetition per cell
(--reps more), median. pgmpy's number of scored families is counted by wrapping its local_score
(distinct (variable, parents) pairs).

Quality: every learned DAG (each peer's written as a BIF with the data's states) is scored by
`deepgm bn score LEARNED --data CSV --score S --compare TRUE --json`, the same scorer for all
(deepgm's BIC equals pgmpy's to 1e-9; pgmpy's K2 adds ln G(r) for each unobserved parent
configuration, so K2 scores are reported by deepgm's definition for every tool), with the
structural Hamming distance to the true network's DAG and CPDAG.

Usage (from the repository root; a virtual environment with pgmpy 1.1.2 and pyAgrum 3.3.1, as
bench/setup.sh makes):
  cargo build --release
  bench/.venv/bin/python bench/bn/structure.py [--networks alarm child] [--sizes 1000 10000]
      [--scores bic k2] [--reps 1] [--timeout 600] [--out bench/bn/structure-results.json]
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "bif"))
NETWORKS = ["alarm", "insurance", "child", "hailfinder", "water"]
SIZES = [1000, 10000, 100000]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def write_bif(path, names, states, arcs):
    """A BIF file of the DAG with uniform tables (only the graph and the states matter here)."""
    parents = {v: [] for v in names}
    for a, b in arcs:
        parents[b].append(a)
    lines = ["network learned {", "}"]
    for v in names:
        lines.append(f"variable {v} {{")
        lines.append(f"  type discrete [ {len(states[v])} ] {{ {', '.join(states[v])} }};")
        lines.append("}")
    for v in names:
        r = len(states[v])
        row = ", ".join([repr(1.0 / r)] * r)
        if not parents[v]:
            lines.append(f"probability ( {v} ) {{\n  table {row};\n}}")
        else:
            q = 1
            for p in parents[v]:
                q *= len(states[p])
            table = ", ".join([row] * q)
            lines.append(f"probability ( {v} | {', '.join(parents[v])} ) {{\n  table {table};\n}}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def read_states(csv_path):
    import csv

    with open(csv_path) as f:
        reader = csv.reader(f)
        names = next(reader)
        seen = [set() for _ in names]
        for row in reader:
            for i, x in enumerate(row):
                seen[i].add(x)
    return names, {n: sorted(s) for n, s in zip(names, seen)}


def worker(tool, csv_path, score, out_path):
    """Runs one peer in this process; prints a JSON line with seconds, arcs and families."""
    if tool == "pgmpy":
        import warnings

        warnings.filterwarnings("ignore")
        import pandas as pd
        from pgmpy.estimators import BIC, K2, HillClimbSearch

        data = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
        scorer = BIC(data) if score == "bic" else K2(data)
        seen = set()
        inner = scorer.local_score

        def counted(variable, parents):
            seen.add((variable, tuple(sorted(parents))))
            return inner(variable, parents)

        scorer.local_score = counted
        start = time.perf_counter()
        model = HillClimbSearch(data).estimate(
            scoring_method=scorer, max_indegree=4, tabu_length=100, epsilon=1e-4,
            show_progress=False,
        )
        seconds = time.perf_counter() - start
        arcs = [list(e) for e in model.edges()]
        families = len(seen)
    elif tool == "pyagrum":
        import pyagrum as gum

        learner = gum.BNLearner(csv_path)
        learner.useGreedyHillClimbing()
        if score == "bic":
            learner.useScoreBIC()
            learner.useNoPrior()
        else:
            learner.useScoreK2()
        learner.setMaxIndegree(4)
        start = time.perf_counter()
        dag = learner.learnDAG()
        seconds = time.perf_counter() - start
        arcs = [[learner.nameFromId(a), learner.nameFromId(b)] for a, b in dag.arcs()]
        families = None
    else:
        raise SystemExit(f"unknown tool {tool}")
    print(json.dumps({"seconds": seconds, "arcs": arcs, "families": families}))


def run_peer(tool, csv_path, score, timeout):
    try:
        proc = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--worker", tool, csv_path, score],
            capture_output=True, text=True, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"skipped": f"over {timeout} s"}
    if proc.returncode != 0:
        return {"skipped": f"failed: {proc.stderr.strip().splitlines()[-1:]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_deepgm(binary, csv_path, score, true_net, plain, tmp, timeout):
    out = os.path.join(tmp, "deepgm.bif")
    # --keep-constant: small samples of insurance have a column that holds one value, which the
    # peers keep; deepgm refuses such data unless asked.
    cmd = [binary, "bn", "learn-structure", "--data", csv_path, "--score", score,
           "--max-indegree", "4", "--keep-constant", "--compare", true_net, "-o", out, "--json",
           "--quiet"]
    if plain:
        cmd += ["--restarts", "0", "--patience", "0"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        return {"skipped": f"failed: {proc.stderr.strip()}"}
    v = json.loads(proc.stdout)
    # The search (counting included, CSV reading excluded), as the peers' learning calls.
    return {"seconds": v["search_seconds"], "total_seconds": v["seconds"], "wall_seconds": wall,
            "arcs": v["arcs"], "families": v["families_scored"]}


def evaluate(binary, csv_path, score, true_net, names, states, arcs, tmp):
    path = os.path.join(tmp, "eval.bif")
    write_bif(path, names, states, arcs)
    proc = subprocess.run(
        [binary, "bn", "score", path, "--data", csv_path, "--score", score, "--compare",
         true_net, "--json", "--quiet"], capture_output=True, text=True, check=True,
    )
    v = json.loads(proc.stdout)
    return {"score": v["score"], "n_arcs": v["n_arcs"],
            "dag_shd": v["compare"]["dag_shd"]["total"],
            "cpdag_shd": v["compare"]["cpdag_shd"]["total"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", nargs=3, metavar=("TOOL", "CSV", "SCORE"))
    ap.add_argument("--deepgm", default=os.path.join(ROOT, "target", "release", "deepgm"))
    ap.add_argument("--networks", nargs="+", default=NETWORKS)
    ap.add_argument("--sizes", nargs="+", type=int, default=SIZES)
    ap.add_argument("--scores", nargs="+", default=["bic", "k2"])
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--out", default=os.path.join(HERE, "structure-results.json"))
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker, None)
        return
    import pgmpy
    import pyagrum

    report = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "command": " ".join(sys.argv),
        "versions": {"pgmpy": pgmpy.__version__, "pyAgrum": pyagrum.__version__},
        "cells": [],
    }
    tools = ["deepgm", "deepgm-plain", "pgmpy", "pyagrum"]
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.networks:
            true_net = os.path.join(SHARED, f"{name}.bif.gz")
            for n in args.sizes:
                csv_path = os.path.join(tmp, f"{name}-{n}.csv")
                subprocess.run([args.deepgm, "bn", "sample", true_net, "-n", str(n), "--seed",
                                "1", "-o", csv_path, "--quiet"], check=True, capture_output=True)
                names, states = read_states(csv_path)
                for score in args.scores:
                    cell = {"network": name, "rows": n, "score": score, "tools": {}}
                    runs = {t: [] for t in tools}
                    for rep in range(args.reps):
                        for tool in tools[rep % len(tools):] + tools[:rep % len(tools)]:
                            if tool.startswith("deepgm"):
                                r = run_deepgm(args.deepgm, csv_path, score, true_net,
                                               tool == "deepgm-plain", tmp, args.timeout)
                            else:
                                r = run_peer(tool, csv_path, score, args.timeout)
                            runs[tool].append(r)
                            log(f"{name} N={n} {score} {tool}: "
                                f"{r.get('seconds', r.get('skipped'))}")
                    for tool, rs in runs.items():
                        done = [r for r in rs if "seconds" in r]
                        if not done:
                            cell["tools"][tool] = {"skipped": rs[0].get("skipped")}
                            continue
                        quality = evaluate(args.deepgm, csv_path, score, true_net, names,
                                           states, done[0]["arcs"], tmp)
                        cell["tools"][tool] = {
                            "seconds": statistics.median(r["seconds"] for r in done),
                            "families": done[0]["families"], **quality,
                        }
                    report["cells"].append(cell)
                    with open(args.out, "w") as f:
                        json.dump(report, f, indent=1)
                    print_row(cell)


def print_row(cell):
    t = cell["tools"]

    def fmt(tool):
        r = t.get(tool, {})
        if "seconds" not in r:
            return f"{tool}: {r.get('skipped', '-')}"
        return (f"{tool} {r['seconds']:.3f} s, score {r['score']:.1f}, SHD {r['dag_shd']}/"
                f"{r['cpdag_shd']}, {r['n_arcs']} arcs, families {r['families']}")

    print(f"| {cell['network']} | {cell['rows']} | {cell['score']} | "
          + " | ".join(fmt(x) for x in ["deepgm", "deepgm-plain", "pgmpy", "pyagrum"]) + " |",
          flush=True)


if __name__ == "__main__":
    main()
