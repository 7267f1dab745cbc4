"""Stopping rules scored offline on cached screening orders (decision 0014's grid and choice rule).

Every candidate stopping rule is applied to the same finished screening orders: those that
``benchmarks/screening_dev.py`` caches per ranking candidate, set and seed under
``$REVIEW_BENCH_CACHE/dev`` (an order missing from the cache is simulated first, nice it).
Re-scoring on another ranking is one flag: ``--ranking NAME`` (a name in screening_dev's
``CANDIDATES``; default ``default``, the engine's own default).

Usage:
    REVIEW_BENCH_CACHE=DIR python benchmarks/screening_stopping.py                 # seeds 1-5, all rules
    REVIEW_BENCH_CACHE=DIR python benchmarks/screening_stopping.py --seeds 6 7 8 9 10
    REVIEW_BENCH_CACHE=DIR python benchmarks/screening_stopping.py --ranking v2-r3 --rules exp-bayes certified
    REVIEW_BENCH_CACHE=DIR python benchmarks/screening_stopping.py --rules exp-profile@0.8 lomax-bayes@0.9  # other levels
    REVIEW_BENCH_CACHE=DIR python benchmarks/screening_stopping.py --seeds 11 12 13 14 15 \
        --rules exp-profile lomax-bayes certified --markdown                   # decision 0016's judged run
    REVIEW_BENCH_CACHE=DIR python benchmarks/screening_stopping.py --seeds 16 17 18 19 20 \
        --rules lomax-bayes lomax-burnin exp-profile certified --markdown      # decision 0018's judged run

Per rule: runs with recall ≥ 0.95 at the stop ("reached") and mean excess effort ((records
screened at the stop − records needed for 95 % recall) / N, priors included; a rule that never
fires stops at N), overall, on the sets of ≥ 1,000 records and per set; then the choice by
decision 0014, by decisions 0016 and 0018 (when their candidates were scored) and one JSON line
(``BENCH {...}``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import screening_dev  # noqa: E402  (the harness that owns the cached orders)

import stopping_candidates  # noqa: E402

from review.screening import stopping, stopping_rate  # noqa: E402

TARGET, CONFIDENCE = 0.95, 0.95
Outcome = tuple[int, float]  # records screened (priors and any sample included), recall there


def _at(labels: np.ndarray, index: int | None) -> Outcome:
    stop = labels.size if index is None else int(index)
    return stop, float(labels[:stop].sum()) / float(labels.sum())


def _ranked(labels: np.ndarray, n_priors: int) -> tuple[np.ndarray, int]:
    return labels[n_priors:], int(labels[:n_priors].sum())


# -- the candidates of decision 0014 ---------------------------------------------------------
def exp_profile(labels: np.ndarray, n_priors: int, seed: int) -> Outcome:
    ranked, before = _ranked(labels, n_priors)
    at = stopping_rate.first_stop(ranked, found_before=before, model="exponential", param_level=CONFIDENCE,
                                  target_recall=TARGET, confidence=CONFIDENCE)
    return _at(labels, None if at is None else n_priors + at)


def _bayes(model: str, recent: bool = False) -> Callable[[np.ndarray, int, int], Outcome]:
    def rule(labels: np.ndarray, n_priors: int, seed: int) -> Outcome:
        ranked, before = _ranked(labels, n_priors)
        at = stopping_candidates.predictive_first_stop(ranked, found_before=before, model=model, recent=recent,
                                                 target_recall=TARGET, confidence=CONFIDENCE)
        return _at(labels, None if at is None else n_priors + at)
    return rule


def lomax_bayes(labels: np.ndarray, n_priors: int, seed: int, confidence: float = CONFIDENCE) -> Outcome:
    """The Lomax rate's posterior predictive count, fitted from the first ranked record (decisions
    0014/0016; ``stopping_rate.lomax_first_stop(burn_in=False)``)."""
    ranked, before = _ranked(labels, n_priors)
    at = stopping_rate.lomax_first_stop(ranked, found_before=before, target_recall=TARGET, confidence=confidence,
                                        burn_in=False)
    return _at(labels, None if at is None else n_priors + at)


def exp_bayes_run(labels: np.ndarray, n_priors: int, seed: int) -> Outcome:
    """exp-bayes, and the run of irrelevant since the last relevant ≥ max(20, screened / found)."""
    ranked, before = _ranked(labels, n_priors)
    sure = stopping_candidates.predictive_confidence(ranked, found_before=before, target_recall=TARGET) >= CONFIDENCE
    found = np.cumsum(labels)
    since = np.arange(labels.size) - np.maximum.accumulate(np.where(labels == 1, np.arange(labels.size), -1))
    for i in np.flatnonzero(sure):
        screened = n_priors + i + 1  # records screened after ranked record i + 1
        if since[screened - 1] >= max(20, screened / found[screened - 1]):
            return _at(labels, screened)
    return _at(labels, None)


def exp_predictive_profile(labels: np.ndarray, n_priors: int, seed: int) -> Outcome:
    """Profile likelihood of the remaining count k itself (a and b maximised), one-sided 95 %."""
    from scipy.special import gammaln, ndtri

    ranked, before = _ranked(labels, n_priors)
    n = ranked.size
    drop = float(ndtri(CONFIDENCE)) ** 2 / 2  # χ²₁(0.90)/2: one-sided 95 %
    grid = np.arange(0.0, 60.0 + 1e-9, 0.25)[:, None, None]
    found_all = np.cumsum(ranked)
    weighted_all = np.cumsum(ranked * np.arange(1, n + 1))
    for begin in range(1, n, 256):
        positions = np.arange(begin, min(n, begin + 256))
        f = found_all[positions - 1].astype(float)
        k_top = stopping_candidates.most_left_for_target(f + before, TARGET)
        ks = np.arange(0, int(k_top.max()) + 2, dtype=float)[None, None, :]
        c = grid / n
        pos = positions[None, :, None].astype(float)
        G = stopping_rate._geometric(c, pos)
        J = stopping_rate._geometric(c, np.full_like(pos, float(n))) - G
        log_sum = -c * weighted_all[positions - 1][None, :, None]
        m = f[None, :, None] + ks
        with np.errstate(divide="ignore", invalid="ignore"):
            ell = (np.where(m > 0, m * np.log(np.where(m > 0, m, 1) / (G + J)), 0.0) - m + log_sum
                   + np.where(ks > 0, ks * np.log(J), 0.0) - gammaln(ks + 1))
        ell = np.nan_to_num(ell, nan=-np.inf).max(axis=0)  # profile over b: positions × k
        k_next = (k_top + 1).astype(int)
        rows = np.arange(positions.size)
        inside = ks[0, 0, :][None, :] <= k_next[:, None]
        ell = np.where(inside, ell, -np.inf)
        best = ell.max(axis=1)
        at_next = ell[rows, k_next]
        peak_beyond = ell.argmax(axis=1) >= k_next
        sure = (f >= 1) & ~peak_beyond & (at_next < best - drop)
        sure |= (n - positions) <= k_top
        if sure.any():
            return _at(labels, n_priors + int(positions[np.argmax(sure)]))
    return _at(labels, None)


def buscar_ranked(labels: np.ndarray, n_priors: int, seed: int) -> Outcome:
    """buscar's test on the ranking: the last n screened as a sample of them + the unscreened."""
    relevant_at = np.flatnonzero(labels)
    for s in range(n_priors + 1, labels.size):
        if labels[s - 1]:
            continue  # p only falls after an irrelevant record
        p = buscar_min_p(relevant_at, s, labels.size)
        if p is not None and p < 1 - CONFIDENCE:
            return _at(labels, s)
    return _at(labels, None)


