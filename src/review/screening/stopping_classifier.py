"""The classifier's evidence for the stopping rule: how many relevant records do the scores say are left?

The Lomax rule (``stopping_rate``) reads only where relevant records turned up along the ranking.
Bin-Hezam & Stevenson (2023, "Combining counting processes and classification improves a stopping
rule for technology assisted review") add what a classifier trained on the screened records says
about the unscreened ones. Here (decision 0025): the ranking's model is fitted on the records
screened so far; 5-fold cross-validated (out-of-fold) scores of those records fit a Platt
calibration (a logistic curve of the label on the score); the model fitted on all of them scores
the unscreened records, and their calibrated probabilities summed are the expected number of
relevant records left, taken as Poisson. The rule ``relevance_rate_classifier`` (decision 0072's C3, its trend's level
raised by decision 0078) stops where its Lomax part's P(recall ≥ target) reaches ``trend_level`` (0.99 at the default
confidence 0.95, whatever k*, the most that may be left for the target recall), or earlier at a check where the
classifier gives P(left ≤ k*) ≥ ``classifier_confidence`` (0.80 at 0.95, decision 0029) while the trend's own P had
reached ``STOP_GATE_PROBABILITY`` there (decision 0063). The classifier is asked only where k* ≥ ``FEWEST_ALLOWED``
(6, ``consulted``); below, a session's check makes no fits (``unasked_check``). Its view never holds a trend stop back
nor lowers the trend's level: decision 0072 ended the veto (decisions 0040, 0060), the assent (0061) and the
agreement of checks in a row (0068); a view stored with their fields loads and counts only for its own stop.

A check's view stands until the next check of the grid, in a session as in ``review simulate`` (``first_stop``).
A view holds for the decisions it was made from, the set of records it was made over and the target it was made for
(``view_holds``): an undo, a changed decision or a record set aside since, among them, makes it stale, and so do
records added to the set or taken from it and a target recall (review.toml) under which its count found allows
another k*; decisions made after it do not.

Six fits per check, so the classifier is consulted on a grid, every ``check_step(N)`` = ⌈N/100⌉
screened records, and only once the Lomax rule's own probability has reached ``GATE_PROBABILITY``
and ``GATE_SHARE`` of the set is screened: before that the rule could not be near a stop, and a
classifier trained on the first few relevant records can be sure and wrong about the rest (decision
0028's guard).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

import numpy as np

from .models import Classifier, SvmModel, make_model
from .stopping_rate import _poisson_upper, lomax_reaches_levels, most_left_for_target

FOLDS = 5
#: The classifier is consulted only where the Lomax P(recall ≥ target) is at least this ...
GATE_PROBABILITY = 0.1
#: ... and at least this share of the set has been screened. 5 % until decision 0028: on a one-in-ten
#: set whose first relevant records are all of one kind, a classifier that has seen only those is sure
#: none are left after a short drought, and stopped at 6 % recall where the Lomax rule went on to 97 %.
#: From 20 % such a drought has either ended (the classifier has seen the other kind) or fooled the
#: Lomax rule itself; no classifier stop on the 15 shared sets (seeds 1–10, 26–35, decision 0029's level)
#: came before 41 % of N.
GATE_SHARE = 0.20
#: Decision 0063: a view stops the rule only at a check where the Lomax rule's own P(recall ≥ target) has reached
#: this (it is asked from ``GATE_PROBABILITY`` on; below, a view at the classifier's level stops nothing). Estrogens' seven misses in 375 runs were classifier stops at about 224 of 368 with 74–75 of 80 found
#: and the trend's P at 0.10–0.23; gated at 0.3 each run reached 95 % recall, at +0.003 of mean excess.
STOP_GATE_PROBABILITY = 0.3
#: The classifier's part of the rule may miss this many times as often as the Lomax part: 0.80 against
#: 0.95 at the default confidence (decision 0029; 2.0, 0.90, under decision 0028; 6.0, 0.70, adopted by
#: decision 0040 and withdrawn by its addendum: fewer runs reached in 7 of 8 groups of seeds).
CLASSIFIER_MISS_FACTOR = 4.0
#: ... and it is consulted only where the target allows at least this many relevant records to be left (k*).
#: At k* = 0 its claim would be "none left", which the Platt count made wrongly on a set of 16 relevant records in
#: 12 of 15 runs at 90 % (decisions 0028 and 0029); at k* 3–5 its stops were one or two records short in 27 of the
#: 86 misses on sets thinned at random (decision 0072: the classifier stop only from k* = 6, rule C3, reached 94.7 %
#: of 300 fresh thinned runs against 78.7 %). Below it the Lomax part alone decides, and a check makes no fits.
FEWEST_ALLOWED = 6
#: ... but never below this level: widening the miss allowance of a low confidence leaves nothing (0 at
#: 0.75 with the factor 4, negative below) and the classifier's part would stop at its first check whatever
#: it estimated. At least "more likely than not"; never above the rule's confidence. Judged only at 0.95
#: (decisions 0028 and 0029).
CLASSIFIER_CONFIDENCE_FLOOR = 0.5


#: Decision 0072 (rule C3): the Lomax part of the rule may miss this many times as often as the confidence allows, at
#: every k* (0.95 at k* = 0 and ≥ 3, 0.85 or 0.30 on the classifier's assent at k* 1–2 under decisions 0059–0068: 33
#: of the 86 thinned runs that rule missed were stops at those lowered levels). Decision 0072 set 0.4 (0.98 at the
#: default confidence 0.95); decision 0078 set 0.2 (0.99): on fresh sets thinned at random to 70 % (reviews the
#: seeds do not give) 0.98 reached 95 % recall in 248 of 270 runs (91.9 %), 0.99 in 257 (95.2 %), for +0.035 of mean
#: excess on the full sets. Judged only at 0.95: 0.998 at 0.99, 0.98 at 0.90 by the same factor.
LOMAX_MISS_FACTOR = 0.2
#: Decimal places the trend's level is rounded to (``trend_level``): 1 − 0.2 × (1 − 0.95) is 0.99 in decimals, and
#: the benchmark harness's walk compares with 0.99.
LEVEL_DIGITS = 12


def trend_level(confidence: float) -> float:
    """The probability P(recall ≥ target) the rule's Lomax part must reach to stop, at the rule's ``confidence``:
    ``LOMAX_MISS_FACTOR`` times its miss allowance (0.99 at 0.95, decision 0078; 0.98 under decision 0072), at every
    k*."""
    return round(1.0 - LOMAX_MISS_FACTOR * (1.0 - confidence), LEVEL_DIGITS)


def trend_levels(confidence: float) -> Callable[[np.ndarray], np.ndarray]:
    """``trend_level`` over an array of k*, for ``stopping_rate.lomax_first_stops``'s ``levels`` (one walk gives
    ``review simulate`` the Lomax rule's stop at the confidence and this rule's Lomax part's)."""
    level = trend_level(confidence)

    def levels(most_left: np.ndarray) -> np.ndarray:
        return np.full(np.shape(most_left), level)
    return levels


