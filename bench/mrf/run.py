"""Side-by-side benchmark of `deepgm mrf denoise` against its peers, in one run, same inputs.

  graph cut (exact MAP): deepgm --method graphcut  vs  PyMaxflow (peers.py pymaxflow)
  ICM:                   deepgm --method icm-checkerboard and --method icm  vs  numpy checkerboard ICM

Every measurement is a whole process (load the PNG, build, solve, write the PNG), timed from
outside, with its peak resident memory from wait4; the solver's own time is taken from the JSON
each process prints. Repetitions are interleaved and summarized by their median. The energies of
the outputs are compared: graph cut must equal PyMaxflow's minimum, and deepgm's checkerboard ICM
must equal numpy's (the same algorithm).

Usage (after bash bench/setup.sh and cargo build --release):
  bench/.venv/bin/python bench/mrf/run.py [--sizes 256 512 1024 2048 4096] [--reps 5]
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
PYTHON = sys.executable


def measure(cmd):
    """Runs cmd; returns (wall seconds, peak RSS in MiB, parsed JSON stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err.decode()}")
    return wall, usage.ru_maxrss / 1024.0, json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024, 2048, 4096])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--deepgm", default=os.path.join(ROOT, "target", "release", "deepgm"))
    args = parser.parse_args()

    images = os.path.join(HERE, "images")
    missing = [n for n in args.sizes if not os.path.exists(os.path.join(images, f"noisy_{n}.png"))]
    if missing:
        subprocess.run([PYTHON, os.path.join(HERE, "make_images.py"), *map(str, missing)], check=True)

    runners = {
        "deepgm graphcut": lambda src, dst: [args.deepgm, "mrf", "denoise", src, "-o", dst, "--method", "graphcut", "--json", "--quiet"],
        "pymaxflow": lambda src, dst: [PYTHON, os.path.join(HERE, "peers.py"), "pymaxflow", src, dst],
        "deepgm icm-checkerboard": lambda src, dst: [args.deepgm, "mrf", "denoise", src, "-o", dst, "--method", "icm-checkerboard", "--json", "--quiet"],
        "deepgm icm": lambda src, dst: [args.deepgm, "mrf", "denoise", src, "-o", dst, "--method", "icm", "--json", "--quiet"],
        "numpy icm": lambda src, dst: [PYTHON, os.path.join(HERE, "peers.py"), "numpy-icm", src, dst],
    }
    print(f"# {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}; median of {args.reps}")
    print("| size | program | wall s | solver s | peak MiB | energy | sweeps |")
    print("|---|---|---|---|---|---|---|")
    summary = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            src = os.path.join(images, f"noisy_{n}.png")
            results = {name: [] for name in runners}
            for _ in range(args.reps):
                for name, make in runners.items():
                    results[name].append(measure(make(src, os.path.join(tmp, f"{name.replace(' ', '_')}.png"))))
            med = {}
            for name, runs in results.items():
                wall = statistics.median(r[0] for r in runs)
                solver = statistics.median(r[2]["seconds"] for r in runs)
                rss = max(r[1] for r in runs)
                energy = runs[0][2]["energy"]
                med[name] = (wall, solver, rss, energy)
                print(f"| {n}^2 | {name} | {wall:.3f} | {solver:.4f} | {rss:.0f} | {energy:.1f} | {runs[0][2]['sweeps']} |")
            gc, pm = med["deepgm graphcut"], med["pymaxflow"]
            if abs(gc[3] - pm[3]) > 1e-9 * abs(pm[3]):
                sys.exit(f"{n}: graph cut energy {gc[3]} differs from PyMaxflow's {pm[3]}")
            cb, npi = med["deepgm icm-checkerboard"], med["numpy icm"]
            if abs(cb[3] - npi[3]) > 1e-9 * abs(npi[3]):
                sys.exit(f"{n}: checkerboard ICM energy {cb[3]} differs from numpy's {npi[3]}")
            summary.append((n, pm[0] / gc[0], pm[1] / gc[1], npi[0] / cb[0], npi[1] / cb[1],
                            npi[0] / med["deepgm icm"][0], npi[1] / med["deepgm icm"][1]))
    print()
    print("| size | graph cut vs PyMaxflow (process) | (solver) | checkerboard ICM vs numpy (process) | (solver) | raster ICM vs numpy (process) | (solver) |")
    print("|---|---|---|---|---|---|---|")
    for n, *ratios in summary:
        print(f"| {n}^2 | " + " | ".join(f"{r:.1f}x" for r in ratios) + " |")


if __name__ == "__main__":
    main()
