"""One epoch of RBM training on binarized MNIST by the peers of `deepgm rbm train`.

  peers.py sklearn DIR [float32|float64]   scikit-learn's BernoulliRBM (PCD-1), n_iter=1
  peers.py torch DIR                        the same CD-1 as deepgm, written plainly in PyTorch (2 threads)

Both use 500 hidden units, batch 100, learning rate 0.05, the 60,000 training digits binarized
stochastically (numpy seed 0), and print one JSON object with the epoch's seconds.
"""
import gzip
import json
import sys
import time

import numpy as np

HIDDEN, BATCH, LR = 500, 100, 0.05


def load(dir_: str) -> np.ndarray:
    with gzip.open(f"{dir_}/train-images-idx3-ubyte.gz") as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    rng = np.random.default_rng(0)
    return (rng.random(raw.shape) * 255.0 < raw).astype(np.float32)


def sklearn_epoch(x: np.ndarray, dtype: str) -> float:
    from sklearn.neural_network import BernoulliRBM

    data = x.astype(dtype)
    rbm = BernoulliRBM(n_components=HIDDEN, learning_rate=LR, batch_size=BATCH, n_iter=1, random_state=0)
    start = time.perf_counter()
    rbm.fit(data)
    return time.perf_counter() - start


def torch_epoch(x: np.ndarray) -> float:
    import torch

    torch.set_num_threads(2)
    torch.manual_seed(0)
    data = torch.from_numpy(x)
    n, d = data.shape
    w = torch.randn(d, HIDDEN) * 0.01
    p = data.mean(0).clamp(1e-3, 1 - 1e-3)
    b = torch.log(p / (1 - p))
    a = torch.zeros(HIDDEN)
    vw, vb, va = torch.zeros_like(w), torch.zeros_like(b), torch.zeros_like(a)
    momentum, decay = 0.5, 0.0002
    start = time.perf_counter()
    with torch.no_grad():
        order = torch.randperm(n)
        for i in range(0, n, BATCH):
            v0 = data[order[i:i + BATCH]]
            h0p = torch.sigmoid(v0 @ w + a)
            h0 = torch.bernoulli(h0p)
            v1p = torch.sigmoid(h0 @ w.T + b)
            v1 = torch.bernoulli(v1p)
            h1p = torch.sigmoid(v1 @ w + a)
            scale = LR / v0.shape[0]
            vw.mul_(momentum).add_(scale * (v0.T @ h0p - v1.T @ h1p) - LR * decay * w)
            vb.mul_(momentum).add_(scale * (v0.sum(0) - v1.sum(0)))
            va.mul_(momentum).add_(scale * (h0p.sum(0) - h1p.sum(0)))
            w += vw
            b += vb
            a += va
    return time.perf_counter() - start


def main() -> None:
    which, dir_ = sys.argv[1], sys.argv[2]
    x = load(dir_)
    if which == "sklearn":
        dtype = sys.argv[3] if len(sys.argv) > 3 else "float64"
        print(json.dumps({"peer": f"scikit-learn {dtype}", "seconds": sklearn_epoch(x, dtype)}))
    elif which == "torch":
        print(json.dumps({"peer": "pytorch", "seconds": torch_epoch(x)}))
    else:
        sys.exit(f"unknown peer {which}")


if __name__ == "__main__":
    main()