@dataclass(slots=True, frozen=True)
class ClassifierEstimate:
    """The calibrated classifier's view after ``screened`` records (priors included)."""

    screened: int
    found: int
    expected_remaining: float  # Σ calibrated probability over the unscreened records
    most_left: int  # k*: the most relevant records left that still meet the target recall
    probability: float  # P(left ≤ k*) under Poisson(expected_remaining)
    #: That distribution's quantile at ``classifier_confidence(confidence)``, the level a classifier stop
    #: rests on and states (capped at the records left); 0.95's until decision 0028, 0.90's until 0029.
    upper_remaining: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def decisions_made_from(decision_ids: Sequence[int] | np.ndarray, *, records: int | None = None,
                        record_set: str | None = None) -> dict[str, Any]:
    """What a view records of the decisions it was made from (their store ids, the decisions in force):
    the newest id and a digest of them all, for ``view_holds``; ``records``, the number of records of the set
    its check was made over (the records to screen, less those picked: the ``n_total`` the rule reads), and
    ``record_set``, that set's ``records_digest``."""
    ids = np.sort(np.asarray(decision_ids, dtype=np.int64))
    made: dict[str, Any] = {"last_decision": int(ids[-1]) if ids.size else 0, "decisions": _digest(ids)}
    if records is not None:
        made["records"] = int(records)
    if record_set is not None:
        made["record_set"] = record_set
    return made


def records_digest(record_ids: Sequence[int] | np.ndarray) -> str:
    """A digest of a set of record ids (in any order), which a view names the set it was made over by
    (``view_holds``): a count alone kept a view over other records where a record picked and one imported, or
    one set aside and another restored, left the number as it was (rrev27b)."""
    return _digest(np.sort(np.asarray(record_ids, dtype=np.int64)))


