"""The peers of deepgm's Bayesian-network inference, as importable functions.

  pyagrum_all_marginals(path_or_bn, evidence, threads=None) -> (marginals, seconds)
      pyAgrum's LazyPropagation (C++ junction tree): construct the engine, set the evidence,
      makeInference, read the posterior of every non-evidence variable.
  pgmpy_all_marginals(path_or_model, evidence, budget_s=None) -> (marginals, seconds)
      pgmpy's VariableElimination, one query per non-evidence variable (pgmpy prunes the network
      per query: nodes d-separated from the query, then everything that is not an ancestor of
      the query or the evidence).

`seconds` is the inference time only (wall clock, time.perf_counter): loading and parsing the
file, and turning the results into Python dicts keyed by names, are outside it. `marginals` is
{variable: {state: probability}} for every variable not in the evidence, variables and states in
the order of the BIF file. `evidence` is {variable: state name} (names as written in the file).

Loading. pyAgrum 3.3.1's own BIF reader is not used for the computations: it cannot read a .gz
(it picks the parser by extension), it parses every probability as a 32-bit float (0.48 becomes
0.47999998927116394; it does not renormalize rows), and it rejects child.bif (state name
`Asy/Patch`). `pyagrum_load(path)` therefore builds the pyAgrum BayesNet from
`parse_bif`, the file's text in double precision (variables, states and parents in file order,
rows exactly as written), so that pyAgrum computes with the same numbers as pgmpy and deepgm.
`pyagrum_load(path, exact=False)` is pyAgrum's reader (via a temporary .bif for a .gz).
pgmpy's BIFReader keeps doubles as written.

MPE: pyAgrum 3.3.1's LazyPropagation MPE fails on most shared networks; refve.py is the
reference MPE (exact max-product elimination in numpy). pgmpy's map_query builds the joint of
all its variables, so it only works on tiny networks.

Other helpers used by make_fixtures.py and run.py: `parse_bif` (a small reader of the bnlearn BIF
subset: variables, states, parents, tables in double precision), `log_joint` (natural log of
P(x) from those tables), `forward_sample`, `choose_evidence`, `pyagrum_query` (also returns
log P(e)), `pyagrum_mpe`, `pgmpy_query_budget` (stops once the projected time passes a budget).

Versions: pyAgrum 3.3.1, pgmpy 1.1.2, numpy 2.4.6 (bench/requirements.txt), Python 3.11.
"""
import gzip
import math
import os
import re
import tempfile
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

warnings.filterwarnings("ignore", category=FutureWarning)


# --------------------------------------------------------------------------------------------
# A small reader of the BIF files, in double precision.
# --------------------------------------------------------------------------------------------


@dataclass
class RawBN:
    """A Bayesian network exactly as written in a BIF file."""

    name: str
    variables: list                      # names, in file order
    states: dict                         # name -> list of state names, file order
    parents: dict = field(default_factory=dict)   # name -> list of parent names, file order
    cpt: dict = field(default_factory=dict)       # name -> ndarray (*parent cards, card), float64

    def topological_order(self) -> list:
        """Kahn's algorithm, ties broken by file order (deterministic)."""
        index = {v: i for i, v in enumerate(self.variables)}
        children = {v: [] for v in self.variables}
        indeg = {v: len(self.parents[v]) for v in self.variables}
        for v in self.variables:
            for p in self.parents[v]:
                children[p].append(v)
        import heapq

        heap = [index[v] for v in self.variables if indeg[v] == 0]
        heapq.heapify(heap)
        order = []
        while heap:
            v = self.variables[heapq.heappop(heap)]
            order.append(v)
            for c in children[v]:
                indeg[c] -= 1
                if indeg[c] == 0:
                    heapq.heappush(heap, index[c])
        if len(order) != len(self.variables):
            raise ValueError("the network has a cycle")
        return order

    def max_row_deviation(self) -> float:
        """The largest |sum of a table row - 1| over all tables."""
        return max(float(np.max(np.abs(t.sum(axis=-1) - 1.0))) for t in self.cpt.values())


_TOKEN = re.compile(r'"[^"]*"|[{}()\[\];,|]|[^\s{}()\[\];,|"]+')


def read_text(path: str) -> str:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return f.read()