def buscar_min_p(relevant_at: np.ndarray, s: int, total_n: int) -> float | None:
    """buscar's smallest p-value over the ranked windows after ``s`` records (None: nothing found yet).

    For a given count k in the window the longest window has the smallest p: windows that start
    just after a relevant record (k = the relevant after it), and the whole prefix."""
    from scipy.stats import hypergeom

    seen = relevant_at[relevant_at < s]
    found = seen.size
    if found == 0:
        return None
    starts = np.concatenate([seen + 1, [0]])
    in_window = np.concatenate([found - np.arange(1, found + 1), [found]])
    n = s - starts
    k_hat = np.floor(found / TARGET + 1 - (found - in_window))
    return float(np.nanmin(hypergeom.cdf(in_window, total_n - s + n, k_hat, n)))


TARGETS = math.ceil(math.log(1 - CONFIDENCE) / math.log(TARGET))  # 59


def target_method(labels: np.ndarray, n_priors: int, seed: int) -> Outcome:
    """Cormack & Grossman: random sample until TARGETS relevant; stop once the ranking has them all."""
    screened = target_screened(labels, n_priors, seed, TARGETS)
    return int(screened.sum()), float(labels[screened].sum()) / float(labels.sum())


def target_screened(labels: np.ndarray, n_priors: int, seed: int, targets: float) -> np.ndarray:
    """What the target method screens with ``targets`` random targets: the ranked prefix up to the
    last target found, and the random sample itself (a mask over the order)."""
    draws = np.random.default_rng([seed, 2016]).permutation(labels.size)  # positions in the order
    hits = np.cumsum(labels[draws])
    reach = int(np.searchsorted(hits, targets)) + 1 if hits[-1] >= targets else labels.size
    sample = draws[:reach]
    found_targets = sample[labels[sample] == 1]
    stop = max(n_priors, int(found_targets.max()) + 1) if found_targets.size else labels.size
    screened = np.zeros(labels.size, dtype=bool)
    screened[:stop] = True
    screened[sample] = True
    return screened