def view_holds(view: Mapping[str, Any] | None, decision_ids: Sequence[int] | np.ndarray, *,
               target_recall: float, records: int | None = None, record_set: str | None = None) -> bool:
    """Whether ``view`` (with ``decisions_made_from``'s keys) still speaks for the decisions in force
    (``decision_ids``, store ids) at ``target_recall``: those up to its newest one are exactly the ones it
    was made from, and its k* (``most_left``) is the one the target allows for its count found.
    An undo followed by a new decision, or a changed decision, keeps the counts but not the ids
    (a store id is never reused); decisions made after the view leave it standing. A target changed since
    (review.toml, between sessions) changes k*: a view made at 90 % (k* = 12 at 114 found) would otherwise
    stop a 95 % review, where k* = 6 there allows half as many to be left. A target that leaves k* as it was
    leaves the view as a check at that target makes it: its fits read no target, its chances read it only through
    k*, and the verdict applies the classifier's level of the confidence in force.

    ``records``: the set the rule reads now has this many records; a view made over another number (records
    imported, restored or set aside since, a record picked or a pick undone) does not hold: its unscreened records
    were not these, and ``review simulate``'s walk on this set checks on its own grid (⌈N/100⌉). A view stored
    without the number (before 2026-12-07) is read as before here; a session does not carry one from its stored
    queue (``ScreeningSession``: it makes the check due once).

    ``record_set``: the set's ``records_digest``; a view that names another set does not hold, though its count
    be the same (a record picked and one imported between two checks). A view that names its count only (made
    before views named their set, on 2026-12-07) is read by its count, as before."""
    if view is None or "decisions" not in view or "most_left" not in view or "found" not in view:
        return False
    if int(most_left_for_target(int(view["found"]), target_recall)) != int(view["most_left"]):
        return False
    if records is not None and "records" in view and int(view["records"]) != records:
        return False
    if record_set is not None and "record_set" in view and view["record_set"] != record_set:
        return False
    ids = np.sort(np.asarray(decision_ids, dtype=np.int64))
    upto = ids[:int(np.searchsorted(ids, int(view["last_decision"]), side="right"))]
    return _digest(upto) == view["decisions"]


def _digest(sorted_ids: np.ndarray) -> str:
    return hashlib.blake2b(sorted_ids.astype("<i8").tobytes(), digest_size=8).hexdigest()


def classifier_confidence(confidence: float) -> float:
    """The probability P(left ≤ k*) the classifier must give for the rule to stop on it, at the
    rule's ``confidence``: its miss allowance is ``CLASSIFIER_MISS_FACTOR`` times the Lomax part's, the
    level at least ``CLASSIFIER_CONFIDENCE_FLOOR``, or ``confidence`` when that is lower (0.80 at 0.95,
    0.96 at 0.99, 0.5 from 0.5 to 0.875, the confidence itself below 0.5)."""
    widened = 1.0 - CLASSIFIER_MISS_FACTOR * (1.0 - confidence)
    return min(confidence, max(CLASSIFIER_CONFIDENCE_FLOOR, widened))


def consulted(most_left: int) -> bool:
    """Whether the rule may stop on the classifier where at most ``most_left`` (k*) relevant records may
    be left: from ``FEWEST_ALLOWED`` on (decision 0029's one, decision 0072's six)."""
    return most_left >= FEWEST_ALLOWED


def consulted_at(found: int, target_recall: float) -> bool:
    """Whether the classifier is asked with ``found`` relevant records found: :func:`consulted` of the k*
    the target leaves there."""
    return consulted(int(most_left_for_target(found, target_recall)))


def fewest_found_consulted(target_recall: float) -> int | None:
    """The fewest relevant records found from which the classifier is asked (k* ≥ ``FEWEST_ALLOWED``):
    114 at a target of 95 %; None where it never is (a target of 100 % allows none to be left)."""
    if target_recall >= 1.0:
        return None
    found = max(1, math.ceil(FEWEST_ALLOWED / (1 / target_recall - 1)) - 1)
    while not consulted_at(found, target_recall):
        found += 1
    return found