def parse_bif(path: str) -> RawBN:
    """Reads the BIF subset used by the bnlearn repository (no `default` rows, no `table` for a
    node with parents, comments stripped). Numbers are parsed with Python's float (double)."""
    text = read_text(path)
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    toks = [t.strip('"') for t in _TOKEN.findall(text)]
    pos = 0

    def expect(tok):
        nonlocal pos
        if toks[pos] != tok:
            raise ValueError(f"{path}: expected {tok!r}, got {toks[pos]!r} (token {pos})")
        pos += 1

    def skip_block():
        nonlocal pos
        depth = 0
        while True:
            t = toks[pos]
            pos += 1
            if t == "{":
                depth += 1
            elif t == "}":
                depth -= 1
                if depth == 0:
                    return

    name = "unknown"
    variables, states, parents, cpt = [], {}, {}, {}
    while pos < len(toks):
        t = toks[pos]
        if t == "network":
            name = toks[pos + 1]
            pos += 2
            skip_block()
        elif t == "variable":
            v = toks[pos + 1]
            pos += 2
            expect("{")
            while toks[pos] != "}":
                if toks[pos] == "type":
                    pos += 1
                    expect("discrete")
                    expect("[")
                    n = int(toks[pos])
                    pos += 1
                    expect("]")
                    expect("{")
                    labels = []
                    while toks[pos] != "}":
                        if toks[pos] != ",":
                            labels.append(toks[pos])
                        pos += 1
                    expect("}")
                    expect(";")
                    if len(labels) != n:
                        raise ValueError(f"{path}: {v} declares {n} states, lists {len(labels)}")
                    states[v] = labels
                else:  # property ... ;
                    while toks[pos] != ";":
                        pos += 1
                    pos += 1
            expect("}")
            variables.append(v)
        elif t == "probability":
            pos += 1
            expect("(")
            child = toks[pos]
            pos += 1
            pars = []
            if toks[pos] == "|":
                pos += 1
                while toks[pos] != ")":
                    if toks[pos] != ",":
                        pars.append(toks[pos])
                    pos += 1
            expect(")")
            expect("{")
            card = len(states[child])
            pcards = [len(states[p]) for p in pars]
            table = np.full(pcards + [card], np.nan)
            while toks[pos] != "}":
                if toks[pos] == "table":
                    if pars:
                        raise ValueError(f"{path}: `table` for {child}, which has parents")
                    pos += 1
                    vals = []
                    while toks[pos] != ";":
                        if toks[pos] != ",":
                            vals.append(float(toks[pos]))
                        pos += 1
                    pos += 1
                    table[...] = np.array(vals)
                elif toks[pos] == "(":
                    pos += 1
                    config = []
                    while toks[pos] != ")":
                        if toks[pos] != ",":
                            config.append(toks[pos])
                        pos += 1
                    pos += 1
                    idx = tuple(states[p].index(s) for p, s in zip(pars, config))
                    vals = []
                    while toks[pos] != ";":
                        if toks[pos] != ",":
                            vals.append(float(toks[pos]))
                        pos += 1
                    pos += 1
                    table[idx] = np.array(vals)
                elif toks[pos] == "property":
                    while toks[pos] != ";":
                        pos += 1
                    pos += 1
                else:
                    raise ValueError(f"{path}: unexpected {toks[pos]!r} in the table of {child}")
            expect("}")
            if np.isnan(table).any():
                raise ValueError(f"{path}: the table of {child} is incomplete")
            parents[child] = pars
            cpt[child] = table
        else:
            raise ValueError(f"{path}: unexpected {t!r} (token {pos})")
    missing = [v for v in variables if v not in cpt]
    if missing:
        raise ValueError(f"{path}: no table for {missing}")
    return RawBN(name, variables, states, parents, cpt)


def network_name(path: str) -> str:
    base = os.path.basename(path)
    for ext in (".gz", ".bif"):
        if base.endswith(ext):
            base = base[: -len(ext)]
    return base


def log_joint(raw: RawBN, assignment: dict) -> float:
    """Natural log of P(x) = prod of the table entries, tables exactly as in the file."""
    total = 0.0
    idx = {v: raw.states[v].index(assignment[v]) for v in raw.variables}
    for v in raw.variables:
        p = raw.cpt[v][tuple(idx[q] for q in raw.parents[v]) + (idx[v],)]
        if p <= 0.0:
            return -math.inf
        total += math.log(p)
    return total


