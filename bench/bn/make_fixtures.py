"""Writes the exact-inference reference fixtures of deepgm-bn, and times the peers doing the same.

For each of the 13 shared networks (../shared/data/bif/NAME.bif.gz) it writes
crates/deepgm-bn/tests/fixtures/NAME.json (NAME.json.gz when the text is over 100 KB) with

  - two posterior queries by pyAgrum's LazyPropagation (junction tree): no evidence (every
    variable's marginal, and ln of the total mass of the tables, 0 within 1e-6), and 5 observed
    variables (every other variable's marginal and ln P(e));
  - the MPE (most probable full assignment) for both evidence sets, with ln P(x) recomputed here
    as the sum of the logs of the table entries of the assignment. pyAgrum 3.3.1's
    LazyPropagation.mpe()/mpeLog2Posterior() stops with "FatalError: Empty tensor" on most of
    these networks, so the MPE is computed by refve.py (exact max-product variable elimination
    in numpy, log space); pyAgrum's MPE is compared where it answers.

Tables: the file's numbers in double precision, rows exactly as written (no renormalization).
pyAgrum 3.3.1's own BIF reader parses probabilities as float32 (it does not renormalize) and
rejects child.bif (state `Asy/Patch`), so the pyAgrum network is built from peers.parse_bif;
what pyAgrum's reader does with each file is recorded under "pyagrum_reader".

Evidence: numpy default_rng(0), one forward (ancestral) sample over the tables, then 5 variables
drawn by rng.choice without replacement from the variables in file order, at their sampled
states (so P(e) > 0). The 5-variable networks cancer and earthquake get 3 observed variables so
that two remain to query.

Cross-checks (a network fails on any mismatch; results under "cross_checks" in the fixture):
  - every posterior sums to 1, states in file order;
  - ln P(e) of both queries against refve's sum-product elimination, to 1e-9, and the
    posteriors against refve's (every variable, or as many as --check-budget seconds allow, in
    a seeded random order: about 60 of munin's 1041), to 1e-9;
  - the MPE's ln P(x) against pyAgrum's MPE where it answers, and against enumeration of every
    assignment where there are at most 2e6 of them, to 1e-9 (relative to |ln P(x)| when > 1);
  - pgmpy's VariableElimination, one query per variable: posteriors to 1e-9 on networks whose
    rows sum to 1 exactly; pgmpy prunes barren nodes per query, which changes the answer at the
    1e-8 level when rows sum to 1 only within 1e-7, so on those networks pgmpy as shipped must
    agree to 1e-6 and pgmpy with its pruning switched off to 1e-9; ln(P(e)/total mass) likewise;
  - pgmpy's map_query (it builds the joint of all free variables: only where that has at most
    1e6 entries).
pgmpy runs in a forked child with a 12 GiB address-space cap; anything past its time budget is
skipped and said so.

Timing (printed as a Markdown table at the end; --timings FILE also writes it as JSON):
inference only, pyAgrum LazyPropagation all posteriors (median of --reps runs, with 1 thread
and with pyAgrum's default of one per core: on a busy 2-core machine its 2 threads made munin 5
times slower) and pgmpy
VariableElimination one query per variable (one run, "skipped" once the projection passes
--pgmpy-budget seconds). See peers.py for what is inside the timed region.

Usage:
  bench/.venv/bin/python bench/bn/make_fixtures.py [--networks asia alarm ...] [--reps 3]
      [--pgmpy-budget 120] [--check-budget 60] [--no-pgmpy] [--data ../shared/data/bif]
      [--out DIR] [--timings FILE.json]

The committed fixtures were made with pyAgrum 3.3.1, pgmpy 1.1.2, numpy 2.4.6 and Python 3.11.7
(bench/requirements.txt) by the command above with no options (513 s on the busy 2-core
development machine).
"""
import argparse
import gzip
import json
import math
import multiprocessing as mp
import os
import platform
import resource
import signal
import statistics
import sys
import time
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import peers  # noqa: E402
import refve  # noqa: E402