def certified(labels: np.ndarray, n_priors: int, seed: int) -> Outcome:
    point = stopping.stopping_points(labels.tolist(), n_priors=n_priors, seed=seed)["statistical"]
    return _at(labels, point["n_screened"])


#: Decision 0014's grid, in its order of simplicity (ties go to the earlier one).
CANDIDATE_RULES: dict[str, Callable[[np.ndarray, int, int], Outcome]] = {
    "exp-profile": exp_profile,
    "exp-bayes": _bayes("exponential"),
    "hyp-bayes": _bayes("hyperbolic"),
    "lomax-bayes": lomax_bayes,  # decision 0014's addendum
    "exp-predictive-profile": exp_predictive_profile,
    "exp-bayes-recent": _bayes("exponential", recent=True),
    "exp-bayes+run": exp_bayes_run,
    "buscar-ranked": buscar_ranked,
    "target": target_method,
}
REFERENCE_RULES = {"certified": certified}


def lomax_burnin(labels: np.ndarray, n_priors: int, seed: int) -> Outcome:
    """Decision 0018's winner, the recommended rule since: the Lomax rule fitted after the ranked
    phase's first relevant record (``stopping_rate.lomax_first_stop``, its default)."""
    ranked, before = _ranked(labels, n_priors)
    at = stopping_rate.lomax_first_stop(ranked, found_before=before, target_recall=TARGET, confidence=CONFIDENCE)
    return _at(labels, None if at is None else n_priors + at)


#: Decision 0018 (round 4): the incumbent and its named candidate, judged on seeds 16-20.
ROUND4_RULES: dict[str, Callable[[np.ndarray, int, int], Outcome]] = {"lomax-burnin": lomax_burnin}