def unasked_check(screened: int, found: int, target_recall: float) -> dict[str, Any] | None:
    """A check where the classifier is not asked (k* below ``FEWEST_ALLOWED``), made without fits: what it
    was made after (``asked`` False, no estimate), so the next check stays a grid step on; None where k*
    calls for a fit. The verdict reads no estimate there (``consulted``)."""
    if consulted_at(found, target_recall):
        return None
    return {"screened": screened, "found": found, "most_left": int(most_left_for_target(found, target_recall)),
            "asked": False}


def closed_gate_check(screened: int, found: int, target_recall: float) -> dict[str, Any]:
    """A check of the grid where the classifier is not asked although k* ≥ ``FEWEST_ALLOWED`` — the Lomax gate closed, or too
    few labels of a kind for a fit — made without fits: what it was made after (``asked`` False, no
    estimate). It marks its grid step, as ``first_stop``'s check there does."""
    return {"screened": screened, "found": found, "most_left": int(most_left_for_target(found, target_recall)),
            "asked": False}


def check_step(n_total: int) -> int:
    """Records between two consultations of the classifier."""
    return max(1, math.ceil(n_total / 100))


def platt_fit(scores: np.ndarray, y: np.ndarray, steps: int = 50) -> tuple[float, float]:
    """Maximum-likelihood logistic curve of the label on the score: (slope, intercept). Newton's
    method; a tiny ridge on the slope keeps a perfectly separated fit finite."""
    from scipy.special import expit

    X = np.column_stack([scores, np.ones_like(scores)])
    w = np.zeros(2)
    ridge = np.diag([1e-4, 0.0])
    for _ in range(steps):
        p = expit(X @ w)
        gradient = X.T @ (y - p) - ridge @ w
        hessian = (X * (p * (1 - p))[:, None]).T @ X + ridge + 1e-12 * np.eye(2)
        move = np.linalg.solve(hessian, gradient)
        w += move
        if np.abs(move).max() < 1e-9:
            break
    return float(w[0]), float(w[1])


def out_of_fold_scores(matrix: Any, rows: np.ndarray, y: np.ndarray, *, model: str, seed: int,
                       n_records: int) -> np.ndarray:
    """Each labelled row's score from a model fitted without it (stratified, shuffled, seeded folds)."""
    return _out_of_fold_scores(matrix[rows], y, model=model, seed=seed, n_records=n_records)


def _out_of_fold_scores(labelled: Any, y: np.ndarray, *, model: str, seed: int, n_records: int,
                        row_norms: np.ndarray | None = None) -> np.ndarray:
    """``out_of_fold_scores`` on the labelled rows' own matrix (``labelled``, row i labelled ``y[i]``): a fold's
    rows are taken from it, not from the whole set's matrix, and are the same rows in the same order.
    ``row_norms``: the labelled rows' ‖xᵢ‖² where the caller has them (``_fitted``)."""
    out = np.zeros(y.size)
    positives = int(y.sum())
    n_splits = min(FOLDS, positives, y.size - positives)
    test_folds = stratified_folds(y, n_splits, seed)
    for fold in range(n_splits):
        test = test_folds == fold
        fitted = _fitted(model, seed, n_records, labelled[~test], y[~test],
                         None if row_norms is None else row_norms[~test])
        out[test] = fitted.scores(labelled[test])
    return out


def _fitted(model: str, seed: int, n_records: int, X: Any, y: np.ndarray, row_norms: np.ndarray | None) -> Classifier:
    """``make_model(model, seed, n_records).fit(X, y)``, handing an SVM its rows' ‖xᵢ‖² (``row_norms``, sliced from
    a larger matrix's) instead of having it sum them again: a row's norm is its own entries' sum, the same bits."""
    classifier = make_model(model, seed, n_records)
    if row_norms is not None and isinstance(classifier, SvmModel):
        classifier.row_norms = row_norms
    return classifier.fit(X, y)


def stratified_folds(y: np.ndarray, n_splits: int, seed: int) -> np.ndarray:
    """Each label's fold: scikit-learn's ``StratifiedKFold(n_splits, shuffle=True, random_state=seed)``
    assignment, written out so that a simulation does not import scikit-learn (decision 0017; a test
    checks the two agree). Each class is dealt round-robin over the folds, then shuffled."""
    _, first_at, inverse = np.unique(y, return_index=True, return_inverse=True)
    _, class_order = np.unique(first_at, return_inverse=True)
    encoded = class_order[inverse]  # classes numbered by first appearance
    n_classes = first_at.size
    ordered = np.sort(encoded)
    allocation = np.asarray([np.bincount(ordered[i::n_splits], minlength=n_classes) for i in range(n_splits)])
    rng = np.random.RandomState(seed)
    folds = np.empty(y.size, dtype=np.int64)
    for k in range(n_classes):
        for_class = np.arange(n_splits).repeat(allocation[:, k])
        rng.shuffle(for_class)
        folds[encoded == k] = for_class
    return folds


