"""Ising-model image denoising (Bishop, PRML 8.3.3).

Over a black-and-white picture ``y`` and a labelling ``x``, both spins in {-1, +1} (+1 white),
the energy is

    E(x, y) = h * sum_i x_i - beta * sum_{i~j} x_i x_j - eta * sum_i x_i y_i

(each neighbouring pair counted once) and ``p(x | y)`` is proportional to ``exp(-E)``.
:func:`denoise` finds a low-energy ``x`` by one of six methods, :func:`energy` computes ``E``,
:func:`add_noise` flips pixels at random and :func:`read_picture` reads a PNG or JPEG.

Picture conventions
-------------------
Every function takes 2-D arrays in any of four conventions and answers in the convention of
its input, with its dtype and shape. Without ``convention=``, the convention is told from the
dtype, then the values:

``"bool"``
    dtype bool: True is +1 (white), False is -1.
``"gray"``
    dtype uint8: gray levels 0-255, ``level >= threshold`` (default 128, as the ``deepgm``
    command reads pictures) is +1; spins come back as 255 (+1) and 0 (-1).
    A uint8 array holding only 0 and 1, with some 1, is ambiguous (a 0/1 mask, or an almost
    black picture?) and raises: pass ``convention="gray"`` or ``convention="01"``.
``"pm1"``
    any other integer or floating dtype holding a -1: every value must be -1 or +1.
``"01"``
    any other integer or floating dtype holding a 0 and no -1: every value must be 0 or 1 (1 is +1).

A signed integer or floating array holding only 1 fits both ``"pm1"`` and ``"01"`` and raises
unless ``convention=`` says which (an unsigned one can only be ``"01"``). Any other value (2, NaN,
infinity) raises :class:`deepgm.DeepgmValueError` naming the array, the value and its row and
column.

Copies: an int8 -1/+1 C-contiguous array goes to the library without a copy, and an int8 -1/+1
result comes back as the library's buffer; every other convention is converted once each way
(NumPy), and gray levels are copied once more by the library's threshold.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Literal, Optional, Tuple, Union, overload

import numpy as np
from numpy.typing import ArrayLike

from . import _native
from ._native import DeepgmValueError

__all__ = ["METHODS", "CONVENTIONS", "denoise", "energy", "add_noise", "read_picture"]

#: The method names :func:`denoise` accepts, in the library's order.
METHODS: Tuple[str, ...] = tuple(_native.mrf.METHODS)

#: The picture conventions (see the module's documentation).
CONVENTIONS: Tuple[str, ...] = ("bool", "gray", "pm1", "01")

Method = Literal["icm", "icm-checkerboard", "gibbs", "anneal", "meanfield", "graphcut"]
Convention = Literal["bool", "gray", "pm1", "01"]


def _where(a: np.ndarray, bad: np.ndarray) -> str:
    r, c = (int(i) for i in np.argwhere(bad)[0])
    return f"value {a[r, c].item()!r} at row {r}, column {c}"


def _to_spins(
    name: str, y: ArrayLike, convention: Optional[str], threshold: int
) -> Tuple[np.ndarray, str, np.dtype]:
    """``y`` as int8 spins, with the convention and dtype to answer in."""
    a = np.asarray(y)
    if a.ndim != 2:
        raise DeepgmValueError(f"{name} must be a 2-D array (rows, columns), got shape {a.shape}")
    kind = a.dtype.kind
    if kind not in "biuf":
        raise DeepgmValueError(
            f"{name} has dtype {a.dtype}: expected bool, an integer or a floating dtype"
        )
    if convention is not None and convention not in CONVENTIONS:
        raise DeepgmValueError(
            f"invalid convention {convention!r}: expected one of {', '.join(CONVENTIONS)}"
        )
    if kind == "f":
        bad = np.isnan(a)
        if bad.any():
            raise DeepgmValueError(f"{name} has NaN: {_where(a, bad)}")
    if convention is None:
        if kind == "b":
            convention = "bool"
        elif a.dtype == np.uint8:
            if a.size and a.max() == 1:
                raise DeepgmValueError(
                    f"{name} is uint8 holding only 0 and 1, which is ambiguous: pass "
                    "convention='01' for a 0/1 picture, or convention='gray' for gray levels "
                    "(then all black)"
                )
            convention = "gray"
        elif a.size == 0 or (a == -1).any():
            # (An empty array goes on to the library, which refuses it.)
            convention = "pm1"
        elif (a == 0).any() or kind == "u":
            convention = "01"
        else:
            bad = a != 1
            if bad.any():
                raise DeepgmValueError(
                    f"{name} has {_where(a, bad)}: expected only 0 and 1, or only -1 and +1"
                )
            raise DeepgmValueError(
                f"{name} holds only 1, which is ambiguous: pass convention='pm1' "
                "(-1/+1 picture) or convention='01' (0/1 picture)"
            )
    if convention == "bool":
        if kind != "b":
            raise DeepgmValueError(f"convention 'bool' needs a bool {name}, got dtype {a.dtype}")
        # One conversion copy.
        spins = np.where(a, np.int8(1), np.int8(-1))
    elif convention == "gray":
        if a.dtype != np.uint8:
            raise DeepgmValueError(f"convention 'gray' needs a uint8 {name}, got dtype {a.dtype}")
        spins = _native.mrf.gray_to_spins(a, int(threshold))
    elif convention == "pm1":
        bad = (a != 1) & (a != -1)
        if bad.any():
            raise DeepgmValueError(f"{name} has {_where(a, bad)}: expected -1 or +1")
        # No copy for int8; other dtypes are converted once.
        spins = a.astype(np.int8, copy=False)
    else:
        bad = (a != 1) & (a != 0)
        if bad.any():
            raise DeepgmValueError(f"{name} has {_where(a, bad)}: expected 0 or 1")
        # One conversion copy.
        spins = np.where(a == 1, np.int8(1), np.int8(-1))
    return spins, convention, a.dtype


def _from_spins(spins: np.ndarray, convention: str, dtype: np.dtype) -> np.ndarray:
    """Spins back in ``convention`` and ``dtype``."""
    if convention == "bool":
        return spins > 0
    if convention == "gray":
        return _native.mrf.spins_to_gray(spins)
    if convention == "pm1":
        # The library's buffer itself for int8.
        return spins.astype(dtype, copy=False)
    return (spins > 0).astype(dtype)


@overload
def denoise(
    y: ArrayLike,
    method: Method = ...,
    beta: float = ...,
    eta: float = ...,
    h: float = ...,
    neighbourhood: int = ...,
    max_sweeps: Optional[int] = ...,
    temperature: Optional[float] = ...,
    final_temperature: Optional[float] = ...,
    sweeps: Optional[int] = ...,
    burn_in: Optional[int] = ...,
    damping: Optional[float] = ...,
    tolerance: Optional[float] = ...,
    seed: int = ...,
    *,
    return_marginals: Literal[False] = ...,
    threshold: int = ...,
    convention: Optional[Convention] = ...,
) -> Tuple[np.ndarray, Dict[str, Any]]: ...


@overload
def denoise(
    y: ArrayLike,
    method: Method = ...,
    beta: float = ...,
    eta: float = ...,
    h: float = ...,
    neighbourhood: int = ...,
    max_sweeps: Optional[int] = ...,
    temperature: Optional[float] = ...,
    final_temperature: Optional[float] = ...,
    sweeps: Optional[int] = ...,
    burn_in: Optional[int] = ...,
    damping: Optional[float] = ...,
    tolerance: Optional[float] = ...,
    seed: int = ...,
    *,
    return_marginals: Literal[True],
    threshold: int = ...,
    convention: Optional[Convention] = ...,
) -> Tuple[np.ndarray, Dict[str, Any], np.ndarray]: ...


def denoise(
    y: ArrayLike,
    method: Method = "graphcut",
    beta: float = 1.0,
    eta: float = 2.1,
    h: float = 0.0,
    neighbourhood: int = 4,
    max_sweeps: Optional[int] = None,
    temperature: Optional[float] = None,
    final_temperature: Optional[float] = None,
    sweeps: Optional[int] = None,
    burn_in: Optional[int] = None,
    damping: Optional[float] = None,
    tolerance: Optional[float] = None,
    seed: int = 0,
    *,
    return_marginals: bool = False,
    threshold: int = 128,
    convention: Optional[Convention] = None,
) -> Union[Tuple[np.ndarray, Dict[str, Any]], Tuple[np.ndarray, Dict[str, Any], np.ndarray]]:
    """Denoise a black-and-white picture under the Ising model, as ``deepgm mrf denoise`` does.

    The method's knobs left as None keep the library's defaults (those of ``deepgm mrf
    denoise``); a knob given to a method that has no use for it raises.

    Parameters
    ----------
    y : array_like, shape (rows, cols)
        The noisy picture, bool, 0/1, -1/+1 or uint8 gray (see the module's conventions).
    method : {"graphcut", "icm", "icm-checkerboard", "gibbs", "anneal", "meanfield"}, default "graphcut"
        ``graphcut``: the exact minimum energy by a minimum s-t cut (needs ``beta >= 0``);
        ``icm`` / ``icm-checkerboard``: iterated conditional modes (raster order / one colour
        class at a time) to a fixed point; ``gibbs``: Gibbs sampling at ``temperature``, the
        labelling being the sign of the estimated marginals; ``anneal``: simulated annealing
        from ``temperature`` to ``final_temperature``; ``meanfield``: damped mean-field updates.
    beta : float, default 1.0
        Coupling of neighbours (positive: smooth).
    eta : float, default 2.1
        Coupling of each pixel to its observation.
    h : float, default 0.0
        Bias; positive favours -1 (black).
    neighbourhood : {4, 8}, default 4
        4 neighbours, or 8 with the diagonals.
    max_sweeps : int, optional
        icm, icm-checkerboard, meanfield: cap on sweeps (library default 1,000).
    temperature : float, optional
        gibbs, meanfield: the temperature (default 1); anneal: the starting temperature
        (default 4).
    final_temperature : float, optional
        anneal: the last sweep's temperature, at most ``temperature`` (default 0.05).
    sweeps : int, optional
        gibbs: sweeps in total, burn-in included (default 200); anneal: sweeps of the
        schedule (default 100).
    burn_in : int, optional
        gibbs: sweeps discarded first, fewer than ``sweeps`` (default a quarter of ``sweeps``).
    damping : float, optional
        meanfield: damping in (0, 1], 1 undamped (default 0.5).
    tolerance : float, optional
        meanfield: stop when no magnetization moves by more (default 1e-4).
    seed : int, default 0
        gibbs, anneal: seed of the generator (same seed, same output); unused by the others.
    return_marginals : bool, default False
        Also return the estimated marginals ``P(x_i = +1 | y)`` (gibbs and meanfield only).
    threshold : int, default 128
        For uint8 gray input: ``level >= threshold`` is white (+1).
    convention : {"bool", "gray", "pm1", "01"}, optional
        The convention of ``y``, when not told from its dtype and values.

    Returns
    -------
    x : numpy.ndarray, shape (rows, cols)
        The denoised picture in ``y``'s convention and dtype.
    report : dict
        The keys of ``deepgm mrf denoise --json`` but the paths and error rates: ``method``,
        ``energy`` (``E(x, y)``), ``sweeps``, ``changed`` (pixels that differ from ``y``),
        ``converged``, ``seconds``, ``width``, ``height``, ``h``, ``beta``, ``eta``,
        ``neighbourhood``.
    marginals : numpy.ndarray of float64, shape (rows, cols)
        Only with ``return_marginals=True``: ``P(x_i = +1 | y)`` (gibbs: the fraction of kept
        samples at +1; meanfield: ``(1 + m_i) / 2``).

    Raises
    ------
    deepgm.DeepgmValueError
        For an unknown method, a parameter out of range (named by its keyword: ``beta < 0``
        for graphcut, ``burn_in >= sweeps``, ``damping`` outside (0, 1], non-finite ``h``,
        ``beta``, ``eta``, ...), a knob the method does not take, ``return_marginals`` with a
        method that has no marginals, a ``y`` that is not 2-D, empty, or has a value outside
        its convention (named with its row and column), or an ambiguous convention.
    OverflowError
        For a negative ``seed``, ``sweeps``, ``max_sweeps`` or ``burn_in``, or a
        ``threshold`` outside 0-255.

    Examples
    --------
    >>> import numpy as np, deepgm
    >>> clean = np.zeros((32, 32), dtype=bool); clean[:, 16:] = True
    >>> noisy = deepgm.mrf.add_noise(clean, flip=0.1, seed=1)
    >>> x, report = deepgm.mrf.denoise(noisy)
    >>> x.dtype, report["method"], int((x != clean).sum()) < int((noisy != clean).sum())
    (dtype('bool'), 'graphcut', True)
    >>> x, report, p = deepgm.mrf.denoise(noisy, method="gibbs", seed=3, return_marginals=True)
    >>> p.dtype, p.shape
    (dtype('float64'), (32, 32))
    """
    if return_marginals and not _native.mrf.estimates_marginals(method):
        raise DeepgmValueError(
            f"return_marginals: method {method!r} does not estimate marginals "
            "(gibbs and meanfield do)"
        )
    spins, conv, dtype = _to_spins("y", y, convention, threshold)
    labels, report, marginals = _native.mrf.denoise(
        spins,
        method,
        beta,
        eta,
        h,
        neighbourhood,
        max_sweeps,
        temperature,
        final_temperature,
        sweeps,
        burn_in,
        damping,
        tolerance,
        seed,
    )
    x = _from_spins(labels, conv, dtype)
    if return_marginals:
        return x, report, marginals
    return x, report


def energy(
    x: ArrayLike,
    y: ArrayLike,
    beta: float = 1.0,
    eta: float = 2.1,
    h: float = 0.0,
    neighbourhood: int = 4,
    *,
    threshold: int = 128,
    convention: Optional[Convention] = None,
) -> float:
    """The energy ``E(x, y) = h sum x_i - beta sum_{i~j} x_i x_j - eta sum x_i y_i``.

    Parameters
    ----------
    x : array_like, shape (rows, cols)
        The labelling, in any convention of the module.
    y : array_like, shape (rows, cols)
        The observation, in any convention (each array's is told apart on its own).
    beta, eta, h : float, defaults 1.0, 2.1, 0.0
        The model's parameters, as in :func:`denoise`.
    neighbourhood : {4, 8}, default 4
        Which pixels are neighbours (each pair counted once).
    threshold : int, default 128
        For uint8 gray arrays: ``level >= threshold`` is +1.
    convention : {"bool", "gray", "pm1", "01"}, optional
        The convention of both arrays, when not told from their dtypes and values.

    Returns
    -------
    float
        ``E(x, y)``, summed exactly in integers then scaled (the report's ``energy`` of
        :func:`denoise` for its ``x``).

    Raises
    ------
    deepgm.DeepgmValueError
        When ``x`` and ``y`` differ in shape, are not 2-D or empty, have a value outside their
        convention, for non-finite parameters or a neighbourhood other than 4 or 8.

    Examples
    --------
    >>> import numpy as np, deepgm
    >>> y = np.array([[1, 1], [1, -1]], dtype=np.int8)
    >>> deepgm.mrf.energy(y, y)  # -1*(1 - 1 + 1 - 1) - 2.1*4
    -8.4
    """
    xs, _, _ = _to_spins("x", x, convention, threshold)
    ys, _, _ = _to_spins("y", y, convention, threshold)
    return float(_native.mrf.energy(xs, ys, beta, eta, h, neighbourhood))


def add_noise(
    y: ArrayLike,
    flip: float,
    seed: int = 0,
    *,
    threshold: int = 128,
    convention: Optional[Convention] = None,
) -> np.ndarray:
    """Flip each pixel independently with probability ``flip``, as ``deepgm mrf noise`` does.

    Parameters
    ----------
    y : array_like, shape (rows, cols)
        The clean picture, in any convention of the module.
    flip : float
        Probability of flipping each pixel, in [0, 1].
    seed : int, default 0
        Seed of the generator: one uniform number per pixel in row-major order (same seed, same
        noise, the command line's included).
    threshold : int, default 128
        For uint8 gray input: ``level >= threshold`` is white.
    convention : {"bool", "gray", "pm1", "01"}, optional
        The convention of ``y``, when not told from its dtype and values.

    Returns
    -------
    numpy.ndarray, shape (rows, cols)
        The noisy picture in ``y``'s convention and dtype (gray: 0 and 255).

    Raises
    ------
    deepgm.DeepgmValueError
        For ``flip`` outside [0, 1] (named ``flip``), or a ``y`` that is not a valid picture.
    OverflowError
        For a negative ``seed``, or a ``threshold`` outside 0-255.

    Examples
    --------
    >>> import numpy as np, deepgm
    >>> noisy = deepgm.mrf.add_noise(np.ones((100, 100), dtype=bool), flip=0.1, seed=0)
    >>> 800 < int((~noisy).sum()) < 1200
    True
    """
    spins, conv, dtype = _to_spins("y", y, convention, threshold)
    return _from_spins(_native.mrf.add_noise(spins, flip, seed), conv, dtype)


def read_picture(path: Union[str, os.PathLike]) -> np.ndarray:
    """Read a PNG or JPEG picture as 8-bit gray levels, as the ``deepgm`` command reads them.

    Parameters
    ----------
    path : str or os.PathLike
        The file (format told from its content), or ``"builtin:horse"`` for the built-in
        400 x 328 horse silhouette.

    Returns
    -------
    numpy.ndarray of uint8, shape (height, width)
        Gray levels 0-255 (the ``"gray"`` convention of :func:`denoise`).

    Raises
    ------
    FileNotFoundError
        For a missing file or an unknown ``builtin:`` name.
    deepgm.FormatError
        When the file is not a decodable PNG or JPEG (``path`` names it).

    Examples
    --------
    >>> horse = deepgm.mrf.read_picture("builtin:horse")
    >>> horse.shape, horse.dtype
    ((328, 400), dtype('uint8'))
    """
    return _native.mrf.read_picture(os.fspath(path))
