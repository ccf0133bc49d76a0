"""Discrete Bayesian networks, with pgmpy's names.

:class:`BayesianNetwork` reads and writes BIF, XMLBIF and UAI files (gzipped or not, and the built-in
``builtin:asia`` and ``builtin:alarm``), answers exact queries (pruned variable elimination or a
junction tree), the most probable explanation and the probability of evidence, samples, estimates
tables from data and learns structures (:meth:`BayesianNetwork.learn`, :func:`structure_score`).
:meth:`BayesianNetwork.compile` gives a :class:`CompiledNetwork`, a junction tree built once that
answers many evidence sets, re-propagating only what changes. :class:`MarkovNetwork` holds a
factor graph (a UAI ``MARKOV`` file, or ``BayesianNetwork.to_markov_model()``) and answers its
marginals, ``ln Z(e)`` and MAP assignment exactly.
Every computation is deepgm's Rust library, run with the GIL released.

Data are complete tables of state names: a pandas ``DataFrame`` or a dict mapping each variable
name to a sequence of state names (``str``), one per row.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _native

__all__ = ["BayesianNetwork", "CompiledNetwork", "MarkovNetwork", "structure_score"]

PathLike = Union[str, "os.PathLike[str]"]
Evidence = Mapping[str, str]
Marginals = Dict[str, Dict[str, float]]


def _evidence(evidence: Optional[Evidence]) -> List[Tuple[str, str]]:
    if evidence is None:
        return []
    if not isinstance(evidence, Mapping):
        raise TypeError(
            f"evidence must be a dict {{variable: state}}, not {type(evidence).__name__}"
        )
    return list(evidence.items())


def _targets(variables: Optional[Union[str, Sequence[str]]]) -> Optional[List[str]]:
    if variables is None:
        return None
    if isinstance(variables, str):
        return [variables]
    return list(variables)


def _columns(data: Any) -> List[Tuple[str, List[str]]]:
    """A DataFrame or a dict of columns as ``[(name, [state, ...])]``."""
    if hasattr(data, "columns") and hasattr(data, "__getitem__") and not isinstance(data, Mapping):
        return [(str(name), data[name].tolist()) for name in data.columns]
    if isinstance(data, Mapping):
        return [(str(name), list(values)) for name, values in data.items()]
    raise TypeError(
        "data must be a pandas DataFrame or a dict of columns of state names, not "
        f"{type(data).__name__}"
    )


def _split_estimate(answer: Dict[str, Any]) -> Tuple[Marginals, Dict[str, Any]]:
    marginals = answer.pop("marginals")
    detail = answer.pop("detail")
    answer.update(detail)
    return marginals, answer


class BayesianNetwork:
    """A discrete Bayesian network: variables with named states and one table each.

    Build one with :meth:`read`, :meth:`fit` or :meth:`learn`. Networks are immutable; the
    methods that change tables return a new network.

    Examples
    --------
    >>> net = deepgm.bn.BayesianNetwork.read("builtin:asia")
    >>> net.query(["lung"], evidence={"smoke": "yes"})
    {'lung': {'no': 0.9, 'yes': 0.1}}
    """

    __slots__ = ("_net",)

    def __init__(self, _network: Any) -> None:
        # Internal: wrap a native network. Use read, fit or learn.
        if not isinstance(_network, _native.bn.Network):
            raise TypeError("use BayesianNetwork.read(path), fit or learn to make a network")
        self._net = _network

    # ------------------------------------------------------------------ files
    @staticmethod
    def read(path: PathLike) -> "BayesianNetwork":
        """Read a network file.

        Parameters
        ----------
        path : str or os.PathLike
            A BIF (``.bif``), XMLBIF (``.xml``, ``.xmlbif``) or UAI ``BAYES`` (``.uai``) file,
            gzipped or not (``.gz``, also recognized by its bytes), or ``"builtin:asia"`` /
            ``"builtin:alarm"``. (A UAI ``MARKOV`` file is a :class:`MarkovNetwork`.)

        Returns
        -------
        BayesianNetwork

        Raises
        ------
        FileNotFoundError
            When the file does not exist, or for an unknown ``builtin:`` name.
        deepgm.FormatError
            When the file is not a valid network (``path``, ``line`` and ``column`` say where):
            bad syntax, a cycle, tables of the wrong size or rows that do not sum to 1.
        OSError
            When the file cannot be read or its gzip stream is corrupt.

        Examples
        --------
        >>> net = deepgm.bn.BayesianNetwork.read("builtin:alarm")
        >>> len(net.variables)
        37
        """
        return BayesianNetwork(_native.bn.Network.read(os.fspath(path)))

    def write(self, path: PathLike) -> None:
        """Write the network to a file, in the format its extension names.

        Parameters
        ----------
        path : str or os.PathLike
            ``.bif`` or ``.xml`` / ``.xmlbif``, optionally followed by ``.gz``. Written
            atomically (a temporary file renamed into place).

        Raises
        ------
        deepgm.DeepgmValueError
            For an extension that names no known format.
        OSError
            When the file cannot be written.

        Examples
        --------
        >>> net.write("asia.xmlbif")
        >>> deepgm.bn.BayesianNetwork.read("asia.xmlbif") == net
        True
        """
        self._net.write(os.fspath(path))

    def to_bif(self) -> str:
        """The network as BIF text.

        Returns
        -------
        str

        Examples
        --------
        >>> net.to_bif().startswith("network")
        True
        """
        return self._net.to_bif()

    # --------------------------------------------------------------- structure
    @property
    def name(self) -> str:
        """The network's name (from the file's ``network`` block).

        Examples
        --------
        >>> deepgm.bn.BayesianNetwork.read("builtin:alarm").name
        'unknown'
        """
        return self._net.name

    @property
    def variables(self) -> List[str]:
        """Variable names in file order.

        Examples
        --------
        >>> deepgm.bn.BayesianNetwork.read("builtin:asia").variables[:3]
        ['asia', 'tub', 'smoke']
        """
        return self._net.variables()

    @property
    def n_parameters(self) -> int:
        """The number of free parameters (each table row has one fewer than its states).

        Examples
        --------
        >>> deepgm.bn.BayesianNetwork.read("builtin:asia").n_parameters
        18
        """
        return self._net.n_parameters()

    def states(self, variable: str) -> List[str]:
        """The state names of a variable, in the order of its table.

        Parameters
        ----------
        variable : str

        Returns
        -------
        list of str

        Raises
        ------
        deepgm.DeepgmValueError
            When the network has no such variable (the message suggests close names).

        Examples
        --------
        >>> net.states("smoke")
        ['yes', 'no']
        """
        return self._net.states(variable)

    def parents(self, variable: str) -> List[str]:
        """The parents of a variable, in the order of its table's axes (see :meth:`cpd`).

        Parameters
        ----------
        variable : str

        Returns
        -------
        list of str

        Raises
        ------
        deepgm.DeepgmValueError
            When the network has no such variable.

        Examples
        --------
        >>> net.parents("either")
        ['lung', 'tub']
        """
        return self._net.parents(variable)

    def edges(self) -> List[Tuple[str, str]]:
        """The arcs as ``(parent, child)`` pairs, child by child in variable order.

        Returns
        -------
        list of (str, str)

        Examples
        --------
        >>> net.edges()[:2]
        [('asia', 'tub'), ('smoke', 'lung')]
        """
        return self._net.edges()

    def cpd(self, variable: str) -> np.ndarray:
        """The conditional probability table of a variable, in pgmpy's layout.

        Parameters
        ----------
        variable : str

        Returns
        -------
        numpy.ndarray of float64, shape (card(variable), card(p1), card(p2), ...)
            ``cpd[x, a, b, ...] = P(variable = x | p1 = a, p2 = b, ...)`` with the parents of
            :meth:`parents` in order: the layout of pgmpy's ``get_cpds(variable).values``. A
            read-only-by-convention view (axes moved) of a fresh copy of the table.

        Raises
        ------
        deepgm.DeepgmValueError
            When the network has no such variable.

        Examples
        --------
        >>> net.cpd("either").shape
        (2, 2, 2)
        >>> float(net.cpd("smoke")[0])
        0.5
        """
        values, parent_cards, child_card = self._net.cpt(variable)
        table = values.reshape(tuple(parent_cards) + (child_card,))
        return np.moveaxis(table, -1, 0)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BayesianNetwork):
            return NotImplemented
        return bool(self._net.same_as(other._net))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        n = len(self.variables)
        return (
            f"<BayesianNetwork {self.name!r}: {n} variables, {len(self.edges())} arcs, "
            f"{self.n_parameters} free parameters>"
        )

    def to_markov_model(self) -> "MarkovNetwork":
        """The network's factors as a :class:`MarkovNetwork` (pgmpy's name).

        One factor per table, over the variable's parents and the variable (the table's
        layout); its partition function is 1 and ``Z(e)`` is ``P(e)``.

        Returns
        -------
        MarkovNetwork

        Examples
        --------
        >>> net.to_markov_model().variables == net.variables
        True
        """
        return MarkovNetwork(_native.bn.MarkovNetwork.from_bayesian(self._net))

    # ----------------------------------------------------------- exact inference
    def query(
        self,
        variables: Optional[Union[str, Sequence[str]]] = None,
        evidence: Optional[Evidence] = None,
        method: str = "auto",
        max_memory: Optional[Union[int, str]] = None,
    ) -> Marginals:
        """Exact posterior marginals.

        Parameters
        ----------
        variables : str or sequence of str, optional
            The variables asked about; every unobserved variable when None.
        evidence : dict of str to str, optional
            Observed states, ``{variable: state}``.
        method : {"auto", "jt", "ve"}, default "auto"
            A junction tree (``"jt"``), variable elimination per variable (``"ve"``) or the
            cheaper of the two by their plans (``"auto"``). All give the same answer up to
            rounding.
        max_memory : int or str, optional
            The most memory the computation's tables may take at once: bytes, or a size such
            as ``"4GiB"`` or ``"500MB"`` (None: the library's default, half the memory available
            on the machine); a plan whose peak is above it is refused before anything is
            allocated.

        Returns
        -------
        dict of str to dict of str to float
            ``{variable: {state: P(variable = state | evidence)}}``, keys sorted by name (the
            keys of ``deepgm bn query --json``).

        Raises
        ------
        deepgm.DeepgmValueError
            For an unknown variable or state, a variable both asked and observed, evidence of
            probability zero, or an unknown method.
        deepgm.InfeasibleError
            When the computation needs more than ``max_memory``.

        Examples
        --------
        >>> net.query(["lung"], evidence={"smoke": "yes"})["lung"]["yes"]
        0.1
        """
        return self._net.marginals(
            _targets(variables), _evidence(evidence), method, max_memory
        )

    def query_report(
        self,
        variables: Optional[Union[str, Sequence[str]]] = None,
        evidence: Optional[Evidence] = None,
        method: str = "auto",
        max_memory: Optional[Union[int, str]] = None,
    ) -> Dict[str, Any]:
        """:meth:`query` with the whole report, as ``deepgm bn query --json`` prints it.

        Parameters
        ----------
        variables, evidence, method, max_memory
            As :meth:`query`.

        Returns
        -------
        dict
            ``marginals`` (as :meth:`query` returns them), ``log_evidence`` (natural log of
            P(evidence)), ``method`` (``"jt"`` or ``"ve"``, the one that ran), ``evidence``
            and ``detail`` (``pruned_variables``, ``table_entries``,
            ``largest_table_entries``, ``induced_width``).

        Raises
        ------
        deepgm.DeepgmValueError, deepgm.InfeasibleError
            As :meth:`query`.

        Examples
        --------
        >>> round(net.query_report(evidence={"dysp": "yes"})["log_evidence"], 4)
        -0.8302
        """
        return self._net.query(
            _targets(variables), _evidence(evidence), method, max_memory
        )

    def compile(self, max_memory: Optional[Union[int, str]] = None) -> "CompiledNetwork":
        """Compile the network once for many queries with changing evidence.

        The whole network is triangulated once into a junction tree, each table multiplied
        into its clique, and the tree propagated once without evidence. Each
        :meth:`CompiledNetwork.query` then recomputes only the messages the new evidence
        changes and calibrates only the cliques its answers are read from.

        Parameters
        ----------
        max_memory : int or str, optional
            The most memory the compiled tree may take: bytes, or a size such as ``"4GiB"`` or
            ``"500MB"`` (None: the library's default, half the memory available on the
            machine). Checked before any table is allocated.

        Returns
        -------
        CompiledNetwork

        Raises
        ------
        deepgm.InfeasibleError
            When the tree needs more than ``max_memory``.
        deepgm.DeepgmValueError
            For a ``max_memory`` below one byte or an unreadable size.

        Examples
        --------
        >>> compiled = net.compile()
        >>> compiled.query(["lung"], evidence={"smoke": "yes"})["lung"]["yes"]
        0.1
        """
        return CompiledNetwork(self._net.compile(max_memory), self)

    def log_evidence(
        self, evidence: Optional[Evidence] = None, max_memory: Optional[Union[int, str]] = None
    ) -> float:
        """The natural log of the probability of the evidence, ``log P(e)``.

        Parameters
        ----------
        evidence : dict of str to str, optional
            ``{variable: state}``; no evidence gives 0.
        max_memory : int or str, optional
            As :meth:`query`.

        Returns
        -------
        float

        Raises
        ------
        deepgm.DeepgmValueError
            For an unknown variable or state, or evidence of probability zero.
        deepgm.InfeasibleError
            When the elimination needs more than ``max_memory``.

        Examples
        --------
        >>> round(net.log_evidence({"smoke": "yes"}), 6)
        -0.693147
        """
        return self._net.log_evidence(_evidence(evidence), max_memory)

    def map_query(
        self, evidence: Optional[Evidence] = None, max_memory: Optional[Union[int, str]] = None
    ) -> Tuple[Dict[str, str], float]:
        """The most probable explanation: the jointly most probable full assignment.

        Parameters
        ----------
        evidence : dict of str to str, optional
            ``{variable: state}``.
        max_memory : int or str, optional
            As :meth:`query`.

        Returns
        -------
        assignment : dict of str to str
            The state of every variable (observed ones at their evidence), keys sorted by name.
            (pgmpy's ``map_query`` returns the unobserved ones only.)
        log_prob : float
            Natural log of the joint probability ``P(x)`` of that assignment.

        Raises
        ------
        deepgm.DeepgmValueError
            For an unknown variable or state, or evidence of probability zero.
        deepgm.InfeasibleError
            When the elimination needs more than ``max_memory``.

        Examples
        --------
        >>> assignment, log_prob = net.map_query({"dysp": "yes"})
        >>> assignment["bronc"]
        'yes'
        """
        found = self._net.mpe(_evidence(evidence), max_memory)
        return found["assignment"], found["log_prob"]

    # ----------------------------------------------------------------- sampling
    def simulate(self, n_samples: int = 1000, seed: int = 0) -> "Any":
        """Draw exact samples of the joint distribution (forward sampling).

        Parameters
        ----------
        n_samples : int, default 1000
            Rows to draw (0 gives an empty table).
        seed : int, default 0
            Seed of the generator; the same seed gives the same rows on every machine.

        Returns
        -------
        pandas.DataFrame
            One column per variable (in variable order) of state names (``str``), one row per
            sample.

        Raises
        ------
        ImportError
            When pandas is not installed (``pip install deepgm[pandas]``).
        deepgm.DeepgmValueError
            For a negative ``n_samples``.

        Examples
        --------
        >>> df = net.simulate(5, seed=1)
        >>> df.shape
        (5, 8)
        """
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError(
                "BayesianNetwork.simulate returns a pandas DataFrame: pip install deepgm[pandas]"
            ) from e
        columns = self._net.simulate(n_samples, seed)
        return pd.DataFrame(
            {
                name: np.asarray(states, dtype=object)[codes]
                for name, codes, states in columns
            },
            columns=[name for name, _, _ in columns],
        )

    def likelihood_weighting(
        self,
        variables: Optional[Union[str, Sequence[str]]] = None,
        evidence: Optional[Evidence] = None,
        n_samples: Optional[int] = None,
        seed: int = 0,
    ) -> Tuple[Marginals, Dict[str, Any]]:
        """Approximate posterior marginals by likelihood weighting.

        Parameters
        ----------
        variables : str or sequence of str, optional
            As :meth:`query`.
        evidence : dict of str to str, optional
            As :meth:`query`.
        n_samples : int, optional
            Weighted samples, at least 1 (the library's default, 100,000, when None).
        seed : int, default 0
            Seed of the generator.

        Returns
        -------
        marginals : dict of str to dict of str to float
            As :meth:`query` returns them.
        detail : dict
            ``log_evidence`` (the estimate of log P(e)), ``samples``, ``effective_samples``
            (Kish's effective sample size), ``seed``, ``method`` (``"lw"``) and ``evidence``.

        Raises
        ------
        deepgm.DeepgmValueError
            For an unknown variable or state, ``n_samples`` below 1, or evidence no sample
            can reach.

        Examples
        --------
        >>> marginals, detail = net.likelihood_weighting(["lung"], {"smoke": "yes"}, 20000)
        >>> abs(marginals["lung"]["yes"] - 0.1) < 0.01
        True
        """
        answer = self._net.likelihood_weighting(
            _targets(variables), _evidence(evidence), n_samples, seed
        )
        return _split_estimate(answer)

    def gibbs(
        self,
        variables: Optional[Union[str, Sequence[str]]] = None,
        evidence: Optional[Evidence] = None,
        n_samples: Optional[int] = None,
        burn_in: Optional[int] = None,
        seed: int = 0,
    ) -> Tuple[Marginals, Dict[str, Any]]:
        """Approximate posterior marginals by (blocked) Gibbs sampling.

        Parameters
        ----------
        variables : str or sequence of str, optional
            As :meth:`query`.
        evidence : dict of str to str, optional
            As :meth:`query`.
        n_samples : int, optional
            Sweeps counted after the burn-in, at least 1 (the library's default, 100,000,
            when None).
        burn_in : int, optional
            Sweeps discarded first (the library's default, 1,000, when None).
        seed : int, default 0
            Seed of the generator.

        Returns
        -------
        marginals : dict of str to dict of str to float
            As :meth:`query` returns them.
        detail : dict
            ``log_evidence`` (None: Gibbs sampling cannot estimate it), ``samples``,
            ``effective_samples`` (a batch-means estimate), ``seed``, ``method``
            (``"gibbs"``) and ``evidence``.

        Raises
        ------
        deepgm.DeepgmValueError
            For an unknown variable or state, ``n_samples`` below 1, or evidence for which no
            starting state can be found.

        Examples
        --------
        >>> marginals, detail = net.gibbs(["lung"], {"smoke": "yes"}, 20000, seed=3)
        >>> detail["log_evidence"] is None
        True
        """
        answer = self._net.gibbs(
            _targets(variables), _evidence(evidence), n_samples, burn_in, seed
        )
        return _split_estimate(answer)

    # ----------------------------------------------------------------- learning
    def fit(
        self,
        data: Any,
        prior: str = "mle",
        equivalent_sample_size: float = 1.0,
    ) -> "BayesianNetwork":
        """Estimate the tables of this structure from complete data.

        Parameters
        ----------
        data : pandas.DataFrame or dict of str to sequence of str
            One column per variable of the network (any order, each exactly once) of state
            names, one row per observation.
        prior : {"mle", "bdeu"}, default "mle"
            Maximum likelihood (pgmpy's ``MaximumLikelihoodEstimator``; a parent configuration
            never seen gets the uniform row) or the posterior mean under the BDeu prior
            (pgmpy's ``BayesianEstimator(prior_type="BDeu")``).
        equivalent_sample_size : float, default 1.0
            The BDeu prior's total pseudo-count per variable, finite and > 0 (used by
            ``"bdeu"`` only).

        Returns
        -------
        BayesianNetwork
            A new network with this one's variables, states and arcs.

        Raises
        ------
        deepgm.DeepgmValueError
            For a missing, unknown or repeated column, columns of different lengths, an
            unknown state (with its row), an unknown prior or a bad
            ``equivalent_sample_size``.
        TypeError
            When a cell is not a ``str`` or ``data`` is neither a DataFrame nor a dict.

        Examples
        --------
        >>> learned = net.fit(net.simulate(10000), prior="bdeu", equivalent_sample_size=5)
        >>> learned.cpd("smoke").shape
        (2,)
        """
        return BayesianNetwork(
            self._net.fit(_columns(data), prior, float(equivalent_sample_size))
        )

    @staticmethod
    def learn(
        data: Any,
        score: str = "bic",
        equivalent_sample_size: float = 1.0,
        max_indegree: Optional[int] = None,
        tabu_length: Optional[int] = None,
        restarts: Optional[int] = None,
        seed: int = 0,
        prior: str = "mle",
        perturb: Optional[int] = None,
        patience: Optional[int] = None,
        tolerance: Optional[float] = None,
        keep_constant: bool = False,
        return_report: bool = False,
    ) -> Any:
        """Learn a structure by hill climbing with a tabu list and restarts, then fit it.

        Parameters
        ----------
        data : pandas.DataFrame or dict of str to sequence of str
            Complete data: one column per variable, of state names. A variable's states are
            the distinct values of its column, sorted.
        score : {"bic", "aic", "k2", "bdeu", "ll"}, default "bic"
            The decomposable score maximized (pgmpy's ``BIC``, ``AIC``, ``K2``, ``BDeu``; ``ll``
            the plain log-likelihood).
        equivalent_sample_size : float, default 1.0
            For the ``"bdeu"`` score and prior.
        max_indegree : int, optional
            The most parents a variable may have (no limit when None).
        tabu_length : int, optional
            How many recent moves may not be undone (library default 100).
        restarts : int, optional
            Random restarts after the first climb (library default 10).
        seed : int, default 0
            Seed of the restarts' perturbations.
        prior : {"mle", "bdeu"}, default "mle"
            How the learned graph's tables are estimated (as :meth:`fit`).
        perturb, patience, tolerance : optional
            The library's search knobs (random moves per restart, default 3; steps without
            improvement before a climb stops, default 10, 0 for plain hill climbing as
            pgmpy's ``HillClimbSearch``; the least improvement a step must bring, default
            1e-4).
        keep_constant : bool, default False
            Keep columns with one value (unconnected) instead of refusing them.
        return_report : bool, default False
            Also return the search's report.

        Returns
        -------
        BayesianNetwork
            The learned graph with fitted tables.
        report : dict
            Only with ``return_report``: ``score``, ``score_name``, ``arcs``, ``iterations``,
            ``families_scored``, ``improving_restarts`` and ``notes`` (states seen once,
            constant columns kept).

        Raises
        ------
        deepgm.DeepgmValueError
            For fewer than two columns, a constant column (unless ``keep_constant``), no rows,
            an empty value, columns of different lengths, an unknown score or prior, or a
            parameter out of range (the message names it).
        TypeError
            When a cell is not a ``str``.

        Examples
        --------
        >>> learned = deepgm.bn.BayesianNetwork.learn(net.simulate(5000), restarts=2)
        >>> sorted(learned.variables) == sorted(net.variables)
        True
        """
        native, report = _native.bn.learn(
            _columns(data),
            score,
            float(equivalent_sample_size),
            prior,
            max_indegree=max_indegree,
            tabu_length=tabu_length,
            restarts=restarts,
            perturb=perturb,
            patience=patience,
            tolerance=tolerance,
            seed=seed,
            keep_constant=keep_constant,
        )
        net = BayesianNetwork(native)
        return (net, report) if return_report else net


class CompiledNetwork:
    """A Bayesian network compiled into a junction tree, for many queries.

    Made by :meth:`BayesianNetwork.compile`. Every answer equals
    :meth:`BayesianNetwork.query`'s to 1e-12 (the same exact posteriors), and an engine's
    answer to an evidence set does not depend, to the last bit, on the evidence sets it was
    asked before. Queries on one engine run one at a time (it keeps the messages of the last
    one); use one engine per thread.

    Examples
    --------
    >>> compiled = deepgm.bn.BayesianNetwork.read("builtin:asia").compile()
    >>> for smoke in ["yes", "no"]:
    ...     print(round(compiled.query(["lung"], {"smoke": smoke})["lung"]["yes"], 2))
    0.1
    0.01
    """

    __slots__ = ("_compiled", "_network")

    def __init__(self, _compiled: Any, _network: BayesianNetwork) -> None:
        # Internal: use BayesianNetwork.compile.
        if not isinstance(_compiled, _native.bn.CompiledNetwork):
            raise TypeError("use BayesianNetwork.compile() to make a compiled network")
        self._compiled = _compiled
        self._network = _network

    @property
    def network(self) -> BayesianNetwork:
        """The network that was compiled.

        Examples
        --------
        >>> compiled.network.name
        'unknown'
        """
        return self._network

    @property
    def detail(self) -> Dict[str, Any]:
        """The compiled tree's sizes.

        Returns
        -------
        dict
            ``pruned_variables`` (every variable), ``table_entries`` (cliques and separators),
            ``largest_table_entries``, ``peak_bytes`` (the planned memory), ``induced_width``
            and ``cliques``.

        Examples
        --------
        >>> compiled.detail["cliques"]
        6
        """
        return self._compiled.detail()

    def query(
        self,
        variables: Optional[Union[str, Sequence[str]]] = None,
        evidence: Optional[Evidence] = None,
    ) -> Marginals:
        """Exact posterior marginals, as :meth:`BayesianNetwork.query` returns them.

        Parameters
        ----------
        variables : str or sequence of str, optional
            The variables asked about; every unobserved variable when None.
        evidence : dict of str to str, optional
            Observed states, ``{variable: state}``.

        Returns
        -------
        dict of str to dict of str to float
            ``{variable: {state: probability}}``, variables sorted by name, states in the
            order of the variable's table.

        Raises
        ------
        deepgm.DeepgmValueError
            For an unknown variable or state, a variable both asked and observed, or evidence
            of probability zero (the engine stays usable).

        Examples
        --------
        >>> compiled.query(["lung"], evidence={"smoke": "yes"})
        {'lung': {'yes': 0.1, 'no': 0.9}}
        """
        return self._compiled.marginals(_targets(variables), _evidence(evidence))

    def query_report(
        self,
        variables: Optional[Union[str, Sequence[str]]] = None,
        evidence: Optional[Evidence] = None,
    ) -> Dict[str, Any]:
        """:meth:`query` with the whole report, as ``deepgm bn query --json`` prints it.

        Parameters
        ----------
        variables, evidence
            As :meth:`query`.

        Returns
        -------
        dict
            ``marginals`` (as :meth:`query` returns them), ``log_evidence`` (natural log of
            P(evidence)), ``method`` (``"jt"``), ``evidence`` and ``detail`` (the compiled
            tree's sizes, as :attr:`detail` without ``cliques``).

        Raises
        ------
        deepgm.DeepgmValueError
            As :meth:`query`.

        Examples
        --------
        >>> round(compiled.query_report(evidence={"dysp": "yes"})["log_evidence"], 4)
        -0.8302
        """
        return self._compiled.query(_targets(variables), _evidence(evidence))

    def __repr__(self) -> str:
        detail = self.detail
        return (
            f"<CompiledNetwork of {self._network.name!r}: {detail['cliques']} cliques, "
            f"{detail['table_entries']:.0f} table entries>"
        )


class MarkovNetwork:
    """A discrete Markov network (factor graph): variables with named states and factors.

    The UAI competitions' models: :meth:`read` takes a UAI file (``MARKOV``, or ``BAYES``
    converted to its factors), and ``BayesianNetwork.to_markov_model`` converts a Bayesian
    network. The answers are exact (variable elimination or a junction tree, on each connected
    component of the evidence-reduced graph), as ``deepgm bn query NET.uai`` gives them. In a
    UAI file variables are named by their index (``"0"``, ``"1"``, ...) and states by theirs.

    Examples
    --------
    >>> import deepgm
    >>> asia = deepgm.bn.BayesianNetwork.read("builtin:asia")
    >>> net = asia.to_markov_model()
    >>> round(net.query(["lung"], {"smoke": "yes"})["lung"]["yes"], 6)
    0.1
    >>> abs(net.log_partition()) < 1e-12  # the factors of a Bayesian network sum to 1
    True
    """

    __slots__ = ("_net",)

    def __init__(self, _network: Any) -> None:
        # Internal: wrap a native network. Use read or BayesianNetwork.to_markov_model.
        if not isinstance(_network, _native.bn.MarkovNetwork):
            raise TypeError(
                "use MarkovNetwork.read(path) or BayesianNetwork.to_markov_model() to make one"
            )
        self._net = _network

    @staticmethod
    def read(path: PathLike) -> "MarkovNetwork":
        """Read a UAI file, or a Bayesian network file as its factors.

        Parameters
        ----------
        path : str or os.PathLike
            A UAI file (``.uai``, gzipped or not): ``MARKOV``, or ``BAYES`` (each table becomes
            a factor). A BIF or XMLBIF file, or ``"builtin:asia"``, reads as its factors too.

        Returns
        -------
        MarkovNetwork

        Raises
        ------
        FileNotFoundError
            When the file does not exist.
        deepgm.FormatError
            When the file is not a valid model (``path``, ``line`` and ``column`` say where):
            wrong counts, a table of the wrong length, a variable out of range, a negative or
            NaN value, a truncated file.
        OSError
            When the file cannot be read or its gzip stream is corrupt.

        Examples
        --------
        >>> net = deepgm.bn.MarkovNetwork.read("builtin:asia")
        >>> len(net.factors())
        8
        """
        return MarkovNetwork(_native.bn.MarkovNetwork.read(os.fspath(path)))

    def write(self, path: PathLike) -> None:
        """Write the network as a UAI ``MARKOV`` file (gzipped for ``.gz``), atomically.

        Parameters
        ----------
        path : str or os.PathLike
            Ends in ``.uai`` or ``.uai.gz``.

        Raises
        ------
        deepgm.DeepgmValueError
            For another extension.
        OSError
            When the file cannot be written.
        """
        self._net.write(os.fspath(path))

    def read_evidence(self, path: PathLike) -> Dict[str, str]:
        """Read a UAI evidence file (``.evid``) for this network.

        Parameters
        ----------
        path : str or os.PathLike
            ``count var state var state ...``, with or without a leading sample count of 1.

        Returns
        -------
        dict of str to str
            ``{variable: state}``, ready for :meth:`query`.

        Raises
        ------
        FileNotFoundError
            When the file does not exist.
        deepgm.FormatError
            When it is malformed or names a variable or state this network lacks.
        """
        return dict(self._net.read_evidence(os.fspath(path)))

    @property
    def name(self) -> str:
        """The network's name (``"unknown"`` for a UAI file, whose format has none)."""
        return self._net.name

    @property
    def variables(self) -> List[str]:
        """Variable names, in file order."""
        return self._net.variables()

    def states(self, variable: str) -> List[str]:
        """State names of a variable, in table order.

        Raises
        ------
        deepgm.DeepgmValueError
            For an unknown variable.
        """
        return self._net.states(variable)

    def factors(self) -> List[Tuple[List[str], np.ndarray]]:
        """The factors, in file order.

        Returns
        -------
        list of (list of str, numpy.ndarray)
            Each factor's scope (variable names) and its values, a float64 array of shape
            ``(card(scope[0]), card(scope[1]), ...)`` (C order: the last variable changes
            fastest, as in the UAI format). A copy of the network's table.
        """
        out = []
        for scope, values in self._net.factors():
            shape = tuple(len(self._net.states(v)) for v in scope)
            out.append((scope, values.reshape(shape)))
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MarkovNetwork):
            return NotImplemented
        return self._net.same_as(other._net)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"<MarkovNetwork {self.name!r}: {len(self.variables)} variables, "
            f"{len(self._net.factors())} factors>"
        )

    def query(
        self,
        variables: Optional[Union[str, Sequence[str]]] = None,
        evidence: Optional[Evidence] = None,
        method: str = "auto",
        max_memory: Optional[Union[int, str]] = None,
    ) -> Marginals:
        """Exact posterior marginals (the UAI MAR task).

        Parameters
        ----------
        variables : str or sequence of str, optional
            The variables asked about; every unobserved variable when None.
        evidence : dict of str to str, optional
            Observed states, ``{variable: state}`` (see :meth:`read_evidence`).
        method : {"auto", "jt", "ve"}, default "auto"
            As :meth:`BayesianNetwork.query`.
        max_memory : int or str, optional
            As :meth:`BayesianNetwork.query`.

        Returns
        -------
        dict of str to dict of str to float
            ``{variable: {state: P(variable = state | evidence)}}``, keys sorted by name.

        Raises
        ------
        deepgm.DeepgmValueError
            For an unknown variable or state, a variable both asked and observed, evidence
            with ``Z(e) = 0``, or an unknown method.
        deepgm.InfeasibleError
            When the computation needs more than ``max_memory``.

        Examples
        --------
        >>> net = deepgm.bn.BayesianNetwork.read("builtin:asia").to_markov_model()
        >>> round(net.query("either", {"lung": "yes"})["either"]["yes"], 6)
        1.0
        """
        return self._net.marginals(_targets(variables), _evidence(evidence), method, max_memory)

    def query_report(
        self,
        variables: Optional[Union[str, Sequence[str]]] = None,
        evidence: Optional[Evidence] = None,
        method: str = "auto",
        max_memory: Optional[Union[int, str]] = None,
    ) -> Dict[str, Any]:
        """:meth:`query` with the whole report, as ``deepgm bn query NET.uai --json`` prints it.

        Returns
        -------
        dict
            ``marginals``, ``log_evidence`` (``ln Z(e)``, see :meth:`log_partition`),
            ``method`` (``"jt"`` when a junction tree answered some component, else ``"ve"``),
            ``evidence`` and ``detail``.
        """
        return self._net.query(_targets(variables), _evidence(evidence), method, max_memory)

    def log_partition(
        self, evidence: Optional[Evidence] = None, max_memory: Optional[Union[int, str]] = None
    ) -> float:
        """The natural log of the partition function given the evidence (the UAI PR task).

        ``Z(e)`` is the sum, over the assignments that agree with the evidence, of the product
        of all factors; for the factors of a Bayesian network it is ``P(e)``.

        Parameters
        ----------
        evidence : dict of str to str, optional
            ``{variable: state}``.
        max_memory : int or str, optional
            As :meth:`query`.

        Returns
        -------
        float
            ``ln Z(e)`` (``-inf`` never: ``Z(e) = 0`` raises).

        Raises
        ------
        deepgm.DeepgmValueError
            For an unknown variable or state, or ``Z(e) = 0``.
        deepgm.InfeasibleError
            When the elimination needs more than ``max_memory``.

        Examples
        --------
        >>> net = deepgm.bn.BayesianNetwork.read("builtin:asia").to_markov_model()
        >>> round(net.log_partition({"smoke": "yes"}), 6)
        -0.693147
        """
        return self._net.log_partition(_evidence(evidence), max_memory)

    def map_query(
        self, evidence: Optional[Evidence] = None, max_memory: Optional[Union[int, str]] = None
    ) -> Tuple[Dict[str, str], float]:
        """The MAP assignment: the full assignment with the largest product of factors (UAI MAP).

        Parameters
        ----------
        evidence : dict of str to str, optional
            ``{variable: state}``.
        max_memory : int or str, optional
            As :meth:`query`.

        Returns
        -------
        assignment : dict of str to str
            The state of every variable (observed ones at their evidence).
        log_value : float
            Natural log of the product of all factors at that assignment, unnormalized
            (``ln Z`` is not subtracted; for the factors of a Bayesian network it is
            ``ln P(x)``).

        Raises
        ------
        deepgm.DeepgmValueError
            For an unknown variable or state, or ``Z(e) = 0``.
        deepgm.InfeasibleError
            When the elimination needs more than ``max_memory``.

        Examples
        --------
        >>> net = deepgm.bn.BayesianNetwork.read("builtin:asia").to_markov_model()
        >>> assignment, log_value = net.map_query({"dysp": "yes"})
        >>> assignment["bronc"]
        'yes'
        """
        found = self._net.map(_evidence(evidence), max_memory)
        return found["assignment"], found["log_value"]


def structure_score(
    net: BayesianNetwork, data: Any, score: str = "bic", equivalent_sample_size: float = 1.0
) -> float:
    """The decomposable score of a network's graph on data.

    Parameters
    ----------
    net : BayesianNetwork
        Its graph is scored (its tables are not used).
    data : pandas.DataFrame or dict of str to sequence of str
        One column of state names per variable of ``net``.
    score : {"bic", "aic", "k2", "bdeu", "ll"}, default "bic"
        As :meth:`BayesianNetwork.learn` (pgmpy's ``structure_score`` names, lower case).
    equivalent_sample_size : float, default 1.0
        For ``"bdeu"``.

    Returns
    -------
    float
        The score (higher is better; BIC and AIC as log-likelihood minus the penalty).

    Raises
    ------
    deepgm.DeepgmValueError
        As :meth:`BayesianNetwork.fit`, and for an unknown score.

    Examples
    --------
    >>> data = net.simulate(2000)
    >>> structure_score(net, data, "bic") < structure_score(net, data, "ll")
    True
    """
    if not isinstance(net, BayesianNetwork):
        raise TypeError(f"net must be a BayesianNetwork, not {type(net).__name__}")
    return _native.bn.structure_score(
        net._net, _columns(data), score, float(equivalent_sample_size)
    )
