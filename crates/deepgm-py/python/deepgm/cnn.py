"""Convolutional networks with hand-derived backpropagation.

:class:`Net` is the seed network (one convolution, overlapping max-pooling, a linear layer) or
LeNet-5, trained by deepgm's library exactly as ``deepgm cnn train`` trains it (same seed, same
bytes), with a scikit-learn-style interface and PyTorch's parameter names; :func:`grad` is
``deepgm cnn grad``: one example through the seed network with every intermediate and gradient.

Inputs
------
``X`` is an array of images, shape ``(n, 28, 28)`` or ``(n, 1, 28, 28)`` (the seed network's
input side if set otherwise):

- ``uint8`` pixels 0-255 are preprocessed as the command line does: ``(pixel / 255 - 0.1307) /
  0.3081`` (MNIST's mean and standard deviation, PyTorch's ``ToTensor`` then ``Normalize``);
- floating-point values are taken as already preprocessed that way (float32 is used as is,
  without copying when C-contiguous; other float types are converted to float32).
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

import numpy as np

from . import _native
from ._native import DeepgmValueError

__all__ = ["Net", "grad"]

PathLike = Union[str, "os.PathLike[str]"]
_SEED_KNOBS = ("maps", "kernel", "stride", "padding", "pool", "pool_stride")


def _images(X: Any) -> np.ndarray:
    """``X`` as the 4-D uint8 or float32 array the extension takes (a view when possible)."""
    X = np.asarray(X)
    if X.ndim == 3:
        X = X[:, np.newaxis, :, :]
    elif X.ndim != 4:
        raise DeepgmValueError(
            f"invalid X: shape {X.shape}, expected (n, H, W) or (n, 1, H, W) images"
        )
    if X.dtype == np.uint8 or X.dtype == np.float32:
        return X
    if np.issubdtype(X.dtype, np.floating):
        return X.astype(np.float32)  # a copy, into float32
    raise DeepgmValueError(
        f"invalid X: dtype {X.dtype}, expected uint8 pixels 0-255 or standardized floats"
    )


def _labels(y: Any) -> np.ndarray:
    """``y`` as int64 labels (a view when already int64)."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise DeepgmValueError(f"invalid y: shape {y.shape}, expected (n,) labels")
    if y.dtype.kind not in "iub":
        raise DeepgmValueError(f"invalid y: dtype {y.dtype}, expected integer labels")
    return y.astype(np.int64, copy=False)


