"""Checks that a model trained by deepgm loads into PyTorch and classifies the MNIST test split
exactly as deepgm does.

The file is read with safetensors.torch.load_file, its metadata `arch` (seed or lenet5) picks the
identical torch.nn.Sequential, load_state_dict(strict=True) loads it, and the 10,000 test digits
(preprocessed as deepgm does) are classified. deepgm's predictions come from
`deepgm cnn eval MODEL --predictions CSV` (run here, or read from --predictions). Prints the count
of test images, how many predictions agree and both accuracies; for each disagreement, the
PyTorch margin between its two highest logits (a near-tie is one where that margin is tiny).
Exits with status 1 if any prediction differs.

Usage (from the repository root):
  bench/.venv/bin/python bench/cnn/interop.py lenet5.safetensors [--data DIR] [--deepgm BIN]
  bench/.venv/bin/python bench/cnn/interop.py lenet5.safetensors --predictions preds.csv
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

import torch

from peers import DEFAULT_DATA, ROOT, load_mnist, load_model


def deepgm_predictions(deepgm: str, model: str, data: str, csv_path: str) -> None:
    """Writes deepgm's predictions of the test split to csv_path."""
    subprocess.run([deepgm, "cnn", "eval", model, "--data", data, "--batch", "1000", "--predictions", csv_path,
                    "--json", "--quiet"], check=True, stdout=subprocess.DEVNULL)


def read_predictions(csv_path: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(labels, predicted) from a CSV of index,label,predicted, ordered by index."""
    with open(csv_path, newline="") as f:
        rows = sorted((int(r["index"]), int(r["label"]), int(r["predicted"])) for r in csv.DictReader(f))
    if [r[0] for r in rows] != list(range(len(rows))):
        sys.exit(f"{csv_path}: indices are not 0..{len(rows) - 1}")
    return torch.tensor([r[1] for r in rows]), torch.tensor([r[2] for r in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="model file written by `deepgm cnn train`")
    parser.add_argument("--data", default=DEFAULT_DATA, help="MNIST directory (gzipped IDX files)")
    parser.add_argument("--deepgm", default=os.path.join(ROOT, "target", "release", "deepgm"))
    parser.add_argument("--predictions", help="deepgm's CSV, instead of running `deepgm cnn eval`")
    args = parser.parse_args()

    arch, model = load_model(args.model)
    x, y = load_mnist(args.data, "test")
    with torch.inference_mode():
        logits = torch.cat([model(x[i:i + 1000]) for i in range(0, x.shape[0], 1000)])
    ours = logits.argmax(1)

    if args.predictions:
        labels, theirs = read_predictions(args.predictions)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            csv_path = os.path.join(tmp, "predictions.csv")
            deepgm_predictions(args.deepgm, args.model, args.data, csv_path)
            labels, theirs = read_predictions(csv_path)
    if not torch.equal(labels, y):
        sys.exit("deepgm's labels differ from the test labels read here")

    n = y.shape[0]
    differ = (ours != theirs).nonzero().flatten().tolist()
    print(f"model {args.model} ({arch})")
    print(f"test images: {n}")
    print(f"predictions agreeing: {n - len(differ)}/{n}")
    print(f"accuracy deepgm: {100 * (theirs == y).float().mean().item():.2f}%")
    print(f"accuracy PyTorch: {100 * (ours == y).float().mean().item():.2f}%")
    for i in differ:
        top = logits[i].topk(2).values
        print(f"  image {i}: label {y[i].item()}, deepgm {theirs[i].item()}, PyTorch {ours[i].item()}, "
              f"PyTorch's top-two logit margin {(top[0] - top[1]).item():.3g}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
