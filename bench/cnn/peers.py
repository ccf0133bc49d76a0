"""The PyTorch reference for `deepgm cnn`: the same two networks, the same MNIST preprocessing
(pixel/255, then (x - 0.1307) / 0.3081, float32, N x 1 x 28 x 28) and the same SGD with momentum.

  seed    Conv2d(1,2,5) - MaxPool2d(2, stride=1) - Flatten - Linear(2*23*23, 10)
  lenet5  Conv2d(1,6,5,padding=2) - ReLU - MaxPool2d(2,2) - Conv2d(6,16,5) - ReLU - MaxPool2d(2,2)
          - Flatten - Linear(400,120) - ReLU - Linear(120,84) - ReLU - Linear(84,10)

Modes (each prints text, or one JSON object with --json):

  peers.py --arch lenet5 --epochs 5              train N epochs, test accuracy after each epoch
  peers.py --bench-train lenet5 [--limit N]      time one training epoch (the epoch loop alone)
  peers.py --bench-infer lenet5 [--model FILE]   time the forward passes over the 10,000 test
                                                 digits in batches of 1000, then score them (FILE:
                                                 a deepgm model; without it, PyTorch's default
                                                 initialization)

Training shuffles with a torch.Generator seeded by --seed (a fresh permutation each epoch) and
gathers each minibatch by indexing the pre-built data tensor; initialization uses
torch.manual_seed(--seed). Threads: --threads (default 2). Run from the repository root:

  bench/.venv/bin/python bench/cnn/peers.py --arch lenet5 --epochs 5
  bench/.venv/bin/python bench/cnn/peers.py --bench-train seed --limit 2000 --json
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_DATA = os.path.abspath(os.path.join(ROOT, "..", "shared", "data", "mnist"))
MEAN, STD = 0.1307, 0.3081
ARCHS = ("seed", "lenet5")


def read_idx(path: str, magic: int) -> np.ndarray:
    """The uint8 payload of a gzipped IDX file, shaped by its header."""
    with gzip.open(path) as f:
        raw = f.read()
    ndim = raw[3]
    if int.from_bytes(raw[:4], "big") != magic:
        raise ValueError(f"{path}: not an IDX file of magic {magic:#x}")
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_mnist(data_dir: str, split: str = "train", limit: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(images N x 1 x 28 x 28 float32 standardized, labels int64) of the train or test split."""
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"), 0x803)
    labels = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz"), 0x801)
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    x = (images.astype(np.float32) / np.float32(255.0) - np.float32(MEAN)) / np.float32(STD)
    return torch.from_numpy(x.reshape(-1, 1, 28, 28)), torch.from_numpy(labels.astype(np.int64))


def build(arch: str) -> nn.Sequential:
    """The network deepgm calls `arch`, with the same parameter names (0.weight, 0.bias, ...)."""
    if arch == "seed":
        return nn.Sequential(nn.Conv2d(1, 2, 5), nn.MaxPool2d(2, stride=1), nn.Flatten(), nn.Linear(2 * 23 * 23, 10))
    if arch == "lenet5":
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
        )
    raise ValueError(f"unknown arch {arch!r} (expected one of {ARCHS})")


