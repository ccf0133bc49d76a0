"""Is `auto` right? Times exact queries with `--method auto|jt|ve` on every shared network and UAI
instance, with and without evidence, and reports how far `auto` is from the faster forced method.

Queries (all posterior marginals of the unobserved variables):
  bif/NAME none   no evidence;
  bif/NAME 5 ev   the 5 observed variables of the test fixture
                  (crates/deepgm-bn/tests/fixtures/NAME.json[.gz], "queries"[1]["evidence"]);
  uai/NAME none   no evidence;
  uai/NAME evid   the instance's .evid file.
Each method first runs once through `deepgm bn query --json` with a time limit, --timeout, or for
elimination 3 times the junction tree's time if that is more than 2 s (a method over its limit or
over the memory budget is "-"; auto must then still answer if either forced method did).
The methods that answered, except a forced one over 3 times the other's time (its one run is
reported), are then timed in one process by the `bn_timing` example (the binary's
allocator, memory warm, methods interleaved, the order rotating): medians of --reps repetitions,
fewer where a case would take over --budget seconds (at least 5), 1,000 where the methods'
one runs took under 10 ms together. The table reports those medians
and auto / min(jt, ve).

Usage: python3 bench/bn/planner.py [--reps 7] [--bin target/release/deepgm]
       [--timing target/release/examples/bn_timing] [--only NAME,...] [--timeout 60]
       [--budget 40] [--skip-uai] [--skip-bif] [--out bench/bn/planner-results.json]
Needs `cargo build --release -p deepgm` and `cargo build --release -p deepgm-bn --example bn_timing`.
Writes the JSON and prints a markdown table, worst ratios first.
"""

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("DEEPGM_SHARED_DATA", os.path.join(os.path.dirname(ROOT), "shared", "data"))
METHODS = ["auto", "jt", "ve"]


def fixture_evidence(name):
    base = os.path.join(ROOT, "crates", "deepgm-bn", "tests", "fixtures", name + ".json")
    for path, opener in [(base, open), (base + ".gz", gzip.open)]:
        if os.path.exists(path):
            with opener(path, "rt") as f:
                queries = json.load(f)["queries"]
            return queries[1]["evidence"] if len(queries) > 1 else None
    return None


def cases(args):
    out = []
    bif_dir = os.path.join(SHARED, "bif")
    for file in sorted(os.listdir(bif_dir)) if os.path.isdir(bif_dir) and not args.skip_bif else []:
        name = file.split(".")[0]
        path = os.path.join(bif_dir, file)
        out.append((f"bif/{name}", "none", path, []))
        ev = fixture_evidence(name)
        if ev:
            text = ",".join(f"{k}={v}" for k, v in ev.items())
            out.append((f"bif/{name}", f"{len(ev)} ev", path, ["--evidence", text]))
    uai_dir = os.path.join(SHARED, "uai")
    if not args.skip_uai and os.path.isdir(uai_dir):
        for file in sorted(os.listdir(uai_dir)):
            if not file.endswith(".uai"):
                continue
            path = os.path.join(uai_dir, file)
            name = file[: -len(".uai")]
            out.append((f"uai/{name}", "none", path, []))
            evid = path + ".evid"
            if os.path.exists(evid):
                out.append((f"uai/{name}", "evid", path, ["--evidence-file", evid]))
    if args.only:
        wanted = set(args.only.split(","))
        out = [c for c in out if c[0].split("/")[1] in wanted]
    return out


def run_once(binary, path, extra, method, timeout):
    cmd = [binary, "bn", "query", path, *extra, "--method", method, "--json", "--quiet"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout} s"}
    if p.returncode != 0:
        return {"error": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}"}
    report = json.loads(p.stdout)
    return {
        "seconds": report["seconds"],
        "method": report.get("method"),
        "detail": report.get("detail"),
        "log_evidence": report.get("log_evidence"),
    }


