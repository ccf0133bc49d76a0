"""Compile once, query many: 1,000 evidence sets on one network, every posterior marginal each.

For each network (alarm, hailfinder and munin from ../shared/data/bif/NAME.bif.gz), --cases
(1000) evidence sets of 5 observed variables are drawn from seeded forward samples (deepgm's
BayesianNetwork.simulate(n, seed=--seed); row i observes 5 variables chosen by
numpy.random.default_rng(seed + i), at the states of row i, so every set has positive
probability). Every case asks for the posterior of every unobserved variable. Programs:

  compiled (py)   deepgm.bn.CompiledNetwork.query in a Python loop (one engine, compiled once;
                  compile time reported apart).
  compiled (cli)  `deepgm bn query NET --cases cases.csv -o out.csv`, one process for all the
                  cases: the per-case figure is the time it reports for the queries ("N cases
                  in S s" on stderr), the process's wall time (reading, compiling, writing the
                  CSV) is recorded too.
  fresh (py)      BayesianNetwork.query in a Python loop: a separate exact query per case
                  (prune, plan, build, propagate), in-process.
  pyAgrum         one gum.LazyPropagation reused for all cases: setEvidence(case) (the
                  observed variables change from case to case, so updateEvidence does not
                  apply), makeInference, posterior(v).toarray() for every unobserved v; with 1
                  thread and with pyAgrum's default (one per core), on the network built in
                  double precision from the file (peers.pyagrum_load).
  cli per query   alarm only: `deepgm bn query NET --evidence ... --json --quiet`, one process
                  per case (the cost of calling the command line once per case).

Each repetition runs every program once, in an order that rotates; the table reports the
medians over --reps repetitions of the time per case. The compiled programs always answer all
the cases; the others stop after --peer-budget seconds of one repetition (munin's fresh queries
and pyAgrum take about 0.1 s and 1 s a case), and their time per case is the mean over the
cases they answered (the count is in the JSON).

Checks (in every repetition): the compiled answers equal the fresh ones to 1e-12 (every
probability), and pyAgrum's to 1e-5 (pyAgrum computes with the file's rows as written; deepgm
divides each row by its sum, and munin's rows are off by up to 3e-7); the CLI's CSV holds the
Python engine's numbers bit for bit (the answers do not depend on the process or on the
earlier cases). A failed check stops the run (exit code 1) after writing the results.

Usage (release builds; the Python package assembled by dev.sh into target/pydev/bench_cases):
  cargo build --release -p deepgm
  bash crates/deepgm-py/dev.sh bench_cases --release -q -k compiled_errors
  /tmp/peers/bin/python bench/bn/cases.py [--reps 3] [--cases 1000] [--networks alarm ...]
      [--peer-budget 45] [--bin target/release/deepgm] [--out bench/bn/cases-results.json]
Writes the JSON (every repetition, medians, versions, loads) and prints a markdown table.
"""

import argparse
import csv
import datetime
import hashlib
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.environ.get("DEEPGM_SHARED_DATA", os.path.join(os.path.dirname(ROOT), "shared", "data"))
NETWORKS = ["alarm", "hailfinder", "munin"]
OBSERVED = 5
PROCESS_PER_QUERY_CASES = 100


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def make_cases(net, n, seed):
    """n evidence sets {variable: state} of OBSERVED variables each, from forward samples."""
    import numpy as np

    rows = net.simulate(n, seed=seed)
    names = net.variables
    cases = []
    for i in range(n):
        rng = np.random.default_rng(seed + i)
        chosen = sorted(rng.choice(len(names), size=OBSERVED, replace=False))
        cases.append({names[j]: str(rows.iloc[i][names[j]]) for j in chosen})
    return cases


def write_cases_csv(path, names, cases):
    """The cases as `--cases` reads them: one column per variable observed in some case."""
    used = [v for v in names if any(v in c for c in cases)]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(used)
        for c in cases:
            w.writerow([c.get(v, "") for v in used])


def max_diff(a, b):
    """Largest |a - b| over the variables and states of b (a must have them all)."""
    d = 0.0
    for var, states in b.items():
        for s, p in states.items():
            d = max(d, abs(a[var][s] - p))
    return d


def run_compiled_py(compiled, cases, keep):
    t0 = time.perf_counter()
    answers = []
    for i, e in enumerate(cases):
        a = compiled.query(evidence=e)
        if i < keep:
            answers.append(a)
    return time.perf_counter() - t0, answers


def run_budgeted(call, cases, budget, keep):
    """Calls call(e) case after case until all are done or budget seconds have passed; returns
    (seconds, cases done, answers of the first `keep`)."""
    answers = []
    t0 = time.perf_counter()
    done = 0
    for e in cases:
        a = call(e)
        if done < keep:
            answers.append(a)
        done += 1
        if time.perf_counter() - t0 > budget:
            break
    return time.perf_counter() - t0, done, answers


