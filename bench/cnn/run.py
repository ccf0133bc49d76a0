"""Side-by-side benchmark of `deepgm cnn` against PyTorch (CPU): one epoch of training (SGD with
momentum 0.9, lr 0.01, batch 64, on the 60,000 MNIST training digits) and inference on the 10,000
test digits (batches of 1000), for the seed network and LeNet-5, in one run.

Each repetition runs, one process at a time: deepgm training (`deepgm cnn train --epochs 1
--no-test`, seed = the repetition), PyTorch training (peers.py --bench-train, same seed), deepgm
inference (`deepgm cnn eval` of the model just trained) and PyTorch inference (peers.py
--bench-infer of that same model file). Images per second are the programs' own: the epoch loop
alone for training and the forward passes alone for inference, data loading excluded. deepgm gets
RAYON_NUM_THREADS=--threads, PyTorch torch.set_num_threads(--threads) and OMP_NUM_THREADS. The
table has medians over the repetitions, the ratio deepgm/PyTorch (above 1: deepgm is faster) and
the achieved GFLOP/s, from these FLOPs per image (a multiply-add is 2 FLOP):

  seed    forward  78,760 (conv 57,600 + linear 21,160)
          training 178,680 (conv weight gradient only: 2 x 57,600; linear 3 x 21,160)
  lenet5  forward  833,040 (conv1 235,200 + conv2 480,000 + fully connected 117,840)
          training 2,263,920 (conv1 2 x 235,200 + 3 x (480,000 + 117,840))

Both programs' test accuracies of the same deepgm model must be equal, or the run stops
(bench/cnn/interop.py compares the predictions one by one). Results, with every repetition, go to
--out (bench/cnn/results.json).

Usage (after bash bench/setup.sh and cargo build --release; a quick check with --limit 2000 --reps 1):
  bench/.venv/bin/python bench/cnn/run.py [--archs seed lenet5] [--reps 3] [--threads 2]
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
PEERS = os.path.join(HERE, "peers.py")
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
FLOPS = {  # per image: (forward, training step)
    "seed": (78_760, 178_680),
    "lenet5": (833_040, 2_263_920),
}


def resolve_data(path: str) -> str:
    """The MNIST directory as an absolute path: `path` as given (relative to the current directory),
    else relative to the repository root; it must hold the four gzipped IDX files."""
    for candidate in (os.path.abspath(path), os.path.abspath(os.path.join(ROOT, path))):
        if all(os.path.isfile(os.path.join(candidate, f)) for f in MNIST_FILES):
            return candidate
    sys.exit(f"no MNIST in {path} (looked for {', '.join(MNIST_FILES)} there and under {ROOT})")


def run_json(cmd: list[str], env: dict) -> dict:
    """Runs cmd with env; returns the JSON object it prints on stdout."""
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    return json.loads(proc.stdout)


def bench_arch(arch: str, args, tmp: str, deepgm_env: dict, torch_env: dict) -> dict:
    """All repetitions for one architecture: the per-repetition measurements."""
    limit = ["--limit", str(args.limit)] if args.limit else []
    common = ["--data", args.data]
    runs = {"deepgm_train": [], "torch_train": [], "deepgm_infer": [], "torch_infer": []}
    for rep in range(args.reps):
        model = os.path.join(tmp, f"{arch}-{rep}.safetensors")
        train = run_json([args.deepgm, "cnn", "train", *common, "--arch", arch, "--epochs", "1", "--batch", "64",
                          "--lr", "0.01", "--momentum", "0.9", "--optimizer", "sgd", "--seed", str(rep), "--no-test",
                          *limit, "--json", "--quiet", "-o", model], deepgm_env)
        epoch = train["epochs"][0]
        runs["deepgm_train"].append({"seconds": epoch["seconds"], "images_per_second": epoch["images_per_second"],
                                     "loss": epoch["loss"], "examples": train["examples"]})
        runs["torch_train"].append(run_json([PYTHON, PEERS, "--bench-train", arch, *common, "--seed", str(rep),
                                             "--threads", str(args.threads), *limit, "--json"], torch_env))
        runs["deepgm_infer"].append(run_json([args.deepgm, "cnn", "eval", model, *common, "--batch", "1000",
                                              "--json", "--quiet"], deepgm_env))
        runs["torch_infer"].append(run_json([PYTHON, PEERS, "--bench-infer", arch, "--model", model, *common,
                                             "--threads", str(args.threads), "--json"], torch_env))
        ours, theirs = runs["deepgm_infer"][-1], runs["torch_infer"][-1]
        if round(ours["accuracy"] * ours["examples"]) != round(theirs["accuracy"] * theirs["examples"]):
            sys.exit(f"{arch} rep {rep}: deepgm's test accuracy {ours['accuracy']} differs from PyTorch's "
                     f"{theirs['accuracy']} on the same model (see bench/cnn/interop.py)")
        print(f"{arch} rep {rep + 1}/{args.reps}: train {epoch['images_per_second']:.0f} vs "
              f"{runs['torch_train'][-1]['images_per_second']:.0f} images/s, infer "
              f"{ours['images_per_second']:.0f} vs {theirs['images_per_second']:.0f} images/s",
              file=sys.stderr, flush=True)
    return runs


def summarize(arch: str, runs: dict) -> dict:
    """Medians of images/s, ratios deepgm/PyTorch and GFLOP/s."""
    forward, training = FLOPS[arch]
    med = {name: statistics.median(r["images_per_second"] for r in rs) for name, rs in runs.items()}
    return {
        "images_per_second": med,
        "train_ratio": med["deepgm_train"] / med["torch_train"],
        "infer_ratio": med["deepgm_infer"] / med["torch_infer"],
        "gflops": {name: ips * (training if name.endswith("train") else forward) / 1e9 for name, ips in med.items()},
        "flops_per_image": {"forward": forward, "training": training},
        "test_accuracy": runs["deepgm_infer"][-1]["accuracy"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archs", nargs="+", choices=sorted(FLOPS), default=["seed", "lenet5"])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="deepgm's RAYON_NUM_THREADS and PyTorch's threads")
    parser.add_argument("--limit", type=int, help="train on the first N digits only (quick checks)")
    parser.add_argument("--data", default=os.path.join("..", "shared", "data", "mnist"),
                        help="MNIST directory (gzipped IDX files); relative paths are tried from the current "
                             "directory, then from the repository root")
    parser.add_argument("--deepgm", default=os.path.join(ROOT, "target", "release", "deepgm"))
    parser.add_argument("--out", default=os.path.join(HERE, "results.json"), help="results file (JSON)")
    args = parser.parse_args()
    args.data = resolve_data(args.data)
    args.deepgm = os.path.abspath(args.deepgm)
    deepgm_env = {**os.environ, "RAYON_NUM_THREADS": str(args.threads)}
    torch_env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "MKL_NUM_THREADS": str(args.threads)}

    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        print(f"warning: load average {load_before:.2f} before the run; with other processes on the cores, "
              "PyTorch's OpenMP threads wait on each other at every operation and its numbers collapse",
              file=sys.stderr)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for arch in args.archs:
            runs = bench_arch(arch, args, tmp, deepgm_env, torch_env)
            results[arch] = {**summarize(arch, runs), "runs": runs}

    version = subprocess.run([args.deepgm, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    torch_version = results[args.archs[0]]["runs"]["torch_train"][0]["torch"]
    examples = results[args.archs[0]]["runs"]["deepgm_train"][0]["examples"]
    header = (f"{time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, {args.threads} threads; "
              f"{version} vs PyTorch {torch_version}; training on {examples} digits, inference on 10000; "
              f"median of {args.reps}; load average {load_before:.2f} before")
    print(f"# {header}")
    print("| arch | deepgm train img/s | PyTorch train img/s | ratio | deepgm infer img/s | PyTorch infer img/s | ratio "
          "| GFLOP/s train deepgm / PyTorch | GFLOP/s infer deepgm / PyTorch |")
    print("|---|---|---|---|---|---|---|---|---|")
    for arch, r in results.items():
        ips, gf = r["images_per_second"], r["gflops"]
        print(f"| {arch} | {ips['deepgm_train']:.0f} | {ips['torch_train']:.0f} | {r['train_ratio']:.2f}x "
              f"| {ips['deepgm_infer']:.0f} | {ips['torch_infer']:.0f} | {r['infer_ratio']:.2f}x "
              f"| {gf['deepgm_train']:.2f} / {gf['torch_train']:.2f} | {gf['deepgm_infer']:.2f} / {gf['torch_infer']:.2f} |")

    report = {"date": time.strftime("%Y-%m-%d"), "machine": platform.machine(), "cores": os.cpu_count(),
              "threads": args.threads, "load_average_before": load_before, "reps": args.reps, "limit": args.limit,
              "training_examples": examples, "deepgm": version, "torch": torch_version,
              "command": " ".join(sys.argv), "results": results}
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    print(f"results: {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
