"""A small exact variable elimination in numpy, in log space, on the tables exactly as parsed by
peers.parse_bif (no pruning, no renormalization): the MPE of the fixtures and an independent
check of pyAgrum's ln P(e).

  mpe(raw, evidence)          -> (assignment, ln P(x), stats)   max-product (max-sum of logs),
                                                               then traceback
  log_evidence(raw, evidence) -> (ln P(e), stats)               sum-product (log-sum-exp)
  marginal(raw, evidence, var) -> [P(var = s | e) for s]       sum-product, var kept

P(x) is the product of every table entry, so with rows that sum to 1 only within 3e-7 the total
mass (log_evidence(raw, {})) is 1 only within about 1e-7; nothing is renormalized.

The elimination order is greedy min-fill, ties broken by the weight (the product of the
cardinalities of the node and its neighbours); the weighted min-fill order (fill edges weighted by
the product of the two cardinalities) is also computed and whichever gives the smaller total table
size is used. `stats` reports the order's largest table and total size. A table larger than
`max_entries` raises TooLarge before anything is allocated.

Why not pyAgrum's MPE: pyAgrum 3.3.1 LazyPropagation.mpe()/mpeLog2Posterior() stop with
"FatalError: Empty tensor" on most of the shared networks (insurance, alarm, water, hailfinder,
barley, munin, with or without evidence, whatever the barren-node and relevant-tensor settings);
make_fixtures.py compares with it where it does answer.
"""
import math

import numpy as np


class TooLarge(Exception):
    pass


def _log(t):
    with np.errstate(divide="ignore"):
        return np.log(t)


def factors(raw, evidence):
    """[(variables, log table)] with the evidence sliced out, plus the constant (sum of the logs
    of the tables that lose every variable)."""
    out, const = [], 0.0
    for v in raw.variables:
        vs = raw.parents[v] + [v]
        idx = tuple(raw.states[u].index(evidence[u]) if u in evidence else slice(None) for u in vs)
        t = _log(raw.cpt[v])[idx]
        vs = [u for u in vs if u not in evidence]
        if vs:
            out.append((vs, np.asarray(t)))
        else:
            const += float(t)
    return out, const


def _order(raw, facs, weighted, keep=()):
    card = {v: len(raw.states[v]) for v in raw.variables}
    nbrs = {}
    for vs, _ in facs:
        for v in vs:
            nbrs.setdefault(v, set()).update(u for u in vs if u != v)

    def fill(v):
        ns = list(nbrs[v])
        f = 0
        for i, a in enumerate(ns):
            na = nbrs[a]
            for b in ns[i + 1:]:
                if b not in na:
                    f += card[a] * card[b] if weighted else 1
        return f

    def weight(v):
        w = card[v]
        for u in nbrs[v]:
            w *= card[u]
        return w

    score = {v: (fill(v), weight(v)) for v in nbrs if v not in keep}
    rank = {v: i for i, v in enumerate(raw.variables)}
    order, max_t, total = [], 0, 0
    while score:
        v = min(score, key=lambda u: (score[u], rank[u]))
        w = score[v][1]
        max_t, total = max(max_t, w), total + w
        ns = nbrs.pop(v)
        del score[v]
        touched = set(ns)
        for a in ns:
            nbrs[a].discard(v)
            for b in ns:
                if a != b and b not in nbrs[a]:
                    nbrs[a].add(b)
        for a in ns:
            touched.update(nbrs[a])
        for u in touched:
            if u in score:
                score[u] = (fill(u), weight(u))
        order.append(v)
    return order, max_t, total


def elimination_order(raw, facs, keep=()):
    best = None
    for weighted in (False, True):
        order, max_t, total = _order(raw, facs, weighted, keep)
        if best is None or total < best[2]:
            best = (order, max_t, total, "weighted min-fill" if weighted else "min-fill")
    return best