def pyagrum_engine(bn, threads):
    import pyagrum as gum

    ie = gum.LazyPropagation(bn)
    if threads:
        ie.setNumberOfThreads(threads)
    names = [bn.variable(i).name() for i in sorted(bn.nodes())]
    labels = {v: list(bn.variable(v).labels()) for v in names}

    def call(e):
        ie.setEvidence(e)
        ie.makeInference()
        out = {}
        for v in names:
            if v not in e:
                out[v] = dict(zip(labels[v], ie.posterior(v).toarray().tolist()))
        return out

    return call


def run_cli_cases(binary, net_path, cases_csv, out_csv):
    t0 = time.perf_counter()
    p = subprocess.run(
        [binary, "bn", "query", net_path, "--cases", cases_csv, "-o", out_csv],
        capture_output=True, text=True,
    )
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"deepgm --cases failed ({p.returncode}): {p.stderr}")
    m = re.search(r"(\d+) cases in ([0-9.]+) s", p.stderr)
    c = re.search(r"compiled in ([0-9.]+) s", p.stderr)
    return {
        "cases": int(m.group(1)),
        "seconds": float(m.group(2)),
        "compile_seconds": float(c.group(1)),
        "wall_seconds": wall,
    }


def read_cli_csv(out_csv, keep):
    """The first `keep` rows of the --cases CSV as {variable: {state: p}} (empty cells left
    out: observed variables)."""
    answers = []
    with open(out_csv, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        for row in r:
            if len(answers) == keep:
                break
            a = {}
            for col, cell in zip(header[2:], row[2:]):
                if cell == "":
                    continue
                var, state = col.split("=", 1)
                a.setdefault(var, {})[state] = float(cell)
            answers.append(a)
    return answers


def run_process_per_query(binary, net_path, cases):
    t0 = time.perf_counter()
    for e in cases:
        text = ",".join(f"{k}={v}" for k, v in e.items())
        subprocess.run(
            [binary, "bn", "query", net_path, "--evidence", text, "--json", "--quiet"],
            check=True, capture_output=True,
        )
    return (time.perf_counter() - t0) / len(cases)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--networks", nargs="+", default=NETWORKS)
    ap.add_argument("--peer-budget", type=float, default=45.0)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "deepgm"))
    ap.add_argument("--pydev", default=os.path.join(ROOT, "target", "pydev", "bench_cases"))
    ap.add_argument("--out", default=os.path.join(HERE, "cases-results.json"))
    args = ap.parse_args()

    sys.path.insert(0, args.pydev)
    import numpy as np
    import pyagrum as gum

    import deepgm
    from deepgm.bn import BayesianNetwork

    sys.path.insert(0, HERE)
    import peers

    tmp = tempfile.mkdtemp(prefix="deepgm-cases-")
    binary = os.path.join(tmp, "deepgm")
    shutil.copy2(args.bin, binary)
    keep = 100  # answers kept per program for the checks
    results = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "load_average_before": os.getloadavg(),
        "versions": {
            "deepgm": deepgm.__version__,
            "pyagrum": gum.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "binary_sha256": sha256(binary),
        "native_sha256": sha256(os.path.join(args.pydev, "deepgm", "_native.abi3.so")),
        "reps": args.reps,
        "cases": args.cases,
        "observed_per_case": OBSERVED,
        "seed": args.seed,
        "peer_budget_s": args.peer_budget,
        "networks": [],
    }
    failures = []
    start = time.perf_counter()
    for name in args.networks:
        path = os.path.join(SHARED, "bif", f"{name}.bif.gz")
        log(f"== {name}")
        net = BayesianNetwork.read(path)
        cases = make_cases(net, args.cases, args.seed)
        cases_csv = os.path.join(tmp, f"{name}-cases.csv")
        out_csv = os.path.join(tmp, f"{name}-out.csv")
        write_cases_csv(cases_csv, net.variables, cases)
        t0 = time.perf_counter()
        compiled = net.compile()
        compile_seconds = time.perf_counter() - t0
        bn = peers.pyagrum_load(path)
        engines = {"pyagrum_1t": pyagrum_engine(bn, 1), "pyagrum_default": pyagrum_engine(bn, None)}
        programs = ["compiled_py", "compiled_cli", "fresh_py", "pyagrum_1t", "pyagrum_default"]
        if name == "alarm":
            programs.append("cli_per_query")
        runs = {p: [] for p in programs}
        checks = []
        for rep in range(args.reps):
            order = programs[rep % len(programs):] + programs[: rep % len(programs)]
            answers = {}
            for prog in order:
                log(f"   rep {rep} {prog}")
                if prog == "compiled_py":
                    s, answers[prog] = run_compiled_py(compiled, cases, keep)
                    runs[prog].append({"seconds": s, "cases": len(cases), "per_case": s / len(cases)})
                elif prog == "compiled_cli":
                    r = run_cli_cases(binary, path, cases_csv, out_csv)
                    r["per_case"] = r["seconds"] / r["cases"]
                    runs[prog].append(r)
                    answers[prog] = read_cli_csv(out_csv, keep)
                elif prog == "fresh_py":
                    s, done, answers[prog] = run_budgeted(
                        lambda e: net.query(evidence=e), cases, args.peer_budget, keep)
                    runs[prog].append({"seconds": s, "cases": done, "per_case": s / done})
                elif prog.startswith("pyagrum"):
                    s, done, answers[prog] = run_budgeted(
                        engines[prog], cases, args.peer_budget, keep)
                    runs[prog].append({"seconds": s, "cases": done, "per_case": s / done})
                else:
                    per = run_process_per_query(binary, path, cases[:PROCESS_PER_QUERY_CASES])
                    runs[prog].append({"cases": PROCESS_PER_QUERY_CASES, "per_case": per})
            ours = answers["compiled_py"]
            check = {
                "fresh_max_diff": max(max_diff(a, b) for a, b in zip(ours, answers["fresh_py"])),
                "pyagrum_max_diff": max(
                    max_diff(a, b)
                    for p in ("pyagrum_1t", "pyagrum_default")
                    for a, b in zip(ours, answers[p])
                ),
                "cli_equal_bits": all(
                    a == b for a, b in zip(ours, answers["compiled_cli"])
                ) and len(answers["compiled_cli"]) == len(ours),
            }
            checks.append(check)
            if check["fresh_max_diff"] > 1e-12:
                failures.append(f"{name} rep {rep}: compiled vs fresh {check['fresh_max_diff']:.3e}")
            if check["pyagrum_max_diff"] > 1e-5:
                failures.append(f"{name} rep {rep}: compiled vs pyAgrum {check['pyagrum_max_diff']:.3e}")
            if not check["cli_equal_bits"]:
                failures.append(f"{name} rep {rep}: the CLI's CSV differs from the Python engine's")
        medians = {p: statistics.median(r["per_case"] for r in runs[p]) for p in programs}
        pyagrum_best = min(medians["pyagrum_1t"], medians["pyagrum_default"])
        detail = compiled.detail
        entry = {
            "network": name,
            "file": path,
            "variables": len(net.variables),
            "cliques": detail["cliques"],
            "tree_entries": detail["table_entries"],
            "largest_clique_entries": detail["largest_table_entries"],
            "tree_peak_bytes": detail["peak_bytes"],
            "compile_seconds_py": compile_seconds,
            "median_seconds_per_case": medians,
            "pyagrum_best": "1t" if medians["pyagrum_1t"] <= medians["pyagrum_default"] else "default",
            "speedup_vs_fresh_py": medians["fresh_py"] / medians["compiled_py"],
            "speedup_cli_vs_fresh_py": medians["fresh_py"] / medians["compiled_cli"],
            "speedup_vs_pyagrum": pyagrum_best / medians["compiled_py"],
            "speedup_cli_vs_pyagrum": pyagrum_best / medians["compiled_cli"],
            "checks": checks,
            "runs": runs,
        }
        if "cli_per_query" in medians:
            entry["speedup_cli_cases_vs_cli_per_query"] = (
                medians["cli_per_query"] / medians["compiled_cli"])
        results["networks"].append(entry)
        results["load_average_after"] = os.getloadavg()
        results["total_seconds"] = time.perf_counter() - start
        results["failures"] = failures
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)
    shutil.rmtree(tmp, ignore_errors=True)

    us = lambda s: f"{s * 1e6:,.0f}"  # noqa: E731
    print("| network | vars | cliques | compiled py µs/case | compiled cli µs/case | fresh py µs/case "
          "| pyAgrum µs/case (best of 1t/default) | vs fresh | vs pyAgrum | cli per query µs |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for e in results["networks"]:
        m = e["median_seconds_per_case"]
        best = min(m["pyagrum_1t"], m["pyagrum_default"])
        per_query = us(m["cli_per_query"]) if "cli_per_query" in m else "-"
        print(f"| {e['network']} | {e['variables']} | {e['cliques']} | {us(m['compiled_py'])} "
              f"| {us(m['compiled_cli'])} | {us(m['fresh_py'])} | {us(best)} ({e['pyagrum_best']}) "
              f"| {e['speedup_vs_fresh_py']:.1f}x | {e['speedup_vs_pyagrum']:.1f}x | {per_query} |")
    print(f"\nload average before {results['load_average_before']}, after "
          f"{results['load_average_after']}; {results['total_seconds']:.0f} s")
    if failures:
        log("CHECKS FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