NETWORKS = ["asia", "cancer", "earthquake", "survey", "sachs", "child", "insurance", "alarm",
            "water", "hailfinder", "mildew", "barley", "munin"]
DEFAULT_DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "bif"))
DEFAULT_OUT = os.path.join(ROOT, "crates", "deepgm-bn", "tests", "fixtures")
GZIP_OVER = 100_000
TOL = 1e-9


def log(*a):
    print(*a, flush=True)


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def in_file_order(raw, d):
    return {v: d[v] for v in raw.variables if v in d}


# ---------------------------------------------------------------------------------------------
# pgmpy, in a forked child with a wall-clock limit and a memory cap
# ---------------------------------------------------------------------------------------------


class _Alarm(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Alarm()


def _guarded(fn, seconds, mem_label):
    """Runs fn() under SIGALRM; returns (result, None) or (None, reason)."""
    signal.alarm(int(seconds))
    try:
        return fn(), None
    except peers.OverBudget as e:
        return None, str(e)
    except _Alarm:
        return None, f"over {int(seconds)} s"
    except MemoryError:
        return None, f"out of memory (cap {mem_label})"
    except Exception as e:  # noqa: BLE001 - reported, not fatal
        return None, f"{type(e).__name__}: {e}"
    finally:
        signal.alarm(0)


def _max_diff(marg, ref):
    return max((abs(marg[v][s] - p) for v, row in ref.items() for s, p in row.items()),
               default=0.0)


def _pgmpy_child(conn, path, raw, queries, mpes, opts, mem_bytes):
    try:
        resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
    except (ValueError, OSError):
        pass
    signal.signal(signal.SIGALRM, _on_alarm)
    mem = f"{mem_bytes >> 30} GiB"
    out = {"pruned": [], "unpruned": [], "evidence_ratio": None, "mpe": []}
    try:
        t0 = time.perf_counter()
        model = peers.pgmpy_load(path)
        out["load_seconds"] = time.perf_counter() - t0
        for prune, key, budget in ((True, "pruned", opts["budget"]),
                                   (False, "unpruned", opts["check_budget"])):
            if not prune and not opts["unpruned"]:
                continue
            for q in queries:
                ev = q["evidence"]
                targets = [v for v in raw.variables if v not in ev]
                res, why = _guarded(lambda: peers.pgmpy_query_budget(
                    model, ev, targets, budget_s=budget, prune=prune), 2 * budget + 30, mem)
                if res is None:
                    out[key].append({"skipped": why})
                else:
                    out[key].append({"seconds": res[1], "max_diff": _max_diff(res[0],
                                                                              q["marginals"])})
        ev = queries[1]["evidence"]
        if ev:
            res, why = _guarded(lambda: peers.pgmpy_evidence_ratio(model, ev),
                                opts["check_budget"], mem)
            out["evidence_ratio"] = ({"skipped": why} if res is None
                                     else {"log_ratio": math.log(res)})
        for m in mpes:
            free = [v for v in raw.variables if v not in m["evidence"]]
            size = math.prod(len(raw.states[v]) for v in free)
            if size > opts["map_query_max"]:
                out["mpe"].append({"skipped": f"map_query builds the joint of the {len(free)} "
                                              f"free variables (1e{math.log10(size):.1f} "
                                              f"entries)"})
                continue
            res, why = _guarded(lambda: peers.pgmpy_mpe(model, m["evidence"]),
                                opts["check_budget"], mem)
            out["mpe"].append({"skipped": why} if res is None
                              else {"log_prob": peers.log_joint(raw, res[0])})
    except Exception as e:  # noqa: BLE001
        out["error"] = f"{type(e).__name__}: {e}\n{traceback.format_exc()}"
    conn.send(out)
    conn.close()


def run_pgmpy(path, raw, queries, mpes, opts, mem_gib=12):
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_pgmpy_child, args=(child, path, raw, queries, mpes, opts,
                                                  mem_gib << 30))
    proc.start()
    child.close()
    limit = 300 + 2 * (2 * opts["budget"] + 30) + 6 * (opts["check_budget"] + 30)
    out = None
    if parent.poll(limit):
        try:
            out = parent.recv()
        except EOFError:
            out = None
    proc.join(5)
    if proc.is_alive():
        proc.kill()
        proc.join()
    if out is None:
        out = {"error": f"pgmpy child gave no result (exit code {proc.exitcode}, limit {limit} s)"}
    return out


