"""deepgm: four classic models, real, fast and verified.

A convolutional network with hand-derived backpropagation (:mod:`deepgm.cnn`), discrete
Bayesian networks (:mod:`deepgm.bn`), restricted Boltzmann machines (:mod:`deepgm.rbm`) and
Ising-model image denoising (:mod:`deepgm.mrf`), computed by deepgm's Rust libraries; the MNIST
digits in :mod:`deepgm.data`.

Errors
------
DeepgmValueError
    A parameter or input deepgm cannot use (a ``ValueError``).
FormatError
    A malformed file (a ``DeepgmValueError``) with ``path``, ``line`` and ``column``.
InfeasibleError
    Work over its budget (a ``MemoryError``) with ``needed``, ``budget`` and ``unit``.

A missing file raises ``FileNotFoundError``.
"""

from ._native import DeepgmValueError, FormatError, InfeasibleError, __version__
from . import bn, cnn, data, mrf, rbm

__all__ = [
    "DeepgmValueError",
    "FormatError",
    "InfeasibleError",
    "__version__",
    "bn",
    "cnn",
    "data",
    "mrf",
    "rbm",
]
