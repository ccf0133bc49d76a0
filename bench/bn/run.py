"""Side-by-side benchmark of `deepgm bn query` against pyAgrum and pgmpy: all posterior marginals.

For each shared network (../shared/data/bif/NAME.bif.gz, 13 of them) and two queries:

  none   every variable's posterior marginal, no evidence;
  5 ev   every unobserved variable's posterior, given the 5 observed variables of the test fixture
         (crates/deepgm-bn/tests/fixtures/NAME.json[.gz], "queries"[1]["evidence"]; 3 on the
         5-variable networks), so that every tool and the tests answer the same query;

three programs run, one at a time, interleaved within each of --reps repetitions (the order
rotates from one repetition to the next), and the table reports medians of the inference time
only (wall clock, seconds):

  deepgm   `deepgm bn query NET --evidence ... --json --quiet`, one process per run: its own
           "seconds" (inference; loading is "parse_seconds"), the exact engine it chose
           ("method": jt or ve), detail.largest_table_entries and induced_width, and the peak
           resident memory of the process (GNU time's %M, /usr/bin/time). deepgm uses rayon's
           threads (2 here) for independent targets and large tables. The binary is copied to a
           temporary directory at the start (its sha256 is recorded), so a rebuild by someone
           else during the run changes nothing.
  pyAgrum  LazyPropagation (C++ junction tree; peers.pyagrum_query, which is what
           peers.pyagrum_all_marginals calls, and also returns ln P(e)): engine construction,
           evidence, makeInference and every posterior, on the network built in double
           precision from the file (peers.parse_bif), in this process. Timed with 1 thread and
           with pyAgrum's default (one per core: 2 here); the "pyAgrum" column is the faster of
           the two medians ("1t" or "2t" says which); both are in the JSON. (peers.py calls
           setNumberOfThreads(1) inside the timed region, which may be why 1 thread looks
           slower than 2 on the tiny networks.)
  pgmpy    VariableElimination, one query per unobserved variable (peers.pgmpy_query_budget,
           i.e. pgmpy_all_marginals with a budget), in a forked child with an address-space cap
           (--pgmpy-mem-gib) and a --pgmpy-budget seconds budget per call: past it (or projected
           past twice it after 10 s) the call is recorded as "skipped", and not retried in the
           later repetitions.

Correctness gate: in every repetition, deepgm's posteriors must agree with pyAgrum's to 1e-5
(largest absolute difference; same variables, same states) and ln P(e) to 1e-5, else the run
stops with an error (exit code 1, results so far written with "gate_failure"). Both compute
with the file's numbers in double precision, so the differences seen are ~1e-12; the 1e-5
tolerance allows for pyAgrum's float32 reader, which is not used here. The largest differences
are recorded, and pgmpy's difference to pyAgrum as well (not gated).

Parsing: deepgm's parse_seconds (median over its query runs, on the .bif.gz) against pyAgrum's
own reader, gum.loadBN, timed on the decompressed .bif (pyAgrum cannot read .gz; its reader
rounds probabilities to float32 and rejects child.bif); deepgm's parse time of that same
decompressed .bif (`deepgm bn info FILE --json`) is also measured, median of --reps each.
`deepgm bn info` also gives the network's treewidth bound and largest clique entries.

Ratio: (faster peer's median) / (deepgm's median); above 1 deepgm is faster. The faster peer is
the faster of pyAgrum (its better thread setting) and pgmpy (when not skipped).

Output: a Markdown table on stdout (progress on stderr), and every number (each repetition,
medians, versions, binary hash, date, machine, load averages, command) in --out
(bench/bn/results.json), rewritten after each network.

Usage (after bash bench/setup.sh; the machine it was written on has 2 cores, shared and noisy,
so keep other heavy work off it while this runs; all 13 networks took 400 s with --reps 3 on
2026-11-27, load average about 4, mostly pyAgrum's 2 threads and pgmpy on munin):
  cargo build --release && bench/.venv/bin/python bench/bn/run.py --reps 3
  bench/.venv/bin/python bench/bn/run.py [--deepgm PATH] [--reps 3] [--networks alarm munin]
      [--pgmpy-budget 120] [--out bench/bn/results.json]
"""
import argparse
import gzip
import hashlib
import json
import math
import multiprocessing as mp
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import peers  # noqa: E402

