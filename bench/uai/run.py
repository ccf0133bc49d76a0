#!/usr/bin/env python3
"""deepgm on the UAI 2014 inference competition's instances (MAR, PR and MAP tasks), against the
references and, when importable, pyAgrum and pgmpy.

For each NAME.uai of the data directory (default <repo>/../shared/data/uai, 52 instances with
NAME.uai.evid, .MAR, .PR, .MAP; see its README):

deepgm (the release binary, one process per task, default memory budget = half the available
memory, --timeout seconds each):
  - `deepgm bn query NAME.uai --evidence-file NAME.uai.evid --json`: every marginal and ln Z(e);
    reported: solved or why not (over the memory budget, timed out, error), the command's own
    inference seconds and the process's wall seconds, peak RSS (GNU time's %M), the largest
    absolute difference of a marginal from .MAR (unobserved variables), log10 Z(e) minus .PR;
  - `deepgm bn mpe ...`: the MAP assignment; reported: its log value (recomputed here from the
    tables, independently of deepgm), the reference assignment's log value, and whether ours
    reaches it (ours >= reference - 1e-9).

pyAgrum (if importable; in a spawned child with --peer-timeout seconds and a --peer-memory
address-space cap): ShaferShenoyMRFInference, every posterior. Two ways of loading:
  - `loadMRF`: pyAgrum's own UAI reader (3.3.1 places the values of a table with the FIRST
    variable of the scope varying fastest, the reverse of the format: marginals far from the
    references wherever a table is not symmetric; reported, not timed);
  - `built`: the MarkovRandomField built here from the file's tables in the format's order (each
    factor added over its scope reversed, which is pyAgrum's first-fastest fill order; factors
    over the same set of variables multiplied together, constants left out). Timed.
  pyAgrum's evidenceProbability is Z(e)/Z and it does not give Z, so no PR comparison.

pgmpy (if importable; same child limits, its own --pgmpy-timeout): UAIReader then
VariableElimination, one query per unobserved variable until the time limit (the count done is
reported). pgmpy 1.1.2 returns a Markov network's query with evidence unnormalized (its sum is
Z(e)): the script normalizes it, and reports log10 of the sum as its PR. Its UAIReader (pyparsing)
rejects numbers written with an exponent (Grids) and takes ~35 s on a 20 KB file; its map_query
with every variable as query builds the joint of all of them, so MAP is not attempted.

Writes bench/uai/results.json and prints a markdown table. Usage:
  python3 bench/uai/run.py [--only Grids_12,Promedus_24] [--no-peers | --peers pyagrum]
                           [--timeout 300] [--peer-timeout 60] [--pgmpy-timeout 120]
A full run takes about 5 minutes for deepgm on a 2-core machine, 10 more for pyAgrum, and up to
52 x --pgmpy-timeout for pgmpy (its reader alone takes most of it).
It uses /tmp/peers/bin/python for the peers when this Python cannot import them.
"""
import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PEERS_PYTHON = "/tmp/peers/bin/python"
TIME = "/usr/bin/time"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The format and the references, read here (independently of deepgm)
# ---------------------------------------------------------------------------------------------


def read_uai(path):
    """(kind, cards, scopes, tables): tables as flat lists in the file's order (last variable of
    the scope fastest)."""
    t = open(path).read().split()
    kind = t[0].upper()
    n = int(t[1])
    cards = [int(x) for x in t[2:2 + n]]
    n_factors = int(t[2 + n])
    i = 3 + n
    scopes = []
    for _ in range(n_factors):
        k = int(t[i])
        scopes.append([int(x) for x in t[i + 1:i + 1 + k]])
        i += 1 + k
    tables = []
    for _ in scopes:
        c = int(t[i])
        tables.append([float(x) for x in t[i + 1:i + 1 + c]])
        i += 1 + c
    return kind, cards, scopes, tables


def read_evidence(path):
    """{variable: state} from a .evid file (with or without the leading sample count)."""
    t = [int(x) for x in open(path).read().split()]
    if not t:
        return {}
    if len(t) % 2 == 0:  # 1 count pairs...
        t = t[1:]
    k = t[0]
    return {t[1 + 2 * j]: t[2 + 2 * j] for j in range(k)}