def timed(timing, path, extra, methods, reps):
    """Medians (seconds) of `reps` interleaved in-process runs of each method, and auto's choice."""
    cmd = [timing, path, *extra, "--reps", str(reps), "--methods", ",".join(methods), "--json"]
    p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    out = json.loads(p.stdout)
    return {m: v / 1e3 for m, v in out["median_ms"].items()}, out["auto_chose"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "deepgm"))
    ap.add_argument("--timing", default=os.path.join(ROOT, "target", "release", "examples", "bn_timing"))
    ap.add_argument("--only")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--budget", type=float, default=40.0)
    ap.add_argument("--skip-uai", action="store_true")
    ap.add_argument("--skip-bif", action="store_true")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "bn", "planner-results.json"))
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    binary = os.path.join(tmp, "deepgm")
    shutil.copy2(args.bin, binary)
    timing = os.path.join(tmp, "bn_timing")
    shutil.copy2(args.timing, timing)
    rows = []
    started = time.time()
    for net, query, path, extra in cases(args):
        errors, log_z, detail, probe = {}, {}, {}, {}
        for m in ["jt", "ve", "auto"]:
            limit = args.timeout
            # A forced method over 3 times the other's time is not the faster one: stop it there.
            other = [probe[f] for f in ("jt", "ve") if f in probe and f != m and m != "auto"]
            if other:
                limit = min(limit, max(2.0, 3 * other[0]))
            r = run_once(binary, path, extra, m, limit)
            if "error" in r:
                errors[m] = r["error"]
                continue
            probe[m] = r["seconds"]
            log_z[m] = r["log_evidence"]
            detail[m] = r["detail"]
        answered = [m for m in METHODS if m in probe]
        med = {m: None for m in METHODS}
        chosen = None
        # A forced method far slower than the other is not repeated: its one run says enough.
        fastest = min([probe[m] for m in ("jt", "ve") if m in probe], default=None)
        # (Timed in the same process it would also slow the method that runs after it.)
        once = [m for m in ("jt", "ve") if m in probe and probe[m] > 3 * fastest]
        for m in once:
            med[m] = probe[m]
        answered = [m for m in answered if m not in once]
        if answered:
            budget = sum(probe[m] for m in answered)
            reps = max(5, min(args.reps, int(args.budget / max(budget, 1e-9))))
            if budget < 0.01:  # sub-millisecond queries: enough repetitions to see microseconds
                reps = max(reps, 1000)
            timings, chosen = timed(timing, path, extra, answered, reps)
            med.update(timings)
            if "auto" not in answered:
                chosen = None
        forced = [med[m] for m in ("jt", "ve") if med[m] is not None]
        best = min(forced) if forced else None
        ratio = med["auto"] / best if med["auto"] is not None and best else None
        rows.append({
            "network": net, "query": query, "median_seconds": med, "auto_chose": chosen,
            "auto_over_best": ratio, "errors": errors, "log_evidence": log_z, "detail": detail,
            "timed_once": once,
        })
        print(f"{net:28s} {query:6s} " + " ".join(
            f"{m}={med[m]:.4f}" if med[m] is not None else f"{m}=-" for m in METHODS)
            + f" chose={chosen} ratio={ratio if ratio is None else round(ratio, 3)}"
            + (f" errors={errors}" if errors else ""), file=sys.stderr, flush=True)
    with open(args.out, "w") as f:
        json.dump({"reps": args.reps, "budget": args.budget, "timeout": args.timeout, "seconds": time.time() - started, "rows": rows}, f, indent=1)
    print("| network | query | auto (s) | jt (s) | ve (s) | auto chose | auto / best |")
    print("|---|---|---|---|---|---|---|")
    key = lambda r: -(r["auto_over_best"] or 0)
    for r in sorted(rows, key=key):
        med = r["median_seconds"]
        cell = lambda m: f"{med[m]:.4f}" if med[m] is not None else "-"
        ratio = f"{r['auto_over_best']:.2f}" if r["auto_over_best"] else "-"
        print(f"| {r['network']} | {r['query']} | {cell('auto')} | {cell('jt')} | {cell('ve')} "
              f"| {r['auto_chose']} | {ratio} |")


if __name__ == "__main__":
    main()