NETWORKS = ["asia", "cancer", "earthquake", "survey", "sachs", "child", "insurance", "alarm",
            "water", "hailfinder", "mildew", "barley", "munin"]
DEFAULT_DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "bif"))
FIXTURES = os.path.join(ROOT, "crates", "deepgm-bn", "tests", "fixtures")
QUERIES = ("none", "e5")
GATE_TOL = 1e-5


class GateFailure(Exception):
    pass


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else None


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# deepgm: one process per run, peak RSS from wait4
# ---------------------------------------------------------------------------------------------


def private_copy(src, tmp, wait_s=900):
    """Copies the deepgm binary into tmp once it exists and is not being rewritten (same sha256
    before and after the copy); returns (copy, sha256, mtime of the source)."""
    deadline = time.time() + wait_s
    while True:
        try:
            before = sha256(src)
            mtime = os.stat(src).st_mtime
            dst = os.path.join(tmp, "deepgm")
            shutil.copy2(src, dst)
            if sha256(dst) == before == sha256(src):
                subprocess.run([dst, "--version"], check=True, capture_output=True)
                return dst, before, mtime
        except (OSError, subprocess.CalledProcessError) as e:
            if time.time() > deadline:
                sys.exit(f"no usable deepgm binary at {src}: {e}")
        if time.time() > deadline:
            sys.exit(f"the deepgm binary at {src} keeps changing")
        log(f"waiting for {src} to settle ...")
        time.sleep(10)


TIME = "/usr/bin/time"