def estimate(matrix: Any, labelled_rows: np.ndarray, y: np.ndarray, unscreened_rows: np.ndarray, *,
             model: str = "default", seed: int = 0, n_records: int | None = None,
             target_recall: float = 0.95, confidence: float = 0.95) -> ClassifierEstimate | None:
    """The classifier's estimate of the relevant records among ``unscreened_rows`` (rows of ``matrix``);
    None with fewer than two relevant or two irrelevant labels (nothing to calibrate on)."""
    size = matrix.shape[0] if n_records is None else n_records
    return _estimate(matrix[np.asarray(labelled_rows)], y, matrix[np.asarray(unscreened_rows)], model=model, seed=seed,
                     n_records=size, target_recall=target_recall, confidence=confidence)


def _estimate(labelled: Any, y: Sequence[int] | np.ndarray, unscreened: Any, *, model: str, seed: int,
              n_records: int, target_recall: float, confidence: float,
              row_norms: np.ndarray | None = None) -> ClassifierEstimate | None:
    """``estimate`` on the labelled rows' matrix (row i labelled ``y[i]``) and the unscreened rows' matrix: the
    same fits on the same rows in the same order, without picking the rows out of the whole set's matrix again
    for every fold (``first_stop`` passes slices of the matrix in screening order, and the labelled rows'
    ‖xᵢ‖², ``row_norms``, sliced from the norms of that matrix's rows)."""
    from scipy.special import expit, pdtr

    y = np.asarray(y, dtype=np.int64)
    found = int(y.sum())
    if found < 2 or y.size - found < 2:  # each class in at least two folds
        return None
    calibration = _out_of_fold_scores(labelled, y, model=model, seed=seed, n_records=n_records, row_norms=row_norms)
    slope, intercept = platt_fit(calibration, y.astype(float))
    fitted = _fitted(model, seed, n_records, labelled, y, row_norms)
    expected = float(expit(slope * fitted.scores(unscreened) + intercept).sum())
    most_left = int(most_left_for_target(found, target_recall))
    mean = max(expected, 1e-12)
    probability = float(pdtr(most_left, mean))
    upper = int(min(_poisson_upper(np.array([mean]), classifier_confidence(confidence))[0], unscreened.shape[0]))
    return ClassifierEstimate(screened=int(y.size), found=found, expected_remaining=expected,
                              most_left=most_left, probability=probability, upper_remaining=upper)


class LomaxGate(NamedTuple):
    """The Lomax rule's P(recall ≥ target) at a check against the gate's two levels, read once."""

    is_open: bool  # P has reached ``GATE_PROBABILITY``: the classifier is asked
    allows_stop: bool  # P has reached ``STOP_GATE_PROBABILITY``: its view may stop the rule (decision 0063)


def lomax_gate(ranked_labels: Sequence[int] | np.ndarray, n_total: int, found_before: int,
               target_recall: float) -> LomaxGate:
    """The gate at a check: whether the Lomax rule's P(recall ≥ target) has reached each level (its ``level``
    quantile of the count left is within what the target allows), the CDF at k* read once for both."""
    return LomaxGate(*lomax_reaches_levels(ranked_labels, n_total, target_recall=target_recall,
                                           found_before=found_before,
                                           levels=(GATE_PROBABILITY, STOP_GATE_PROBABILITY)))


def view_may_stop(view: Mapping[str, Any]) -> bool:
    """Whether a view (a check's, as a dict) was made where the Lomax rule's P had reached
    ``STOP_GATE_PROBABILITY`` (its ``trend_allows_stop``), so that it may stop the rule at the classifier's level
    (decision 0063). A view stored before that decision holds no answer, and stops nothing: the next check
    answers."""
    return bool(view.get("trend_allows_stop", False))