def _combine(raw, group):
    """Broadcast-sum of log tables over the union of their variables (in first-seen order)."""
    union = []
    for vs, _ in group:
        for v in vs:
            if v not in union:
                union.append(v)
    acc = None
    for vs, t in group:
        perm = sorted(range(len(vs)), key=lambda i: union.index(vs[i]))
        t = np.transpose(t, perm)
        present = [vs[i] for i in perm]
        shape = [len(raw.states[u]) if u in present else 1 for u in union]
        t = t.reshape(shape)
        acc = t if acc is None else acc + t
    full = tuple(len(raw.states[u]) for u in union)
    if acc.shape != full:
        acc = np.broadcast_to(acc, full).copy()
    return union, acc


def _eliminate(raw, evidence, op, max_entries, keep=()):
    facs, const = factors(raw, evidence)
    order, max_t, total, heuristic = elimination_order(raw, facs, keep)
    if max_t > max_entries:
        raise TooLarge(f"{heuristic} order needs a table of {max_t:.3g} entries "
                       f"(limit {max_entries:.3g})")
    trace = []
    for x in order:
        group = [f for f in facs if x in f[0]]
        facs = [f for f in facs if x not in f[0]]
        union, t = _combine(raw, group)
        k = union.index(x)
        rest = union[:k] + union[k + 1:]
        if op == "max":
            arg = np.argmax(t, axis=k).astype(np.uint8)
            red = np.max(t, axis=k)
            trace.append((x, rest, arg))
        else:
            m = np.max(t, axis=k)
            safe = np.where(np.isfinite(m), m, 0.0)
            with np.errstate(divide="ignore"):
                red = safe + np.log(np.sum(np.exp(t - np.expand_dims(safe, k)), axis=k))
        if rest:
            facs.append((rest, red))
        else:
            const += float(red)
    stats = {"order": heuristic, "max_table": int(max_t), "total_table": int(total)}
    if keep:
        return const, facs, stats
    for vs, t in facs:  # cannot happen: every variable of a factor is in the order
        raise AssertionError(f"factor over {vs} left")
    return const, trace, stats


def mpe(raw, evidence=None, max_entries=2e8):
    """(assignment in file order, ln P(x), stats): the most probable full assignment consistent
    with the evidence (ties broken by the lowest state index at each elimination step)."""
    evidence = dict(evidence or {})
    best, trace, stats = _eliminate(raw, evidence, "max", max_entries)
    idx = {v: raw.states[v].index(s) for v, s in evidence.items()}
    for x, rest, arg in reversed(trace):
        idx[x] = int(arg[tuple(idx[u] for u in rest)]) if rest else int(arg)
    assignment = {v: raw.states[v][idx[v]] for v in raw.variables}
    return assignment, best, stats


def log_evidence(raw, evidence=None, max_entries=2e8):
    """(ln P(e), stats), P(e) = sum over the assignments consistent with e of the product of
    every table entry (the total mass of the tables when e is empty)."""
    value, _, stats = _eliminate(raw, dict(evidence or {}), "sum", max_entries)
    return value, stats


def marginal(raw, evidence, var, max_entries=2e8):
    """The posterior of var given the evidence (a list in state order), by sum-product
    elimination of every other variable (no pruning)."""
    evidence = dict(evidence or {})
    _, facs, _ = _eliminate(raw, evidence, "sum", max_entries, keep=(var,))
    t = np.zeros(len(raw.states[var]))
    for vs, f in facs:
        t = t + f  # every factor left is over var alone
    m = np.max(t)
    p = np.exp(t - m)
    return (p / p.sum()).tolist()


def brute_force(raw, evidence=None):
    """(ln P(e), best assignment, its ln P(x)) by enumerating every assignment: tiny networks."""
    import itertools

    evidence = dict(evidence or {})
    free = [v for v in raw.variables if v not in evidence]
    total, best, best_lp = 0.0, None, -math.inf
    for combo in itertools.product(*[range(len(raw.states[v])) for v in free]):
        a = dict(evidence)
        a.update({v: raw.states[v][i] for v, i in zip(free, combo)})
        lp = 0.0
        for v in raw.variables:
            p = raw.cpt[v][tuple(raw.states[u].index(a[u]) for u in raw.parents[v] + [v])]
            lp = lp + math.log(p) if p > 0 else -math.inf
        if lp > -math.inf:
            total += math.exp(lp)
        if lp > best_lp:
            best, best_lp = a, lp
    return math.log(total), best, best_lp