# ---------------------------------------------------------------------------------------------


def close(a, b, tol=TOL):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def make_one(name, args):
    path = os.path.join(args.data, name + ".bif.gz")
    if not os.path.exists(path):
        path = os.path.join(args.data, name + ".bif")
    log(f"== {name} ({os.path.basename(path)})")
    raw = peers.parse_bif(path)
    row_dev = raw.max_row_deviation()
    reader = peers.pyagrum_float32_check(path, raw)
    bn = peers.pyagrum_load(path, raw=raw)
    evidence = peers.choose_evidence(raw)
    log(f"   {len(raw.variables)} variables, max |row sum - 1| in the file {row_dev:.3g}; "
        f"pyAgrum's reader: {reader}")
    log(f"   evidence: {evidence}")
    timing = {"network": name, "variables": len(raw.variables), "evidence": len(evidence),
              "max_row_sum_deviation": row_dev}
    xc = {}

    # posteriors and ln P(e) by pyAgrum's LazyPropagation; ln P(e) also by refve
    queries = []
    for label, ev in (("none", {}), ("e5", evidence)):
        targets = [v for v in raw.variables if v not in ev]
        marg, lpe, _ = peers.pyagrum_query(bn, ev, targets)
        for threads, key in ((1, "pyagrum"), (None, "pyagrum_mt")):
            times = [peers.pyagrum_query(bn, ev, targets, threads=threads)[2]
                     for _ in range(args.reps)]
            timing[f"{key}_{label}"] = statistics.median(times)
        for v, row in marg.items():
            check(abs(sum(row.values()) - 1.0) < 1e-9, f"{name}: posterior of {v} sums to "
                                                         f"{sum(row.values())}")
            check(list(row) == raw.states[v], f"{name}: state order of {v}")
        check(math.isfinite(lpe), f"{name}: ln P(e) = {lpe}")
        if not ev:
            check(abs(lpe) < 1e-6, f"{name}: ln P(no evidence) = {lpe}")
        ve_lpe, _ = refve.log_evidence(raw, ev)
        xc[f"log_evidence_vs_refve_{label}"] = abs(ve_lpe - lpe)
        check(abs(ve_lpe - lpe) <= TOL, f"{name}: ln P(e) {lpe!r} vs refve {ve_lpe!r}")
        queries.append({"evidence": ev, "log_evidence": lpe,
                        "marginals": in_file_order(raw, marg)})
        log(f"   query {label}: ln P(e) = {lpe!r} (|refve - pyAgrum| {abs(ve_lpe - lpe):.1e}), "
            f"pyAgrum {timing[f'pyagrum_{label}']:.4f} s (1 thread), "
            f"{timing[f'pyagrum_mt_{label}']:.4f} s ({gum_threads()} threads)")
        # every posterior again by refve (sum-product, no pruning), in a seeded random order,
        # until --check-budget seconds have passed
        rng = np.random.default_rng(1)
        t0, done, worst = time.perf_counter(), 0, 0.0
        for i in rng.permutation(len(targets)):
            v = targets[i]
            p = refve.marginal(raw, ev, v)
            worst = max(worst, max(abs(a - b) for a, b in zip(p, marg[v].values())))
            done += 1
            if time.perf_counter() - t0 > args.check_budget:
                break
        xc[f"marginals_vs_refve_{label}"] = {"checked": done, "of": len(targets),
                                             "max_abs_diff": worst}
        log(f"   refve posteriors: {done} of {len(targets)} checked, max |diff| {worst:.1e}")
        check(worst <= TOL, f"{name}: refve posterior differs by {worst}")

    # MPE by refve, checked against pyAgrum's (where it answers), brute force on tiny networks
    mpes = []
    for label, q in zip(("none", "e5"), queries):
        ev = q["evidence"]
        t0 = time.perf_counter()
        a, ve_lp, stats = refve.mpe(raw, ev)
        timing[f"refve_mpe_{label}"] = time.perf_counter() - t0
        lp = peers.log_joint(raw, a)
        check(close(lp, ve_lp), f"{name}: MPE ln P(x) {lp!r} vs elimination {ve_lp!r}")
        check(all(a[v] == s for v, s in ev.items()), f"{name}: MPE contradicts the evidence")
        msg = f"   MPE ({len(ev)} observed): ln P(x) = {lp!r} ({stats['order']}, largest table " \
              f"{stats['max_table']}, {timing[f'refve_mpe_{label}']:.2f} s)"
        try:
            pa, log2post, _ = peers.pyagrum_mpe(bn, ev)
            plp = peers.log_joint(raw, pa)
            xc[f"mpe_vs_pyagrum_{label}"] = abs(plp - lp)
            check(close(plp, lp), f"{name}: pyAgrum's MPE has ln P(x) {plp!r}, refve {lp!r}")
            # pyAgrum's "posterior" is P(x, e) / P(e) up to the total mass (1 within 1e-6)
            check(close(log2post * math.log(2) + q["log_evidence"], plp, 1e-6),
                  f"{name}: pyAgrum's MPE log2 posterior does not match its assignment")
            msg += f"; pyAgrum's MPE |diff| {abs(plp - lp):.1e}"
        except Exception as e:  # noqa: BLE001 - pyAgrum 3.3.1's MPE bug
            if isinstance(e, AssertionError):
                raise
            xc[f"mpe_vs_pyagrum_{label}"] = f"pyAgrum failed: {type(e).__name__}: " \
                                           + " ".join(str(e).split())
            msg += f"; pyAgrum's MPE failed ({' '.join(str(e).split())})"
        free = math.prod(len(raw.states[v]) for v in raw.variables if v not in ev)
        if free <= 2_000_000:
            b_lpe, _, b_lp = refve.brute_force(raw, ev)
            xc[f"mpe_vs_enumeration_{label}"] = abs(b_lp - lp)
            xc[f"log_evidence_vs_enumeration_{label}"] = abs(b_lpe - q["log_evidence"])
            check(close(b_lp, lp), f"{name}: enumeration MPE {b_lp!r} vs {lp!r}")
            check(abs(b_lpe - q["log_evidence"]) <= TOL, f"{name}: enumeration ln P(e) {b_lpe!r}")
            msg += f"; enumeration |diff| {abs(b_lp - lp):.1e}"
        log(msg)
        mpes.append({"evidence": ev, "assignment": a, "log_prob": lp})

    # pgmpy: timing (pruned, as a user runs it) and cross-checks
    pg = None
    if not args.no_pgmpy:
        exact_rows = row_dev <= 1e-12
        opts = {"budget": args.pgmpy_budget, "check_budget": args.check_budget,
                "unpruned": not exact_rows, "map_query_max": 1_000_000}
        pg = run_pgmpy(path, raw, queries, mpes, opts)
        if "error" in pg:
            log(f"   pgmpy: ERROR {pg['error']}")
        for label, res in zip(("none", "e5"), pg.get("pruned", [])):
            if "skipped" in res:
                timing[f"pgmpy_{label}"] = "skipped"
                xc[f"pgmpy_pruned_{label}"] = "skipped: " + res["skipped"]
                log(f"   pgmpy {label}: skipped ({res['skipped']})")
                continue
            timing[f"pgmpy_{label}"] = res["seconds"]
            timing[f"maxdiff_{label}"] = xc[f"pgmpy_pruned_{label}"] = res["max_diff"]
            log(f"   pgmpy {label}: {res['seconds']:.3f} s, max |pgmpy - pyAgrum| = "
                f"{res['max_diff']:.3g}")
            tol = TOL if exact_rows else 1e-6
            check(res["max_diff"] <= tol, f"{name}: pgmpy and pyAgrum differ by "
                                          f"{res['max_diff']}")
        for label, res in zip(("none", "e5"), pg.get("unpruned", [])):
            if "skipped" in res:
                timing[f"unpruned_{label}"] = "skipped"
                xc[f"pgmpy_unpruned_{label}"] = "skipped: " + res["skipped"]
                log(f"   pgmpy without pruning {label}: skipped ({res['skipped']})")
                continue
            timing[f"unpruned_{label}"] = xc[f"pgmpy_unpruned_{label}"] = res["max_diff"]
            log(f"   pgmpy without pruning {label}: max |pgmpy - pyAgrum| = "
                f"{res['max_diff']:.3g} ({res['seconds']:.2f} s)")
            check(res["max_diff"] <= TOL, f"{name}: unpruned pgmpy differs by {res['max_diff']}")
        er = pg.get("evidence_ratio")
        if er and "log_ratio" in er:
            d = abs(er["log_ratio"] - (queries[1]["log_evidence"] - queries[0]["log_evidence"]))
            xc["pgmpy_log_evidence_ratio"] = d
            log(f"   pgmpy ln(P(e) / total mass): |diff| = {d:.3g}")
            check(d <= (TOL if exact_rows else 1e-6), f"{name}: ln P(e) differs by {d}")
        elif er:
            xc["pgmpy_log_evidence_ratio"] = "skipped: " + er["skipped"]
            log(f"   pgmpy ln P(e): skipped ({er['skipped']})")
        for label, m, res in zip(("none", "e5"), mpes, pg.get("mpe", [])):
            if "log_prob" in res:
                d = abs(res["log_prob"] - m["log_prob"])
                xc[f"mpe_vs_pgmpy_{label}"] = d
                log(f"   pgmpy MPE ({len(m['evidence'])} observed): |diff ln P(x)| = {d:.3g}")
                check(close(res["log_prob"], m["log_prob"]), f"{name}: MPE differs by {d}")
            else:
                xc[f"mpe_vs_pgmpy_{label}"] = "skipped: " + res["skipped"]
                log(f"   pgmpy MPE: skipped ({res['skipped']})")

    fixture = {
        "network": name,
        "source": os.path.basename(path),
        "tool": f"pyAgrum {peers_version('pyagrum')} LazyPropagation",
        "mpe_method": "exact max-product variable elimination in numpy (bench/bn/refve.py); "
                      "pyAgrum 3.3.1's LazyPropagation MPE fails on most networks",
        "renormalized_rows": False,
        "tables": "the file's numbers parsed in double precision, rows exactly as written",
        "max_row_sum_deviation": row_dev,
        "pyagrum_reader": reader,
        "evidence_rule": "numpy default_rng(0): one forward sample (topological order, file-order "
                         "ties), then rng.choice of min(5, n-2) variables without replacement "
                         "from the file order, at their sampled states",
        "queries": queries,
        "mpe": mpes,
        "cross_checks": {"tolerance": TOL, **xc},
    }
    write_fixture(args.out, name, fixture)
    return timing