def forward_sample(raw: RawBN, rng: np.random.Generator) -> dict:
    """One ancestral sample (topological order, file-order ties); a row is sampled in
    proportion to its entries as written (u = rng.random() * row sum), so a zero entry is never
    drawn and the sample has P(x) > 0."""
    idx = {}
    for v in raw.topological_order():
        row = raw.cpt[v][tuple(idx[q] for q in raw.parents[v])]
        cum = np.cumsum(row)
        u = rng.random() * cum[-1]
        k = int(np.searchsorted(cum, u, side="right"))
        k = min(k, len(row) - 1)
        while row[k] <= 0.0:  # only when u rounds onto the end of the last positive entry
            k -= 1
        idx[v] = k
    return {v: raw.states[v][idx[v]] for v in raw.variables}


def choose_evidence(raw: RawBN, k: int = 5, seed: int = 0) -> dict:
    """The fixtures' evidence: numpy default_rng(seed), one forward sample, then k distinct
    variables drawn by rng.choice (without replacement) from the file-order variable list,
    observed at their sampled states. Returned in file order. k is capped at n - 2 so at least
    two variables remain to be queried (the 5-variable networks get 3 observed variables)."""
    rng = np.random.default_rng(seed)
    sample = forward_sample(raw, rng)
    k = max(0, min(k, len(raw.variables) - 2))
    chosen = set(int(i) for i in rng.choice(len(raw.variables), size=k, replace=False))
    return {v: sample[v] for i, v in enumerate(raw.variables) if i in chosen}


# --------------------------------------------------------------------------------------------
# pyAgrum
# --------------------------------------------------------------------------------------------


def pyagrum_from_raw(raw: RawBN):
    """A pyAgrum BayesNet built from the parsed file: variables and states in file order, arcs
    parent -> child in the file's parent order, tables in double precision as written."""
    import pyagrum as gum

    bn = gum.BayesNet(raw.name)
    for v in raw.variables:
        var = gum.LabelizedVariable(v, v, 0)
        for s in raw.states[v]:
            var.addLabel(s)
        bn.add(var)
    for v in raw.variables:
        for p in raw.parents[v]:
            bn.addArc(p, v)
    refill_pyagrum(bn, raw)
    return bn


def pyagrum_read_file(path: str):
    """pyAgrum's own BIF reader (decompressing a .gz to a temporary .bif first, since pyAgrum
    picks the parser by extension). Rounds every probability to float32, and rejects the state
    name `Asy/Patch` of child.bif."""
    import pyagrum as gum

    if not path.endswith(".gz"):
        return gum.loadBN(path)
    with tempfile.TemporaryDirectory() as tmp:
        plain = os.path.join(tmp, network_name(path) + ".bif")
        with open(plain, "w", encoding="utf-8") as f:
            f.write(read_text(path))
        return gum.loadBN(plain)


def pyagrum_load(path: str, exact: bool = True, raw: RawBN = None):
    """pyAgrum BayesNet of a .bif or .bif.gz. exact=True (default): built from parse_bif, the
    file's numbers in double precision (every shared network loads). exact=False: pyAgrum's own
    reader (float32 tables; fails on some files)."""
    if not exact:
        return pyagrum_read_file(path)
    return pyagrum_from_raw(raw or parse_bif(path))


def pyagrum_table(bn, raw: RawBN, v: str) -> np.ndarray:
    """pyAgrum's table of v as an array indexed like raw.cpt[v] (parents in file order, v last),
    states matched by name."""
    c = bn.cpt(v)
    names = list(c.names)  # c.toarray() has axes reversed(names)
    arr = c.toarray()
    axes_names = list(reversed(names))
    target = raw.parents[v] + [v]
    arr = np.transpose(arr, [axes_names.index(n) for n in target])
    for ax, n in enumerate(target):
        labels = list(bn.variable(n).labels())
        perm = [labels.index(s) for s in raw.states[n]]
        arr = np.take(arr, perm, axis=ax)
    return arr


def refill_pyagrum(bn, raw: RawBN) -> None:
    """Writes raw's double-precision tables into bn, checking that structure and state order
    match, and that the overwritten values were the file's numbers rounded to float32."""
    if sorted(bn.names()) != sorted(raw.variables):
        raise ValueError("pyAgrum and the BIF reader disagree on the variables")
    for v in raw.variables:
        if list(bn.variable(v).labels()) != raw.states[v]:
            raise ValueError(f"state order of {v} differs")
        c = bn.cpt(v)
        names = list(c.names)
        if names[0] != v or sorted(names[1:]) != sorted(raw.parents[v]):
            raise ValueError(f"parents of {v} differ: {names[1:]} vs {raw.parents[v]}")
        axes_names = list(reversed(names))
        t = np.transpose(raw.cpt[v], [(raw.parents[v] + [v]).index(n) for n in axes_names])
        c.fillWith(np.ascontiguousarray(t).ravel().tolist())
        back = pyagrum_table(bn, raw, v)
        if not np.array_equal(back, raw.cpt[v]):
            raise ValueError(f"refilling {v} did not round-trip")