def read_mar(path):
    t = open(path).read().split()[1:]
    n = int(t[0])
    i = 1
    out = []
    for _ in range(n):
        c = int(t[i])
        out.append([float(x) for x in t[i + 1:i + 1 + c]])
        i += 1 + c
    return out


def read_pr(path):
    """(log10 Z(e), the half-unit of its last printed digit)."""
    word = open(path).read().split()[1]
    decimals = len(word.split(".")[1]) if "." in word else 0
    return float(word), 0.5 * 10 ** (-decimals)


def read_map(path):
    t = open(path).read().split()[1:]
    return [int(x) for x in t[1:1 + int(t[0])]]


def log_value(cards, scopes, tables, x):
    """ln of the product of the factors at the full assignment x (-inf when one is 0)."""
    total = 0.0
    for scope, table in zip(scopes, tables):
        index = 0
        for v in scope:
            index = index * cards[v] + x[v]
        value = table[index]
        if value <= 0.0:
            return -math.inf
        total += math.log(value)
    return total


# ---------------------------------------------------------------------------------------------
# deepgm: one process per task, peak RSS from GNU time
# ---------------------------------------------------------------------------------------------


def run_process(cmd, timeout_s):
    """(exit code or None when killed at the time limit, stdout, stderr, wall s, peak RSS bytes)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".time") as tfile:
        use_time = os.access(TIME, os.X_OK)
        full = [TIME, "-o", tfile.name, "-f", "%M", *cmd] if use_time else cmd
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, stdout=out, stderr=err)
        killed = []
        timer = threading.Timer(timeout_s, lambda: (killed.append(1), proc.kill()))
        timer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        rc = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        rss = ru.ru_maxrss * 1024
        if use_time:
            lines = [l for l in tfile.read().split("\n") if l.strip()]
            rss = int(lines[-1]) * 1024 if lines and lines[-1].strip().isdigit() else None
        return (None if killed else rc), out.read().decode(), err.read().decode(), wall, rss


def why_not(rc, err):
    if rc is None:
        return "timed out"
    text = err.strip().splitlines()[-1] if err.strip() else f"exit {rc}"
    if "over the budget" in err:
        return "over the memory budget: " + text
    return f"error (exit {rc}): {text}"


def deepgm_task(binary, command, path, evid, timeout_s):
    cmd = [binary, "bn", command, path, "--evidence-file", evid, "--json", "--quiet"]
    rc, out, err, wall, rss = run_process(cmd, timeout_s)
    result = {"process_seconds": round(wall, 4), "peak_rss_bytes": rss}
    if rc != 0:
        result.update(solved=False, why=why_not(rc, err))
        return result, None
    report = json.loads(out)
    result.update(solved=True, seconds=report["seconds"], parse_seconds=report["parse_seconds"])
    return result, report


def deepgm_instance(binary, data, name, timeout_s, model, refs):
    cards, scopes, tables = model
    path = os.path.join(data, name + ".uai")
    evid = path + ".evid"
    mar, (pr, pr_half_unit), map_ref = refs
    evidence = read_evidence(evid)
    query, report = deepgm_task(binary, "query", path, evid, timeout_s)
    if report is not None:
        worst = 0.0
        for v in range(len(cards)):
            if v in evidence:
                continue
            probs = report["marginals"][str(v)]
            for s in range(cards[v]):
                worst = max(worst, abs(probs[str(s)] - mar[v][s]))
        log10_z = report["log_evidence"] / math.log(10)
        query.update(
            method=report["method"],
            max_abs_marginal_diff=worst,
            log10_z=log10_z,
            log10_z_diff=log10_z - pr,
            pr_printed_half_unit=pr_half_unit,
            planned_peak_bytes=report["detail"].get("peak_bytes"),
            table_entries=report["detail"].get("table_entries"),
            induced_width=report["detail"].get("induced_width"),
        )
    mpe, found = deepgm_task(binary, "mpe", path, evid, timeout_s)
    reference_value = log_value(cards, scopes, tables, map_ref)
    mpe["reference_log_value"] = reference_value
    if found is not None:
        x = [int(found["assignment"][str(v)]) for v in range(len(cards))]
        ours = log_value(cards, scopes, tables, x)
        mpe.update(
            log_value=ours,
            reported_log_value=found["log_value"],
            gap_to_reference=ours - reference_value,
            reaches_reference=ours >= reference_value - 1e-9,
            keeps_evidence=all(x[v] == s for v, s in evidence.items()),
        )
    return {"mar_pr": query, "map": mpe}


# ---------------------------------------------------------------------------------------------
# Peers, each in a spawned child with a time limit and an address-space cap
# ---------------------------------------------------------------------------------------------


def pyagrum_child(path, mode, queue):
    try:
        import numpy as np
        import pyagrum as gum
        kind, cards, scopes, tables = read_uai(path)
        evidence = read_evidence(path + ".evid")
        if mode == "loadMRF":
            mrf = gum.loadMRF(path)
        else:
            mrf = gum.MarkovRandomField()
            for v, c in enumerate(cards):
                mrf.add(gum.LabelizedVariable(str(v), str(v), [str(s) for s in range(c)]))
            merged, order = {}, []
            for scope, table in zip(scopes, tables):
                if not scope:
                    continue  # a constant: changes Z only
                arr = np.array(table).reshape([cards[v] for v in scope])
                key = frozenset(scope)
                if key in merged:
                    canon, a = merged[key]
                    merged[key] = (canon, a * np.transpose(arr, [scope.index(v) for v in canon]))
                else:
                    merged[key] = (list(scope), arr)
                    order.append(key)
            for key in order:
                canon, a = merged[key]
                f = mrf.addFactor([str(v) for v in reversed(canon)])
                f.fillWith(a.flatten().tolist())
        t0 = time.perf_counter()
        ie = gum.ShaferShenoyMRFInference(mrf)
        if evidence:
            ie.setEvidence({str(v): s for v, s in evidence.items()})
        ie.makeInference()
        marginals = {v: list(ie.posterior(str(v)).toarray()) for v in range(len(cards))
                     if v not in evidence}
        seconds = time.perf_counter() - t0
        queue.put({"ok": True, "seconds": seconds, "marginals": marginals,
                   "evidence_ratio": ie.evidenceProbability() if evidence else None,
                   "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024})
    except MemoryError:
        queue.put({"ok": False, "why": "out of memory (the child's cap)"})
    except Exception as e:  # noqa: BLE001 - report whatever the peer raised
        queue.put({"ok": False, "why": f"{type(e).__name__}: {str(e)[:200]}"})


def pgmpy_child(path, budget_s, queue):
    try:
        import warnings
        warnings.filterwarnings("ignore")
        from pgmpy.inference import VariableElimination
        from pgmpy.readwrite import UAIReader
        cards = read_uai(path)[1]
        evidence = read_evidence(path + ".evid")
        t0 = time.perf_counter()
        model = UAIReader(path).get_model()
        read_seconds = time.perf_counter() - t0
        ve = VariableElimination(model)
        ev = {f"var_{v}": s for v, s in evidence.items()}
        t0 = time.perf_counter()
        marginals, sums = {}, []
        targets = [v for v in range(len(cards)) if v not in evidence]
        for v in targets:
            q = ve.query([f"var_{v}"], evidence=ev, show_progress=False)
            values = [float(x) for x in q.values]
            total = sum(values)
            sums.append(total)
            marginals[v] = [x / total for x in values] if total > 0 else values
            if time.perf_counter() - t0 > budget_s:
                break
        seconds = time.perf_counter() - t0
        queue.put({"ok": True, "seconds": seconds, "read_seconds": read_seconds,
                   "marginals": marginals, "done": len(marginals), "of": len(targets),
                   "sum": sums[0] if sums else None,
                   "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024})
    except MemoryError:
        queue.put({"ok": False, "why": "out of memory (the child's cap)"})
    except Exception as e:  # noqa: BLE001
        queue.put({"ok": False, "why": f"{type(e).__name__}: {str(e)[:200]}"})


def limited(memory_bytes, target, *args):
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    target(*args)


def in_child(target, args, timeout_s, memory_bytes):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=limited, args=(memory_bytes, target, *args, queue))
    t0 = time.perf_counter()
    proc.start()
    result = None
    try:
        result = queue.get(timeout=timeout_s)
    except Exception:  # noqa: BLE001 - queue.Empty, or the child died
        pass
    proc.join(timeout=5)
    if proc.is_alive():
        proc.kill()
        proc.join()
    wall = time.perf_counter() - t0
    if result is None:
        why = "timed out" if wall >= timeout_s else f"the child died (exit {proc.exitcode})"
        return {"solved": False, "why": why, "wall_seconds": round(wall, 3)}
    result["wall_seconds"] = round(wall, 3)
    result["solved"] = result.pop("ok")
    return result


def compare_marginals(result, mar):
    marginals = result.pop("marginals", None)
    if marginals:
        result["max_abs_marginal_diff"] = max(
            abs(p - q) for v, probs in marginals.items() for p, q in zip(probs, mar[int(v)]))
    return result


def peers_available(python):
    code = "import importlib.util as u; print(bool(u.find_spec('pyagrum')), bool(u.find_spec('pgmpy')))"
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60)
        a, b = out.stdout.split()
        return a == "True", b == "True"
    except Exception:  # noqa: BLE001
        return False, False


# ---------------------------------------------------------------------------------------------


def fmt(x, spec):
    return "-" if x is None else format(x, spec)


def mib(b):
    return None if b is None else b / 2 ** 20


def table(rows):
    lines = [
        "| instance | vars | deepgm MAR+PR | s | peak MiB | max marginal diff | log10 Z diff "
        "| MAP | s | pyAgrum (built) s | its diff | loadMRF diff | pgmpy done | s | its diff |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        q, m = r["deepgm"]["mar_pr"], r["deepgm"]["map"]
        pa, pl, pg = r.get("pyagrum_built", {}), r.get("pyagrum_loadMRF", {}), r.get("pgmpy", {})
        map_cell = ("reached" if m.get("reaches_reference") else
                    f"short by {-m['gap_to_reference']:.3g}") if m["solved"] else m["why"][:40]
        if m.get("reaches_reference") and m["gap_to_reference"] > 1e-9:
            map_cell = f"better by {m['gap_to_reference']:.4g}"
        lines.append("| " + " | ".join([
            r["name"], str(r["n_variables"]),
            "solved" if q["solved"] else q["why"][:40],
            fmt(q.get("seconds"), ".3f"), fmt(mib(q.get("peak_rss_bytes")), ".0f"),
            fmt(q.get("max_abs_marginal_diff"), ".1e"), fmt(q.get("log10_z_diff"), ".1e"),
            map_cell, fmt(m.get("seconds"), ".3f"),
            fmt(pa.get("seconds"), ".3f") if pa.get("solved") else pa.get("why", "-")[:30],
            fmt(pa.get("max_abs_marginal_diff"), ".1e"),
            fmt(pl.get("max_abs_marginal_diff"), ".1e") if pl.get("solved") else pl.get("why", "-")[:30],
            f"{pg['done']}/{pg['of']}" if pg.get("solved") else pg.get("why", "-")[:30],
            fmt(pg.get("seconds"), ".2f"), fmt(pg.get("max_abs_marginal_diff"), ".1e"),
        ]) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/deepgm"))
    ap.add_argument("--data", default=os.path.join(os.path.dirname(ROOT), "shared/data/uai"))
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per deepgm process")
    ap.add_argument("--peer-timeout", type=float, default=60.0, help="seconds per pyAgrum child")
    ap.add_argument("--pgmpy-timeout", type=float, default=120.0,
                    help="seconds per pgmpy child (reading included); its queries stop at half")
    ap.add_argument("--peer-memory", type=float, default=8.0, help="GiB of address space per peer child")
    ap.add_argument("--only", default="", help="comma-separated instance names")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--peers", default="pyagrum,pgmpy", help="which peers to run, comma-separated")
    ap.add_argument("--out", default=os.path.join(HERE, "results.json"))
    args = ap.parse_args()

    if not os.access(args.binary, os.X_OK):
        sys.exit(f"no deepgm binary at {args.binary}: cargo build --release -p deepgm")
    if not os.path.isdir(args.data):
        sys.exit(f"no UAI data at {args.data}")
    names = sorted(f[:-4] for f in os.listdir(args.data) if f.endswith(".uai"))
    if args.only:
        wanted = set(args.only.split(","))
        names = [n for n in names if n in wanted]

    # The peers run in this Python if it has them, else re-run this script under the peers' venv.
    have_pyagrum, have_pgmpy = (False, False) if args.no_peers else peers_available(sys.executable)
    if not args.no_peers and not (have_pyagrum or have_pgmpy) and os.access(PEERS_PYTHON, os.X_OK) \
            and not os.environ.get("DEEPGM_UAI_PEERS"):
        log(f"peers not importable here: re-running under {PEERS_PYTHON}")
        os.environ["DEEPGM_UAI_PEERS"] = "1"
        os.execv(PEERS_PYTHON, [PEERS_PYTHON, *sys.argv])
    wanted_peers = set(args.peers.split(","))
    have_pyagrum = have_pyagrum and "pyagrum" in wanted_peers
    have_pgmpy = have_pgmpy and "pgmpy" in wanted_peers
    versions = {}
    if have_pyagrum:
        import pyagrum
        versions["pyagrum"] = pyagrum.__version__
    if have_pgmpy:
        import pgmpy
        versions["pgmpy"] = pgmpy.__version__
    versions["deepgm"] = subprocess.run([args.binary, "--version"], capture_output=True,
                                        text=True).stdout.strip()
    memory_cap = int(args.peer_memory * 2 ** 30)

    rows = []
    for name in names:
        path = os.path.join(args.data, name + ".uai")
        kind, cards, scopes, tables = read_uai(path)
        refs = (read_mar(path + ".MAR"), read_pr(path + ".PR"), read_map(path + ".MAP"))
        log(f"{name}: deepgm ...")
        row = {"name": name, "n_variables": len(cards), "n_factors": len(scopes),
               "n_evidence": len(read_evidence(path + ".evid")),
               "deepgm": deepgm_instance(args.binary, args.data, name, args.timeout,
                                         (cards, scopes, tables), refs)}
        if have_pyagrum:
            log(f"{name}: pyAgrum ...")
            for mode in ["built", "loadMRF"]:
                row[f"pyagrum_{mode}"] = compare_marginals(
                    in_child(pyagrum_child, (path, mode), args.peer_timeout, memory_cap), refs[0])
        if have_pgmpy:
            log(f"{name}: pgmpy ...")
            r = compare_marginals(in_child(pgmpy_child, (path, args.pgmpy_timeout / 2),
                                           args.pgmpy_timeout, memory_cap), refs[0])
            if r.get("sum"):
                r["log10_z"] = math.log10(r["sum"])
                r["log10_z_diff"] = r["log10_z"] - refs[1][0]
            row["pgmpy"] = r
        rows.append(row)

    q = [r["deepgm"]["mar_pr"] for r in rows]
    m = [r["deepgm"]["map"] for r in rows]
    summary = {
        "instances": len(rows),
        "mar_pr_solved": sum(x["solved"] for x in q),
        "map_solved": sum(x["solved"] for x in m),
        "marginals_within_1e-5": sum(x.get("max_abs_marginal_diff", 1) <= 1e-5 for x in q),
        "pr_within_printed_precision": sum(
            x["solved"] and abs(x["log10_z_diff"]) <= max(1e-4, x["pr_printed_half_unit"]) for x in q),
        "map_reaches_reference": sum(bool(x.get("reaches_reference")) for x in m),
        "map_better_than_reference": [r["name"] for r in rows
                                      if r["deepgm"]["map"].get("gap_to_reference", 0) > 1e-9],
    }
    result = {
        "meta": {
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
            "versions": versions,
            "limits": {"deepgm_timeout_s": args.timeout, "pyagrum_timeout_s": args.peer_timeout,
                       "pgmpy_timeout_s": args.pgmpy_timeout, "peer_memory_gib": args.peer_memory,
                       "deepgm_memory_budget": "the CLI's default: half the available memory"},
            "data": args.data,
            "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        },
        "summary": summary,
        "instances": rows,
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(table(rows))
    print()
    print(json.dumps(summary))
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
