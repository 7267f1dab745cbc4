"""Agreement of two raters on categorical or ordinal scores: Cohen's kappa (also weighted), Gwet's AC1, raw agreement.

Cohen's kappa and its asymptotic CI come from statsmodels; AC1 (Gwet 2008) has no library
implementation there, so it is computed here and given a percentile bootstrap CI over targets
(seeded); raw agreement gets a Wilson interval. The overall indices of a file with several items
pool every item of every client, and one client's items are not independent pairs: their CIs
(agreement, kappa, weighted kappa, AC1) come from a percentile bootstrap that resamples clients
with all their items (a cluster bootstrap), since the asymptotic and Wilson intervals would treat
items x clients pairs as independent and come out too narrow. With fewer than
``MIN_BOOTSTRAP_CLIENTS`` clients resampling clients says nothing (one client: every resample is
the same), so the pooled intervals stand with a note that they are too narrow. Every interval of
an index follows :func:`review.chance_agreement.index_interval`: inside [-1, 1], never of zero width.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from statsmodels.stats.proportion import proportion_confint

from ..chance_agreement import gwet_ac1 as chance_corrected_ac1
from ..chance_agreement import alpha_of_level, cohens_kappa_interval, index_interval

from .ratings import by_unit, read_ratings, require_complete, require_raters
from .table import joined_notes, read_table

WEIGHTS: tuple[str, ...] = ("linear", "quadratic", "none")
DEFAULT_BOOTSTRAP = 1000
#: Fewest clients whose resampling gives the overall CIs. k clients have only C(2k-1, k) distinct
#: resamples (3 for two clients, 126 for five, 92,378 for ten), and the cluster bootstrap's intervals are
#: too narrow with few clusters (Cameron, Gelbach & Miller 2008, Rev Econ Stat 90:414; two clients x 30
#: items gave a kappa interval 7x narrower than Wilson's on the same pairs). Below it the pooled CIs stand.
MIN_BOOTSTRAP_CLIENTS = 10


@dataclass(slots=True)
class Agreement:
    """Agreement indices of two raters over one set of paired scores."""

    item: str
    n: int
    categories: list[float]
    agreement: float
    agreement_ci: tuple[float, float]
    kappa: float | None
    kappa_ci: tuple[float, float] | None
    weighted_kappa: float | None
    weighted_kappa_ci: tuple[float, float] | None
    ac1: float | None
    ac1_ci: tuple[float, float] | None
    ci_method: str = "asymptotic (kappa), Wilson (agreement), bootstrap over pairs (AC1)"
    note: str = ""  # few pairs for the categories (Cicchetti 1981), said in the report

    @property
    def min_pairs(self) -> int:
        """Cicchetti (1981): the normal approximation of (weighted) kappa holds from about 2 q^2 pairs."""
        return 2 * len(self.categories) ** 2


@dataclass(slots=True)
class KappaResult:
    path: str
    raters: list[str]
    weights: str
    overall: Agreement
    items: list[Agreement]
    level: float
    seed: int

    def to_json(self) -> dict[str, Any]:
        data = {"kind": "kappa", "file": self.path, "raters": self.raters, "weights": self.weights,
                "level": self.level, "seed": self.seed}
        data.update({k: v for k, v in asdict(self.overall).items() if k != "item"})
        data["items"] = [asdict(i) for i in self.items]
        return data


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def gwet_ac1(a: np.ndarray, b: np.ndarray, n_categories: int) -> float:
    """Gwet's AC1 for two raters' category indices ``a`` and ``b`` (0..Q-1); NaN below two categories."""
    shares = (np.bincount(a, minlength=n_categories) + np.bincount(b, minlength=n_categories)) / (2 * len(a))
    ac1 = chance_corrected_ac1(float(np.mean(a == b)), shares.tolist())
    return float("nan") if ac1 is None else ac1


def agreement(item: str, a_scores: list[float], b_scores: list[float], *, weights: str = "linear",
              level: float = 0.95, n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0,
              scale: list[float] | None = None) -> Agreement:
    """Every index for one set of pairs (rater A's and rater B's score per target).

    ``scale`` is every answer the item could get (default: those observed); AC1's chance
    agreement and the weights depend on it.
    """
    categories = np.array(sorted(set(scale or []) | set(a_scores) | set(b_scores)), dtype=float)
    index = {v: i for i, v in enumerate(categories)}
    a = np.array([index[v] for v in a_scores])
    b = np.array([index[v] for v in b_scores])
    q = len(categories)
    alpha = alpha_of_level(level)
    n = len(a)
    agree = int(np.sum(a == b))
    low, high = proportion_confint(agree, n, alpha=alpha, method="wilson")
    kappa, kappa_ci = cohens_kappa_interval(a, b, q, alpha)
    if weights != "none" and q > 2:
        weighted, weighted_ci = cohens_kappa_interval(a, b, q, alpha, wt=weights, category_values=categories)
    else:  # with two categories every weighting gives the unweighted kappa
        weighted, weighted_ci = kappa, kappa_ci
    ac1 = _finite(gwet_ac1(a, b, q))
    ac1_ci = None
    if ac1 is not None and n_boot > 0:
        rng = np.random.default_rng(seed)
        draws = rng.integers(0, n, size=(n_boot, n))
        boot = np.array([gwet_ac1(a[d], b[d], q) for d in draws])
        ac1_ci = _percentile(boot, alpha)
    result = Agreement(item, n, [float(c) for c in categories], agree / n, (float(low), float(high)), kappa,
                       kappa_ci, weighted, weighted_ci, ac1, ac1_ci)
    if n < result.min_pairs:
        result.note = (f"few pairs: {n} for {q} categories, fewer than 2q^2 = {result.min_pairs} (Cicchetti 1981); "
                       "the CIs are rough")
    return result


CLUSTER_CI = "bootstrap over targets, each with all its items"


def _disagreement_weights(categories: np.ndarray, weights: str) -> np.ndarray:
    """statsmodels' weights for ``wt`` linear/quadratic on the category values (0 on the diagonal)."""
    spread = np.abs(np.subtract.outer(categories, categories)) / (categories[-1] - categories[0])
    return spread if weights == "linear" else spread**2