def pyagrum_float32_check(path: str, raw: RawBN) -> dict:
    """How pyAgrum's own reader stores the tables, compared to the file's numbers:
    whether every entry equals float32(file number), whether any row was renormalized."""
    try:
        bn = pyagrum_read_file(path)
    except Exception as e:  # noqa: BLE001 - pyAgrum's reader rejects some state names
        return {"error": " ".join(str(e).split())[:300]}
    f32_equal, max_abs_vs_file, max_row_dev_pyagrum = True, 0.0, 0.0
    renormalized = False
    for v in raw.variables:
        mine = raw.cpt[v]
        theirs = pyagrum_table(bn, raw, v)
        if not np.array_equal(theirs, mine.astype(np.float32).astype(np.float64)):
            f32_equal = False
        max_abs_vs_file = max(max_abs_vs_file, float(np.max(np.abs(theirs - mine))))
        max_row_dev_pyagrum = max(max_row_dev_pyagrum,
                                  float(np.max(np.abs(theirs.sum(-1) - 1.0))))
        # a renormalized row would be the file's row divided by its sum: look for rows whose
        # sum is off by more than float32 rounding can explain, and compare them.
        rows = mine.reshape(-1, mine.shape[-1])
        rows_theirs = theirs.reshape(-1, mine.shape[-1])
        for r in np.flatnonzero(np.abs(rows.sum(-1) - 1.0) > 1e-7):
            row, row_theirs = rows[r], rows_theirs[r]
            if np.allclose(row_theirs, row / row.sum(), rtol=0, atol=1e-9) and not np.allclose(
                    row_theirs, row, rtol=0, atol=1e-7):
                renormalized = True
    return {"entries_equal_float32_of_file": f32_equal,
            "max_abs_diff_vs_file": max_abs_vs_file,
            "max_row_sum_deviation_in_pyagrum": max_row_dev_pyagrum,
            "renormalized_rows": renormalized}


def pyagrum_query(bn, evidence=None, targets=None, threads=None):
    """(marginals, log P(e), seconds). Timed: LazyPropagation construction, setEvidence,
    makeInference, and posterior(v).toarray() for every target (default: every non-evidence
    variable). log P(e) is ln(ie.evidenceProbability()) (the total mass of the tables when
    there is no evidence). threads: LazyPropagation.setNumberOfThreads (default: pyAgrum's,
    all cores). The last bits vary from run to run, even with one thread (pyAgrum's junction
    tree is not built the same way every time)."""
    import pyagrum as gum

    evidence = dict(evidence or {})
    names = [bn.variable(i).name() for i in sorted(bn.nodes())]
    if targets is None:
        targets = [v for v in names if v not in evidence]
    t0 = time.perf_counter()
    ie = gum.LazyPropagation(bn)
    if threads:
        ie.setNumberOfThreads(threads)
    if evidence:
        ie.setEvidence(evidence)
    ie.makeInference()
    arrays = [ie.posterior(v).toarray() for v in targets]
    seconds = time.perf_counter() - t0
    pe = ie.evidenceProbability()
    marginals = {}
    for v, a in zip(targets, arrays):
        labels = bn.variable(v).labels()
        marginals[v] = {s: float(p) for s, p in zip(labels, a)}
    return marginals, (math.log(pe) if pe > 0 else -math.inf), seconds


def _as_pyagrum(path_or_bn):
    return pyagrum_load(path_or_bn) if isinstance(path_or_bn, str) else path_or_bn


def pyagrum_all_marginals(path_or_bn, evidence=None, threads=None):
    """(marginals, seconds) of every non-evidence variable by pyAgrum's LazyPropagation.
    threads=None is pyAgrum's default (one per core); on a shared 2-core machine with other
    work running, 2 threads made munin's all-posteriors 5 times slower than 1 (15 s vs 2.8 s)."""
    marginals, _, seconds = pyagrum_query(_as_pyagrum(path_or_bn), evidence, threads=threads)
    return marginals, seconds