class Net:
    """A convolutional network for 28 x 28 digits: the seed network or LeNet-5.

    Parameters
    ----------
    arch : {"lenet5", "seed"}, default "lenet5"
        ``"lenet5"``: LeNet-5 with ReLU and max-pooling (61,706 parameters), PyTorch's
        ``nn.Sequential(Conv2d(1, 6, 5, padding=2), ReLU, MaxPool2d(2), Conv2d(6, 16, 5), ReLU,
        MaxPool2d(2), Flatten, Linear(400, 120), ReLU, Linear(120, 84), ReLU, Linear(84, 10))``.
        ``"seed"``: ``Conv2d(1, maps, kernel, stride, padding) -> MaxPool2d(pool, pool_stride)
        -> Flatten -> Linear(., 10)``.
    maps, kernel, stride, padding, pool, pool_stride : int, optional
        The seed network's settings (``deepgm cnn train``'s ``--maps`` ...): feature maps
        (default 2), kernel side (5), convolution stride (1), zero padding on each side (0),
        pooling window (2) and pooling stride (1, overlapping windows). None keeps the
        library's default; LeNet-5 takes none of them.

    Attributes
    ----------
    history : list of dict
        After :meth:`fit`: one dict per epoch (``epoch``, ``loss``, ``train_accuracy``,
        ``test_accuracy``, ``test_loss``, ``test_examples``, ``seconds``,
        ``images_per_second``; ``test_*`` are None without ``validation_data``).
    fit_report : dict or None
        After :meth:`fit`: the whole training report (``arch``, ``parameters``, ``examples``,
        ``optimizer``, ``epochs``, ``test_accuracy``), as ``deepgm cnn train --json`` has it.

    Raises
    ------
    deepgm.DeepgmValueError
        For an unknown ``arch``, a setting given to LeNet-5, a negative or zero count, or
        settings that do not fit together (a kernel larger than the input, ...), naming it.

    Examples
    --------
    >>> X, y = deepgm.data.mnist("embedded")
    >>> net = deepgm.cnn.Net("seed").fit(X, y, epochs=1, seed=0)
    >>> net.predict(X[:3]).shape, round(net.score(X, y), 2) > 0.5
    ((3,), True)
    >>> list(net.state_dict())
    ['0.weight', '0.bias', '3.weight', '3.bias']
    """

    def __init__(
        self,
        arch: str = "lenet5",
        *,
        maps: Optional[int] = None,
        kernel: Optional[int] = None,
        stride: Optional[int] = None,
        padding: Optional[int] = None,
        pool: Optional[int] = None,
        pool_stride: Optional[int] = None,
    ) -> None:
        self._net = _native.cnn.Net(arch, maps, kernel, stride, padding, pool, pool_stride)
        self.history: List[Dict[str, Any]] = []
        self.fit_report: Optional[Dict[str, Any]] = None

    @classmethod
    def _wrap(cls, native: Any) -> "Net":
        net = cls.__new__(cls)
        net._net = native
        net.history = []
        net.fit_report = None
        return net

    def _fitted(self) -> Any:
        if not self._net.fitted:
            raise DeepgmValueError(
                "this Net is not fitted: call fit(X, y) or Net.load(path) first"
            )
        return self._net

    @property
    def arch(self) -> str:
        """The architecture, ``"seed"`` or ``"lenet5"``."""
        return self._net.arch

    @property
    def config(self) -> Optional[Dict[str, int]]:
        """The seed network's settings (``maps``, ``kernel``, ``stride``, ``padding``,
        ``pool``, ``pool_stride``, ``side``, ``classes``); None for LeNet-5."""
        return self._net.config

    @property
    def n_parameters(self) -> int:
        """Number of parameters (10,642 for the default seed network)."""
        return self._net.n_parameters

    @property
    def metadata(self) -> Dict[str, str]:
        """The metadata of the model file :meth:`load` read (empty otherwise)."""
        return self._net.metadata

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        *,
        epochs: Optional[int] = None,
        batch_size: Optional[int] = 64,
        lr: Optional[float] = None,
        momentum: Optional[float] = None,
        optimizer: Optional[str] = None,
        weight_decay: Optional[float] = None,
        lr_factor: Optional[float] = None,
        seed: Optional[int] = 0,
        validation_data: Optional[Tuple[np.ndarray, np.ndarray]] = None,
    ) -> "Net":
        """Train a freshly initialized network by minibatch SGD or Adam.

        The network is initialized as PyTorch initializes it from ``seed``, then trained with
        shuffled minibatches, exactly as ``deepgm cnn train`` trains it: the same data and
        settings give the same parameters, byte for byte. Every call starts afresh.

        Parameters
        ----------
        X : numpy.ndarray, shape (n, 28, 28) or (n, 1, 28, 28)
            uint8 pixels 0-255 (standardized with MNIST's mean and deviation), or floats
            taken as already standardized (see the module's notes).
        y : numpy.ndarray of int, shape (n,)
            Class labels 0-9.
        epochs : int, optional
            Epochs to train (library default 5; 0 leaves the initialization).
        batch_size : int, default 64
            Images per minibatch (the last may be smaller).
        lr : float, optional
            Learning rate (library default 0.01).
        momentum : float, optional
            SGD's momentum (library default 0.9; Adam ignores it).
        optimizer : {"sgd", "adam"}, optional
            Update rule (library default ``"sgd"``; Adam with betas 0.9, 0.999, eps 1e-8).
        weight_decay : float, optional
            L2 weight decay added to the gradient (library default 0).
        lr_factor : float, optional
            Multiply the learning rate by this factor in (0, 1] after every epoch (PyTorch's
            ``StepLR`` with step 1); None keeps it constant.
        seed : int, default 0
            Seed of the initialization and of every epoch's minibatch order.
        validation_data : (X_val, y_val), optional
            Scored after every epoch (``test_accuracy``, ``test_loss`` in :attr:`history`),
            as the command line scores its held-out digits.

        Returns
        -------
        Net
            self, fitted, with :attr:`history` and :attr:`fit_report`.

        Raises
        ------
        deepgm.DeepgmValueError
            Naming the problem: ``X`` of the wrong shape or dtype, a value of ``X`` that is not
            finite, a label out of range or a label count unlike the image count (``data``,
            ``y``), a negative ``epochs``, ``batch_size`` or ``seed``, a bad ``lr``,
            ``momentum``, ``weight_decay``, ``lr_factor`` or ``optimizer``, or a training run
            that diverged (``lr``).

        Examples
        --------
        >>> X, y = deepgm.data.mnist("embedded")
        >>> net = deepgm.cnn.Net("seed").fit(X, y, epochs=1)
        >>> net.history[0]["epoch"]
        1
        """
        validation = None
        if validation_data is not None:
            vx, vy = validation_data
            validation = (_images(vx), _labels(vy))
        report = self._net.fit(
            _images(X),
            _labels(y),
            validation,
            epochs,
            batch_size,
            lr,
            momentum,
            optimizer,
            weight_decay,
            lr_factor,
            seed,
        )
        self.fit_report = report
        self.history = list(report["epochs"])
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Class scores (logits) of each image.

        Parameters
        ----------
        X : numpy.ndarray, shape (n, 28, 28) or (n, 1, 28, 28)
            uint8 pixels or standardized floats.

        Returns
        -------
        numpy.ndarray of float32, shape (n, 10)

        Raises
        ------
        deepgm.DeepgmValueError
            For images of the wrong shape or dtype, no images, or values that are not finite;
            before :meth:`fit` or :meth:`load` (not fitted).

        Examples
        --------
        >>> net.decision_function(X[:2]).shape
        (2, 10)
        """
        return self._fitted().decision_function(_images(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The most probable class of each image (ties to the lowest class).

        Parameters
        ----------
        X : numpy.ndarray, shape (n, 28, 28) or (n, 1, 28, 28)
            uint8 pixels or standardized floats.

        Returns
        -------
        numpy.ndarray of int64, shape (n,)
            The classes ``deepgm cnn eval --predictions`` writes.

        Raises
        ------
        deepgm.DeepgmValueError
            As :meth:`decision_function`.

        Examples
        --------
        >>> net.predict(X[:3])
        array([7, 2, 1])
        """
        return self._fitted().predict(_images(X))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Softmax probabilities of the classes.

        Parameters
        ----------
        X : numpy.ndarray, shape (n, 28, 28) or (n, 1, 28, 28)
            uint8 pixels or standardized floats.

        Returns
        -------
        numpy.ndarray of float64, shape (n, 10)
            Rows sum to 1.

        Raises
        ------
        deepgm.DeepgmValueError
            As :meth:`decision_function`.

        Examples
        --------
        >>> bool(np.isclose(net.predict_proba(X[:1]).sum(), 1.0))
        True
        """
        return self._fitted().predict_proba(_images(X))

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> Dict[str, Any]:
        """Accuracy, mean loss and confusion matrix on labelled images.

        Parameters
        ----------
        X : numpy.ndarray, shape (n, 28, 28) or (n, 1, 28, 28)
            uint8 pixels or standardized floats.
        y : numpy.ndarray of int, shape (n,)
            Class labels.

        Returns
        -------
        dict
            ``accuracy``, ``loss`` (mean cross-entropy, nats), ``confusion`` (``[true][predicted]``
            counts), ``examples``, ``seconds``, ``images_per_second``: the keys of
            ``deepgm cnn eval --json`` but ``split`` and ``arch``.

        Raises
        ------
        deepgm.DeepgmValueError
            As :meth:`fit` for ``X`` and ``y``; before :meth:`fit` or :meth:`load`.

        Examples
        --------
        >>> net.evaluate(X, y)["examples"]
        1500
        """
        return self._fitted().evaluate(_images(X), _labels(y))

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        """Fraction of images classified correctly (scikit-learn's ``score``).

        Parameters
        ----------
        X : numpy.ndarray, shape (n, 28, 28) or (n, 1, 28, 28)
            uint8 pixels or standardized floats.
        y : numpy.ndarray of int, shape (n,)
            Class labels.

        Returns
        -------
        float
            The accuracy ``deepgm cnn eval`` reports.

        Raises
        ------
        deepgm.DeepgmValueError
            As :meth:`evaluate`.

        Examples
        --------
        >>> 0.0 <= net.score(X, y) <= 1.0
        True
        """
        return float(self.evaluate(X, y)["accuracy"])

    def save(self, path: PathLike) -> None:
        """Write the model file (safetensors, PyTorch's names, the architecture in the metadata).

        After :meth:`fit` this is ``deepgm cnn train``'s checkpoint: the model at ``path`` and
        the optimizer's state beside it at ``path + ".optimizer"`` (so that
        ``deepgm cnn train --resume`` continues it); a loaded network writes the model only.

        Parameters
        ----------
        path : str or os.PathLike
            The file to write (atomically).

        Raises
        ------
        OSError
            When the file cannot be written.
        deepgm.DeepgmValueError
            Before :meth:`fit` or :meth:`load` (nothing to save).

        Examples
        --------
        >>> net.save("seed.safetensors")
        >>> deepgm.cnn.Net.load("seed.safetensors").arch
        'seed'
        """
        self._fitted().save(os.fspath(path))

    @classmethod
    def load(cls, path: PathLike) -> "Net":
        """Read a model file written by :meth:`save` or ``deepgm cnn train``.

        Parameters
        ----------
        path : str or os.PathLike
            The safetensors file.

        Returns
        -------
        Net
            The network, ready to predict (its architecture from the file's metadata).

        Raises
        ------
        FileNotFoundError
            When there is no such file.
        deepgm.FormatError
            When it is not a deepgm model (not safetensors, unknown architecture, a tensor
            missing or of the wrong shape), ``path`` naming it.

        Examples
        --------
        >>> net = deepgm.cnn.Net.load("lenet5.safetensors")
        """
        return cls._wrap(_native.cnn.Net.load(os.fspath(path)))

    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """The parameters under PyTorch's names, in order, as float32 arrays.

        The names and layouts are those of the model file and of PyTorch's ``nn.Sequential``
        of the same layers (``0.weight`` ``(out, in, k, k)``, ``0.bias``, ``3.weight``
        ``(out, in)``, ...), so that ``torch_net.load_state_dict({k: torch.from_numpy(v) for
        k, v in net.state_dict().items()})`` loads them. The arrays are copies.

        Returns
        -------
        collections.OrderedDict of str to numpy.ndarray of float32

        Examples
        --------
        >>> {k: v.shape for k, v in deepgm.cnn.Net("lenet5").state_dict().items()}["0.weight"]
        (6, 1, 5, 5)
        """
        return OrderedDict(self._net.state_dict())

    def __repr__(self) -> str:
        config = self.config
        if config is None:
            args = repr(self.arch)
        else:
            knobs = ", ".join(f"{k}={config[k]}" for k in _SEED_KNOBS)
            args = f"{self.arch!r}, {knobs}"
        state = "fitted" if self._net.fitted else "not fitted"
        return f"Net({args})  # {self.n_parameters} parameters, {state}"


def _to_json(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not a number or an array")


_ARRAYS = ("conv_out", "pool_out", "logits", "probs")


def grad(case: Mapping[str, Any]) -> Dict[str, Any]:
    """One example through the seed network in float64: every intermediate and gradient.

    The Python form of ``deepgm cnn grad CASE.json --json``.

    Parameters
    ----------
    case : dict
        The case file's content: ``x`` (d x d), ``conv_weight`` (F x k x k), ``conv_bias``
        (F, optional, default zeros), ``stride``, ``padding`` (default 0), ``pool``,
        ``pool_stride`` (default 1), ``linear_weight`` (classes x F*S*S), ``linear_bias``
        (classes) and ``label``; values may be lists or NumPy arrays.

    Returns
    -------
    dict
        ``conv_out`` (F, H1, W1), ``pool_out`` (F, S, S), ``logits`` (classes,), ``probs``
        (classes,) as float64 arrays, ``loss`` (float, nats) and ``grad``: a dict of float64
        arrays ``conv_weight``, ``conv_bias``, ``x``, ``linear_weight``, ``linear_bias``,
        ``conv_out``, ``pool_out``, each shaped like what it differentiates.

    Raises
    ------
    deepgm.DeepgmValueError
        When ``case`` is not a case (a missing or unknown key, a value of the wrong type or
        not finite) or
        its numbers do not fit together (a ragged ``x``, a linear width that is not F*S*S, a
        label out of range, ...), naming it.

    Examples
    --------
    >>> out = deepgm.cnn.grad(json.load(open("case.json")))
    >>> out["grad"]["conv_weight"].shape
    (2, 5, 5)
    """
    if not isinstance(case, Mapping):
        raise DeepgmValueError(f"not a gradient case: a {type(case).__name__}, expected a dict")
    try:
        text = json.dumps(dict(case), default=_to_json, allow_nan=False)
    except TypeError as e:
        raise DeepgmValueError(f"not a gradient case: {e}") from None
    except ValueError:
        raise DeepgmValueError(
            "not a gradient case: a value is not finite (NaN or infinity)"
        ) from None
    out = _native.cnn.grad(text)
    for key in _ARRAYS:
        out[key] = np.asarray(out[key], dtype=np.float64)
    out["grad"] = {k: np.asarray(v, dtype=np.float64) for k, v in out["grad"].items()}
    return out
