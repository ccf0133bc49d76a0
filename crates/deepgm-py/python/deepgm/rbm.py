"""Bernoulli restricted Boltzmann machines: a drop-in for scikit-learn's ``BernoulliRBM``.

:class:`BernoulliRBM` takes scikit-learn's constructor arguments and defaults and trains by
persistent contrastive divergence with one Gibbs step (PCD-1, no momentum, no weight decay) as
scikit-learn does, computed by deepgm's Rust library ``deepgm-rbm``; it adds deepgm's options
(CD-k or PCD-k, momentum, weight decay, binarization), the exact or AIS log-partition function,
the average log-likelihood, and the command line's model files.

Differences from scikit-learn
-----------------------------
- Initialization: weights from N(0, 0.01^2) as in scikit-learn, but the visible biases start at
  the base rates ``log(p / (1 - p))`` of the training data (Hinton's guide) instead of 0.
- Each epoch visits the minibatches in a fresh random order (scikit-learn keeps one order,
  with sizes that differ by at most one); the persistent chains start at the first minibatch's
  data (scikit-learn: hidden states 0) and restart at the data of a minibatch of another size
  (the last one, when ``batch_size`` does not divide the number of samples).
- ``score_samples`` has scikit-learn's definition, but its random units come from deepgm's
  generator (seeded by ``random_state``), so the values differ from scikit-learn's draws.
- The parameters are stored and trained in float32; float64 data is converted for training,
  and :meth:`BernoulliRBM.transform` of float64 data computes in float64.
- ``h_samples_`` holds ``p(h = 1 | v)`` of the persistent chains' visible states (deepgm keeps
  the chains as visible states), not binary hidden samples.
- Sparse matrices are not accepted.
- Pickling keeps the parameters, not the optimizer state (persistent chains, velocities):
  ``partial_fit`` after unpickling starts fresh chains.
"""

from __future__ import annotations

import os
import time
from typing import Any, Dict, Optional, Tuple, Union

import numpy as np

from . import _native

__all__ = ["BernoulliRBM", "NotFittedError"]

ArrayLike = Any
RandomState = Union[None, int, np.random.RandomState, np.random.Generator]


class NotFittedError(ValueError, AttributeError):
    """The estimator is used before ``fit`` (as scikit-learn's ``NotFittedError``, a
    ``ValueError`` and an ``AttributeError``)."""


def _seed(random_state: RandomState) -> int:
    """A 64-bit seed from ``random_state`` (an int is the seed itself; None draws one)."""
    if random_state is None:
        return int(np.random.randint(0, 2**31 - 1))
    if isinstance(random_state, (int, np.integer)):
        if not 0 <= random_state < 2**64:
            raise _native.DeepgmValueError(
                f"invalid random_state {random_state}: expected an integer in [0, 2**64)"
            )
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**63 - 1))
    raise _native.DeepgmValueError(
        f"invalid random_state {random_state!r}: expected None, an int or a RandomState"
    )


def _rows(X: ArrayLike, what: str = "X") -> np.ndarray:
    """``X`` as a 2-D float32 or float64 array (float32 kept, other dtypes as float64)."""
    if hasattr(X, "toarray") and hasattr(X, "nnz"):
        raise TypeError(f"{what}: sparse input is not supported; pass a dense array")
    array = np.asarray(X)
    if np.iscomplexobj(array):
        raise _native.DeepgmValueError(f"Complex data not supported: {what} has dtype {array.dtype}")
    if array.dtype not in (np.float32, np.float64):
        # Integers, booleans and objects holding numbers; anything else raises TypeError.
        array = array.astype(np.float64)
    if array.ndim != 2:
        raise _native.DeepgmValueError(
            f"{what}: expected a 2-D array of shape (n_samples, n_features), got {array.ndim}-D."
            " Reshape your data (X.reshape(-1, 1) for one feature, X.reshape(1, -1) for one sample)"
        )
    return array


