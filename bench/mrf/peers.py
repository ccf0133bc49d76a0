"""The peers of `deepgm mrf denoise`, as whole processes, each printing one JSON object.

  peers.py pymaxflow NOISY.png OUT.png   exact MAP by PyMaxflow's Boykov-Kolmogorov graph cut
  peers.py numpy-icm NOISY.png OUT.png   checkerboard ICM vectorized with numpy, to a fixed point

Both use Bishop's parameters h = 0, beta = 1, eta = 2.1 on the 4-neighbourhood, the image
convention of deepgm (gray >= 128 is +1), and report the energy of their output under
E(x,y) = h sum x - beta sum_{i~j} x_i x_j - eta sum x y, so results can be checked against deepgm's.
"""
import json
import sys
import time

import numpy as np
from PIL import Image

H, BETA, ETA = 0.0, 1.0, 2.1


def energy(x: np.ndarray, y: np.ndarray) -> float:
    x64, y64 = x.astype(np.int64), y.astype(np.int64)
    pairs = (x64[:, 1:] * x64[:, :-1]).sum() + (x64[1:, :] * x64[:-1, :]).sum()
    return float(H * x64.sum() - BETA * pairs - ETA * (x64 * y64).sum())


def load(path: str) -> np.ndarray:
    return np.where(np.array(Image.open(path).convert("L")) >= 128, 1, -1).astype(np.int8)


def save(path: str, x: np.ndarray) -> None:
    Image.fromarray(np.where(x > 0, 255, 0).astype(np.uint8)).save(path)


def pymaxflow(y: np.ndarray) -> np.ndarray:
    import maxflow

    a = H - ETA * y.astype(np.float64)  # cost(+1) - cost(-1) = 2a; source side = +1
    graph = maxflow.Graph[float]()
    nodes = graph.add_grid_nodes(y.shape)
    graph.add_grid_edges(nodes, weights=2.0 * BETA, symmetric=True)
    graph.add_grid_tedges(nodes, np.maximum(-2.0 * a, 0.0), np.maximum(2.0 * a, 0.0))
    graph.maxflow()
    sink_side = graph.get_grid_segments(nodes)
    return np.where(sink_side, -1, 1).astype(np.int8)


def numpy_icm(y: np.ndarray, max_sweeps: int = 1000):
    x = y.copy()
    rows, cols = np.indices(y.shape)
    colours = [(rows + cols) % 2 == k for k in (0, 1)]
    yf = y.astype(np.int32)
    for sweep in range(1, max_sweeps + 1):
        changed = 0
        for mask in colours:
            padded = np.pad(x.astype(np.int32), 1)
            s = padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:]
            field = BETA * s + ETA * yf - H
            new = np.where(field > 0, 1, np.where(field < 0, -1, x)).astype(np.int8)
            update = mask & (new != x)
            changed += int(update.sum())
            x[update] = new[update]
        if changed == 0:
            return x, sweep
    return x, max_sweeps


def main() -> None:
    method, noisy, out = sys.argv[1:4]
    y = load(noisy)
    start = time.perf_counter()
    if method == "pymaxflow":
        x, sweeps = pymaxflow(y), 0
    elif method == "numpy-icm":
        x, sweeps = numpy_icm(y)
    else:
        sys.exit(f"unknown method {method}")
    seconds = time.perf_counter() - start
    save(out, x)
    print(json.dumps({"method": method, "energy": energy(x, y), "sweeps": sweeps, "seconds": seconds}))


if __name__ == "__main__":
    main()
