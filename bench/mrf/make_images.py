"""Makes the MRF benchmark's inputs from the horse silhouette built into deepgm.

For each size N, the 400 x 328 horse is placed on a white square canvas and scaled to N x N by
nearest neighbour (so the picture stays binary), then each pixel is flipped with probability 0.1
(numpy's PCG64, seed 0). Writes bench/mrf/images/clean_N.png and noisy_N.png.

Usage: bench/.venv/bin/python bench/mrf/make_images.py [N ...]   (default: 256 512 1024 2048 4096)
"""
import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
HORSE = os.path.join(HERE, "..", "..", "crates", "deepgm-core", "data", "horse.png")


def make(size: int, out_dir: str, flip: float = 0.1) -> None:
    horse = np.array(Image.open(HORSE).convert("L"))
    side = max(horse.shape)
    canvas = np.full((side, side), 255, dtype=np.uint8)
    top, left = (side - horse.shape[0]) // 2, (side - horse.shape[1]) // 2
    canvas[top:top + horse.shape[0], left:left + horse.shape[1]] = horse
    clean = np.array(Image.fromarray(canvas).resize((size, size), Image.NEAREST))
    clean = np.where(clean >= 128, 255, 0).astype(np.uint8)
    rng = np.random.default_rng(0)
    flips = rng.random(clean.shape) < flip
    noisy = np.where(flips, 255 - clean, clean).astype(np.uint8)
    Image.fromarray(clean).save(os.path.join(out_dir, f"clean_{size}.png"))
    Image.fromarray(noisy).save(os.path.join(out_dir, f"noisy_{size}.png"))


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [256, 512, 1024, 2048, 4096]
    out = os.path.join(HERE, "images")
    os.makedirs(out, exist_ok=True)
    for n in sizes:
        make(n, out)
        print(f"wrote {out}/noisy_{n}.png")