def trade_off_rule(name: str) -> Callable[[np.ndarray, int, int], Outcome]:
    """``exp-profile@L`` (profile bound at level L) or ``lomax-bayes@C`` (predictive at confidence C).

    Not candidates (decision 0014 tunes no level): they show what a rule of either family would
    cost at another level, i.e. where the goals sit on its reached-versus-excess curve.
    """
    family, level = name.split("@")
    value = float(level)

    def rule(labels: np.ndarray, n_priors: int, seed: int) -> Outcome:
        ranked, before = _ranked(labels, n_priors)
        if family == "exp-profile":
            at = stopping_rate.first_stop(ranked, found_before=before, model="exponential", param_level=value,
                                          target_recall=TARGET, confidence=CONFIDENCE)
        elif family == "lomax-bayes":
            return lomax_bayes(labels, n_priors, seed, confidence=value)
        else:
            raise ValueError(f"{name}: expected exp-profile@LEVEL or lomax-bayes@CONFIDENCE")
        return _at(labels, None if at is None else n_priors + at)
    return rule
INCUMBENT = "exp-profile"


def needed(labels: np.ndarray) -> int:
    """Records screened (priors included) when the order reaches 95 % recall."""
    return int(np.searchsorted(np.cumsum(labels), math.ceil(TARGET * labels.sum() - 1e-9))) + 1


def excess(labels: np.ndarray, screened: int) -> float:
    return (screened - needed(labels)) / labels.size


def choose(summary: dict[str, dict[str, float]], runs: int, grid: Sequence[str] = CANDIDATE_RULES,
           incumbent: str = INCUMBENT) -> tuple[str, str]:
    """Decision 0014's rule on the overall numbers: (winner, why). ``grid`` (in 0014's order of
    preference) and ``incumbent`` let selection_cv replay it with another incumbent."""
    grid = [name for name in grid if name in summary]
    if not grid:
        return "-", "no candidate of the grid was scored"
    eligible = [name for name in grid if summary[name]["reached_runs"] >= math.ceil(0.92 * runs)]
    if not [name for name in eligible if name != incumbent]:
        if incumbent in eligible:
            return incumbent, "no other candidate is eligible: the incumbent stays"
        best = max(grid, key=lambda name: summary[name]["reached_runs"])
        return best, "none is eligible: the one reaching 0.95 most often"
    lowest = min(summary[name]["excess"] for name in eligible)
    winner = next(name for name in grid if name in eligible and summary[name]["excess"] <= lowest + 0.005)
    return winner, f"eligible: {', '.join(eligible)}; lowest excess {lowest:+.3f}"


#: Decision 0016: the promise must hold on all runs and on the runs of sets this large.
LARGE_SET = 1000
ELIGIBLE_SHARE = 0.92


def _eligible_both(name: str, all_runs: dict[str, dict[str, float]], large_runs: dict[str, dict[str, float]],
                   runs: int, runs_large: int) -> bool:
    """Decisions 0016 and 0018: 95 % recall reached in ≥ 92 % of all runs and of the large sets' runs."""
    return (all_runs[name]["reached_runs"] >= math.ceil(ELIGIBLE_SHARE * runs)
            and large_runs[name]["reached_runs"] >= math.ceil(ELIGIBLE_SHARE * runs_large))


def choose_0016(all_runs: dict[str, dict[str, float]], large_runs: dict[str, dict[str, float]],
                runs: int, runs_large: int) -> tuple[str, str]:
    """Decision 0016's rule between exp-profile (incumbent) and lomax-bayes: (winner, why).

    Eligible: 95 % recall reached in ≥ 92 % of all runs and of the runs on sets of ≥ 1,000
    records. Both eligible: the lower mean excess, the incumbent within 0.005. One: it. None:
    the one reaching 95 % in more runs (the incumbent on a tie, which 0016 leaves open).
    """
    pair = (INCUMBENT, "lomax-bayes")
    eligible = [name for name in pair if _eligible_both(name, all_runs, large_runs, runs, runs_large)]
    if len(eligible) == 2:
        if all_runs[INCUMBENT]["excess"] <= all_runs["lomax-bayes"]["excess"] + 0.005:
            return INCUMBENT, "both eligible; the incumbent's excess is within 0.005 of the lowest"
        return "lomax-bayes", "both eligible; lomax-bayes has the lower excess by more than 0.005"
    if eligible:
        return eligible[0], "the only eligible one"
    best = max(pair, key=lambda name: all_runs[name]["reached_runs"])  # max keeps the first: the incumbent
    return best, "neither is eligible: the one reaching 0.95 in more runs (goal missed)"