def first_stop(matrix: Any, order_rows: Sequence[int] | np.ndarray, labels: Sequence[int] | np.ndarray, *,
               n_priors: int, lomax_stop: int | None, model: str = "default", seed: int = 0,
               target_recall: float = 0.95, confidence: float = 0.95) -> int | None:
    """Records screened (priors included) when ``relevance_rate_classifier`` stops in a finished order.

    ``order_rows`` are the matrix rows in screening order, ``labels`` their labels, ``lomax_stop``
    where the rule's Lomax part first stops, at ``trend_level`` (priors included; None: never;
    ``stopping.stopping_points`` finds it). Each check uses only the labels up to it, as a live session would:
    the grid's checks before the Lomax part's stop are made in turn, and the first whose view may stop the rule
    (the classifier's level, the trend's P at ``STOP_GATE_PROBABILITY``) stops it there (decision 0072: no view
    holds the Lomax stop back or brings it forward).
    """
    from .svm_newton import squared_row_norms

    y = np.asarray(labels, dtype=np.int64)
    n = y.size
    lomax_at = lomax_stop if lomax_stop is not None and lomax_stop < n else None
    ordered: Any = None  # the matrix's rows in screening order, made at the first check that fits
    norms = np.empty(0)  # ... and their ‖xᵢ‖²
    found_before = int(y[:n_priors].sum())
    level = classifier_confidence(confidence)
    step = check_step(n)
    for at in range(step, n if lomax_at is None else lomax_at, step):  # the checks before the Lomax part's stop
        if at <= n_priors or at < int(GATE_SHARE * n):  # past the priors and the share gate
            continue
        if not consulted_at(int(y[:at].sum()), target_recall):
            continue  # k* below FEWEST_ALLOWED is left to the Lomax part: no fits for it
        gate = lomax_gate(y[n_priors:at], n - n_priors, found_before, target_recall)
        if not gate.allows_stop:  # (asked from GATE_PROBABILITY, a view stops only from STOP_GATE_PROBABILITY)
            continue
        if ordered is None:
            ordered = matrix[np.asarray(order_rows, dtype=np.int64)]
            norms = squared_row_norms(ordered)
        # A check's labelled and unscreened rows are the first ``at`` and the rest of the order: slices of the
        # ordered matrix hold the same rows in the same order as picking them out of ``matrix`` (the same fits).
        view = _estimate(_rows_between(ordered, 0, at), y[:at], _rows_between(ordered, at, n), model=model,
                         seed=seed, n_records=n, target_recall=target_recall, confidence=confidence,
                         row_norms=norms[:at])
        if view is not None and view.probability >= level:
            return at
    return lomax_at


def _rows_between(matrix: Any, start: int, stop: int) -> Any:
    """Rows ``start`` to ``stop`` of a CSR matrix as a matrix over the same entries (``matrix[start:stop]``
    without copying them; a fit reads them and never writes)."""
    import scipy.sparse as sp

    begin, end = matrix.indptr[start], matrix.indptr[stop]
    return sp.csr_matrix((matrix.data[begin:end], matrix.indices[begin:end], matrix.indptr[start:stop + 1] - begin),
                         shape=(stop - start, matrix.shape[1]), copy=False)


def stop_finder(matrix: Any, order_rows: Sequence[int] | np.ndarray, labels: Sequence[int] | np.ndarray, *,
                n_priors: int, model: str = "default", seed: int = 0, target_recall: float = 0.95,
                confidence: float = 0.95) -> Callable[[int | None], int | None]:
    """``first_stop`` on a finished order, called with where the rule's Lomax part first stops, at ``trend_level``
    (``trend_levels``; ``stopping_points`` finds it in the same walk as the Lomax rule's stop)."""

    def find(lomax_stop: int | None) -> int | None:
        return first_stop(matrix, order_rows, labels, n_priors=n_priors, lomax_stop=lomax_stop, model=model,
                          seed=seed, target_recall=target_recall, confidence=confidence)
    return find


def is_due(screened: int, n_total: int, last_screened: int | None) -> bool:
    """Whether a session that last consulted the classifier after ``last_screened`` records should
    again: a grid point (``check_step``) past the share gate has been passed since. The share gate's count is
    off the grid for most N (246 of 1,234, step 13): ``first_stop`` checks first at the grid point past it (247),
    and a session deciding record by record checks there too, not at both."""
    step = check_step(n_total)
    passed = screened // step * step  # the latest grid point reached
    if passed < int(GATE_SHARE * n_total) or passed <= 0:
        return False
    return last_screened is None or screened // step > last_screened // step
