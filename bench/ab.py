#!/usr/bin/env python3
"""Before/after benchmark of two deepgm binaries on the same workloads, in one run.

A change that should not alter behaviour (a refactor) is measured here: each workload runs with
binary A and binary B alternately (A B B A ..., so drift in the machine's speed falls on both), the
medians of the wall-clock times are compared, and the outputs of the two binaries are compared too
(written files byte for byte; --json reports with timing fields removed), so "same numbers" is
checked, not assumed.

    python3 bench/ab.py --before /tmp/deepgm-before --after target/release/deepgm --reps 5

Workloads use the full MNIST and the bnlearn networks in ../shared/data; those whose data is absent
are skipped with a note. Standard library only.
"""

import argparse
import hashlib
import json
import os
import random
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared", "data")
MNIST = os.path.join(SHARED, "mnist")
BIF = os.path.join(SHARED, "bif")


def is_timing(key):
    """Keys of --json reports that measure time or speed, not results."""
    return key.endswith("seconds") or key.endswith("per_second") or key == "threads"


def write_png(path, pixels, width, height):
    """A grayscale 8-bit PNG from rows of 0/255 values (no filtering)."""
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6))
                + chunk(b"IEND", b""))


def noisy_picture(path, size, flip=0.1, seed=0):
    """Discs and bars on a size x size canvas with `flip` of the pixels flipped (seeded)."""
    rng = random.Random(seed)
    shapes = [(rng.uniform(0, size), rng.uniform(0, size), rng.uniform(size / 20, size / 6))
              for _ in range(12)]
    rows = []
    for r in range(size):
        row = []
        for c in range(size):
            ink = any((r - y) ** 2 + (c - x) ** 2 <= rad * rad for x, y, rad in shapes) or (r // 64) % 5 == 0
            if rng.random() < flip:
                ink = not ink
            row.append(255 if ink else 0)
        rows.append(row)
    write_png(path, rows, size, size)


def workloads(tmp):
    """(name, argument list with {out} for the output directory, files to compare, needs)."""
    noisy = os.path.join(tmp, "noisy.png")
    items = []
    for method in ["graphcut", "icm", "icm-checkerboard", "meanfield", "gibbs", "anneal"]:
        items.append((f"mrf denoise {method} 1024^2",
                      ["mrf", "denoise", noisy, "-o", "{out}/clean.png", "--method", method, "--seed", "0", "--json"],
                      ["clean.png"], None))
    items += [
        ("rbm train 500 hidden, 1 epoch", ["rbm", "train", "--data", MNIST, "--hidden", "500", "--epochs", "1",
                                           "--seed", "1", "-o", "{out}/rbm.safetensors", "--json"],
         ["rbm.safetensors"], MNIST),
        ("rbm score AIS 20 x 2000", ["rbm", "score", "{fixed}/rbm.safetensors", "--data", MNIST,
                                     "--ais-runs", "20", "--ais-betas", "2000", "--seed", "0", "--json"],
         [], MNIST),
        ("cnn train lenet5, 1 epoch", ["cnn", "train", "--data", MNIST, "--arch", "lenet5", "--epochs", "1",
                                       "--seed", "0", "-o", "{out}/lenet5.safetensors", "--json"],
         ["lenet5.safetensors"], MNIST),
        ("cnn train seed, 1 epoch", ["cnn", "train", "--data", MNIST, "--arch", "seed", "--epochs", "1",
                                     "--seed", "0", "-o", "{out}/seed.safetensors", "--json"],
         ["seed.safetensors"], MNIST),
        ("cnn eval lenet5", ["cnn", "eval", "{fixed}/lenet5.safetensors", "--data", MNIST, "--json"], [], MNIST),
    ]
    for net in ["alarm", "hailfinder", "water", "munin"]:
        path = os.path.join(BIF, f"{net}.bif.gz")
        items.append((f"bn query {net}", ["bn", "query", path, "--json"], [], path))
    items.append(("bn learn-structure alarm 10k", ["bn", "learn-structure", "--data", "{fixed}/alarm10k.csv",
                                                   "-o", "{out}/learned.bif", "--seed", "0", "--json"],
                  ["learned.bif"], os.path.join(BIF, "alarm.bif.gz")))
    return items


def strip_timing(value):
    if isinstance(value, dict):
        return {k: strip_timing(v) for k, v in value.items() if not is_timing(k)}
    if isinstance(value, list):
        return [strip_timing(v) for v in value]
    return value


def run_once(binary, args, out_dir, fixed):
    os.makedirs(out_dir, exist_ok=True)
    argv = [binary] + [a.replace("{out}", out_dir).replace("{fixed}", fixed) for a in args]
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()}")
    report = None
    if "--json" in args:
        report = strip_timing(json.loads(proc.stdout)) if proc.stdout.strip() else None
    return seconds, report


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="deepgm binary before the change")
    parser.add_argument("--after", default=os.path.join(ROOT, "target", "release", "deepgm"))
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="substrings of the workload names to run")
    parser.add_argument("--out", help="write the results as JSON here")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="deepgm-ab-")
    fixed = os.path.join(tmp, "fixed")
    os.makedirs(fixed)
    noisy_picture(os.path.join(tmp, "noisy.png"), 1024)
    # Inputs some workloads read, made once by the `before` binary.
    prep = []
    if os.path.exists(MNIST):
        prep += [["rbm", "train", "--data", MNIST, "--hidden", "100", "--epochs", "1", "--seed", "1",
                  "-o", f"{fixed}/rbm.safetensors", "--quiet"],
                 ["cnn", "train", "--data", MNIST, "--arch", "lenet5", "--epochs", "1", "--seed", "0",
                  "-o", f"{fixed}/lenet5.safetensors", "--quiet"]]
    if os.path.exists(os.path.join(BIF, "alarm.bif.gz")):
        prep.append(["bn", "sample", os.path.join(BIF, "alarm.bif.gz"), "-n", "10000", "--seed", "0",
                     "-o", f"{fixed}/alarm10k.csv", "--quiet"])
    for p in prep:
        subprocess.run([args.before] + p, check=True, capture_output=True)

    results = []
    for name, argv, files, needs in workloads(tmp):
        if args.only and not any(s in name for s in args.only):
            continue
        if needs and not os.path.exists(needs):
            print(f"{name:34s} skipped: {needs} absent")
            continue
        times = {"before": [], "after": []}
        reports, hashes = {}, {}
        for rep in range(args.reps):
            order = ["before", "after"] if rep % 2 == 0 else ["after", "before"]
            for which in order:
                # One directory for both binaries, so that paths in the reports are the same.
                out_dir = os.path.join(tmp, "run", name.replace(" ", "_").replace("^", ""))
                binary = args.before if which == "before" else args.after
                seconds, report = run_once(binary, argv, out_dir, fixed)
                times[which].append(seconds)
                reports[which] = report
                hashes[which] = [digest(os.path.join(out_dir, f)) for f in files]
        before, after = statistics.median(times["before"]), statistics.median(times["after"])
        same_files = hashes["before"] == hashes["after"]
        same_report = reports["before"] == reports["after"]
        results.append({"workload": name, "before_s": before, "after_s": after, "ratio": after / before,
                        "same_files": same_files, "same_report": same_report,
                        "times": times})
        flag = "" if same_files and same_report else "  OUTPUTS DIFFER"
        if not same_report:
            flag += f" (report before {json.dumps(reports['before'])[:300]} after {json.dumps(reports['after'])[:300]})"
        print(f"{name:34s} before {before:8.3f} s  after {after:8.3f} s  after/before {after / before:5.3f}"
              f"  files {'same' if same_files else 'DIFFER'}  report {'same' if same_report else 'DIFFERS'}{flag}",
              flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"before": args.before, "after": args.after, "reps": args.reps, "results": results}, f, indent=1)
    if any(not (r["same_files"] and r["same_report"]) for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