INCUMBENT_0018 = "lomax-bayes"


def choose_0018(all_runs: dict[str, dict[str, float]], large_runs: dict[str, dict[str, float]],
                runs: int, runs_large: int, candidates: tuple[str, ...] = tuple(ROUND4_RULES)) -> tuple[str, str]:
    """Decision 0018's rule: lomax-bayes stays unless a named candidate is eligible with lower excess.

    Eligible: 95 % recall reached in ≥ 92 % of all runs and of the runs on sets of ≥ 1,000
    records. A candidate replaces the incumbent only if it is eligible and its mean excess (all
    runs) is lower than the incumbent's by more than 0.005; among such candidates the lowest excess.
    If the incumbent is not eligible, the eligible candidate with the lowest excess; if none is, the
    incumbent stays and the miss is reported.
    """
    def eligible(name: str) -> bool:
        return _eligible_both(name, all_runs, large_runs, runs, runs_large)

    scored = [name for name in candidates if name in all_runs]
    ok = [name for name in scored if eligible(name)]
    incumbent_ok = eligible(INCUMBENT_0018)
    if incumbent_ok:
        ok = [name for name in ok if all_runs[name]["excess"] < all_runs[INCUMBENT_0018]["excess"] - 0.005]
    if not ok:
        why = "no candidate is eligible with an excess lower by more than 0.005" if incumbent_ok \
            else "no rule is eligible: the incumbent stays (goal missed)"
        return INCUMBENT_0018, why
    best = min(ok, key=lambda name: all_runs[name]["excess"])
    return best, f"eligible with the lowest excess ({all_runs[best]['excess']:+.3f})"