def _indices(a: np.ndarray, b: np.ndarray, q: int, w: np.ndarray | None) -> tuple[float, float, float, float]:
    """Agreement, kappa, weighted kappa and AC1 of one set of pairs (NaN where undefined)."""
    p = np.bincount(a * q + b, minlength=q * q).reshape(q, q) / len(a)
    expected = np.outer(p.sum(axis=1), p.sum(axis=0))
    po, pe = float(np.trace(p)), float(np.trace(expected))
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = (po - pe) / (1 - pe)
        weighted = kappa if w is None else 1 - float((w * p).sum()) / float((w * expected).sum())
    return po, kappa, weighted, gwet_ac1(a, b, q)


def _percentile(values: np.ndarray, alpha: float) -> tuple[float, float] | None:
    """The percentile interval of the finite resamples; None without any or without spread (every
    resample the same, e.g. every client in perfect agreement)."""
    values = values[np.isfinite(values)]
    if not len(values):
        return None
    return index_interval(float(np.quantile(values, alpha / 2)), float(np.quantile(values, 1 - alpha / 2)))


def cluster_bootstrap(overall: Agreement, a_scores: list[float], b_scores: list[float], targets: list[str], *,
                      weights: str, level: float, n_boot: int, seed: int) -> Agreement:
    """``overall`` with every CI from resampling targets, each with all its pairs (items)."""
    categories = np.array(overall.categories)
    index = {v: i for i, v in enumerate(categories)}
    a = np.array([index[v] for v in a_scores])
    b = np.array([index[v] for v in b_scores])
    q = len(categories)
    w = _disagreement_weights(categories, weights) if weights != "none" and q > 2 else None
    # each client's rows in file order, clients sorted by name (np.unique sorts)
    names, client_of, per_client = np.unique(np.asarray(targets), return_inverse=True, return_counts=True)
    rows_of = np.split(np.argsort(client_of, kind="stable"), np.cumsum(per_client)[:-1])
    rng = np.random.default_rng(seed)
    boot = np.empty((n_boot, 4))
    for r in range(n_boot):
        rows = np.concatenate([rows_of[i] for i in rng.integers(0, len(names), len(names))])
        boot[r] = _indices(a[rows], b[rows], q, w)
    alpha = alpha_of_level(level)
    agreement_ci = _percentile(boot[:, 0], alpha)
    if agreement_ci is None:  # no spread (every client agrees alike): Wilson counting each client once,
        # the fewest independent units the pooled pairs can be worth
        low, high = proportion_confint(overall.agreement * len(names), len(names), alpha=alpha, method="wilson")
        agreement_ci = (float(low), float(high))
        note = joined_notes(overall.note, f"agreement's CI: Wilson over the {len(names)} clients (every "
                                          "client resample agreed alike)")
    else:
        note = overall.note
    return Agreement(overall.item, overall.n, overall.categories, overall.agreement, agreement_ci,
                     overall.kappa, _percentile(boot[:, 1], alpha) if overall.kappa is not None else None,
                     overall.weighted_kappa,
                     _percentile(boot[:, 2], alpha) if overall.weighted_kappa is not None else None,
                     overall.ac1, _percentile(boot[:, 3], alpha) if overall.ac1 is not None else None,
                     CLUSTER_CI, note)


