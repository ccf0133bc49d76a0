"""Side-by-side benchmark of one RBM training epoch: deepgm CD-1 against scikit-learn's
BernoulliRBM and a plain PyTorch CD-1 (2 threads), on the same 60,000 binarized MNIST digits,
500 hidden units, batch 100, in one run with interleaved repetitions (medians).

The epoch time is what each program reports for the epoch alone (data loading excluded). The
arithmetic of one CD-1 epoch is 5 GEMMs of 100 x 784 x 500 per batch: 2 * 5 * 60000 * 784 * 500 =
235 GFLOP, from which the achieved GFLOP/s is reported.

Usage (after bash bench/setup.sh and cargo build --release):
  bench/.venv/bin/python bench/rbm/run.py --data ../shared/data/mnist [--reps 3]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
FLOP = 2 * 5 * 60000 * 784 * 500


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "mnist"))
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--deepgm", default=os.path.join(ROOT, "target", "release", "deepgm"))
    args = parser.parse_args()
    py = sys.executable
    peers = os.path.join(HERE, "peers.py")
    times = {"deepgm cd-1": [], "pytorch cd-1": [], "scikit-learn pcd-1 float32": [], "scikit-learn pcd-1 float64": []}
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(args.reps):
            model = os.path.join(tmp, f"m{rep}.safetensors")
            out = run_json([args.deepgm, "rbm", "train", "--data", args.data, "--hidden", "500", "--cd", "1",
                            "--epochs", "1", "--batch", "100", "--lr", "0.05", "--seed", str(rep), "-o", model, "--json", "--quiet"])
            times["deepgm cd-1"].append(out["epochs"][0]["seconds"])
            times["pytorch cd-1"].append(run_json([py, peers, "torch", args.data])["seconds"])
            times["scikit-learn pcd-1 float32"].append(run_json([py, peers, "sklearn", args.data, "float32"])["seconds"])
            times["scikit-learn pcd-1 float64"].append(run_json([py, peers, "sklearn", args.data, "float64"])["seconds"])
    print(f"# {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, median of {args.reps} (seconds per epoch)")
    print("| program | seconds per epoch | GFLOP/s | deepgm is faster by |")
    print("|---|---|---|---|")
    ours = statistics.median(times["deepgm cd-1"])
    for name, values in times.items():
        med = statistics.median(values)
        print(f"| {name} | {med:.2f} | {FLOP / med / 1e9:.0f} | {med / ours:.2f}x |")


if __name__ == "__main__":
    main()