def _stratum(per_set: dict[str, list[tuple[float, float]]], sets: list[str]) -> dict[str, float]:
    outcomes = [o for s in sets for o in per_set.get(s, [])]
    reached = sum(recall >= TARGET - 1e-9 for recall, _ in outcomes)
    return {"runs": len(outcomes), "reached_runs": reached, "reached": round(reached / max(len(outcomes), 1), 3),
            "excess": round(float(np.mean([e for _, e in outcomes])), 4) if outcomes else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranking", default="default", help="Ranking candidate whose cached orders are scored.")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--rules", nargs="+", default=[*CANDIDATE_RULES, *REFERENCE_RULES])
    parser.add_argument("--sets", nargs="+", help="Only these set names (file stems).")
    parser.add_argument("--markdown", action="store_true", help="Also print the per-set table in Markdown.")
    parser.add_argument("--cached-only", action="store_true", help="Fail instead of simulating a missing order.")
    args = parser.parse_args()
    rules = {**CANDIDATE_RULES, **REFERENCE_RULES, **ROUND4_RULES}
    rules |= {name: trade_off_rule(name) for name in args.rules if "@" in name}
    sets = sorted(p.stem for p in screening_dev.DATA_DIR.glob("*.csv") if not args.sets or p.stem in args.sets)
    candidate = screening_dev.CANDIDATES[args.ranking]
    orders = {}
    if args.cached_only:
        key = "default" if candidate is None else candidate.key()
        missing = [f"{s} seed {seed}" for s in sets for seed in args.seeds
                   if not screening_dev.cache_path(screening_dev._engine_fingerprint(), key, s, seed).exists()]
        if missing:
            sys.exit(f"screening_stopping: {len(missing)} orders of {args.ranking!r} not cached, e.g. {missing[0]}")
    for set_name in sets:
        for seed in args.seeds:
            # One process for every order: run_one puts the engine's own functions back before each simulation,
            # so a size switch's engine runs after its installed candidate's are the engine's.
            row = screening_dev.run_one((args.ranking, candidate, set_name, "label_included", seed))
            labels = screening_dev.order_labels(row)
            orders[(set_name, seed)] = (labels, int(row["n_priors"]))
    per_set: dict[str, dict[str, list[tuple[float, float]]]] = {name: {} for name in args.rules}
    for name in args.rules:
        for (set_name, seed), (labels, n_priors) in orders.items():
            screened, recall = rules[name](labels, n_priors, seed)
            per_set[name].setdefault(set_name, []).append((recall, excess(labels, screened)))
    runs = len(orders)
    summary = {}
    print(f"{runs} runs ({len(sets)} sets × seeds {' '.join(map(str, args.seeds))}), ranking {args.ranking!r}")
    print(f"{'rule':<24} {'reached':>8} {'excess':>8}   per set: reached/runs excess")
    for name in args.rules:
        everything = [o for outcomes in per_set[name].values() for o in outcomes]
        reached = sum(recall >= TARGET - 1e-9 for recall, _ in everything)
        summary[name] = {"reached": round(reached / runs, 3), "reached_runs": reached,
                         "excess": round(float(np.mean([e for _, e in everything])), 4),
                         "per_set": {s: [sum(r >= TARGET - 1e-9 for r, _ in o), round(float(np.mean([e for _, e in o])), 4)]
                                     for s, o in per_set[name].items()}}
        detail = "  ".join(f"{screening_dev._short(s + ':label_included').split('/')[0]} {v[0]}/{len(args.seeds)} {v[1]:+.2f}"
                           for s, v in summary[name]["per_set"].items())
        print(f"{name:<24} {reached / runs:8.3f} {summary[name]['excess']:+8.3f}   {detail}", flush=True)
    large = [s for s in sets if any(labels.size >= LARGE_SET for (name, _), (labels, _) in orders.items() if name == s)]
    strata = {name: _stratum(per_set[name], large) for name in args.rules}
    runs_large = next(iter(strata.values()))["runs"] if strata else 0
    print(f"sets of >= {LARGE_SET} records ({len(large)} sets, {runs_large} runs):")
    for name in args.rules:
        print(f"  {name:<22} {strata[name]['reached']:8.3f} ({strata[name]['reached_runs']}/{runs_large}) "
              f"{strata[name]['excess']:+8.3f}")
        summary[name]["large_sets"] = strata[name]
    winner, why = choose(summary, runs)
    print(f"choice by decision 0014: {winner} ({why})")
    choice_0016 = None
    if INCUMBENT in summary and "lomax-bayes" in summary:
        choice_0016, why = choose_0016(summary, strata, runs, runs_large)
        print(f"choice by decision 0016: {choice_0016} ({why})")
    choice_0018 = None
    if INCUMBENT_0018 in summary and any(name in summary for name in ROUND4_RULES):
        choice_0018, why = choose_0018(summary, strata, runs, runs_large)
        print(f"choice by decision 0018: {choice_0018} ({why})")
    if args.markdown:
        shown = [name for name in args.rules]
        print("| set | " + " | ".join(f"{n}: reached | excess" for n in shown) + " |")
        print("|---|" + "---|---|" * len(shown))
        for set_name in sets:
            cells = " | ".join(f"{summary[n]['per_set'][set_name][0]}/{len(args.seeds)} | "
                               f"{summary[n]['per_set'][set_name][1]:+.3f}" for n in shown)
            print(f"| {set_name} | {cells} |")
        cells = " | ".join(f"**{summary[n]['reached']:.3f}** | **{summary[n]['excess']:+.3f}**" for n in shown)
        print(f"| **all {runs} runs** | {cells} |")
    print("BENCH " + json.dumps({"benchmark": "screening_stopping", "ranking": args.ranking, "seeds": args.seeds,
                                 "runs": runs, "choice": winner, "choice_0016": choice_0016, "choice_0018": choice_0018,
                                 "large_set_records": LARGE_SET, "runs_large": runs_large, "rules": summary}))


if __name__ == "__main__":
    sys.exit(main())