def pyagrum_mpe(bn, evidence=None):
    """(assignment, log2 of P(x | e) as pyAgrum reports it, seconds) by
    LazyPropagation.mpeLog2Posterior (max-product on the junction tree). pyAgrum 3.3.1 raises
    FatalError("Empty tensor") here on most of the shared networks (see refve.py)."""
    import pyagrum as gum

    t0 = time.perf_counter()
    ie = gum.LazyPropagation(bn)
    if evidence:
        ie.setEvidence(dict(evidence))
    inst, log2post = ie.mpeLog2Posterior()
    seconds = time.perf_counter() - t0
    assignment = {}
    for i in range(inst.nbrDim()):
        var = inst.variable(i)
        assignment[var.name()] = var.label(inst.val(i))
    return assignment, log2post, seconds


# --------------------------------------------------------------------------------------------
# pgmpy
# --------------------------------------------------------------------------------------------


def pgmpy_load(path: str):
    from pgmpy.readwrite import BIFReader

    return BIFReader(string=read_text(path)).get_model()


def _as_pgmpy(path_or_model):
    return pgmpy_load(path_or_model) if isinstance(path_or_model, str) else path_or_model


class OverBudget(Exception):
    def __init__(self, done, total, elapsed):
        self.done, self.total, self.elapsed = done, total, elapsed
        est = elapsed / max(done, 1) * total
        self.estimate = est
        super().__init__(f"{done}/{total} queries in {elapsed:.1f} s, projected {est:.0f} s")


def _unpruned_ve_class():
    from pgmpy.inference import VariableElimination

    class UnprunedVariableElimination(VariableElimination):
        """pgmpy's VariableElimination without its per-query pruning (every table is kept)."""

        def _prune_bayesian_model(self, variables, evidence):
            return self.model, ({} if evidence is None else dict(evidence))

    return UnprunedVariableElimination


def pgmpy_query_budget(model, evidence=None, targets=None, budget_s=None, prune=True):
    """(marginals, seconds) by pgmpy's VariableElimination, one query per target (default:
    every non-evidence variable, in the model's order). Timed: VariableElimination construction
    and the queries. With budget_s, raises OverBudget once the time spent passes budget_s, or
    once 10 s have passed and the projection (time per query so far x number of queries) is
    more than twice budget_s. prune=False keeps every table in every query (pgmpy's pruning
    drops the tables of barren nodes, which changes the answer at the 1e-8 level when their rows
    do not sum exactly to 1): a cross-check, not what a pgmpy user gets."""
    from pgmpy.inference import VariableElimination

    evidence = dict(evidence or {})
    if targets is None:
        targets = [v for v in model.nodes() if v not in evidence]
    results = []
    t0 = time.perf_counter()
    ve = VariableElimination(model) if prune else _unpruned_ve_class()(model)
    for i, v in enumerate(targets):
        results.append(ve.query([v], evidence=evidence or None, show_progress=False))
        if budget_s is not None:
            el = time.perf_counter() - t0
            projected = el / (i + 1) * len(targets)
            if i + 1 < len(targets) and (el > budget_s or (el > 10 and projected > 2 * budget_s)):
                raise OverBudget(i + 1, len(targets), el)
    seconds = time.perf_counter() - t0
    marginals = {}
    for v, f in zip(targets, results):
        labels = f.state_names[v]
        marginals[v] = {s: float(p) for s, p in zip(labels, f.values)}
    return marginals, seconds


def pgmpy_all_marginals(path_or_model, evidence=None, budget_s=None):
    """(marginals, seconds) of every non-evidence variable, one VariableElimination query each."""
    return pgmpy_query_budget(_as_pgmpy(path_or_model), evidence, budget_s=budget_s)


def pgmpy_mpe(model, evidence=None):
    """(assignment, seconds): pgmpy's VariableElimination.map_query over every non-evidence
    variable (the MPE), evidence included in the returned assignment."""
    from pgmpy.inference import VariableElimination

    evidence = dict(evidence or {})
    t0 = time.perf_counter()
    ve = VariableElimination(model)
    variables = [v for v in model.nodes() if v not in evidence]
    result = ve.map_query(variables=variables, evidence=evidence or None, show_progress=False)
    seconds = time.perf_counter() - t0
    assignment = dict(result)
    assignment.update(evidence)
    return assignment, seconds


def pgmpy_evidence_ratio(model, evidence):
    """P(e) / P(total) by pgmpy: the normalized joint of the evidence variables at e."""
    from pgmpy.inference import VariableElimination

    ve = VariableElimination(model)
    f = ve.query(list(evidence), joint=True, show_progress=False)
    return float(f.get_value(**evidence))