def gum_threads():
    import pyagrum as gum

    return gum.getNumberOfThreads()


def peers_version(mod):
    return __import__(mod).__version__


def write_fixture(out, name, fixture):
    os.makedirs(out, exist_ok=True)
    text = json.dumps(fixture, indent=1) + "\n"
    plain, packed = os.path.join(out, name + ".json"), os.path.join(out, name + ".json.gz")
    for stale in (plain, packed):
        if os.path.exists(stale):
            os.remove(stale)
    if len(text) > GZIP_OVER:
        with open(packed, "wb") as f:  # mtime 0: the same input gives the same bytes
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as g:
                g.write(text.encode())
        log(f"   wrote {os.path.relpath(packed, ROOT)} ({os.path.getsize(packed)} bytes, "
            f"{len(text)} uncompressed)")
    else:
        with open(plain, "w") as f:
            f.write(text)
        log(f"   wrote {os.path.relpath(plain, ROOT)} ({len(text)} bytes)")


def fmt(x, digits=4):
    if isinstance(x, str):
        return x
    if x is None:
        return "-"
    return f"{x:.{digits}f}"


def fmt_diff(x):
    if x is None:
        return "-"
    return x if isinstance(x, str) else f"{x:.1e}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--networks", nargs="*", default=NETWORKS)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--pgmpy-budget", type=float, default=120.0,
                    help="seconds for pgmpy's one-query-per-variable run (projected)")
    ap.add_argument("--check-budget", type=float, default=60.0,
                    help="seconds for each pgmpy MPE / ln P(e) cross-check")
    ap.add_argument("--no-pgmpy", action="store_true")
    ap.add_argument("--timings", default=None, help="also write the timing rows as JSON here")
    args = ap.parse_args()
    import pyagrum as gum

    log(f"pyAgrum {gum.__version__} (threads {gum.getNumberOfThreads()}), pgmpy "
        f"{peers_version('pgmpy')}, numpy {np.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()} {os.cpu_count()} cores")
    rows, failures = [], []
    t_start = time.time()
    for name in args.networks:
        try:
            rows.append(make_one(name, args))
        except Exception as e:  # noqa: BLE001 - report and go on with the next network
            failures.append(name)
            log(f"   FAILED: {type(e).__name__}: {e}")
            traceback.print_exc()
    log(f"\ntotal {time.time() - t_start:.0f} s\n")
    log("Inference only, seconds. pyAgrum LazyPropagation: all posteriors, median of %d runs, "
        "with 1 thread and with pyAgrum's default (%d threads). pgmpy VariableElimination: one "
        "query per variable, one run. max diff: largest |pgmpy - pyAgrum| over all posteriors, "
        "pgmpy as shipped (pruned) / without its pruning ('-' where every row sums to 1 "
        "exactly, so pruning changes nothing). MPE: refve.py, seconds.\n"
        % (args.reps, gum_threads()))
    log("| network | vars | ev | pyAgrum 1t none | pyAgrum 1t 5 ev | pyAgrum %dt none "
        "| pyAgrum %dt 5 ev | pgmpy none | pgmpy 5 ev | max diff none | max diff 5 ev "
        "| MPE none / 5 ev |" % (gum_threads(), gum_threads()))
    log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        d = [f"{fmt_diff(r.get('maxdiff_' + k))} / {fmt_diff(r.get('unpruned_' + k))}"
             for k in ("none", "e5")]
        log(f"| {r['network']} | {r['variables']} | {r['evidence']} | {fmt(r['pyagrum_none'])} | "
            f"{fmt(r['pyagrum_e5'])} | {fmt(r['pyagrum_mt_none'])} | {fmt(r['pyagrum_mt_e5'])} | "
            f"{fmt(r.get('pgmpy_none'), 3)} | {fmt(r.get('pgmpy_e5'), 3)} | {d[0]} | {d[1]} | "
            f"{fmt(r['refve_mpe_none'], 3)} / {fmt(r['refve_mpe_e5'], 3)} |")
    if args.timings:
        with open(args.timings, "w") as f:
            json.dump({"date": time.strftime("%Y-%m-%d"), "machine": platform.platform(),
                       "cores": os.cpu_count(), "rows": rows}, f, indent=1)
        log(f"\ntimings written to {os.path.relpath(args.timings, ROOT)}")
    if failures:
        log(f"FAILED: {failures}")
        sys.exit(1)


if __name__ == "__main__":
    main()
