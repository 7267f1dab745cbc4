"""How far can the stopping rules' excess fall at the promised reach? Reach-versus-excess frontiers.

Every family of stopping rule (decision 0014's grid, the heuristics and decision 0018's
candidates) is scored offline, as in ``screening_stopping.py``, on the same cached screening
orders while its level or parameter varies. Per family and level: the share of runs reaching
95 % recall at the stop and the mean excess effort, on all sets and on the sets of ≥ 1,000
records; then each family's lowest excess at ≥ 92 % reach on both, and where the excess of a
few rules comes from (per set; before and after the last relevant record).

The levels are swept to see what a family *can* do; a level picked from this table is tuned to
these 15 sets and is no promise (decision 0018).

Usage (engine version 3's orders of seeds 1-10 are cached under the ranking round's fingerprint
as candidate ``v2-empty0``, record for record the default's; nothing is simulated):

    REVIEW_BENCH_CACHE=/work/bench-cache/asreview nice -n 10 python benchmarks/stopping_frontier.py \\
        --fingerprint 91dafdbf75 --key 27e865c3df --seeds 1 2 3 4 5 6 7 8 9 10

Prints Markdown tables and one JSON line (``BENCH {...}``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import screening_dev  # noqa: E402  (owns the cache)
import screening_stopping as harness  # noqa: E402  (the rules, excess and the strata)
import stopping_candidates  # noqa: E402


TARGET = harness.TARGET
LARGE_SET = harness.LARGE_SET
PROMISE = 0.92


@dataclass(frozen=True)
class Order:
    set_name: str
    seed: int
    labels: np.ndarray  # priors first, in screening order
    n_priors: int

    @property
    def n(self) -> int:
        return int(self.labels.size)

    @property
    def needed(self) -> int:
        """Records screened when 95 % recall is reached (priors included)."""
        return harness.needed(self.labels)

    @property
    def last_relevant(self) -> int:
        return int(np.flatnonzero(self.labels)[-1]) + 1


def load_orders(fingerprint: str, key: str, seeds: Sequence[int], sets: Sequence[str] | None = None) -> list[Order]:
    names = sorted(p.stem for p in screening_dev.DATA_DIR.glob("*.csv") if not sets or p.stem in sets)
    orders = []
    for set_name in names:
        for seed in seeds:
            path = screening_dev.cache_path(fingerprint, key, set_name, seed)
            if not path.exists():
                sys.exit(f"stopping_frontier: {path.name} is not cached under {screening_dev.CACHE}")
            row = json.loads(path.read_text())
            orders.append(Order(set_name, seed, screening_dev.order_labels(row), int(row["n_priors"])))
    return orders


# -- confidence curves: a family whose rule is "stop at the first n where s(n) ≥ level" ----
Curve = Callable[[Order], np.ndarray]  # s after each of the n records screened (priors included)


def _ranked_curve(order: Order, ranked_values: np.ndarray) -> np.ndarray:
    """Place values computed after ranked records 1..n−1 on the whole order (priors: 0, end: 1)."""
    out = np.zeros(order.n)
    out[order.n_priors:order.n_priors + ranked_values.size] = ranked_values
    out[-1] = 1.0
    return out


def _confidence_curve(confidence: Callable[..., np.ndarray], **options: Any) -> Curve:
    """A curve from a candidate's per-record confidence on the ranked records (priors' finds
    passed as ``found_before``), placed on the whole order."""
    def curve(order: Order) -> np.ndarray:
        ranked = order.labels[order.n_priors:]
        before = int(order.labels[:order.n_priors].sum())
        return _ranked_curve(order, confidence(ranked, found_before=before, **options))
    return curve


#: P(recall ≥ target) of the Lomax posterior predictive after every ranked record; with the
#: exponential (p → ∞) as a seventh tail of its grid; with a uniform floor; fitted to the recent
#: half; fitted after the first relevant record (decision 0018's winner).
lomax_curve = _confidence_curve(stopping_candidates.lomax_confidence)
lomax_exp_curve = _confidence_curve(stopping_candidates.lomax_confidence, grid=stopping_candidates.LOMAX_EXP_GRID)
lomax_floor_curve = _confidence_curve(stopping_candidates.lomax_confidence, grid=stopping_candidates.LOMAX_FLOOR_GRID)
lomax_recent_curve = _confidence_curve(stopping_candidates.lomax_confidence, recent=True)
lomax_burnin_curve = _confidence_curve(stopping_candidates.lomax_burnin_confidence)


def lomax_sample(trigger: float) -> Callable[[Order, Sequence[float]], list[tuple[int, int]]]:
    def stop(order: Order, levels: Sequence[float]) -> list[tuple[int, int]]:
        return stopping_candidates.lomax_sample_stop(order.labels, order.n_priors, order.seed,
                                                     trigger=trigger, levels=levels)
    return stop


def predictive_curve(model: str) -> Curve:
    return _confidence_curve(stopping_candidates.predictive_confidence, target_recall=TARGET, model=model)


def buscar_curve(order: Order) -> np.ndarray:
    """1 − (buscar's smallest p-value over the ranked windows) after each record."""
    labels, total_n = order.labels, order.n
    relevant_at = np.flatnonzero(labels)
    out = np.zeros(total_n)
    best = 0.0
    for s in range(order.n_priors + 1, total_n):
        if not labels[s - 1]:
            p = harness.buscar_min_p(relevant_at, s, total_n)
            best = 0.0 if p is None else 1.0 - p
        else:
            best = 0.0  # p only falls after an irrelevant record; a relevant one resets nothing
            # in the harness, which skips it: keep the stop there impossible, as it does
        out[s - 1] = best
    out[-1] = 1.0
    return out


def _run_since_relevant(labels: np.ndarray) -> np.ndarray:
    """At each position, the records screened since the last relevant one (0 before the first)."""
    idx = np.arange(labels.size)
    last = np.maximum.accumulate(np.where(labels == 1, idx, -1))
    return np.where(last >= 0, idx - last, 0)


def run_share_curve(order: Order) -> np.ndarray:
    """The run of irrelevant records since the last relevant one, as a share of N."""
    out = _run_since_relevant(order.labels) / order.n
    out[:order.n_priors] = 0.0
    out[-1] = np.inf
    return out


def run_spacing_curve(order: Order) -> np.ndarray:
    """That run in units of the mean spacing so far (screened / found)."""
    labels = order.labels
    idx = np.arange(labels.size)
    run = _run_since_relevant(labels)
    found = np.cumsum(labels)
    out = np.where(found > 0, run / ((idx + 1) / np.maximum(found, 1)), 0.0)
    out[:order.n_priors] = 0.0
    out[-1] = np.inf
    return out


def knee_curve(order: Order) -> np.ndarray:
    """Cormack & Grossman's knee: the slope ratio at the knee over its threshold 156 − min(found, 150)
    (≥ 1: the knee method fires; it needs 150 records screened)."""
    from review.screening.stopping import KNEE_MIN_SCREENED, knee_ratio

    out = np.zeros(order.n)
    found = np.cumsum(order.labels)
    for s in range(max(order.n_priors + 1, KNEE_MIN_SCREENED), order.n):
        ratio = knee_ratio(order.labels[:s])
        if ratio is not None:
            out[s - 1] = ratio / (156 - min(int(found[s - 1]), 150))
    out[-1] = np.inf
    return out


def stops_from_curve(curve: np.ndarray, levels: Sequence[float]) -> list[int]:
    """Records screened when the curve first reaches each level."""
    running = np.maximum.accumulate(curve)
    return [int(np.searchsorted(running, level - 1e-12)) + 1 for level in levels]


# -- families whose level enters elsewhere: one call per level ------------------------------
def exp_profile_stop(order: Order, level: float) -> int:
    """The exponential profile rule at ``level``: screening_stopping's trade-off rule (N if it never fires)."""
    return harness.trade_off_rule(f"exp-profile@{level}")(order.labels, order.n_priors, order.seed)[0]


def target_stop(order: Order, targets: float) -> tuple[int, int]:
    """Cormack & Grossman's target method with ``targets`` random targets: (effort, relevant seen);
    the effort is the ranked prefix up to the last target ∪ the random sample."""
    screened = harness.target_screened(order.labels, order.n_priors, order.seed, targets)
    return int(screened.sum()), int(order.labels[screened].sum())


@dataclass(frozen=True)
class Family:
    name: str
    levels: tuple[float, ...]
    note: str
    curve: Curve | None = None
    stop: Callable[[Order, float], int | tuple[int, int]] | None = None
    stops: Callable[[Order, Sequence[float]], list[tuple[int, int]]] | None = None  # all levels at once


LEVELS = (0.5, 0.7, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 0.995, 0.999)
FAMILIES: dict[str, Family] = {
    "exp-profile": Family("exp-profile", LEVELS, "profile-bound level L (Poisson quantile 0.95)", stop=exp_profile_stop),
    "lomax-bayes": Family("lomax-bayes", LEVELS, "predictive confidence C", curve=lomax_curve),
    "lomax-exp": Family("lomax-exp", LEVELS, "predictive confidence C (grid with p = ∞)", curve=lomax_exp_curve),
    "lomax-burnin": Family("lomax-burnin", LEVELS, "predictive confidence C (fit after the first relevant)",
                           curve=lomax_burnin_curve),
    "lomax-floor": Family("lomax-floor", LEVELS, "predictive confidence C (Lomax + uniform floor φ ∈ {0, .1, .3})",
                          curve=lomax_floor_curve),
    "lomax-recent": Family("lomax-recent", LEVELS, "predictive confidence C (fit to the second half)",
                           curve=lomax_recent_curve),
    "lomax-sample": Family("lomax-sample", LEVELS, "confidence C after a random sample from P ≥ 0.5",
                           stops=lomax_sample(0.5)),
    "lomax-sample-0.8": Family("lomax-sample-0.8", LEVELS, "confidence C after a random sample from P ≥ 0.8",
                               stops=lomax_sample(0.8)),
    "exp-bayes": Family("exp-bayes", (*LEVELS, 0.9999), "predictive confidence C", curve=predictive_curve("exponential")),
    "hyp-bayes": Family("hyp-bayes", (0.2, 0.3, 0.4, *LEVELS), "predictive confidence C", curve=predictive_curve("hyperbolic")),
    "buscar-ranked": Family("buscar-ranked", (0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99), "1 − α of its test", curve=buscar_curve),
    "target": Family("target", (5, 10, 15, 20, 30, 40, 59), "number of random targets k", stop=target_stop),
    "knee": Family("knee", (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0),
                   "slope ratio ≥ m · (156 − min(found, 150))", curve=knee_curve),
    "run-share": Family("run-share", (0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3),
                        "irrelevant run since the last relevant ≥ f·N", curve=run_share_curve),
    "run-spacing": Family("run-spacing", (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20),
                          "irrelevant run ≥ c · (screened / found)", curve=run_spacing_curve),
}


Outcome = tuple[int, int]  # records screened (effort), relevant among them


def stop_at(family: Family, order: Order) -> list[Outcome]:
    """(effort, relevant found) at each of the family's levels."""
    if family.curve is not None:
        at = stops_from_curve(family.curve(order), family.levels)
    elif family.stops is not None:
        at = list(family.stops(order, family.levels))
    else:
        assert family.stop is not None
        at = [family.stop(order, level) for level in family.levels]
    found = np.cumsum(order.labels)
    return [s if isinstance(s, tuple) else (s, int(found[s - 1])) for s in at]


@dataclass
class Point:
    family: str
    level: float
    reached: float
    excess: float
    reached_large: float
    excess_large: float
    reached_runs: int
    reached_large_runs: int

    @property
    def keeps_promise(self) -> bool:
        return self.reached >= PROMISE - 1e-9 and self.reached_large >= PROMISE - 1e-9


def summarise(orders: Sequence[Order], stops: dict[tuple[str, float], list[Outcome]]) -> list[Point]:
    points = []
    large = np.array([o.n >= LARGE_SET for o in orders])
    for (family, level), at in stops.items():
        recall = np.array([f / o.labels.sum() for o, (_, f) in zip(orders, at)])
        excess = np.array([(s - o.needed) / o.n for o, (s, _) in zip(orders, at)])
        reached = recall >= TARGET - 1e-9
        points.append(Point(family, level, float(reached.mean()), float(excess.mean()),
                            float(reached[large].mean()), float(excess[large].mean()),
                            int(reached.sum()), int(reached[large].sum())))
    return points


def decompose(orders: Sequence[Order], at: Sequence[Outcome]) -> dict[str, dict[str, float]]:
    """Per set (and per stratum) the mean excess split at the last relevant record.

    ``tail`` = (last relevant − 95 % point)/N: the excess of a rule that stops on the last relevant
    record; ``before`` = (min(stop, last relevant) − 95 % point)/N (negative: stopped short of
    95 %); ``after`` = (stop − last relevant)/N where positive: screening with nothing left to find.
    """
    rows: dict[str, list[tuple[float, ...]]] = {name: [] for name in sorted({o.set_name for o in orders})}
    rows |= {f"all sets of < {LARGE_SET:,}": [], f"all sets of ≥ {LARGE_SET:,}": [], "all": []}
    for o, (stop, found) in zip(orders, at):
        parts = ((o.last_relevant - o.needed) / o.n, (min(stop, o.last_relevant) - o.needed) / o.n,
                 max(0, stop - o.last_relevant) / o.n, (stop - o.needed) / o.n,
                 float(found / o.labels.sum() >= TARGET - 1e-9))
        rows.setdefault(o.set_name, []).append(parts)
        rows.setdefault(f"all sets of < {LARGE_SET:,}" if o.n < LARGE_SET else f"all sets of ≥ {LARGE_SET:,}", []).append(parts)
        rows.setdefault("all", []).append(parts)
    names = ("tail", "before", "after", "excess", "reached")
    return {k: dict(zip(names, np.mean(v, axis=0).round(4).tolist())) for k, v in rows.items() if v}


def print_decomposition(orders: Sequence[Order], label: str, at: Sequence[Outcome]) -> dict[str, dict[str, float]]:
    table = decompose(orders, at)
    sizes = {o.set_name: (o.n, int(o.labels.sum())) for o in orders}
    print(f"\nWhere {label}'s excess comes from (means over seeds; shares of N):")
    print("| set | N | R | tail: 95 % → last relevant | excess | of it before the last relevant | after it | reached |")
    print("|---|---|---|---|---|---|---|---|")
    for name, row in table.items():
        n, r = sizes.get(name, ("", ""))
        print(f"| {name} | {n} | {r} | {row['tail']:.3f} | {row['excess']:+.3f} | {row['before']:+.3f} | "
              f"{row['after']:.3f} | {row['reached']:.2f} |")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fingerprint", default="91dafdbf75", help="Engine fingerprint of the cached orders.")
    parser.add_argument("--key", default="27e865c3df", help="Candidate key of the cached orders (v2-empty0 = engine 3).")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(1, 11)))
    parser.add_argument("--families", nargs="+", default=list(FAMILIES))
    parser.add_argument("--sets", nargs="+")
    parser.add_argument("--decompose", nargs="*", default=["lomax-bayes@0.95", "exp-profile@0.95"],
                        help="FAMILY@LEVEL rules whose excess is split per set; each family's cheapest "
                             "point at >= 92 %% reach is added.")
    args = parser.parse_args()
    orders = load_orders(args.fingerprint, args.key, args.seeds, args.sets)
    n_large = sum(o.n >= LARGE_SET for o in orders)
    print(f"{len(orders)} orders ({len({o.set_name for o in orders})} sets × seeds {' '.join(map(str, args.seeds))}); "
          f"{n_large} on sets of ≥ {LARGE_SET} records")
    stops: dict[tuple[str, float], list[Outcome]] = {}
    for name in args.families:
        family = FAMILIES[name]
        per_order = [stop_at(family, o) for o in orders]
        for i, level in enumerate(family.levels):
            stops[(name, level)] = [row[i] for row in per_order]
        print(f"  {name} scored", file=sys.stderr, flush=True)
    points = summarise(orders, stops)
    print("\n| family | level | reached, all | excess, all | reached, ≥ 1,000 | excess, ≥ 1,000 | keeps 92 % on both |")
    print("|---|---|---|---|---|---|---|")
    for p in points:
        print(f"| {p.family} | {p.level:g} | {p.reached:.3f} ({p.reached_runs}) | {p.excess:+.3f} | "
              f"{p.reached_large:.3f} ({p.reached_large_runs}) | {p.excess_large:+.3f} | {'yes' if p.keeps_promise else ''} |")
    print("\nLowest excess per family at ≥ 92 % reach on all sets and on the sets ≥ 1,000:")
    print("| family | level | reached, all | excess, all | reached, ≥ 1,000 | excess, ≥ 1,000 |")
    print("|---|---|---|---|---|---|")
    best: dict[str, Point] = {}
    for p in points:
        if p.keeps_promise and (p.family not in best or p.excess < best[p.family].excess):
            best[p.family] = p
    for name in args.families:
        if name in best:
            p = best[name]
            print(f"| {name} | {p.level:g} | {p.reached:.3f} | {p.excess:+.3f} | {p.reached_large:.3f} | {p.excess_large:+.3f} |")
        else:
            print(f"| {name} | — | never | | | |")
    shown = [tuple(rule.split("@")) for rule in args.decompose] + [(p.family, f"{p.level:g}") for p in best.values()]
    decompositions = {}
    for family, level in dict.fromkeys(shown):
        key = next((k for k in stops if k[0] == family and math.isclose(k[1], float(level))), None)
        if key is not None:
            decompositions[f"{family}@{level}"] = print_decomposition(orders, f"{family}@{level}", stops[key])
    print("BENCH " + json.dumps({"benchmark": "stopping_frontier", "fingerprint": args.fingerprint, "key": args.key,
                                 "seeds": args.seeds, "runs": len(orders), "runs_large": n_large,
                                 "points": [p.__dict__ for p in points],
                                 "best": {k: v.__dict__ for k, v in best.items()},
                                 "decomposition": decompositions}))


if __name__ == "__main__":
    sys.exit(main())