class BernoulliRBM:
    """Bernoulli restricted Boltzmann machine trained by persistent contrastive divergence.

    ``p(v, h) = exp(v'Wh + v'b + h'a) / Z`` over binary visible units v and hidden units h;
    ``transform`` gives ``p(h = 1 | v)``, the features a classifier then uses. The defaults
    are scikit-learn's (PCD-1, learning rate 0.1 applied to minibatch-mean gradients, no
    momentum, no weight decay).

    Parameters
    ----------
    n_components : int, default 256
        Number of hidden units.
    learning_rate : float, default 0.1
        Learning rate; the update is ``learning_rate`` times the minibatch-mean gradient, as
        scikit-learn's ``learning_rate / batch_size`` times summed statistics.
    batch_size : int, default 10
        Examples per minibatch.
    n_iter : int, default 10
        Epochs (passes over the training data) of ``fit``.
    verbose : int, default 0
        When not 0, ``fit`` prints each epoch's reconstruction error and time.
    random_state : int, RandomState or None, default None
        Seed of the initialization, the minibatch order, the sampling and the units
        ``score_samples`` flips; None draws a new seed from NumPy's global generator.
    k : int, default 1
        Gibbs steps per update (CD-k or PCD-k).
    persistent : bool, default True
        Persistent chains (PCD) when True, chains restarted at the data (CD) when False.
    momentum : float, default 0.0
        Momentum of the parameter updates (finite, >= 0).
    weight_decay : float, default 0.0
        L2 weight decay on the weights (finite, >= 0).
    binarize : {None, "sample", "threshold"}, default None
        How training data is made binary: None trains on the values as given (probabilities),
        ``"sample"`` sets each value to 1 with its probability (seeded), ``"threshold"`` to 1
        when it is at least 128/255.

    Attributes
    ----------
    components_ : numpy.ndarray, shape (n_components, n_features)
        The weights ``W'``. Like every fitted attribute: a read-only NumPy copy of the Rust
        model's float32 parameters, in the dtype of the training data, made again after each
        ``fit`` / ``partial_fit``.
    intercept_hidden_ : numpy.ndarray, shape (n_components,)
        Hidden biases ``a``.
    intercept_visible_ : numpy.ndarray, shape (n_features,)
        Visible biases ``b``.
    h_samples_ : numpy.ndarray, shape (n_chains, n_components)
        ``p(h = 1 | v)`` of the persistent chains' visible states (no rows for CD).
    n_features_in_ : int
        Number of features seen by ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from deepgm.rbm import BernoulliRBM
    >>> X = np.array([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    >>> rbm = BernoulliRBM(n_components=2, random_state=0).fit(X)
    >>> rbm.transform(X).shape
    (4, 2)
    """

    def __init__(
        self,
        n_components: int = 256,
        *,
        learning_rate: float = 0.1,
        batch_size: int = 10,
        n_iter: int = 10,
        verbose: int = 0,
        random_state: RandomState = None,
        k: int = 1,
        persistent: bool = True,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        binarize: Optional[str] = None,
    ) -> None:
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.verbose = verbose
        self.random_state = random_state
        self.k = k
        self.persistent = persistent
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.binarize = binarize

    # -- scikit-learn's estimator protocol -------------------------------------------------

    _PARAMS = (
        "n_components",
        "learning_rate",
        "batch_size",
        "n_iter",
        "verbose",
        "random_state",
        "k",
        "persistent",
        "momentum",
        "weight_decay",
        "binarize",
    )

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        """The constructor arguments, as scikit-learn's ``BaseEstimator.get_params``.

        Parameters
        ----------
        deep : bool, default True
            Ignored (no parameter is an estimator).

        Returns
        -------
        dict
            Each constructor argument's name and current value.

        Examples
        --------
        >>> BernoulliRBM(n_components=8).get_params()["n_components"]
        8
        """
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params: Any) -> "BernoulliRBM":
        """Set constructor arguments, as scikit-learn's ``BaseEstimator.set_params``.

        Parameters
        ----------
        **params
            Constructor arguments by name.

        Returns
        -------
        BernoulliRBM
            self.

        Raises
        ------
        ValueError
            For a name that is not a constructor argument.

        Examples
        --------
        >>> BernoulliRBM().set_params(n_components=8, k=2).k
        2
        """
        for name, value in params.items():
            if name not in self._PARAMS:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {sorted(self._PARAMS)!r}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = BernoulliRBM()
        changed = [
            f"{name}={getattr(self, name)!r}"
            for name in self._PARAMS
            if getattr(self, name) is not getattr(defaults, name)
            and getattr(self, name) != getattr(defaults, name)
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags (scikit-learn is imported only when it asks for them)."""
        from sklearn.utils import Tags, TargetTags, TransformerTags, InputTags

        return Tags(
            estimator_type=None,
            target_tags=TargetTags(required=False),
            transformer_tags=TransformerTags(preserves_dtype=["float64", "float32"]),
            input_tags=InputTags(),
        )

    def __sklearn_is_fitted__(self) -> bool:
        """Whether ``fit`` or ``partial_fit`` has run."""
        return "_model" in self.__dict__

    def __getstate__(self) -> Dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("_model", "_cache")}
        if "_model" in self.__dict__:
            state["_parameters"] = (
                self._model.weights(),
                self._model.intercept_visible(False),
                self._model.intercept_hidden(False),
            )
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        parameters = state.pop("_parameters", None)
        self.__dict__.update(state)
        if parameters is not None:
            self._model = _native.rbm.Model.from_parameters(*parameters)
            self._cache = {}

    # -- training ---------------------------------------------------------------------------

    def _knobs(self, seed: int) -> Dict[str, Any]:
        return {
            "n_components": self.n_components,
            "learning_rate": self.learning_rate,
            "batch_size": self.batch_size,
            "k": self.k,
            "persistent": self.persistent,
            "momentum": self.momentum,
            "weight_decay": self.weight_decay,
            "seed": seed,
        }

    def _fitted(self) -> Any:
        model = self.__dict__.get("_model")
        if model is None:
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )
        return model

    def _set_model(self, model: Any, dtype: np.dtype, n_features: int) -> None:
        self._model = model
        self._dtype = np.dtype(dtype)
        self._cache: Dict[str, np.ndarray] = {}
        self.n_features_in_ = n_features

    def fit(self, X: ArrayLike, y: Any = None) -> "BernoulliRBM":
        """Train a new model on ``X`` for ``n_iter`` epochs.

        Parameters
        ----------
        X : array-like of float32 or float64, shape (n_samples, n_features)
            Training data, values in [0, 1] (binary states or probabilities); other dtypes
            are converted to float64. float32 C-contiguous data is read without copying.
        y : None
            Ignored.

        Returns
        -------
        BernoulliRBM
            self, fitted.

        Raises
        ------
        deepgm.DeepgmValueError
            A ``ValueError`` naming the problem: a NaN or infinite entry of ``X``, an empty
            ``X``, ``n_components``, ``batch_size`` or ``k`` below 1, a negative or infinite
            ``learning_rate``, ``momentum`` or ``weight_decay``, an unknown ``binarize``, a
            ``random_state`` outside [0, 2**64).
        deepgm.InfeasibleError
            When the model would have more than 2**31 weights.

        Examples
        --------
        >>> rbm = BernoulliRBM(n_components=4, n_iter=2, random_state=0).fit(np.eye(5))
        >>> rbm.components_.shape
        (4, 5)
        """
        X = _rows(X)
        seed = _seed(self.random_state)
        self._seed_ = seed
        begin = time.time()
        model, reports = _native.rbm.Model.fit(X, self.n_iter, self._knobs(seed), self.binarize)
        self._set_model(model, X.dtype, X.shape[1])
        if self.verbose:
            for r in reports:
                print(
                    "[%s] Iteration %d, reconstruction error = %.2f, time = %.2fs"
                    % (type(self).__name__, r["epoch"], r["reconstruction_error"], r["seconds"])
                )
            print("[%s] total time = %.2fs" % (type(self).__name__, time.time() - begin))
        return self

    def partial_fit(self, X: ArrayLike, y: Any = None) -> "BernoulliRBM":
        """One update on all of ``X`` as one minibatch (initializing the model first when
        not fitted), as scikit-learn's ``partial_fit``.

        Parameters
        ----------
        X : array-like of float32 or float64, shape (n_samples, n_features)
            A minibatch, values in [0, 1].
        y : None
            Ignored.

        Returns
        -------
        BernoulliRBM
            self.

        Raises
        ------
        deepgm.DeepgmValueError
            As :meth:`fit`, and when ``X`` does not have ``n_features_in_`` columns or
            ``n_components`` changed since the model was made.

        Examples
        --------
        >>> rbm = BernoulliRBM(n_components=3, random_state=0)
        >>> for batch in np.array_split(np.eye(6), 3):
        ...     rbm = rbm.partial_fit(batch)
        """
        X = _rows(X)
        if "_model" not in self.__dict__:
            seed = _seed(self.random_state)
            self._seed_ = seed
            model, _ = _native.rbm.Model.fit(X, 0, self._knobs(seed), self.binarize)
            self._set_model(model, X.dtype, X.shape[1])
        self._model.partial_fit(X, self._knobs(self._seed_), self.binarize)
        self._cache = {}
        return self

    # -- using the model -------------------------------------------------------------------

    def transform(self, X: ArrayLike) -> np.ndarray:
        """The hidden units' activation probabilities ``p(h = 1 | v)``.

        Parameters
        ----------
        X : array-like of float32 or float64, shape (n_samples, n_features)
            Visible states or probabilities.

        Returns
        -------
        numpy.ndarray, shape (n_samples, n_components)
            ``sigmoid(X @ components_.T + intercept_hidden_)``, float32 for float32 input,
            else float64 (computed in float64).

        Raises
        ------
        NotFittedError
            Before ``fit``.
        deepgm.DeepgmValueError
            When ``X`` has a NaN or infinite entry or not ``n_features_in_`` columns.

        Examples
        --------
        >>> BernoulliRBM(n_components=2, random_state=0).fit(np.eye(3)).transform(np.eye(3)).shape
        (3, 2)
        """
        model = self._fitted()
        return model.transform(_rows(X))

    def fit_transform(self, X: ArrayLike, y: Any = None) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``.

        Parameters
        ----------
        X : array-like of float32 or float64, shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.

        Returns
        -------
        numpy.ndarray, shape (n_samples, n_components)
            The hidden units' probabilities of ``X``.

        Raises
        ------
        deepgm.DeepgmValueError
            As :meth:`fit`.

        Examples
        --------
        >>> BernoulliRBM(n_components=2, random_state=0).fit_transform(np.eye(3)).shape
        (3, 2)
        """
        return self.fit(X).transform(X)

    def score_samples(self, X: ArrayLike) -> np.ndarray:
        """scikit-learn's pseudo-log-likelihood proxy of each sample: one uniformly chosen
        unit of each row is flipped and ``n_features * log sigmoid(F(v~) - F(v))`` returned.

        Parameters
        ----------
        X : array-like of float32 or float64, shape (n_samples, n_features)
            Binary visible states.

        Returns
        -------
        numpy.ndarray, shape (n_samples,)
            The values, in the dtype of ``X``; the flipped units are chosen from
            ``random_state`` (an int gives the same units every call).

        Raises
        ------
        NotFittedError
            Before ``fit``.
        deepgm.DeepgmValueError
            When ``X`` has a NaN or infinite entry or not ``n_features_in_`` columns.

        Examples
        --------
        >>> rbm = BernoulliRBM(n_components=2, random_state=0).fit(np.eye(3))
        >>> rbm.score_samples(np.eye(3)).shape
        (3,)
        """
        model = self._fitted()
        return model.score_samples(_rows(X), _seed(self.random_state))

    def gibbs(self, v: ArrayLike) -> np.ndarray:
        """One block-Gibbs step ``v -> h -> v``.

        Parameters
        ----------
        v : array-like of float32 or float64, shape (n_samples, n_features)
            Visible states to start from.

        Returns
        -------
        numpy.ndarray, shape (n_samples, n_features)
            A binary sample of the visible units (0.0 or 1.0, in the dtype of ``v``), drawn
            with a seed from ``random_state``.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        deepgm.DeepgmValueError
            When ``v`` has a NaN or infinite entry or not ``n_features_in_`` columns.

        Examples
        --------
        >>> rbm = BernoulliRBM(n_components=2, random_state=0).fit(np.eye(3))
        >>> sorted(set(rbm.gibbs(np.eye(3)).ravel()) - {0.0, 1.0})
        []
        """
        model = self._fitted()
        return model.gibbs(_rows(v, "v"), _seed(self.random_state))

    def log_partition(
        self,
        method: str = "exact",
        ais_runs: int = 100,
        ais_betas: int = 14500,
        seed: int = 0,
    ) -> Tuple[float, float, float]:
        """The log partition function ``log Z``.

        Parameters
        ----------
        method : {"exact", "ais"}, default "exact"
            ``"exact"`` sums over every configuration of the smaller layer (at most 30
            units); ``"ais"`` estimates it by annealed importance sampling (Salakhutdinov and
            Murray 2008) from the base-rate model of the training data (for a loaded model:
            of its own visible biases).
        ais_runs : int, default 100
            AIS runs (at least 1).
        ais_betas : int, default 14500
            AIS inverse temperatures (at least 3).
        seed : int, default 0
            Seed of AIS.

        Returns
        -------
        log_z : float
            ``log Z`` (nats), or its AIS estimate.
        low, high : float
            The AIS estimate's 3-standard-error band (``-inf`` when its lower end is not
            positive); both ``log_z`` when exact.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        deepgm.InfeasibleError
            For ``"exact"`` when the smaller layer has more than 30 units.
        deepgm.DeepgmValueError
            For another method, or ``ais_runs`` / ``ais_betas`` too small.

        Examples
        --------
        >>> rbm = BernoulliRBM(n_components=3, random_state=0).fit(np.eye(4))
        >>> log_z, low, high = rbm.log_partition()
        >>> low == log_z == high
        True
        """
        return self._fitted().log_partition(method, ais_runs, ais_betas, seed)

    def score_report(
        self,
        X: ArrayLike,
        method: Optional[str] = None,
        ais_runs: int = 100,
        ais_betas: int = 14500,
        seed: int = 0,
    ) -> Dict[str, Any]:
        """The measures of ``deepgm rbm score --json`` on ``X``.

        Parameters
        ----------
        X : array-like of float32 or float64, shape (n_samples, n_features)
            Binary visible states.
        method : {None, "exact", "ais"}, default None
            How ``log Z`` is computed; None: exactly when the smaller layer has at most 25
            units, else by AIS.
        ais_runs, ais_betas, seed : int
            As :meth:`log_partition`.

        Returns
        -------
        dict
            ``method``, ``log_z``, ``log_z_low``, ``log_z_high``, ``avg_log_prob`` (nats per
            example), ``recon_error``, ``pseudo_log_likelihood``, ``examples``, ``hidden``.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        deepgm.DeepgmValueError
            As :meth:`transform` and :meth:`log_partition`.

        Examples
        --------
        >>> rbm = BernoulliRBM(n_components=3, random_state=0).fit(np.eye(4))
        >>> rbm.score_report(np.eye(4))["method"]
        'exact'
        """
        return self._fitted().score_report(_rows(X), method, ais_runs, ais_betas, seed)

    def log_likelihood(
        self,
        X: ArrayLike,
        method: Optional[str] = None,
        ais_runs: int = 100,
        ais_betas: int = 14500,
        seed: int = 0,
    ) -> float:
        """The average log-probability ``log p(v) = -F(v) - log Z`` of the rows of ``X``.

        Parameters
        ----------
        X : array-like of float32 or float64, shape (n_samples, n_features)
            Binary visible states.
        method, ais_runs, ais_betas, seed
            How ``log Z`` is computed, as :meth:`score_report`.

        Returns
        -------
        float
            Nats per example.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        deepgm.DeepgmValueError
            As :meth:`score_report`.

        Examples
        --------
        >>> rbm = BernoulliRBM(n_components=3, random_state=0).fit(np.eye(4))
        >>> rbm.log_likelihood(np.eye(4)) < 0
        True
        """
        return float(self.score_report(X, method, ais_runs, ais_betas, seed)["avg_log_prob"])

    # -- files ------------------------------------------------------------------------------

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Write the model as ``deepgm rbm train`` does (safetensors ``W`` (D x P), ``b``,
        ``a`` in float32, with the training parameters as metadata).

        Parameters
        ----------
        path : str or os.PathLike
            The file (written atomically).

        Raises
        ------
        NotFittedError
            Before ``fit``.
        OSError
            When the file cannot be written.

        Examples
        --------
        >>> rbm = BernoulliRBM(n_components=3, random_state=0).fit(np.eye(4))
        >>> rbm.save("rbm.safetensors")
        """
        self._fitted().save(os.fspath(path), self.binarize)

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "BernoulliRBM":
        """Read a model written by :meth:`save` or ``deepgm rbm train``.

        Parameters
        ----------
        path : str or os.PathLike
            A safetensors file with float32 ``W`` (D x P), ``b`` (D) and ``a`` (P).

        Returns
        -------
        BernoulliRBM
            A fitted estimator with ``n_components`` P (other arguments at their defaults;
            the file's metadata in ``metadata_``), whose attributes are float32.

        Raises
        ------
        FileNotFoundError
            When the file does not exist.
        deepgm.FormatError
            When it is not such a file.

        Examples
        --------
        >>> BernoulliRBM(n_components=3, random_state=0).fit(np.eye(4)).save("rbm.safetensors")
        >>> BernoulliRBM.load("rbm.safetensors").n_components
        3
        """
        model, metadata = _native.rbm.Model.load(os.fspath(path))
        est = cls(n_components=model.hidden)
        est._seed_ = 0
        est._set_model(model, np.float32, model.visible)
        est.metadata_ = dict(metadata)
        return est

    # -- fitted attributes ----------------------------------------------------------------

    def _attribute(self, name: str) -> np.ndarray:
        model = self._fitted()
        cache = self.__dict__.setdefault("_cache", {})
        if name not in cache:
            f64 = self._dtype == np.float64
            array = getattr(model, name)(f64)
            array.flags.writeable = False
            cache[name] = array
        return cache[name]

    @property
    def components_(self) -> np.ndarray:
        """The weights ``W'``, shape (n_components, n_features) (a read-only copy)."""
        return self._attribute("components")

    @property
    def intercept_hidden_(self) -> np.ndarray:
        """The hidden biases, shape (n_components,) (a read-only copy)."""
        return self._attribute("intercept_hidden")

    @property
    def intercept_visible_(self) -> np.ndarray:
        """The visible biases, shape (n_features,) (a read-only copy)."""
        return self._attribute("intercept_visible")

    @property
    def h_samples_(self) -> np.ndarray:
        """``p(h = 1 | v)`` of the persistent chains, shape (n_chains, n_components)."""
        return self._attribute("h_samples")