def run_process(cmd, timeout_s):
    """Runs cmd; returns (exit code, stdout, stderr, wall seconds, peak RSS in bytes).

    The peak RSS is GNU time's %M (`/usr/bin/time -o FILE -f %M cmd`): os.wait4 on a process
    started from this Python would report at least the RSS of this Python process (Linux keeps
    the high-water mark of the forked copy across exec, about 800 MiB here with pyAgrum and
    pgmpy loaded), while /usr/bin/time forks from a small process. Without /usr/bin/time,
    falls back to wait4 (results.json: peak_rss_method)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".time") as tfile:
        use_time = os.access(TIME, os.X_OK)
        full = [TIME, "-o", tfile.name, "-f", "%M", *cmd] if use_time else cmd
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, stdout=out, stderr=err)
        timer = threading.Timer(timeout_s, proc.kill)
        timer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        rss = ru.ru_maxrss * 1024  # Linux: KiB
        if use_time:
            lines = [l for l in tfile.read().split("\n") if l.strip()]
            rss = int(lines[-1]) * 1024 if lines and lines[-1].strip().isdigit() else None
        return proc.returncode, out.read().decode(), err.read().decode(), wall, rss


def deepgm_query(binary, path, evidence, timeout_s):
    cmd = [binary, "bn", "query", path, "--json", "--quiet"]
    if evidence:
        cmd.append("--evidence=" + ",".join(f"{k}={v}" for k, v in evidence.items()))
    rc, out, err, wall, rss = run_process(cmd, timeout_s)
    if rc != 0:
        raise RuntimeError(f"deepgm failed ({rc}): {' '.join(cmd)}\n{err.strip()}")
    res = json.loads(out)
    res["process_seconds"] = wall
    res["peak_rss_bytes"] = rss
    return res


def deepgm_info(binary, path, timeout_s):
    rc, out, err, _, _ = run_process([binary, "bn", "info", path, "--json", "--quiet"], timeout_s)
    if rc != 0:
        raise RuntimeError(f"deepgm bn info failed ({rc}) on {path}\n{err.strip()}")
    return json.loads(out)


# ---------------------------------------------------------------------------------------------
# pgmpy: a forked child per call, with a memory cap and an alarm
# ---------------------------------------------------------------------------------------------


class _Alarm(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Alarm()


def _pgmpy_child(conn, model, evidence, targets, budget, mem_bytes):
    try:
        resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
    except (ValueError, OSError):
        pass
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(int(2 * budget + 30))
    try:
        marg, seconds = peers.pgmpy_query_budget(model, evidence, targets, budget_s=budget)
        out = {"seconds": seconds, "marginals": marg}
    except peers.OverBudget as e:
        out = {"skipped": str(e)}
    except _Alarm:
        out = {"skipped": f"over {int(2 * budget + 30)} s"}
    except MemoryError:
        out = {"skipped": f"out of memory (cap {mem_bytes >> 30} GiB)"}
    except Exception as e:  # noqa: BLE001 - reported, not fatal
        out = {"skipped": f"{type(e).__name__}: {e}"}
    finally:
        signal.alarm(0)
    conn.send(out)
    conn.close()


def pgmpy_run(model, evidence, targets, budget, mem_gib):
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_pgmpy_child,
                       args=(child, model, evidence, targets, budget, mem_gib << 30))
    proc.start()
    child.close()
    out = None
    if parent.poll(2 * budget + 120):
        try:
            out = parent.recv()
        except EOFError:
            pass
    proc.join(5)
    if proc.is_alive():
        proc.kill()
        proc.join()
    if out is None:
        out = {"skipped": f"the pgmpy child gave no result (exit code {proc.exitcode})"}
    return out


# ---------------------------------------------------------------------------------------------


def load_fixture_evidence(name):
    for fname, opener in ((name + ".json", open), (name + ".json.gz", gzip.open)):
        p = os.path.join(FIXTURES, fname)
        if os.path.exists(p):
            with opener(p, "rt", encoding="utf-8") as f:
                fx = json.load(f)
            if fx["queries"][0]["evidence"]:
                raise ValueError(f"{p}: queries[0] has evidence")
            return dict(fx["queries"][1]["evidence"]), os.path.relpath(p, ROOT)
    raise FileNotFoundError(f"no fixture for {name} in {FIXTURES}")


def network_path(data, name):
    if os.path.exists(name):
        return os.path.abspath(name)
    for ext in (".bif.gz", ".bif"):
        p = os.path.join(data, name + ext)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"no {name}.bif.gz or {name}.bif in {data}")


def max_marginal_diff(a, b):
    """Largest |a - b| over the posteriors; the variable and state sets must be equal."""
    if set(a) != set(b):
        missing, extra = sorted(set(b) - set(a)), sorted(set(a) - set(b))
        raise GateFailure(f"variables differ: missing {missing[:5]}, extra {extra[:5]}")
    worst = 0.0
    for v, row in b.items():
        if set(a[v]) != set(row):
            raise GateFailure(f"states of {v} differ: {sorted(a[v])} vs {sorted(row)}")
        for s, p in row.items():
            worst = max(worst, abs(a[v][s] - p))
    return worst


def time_pyagrum_reader(plain_bif, reps):
    """Median seconds of gum.loadBN on the decompressed file, or the error it gives."""
    import pyagrum as gum

    times = []
    try:
        for _ in range(reps):
            t0 = time.perf_counter()
            gum.loadBN(plain_bif)
            times.append(time.perf_counter() - t0)
    except Exception as e:  # noqa: BLE001 - pyAgrum's reader rejects child.bif
        return {"error": " ".join(str(e).split())[:200]}
    return {"seconds": median(times), "runs": times}


def bench_network(name, args, binary, tmp):
    path = network_path(args.data, name)
    log(f"== {name} ({os.path.relpath(path, ROOT)})")
    raw = peers.parse_bif(path)
    bn = peers.pyagrum_from_raw(raw)
    t0 = time.perf_counter()
    pg_model = peers.pgmpy_load(path)
    pg_load = time.perf_counter() - t0
    evidence, fixture = load_fixture_evidence(name)
    for v, s in evidence.items():
        if v not in raw.states or s not in raw.states[v]:
            raise ValueError(f"{fixture}: evidence {v}={s} is not in {path}")
    evs = {"none": {}, "e5": evidence}

    # parsing
    plain = os.path.join(tmp, peers.network_name(path) + ".bif")
    with open(plain, "w", encoding="utf-8") as f:
        f.write(peers.read_text(path))
    info = deepgm_info(binary, path, args.timeout)
    deepgm_plain = [deepgm_info(binary, plain, args.timeout)["parse_seconds"]
                    for _ in range(args.reps)]
    parse = {"deepgm_plain_bif_seconds": median(deepgm_plain), "deepgm_plain_bif_runs": deepgm_plain,
             "pyagrum_loadBN_plain_bif": time_pyagrum_reader(plain, args.reps),
             "pgmpy_BIFReader_seconds": pg_load}
    os.remove(plain)

    runs = {q: {"deepgm": [], "pyagrum_1t": [], "pyagrum_default": [], "pgmpy": []}
            for q in QUERIES}
    gate = {q: {"max_marginal_diff": 0.0, "max_log_evidence_diff": 0.0} for q in QUERIES}
    pgmpy_skip = {}
    ref = {}

    def do_deepgm(q, rep):
        r = deepgm_query(binary, path, evs[q], args.timeout)
        if q not in ref:
            raise AssertionError("pyAgrum reference missing")
        d = max_marginal_diff(r["marginals"], ref[q]["marginals"])
        dl = abs(r["log_evidence"] - ref[q]["log_evidence"])
        gate[q]["max_marginal_diff"] = max(gate[q]["max_marginal_diff"], d)
        gate[q]["max_log_evidence_diff"] = max(gate[q]["max_log_evidence_diff"], dl)
        if not d <= GATE_TOL or not dl <= GATE_TOL:
            raise GateFailure(f"{name} {q} rep {rep}: deepgm vs pyAgrum: max |posterior diff| "
                              f"{d:.3g}, |ln P(e) diff| {dl:.3g} (tolerance {GATE_TOL})")
        det = r.get("detail", {})
        runs[q]["deepgm"].append({
            "seconds": r["seconds"], "parse_seconds": r["parse_seconds"],
            "method": r.get("method"), "process_seconds": r["process_seconds"],
            "peak_rss_bytes": r["peak_rss_bytes"], "log_evidence": r["log_evidence"],
            "detail": det})

    def do_pyagrum(q, rep, threads):
        marg, lpe, secs = peers.pyagrum_query(bn, evs[q], threads=threads)
        key = "pyagrum_1t" if threads == 1 else "pyagrum_default"
        runs[q][key].append({"seconds": secs, "log_evidence": lpe})
        if q not in ref:
            ref[q] = {"marginals": marg, "log_evidence": lpe}

    def do_pgmpy(q, rep):
        if q in pgmpy_skip:
            return
        targets = [v for v in raw.variables if v not in evs[q]]
        res = pgmpy_run(pg_model, evs[q], targets, args.pgmpy_budget, args.pgmpy_mem_gib)
        if "skipped" in res:
            pgmpy_skip[q] = res["skipped"]
            log(f"   pgmpy {q}: skipped ({res['skipped']})")
            return
        d = max_marginal_diff(res["marginals"], ref[q]["marginals"])
        runs[q]["pgmpy"].append({"seconds": res["seconds"], "max_diff_vs_pyagrum": d})

    # the pyAgrum 1-thread run comes first in repetition 0 (it is the gate's reference)
    steps = ["pyagrum_1t", "deepgm", "pyagrum_default", "pgmpy"]
    for rep in range(args.reps):
        order = steps[rep % len(steps):] + steps[:rep % len(steps)] if rep else steps
        for q in QUERIES:
            for step in order:
                if step == "deepgm":
                    do_deepgm(q, rep)
                elif step == "pyagrum_1t":
                    do_pyagrum(q, rep, 1)
                elif step == "pyagrum_default":
                    do_pyagrum(q, rep, None)
                else:
                    do_pgmpy(q, rep)
            dg = runs[q]["deepgm"][-1]
            log(f"   rep {rep + 1}/{args.reps} {q}: deepgm {dg['seconds']:.4f} s ({dg['method']}), "
                f"pyAgrum {runs[q]['pyagrum_1t'][-1]['seconds']:.4f} s (1t) / "
                f"{runs[q]['pyagrum_default'][-1]['seconds']:.4f} s (default), pgmpy "
                + (f"{runs[q]['pgmpy'][-1]['seconds']:.3f} s" if q not in pgmpy_skip
                   else "skipped"))

    queries = {}
    for q in QUERIES:
        r = runs[q]
        dg = r["deepgm"]
        med = {
            "deepgm": median([x["seconds"] for x in dg]),
            "pyagrum_1t": median([x["seconds"] for x in r["pyagrum_1t"]]),
            "pyagrum_default": median([x["seconds"] for x in r["pyagrum_default"]]),
            "pgmpy": None if q in pgmpy_skip else median([x["seconds"] for x in r["pgmpy"]]),
        }
        pa_key = "pyagrum_1t" if med["pyagrum_1t"] <= med["pyagrum_default"] else "pyagrum_default"
        pyagrum = med[pa_key]
        peer, peer_name = pyagrum, "pyAgrum"
        if med["pgmpy"] is not None and med["pgmpy"] < peer:
            peer, peer_name = med["pgmpy"], "pgmpy"
        methods = sorted({x["method"] for x in dg})
        queries[q] = {
            "evidence": evs[q],
            "median_seconds": med,
            "pyagrum": pyagrum,
            "pyagrum_threads": "1t" if pa_key == "pyagrum_1t" else "default",
            "pgmpy_skipped": pgmpy_skip.get(q),
            "faster_peer": peer_name,
            "faster_peer_seconds": peer,
            "ratio_vs_faster_peer": peer / med["deepgm"] if med["deepgm"] > 0 else math.inf,
            "ratio_vs_pyagrum": pyagrum / med["deepgm"] if med["deepgm"] > 0 else math.inf,
            "ratio_vs_pgmpy": (med["pgmpy"] / med["deepgm"]
                               if med["pgmpy"] is not None and med["deepgm"] > 0 else None),
            "deepgm_method": "/".join(m or "?" for m in methods),
            "deepgm_largest_table_entries": dg[-1]["detail"].get("largest_table_entries"),
            "deepgm_induced_width": dg[-1]["detail"].get("induced_width"),
            "deepgm_table_entries": dg[-1]["detail"].get("table_entries"),
            "deepgm_pruned_variables": dg[-1]["detail"].get("pruned_variables"),
            "deepgm_peak_rss_mib": (max(x["peak_rss_bytes"] for x in dg) / 2**20
                                    if all(x["peak_rss_bytes"] for x in dg) else None),
            "deepgm_process_seconds": median([x["process_seconds"] for x in dg]),
            "gate": gate[q],
            "runs": r,
        }
    parse["deepgm_seconds"] = median([x["parse_seconds"] for q in QUERIES
                                      for x in runs[q]["deepgm"]])
    return {"network": name, "file": os.path.relpath(path, ROOT), "fixture": fixture,
            "variables": len(raw.variables), "evidence_variables": len(evidence),
            "info": {k: info.get(k) for k in ("n_variables", "n_states", "n_arcs", "n_parameters",
                                              "treewidth_bound", "largest_clique_entries",
                                              "elimination_entries", "ordering")},
            "parse": parse, "queries": queries}


def fmt_s(x, digits=4):
    if x is None:
        return "-"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 1:
        return f"{x:.2f}"
    if x < 0.001:
        return f"{x:.2g}"
    return f"{x:.{digits}f}"


def fmt_entries(x):
    if x is None:
        return "-"
    x = float(x)
    return f"{x:.0f}" if x < 1e5 else f"{x:.2e}"


def print_table(report):
    rows = report["networks"]
    print(f"# {report['header']}\n")
    print("Inference only, median of %d runs, seconds. pyAgrum: the faster of 1 thread (1t) and "
          "its default of %s threads (2t). ratio = faster peer / deepgm (>1: deepgm faster)." %
          (report["reps"], report["pyagrum_default_threads"]))
    print()
    print("| network | vars | query | deepgm s | method | pyAgrum s | pgmpy s | ratio vs faster "
          "peer | largest table | deepgm peak MiB |")
    print("|---|---:|---|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        for q in QUERIES:
            d = r["queries"][q]
            med = d["median_seconds"]
            t = "1t" if d["pyagrum_threads"] == "1t" else f"{report['pyagrum_default_threads']}t"
            pg = "skipped" if d["pgmpy_skipped"] else fmt_s(med["pgmpy"], 3)
            qn = "none" if q == "none" else f"{r['evidence_variables']} ev"
            print(f"| {r['network']} | {r['variables']} | {qn} | {fmt_s(med['deepgm'])} "
                  f"| {d['deepgm_method']} | {fmt_s(d['pyagrum'])} ({t}) | {pg} "
                  f"| {d['ratio_vs_faster_peer']:.2f} ({d['faster_peer']}) "
                  f"| {fmt_entries(d['deepgm_largest_table_entries'])} "
                  f"| {fmt_s(d['deepgm_peak_rss_mib'], 1)} |")
    print()
    print("Parsing, seconds (median of %d): deepgm on the .bif.gz and on the decompressed .bif; "
          "pyAgrum's gum.loadBN on the decompressed .bif (float32 tables)." % report["reps"])
    print()
    print("| network | deepgm .bif.gz | deepgm .bif | pyAgrum loadBN .bif | treewidth bound "
          "| largest clique (bn info) |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        p = r["parse"]
        pa = p["pyagrum_loadBN_plain_bif"]
        pa_s = fmt_s(pa["seconds"]) if "seconds" in pa else "fails"
        print(f"| {r['network']} | {fmt_s(p['deepgm_seconds'])} | "
              f"{fmt_s(p['deepgm_plain_bif_seconds'])} | {pa_s} | "
              f"{r['info'].get('treewidth_bound')} | "
              f"{fmt_entries(r['info'].get('largest_clique_entries'))} |")
    slower = [(r["network"], q, r["queries"][q]) for r in rows for q in QUERIES
              if r["queries"][q]["ratio_vs_faster_peer"] <= 1.0]
    print()
    if slower:
        print("deepgm not faster than the faster peer: " + "; ".join(
            f"{n} {q}: deepgm {d['median_seconds']['deepgm']:.4g} s vs {d['faster_peer']} "
            f"{d['faster_peer_seconds']:.4g} s" for n, q, d in slower))
    else:
        print("deepgm is faster than the faster peer on every network and query.")
    worst = max((r["queries"][q]["gate"]["max_marginal_diff"] for r in rows for q in QUERIES),
                default=0.0)
    worst_l = max((r["queries"][q]["gate"]["max_log_evidence_diff"] for r in rows
                   for q in QUERIES), default=0.0)
    print(f"Correctness gate passed: max |deepgm - pyAgrum| posterior {worst:.2g}, ln P(e) "
          f"{worst_l:.2g} (tolerance {GATE_TOL}).")


def write_report(report, out):
    with open(out, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deepgm", default=os.path.join(ROOT, "target", "release", "deepgm"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--networks", nargs="+", default=NETWORKS,
                    help="names in --data (or paths to .bif/.bif.gz files)")
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--pgmpy-budget", type=float, default=120.0,
                    help="seconds per pgmpy call (all posteriors of one query) before 'skipped'")
    ap.add_argument("--pgmpy-mem-gib", type=int, default=8,
                    help="address-space cap of the pgmpy child")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per deepgm process")
    ap.add_argument("--out", default=os.path.join(HERE, "results.json"))
    args = ap.parse_args()
    if args.reps < 1:
        sys.exit("--reps must be at least 1")

    import pgmpy
    import pyagrum as gum

    src = os.path.abspath(args.deepgm)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        binary, digest, mtime = private_copy(src, tmp)
        version = subprocess.run([binary, "--version"], capture_output=True, text=True,
                                 check=True).stdout.strip()
        cpu = "?"
        try:
            with open("/proc/cpuinfo") as f:
                cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
        except (OSError, StopIteration):
            pass
        mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        header = (f"{time.strftime('%Y-%m-%d')} on {platform.machine()} {cpu}, {os.cpu_count()} "
                  f"cores, {mem_gib:.0f} GiB (shared, noisy machine); {version} "
                  f"(sha256 {digest[:12]}) vs pyAgrum {gum.__version__} and pgmpy "
                  f"{pgmpy.__version__}; median of {args.reps}; load average "
                  f"{load_before[0]:.2f} before")
        log(header)
        report = {
            "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
            "header": header,
            "command": " ".join([os.path.relpath(sys.executable, ROOT)
                                 if sys.executable.startswith(ROOT) else sys.executable]
                                + [os.path.relpath(os.path.abspath(sys.argv[0]), ROOT)]
                                + sys.argv[1:]),
            "machine": {"platform": platform.platform(), "cpu": cpu, "cores": os.cpu_count(),
                        "memory_gib": round(mem_gib, 1),
                        "note": "shared 2-core development machine, other jobs running: "
                                "compare ratios measured in the same run only"},
            "load_average_before": load_before,
            "versions": {"deepgm": version, "deepgm_binary": src, "deepgm_sha256": digest,
                         "deepgm_mtime": time.strftime("%Y-%m-%d %H:%M:%S",
                                                       time.localtime(mtime)),
                         "pyagrum": gum.__version__, "pgmpy": pgmpy.__version__,
                         "numpy": np.__version__, "python": platform.python_version()},
            "reps": args.reps, "pgmpy_budget_s": args.pgmpy_budget,
            "pgmpy_mem_gib": args.pgmpy_mem_gib,
            "pyagrum_default_threads": gum.getNumberOfThreads(),
            "gate_tolerance": GATE_TOL,
            "peak_rss_method": ("GNU time %M of the deepgm process" if os.access(TIME, os.X_OK)
                                else "os.wait4 ru_maxrss (includes the forked Python's pages)"),
            "timing": "inference only; deepgm: its JSON 'seconds'; pyAgrum: LazyPropagation "
                      "construction + evidence + makeInference + every posterior; pgmpy: "
                      "VariableElimination construction + one query per variable",
            "networks": [],
        }
        t_start = time.time()
        for name in args.networks:
            try:
                report["networks"].append(bench_network(name, args, binary, tmp))
            except GateFailure as e:
                report["gate_failure"] = str(e)
                write_report(report, args.out)
                log(f"CORRECTNESS GATE FAILED: {e}")
                log(f"partial results: {args.out}")
                sys.exit(1)
            except Exception as e:  # noqa: BLE001
                traceback.print_exc()
                report.setdefault("errors", {})[name] = f"{type(e).__name__}: {e}"
                write_report(report, args.out)
                sys.exit(f"{name}: {type(e).__name__}: {e}")
            report["load_average_after"] = os.getloadavg()
            report["total_seconds"] = time.time() - t_start
            write_report(report, args.out)
    print_table(report)
    log(f"results: {args.out}")


if __name__ == "__main__":
    main()