def load_model(path: str) -> tuple[str, nn.Sequential]:
    """(arch, network) of a model file written by `deepgm cnn train`, loaded strictly."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    with safe_open(path, framework="pt") as f:
        arch = (f.metadata() or {}).get("arch")
    if arch not in ARCHS:
        raise ValueError(f"{path}: metadata arch is {arch!r}, expected one of {ARCHS}")
    model = build(arch)
    model.load_state_dict(load_file(path), strict=True)
    return arch, model.eval()


def train_epoch(model: nn.Module, opt: torch.optim.Optimizer, data, batch: int, gen: torch.Generator) -> dict:
    """One epoch over data = (x, y) in the order of a fresh permutation drawn from gen; returns
    the seconds of the epoch loop, images per second and the mean cross-entropy per example."""
    x, y = data
    n = x.shape[0]
    model.train()
    total = torch.zeros(())
    start = time.perf_counter()
    order = torch.randperm(n, generator=gen)
    for i in range(0, n, batch):
        idx = order[i:i + batch]
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.detach() * idx.shape[0]
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "images_per_second": n / seconds, "loss": total.item() / n}


def make_training(arch: str, lr: float, momentum: float, seed: int):
    """(model, optimizer, shuffling generator), all seeded by seed."""
    torch.manual_seed(seed)
    model = build(arch)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    return model, opt, torch.Generator().manual_seed(seed)


def train_epoch_torch(arch: str, data, batch: int = 64, lr: float = 0.01, momentum: float = 0.9, seed: int = 0) -> dict:
    """One epoch of a freshly initialized `arch` on data = (x, y): dict(seconds, images_per_second, loss)."""
    model, opt, gen = make_training(arch, lr, momentum, seed)
    return train_epoch(model, opt, data, batch, gen)


def infer_torch(model: nn.Module, test, batch: int = 1000) -> tuple[float, float]:
    """(seconds, images per second) of the forward passes over test = (x, y) in batches, under
    inference_mode. One untimed forward pass of the first batch comes first, so that PyTorch's
    one-off initialization is not counted."""
    x = test[0]
    model.eval()
    with torch.inference_mode():
        model(x[:batch])
        start = time.perf_counter()
        for i in range(0, x.shape[0], batch):
            model(x[i:i + batch])
        seconds = time.perf_counter() - start
    return seconds, x.shape[0] / seconds


def evaluate(model: nn.Module, test, batch: int = 1000) -> tuple[float, float, torch.Tensor]:
    """(accuracy, mean cross-entropy, predicted classes) on test = (x, y)."""
    x, y = test
    model.eval()
    with torch.inference_mode():
        logits = torch.cat([model(x[i:i + batch]) for i in range(0, x.shape[0], batch)])
    pred = logits.argmax(1)
    return (pred == y).float().mean().item(), F.cross_entropy(logits, y).item(), pred


def accuracy_run(args) -> dict:
    """Trains args.arch for args.epochs epochs, scoring the test split after each."""
    train = load_mnist(args.data, "train", args.limit)
    test = load_mnist(args.data, "test")
    model, opt, gen = make_training(args.arch, args.lr, args.momentum, args.seed)
    epochs = []
    for epoch in range(1, args.epochs + 1):
        stats = train_epoch(model, opt, train, args.batch, gen)
        acc, loss, _ = evaluate(model, test)
        epochs.append({"epoch": epoch, **stats, "test_accuracy": acc, "test_loss": loss})
        if not args.json:
            print(f"epoch {epoch}: loss {stats['loss']:.4f}, test accuracy {100 * acc:.2f}%, "
                  f"test loss {loss:.4f}, {stats['seconds']:.1f} s ({stats['images_per_second']:.0f} images/s)", flush=True)
    return {"arch": args.arch, "examples": train[0].shape[0], "epochs": epochs, "test_accuracy": epochs[-1]["test_accuracy"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--bench-train", metavar="ARCH", choices=ARCHS, help="time one training epoch")
    mode.add_argument("--bench-infer", metavar="ARCH", choices=ARCHS, help="time inference on the test split")
    parser.add_argument("--arch", choices=ARCHS, default="lenet5", help="network of the accuracy run")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--data", default=DEFAULT_DATA, help="MNIST directory (gzipped IDX files)")
    parser.add_argument("--limit", type=int, help="train on the first N digits only")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", help="--bench-infer: a deepgm model file to load")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    if args.bench_train:
        train = load_mnist(args.data, "train", args.limit)
        out = {"arch": args.bench_train, "examples": train[0].shape[0], "threads": args.threads,
               **train_epoch_torch(args.bench_train, train, args.batch, args.lr, args.momentum, args.seed)}
        text = f"{out['arch']}: one epoch of {out['examples']} in {out['seconds']:.2f} s, {out['images_per_second']:.0f} images/s, loss {out['loss']:.4f}"
    elif args.bench_infer:
        test = load_mnist(args.data, "test")
        if args.model:
            arch, model = load_model(args.model)
            if arch != args.bench_infer:
                parser.error(f"{args.model} is a {arch} model, not {args.bench_infer}")
        else:
            torch.manual_seed(args.seed)
            model = build(args.bench_infer)
        seconds, ips = infer_torch(model, test)
        out = {"arch": args.bench_infer, "examples": test[0].shape[0], "threads": args.threads,
               "seconds": seconds, "images_per_second": ips, "accuracy": evaluate(model, test)[0]}
        text = (f"{out['arch']}: inference on {out['examples']} in {seconds:.3f} s, {ips:.0f} images/s, "
                f"accuracy {100 * out['accuracy']:.2f}%")
    else:
        out = accuracy_run(args)
        text = f"final test accuracy {100 * out['test_accuracy']:.2f}%"
    print(json.dumps({**out, "torch": torch.__version__}) if args.json else text)


if __name__ == "__main__":
    main()