def rater_agreement(path: Path | str, *, target: str = "target", rater: str = "rater", score: str = "score",
                    item: str = "item", weights: str = "linear", level: float = 0.95,
                    n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0) -> KappaResult:
    """Agreement of exactly two raters, per item (when the file has an ``item`` column) and overall."""
    if weights not in WEIGHTS:
        raise ValueError(f"weights {weights!r} not one of {', '.join(WEIGHTS)}")
    table = read_table(path)
    item_column = item if item in table.columns else None
    ratings = read_ratings(table, target, rater, score, item=item_column)
    raters = require_raters(table, ratings, rater, exactly=2)
    require_complete(table, ratings, target, raters)
    pairs: dict[str, tuple[list[float], list[float]]] = {}
    all_a, all_b, all_targets = list[float](), list[float](), list[str]()
    for (item_name, unit), given in by_unit(ratings).items():
        a_list, b_list = pairs.setdefault(item_name, ([], []))
        a_list.append(given[raters[0]].value)
        b_list.append(given[raters[1]].value)
        all_a.append(given[raters[0]].value)
        all_b.append(given[raters[1]].value)
        all_targets.append(unit)
    scale = sorted(set(all_a) | set(all_b))  # the answers seen anywhere in the file: the shared scale
    clients = len(set(all_targets))
    clustered = len(pairs) > 1 and n_boot > 0  # several items per client: pairs cluster within clients
    by_clients = clustered and clients >= MIN_BOOTSTRAP_CLIENTS
    # the client bootstrap replaces the pooled AC1 bootstrap: not drawn only to be thrown away
    overall = agreement("overall", all_a, all_b, weights=weights, level=level, n_boot=0 if by_clients else n_boot,
                        seed=seed)
    if by_clients:
        overall = cluster_bootstrap(overall, all_a, all_b, all_targets, weights=weights, level=level,
                                    n_boot=n_boot, seed=seed)
    elif clustered:
        overall.note = joined_notes(
            f"{clients} client{'s' if clients != 1 else ''}: too few to resample clients (fewer than "
            f"{MIN_BOOTSTRAP_CLIENTS}), so the CIs pool the pairs as if independent and are too narrow",
            overall.note)
    items = []
    if item_column:
        items = [agreement(name, a_list, b_list, weights=weights, level=level, n_boot=n_boot, seed=seed,
                           scale=scale)
                 for name, (a_list, b_list) in pairs.items()]
    return KappaResult(str(path), raters, weights, overall, items, level, seed)
