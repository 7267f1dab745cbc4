"""The classifier's evidence beside the Lomax rate: stopping round 5 (decision 0025).

The rate rules read only where relevant records turned up along the ranking; Bin-Hezam & Stevenson
(2023) add what a classifier trained on the screened records says about the unscreened ones. Two
phases:

``collect`` re-runs the default simulation of each set and seed (the cached orders keep labels only)
and, at every check on the ⌈N/100⌉ grid from where the recommended rule's P(recall ≥ 0.95) first
reaches 0.1 (and at least 5 % of N) to 10 % of N past its stop, fits the default model on the
records screened so far: 5-fold out-of-fold scores of the screened records (the calibration's data; as src,
min(5, relevant, irrelevant) folds and no evidence with fewer than 2 of either: before 2026-12-07 five folds
whatever the irrelevant count, which changed 4 of the 110,117 checks stored under /work/bench-cache, in thinned runs
at 12-15 screened with 8-11 relevant, where k* is 0 and C3 asks no view) and the full fit's scores of the
unscreened. One ``.npz`` per run under
``$REVIEW_BENCH_CACHE/stopping-clf/<engine>-<set>-seed<S>.npz``.

``score`` applies decision 0025's rules to the store: calibrations ``platt`` / ``isotonic``, and the
classifier alone, or with ``lomax-burnin`` (either, both at a lower Lomax level, the product of the
two distributions, their mixture). Per rule: reached share (recall ≥ 0.95 at the stop) over all runs
and the runs on sets ≥ 1,000 records, mean excess; per set with ``--per-set``; one JSON line.

Round 6 (decision 0028): the rule ``round6`` stands for ``ROUND6_RULES`` (the low-score calibrations
and levels); a rule name ending in ``+guard`` consults the classifier only from src's ``GATE_SHARE``;
``src`` is src's ``relevance_rate_classifier`` stop, stored by ``collect --with-src`` (with the
evidence) or ``collect --src-only`` (that stop alone, e.g. into a second store to check src afresh).

Round 7 (decision 0029): ``round7`` stands for ``ROUND7_RULES``: the classifier's level by k* (the
Lomax part alone, or 0.99, where k* = 0) and a Platt count with the fit's Laplace uncertainty
(``laplace_p``); every round-7 rule has src's share gate.

Round 8 (decision 0030): ``round8`` stands for ``ROUND8_RULES``: Platt fitted on the low or the recent part of
the screened records with its Laplace uncertainty carried (``subset_laplace_p``), k* = 0 left to the Lomax part.
Round 9 (decision 0034): ``round9`` stands for ``ROUND9_RULES``: the Platt count scaled by its own prequential
record (an earlier check's fit's predicted sum for the records screened since against the relevant found
among them; ``round9_rows``), the ratio's Gamma uncertainty carried, k* = 0 left to the Lomax part.
Round 10 (decision 0035): ``round10`` stands for ``ROUND10_RULES``: the Platt count corrected by a small model fitted
on other sets' development runs (``Round10Fits``: leave one set out; ``--train-cache``/``--train-seeds`` name the
runs it learns from), k* = 0 left to the Lomax part; ``xfit`` prints the fits.
Round 11 (decision 0040): ``round11`` stands for ``ROUND11_RULES``: two-sided combinations — the classifier may
also veto a Lomax stop, and the Lomax level may depend on its view (``round11_stop`` walks a run decision by
decision); ``collect --window-past S`` stores checks to S·N past the Lomax stop (0.10 before this round).
Round 12 (decision 0059): ``round12`` stands for ``ROUND12_RULES``: the Lomax part's level by k* (lowered where
k* is 1 or 2, ``round12_stop``), the incumbent's veto and classifier otherwise.
Round 14 (decision 0061): ``round14`` stands for ``ROUND14_RULES``: decision 0060's rule (R2) with the Lomax part
lowered further where k* is 1 or 2, always or only where the check in force asked the classifier and it did not
object (its assent), and no veto where k* ≥ 3 (``round14_stop``).
Round 15 (decision 0063): ``round15`` stands for ``ROUND15_RULES``: R2 and round 14's two assent rules, each with a
classifier stop that also needs the trend's P(left ≤ k*) ≥ 0.3 at that check (``round14_stop``'s ``stop_gate``).
Round 16 (decision 0065): ``round16`` stands for ``ROUND16_RULES``: the rule in force (decision 0063's
``assent@0.50+g0.3``) and one candidate, the same rule with the veto where k* is 1 or 2 at 0.10 instead of 0.20.
Round 17 (decision 0068): ``round17`` stands for ``ROUND17_RULES``: the rule in force and three candidates where a
view at k* 1 or 2 below 0.20 still assents when the asked checks right before it agree (``round14_stop``'s
``agreement``: 0.10 over two checks, 0.05 over four), the last also with the trend's level 0.30 on an assent.
Round 19 (decision 0072): ``round19`` stands for ``ROUND19_RULES``: the rule in force since 171577d5, C3
(``lomax-or-c3``: the trend at 0.98 at every k*, no veto, the classifier's stop only where k* ≥ 6; ``round19_stop``),
beside ``src``, decision 0068's rule it replaced, and the references. Past the stored window of checks C3's walk goes
on with no check asking the classifier (such a stop is the trend's; ``past_window`` counts them), as decision 0072
scored it; src asks the classifier there.
Round 20 (decision 0077): ``round20`` stands for ``ROUND20_RULES``: C3 with a gap guard (``c3+gapF/5``: a stop is
taken only after a run of irrelevant records of at least F × the longest of the last five gaps between relevant
records; ``gap_guard_holds``) and C3 with the trend at 0.99; ``score --thin F --thin-draws D…`` scores thinned sets.
``--candidate NAME`` (stopdiag24): ``collect`` and ``score`` a ranking candidate of ``screening_dev.py`` instead of the
engine — its orders, and the classifier's evidence on the rows it ranks on (as its ``--src-stopping`` fits src's stop),
stored as ``c-NAME-<set>-seed<S>.npz`` beside the engine's ``e6-…`` files.
The rules come right after ``score``, before the options (argparse takes no positional after them):

    REVIEW_BENCH_CACHE=DIR nice -n 10 python benchmarks/stopping_classifier.py collect --with-src --seeds 1 2 3
    REVIEW_BENCH_CACHE=DIR python benchmarks/stopping_classifier.py score round6 src --per-set --seeds 1 2 3
    REVIEW_BENCH_CACHE=OTHER nice -n 10 python benchmarks/stopping_classifier.py collect --src-only --seeds 26
    REVIEW_BENCH_CACHE=DIR nice -n 10 python benchmarks/stopping_classifier.py collect --with-src --candidate asr-wpan+mindf2
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import screening_dev  # noqa: E402
import stopping_candidates  # noqa: E402

from review.screening.models import DEFAULT_MODEL, make_model  # noqa: E402
from review.screening.ranker import ENGINE_VERSION  # noqa: E402
from review.screening.simulate import simulate  # noqa: E402
from review.screening.stopping_classifier import GATE_SHARE, check_step, platt_fit  # noqa: E402  (src's gate, grid, fit)
from review.screening.stopping_rate import most_left_for_target  # noqa: E402

TARGET, CONFIDENCE, FOLDS = 0.95, 0.95, 5
LARGE = 1000
WINDOW_START_P, WINDOW_START_SHARE, WINDOW_PAST = 0.1, 0.05, 0.10


def store_dir() -> Path:
    root = Path(os.environ.get("REVIEW_BENCH_CACHE", Path(__file__).resolve().parent / ".cache"))
    path = root / "stopping-clf"
    path.mkdir(parents=True, exist_ok=True)
    return path


def classifier_evidence(features: Any, labelled_ids: list[int], y: np.ndarray, seed: int,
                        unscreened_ids: list[int]) -> tuple[np.ndarray, np.ndarray] | None:
    """Out-of-fold scores of the screened records and the full fit's scores of the unscreened ones.

    None while fewer than two relevant or two irrelevant records are labelled (nothing to calibrate on), and
    ``min(FOLDS, relevant, irrelevant)`` folds, as src's ``stopping_classifier.estimate``: five folds over fewer than
    five irrelevant records left a fold without one (scikit-learn's warning) and folded otherwise than src.
    """
    from sklearn.model_selection import StratifiedKFold

    positives = int(y.sum())
    negatives = int(y.size) - positives
    if positives < 2 or negatives < 2:
        return None
    matrix = features.matrix
    n_records = matrix.shape[0]
    rows = features.rows(labelled_ids)
    out_of_fold = np.zeros(rows.size)
    folds = StratifiedKFold(n_splits=min(FOLDS, positives, negatives), shuffle=True, random_state=seed)
    for train, test in folds.split(rows, y):
        model = make_model(DEFAULT_MODEL, seed, n_records).fit(matrix[rows[train]], y[train])
        out_of_fold[test] = model.scores(matrix[rows[test]])
    model = make_model(DEFAULT_MODEL, seed, n_records).fit(matrix[rows], y)
    return out_of_fold, model.scores(matrix[features.rows(unscreened_ids)])


def evidence_name(set_name: str, seed: int, candidate: str | None = None) -> str:
    """The store's file of one run: engine ``ENGINE_VERSION``'s (``e6-…``), or a ranking candidate's of
    ``screening_dev.py`` (``c-NAME-…``), so that the two never read each other's evidence."""
    prefix = f"e{ENGINE_VERSION}" if candidate is None else f"c-{candidate}"
    return f"{prefix}-{set_name}-seed{seed}.npz"


def candidate_run(name: str, set_name: str, seed: int) -> tuple[Any, Any, Any]:
    """``screening_dev.py``'s candidate ``name`` on one set and seed, as its ``--src-stopping`` runs it (the size
    switch resolved, ``default`` the engine): the simulation's result, the labelled set, and the rows its stopping
    classifier reads (the ranking's, or its word features where the candidate says ``stop_words``)."""
    chosen = screening_dev.CANDIDATES[name]
    if chosen is not None and (chosen.small or chosen.large):
        small = screening_dev._n_records(set_name) < screening_dev.SMALL_SET_RECORDS
        other = chosen.small if small else chosen.large
        if other:
            return candidate_run(other, set_name, seed)
    result, data, features, words, _ = screening_dev._simulated(chosen, set_name, "label_included", seed)
    return result, data, words if chosen is not None and chosen.stop_words else features


_THINNED: dict[str, tuple[Any, Any]] = {}  # thinned sets built by collect, by name


def thinned_name(set_name: str, fraction: float, draw: int) -> str:
    """The store's name of ``set_name`` thinned to ``fraction`` of its records by ``draw`` (stop18)."""
    return f"{set_name}@thin{round(100 * fraction)}d{draw}"


def thinned_rows(labels: list[int], set_name: str, fraction: float, draw: int) -> Any:
    """The rows (0-based, in file order) of a set whose rows are labelled ``labels`` that it keeps thinned to
    ``fraction`` by ``draw`` (stop18): ``round(fraction * N)`` drawn without replacement by
    ``np.random.default_rng([draw, sum(set_name.encode())])``, at least two relevant and two irrelevant among them.
    ``benchmarks/screening.py --thin`` writes the same rows."""
    if not 0.0 < fraction <= 1.0:
        raise SystemExit(f"--thin {fraction}: a share of the records, above 0 and at most 1")
    rng = np.random.default_rng([draw, sum(set_name.encode())])
    keep = np.sort(rng.choice(len(labels), size=round(fraction * len(labels)), replace=False))
    relevant = sum(labels[i] for i in keep)
    if relevant < 2 or keep.size - relevant < 2:
        raise SystemExit(f"{thinned_name(set_name, fraction, draw)}: fewer than two relevant or irrelevant records kept")
    return keep


def thinned_set(set_name: str, fraction: float, draw: int) -> tuple[Any, Any]:
    """``set_name`` with ``fraction`` of its records kept at random (``draw`` seeds the choice), and the engine's
    features built on what is kept, as for a set of that size: a review the seeds do not give (stop18). The
    record ids stay the shared file's; at least two relevant and two irrelevant records are kept."""
    from review.screening.features import build_features
    from review.screening.simulate import LabelledSet

    full, _ = screening_dev.candidate_features(None, set_name, "label_included")
    keep = thinned_rows([full.labels[i] for i in full.ids], set_name, fraction, draw)
    size = int(keep.size)
    ids = [full.ids[i] for i in keep]
    labels = {i: full.labels[i] for i in ids}
    config = screening_dev.ranker.feature_config_for("default", size)
    texts = [full.texts[i] for i in keep] if config.title_repeats == \
        screening_dev.ranker.feature_config_for("default", len(full)).title_repeats else None
    if texts is None:  # the title weight changes with the size: read the records again at the thinned size's
        fresh = screening_dev.load_task(screening_dev.DATA_DIR / f"{set_name}.csv", "label_included",
                                        config.title_repeats)
        position = {record_id: i for i, record_id in enumerate(fresh.ids)}
        texts = [fresh.texts[position[record_id]] for record_id in ids]
    data = LabelledSet(ids=ids, texts=texts, labels=labels, name=thinned_name(set_name, fraction, draw))
    return data, build_features(data.ids, data.texts, config)


def collect(sets: list[str], seeds: list[int], with_src: bool = False, src_only: bool = False,
            window_past: float = WINDOW_PAST, candidate: str | None = None,
            thin: tuple[float, list[int]] | None = None) -> None:
    """``candidate``: a ranking candidate of ``screening_dev.py`` instead of the engine (its orders, and the
    classifier's evidence on the rows it ranks on, as ``--src-stopping`` fits src's stop on them). ``thin``
    (fraction, draws): the engine on each set thinned by each draw (``thinned_set``), stored under
    ``thinned_name``."""
    if thin is not None:
        if candidate is not None:
            raise SystemExit("--thin runs the engine: not with --candidate")
        fraction, draws = thin
        for set_name in sets:
            for draw in draws:
                name = thinned_name(set_name, fraction, draw)
                _THINNED[name] = thinned_set(set_name, fraction, draw)
        sets = [thinned_name(s, fraction, d) for s in sets for d in draws]
    started = time.process_time()
    for set_name in sets:
        if candidate is None:
            data, features = _THINNED[set_name] if set_name in _THINNED else \
                screening_dev.candidate_features(None, set_name, "label_included")
        for seed in seeds:
            path = store_dir() / evidence_name(set_name, seed, candidate)
            if path.exists():
                continue
            t0 = time.process_time()
            if candidate is None:
                result = simulate(data, seed=seed, features=features)
            else:
                result, data, features = candidate_run(candidate, set_name, seed)
            order = list(result.order)
            labels = np.array([data.labels[r] for r in order], dtype=np.int64)
            n, n_priors = labels.size, len(result.priors)
            ranked, before = labels[n_priors:], int(labels[:n_priors].sum())
            curve = stopping_candidates.lomax_burnin_confidence(ranked, found_before=before)
            crossing = np.flatnonzero(curve >= CONFIDENCE)
            lomax_stop = n if crossing.size == 0 else n_priors + int(crossing[0]) + 1
            warm = np.flatnonzero(curve >= WINDOW_START_P)
            first = max(n_priors + int(warm[0]) + 1 if warm.size else lomax_stop, int(WINDOW_START_SHARE * n))
            last = min(n - 1, lomax_stop + int(window_past * n))
            step = check_step(n)
            checks = [] if src_only else [t for t in range(step, n, step) if first <= t <= last]
            scores = np.full((len(checks), n), np.nan, dtype=np.float32)
            fit_seconds = []
            for i, at in enumerate(checks):
                f0 = time.perf_counter()
                evidence = classifier_evidence(features, order[:at], labels[:at], seed, order[at:])
                fit_seconds.append(time.perf_counter() - f0)
                if evidence is not None:
                    scores[i, :at], scores[i, at:] = evidence
            extra = {}
            if with_src:  # the candidate by its one implementation in src, on the same order
                from review.screening import stopping_classifier
                from review.screening.stopping_rate import lomax_first_stop

                s0 = time.perf_counter()
                # src's stop of the rule's Lomax part (at its own level: 0.98 since decision 0072), as
                # stopping.stopping_points hands it to stop_finder in review simulate, not this benchmark's curve's
                src_lomax = lomax_first_stop(ranked, found_before=before,
                                             level=stopping_classifier.trend_levels(CONFIDENCE))
                src_stop = stopping_classifier.stop_finder(features.matrix, features.rows(order), labels,
                                                           n_priors=n_priors, seed=seed)(
                    None if src_lomax is None else n_priors + src_lomax)
                extra = {"src_stop": n if src_stop is None else src_stop, "src_seconds": time.perf_counter() - s0}
            np.savez_compressed(path, labels=labels, n_priors=n_priors, checks=np.array(checks, dtype=np.int64),
                                scores=scores, lomax_stop=lomax_stop, fit_seconds=np.array(fit_seconds),
                                engine=ENGINE_VERSION, candidate=candidate or "", **extra)
            print(f"{set_name} seed {seed}: N {n}, lomax stop {lomax_stop}, {len(checks)} checks, "
                  f"{time.process_time() - t0:.1f} s CPU, check p50 {np.median(fit_seconds) if fit_seconds else 0:.3f} s",
                  flush=True)
    print(f"CPU {time.process_time() - started:.0f} s")


# -- scoring ------------------------------------------------------------------------------------
def calibrated(method: str, out_of_fold: np.ndarray, y: np.ndarray, unscreened: np.ndarray) -> np.ndarray:
    """Probabilities of the unscreened records from the screened records' out-of-fold scores."""
    if method == "platt":
        from scipy.special import expit

        slope, intercept = platt_fit(out_of_fold, y)
        return expit(slope * unscreened + intercept)
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(out_of_fold, y).predict(unscreened)
    raise ValueError(method)


def poisson_pmf(mean: float, size: int) -> np.ndarray:
    from scipy.stats import poisson

    pmf = poisson.pmf(np.arange(size), max(mean, 1e-12))
    pmf[-1] += max(0.0, 1.0 - pmf.sum())
    return pmf


def lomax_pmf(ranked: np.ndarray, n_ranked_total: int, before: int) -> np.ndarray:
    """lomax-burnin's posterior predictive of the relevant left after ``ranked`` (its fit starts after
    the first relevant ranked record); a point mass at 0 before it can fit."""
    hits = np.flatnonzero(ranked)
    left = n_ranked_total - ranked.size
    if hits.size < 2:
        pmf = np.zeros(left + 1)
        pmf[-1] = 1.0  # nothing known: all may be left (never allows a stop)
        return pmf
    start = int(hits[0]) + 1
    return stopping_candidates.lomax_predictive_pmf(ranked[start:], n_ranked_total - start, before + 1)


# -- round 6 (decision 0028): calibrations of the low-score tail -------------------------------
#: The classifier parts of decision 0028's space: name → (calibration, confidence).
ROUND6_PARTS: dict[str, tuple[str, float]] = {
    "platt-low": ("platt-low", 0.95), "platt-recent": ("platt-recent", 0.95), "binned": ("binned", 0.95),
    "isotonic-beta": ("isotonic-beta", 0.95), "shift-10": ("shift-10", 0.95), "shift-5": ("shift-5", 0.95),
    "platt@0.9": ("platt", 0.90), "platt-low@0.9": ("platt-low", 0.90), "shift-10@0.9": ("shift-10", 0.90),
}


def platt_smoothed(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt's (1999) fit with his smoothed targets: (n₊ + 1)/(n₊ + 2) and 1/(n₋ + 2), so that a set of
    scores with no relevant record still gives a finite curve."""
    positives = float(y.sum())
    negatives = float(y.size - positives)
    targets = np.where(y > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    return platt_fit(scores, targets)


def poisson_left_p(expected: float, k_star: int) -> float:
    from scipy.special import pdtr

    return float(pdtr(k_star, max(expected, 1e-12)))


def negative_binomial_sum_p(shapes: np.ndarray, success: np.ndarray, k_star: int) -> float:
    """P(Σ X_b ≤ k*) for independent X_b ~ NegBin(shape_b, success_b) (failures before the shape-th
    success): each bin's Gamma(shape, n) rate times Poisson over its m unscreened records."""
    from scipy.stats import nbinom

    js = np.arange(k_star + 1)
    total = np.zeros(k_star + 1)
    total[0] = 1.0
    for shape, p in zip(shapes, success, strict=True):
        pmf = nbinom.pmf(js, shape, p)
        total = np.convolve(total, pmf)[: k_star + 1]
    return float(total.sum())


def _pav_blocks(scores: np.ndarray, y: np.ndarray) -> list[tuple[float, float, int, int]]:
    """Blocks of the increasing isotonic regression of y on the scores (pool adjacent violators over
    the distinct scores): (lowest score, highest score, records, relevant) per block, low to high."""
    values, inverse = np.unique(scores, return_inverse=True)
    counts = np.bincount(inverse)
    hits = np.bincount(inverse, weights=y).astype(np.int64)
    blocks: list[list[float]] = []  # [low, high, n, r]
    for value, n, r in zip(values, counts, hits, strict=True):
        blocks.append([float(value), float(value), int(n), int(r)])
        while len(blocks) > 1 and blocks[-2][3] / blocks[-2][2] >= blocks[-1][3] / blocks[-1][2]:
            high = blocks.pop()
            blocks[-1][1] = high[1]
            blocks[-1][2] += high[2]
            blocks[-1][3] += high[3]
    return [(b[0], b[1], int(b[2]), int(b[3])) for b in blocks]


def _bins_p(screened_bin: np.ndarray, y: np.ndarray, unscreened_bin: np.ndarray, n_bins: int, k_star: int) -> float:
    n = np.bincount(screened_bin, minlength=n_bins)
    r = np.bincount(screened_bin, weights=y, minlength=n_bins)
    m = np.bincount(unscreened_bin, minlength=n_bins)
    used = m > 0
    if (n[used] == 0).any():
        raise ValueError("an unscreened record in a bin with no screened record")
    return negative_binomial_sum_p(r[used] + 0.5, n[used] / (n[used] + m[used]), k_star)


def binned_p(out_of_fold: np.ndarray, y: np.ndarray, unscreened: np.ndarray, k_star: int, bins: int = 10) -> float:
    """10 equal-count bins at the quantiles of the out-of-fold scores, Jeffreys rate per bin."""
    edges = np.unique(np.quantile(out_of_fold, np.arange(1, bins) / bins))
    while True:  # merge a bin that holds no screened record into its neighbour (ties at the quantiles)
        screened_bin = np.searchsorted(edges, out_of_fold, side="right")
        counts = np.bincount(screened_bin, minlength=edges.size + 1)
        empty = np.flatnonzero(counts == 0)
        if empty.size == 0:
            break
        edges = np.delete(edges, min(int(empty[0]), edges.size - 1))
    return _bins_p(screened_bin, y, np.searchsorted(edges, unscreened, side="right"), edges.size + 1, k_star)


def isotonic_beta_p(out_of_fold: np.ndarray, y: np.ndarray, unscreened: np.ndarray, k_star: int) -> float:
    """The isotonic regression's blocks as bins, Jeffreys rate per block (no block at zero); an
    unscreened score between two blocks goes to the nearer one, outside them to the end block."""
    blocks = _pav_blocks(out_of_fold, y)
    cuts = np.array([(blocks[i][1] + blocks[i + 1][0]) / 2 for i in range(len(blocks) - 1)])
    screened_bin = np.searchsorted(cuts, out_of_fold, side="right")
    return _bins_p(screened_bin, y, np.searchsorted(cuts, unscreened, side="right"), len(blocks), k_star)


def shift_p(out_of_fold: np.ndarray, y: np.ndarray, unscreened: np.ndarray, k_star: int, *, window: int,
            n_priors: int) -> float:
    """Platt's sum over the unscreened scaled by found/expected in the last ``window`` ranked records,
    the ratio Gamma(r + ½, E): the count left is negative binomial."""
    from scipy.special import expit
    from scipy.stats import nbinom

    slope, intercept = platt_fit(out_of_fold, y)
    begin = max(n_priors, out_of_fold.size - window)
    expected_window = float(expit(slope * out_of_fold[begin:] + intercept).sum())
    found_window = float(y[begin:].sum())
    expected_left = float(expit(slope * unscreened + intercept).sum())
    if expected_window <= 0:
        return 0.0
    return float(nbinom.cdf(k_star, found_window + 0.5, expected_window / (expected_window + expected_left)))


def round6_p(calibration: str, out_of_fold: np.ndarray, y: np.ndarray, unscreened: np.ndarray, k_star: int, *,
             n_total: int, n_priors: int) -> float:
    """P(left ≤ k*) by one of decision 0028's calibrations."""
    from scipy.special import expit

    if calibration == "platt":
        slope, intercept = platt_fit(out_of_fold, y)
        return poisson_left_p(float(expit(slope * unscreened + intercept).sum()), k_star)
    if calibration in ("platt-low", "platt-recent"):
        if calibration == "platt-low":
            part = out_of_fold <= np.median(out_of_fold)
        else:
            part = np.arange(out_of_fold.size) >= out_of_fold.size // 2
        slope, intercept = platt_smoothed(out_of_fold[part], y[part])
        return poisson_left_p(float(expit(slope * unscreened + intercept).sum()), k_star)
    if calibration == "binned":
        return binned_p(out_of_fold, y, unscreened, k_star)
    if calibration == "isotonic-beta":
        return isotonic_beta_p(out_of_fold, y, unscreened, k_star)
    if calibration.startswith("shift-"):
        share = int(calibration.split("-")[1]) / 100
        return shift_p(out_of_fold, y, unscreened, k_star, window=math.ceil(share * n_total), n_priors=n_priors)
    raise ValueError(calibration)


# -- round 7 (decision 0029): the classifier's level by the strength of its claim ---------------
#: Decision 0029's variants: name → (count, level at k* = 0, at k* = 1, at k* ≥ 2); None: the
#: classifier is not consulted at that k* (the Lomax part alone).
ROUND7_PARTS: dict[str, tuple[str, float | None, float | None, float | None]] = {
    "k0-lomax@0.9": ("platt", None, 0.90, 0.90),
    "k0-lomax@0.85": ("platt", None, 0.85, 0.85),
    "k0-lomax@0.8": ("platt", None, 0.80, 0.80),
    "k0-0.99@0.85": ("platt", 0.99, 0.85, 0.85),
    "ladder-a": ("platt", None, 0.95, 0.85),
    "ladder-b": ("platt", 0.99, 0.90, 0.80),
    "laplace@0.9": ("laplace", 0.90, 0.90, 0.90),
    "laplace@0.85": ("laplace", 0.85, 0.85, 0.85),
    "k0-lomax+laplace@0.85": ("laplace", None, 0.85, 0.85),
    "k0-lomax+laplace@0.8": ("laplace", None, 0.80, 0.80),
}
#: Gauss–Hermite nodes per parameter of the Laplace count (9 × 9 = 81 points).
LAPLACE_NODES = 9


def laplace_p(out_of_fold: np.ndarray, y: np.ndarray, unscreened: np.ndarray, k_star: int) -> float:
    """P(left ≤ k*) with the Platt fit's own uncertainty: θ = (slope, intercept) ~ the Laplace approximation
    of its posterior (normal at the fit, covariance the inverse Hessian of the log-likelihood with the fit's
    ridge), left | θ ~ Poisson(Σ expit(θ·u)); the expectation over θ by a Gauss–Hermite product rule."""
    from scipy.special import expit, pdtr

    slope, intercept = platt_fit(out_of_fold, y)
    X = np.column_stack([out_of_fold, np.ones_like(out_of_fold)])
    p = expit(X @ np.array([slope, intercept]))
    hessian = (X * (p * (1 - p))[:, None]).T @ X + np.diag([1e-4, 0.0]) + 1e-12 * np.eye(2)
    root = np.linalg.cholesky(np.linalg.inv(hessian))
    nodes, weights = np.polynomial.hermite.hermgauss(LAPLACE_NODES)
    z = np.sqrt(2.0) * np.array([(a, b) for a in nodes for b in nodes])  # standard normal points
    w = np.array([wa * wb for wa in weights for wb in weights]) / np.pi
    theta = np.array([slope, intercept])[None, :] + z @ root.T
    sums = expit(theta[:, :1] * unscreened[None, :] + theta[:, 1:]).sum(axis=1)
    return float(np.sum(w * pdtr(k_star, np.maximum(sums, 1e-12))))


def round7_level(part: str, k_star: int) -> float | None:
    """The level a round-7 variant asks of the classifier at a check with this k* (None: not consulted)."""
    _, at_zero, at_one, above = ROUND7_PARTS[part]
    return at_zero if k_star == 0 else at_one if k_star == 1 else above


# -- round 8 (decision 0030): the curve below the labelled scores, its uncertainty carried ---------
#: Decision 0030's variants: name → (the subset of the screened records the curve is fitted on, level).
#: The classifier is not consulted where k* = 0 (decision 0029).
ROUND8_PARTS: dict[str, tuple[str, float]] = {
    "low-laplace@0.8": ("low", 0.80), "low-laplace@0.9": ("low", 0.90), "low-laplace@0.95": ("low", 0.95),
    "quarter-laplace@0.8": ("quarter", 0.80), "quarter-laplace@0.9": ("quarter", 0.90),
    "recent-laplace@0.8": ("recent", 0.80), "recent-laplace@0.9": ("recent", 0.90),
}


def subset_laplace_p(subset: str, out_of_fold: np.ndarray, y: np.ndarray, unscreened: np.ndarray, k_star: int) -> float:
    """P(left ≤ k*) from Platt fitted on a subset of the screened records with Platt's smoothed targets,
    its parameters' Laplace uncertainty carried (``laplace_p``): ``low`` o ≤ median, ``quarter`` o ≤ lower
    quartile, ``recent`` the second half in screening order."""
    if subset == "low":
        part = out_of_fold <= np.median(out_of_fold)
    elif subset == "quarter":
        part = out_of_fold <= np.quantile(out_of_fold, 0.25)
    elif subset == "recent":
        part = np.arange(out_of_fold.size) >= out_of_fold.size // 2
    else:
        raise ValueError(subset)
    labels = y[part]
    positives = float(labels.sum())
    negatives = float(labels.size - positives)
    targets = np.where(labels > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    return laplace_p(out_of_fold[part], targets, unscreened, k_star)


# -- round 9 (decision 0034): the count scaled by its own prequential record ---------------------
#: Decision 0034's variants: name → (grid steps back to the earlier check, prediction, count, level).
#: prediction ``single``: the earlier check's fit for every record screened since; ``steps``: each record
#: by the last fit before it. count ``nb``: the ratio's Gamma posterior carried (negative binomial);
#: ``point``: Poisson at the ratio's posterior mean; ``or-platt``: either the incumbent's Poisson or ``nb``.
ROUND9_PARTS: dict[str, tuple[int, str, str, float]] = {
    "preq10@0.8": (10, "single", "nb", 0.80), "preq10@0.9": (10, "single", "nb", 0.90),
    "preq3@0.8": (3, "single", "nb", 0.80), "preq3@0.9": (3, "single", "nb", 0.90),
    "preq10-steps@0.8": (10, "steps", "nb", 0.80), "preq10-point@0.8": (10, "single", "point", 0.80),
    "preq10-or-platt@0.8": (10, "single", "or-platt", 0.80),
}
#: The ratio's prior, Gamma(shape, rate): mean 1 (the fit at its word), the weight of one expected relevant.
RATIO_PRIOR_SHAPE, RATIO_PRIOR_RATE = 1.0, 1.0


def recalibrated_p(found_window: float, predicted_window: float, count: float, k_star: int, kind: str) -> float:
    """P(left ≤ k*) with the count ``count`` scaled by ρ ~ Gamma(a + found, b + predicted) (decision 0034)."""
    from scipy.stats import nbinom

    shape = RATIO_PRIOR_SHAPE + found_window
    rate = RATIO_PRIOR_RATE + predicted_window
    if kind == "point":
        return poisson_left_p(shape / rate * count, k_star)
    recalibrated = float(nbinom.cdf(k_star, shape, rate / (rate + max(count, 1e-12))))
    if kind == "or-platt":
        return max(recalibrated, poisson_left_p(count, k_star))
    return recalibrated


def window_sums(checks: np.ndarray, scores: np.ndarray, labels: np.ndarray, i: int, back: int,
                curve: Callable[[int], tuple[float, float] | None] | None = None) -> tuple[float, float] | None:
    """Decision 0034's window at stored check ``i``: the records screened since the check ``back`` grid steps
    earlier (floored at the first stored check), as (relevant found among them, the sum of the probabilities
    that earlier check's Platt-calibrated fit gave them). None where there is no window: it is empty, or the
    earlier check stored no fit. ``curve`` gives check j's Platt curve (a cache; default: fitted here)."""
    from scipy.special import expit

    at = int(checks[i])
    j = max(0, i - back)
    begin = int(checks[j])
    if np.isnan(scores[j, 0]) or begin >= at:
        return None
    then = curve(j) if curve is not None else platt_fit(scores[j, :begin].astype(float), labels[:begin].astype(float))
    assert then is not None
    predicted = float(expit(then[0] * scores[j, begin:at].astype(float) + then[1]).sum())
    return float(labels[begin:at].sum()), predicted


def round9_rows(rows: list[dict[str, Any]], checks: np.ndarray, scores: np.ndarray, labels: np.ndarray,
                parts: list[str], n: int) -> None:
    """Adds each ``parts`` variant's P(left ≤ k*) (``p9:<name>``) to the rows where the rule can read it
    (k* ≥ 1, the share gate, the Lomax gate), from the stored checks' fits."""
    from scipy.special import expit

    fits: dict[int, tuple[float, float] | None] = {}

    def fit(i: int) -> tuple[float, float] | None:  # check i's Platt curve (None: no fit stored there)
        if i not in fits:
            at = int(checks[i])
            fits[i] = None if np.isnan(scores[i, 0]) else platt_fit(scores[i, :at].astype(float),
                                                                      labels[:at].astype(float))
        return fits[i]

    def predicted(i: int, begin: int, end: int) -> float:  # check i's probabilities of positions begin … end-1
        curve = fit(i)
        assert curve is not None
        return float(expit(curve[0] * scores[i, begin:end].astype(float) + curve[1]).sum())

    for i, row in enumerate(rows):
        if row["k"] < 1 or row["at"] < int(GATE_SHARE * n) or row["lomax_p"] < WINDOW_START_P or fit(i) is None:
            continue
        at = row["at"]
        count = predicted(i, at, n)
        for name in parts:
            back, prediction, kind, _ = ROUND9_PARTS[name]
            j = max(0, i - back)
            found_w, predicted_w = 0.0, 0.0
            if prediction == "single":  # no window: the prior alone
                found_w, predicted_w = window_sums(checks, scores, labels, i, back, fit) or (0.0, 0.0)
            else:  # each block of the grid by the check that opened it; blocks with no fit left out
                for m in range(j, i):
                    if fit(m) is not None:
                        lo, hi = int(checks[m]), int(checks[m + 1])
                        found_w += float(labels[lo:hi].sum())
                        predicted_w += predicted(m, lo, hi)
            row[f"p9:{name}"] = recalibrated_p(found_w, predicted_w, count, row["k"], kind)


# -- round 10 (decision 0035): the count corrected by what other reviews taught ------------------
#: Decision 0035's features, each observable at a check: ``c`` = log(C + ½) of the incumbent's Platt count C;
#: ``q`` the share of C from unscreened records scored below the screened records' 5th-percentile out-of-fold
#: score; ``s`` the share of the set screened; ``l`` the logit of the Lomax P(recall ≥ 0.95) at the check
#: (clipped to [0.01, 0.99]).
ROUND10_FEATURES: dict[str, tuple[str, ...]] = {"1": ("c",), "A": ("c", "q", "s"), "B": ("c", "q", "l")}
#: Decision 0035's variants: name → (feature set, form, level). ``ln``: weighted least squares of
#: log((left + ½)/(C + ½)) on the features, left ~ Poisson(λ) with log(λ + ½) ~ normal at the fit's mean and
#: residual spread; ``point``: Poisson at that lognormal's mean (no spread); ``qr``: linear quantile
#: regression at the level, the stop where the fitted quantile of left is ≤ k*.
ROUND10_PARTS: dict[str, tuple[str, str, float]] = {
    "xr-A-ln@0.8": ("A", "ln", 0.80), "xr-A-ln@0.9": ("A", "ln", 0.90), "xr-B-ln@0.8": ("B", "ln", 0.80),
    "xr-1-ln@0.8": ("1", "ln", 0.80), "xr-A-point@0.8": ("A", "point", 0.80),
    "xr-A-qr@0.8": ("A", "qr", 0.80), "xr-A-qr@0.9": ("A", "qr", 0.90), "xr-B-qr@0.8": ("B", "qr", 0.80),
}
ROUND10_LOW_PERCENTILE = 5
#: The lognormal mixture's standard-normal points (a fixed trapezoid grid, deterministic; Gauss–Hermite
#: errs by 0.002 at σ = 1.3 on the kink where λ is floored).
ROUND10_GRID = np.linspace(-8.0, 8.0, 641)
#: Where the training rows come from: the development seeds of the other sets (leave one set out).
ROUND10_TRAIN_SEEDS = list(range(1, 11))


def round10_observables(at: int, n: int, lomax_p: float, out_of_fold: np.ndarray, y: np.ndarray,
                        unscreened: np.ndarray) -> dict[str, float]:
    """What a run can see at a check (decision 0035): the Platt count C and the features."""
    probabilities = calibrated("platt", out_of_fold, y, unscreened)
    count = float(probabilities.sum())
    low = unscreened < np.percentile(out_of_fold, ROUND10_LOW_PERCENTILE)
    clipped = min(max(lomax_p, 0.01), 0.99)
    return {"C": count, "c": math.log(count + 0.5),
            "q": float(probabilities[low].sum()) / count if count > 0 else 0.0,
            "s": at / n, "l": math.log(clipped / (1 - clipped))}


def round10_readable(row: dict[str, Any], n: int) -> bool:
    """Whether the rule reads the classifier at this row (k* ≥ 1, the share and Lomax gates)."""
    return row["k"] >= 1 and row["at"] >= int(GATE_SHARE * n) and row["lomax_p"] >= WINDOW_START_P


def round10_training(root: Path, sets: list[str], seeds: list[int]) -> dict[str, list[tuple[dict[str, float], float, float]]]:
    """Per set, the training rows of its runs: (features, log((left + ½)/(C + ½)), weight), at every check
    the rule reads before the Lomax stop; each run weighs 1 in all (its rows 1/rows each)."""
    out: dict[str, list[tuple[dict[str, float], float, float]]] = {}
    for set_name in sets:
        rows_of_set = []
        for seed in seeds:
            path = root / "stopping-clf" / f"e{ENGINE_VERSION}-{set_name}-seed{seed}.npz"
            if not path.exists():
                raise SystemExit(f"missing training evidence {path}")
            ev = run_evidence(path, {"x10"})
            lomax = _first_lomax(ev, CONFIDENCE)
            mine = [r for r in ev["rows"] if "x10" in r and r["at"] < lomax]
            for r in mine:
                x = r["x10"]
                rows_of_set.append((x, math.log((r["left"] + 0.5) / (x["C"] + 0.5)), 1.0 / len(mine)))
        out[set_name] = rows_of_set
    return out


def round10_fit(rows: list[tuple[dict[str, float], float, float]], features: tuple[str, ...], form: str,
                level: float) -> dict[str, Any]:
    """Decision 0035's fit on training rows: coefficients (intercept first) and, for ``ln``/``point``, the
    weighted residual spread."""
    X = np.array([[1.0] + [x[f] for f in features] for x, _, _ in rows])
    target = np.array([t for _, t, _ in rows])
    weight = np.array([w for _, _, w in rows])
    if form == "qr":
        from sklearn.linear_model import QuantileRegressor

        model = QuantileRegressor(quantile=level, alpha=0.0, fit_intercept=False, solver="highs")
        model.fit(X, target, sample_weight=weight)
        return {"form": form, "features": features, "coef": np.asarray(model.coef_, dtype=float), "sigma": 0.0}
    root_w = np.sqrt(weight)
    coef, *_ = np.linalg.lstsq(X * root_w[:, None], target * root_w, rcond=None)
    residual = target - X @ coef
    sigma = float(np.sqrt(np.sum(weight * residual ** 2) / np.sum(weight)))
    return {"form": form, "features": features, "coef": coef, "sigma": sigma}


def round10_p(fit: dict[str, Any], x: dict[str, float], k_star: int) -> float:
    """P(left ≤ k*) at a check with observables ``x`` under a decision-0035 fit (``qr``: 1 where the fitted
    quantile of left is ≤ k*, else 0)."""
    from scipy.special import pdtr

    mu = float(fit["coef"][0] + sum(c * x[f] for c, f in zip(fit["coef"][1:], fit["features"], strict=True)))
    base = x["C"] + 0.5
    if fit["form"] == "qr":
        return 1.0 if base * math.exp(mu) - 0.5 <= k_star else 0.0
    if fit["form"] == "point":
        return float(pdtr(k_star, max(base * math.exp(mu + fit["sigma"] ** 2 / 2) - 0.5, 1e-12)))
    from scipy.stats import norm

    weights = norm.pdf(ROUND10_GRID)
    means = np.maximum(base * np.exp(mu + fit["sigma"] * ROUND10_GRID) - 0.5, 1e-12)
    return float(np.sum(weights * pdtr(k_star, means)) / np.sum(weights))


class Round10Fits:
    """Leave-one-set-out fits: the fit that scores a run of ``held_out`` never saw that set."""

    def __init__(self, training: dict[str, list[tuple[dict[str, float], float, float]]]) -> None:
        self.training = training
        self.cache: dict[tuple[str | None, str, str, float], dict[str, Any]] = {}

    def fit(self, held_out: str | None, part: str) -> dict[str, Any]:
        feature_set, form, level = ROUND10_PARTS[part]
        key = (held_out, feature_set, "ln" if form in ("ln", "point") else form, level if form == "qr" else 0.0)
        if key not in self.cache:
            rows = [r for s, rows in self.training.items() if s != held_out for r in rows]
            self.cache[key] = round10_fit(rows, ROUND10_FEATURES[feature_set], key[2], level)
        fit = dict(self.cache[key])
        fit["form"] = form
        return fit

    def add(self, ev: dict[str, Any], set_name: str, parts: list[str]) -> None:
        """Each ``parts`` variant's P(left ≤ k*) (``p10:<name>``) on the rows the rule reads."""
        for part in parts:
            fit = self.fit(set_name, part)
            for row in ev["rows"]:
                if "x10" in row:
                    row[f"p10:{part}"] = round10_p(fit, row["x10"], row["k"])


# -- round 11 (decision 0040): the classifier may also veto a Lomax stop ---------------------------
#: Decision 0040's variants: name → (Lomax level where the classifier is not asked, where it is asked and
#: gives P(left ≤ k*) ≥ the veto level, where it gives less (None: vetoed, no Lomax stop until a later check's
#: view lifts it), the veto level, the classifier's own stopping level). The incumbent is (0.95, 0.95, 0.95,
#: 0, 0.80): every Lomax stop stands, the classifier stops at 0.80.
ROUND11_PARTS: dict[str, tuple[float, float, float | None, float, float]] = {
    "veto@0.2": (0.95, 0.95, None, 0.20, 0.80),
    "veto@0.05": (0.95, 0.95, None, 0.05, 0.80),
    "veto@0.05+k0@0.85": (0.85, 0.95, None, 0.05, 0.80),
    "veto@0.05+lomax@0.90": (0.90, 0.90, None, 0.05, 0.80),
    "veto@0.05+lomax@0.85": (0.85, 0.85, None, 0.05, 0.80),
    "veto@0.05+clf@0.7": (0.95, 0.95, None, 0.05, 0.70),
    "assent@0.2+lomax@0.85": (0.85, 0.85, 0.95, 0.20, 0.80),
    "k0@0.85": (0.85, 0.95, 0.95, 0.0, 0.80),
}
#: The incumbent in decision 0040's form (its stops must equal ``lomax-or-k0-lomax@0.8``'s on every run).
ROUND11_INCUMBENT = (0.95, 0.95, 0.95, 0.0, 0.80)
#: Reported after the judged run, not in decision 0040's space: the adopted rule's lower classifier level
#: without its veto (``r11-clf@0.7``), to tell the veto's part from the level's.
ROUND11_DIAGNOSTICS: dict[str, tuple[float, float, float | None, float, float]] = {
    "r11-incumbent": ROUND11_INCUMBENT, "r11-clf@0.7": (0.95, 0.95, 0.95, 0.0, 0.70)}


def round11_asked(row: dict[str, Any], n: int) -> bool:
    """Whether a session asks the classifier at this stored check: k* ≥ 1, the share and Lomax gates, a fit
    (two relevant and two irrelevant labels)."""
    return (row["k"] >= 1 and row["at"] >= int(GATE_SHARE * n) and row["lomax_p"] >= WINDOW_START_P
            and "p6:platt" in row)


def round11_stop(ev: dict[str, Any], levels: tuple[float, float, float | None, float, float]) -> dict[str, Any]:
    """Where a decision-0040 rule stops, walking the run decision by decision as a session would: at each
    grid check the classifier's view is renewed (asked or not); the classifier stops the rule where it is
    asked and P(left ≤ k*) ≥ its level; otherwise the rule stops at the first record where the Lomax
    P(recall ≥ 0.95) reaches the level the latest view sets (not asked / asked and P ≥ veto level / asked and
    P below it). ``exhausted``: the walk needed a check past the stored window, so the stop is N (and
    ``window_end`` the last record the evidence covers). ``vetoed``: how many records the Lomax part was
    held back by a veto (P at its unvetoed level but vetoed)."""
    not_asked, assented, objected, veto_level, clf_level = levels
    n, n_priors, curve = ev["n"], ev["n_priors"], ev["curve"]
    step = check_step(n)
    rows = {r["at"]: r for r in ev["rows"]}
    last_stored = max(rows) if rows else 0
    level: float | None = not_asked
    vetoed = 0
    for m in range(n_priors + 1, n + 1):
        if m % step == 0 and m < n:  # a grid check: the view is renewed
            row = rows.get(m)
            if row is None and m > last_stored:
                return {"stop": n, "exhausted": True, "window_end": last_stored, "vetoed": vetoed}
            if row is not None and round11_asked(row, n):
                p = row["p6:platt"]
                if p >= clf_level - 1e-12:
                    return {"stop": m, "exhausted": False, "vetoed": vetoed, "by": "classifier"}
                level = assented if p >= veto_level - 1e-12 else objected
            else:
                level = not_asked
        p_lomax = float(curve[m - n_priors - 1])
        if level is not None and p_lomax >= level - 1e-12:
            return {"stop": m, "exhausted": False, "vetoed": vetoed, "by": "lomax"}
        if level is None and p_lomax >= assented - 1e-12:
            vetoed += 1
    return {"stop": n, "exhausted": False, "vetoed": vetoed, "by": "end"}


# -- round 12 (decision 0059): the Lomax part's level by the strength of its claim -----------------
#: Decision 0059's variants: name → (the Lomax level where k* (found so far) is at least 1 and at most 2,
#: the veto level of a check whose k* is in that range, the largest k* lowered). Elsewhere everything is the
#: incumbent's (``veto@0.05``): the Lomax part at 0.95, a veto below 0.05, the classifier stopping at 0.80.
ROUND12_PARTS: dict[str, tuple[float, float, int]] = {
    "k12@0.90": (0.90, 0.05, 2),
    "k12@0.85": (0.85, 0.05, 2),
    "k12@0.80": (0.80, 0.05, 2),
    "k12@0.85+veto@0.2": (0.85, 0.20, 2),
}
#: The incumbent in decision 0059's walk (its stops must equal ``lomax-or-veto@0.05``'s on every run).
ROUND12_INCUMBENT = (0.95, 0.05, 2)


def round12_stop(ev: dict[str, Any], part: tuple[float, float, int]) -> dict[str, Any]:
    """Where a decision-0059 rule stops, walked decision by decision as ``round11_stop`` walks the incumbent
    (``veto@0.05``), with one change: at a record where k* (of the relevant found so far) is between 1 and
    ``top``, the Lomax part stops at ``lowered`` instead of 0.95, and a check whose k* is in that range
    vetoes a Lomax stop below ``veto_low`` instead of 0.05."""
    lowered, veto_low, top = part
    n, n_priors, curve, labels = ev["n"], ev["n_priors"], ev["curve"], ev["labels"]
    k_at = most_left_for_target(np.cumsum(labels), TARGET).astype(int)  # k_at[m - 1]: k* after m records
    step = check_step(n)
    rows = {r["at"]: r for r in ev["rows"]}
    last_stored = max(rows) if rows else 0
    vetoing = False
    vetoed = 0
    for m in range(n_priors + 1, n + 1):
        if m % step == 0 and m < n:  # a grid check: the view is renewed
            row = rows.get(m)
            if row is None and m > last_stored:
                return {"stop": n, "exhausted": True, "window_end": last_stored, "vetoed": vetoed}
            vetoing = False
            if row is not None and round11_asked(row, n):
                p = row["p6:platt"]
                if p >= 0.80 - 1e-12:
                    return {"stop": m, "exhausted": False, "vetoed": vetoed, "by": "classifier"}
                vetoing = p < (veto_low if 1 <= row["k"] <= top else 0.05) - 1e-12
        level = lowered if 1 <= k_at[m - 1] <= top else CONFIDENCE
        if float(curve[m - n_priors - 1]) >= level - 1e-12:
            if not vetoing:
                return {"stop": m, "exhausted": False, "vetoed": vetoed, "by": "lomax"}
            vetoed += 1
    return {"stop": n, "exhausted": False, "vetoed": vetoed, "by": "end"}


# -- round 14 (decision 0061): a lower Lomax level where k* is 1 or 2 on the classifier's assent ---------
#: Decision 0061's rules: name → (the Lomax level where k* (found so far) is 1 or 2 and the check in force asked
#: the classifier and it gave P(left ≤ k*) at least the veto level (assent), the Lomax level where k* is 1 or 2
#: otherwise, the veto level of a check whose k* is 1 or 2, the veto level of a check whose k* is 3 or more (0:
#: none)). Elsewhere the Lomax part stops at 0.95 and the classifier at 0.80, as in decision 0060's rule (R2).
ROUND14_PARTS: dict[str, tuple[float, float, float, float]] = {
    "assent@0.70": (0.70, 0.85, 0.20, 0.0),
    "assent@0.50": (0.50, 0.85, 0.20, 0.0),
    "k12@0.70": (0.70, 0.70, 0.20, 0.0),
}
#: Reported beside them, not candidates: R2 in this walk (its stops must equal ``lomax-or-k12@0.85+veto@0.2``'s on
#: every run), R2 without the veto where k* ≥ 3, and the two assent rules with it.
ROUND14_DIAGNOSTICS: dict[str, tuple[float, float, float, float]] = {
    "r14-incumbent": (0.85, 0.85, 0.20, 0.05),
    "r14-no-k3-veto": (0.85, 0.85, 0.20, 0.0),
    "r14-assent@0.70+k3-veto": (0.70, 0.85, 0.20, 0.05),
    "r14-assent@0.50+k3-veto": (0.50, 0.85, 0.20, 0.05),
}


def round14_stop(ev: dict[str, Any], part: tuple[float, float, float, float], stop_gate: float = 0.0,
                 agreement: tuple[tuple[float, int], ...] | None = None) -> dict[str, Any]:
    """Where a decision-0061 rule stops, walked decision by decision as ``round12_stop`` walks R2: at each grid
    check the view is renewed — not asked, asked and stopping (P(left ≤ k*) ≥ 0.80), asked and vetoing (P below
    the veto level of its k*), or asked and assenting (the rest); at a record where k* is 1 or 2 the Lomax part
    stops at the assent level while the view in force assents and at the other lowered level otherwise, at 0.95
    where k* is 0 or at least 3; a vetoing view holds the Lomax stop back. ``stop_gate`` (decision 0063): a view
    stops the rule only where the trend's P(left ≤ k*) at its check is at least this; below, a view at 0.80 or
    more assents. ``agreement`` (decision 0068): rungs (level, checks) replacing the veto where k* is 1 or 2 — a
    view there assents if, for some rung, it and the checks − 1 asked checks right before it (consecutive grid
    checks, each asked, all about the same k*) gave P(left ≤ k*) of at least that level; otherwise it vetoes
    (``((veto_low, 1),)`` is the single-level veto)."""
    assent_level, other_level, veto_low, veto_high = part
    rungs = agreement if agreement is not None else ((veto_low, 1),)
    n, n_priors, curve, labels = ev["n"], ev["n_priors"], ev["curve"], ev["labels"]
    k_at = most_left_for_target(np.cumsum(labels), TARGET).astype(int)  # k_at[m - 1]: k* after m records
    step = check_step(n)
    rows = {r["at"]: r for r in ev["rows"]}
    last_stored = max(rows) if rows else 0
    view = "not asked"
    vetoed = 0
    asked: list[tuple[int, float]] = []  # (k*, P) of the asked checks in a row up to the last one
    for m in range(n_priors + 1, n):  # after N records nothing is left to stop before
        if m % step == 0:  # a grid check: the view is renewed
            row = rows.get(m)
            if row is None and m > last_stored:
                return {"stop": n, "exhausted": True, "window_end": last_stored, "vetoed": vetoed}
            view = "not asked"
            if row is not None and round11_asked(row, n):
                p = row["p6:platt"]
                if p >= 0.80 - 1e-12 and row["lomax_p"] >= stop_gate - 1e-12:
                    return {"stop": m, "exhausted": False, "vetoed": vetoed, "by": "classifier"}
                asked.append((int(row["k"]), float(p)))
                if 1 <= row["k"] <= 2:
                    agreed = any(len(asked) >= checks and all(k_then == row["k"] and p_then >= level - 1e-12
                                                              for k_then, p_then in asked[-checks:])
                                 for level, checks in rungs)
                    view = "assents" if agreed else "vetoes"
                else:
                    view = "vetoes" if p < veto_high - 1e-12 else "assents"
            else:
                asked = []
        k = int(k_at[m - 1])
        level = (assent_level if view == "assents" else other_level) if 1 <= k <= 2 else CONFIDENCE
        if float(curve[m - n_priors - 1]) >= level - 1e-12:
            if view != "vetoes":
                return {"stop": m, "exhausted": False, "vetoed": vetoed, "by": "lomax"}
            vetoed += 1
    return {"stop": n, "exhausted": False, "vetoed": vetoed, "by": "end"}


# -- round 15 (decision 0063): a classifier stop that also needs the trend's P(left ≤ k*) ≥ 0.3 ---------------
#: Decision 0063's candidates: name → (``round14_stop``'s part, the trend's P a classifier stop needs at its check).
#: R2's part is ``r14-incumbent``'s; the assent rules' are round 14's (no veto where k* ≥ 3).
ROUND15_PARTS: dict[str, tuple[tuple[float, float, float, float], float]] = {
    "r2+g0.3": ((0.85, 0.85, 0.20, 0.05), 0.3),
    "assent@0.70+g0.3": ((0.70, 0.85, 0.20, 0.0), 0.3),
    "assent@0.50+g0.3": ((0.50, 0.85, 0.20, 0.0), 0.3),
}

# -- round 16 (decision 0065): the veto where k* is 1 or 2 at twice the miss allowance -------------------------
#: Decision 0065's candidate: name → (``round14_stop``'s part, stop gate). The rule in force (``assent@0.50+g0.3``,
#: ``ROUND15_PARTS``) with a check whose k* is 1 or 2 vetoing a Lomax stop below P(left ≤ k*) = 0.10
#: (2 × (1 − 0.95)) instead of 0.20 (4 × (1 − 0.95)); a view from 0.10 to 0.80 assents.
ROUND16_PARTS: dict[str, tuple[tuple[float, float, float, float], float]] = {
    "assent@0.50+g0.3+veto@0.10": ((0.50, 0.85, 0.10, 0.0), 0.3),
}

# -- round 17 (decision 0068): a weaker view lifts the veto only when the checks before it agree ----------------
#: Decision 0068's rungs where k* is 1 or 2: a view assents at P(left ≤ k*) ≥ 0.20 alone (the rule in force), at ≥ 0.10
#: if the asked check right before it (same k*) also gave ≥ 0.10, at ≥ 0.05 if the three before it also did — the
#: veto's level halved for each doubling of the checks that agree, from 4 × (1 − 0.95) down to 1 − 0.95.
AGREE2 = ((0.20, 1), (0.10, 2))
AGREE4 = ((0.20, 1), (0.10, 2), (0.05, 4))
#: Decision 0068's candidates: name → (``round14_stop``'s part, stop gate, agreement rungs). The rule in force
#: (``assent@0.50+g0.3``) with the rungs, and the last also with the trend's level 0.30 while a view assents (the
#: trend's P a classifier stop needs, ``stop_gate``) instead of 0.50.
ROUND17_PARTS: dict[str, tuple[tuple[float, float, float, float], float, tuple[tuple[float, int], ...]]] = {
    "assent@0.50+g0.3+agree2@0.10": ((0.50, 0.85, 0.20, 0.0), 0.3, AGREE2),
    "assent@0.50+g0.3+agree4@0.05": ((0.50, 0.85, 0.20, 0.0), 0.3, AGREE4),
    "assent@0.30+g0.3+agree4@0.05": ((0.30, 0.85, 0.20, 0.0), 0.3, AGREE4),
}


# -- round 19 (decision 0072): C3, the trend at 0.98 everywhere, no veto, the classifier's stop only from k* = 6 ------
#: Decision 0072's rule C3 (in force since 171577d5): (the trend's level at every k*, the classifier's level, the trend's
#: P a classifier stop needs at its check, the fewest k* the classifier is asked at). Its stops equalled ``src``'s
#: wherever the walk stays within the stored window of checks until decision 0078 raised src's trend to 0.99: since
#: then ``c3@0.99`` (``ROUND21_PARTS``) is src's rule, and ``src`` scores equal to it.
ROUND19_C3 = (0.98, 0.80, 0.3, 6)
ROUND19_PARTS: dict[str, tuple[float, float, float, int]] = {"c3": ROUND19_C3}
#: Decision 0077's candidates (rule name → the trend's level, the gap guard's factor and gaps): C3 with a stop taken only
#: after a run of irrelevant records as long as factor × the longest of the last five gaps between relevant records,
#: and C3 with the trend at 0.99 (a reference).
ROUND20_PARTS: dict[str, tuple[float, tuple[float, int] | None]] = {
    "c3+gap1/5": (0.98, (1.0, 5)), "c3+gap1.25/5": (0.98, (1.25, 5)), "c3+gap1.5/5": (0.98, (1.5, 5)),
    "c3@0.99": (0.99, None)}
#: Decision 0078's candidates, in ``ROUND20_PARTS``' form: C3 with the trend at a higher level, with or without the guard.
ROUND21_PARTS: dict[str, tuple[float, tuple[float, int] | None]] = {
    "c3@0.99": (0.99, None), "c3@0.995": (0.995, None), "c3@0.99+gap1/5": (0.99, (1.0, 5))}


def round19_stop(ev: dict[str, Any], part: tuple[float, float, float, int] = ROUND19_C3,
                 gap: tuple[float, int] | None = None) -> dict[str, Any]:
    """Where a decision-0072 rule stops, walked decision by decision: at each grid check a view that was asked
    (``round11_asked``) about a k* of at least ``fewest`` stops the rule at P(left ≤ k*) ≥ ``clf_level`` where the
    trend's P(left ≤ k*) at the check is at least ``stop_gate``; else the rule stops at the first record where the
    trend's P reaches ``trend_level``, whatever k* and whatever a view said (no veto, no assent). A grid check past
    the stored window asks nothing (decision 0072: such a stop is the trend's; ``past_window`` says the walk went
    there). ``gap`` (factor, last), decision 0077's guard: a stop is taken only where the records screened since the
    last relevant one are at least factor × the longest gap between consecutive relevant records among the last
    ``last`` gaps (``gap_guard_holds``); otherwise the walk goes on."""
    trend_level, clf_level, stop_gate, fewest = part
    n, n_priors, curve = ev["n"], ev["n_priors"], ev["curve"]
    step = check_step(n)
    rows = {r["at"]: r for r in ev["rows"]}
    last_stored = max(rows) if rows else 0
    past = False
    labels = ev["labels"]
    positions = [i + 1 for i in range(n_priors) if labels[i]]  # where relevant records were found, priors included
    held = 0
    for m in range(n_priors + 1, n):  # after N records nothing is left to stop before
        if labels[m - 1]:
            positions.append(m)
        by = None
        if m % step == 0:  # a grid check
            row = rows.get(m)
            past = past or (row is None and m > last_stored)
            if (row is not None and round11_asked(row, n) and row["k"] >= fewest
                    and row["p6:platt"] >= clf_level - 1e-12 and row["lomax_p"] >= stop_gate - 1e-12):
                by = "classifier"
        if by is None and float(curve[m - n_priors - 1]) >= trend_level - 1e-12:
            by = "lomax"
        if by is not None:
            if gap is None or gap_guard_holds(positions, m, *gap):
                return {"stop": m, "by": by, "past_window": past, "vetoed": held, "exhausted": False}
            held += 1
    return {"stop": n, "by": "end", "past_window": past, "vetoed": held, "exhausted": False}


def gap_guard_holds(positions: list[int], screened: int, factor: float, last: int) -> bool:
    """Decision 0077's guard: the run of irrelevant records since the last relevant one (``positions``: where each
    relevant record was found, 1-based, in order) is at least ``factor`` × the longest of the last ``last`` gaps
    between consecutive relevant records. With fewer than two relevant records there is no gap to compare with."""
    if len(positions) < 2:
        return True
    recent = positions[-(last + 1):]
    longest = max(b - a for a, b in zip(recent, recent[1:], strict=False))
    return screened - positions[-1] >= factor * longest


def run_evidence(path: Path, calibrations: set[str] | None = None) -> dict[str, Any]:
    """Per check: found, k*, the Lomax P and pmf, and each calibration's Poisson mean (``calibrations``:
    the round-6/7 calibrations to compute, by their ``p6:`` names; None: all of round 6's)."""
    z = np.load(path)
    labels, n_priors, checks, scores = z["labels"], int(z["n_priors"]), z["checks"], z["scores"]
    n = labels.size
    ranked, before = labels[n_priors:], int(labels[:n_priors].sum())
    curve = stopping_candidates.lomax_burnin_confidence(ranked, found_before=before)
    rows = []
    for i, at in enumerate(checks):
        at = int(at)
        found = int(labels[:at].sum())
        k_star = int(most_left_for_target(found, TARGET))
        row: dict[str, Any] = {"at": at, "found": found, "k": k_star, "left": int(labels.sum()) - found,
                               "lomax_p": float(curve[at - n_priors - 1]) if at > n_priors else 0.0}
        if not np.isnan(scores[i, 0]):
            out_of_fold, unscreened = scores[i, :at].astype(float), scores[i, at:].astype(float)
            methods = ("platt", "isotonic") if calibrations is None else \
                [m for m in ("platt", "isotonic") if f"sum:{m}" in calibrations]
            for method in methods:
                row[method] = float(calibrated(method, out_of_fold, labels[:at], unscreened).sum())
            wanted = {c for c, _ in ROUND6_PARTS.values()} if calibrations is None else calibrations
            if "x10" in wanted and round10_readable(row, n):
                row["x10"] = round10_observables(at, n, row["lomax_p"], out_of_fold, labels[:at], unscreened)
            for calibration in (c for c in wanted if not c.startswith(("sum:", "p9:")) and c != "x10"):
                if calibration == "laplace":
                    row["p6:laplace"] = laplace_p(out_of_fold, labels[:at].astype(float), unscreened, k_star)
                    continue
                if calibration.startswith("p8:"):  # decision 0030's counts: only where k* ≥ 1 reads them
                    if k_star >= 1:
                        row[calibration] = subset_laplace_p(calibration[3:], out_of_fold, labels[:at], unscreened,
                                                            k_star)
                    continue
                row[f"p6:{calibration}"] = round6_p(calibration, out_of_fold, labels[:at], unscreened, k_star,
                                                    n_total=n, n_priors=n_priors)
        rows.append(row)
    round9 = sorted(c[3:] for c in (calibrations or ()) if c.startswith("p9:"))
    if round9:
        round9_rows(rows, checks, scores, labels, round9, n)
    pmfs: dict[int, np.ndarray] = {}

    def pmf_at(at: int) -> np.ndarray:  # only the product and mixture rules need it: computed once, on use
        if at not in pmfs:
            pmfs[at] = lomax_pmf(ranked[:at - n_priors], n - n_priors, before)
        return pmfs[at]

    out = {"labels": labels, "n_priors": n_priors, "curve": curve, "rows": rows, "n": n, "lomax_pmf": pmf_at}
    if "src_stop" in z:
        out["src_stop"] = int(z["src_stop"])
    return out


def _first_lomax(ev: dict[str, Any], level: float) -> int:
    crossing = np.flatnonzero(ev["curve"] >= level - 1e-12)
    return ev["n"] if crossing.size == 0 else ev["n_priors"] + int(crossing[0]) + 1


def rule_stop(ev: dict[str, Any], rule: str) -> int:
    """Records screened when ``rule`` stops (decision 0025's space)."""
    n = ev["n"]
    if rule == "lomax-burnin":
        return _first_lomax(ev, CONFIDENCE)
    if rule == "src":  # the candidate as src computes it (stopping_classifier.first_stop), stored by collect
        if "src_stop" not in ev:
            raise SystemExit("no src stop stored: collect with --with-src")
        return ev["src_stop"]
    if rule == "certified":
        from review.screening import stopping

        point = stopping.stopping_points(ev["labels"].tolist(), n_priors=ev["n_priors"], seed=ev["seed"])["statistical"]
        return n if point["n_screened"] is None else int(point["n_screened"])
    # "+guard": the classifier consulted only from src's GATE_SHARE of the set (decision 0028's guard)
    rule, guarded = (rule[:-len("+guard")], True) if rule.endswith("+guard") else (rule, False)
    first_at = int(GATE_SHARE * n) if guarded else 0
    if rule.startswith("lomax-or-") and rule[len("lomax-or-"):] in ROUND7_PARTS:  # decision 0029's space
        part = rule[len("lomax-or-"):]
        count = ROUND7_PARTS[part][0]
        fired = []
        for r in ev["rows"]:
            level = round7_level(part, r["k"])
            if (level is not None and r["lomax_p"] >= WINDOW_START_P and r["at"] >= int(GATE_SHARE * n)
                    and r.get(f"p6:{count}", 0.0) >= level - 1e-12):
                fired.append(r["at"])
        return min(_first_lomax(ev, CONFIDENCE), fired[0] if fired else n)
    if rule.startswith("lomax-or-") and rule[len("lomax-or-"):] in ROUND8_PARTS:  # decision 0030's space
        subset, level = ROUND8_PARTS[rule[len("lomax-or-"):]]
        fired = [r["at"] for r in ev["rows"] if r["k"] >= 1 and r["lomax_p"] >= WINDOW_START_P
                 and r["at"] >= int(GATE_SHARE * n) and r.get(f"p8:{subset}", 0.0) >= level - 1e-12]
        return min(_first_lomax(ev, CONFIDENCE), fired[0] if fired else n)
    if rule.startswith("lomax-or-") and rule[len("lomax-or-"):] in ROUND9_PARTS:  # decision 0034's space
        part = rule[len("lomax-or-"):]
        level = ROUND9_PARTS[part][3]
        fired = [r["at"] for r in ev["rows"] if r.get(f"p9:{part}", 0.0) >= level - 1e-12]  # gates in round9_rows
        return min(_first_lomax(ev, CONFIDENCE), fired[0] if fired else n)
    if rule.startswith("lomax-or-") and rule[len("lomax-or-"):] in ROUND10_PARTS:  # decision 0035's space
        part = rule[len("lomax-or-"):]
        level = ROUND10_PARTS[part][2]
        if any("x10" in r and f"p10:{part}" not in r for r in ev["rows"]):
            raise ValueError(f"{rule}: no leave-one-set-out probabilities on this run (score adds them)")
        fired = [r["at"] for r in ev["rows"] if r.get(f"p10:{part}", 0.0) >= level - 1e-12]  # gates in x10
        return min(_first_lomax(ev, CONFIDENCE), fired[0] if fired else n)
    if rule.startswith("lomax-or-") and rule[len("lomax-or-"):] in ROUND11_PARTS or rule in ROUND11_DIAGNOSTICS:
        levels = ROUND11_DIAGNOSTICS[rule] if rule in ROUND11_DIAGNOSTICS else ROUND11_PARTS[rule[len("lomax-or-"):]]
        walk = round11_stop(ev, levels)  # decision 0040's space
        ev.setdefault("round11", {})[rule] = walk
        return int(walk["stop"])
    if rule.startswith("lomax-or-") and rule[len("lomax-or-"):] in ROUND12_PARTS or rule == "r12-incumbent":
        part = ROUND12_INCUMBENT if rule == "r12-incumbent" else ROUND12_PARTS[rule[len("lomax-or-"):]]
        walk = round12_stop(ev, part)  # decision 0059's space
        ev.setdefault("round11", {})[rule] = walk  # the same record of vetoes and window as decision 0040's
        return int(walk["stop"])
    if rule.startswith("lomax-or-") and rule[len("lomax-or-"):] in ROUND14_PARTS or rule in ROUND14_DIAGNOSTICS:
        part14 = ROUND14_DIAGNOSTICS[rule] if rule in ROUND14_DIAGNOSTICS else ROUND14_PARTS[rule[len("lomax-or-"):]]
        walk = round14_stop(ev, part14)  # decision 0061's space
        ev.setdefault("round11", {})[rule] = walk
        return int(walk["stop"])
    if rule.startswith("lomax-or-") and rule[len("lomax-or-"):] in ROUND15_PARTS:
        part15, gate = ROUND15_PARTS[rule[len("lomax-or-"):]]
        walk = round14_stop(ev, part15, stop_gate=gate)  # decision 0063's space
        ev.setdefault("round11", {})[rule] = walk
        return int(walk["stop"])
    if rule.startswith("lomax-or-") and rule[len("lomax-or-"):] in ROUND16_PARTS:
        part16, gate16 = ROUND16_PARTS[rule[len("lomax-or-"):]]
        walk = round14_stop(ev, part16, stop_gate=gate16)  # decision 0065's space
        ev.setdefault("round11", {})[rule] = walk
        return int(walk["stop"])
    if rule.startswith("lomax-or-") and rule[len("lomax-or-"):] in ROUND17_PARTS:
        part17, gate17, rungs17 = ROUND17_PARTS[rule[len("lomax-or-"):]]
        walk = round14_stop(ev, part17, stop_gate=gate17, agreement=rungs17)  # decision 0068's space
        ev.setdefault("round11", {})[rule] = walk
        return int(walk["stop"])
    if rule in ROUND20_PARTS or rule in ROUND21_PARTS:  # decisions 0077, 0078: C3 with a guard, another trend level
        level, guard = {**ROUND20_PARTS, **ROUND21_PARTS}[rule]
        walk = round19_stop(ev, (level, *ROUND19_C3[1:]), guard)
        ev.setdefault("round11", {})[rule] = walk
        return int(walk["stop"])
    if rule.startswith("lomax-or-") and rule[len("lomax-or-"):] in ROUND19_PARTS:
        walk = round19_stop(ev, ROUND19_PARTS[rule[len("lomax-or-"):]])  # decision 0072's space
        ev.setdefault("round11", {})[rule] = walk
        return int(walk["stop"])
    if rule.startswith("lomax-or-") and rule[len("lomax-or-"):] in ROUND6_PARTS:  # decision 0028's space
        calibration, level = ROUND6_PARTS[rule[len("lomax-or-"):]]
        fired = [r["at"] for r in ev["rows"] if r["lomax_p"] >= WINDOW_START_P and r["at"] >= first_at
                 and r.get(f"p6:{calibration}", 0.0) >= level - 1e-12]
        return min(_first_lomax(ev, CONFIDENCE), fired[0] if fired else n)
    name, method = rule.rsplit(":", 1)  # e.g. "lomax-or-clf:isotonic"
    from scipy.special import pdtr

    def p_clf(row: dict[str, Any]) -> float:
        return float(pdtr(row["k"], max(row[method], 1e-12))) if method in row else 0.0

    def combined(row: dict[str, Any], kind: str) -> float:
        if method not in row:
            return 0.0
        lomax = ev["lomax_pmf"](row["at"])
        clf = poisson_pmf(row[method], lomax.size)
        mass = lomax * clf if kind == "product" else 0.5 * (lomax + clf)
        if mass.sum() <= 0:
            return 0.0
        return float(mass[: row["k"] + 1].sum() / mass.sum())

    if name == "clf":
        fired = [r["at"] for r in ev["rows"] if p_clf(r) >= CONFIDENCE]
        return fired[0] if fired else n
    if name in ("lomax-or-clf", "lomax-or-clf-gated"):
        # gated: a check counts only where the Lomax P is at that check ≥ 0.1 (src's lomax_gate)
        gate = WINDOW_START_P if name.endswith("-gated") else -1.0
        fired = [r["at"] for r in ev["rows"] if r["lomax_p"] >= gate and r["at"] >= first_at and p_clf(r) >= CONFIDENCE]
        return min(_first_lomax(ev, CONFIDENCE), fired[0] if fired else n)
    if name.startswith("lomax@") and name.endswith("-and-clf"):
        level = float(name[len("lomax@"):-len("-and-clf")])
        fired = [r["at"] for r in ev["rows"] if r["lomax_p"] >= level and p_clf(r) >= CONFIDENCE]
        return fired[0] if fired else n
    if name in ("lomax-x-clf", "lomax-mix-clf"):
        kind = "product" if name == "lomax-x-clf" else "mixture"
        fired = [r["at"] for r in ev["rows"] if combined(r, kind) >= CONFIDENCE]
        return fired[0] if fired else n
    raise ValueError(rule)


#: Decision 0028's development table: the incumbent (offline), its parts, and the nine variants.
ROUND6_RULES = ["lomax-or-clf-gated:platt", "lomax-burnin", "certified"] + [f"lomax-or-{part}" for part in ROUND6_PARTS]

#: Decision 0029's development table: the incumbent (src's rule, offline), its parts, and the ten variants.
ROUND7_RULES = ["lomax-or-platt@0.9+guard", "lomax-burnin", "certified"] + [f"lomax-or-{part}" for part in ROUND7_PARTS]

#: Decision 0030's development table: the incumbent (src's rule, offline), its parts, and the seven variants.
ROUND8_RULES = ["lomax-or-k0-lomax@0.8", "lomax-burnin", "certified"] + [f"lomax-or-{part}" for part in ROUND8_PARTS]

#: Decision 0034's development table: the incumbent (src's rule, offline), its parts, and the seven variants.
ROUND9_RULES = ["lomax-or-k0-lomax@0.8", "lomax-burnin", "certified"] + [f"lomax-or-{part}" for part in ROUND9_PARTS]

#: Decision 0035's development table: the incumbent (src's rule, offline), its parts, and the eight variants.
ROUND10_RULES = ["lomax-or-k0-lomax@0.8", "lomax-burnin", "certified"] + [f"lomax-or-{part}" for part in ROUND10_PARTS]

#: Decision 0040's development table: the incumbent (offline, and in the round's own walk), its parts, and the
#: eight variants.
ROUND11_RULES = (["lomax-or-k0-lomax@0.8", "r11-incumbent", "lomax-burnin", "certified"]
                 + [f"lomax-or-{part}" for part in ROUND11_PARTS])

#: Decision 0059's development table: the incumbent (``veto@0.05`` offline and in the round's walk), ``src``,
#: its parts, and the four variants.
ROUND12_RULES = (["lomax-or-veto@0.05", "r12-incumbent", "src", "lomax-burnin", "certified"]
                 + [f"lomax-or-{part}" for part in ROUND12_PARTS])

#: Decision 0061's table: R2 (offline as decision 0060 scored it, in this round's walk, and ``src``), the three
#: candidates, the diagnostics, and the two rules every round reports.
ROUND14_RULES = (["lomax-or-k12@0.85+veto@0.2", "r14-incumbent", "src"] + [f"lomax-or-{part}" for part in ROUND14_PARTS]
                 + [r for r in ROUND14_DIAGNOSTICS if r != "r14-incumbent"] + ["lomax-burnin", "certified"])

#: Decision 0063's table: R2 (offline, in round 14's walk, and ``src``), the three candidates, round 14's two assent
#: rules without the gate (diagnostics), and the two rules every round reports.
ROUND15_RULES = (["lomax-or-k12@0.85+veto@0.2", "r14-incumbent", "src"] + [f"lomax-or-{part}" for part in ROUND15_PARTS]
                 + ["lomax-or-assent@0.70", "lomax-or-assent@0.50", "lomax-burnin", "certified"])

#: Decision 0065's table: the rule in force (offline and ``src``), the candidate, R2 (decision 0060's rule, reported) and
#: the two rules every round reports.
ROUND16_RULES = (["lomax-or-assent@0.50+g0.3", "src"] + [f"lomax-or-{part}" for part in ROUND16_PARTS]
                 + ["lomax-or-k12@0.85+veto@0.2", "lomax-burnin", "certified"])

#: Decision 0068's table: the rule in force (offline and ``src``), the three candidates, decision 0065's ``veto@0.10``
#: and R2 (reported), and the two rules every round reports.
ROUND17_RULES = (["lomax-or-assent@0.50+g0.3", "src"] + [f"lomax-or-{part}" for part in ROUND17_PARTS]
                 + [f"lomax-or-{part}" for part in ROUND16_PARTS]
                 + ["lomax-or-k12@0.85+veto@0.2", "lomax-burnin", "certified"])

#: Decision 0072's rule in force (C3, offline and ``src``), decision 0068's rule it replaced (reported), and the two rules
#: every round reports.
ROUND19_RULES = ["lomax-or-c3", "src", "lomax-or-assent@0.30+g0.3+agree4@0.05", "lomax-burnin", "certified"]

#: Decision 0077's table: the rule in force (C3, offline and ``src``), the three gap guards, and the references.
ROUND20_RULES = ["lomax-or-c3", "src", *ROUND20_PARTS, "certified"]
#: Decision 0078's table: the rule in force (offline and ``src``), the candidates, and the certified rule.
ROUND21_RULES = ["lomax-or-c3", "src", *ROUND21_PARTS, "certified"]

RULES = ["lomax-burnin"] + [f"{name}:{method}" for method in ("platt", "isotonic")
                             for name in ("clf", "lomax-or-clf", "lomax@0.8-and-clf", "lomax@0.9-and-clf",
                                          "lomax-x-clf", "lomax-mix-clf")] + ["lomax-or-clf-gated:platt"]


def needed_calibrations(rules: list[str]) -> set[str] | None:
    """The round-6/7 calibrations ``rules`` read (None: every one of round 6's, for rules this cannot tell)."""
    wanted: set[str] = set()
    for rule in rules:
        part = rule.removesuffix("+guard").removeprefix("lomax-or-")
        if (part in ROUND11_PARTS or rule in ROUND11_DIAGNOSTICS or part in ROUND12_PARTS or rule == "r12-incumbent"
                or part in ROUND14_PARTS or rule in ROUND14_DIAGNOSTICS or part in ROUND15_PARTS
                or part in ROUND16_PARTS or part in ROUND17_PARTS or part in ROUND19_PARTS or rule in ROUND20_PARTS):
            wanted.add("platt")
        elif part in ROUND10_PARTS:
            wanted.add("x10")
        elif part in ROUND9_PARTS:
            wanted.add("p9:" + part)
        elif part in ROUND8_PARTS:
            wanted.add("p8:" + ROUND8_PARTS[part][0])
        elif part in ROUND7_PARTS:
            wanted.add(ROUND7_PARTS[part][0])
        elif part in ROUND6_PARTS:
            wanted.add(ROUND6_PARTS[part][0])
        elif ":" in rule:  # decision 0025's rules read the calibrated sums
            wanted.add("sum:" + rule.removesuffix("+guard").rsplit(":", 1)[1])
        elif rule not in ("lomax-burnin", "certified", "src"):
            return None
    return wanted


def needed(labels: np.ndarray) -> int:
    """Records screened when 95 % recall is first reached."""
    return int(np.searchsorted(np.cumsum(labels), math.ceil(TARGET * labels.sum() - 1e-9)) + 1)


def score(sets: list[str], seeds: list[int], rules: list[str], per_set: bool, train_root: Path | None = None,
          train_seeds: list[int] | None = None, candidate: str | None = None) -> None:
    outcomes: dict[str, list[dict[str, Any]]] = {r: [] for r in rules}
    round10 = [r[len("lomax-or-"):] for r in rules if r[len("lomax-or-"):] in ROUND10_PARTS]
    fits = None
    if round10:  # decision 0035: leave-one-set-out fits on the development seeds of every set
        every_set = sorted(p.stem for p in screening_dev.DATA_DIR.glob("*.csv"))  # the fits see all but one
        fits = Round10Fits(round10_training(train_root or store_dir().parent, every_set,
                                            train_seeds or ROUND10_TRAIN_SEEDS))
    for set_name in sets:
        for seed in seeds:
            path = store_dir() / evidence_name(set_name, seed, candidate)
            if not path.exists():
                print(f"missing {path.name}", file=sys.stderr)
                continue
            ev = run_evidence(path, needed_calibrations(rules))
            ev["seed"] = seed
            if fits is not None:
                fits.add(ev, set_name, round10)
            labels, n = ev["labels"], ev["n"]
            need = needed(labels)
            for rule in rules:
                stop = rule_stop(ev, rule)
                recall = labels[:stop].sum() / labels.sum()
                outcomes[rule].append({"set": set_name, "seed": seed, "n": n, "stop": stop,
                                       "reached": bool(recall >= TARGET - 1e-9), "excess": (stop - need) / n})
                walk = ev.get("round11", {}).get(rule)
                if walk is not None:  # decision 0040: the veto's record and the stored window's reach
                    outcomes[rule][-1].update(
                        vetoed=int(walk["vetoed"]), exhausted=bool(walk["exhausted"]), by=walk.get("by"),
                        window_end_excess=((walk["window_end"] - need) / n) if walk["exhausted"] else None)
                    if "past_window" in walk:  # decision 0072: the walk went past the stored checks
                        outcomes[rule][-1]["past_window"] = bool(walk["past_window"])
    summary = {}
    print("| rule | reached, all | reached, sets ≥ 1,000 | mean excess, all | ≥ 1,000 |")
    print("|---|---|---|---|---|")
    for rule, rows in outcomes.items():
        large = [r for r in rows if r["n"] >= LARGE]
        s = {"runs": len(rows), "reached": sum(r["reached"] for r in rows),
             "reached_large": sum(r["reached"] for r in large), "runs_large": len(large),
             "excess": float(np.mean([r["excess"] for r in rows])),
             "excess_large": float(np.mean([r["excess"] for r in large])) if large else float("nan")}
        summary[rule] = s
        print(f"| {rule} | {s['reached'] / s['runs']:.3f} ({s['reached']}) | "
              f"{s['reached_large'] / max(s['runs_large'], 1):.3f} ({s['reached_large']}) | "
              f"{s['excess']:+.3f} | {s['excess_large']:+.3f} |")
    walked = [r for r in rules if any("vetoed" in row for row in outcomes[r])]
    if walked:  # decision 0040: how often the veto held a Lomax stop back, and where the stored window ran out
        lomax_missed = {(r["set"], r["seed"]) for r in outcomes.get("lomax-burnin", []) if not r["reached"]}
        print("\n| rule | runs with a vetoed Lomax stop | records held back (mean over those runs) | "
              "runs past the stored window (scored at N) | their excess if stopped at the window's end | "
              "stopped by the classifier | lomax-burnin's misses reached |")
        print("|---|---|---|---|---|---|---|")
        for rule in walked:
            rows = outcomes[rule]
            held = [r["vetoed"] for r in rows if r["vetoed"] > 0]
            gone = [r for r in rows if r["exhausted"]]
            bound = (float(np.mean([r["excess"] if not r["exhausted"] else r["window_end_excess"] for r in rows]))
                     if gone else float("nan"))
            saved = sum(r["reached"] for r in rows if (r["set"], r["seed"]) in lomax_missed)
            print(f"| {rule} | {len(held)} | {np.mean(held) if held else 0:.0f} | {len(gone)} | "
                  f"{'—' if not gone else format(bound, '+.4f') + ' (mean, all runs)'} | "
                  f"{sum(r['by'] == 'classifier' for r in rows)} | "
                  f"{saved} of {len(lomax_missed) if 'lomax-burnin' in outcomes else '?'} |")
            summary[rule].update(vetoed_runs=len(held), exhausted_runs=len(gone),
                                 excess_if_window_end=None if not gone else bound)
    if "src" in outcomes and "lomax-or-c3" in outcomes:  # decision 0072: the offline walk of the rule in force is src's
        pairs = list(zip(outcomes["lomax-or-c3"], outcomes["src"], strict=True))
        inside = [(walked_c3, src) for walked_c3, src in pairs if not walked_c3.get("past_window")]
        same, same_inside = (sum(a["stop"] == b["stop"] for a, b in group) for group in (pairs, inside))
        print(f"\nC3's walk equals src's stop on {same} of {len(pairs)} runs ({same_inside} of {len(inside)} that stay "
              f"within the stored window of checks)")
        summary["lomax-or-c3"].update(src_equal=same, src_equal_inside=same_inside, past_window_runs=len(pairs) - len(inside))
    if "src" in outcomes and "c3@0.99" in outcomes:  # decision 0078: src's rule since then (evidence collected after it)
        same = sum(a["stop"] == b["stop"] for a, b in zip(outcomes["c3@0.99"], outcomes["src"], strict=True))
        print(f"C3 at 0.99's walk equals src's stop on {same} of {len(outcomes['src'])} runs (src's rule since decision "
              "0078; on evidence collected before it src's stop is C3's, and a --src-only collection stores no "
              "classifier checks for the walk)")
        summary["c3@0.99"].update(src_equal=same)
    if per_set:
        print("\n| set | N | " + " | ".join(f"{r}: reached | excess" for r in rules) + " |")
        print("|---|---|" + "---|---|" * len(rules))
        for set_name in sets:
            cells = []
            n = 0
            for rule in rules:
                mine = [r for r in outcomes[rule] if r["set"] == set_name]
                n = mine[0]["n"] if mine else 0
                cells.append(f"{sum(r['reached'] for r in mine)}/{len(mine)} | "
                             f"{np.mean([r['excess'] for r in mine]) if mine else float('nan'):+.3f}")
            print(f"| {set_name} | {n} | " + " | ".join(cells) + " |")
    print("BENCH " + json.dumps({"benchmark": "stopping_classifier", "engine": ENGINE_VERSION, "candidate": candidate,
                                 "seeds": seeds, "summary": summary, "runs": outcomes}))


def ratios(sets: list[str], seeds: list[int]) -> None:
    """Decision 0034's reading of why the recalibration does or does not work: per set, at the first stored
    check at or past the 95 % point where the rule reads the classifier (k* ≥ 1, the gates) with a window, the ratio
    measured on the window (``preq10``: (1 + found) / (1 + predicted)) against the ratio the count needed
    there (true left ÷ the Platt count), and the window's found and predicted; medians over the seeds."""
    from scipy.special import expit

    print("| set | N | runs read | window found (median) | window predicted | window ratio (1 + F)/(1 + E) | "
          "needed ratio: true left ÷ Platt count | median of window ÷ needed per run |")
    print("|---|---|---|---|---|---|---|---|")
    out = {}
    for set_name in sets:
        per_run = []
        for seed in seeds:
            path = store_dir() / f"e{ENGINE_VERSION}-{set_name}-seed{seed}.npz"
            if not path.exists():
                continue
            z = np.load(path)
            labels, n_priors, checks, scores = z["labels"], int(z["n_priors"]), z["checks"], z["scores"]
            n = labels.size
            ranked, before = labels[n_priors:], int(labels[:n_priors].sum())
            curve = stopping_candidates.lomax_burnin_confidence(ranked, found_before=before)
            point = needed(labels)
            for i, at in enumerate(int(a) for a in checks):
                found = int(labels[:at].sum())
                lomax_p = float(curve[at - n_priors - 1]) if at > n_priors else 0.0
                if (at < point or most_left_for_target(found, TARGET) < 1 or at < int(GATE_SHARE * n)
                        or lomax_p < WINDOW_START_P or np.isnan(scores[i, 0])):
                    continue
                sums = window_sums(checks, scores, labels, i, ROUND9_PARTS["preq10@0.8"][0])
                if sums is None:
                    continue  # no window yet (the stored checks begin after the 95 % point): the next check
                found_w, predicted_w = sums
                now = platt_fit(scores[i, :at].astype(float), labels[:at].astype(float))
                count = float(expit(now[0] * scores[i, at:].astype(float) + now[1]).sum())
                left = int(labels.sum()) - found
                window = (RATIO_PRIOR_SHAPE + found_w) / (RATIO_PRIOR_RATE + predicted_w)
                per_run.append((found_w, predicted_w, window, left / max(count, 1e-12)))
                break
        if not per_run:
            continue
        a = np.array(per_run)
        med = np.median(a, axis=0)
        ratio_of = np.median(a[:, 2] / np.maximum(a[:, 3], 1e-12))
        out[set_name] = {"runs": len(per_run), "found_w": med[0], "predicted_w": med[1], "window": med[2],
                         "needed": med[3], "window_over_needed": float(ratio_of)}
        print(f"| {set_name} | {labels.size} | {len(per_run)} | {med[0]:.0f} | {med[1]:.1f} | {med[2]:.2f} | "
              f"{med[3]:.2f} | {ratio_of:.2f} |")
    print("BENCH " + json.dumps({"benchmark": "stopping_classifier_ratios", "engine": ENGINE_VERSION, "seeds": seeds,
                                 "sets": out}))


def xfit(train_root: Path, train_seeds: list[int]) -> None:
    """Decision 0035's fits: per variant, the fit on every set's development runs (what src would carry) and
    the spread of the leave-one-set-out fits' coefficients (nothing is scored)."""
    every_set = sorted(p.stem for p in screening_dev.DATA_DIR.glob("*.csv"))
    fits = Round10Fits(round10_training(train_root, every_set, train_seeds))
    rows = sum(len(r) for r in fits.training.values())
    print(f"training rows: {rows} from {len(every_set)} sets x seeds {train_seeds}")
    print("| variant | features | fit on all 15 sets: coefficients (intercept first) | residual spread | "
          "leave-one-set-out: coefficient ranges |")
    print("|---|---|---|---|---|")
    out = {}
    for part in ROUND10_PARTS:
        whole = fits.fit(None, part)
        loso = np.array([fits.fit(s, part)["coef"] for s in every_set])
        ranges = ", ".join(f"{lo:+.3f}…{hi:+.3f}" for lo, hi in zip(loso.min(axis=0), loso.max(axis=0), strict=True))
        print(f"| {part} | {', '.join(whole['features'])} | {', '.join(f'{c:+.4f}' for c in whole['coef'])} | "
              f"{'—' if whole['form'] == 'qr' else format(whole['sigma'], '.4f')} | {ranges} |")
        out[part] = {"coef": [float(c) for c in whole["coef"]], "sigma": None if whole["form"] == "qr" else whole["sigma"],
                     "features": list(whole["features"])}
    # per set, with its leave-one-set-out fit: at the first check the rule reads at or past the 95 % point, the
    # correction the count needed ((left + ½)/(C + ½)) against the one the fit gives (exp μ̂), medians over the
    # runs; and over every check the rule reads before the Lomax stop, how often the variant's claim holds
    # where it makes it (P ≥ its level: left ≤ k* in fact)
    shown = ("xr-A-ln@0.8", "xr-B-ln@0.8", "xr-A-qr@0.8")
    print("\n| set | runs read | needed (left + ½)/(C + ½) | " + " | ".join(f"{p}: exp μ̂" for p in shown[:2])
          + " | " + " | ".join(f"{p}: claims held / made" for p in shown) + " |")
    print("|---|---|---|" + "---|" * (2 + len(shown)))
    per_set = {}
    for set_name in every_set:
        needed_ratio, corrections, claims = [], {p: [] for p in shown[:2]}, {p: [0, 0] for p in shown}
        for seed in train_seeds:
            ev = run_evidence(train_root / "stopping-clf" / f"e{ENGINE_VERSION}-{set_name}-seed{seed}.npz", {"x10"})
            need, lomax = needed(ev["labels"]), _first_lomax(ev, CONFIDENCE)
            read = [r for r in ev["rows"] if "x10" in r and r["at"] < lomax]
            first = next((r for r in read if r["at"] >= need), None)
            if first is not None:
                needed_ratio.append((first["left"] + 0.5) / (first["x10"]["C"] + 0.5))
                for part in shown[:2]:
                    fit = fits.fit(set_name, part)
                    x = first["x10"]
                    corrections[part].append(math.exp(fit["coef"][0] + sum(
                        c * x[f] for c, f in zip(fit["coef"][1:], fit["features"], strict=True))))
            for part in shown:
                fit, level = fits.fit(set_name, part), ROUND10_PARTS[part][2]
                for r in read:
                    if round10_p(fit, r["x10"], r["k"]) >= level - 1e-12:
                        claims[part][1] += 1
                        claims[part][0] += int(r["left"] <= r["k"])
        med = {p: float(np.median(v)) if v else math.nan for p, v in corrections.items()}
        need_med = float(np.median(needed_ratio)) if needed_ratio else math.nan
        per_set[set_name] = {"runs": len(needed_ratio), "needed": need_med, "corrections": med, "claims": claims}
        print(f"| {set_name} | {len(needed_ratio)} | {need_med:.2f} | "
              + " | ".join(f"{med[p]:.2f}" for p in shown[:2]) + " | "
              + " | ".join(f"{claims[p][0]} / {claims[p][1]}" for p in shown) + " |")
    print("BENCH " + json.dumps({"benchmark": "stopping_classifier_xfit", "engine": ENGINE_VERSION,
                                 "train_seeds": train_seeds, "fits": out, "sets": per_set}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("phase", choices=["collect", "score", "ratios", "xfit"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    parser.add_argument("--sets", nargs="+")
    parser.add_argument("--per-set", action="store_true")
    parser.add_argument("--with-src", action="store_true", help="collect: also src's relevance_rate_classifier stop")
    parser.add_argument("--src-only", action="store_true", help="collect: only that stop (no evidence for the other rules)")
    parser.add_argument("--train-cache", type=Path,
                        help="score: the REVIEW_BENCH_CACHE whose development seeds train decision 0035's fits")
    parser.add_argument("--train-seeds", type=int, nargs="+", default=ROUND10_TRAIN_SEEDS)
    parser.add_argument("--window-past", type=float, default=WINDOW_PAST,
                        help="collect: store checks to this share of N past the Lomax stop (decision 0040)")
    parser.add_argument("--candidate", choices=sorted(screening_dev.CANDIDATES), metavar="NAME",
                        help="collect, score: a ranking candidate of screening_dev.py instead of the engine "
                             "(its orders and its rows; stored as c-NAME-…)")
    parser.add_argument("--thin", type=float, metavar="FRACTION",
                        help="collect, score: each set thinned to this share of its records at random (stop18)")
    parser.add_argument("--thin-draws", type=int, nargs="+", default=[1], help="collect, score: the thinning's draws")
    parser.add_argument("rules", nargs="*")
    args = parser.parse_args()
    sets = sorted(p.stem for p in screening_dev.DATA_DIR.glob("*.csv") if not args.sets or p.stem in args.sets)
    if args.phase == "collect":
        collect(sets, args.seeds, args.with_src or args.src_only, args.src_only, args.window_past, args.candidate,
                None if args.thin is None else (args.thin, args.thin_draws))
    elif args.phase == "ratios":
        ratios(sets, args.seeds)
    elif args.phase == "xfit":
        xfit(args.train_cache or store_dir().parent, args.train_seeds)
    else:
        groups = {"round6": ROUND6_RULES, "round7": ROUND7_RULES, "round8": ROUND8_RULES, "round9": ROUND9_RULES,
                  "round10": ROUND10_RULES, "round11": ROUND11_RULES,
                  "round12": ROUND12_RULES, "round14": ROUND14_RULES, "round15": ROUND15_RULES,
                  "round16": ROUND16_RULES, "round17": ROUND17_RULES, "round19": ROUND19_RULES,
                  "round20": ROUND20_RULES, "round21": ROUND21_RULES}
        rules = [r for name in args.rules for r in groups.get(name, [name])]
        if args.thin is not None:  # score the thinned sets the same options collected
            sets = [thinned_name(s, args.thin, d) for d in args.thin_draws for s in sets]
        score(sets, args.seeds, rules or RULES, args.per_set, args.train_cache, args.train_seeds, args.candidate)


if __name__ == "__main__":
    sys.exit(main())
