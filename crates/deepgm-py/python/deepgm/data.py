"""The MNIST digits, found as the ``deepgm`` command finds them."""

from __future__ import annotations

import os
from typing import Optional, Tuple, Union

import numpy as np

from . import _native

__all__ = ["mnist"]


def mnist(
    path: Optional[Union[str, os.PathLike]] = None, split: str = "train"
) -> Tuple[np.ndarray, np.ndarray]:
    """Load one split of the MNIST digits.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A directory holding the four IDX files (raw or gzipped), or ``"embedded"`` (also
        ``"builtin:mnist"``) for the 2,000 digits built into deepgm, whose first 1,500 are the
        training split and last 500 the test split. When None: the ``DEEPGM_DATA`` environment
        variable, else ``./data/mnist``.
    split : {"train", "test"}, default "train"
        Which split.

    Returns
    -------
    images : numpy.ndarray of uint8, shape (n, 28, 28)
        Pixel intensities 0-255.
    labels : numpy.ndarray of uint8, shape (n,)
        Digits 0-9.

    Raises
    ------
    FileNotFoundError
        When the directory holds no MNIST split.
    deepgm.FormatError
        When a file is not valid IDX (``path`` names it).
    deepgm.DeepgmValueError
        For a split other than "train" or "test".

    Examples
    --------
    >>> images, labels = deepgm.data.mnist("embedded", split="test")
    >>> images.shape, labels[:3]
    ((500, 28, 28), array([...], dtype=uint8))
    """
    return _native.data.mnist(None if path is None else os.fspath(path), split)
