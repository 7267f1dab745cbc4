"""When is it safe to stop screening? A statistical rule plus two heuristics.

* **Statistical** (Callaghan & Müller-Hansen 2020, Syst Rev 9:273): after the ranked phase,
  screen a *random* sample of the records not yet screened. With ``r_AL`` relevant found in
  the ranked phase and ``k`` relevant among ``n`` sampled from the ``N`` remaining, the null
  hypothesis "recall < target τ" means the urn held at least
  ``K_tar = ⌊(r_AL + k)/τ − r_AL⌋ + 1`` relevant records. Its p-value is the hypergeometric
  probability of seeing ``k`` or fewer relevant in the sample; we stop when p < 1 − confidence.
* **Consecutive irrelevant**: the last ``N`` screened records were all irrelevant.
* **Knee** (Cormack & Grossman 2016): the slope of the gain curve before its knee is at least
  ``156 − min(relevant, 150)`` times the slope after it, with at least 150 screened.

The heuristics have no error guarantee; here they only say *when to start the random
sample*. The statistical rule says when to stop: it is the **certified** option.

* **Relevance rate** (``stopping_rate``): the **recommended** option. It models how often
  relevant records turned up along the ranking, estimates how many are left unscreened, and
  stops once the target recall holds at the stated confidence; no random sample. Two rate
  rules exist (both reported by ``review simulate``): ``relevance_rate_lomax`` (Lomax rate,
  posterior predictive count: ``lomax-bayes``; since decision 0018 fitted after the ranked
  phase's first relevant record, ``lomax-burnin``), which the recommended choice follows since
  decision 0016, and ``relevance_rate`` (exponential rate, profile bound, then a Poisson
  quantile: ``exp-profile``, recommended before it); ``RECOMMENDED_RATE_RULE`` says which.
  Since decision 0025 the recommended choice is ``relevance_rate_classifier``: the Lomax rule, or
  earlier where the ranking's classifier, calibrated on the decisions so far, says that too few
  relevant records are left to miss the target (``stopping_classifier``), with 80 % probability at the
  rule's 95 % (decision 0029), at a check where the trend's own chance is at least 30 % (decision 0063). Since
  decision 0072 (rule C3) its Lomax part stops at one level whatever the number that may be left (99 % since
  decision 0078, 98 % before)
  (``stopping_classifier.trend_level``) and the classifier is asked only where at least six may be left
  (``consulted``); no view holds the trend's stop back or lowers its level (the veto and assent of decisions
  0040–0068 are gone).

``[screening] stopping_rule`` in review.toml picks ``"recommended"`` (default) or
``"certified"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..levels import percent
from ..words import about as about_count, about_phrase
from ..words import at_least_percent, percent_down, percent_places, recall_estimate, verb_for, whole

if TYPE_CHECKING:  # stopping_rate is imported where used, as before
    from .stopping_rate import RateEstimate

TARGET_RECALL = 0.95
CONFIDENCE = 0.95
KNEE_MIN_SCREENED = 150

VERDICTS: tuple[str, ...] = ("continue", "sample-needed", "stop")

#: What the reviewer chooses between (review.toml ``[screening] stopping_rule``).
STOPPING_CHOICES: tuple[str, ...] = ("recommended", "certified")
DEFAULT_CHOICE = "recommended"
#: The rules that estimate the relevant records left from the ranking, by their JSON names in
#: ``review simulate``'s ``stopping``: the exponential rate with a profile bound (decision
#: 0008, ``exp-profile`` in decisions 0014/0016) and the Lomax rate's posterior predictive
#: count (``lomax-bayes``, fitted after the first relevant record since decision 0018).
RATE_RULES: tuple[str, ...] = ("relevance_rate", "relevance_rate_lomax", "relevance_rate_classifier")
#: The rate rule the recommended choice follows: the Lomax rate since decision 0016, fitted after
#: the first relevant record since decision 0018 (before 0016, ``relevance_rate`` under decisions
#: 0008 and 0014; numbers in docs/benchmarks/screening-stopping-2026-12-05.md and
#: screening-stopping-frontier-2026-12-05.md); since decision 0025 the Lomax rule or the calibrated
#: classifier, whichever says stop first (docs/benchmarks/screening-stopping-round5-2026-12-05.md); since
#: decision 0028 the classifier's part at 90 % (docs/benchmarks/screening-stopping-round6-2026-12-05.md); since
#: decision 0029 at 80 %, and never on "none left" (docs/benchmarks/screening-stopping-round7-2026-12-06.md); since
#: decision 0040 with a veto on the Lomax stop (docs/benchmarks/screening-stopping-round11-2026-12-06.md; its 70 %
#: level withdrawn by the decision's addendum); since decision 0059 with its Lomax part lowered where k* is 1 or 2
#: (docs/benchmarks/screening-stopping-round12-2026-12-06.md), later with the classifier's assent (decisions
#: 0060–0068); since decision 0072 (rule C3) with its Lomax part at one level at every k*, no veto nor assent, and the
#: classifier asked only where k* ≥ 6 (docs/benchmarks/screening-stopping-round19-2026-12-07.md); that level 99 % since
#: decision 0078 (98 % before; docs/benchmarks/screening-stopping-round21-2026-12-07.md).
RECOMMENDED_RATE_RULE = "relevance_rate_classifier"
#: The rule each choice applies, under its JSON name in ``review simulate``'s ``stopping``.
RULE_OF_CHOICE = {"recommended": RECOMMENDED_RATE_RULE, "certified": "statistical"}
#: ``relevance_rate``'s rate model and parameter-interval level (None: the confidence).
#: Chosen on 15 labelled reviews × 5 seeds by the rule in
#: docs/decisions/0008-screening-choice-rules-15-sets.md; numbers in docs/benchmarks/.
RATE_MODEL = "exponential"
RATE_PARAM_LEVEL: float | None = None


def consecutive_limit(n_total: int) -> int:
    """Default run of irrelevant records that triggers the sample: 5 % of the set, at least 50."""
    return max(50, math.ceil(0.05 * n_total))


# -- the statistical test ----------------------------------------------------------------
def _log_choose(n: np.ndarray | np.float64, k: np.ndarray | np.float64) -> np.ndarray:
    # Imported here: scipy.special costs ~0.4 s to import, and the screening screen's first
    # record needs this module but not the test (it runs once a random sample starts).
    from scipy.special import gammaln

    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


#: Values of j summed together by ``hypergeom_cdf``: the sampling phase's k fits in one block.
_J_BLOCK = 32


def hypergeom_cdf(k: Any, urn: int, relevant: Any, drawn: Any) -> np.ndarray:
    """P(X ≤ k) for X ~ Hypergeometric(urn, relevant, drawn), vectorised.

    Sums the pmf from 0 to k in log space, all j of a block at once (one array per block, not
    one pass per j); k is small in the sampling phase (a handful of relevant records), which
    makes this ~100× faster than scipy's general CDF there. The terms are added in order of j,
    as the per-j loop it replaced did, so the sums are the same to the last bit.
    """
    k, relevant, drawn = np.broadcast_arrays(np.asarray(k, dtype=np.int64),
                                             np.asarray(relevant, dtype=np.int64),
                                             np.asarray(drawn, dtype=np.int64))
    shape = k.shape
    k, relevant, drawn = k.reshape(-1, 1), relevant.reshape(-1, 1), drawn.reshape(-1, 1)
    total = np.zeros(k.shape, dtype=float)
    if total.size == 0:
        return total.reshape(shape)
    log_all = _log_choose(np.float64(urn), drawn.astype(float))
    j_max = int(k.max(initial=0))
    for first in range(0, j_max + 1, _J_BLOCK):
        j = np.arange(first, min(j_max, first + _J_BLOCK - 1) + 1)[None, :]
        ok = (j <= k) & (j <= relevant) & (drawn - j >= 0) & (drawn - j <= urn - relevant)
        if not ok.any():
            continue
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # the terms outside ``ok``
            log_pmf = (_log_choose(relevant.astype(float), j.astype(float))
                       + _log_choose((urn - relevant).astype(float), (drawn - j).astype(float)) - log_all)
            terms = np.where(ok, np.exp(log_pmf), 0.0)
        # Sequential sums (accumulate, not pairwise): adding 0.0 where a term is impossible changes nothing.
        total = np.cumsum(np.concatenate([total, terms], axis=1), axis=1)[:, -1:]
    return np.minimum(total, 1.0).reshape(shape)


def k_target(relevant_ranked: int, relevant_sample: int, target_recall: float) -> int:
    """Fewest relevant records the urn must have held for recall to be below target."""
    found = relevant_ranked + relevant_sample
    return math.floor(found / target_recall - relevant_ranked + 1e-9) + 1


def hypergeometric_p(
    urn_size: int, sampled: int, relevant_sample: int, relevant_ranked: int,
    target_recall: float = TARGET_RECALL,
) -> float:
    """p-value of "recall < target" after a random sample of ``sampled`` from ``urn_size``."""
    if sampled <= 0:
        return 1.0
    k_tar = k_target(relevant_ranked, relevant_sample, target_recall)
    if k_tar > urn_size:
        return 0.0  # the urn is too small to hide that many relevant records
    return float(hypergeom_cdf(relevant_sample, urn_size, k_tar, sampled))


def sequential_p_values(
    sample_labels: Sequence[int] | np.ndarray, relevant_ranked: int, target_recall: float = TARGET_RECALL,
    urn_size: int | None = None,
) -> np.ndarray:
    """The p-value after each draw of a random sample (vectorised ``hypergeometric_p``)."""
    labels = np.asarray(sample_labels, dtype=np.int64)
    urn = labels.size if urn_size is None else urn_size
    if labels.size == 0:
        return np.ones(0)
    n = np.arange(1, labels.size + 1)
    k = np.cumsum(labels)
    k_tar = np.floor((relevant_ranked + k) / target_recall - relevant_ranked + 1e-9).astype(np.int64) + 1
    p = np.zeros(labels.size)
    possible = k_tar <= urn
    p[possible] = hypergeom_cdf(k[possible], urn, k_tar[possible], n[possible])
    return p


def first_stop(
    sample_labels: Sequence[int] | np.ndarray, relevant_ranked: int, target_recall: float = TARGET_RECALL,
    confidence: float = CONFIDENCE, urn_size: int | None = None,
) -> int | None:
    """Draws after which the rule first stops (1-based), or None; tests growing chunks only."""
    labels = np.asarray(sample_labels, dtype=np.int64)
    urn = labels.size if urn_size is None else urn_size
    alpha = 1 - confidence
    start, chunk = 0, 64
    cumulative = np.cumsum(labels)
    while start < labels.size:
        end = min(labels.size, start + chunk)
        n = np.arange(start + 1, end + 1)
        k = cumulative[start:end]
        k_tar = np.floor((relevant_ranked + k) / target_recall - relevant_ranked + 1e-9).astype(np.int64) + 1
        p = np.zeros(n.size)
        possible = k_tar <= urn
        p[possible] = hypergeom_cdf(k[possible], urn, k_tar[possible], n[possible])
        below = np.flatnonzero(p < alpha)
        if below.size:
            return start + int(below[0]) + 1
        start, chunk = end, chunk * 2
    return None


def sample_size_needed(
    urn_size: int, relevant_ranked: int, target_recall: float = TARGET_RECALL,
    confidence: float = CONFIDENCE, *, sampled: int = 0, relevant_sample: int = 0,
) -> int:
    """Further random draws needed to stop if none of them is relevant (0 = can stop now)."""
    alpha = 1 - confidence
    low, high = sampled, urn_size
    if hypergeometric_p(urn_size, sampled, relevant_sample, relevant_ranked, target_recall) < alpha:
        return 0
    while low < high:  # p falls as more irrelevant draws accumulate: binary search
        middle = (low + high) // 2
        p = hypergeometric_p(urn_size, middle, relevant_sample, relevant_ranked, target_recall)
        if p < alpha:
            high = middle
        else:
            low = middle + 1
    return low - sampled


# -- heuristics --------------------------------------------------------------------------
def trailing_irrelevant(labels: Sequence[int]) -> int:
    """Length of the run of irrelevant records at the end of ``labels``."""
    run = 0
    for value in reversed(labels):
        if value:
            break
        run += 1
    return run


def knee_ratio(labels: Sequence[int] | np.ndarray) -> float | None:
    """Cormack & Grossman slope ratio at the knee of the gain curve (None if undefined)."""
    gains = np.cumsum(np.asarray(labels, dtype=np.int64))
    if gains.size < 2:
        return None
    ratio = float(_knee_ratios(gains, np.array([gains.size]))[0])
    return None if np.isnan(ratio) else ratio


def _knee_ratios(gains: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The knee's slope ratio on each prefix ``gains[:s]`` for s in ``lengths`` (NaN where undefined:
    nothing found, or the knee at the prefix's end), as one array over the prefixes.

    The knee is the point farthest above the straight line from the origin to (s, gains[s − 1]),
    the first one if several are; distances are integers, so every prefix finds the same knee as
    on its own."""
    end = int(lengths.max())
    positions = np.arange(1, end + 1)
    found = gains[lengths - 1]
    distance = gains[None, :end] * lengths[:, None] - positions[None, :] * found[:, None]
    distance[positions[None, :] > lengths[:, None]] = np.iinfo(np.int64).min  # beyond the prefix
    knee = distance.argmax(axis=1)
    i, found_at_knee = knee + 1, gains[knee]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (found_at_knee / i) / ((found - found_at_knee + 1) / (lengths - i))
    return np.where((found > 0) & (i < lengths), ratio, np.nan)


def knee_fires(labels: Sequence[int] | np.ndarray) -> bool:
    if len(labels) < KNEE_MIN_SCREENED:
        return False
    gains = np.cumsum(np.asarray(labels, dtype=np.int64))
    return bool(_knee_fires(gains, np.array([gains.size]))[0])


def _knee_fires(gains: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Whether the knee rule fires on each prefix ``gains[:s]``, s in ``lengths`` (each at least
    ``KNEE_MIN_SCREENED``): Cormack & Grossman's slope ratio at least 156 − min(relevant found, 150).
    An undefined ratio (NaN) never fires."""
    with np.errstate(invalid="ignore"):
        return _knee_ratios(gains, lengths) >= 156 - np.minimum(gains[lengths - 1], 150)



#: Prefix lengths × positions evaluated together by ``first_knee``: small enough to stay in cache
#: (on kwok2020_virus 9 ms a call against 13 ms with blocks of 400,000, and a third less on a first call).
_KNEE_BLOCK = 32_768


def first_knee(labels: Sequence[int] | np.ndarray, start: int = KNEE_MIN_SCREENED) -> int | None:
    """The shortest prefix ``labels[:s]``, s ≥ ``start``, on which ``knee_fires``; None if none.

    Many prefix lengths at once, through the same ``_knee_ratios`` as ``knee_ratio``: the same
    answer as calling ``knee_fires`` on each prefix, without a pass per prefix.
    """
    labels = np.asarray(labels, dtype=np.int64)
    n = labels.size
    gains = np.cumsum(labels)
    begin = max(start, KNEE_MIN_SCREENED, 2)
    while begin <= n:
        end = min(n, begin + max(1, _KNEE_BLOCK // n))
        lengths = np.arange(begin, end + 1)  # s
        fires = _knee_fires(gains, lengths)
        if fires.any():
            return int(lengths[np.argmax(fires)])
        begin = end + 1
    return None

# -- status for the UI -------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class StoppingStatus:
    """Where screening stands against the stopping rules, in numbers and in words."""

    verdict: str  # continue | sample-needed | stop
    estimated_recall: float | None
    explanation: str
    screened: int
    relevant_found: int
    remaining: int
    target_recall: float = TARGET_RECALL
    confidence: float = CONFIDENCE
    p_value: float | None = None
    sample_screened: int = 0
    sample_relevant: int = 0
    sample_needed: int | None = None
    heuristics: dict[str, Any] = field(default_factory=dict)
    rule: str = DEFAULT_CHOICE  # which choice the verdict follows: recommended | certified
    expected_remaining: float | None = None  # relevance-rate estimate of relevant records left
    upper_remaining: int | None = None  # ... and its bound at ``confidence``
    #: What the recommended rule's estimate rests on: "trend" (the Lomax rate along the ranking) or
    #: "classifier" (the calibrated classifier's scores of the unscreened records, decision 0025).
    estimate_from: str | None = None
    #: While ``relevance_rate_classifier`` continues: the probability P(left ≤ k*) at which its classifier
    #: part would stop (``classifier_confidence``: four times the miss allowance, at least 0.5, or
    #: ``confidence`` when that is lower); None for the other rules, and while the target allows fewer than six
    #: relevant records to be left (the classifier is not consulted, ``stopping_classifier.consulted``).
    classifier_level: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def assess(
    ranked_labels: Sequence[int],
    sample_labels: Sequence[int],
    n_total: int,
    *,
    target_recall: float = TARGET_RECALL,
    confidence: float = CONFIDENCE,
    consecutive: int | None = None,
    sample_started: bool = False,
    rule: str = DEFAULT_CHOICE,
    classifier: Mapping[str, Any] | None = None,
    decision_ids: Sequence[int] = (),
    record_set: str | None = None,
) -> StoppingStatus:
    """Verdict from the labels of the ranked phase and of the random sample (both in order).

    ``classifier`` is the newest ``stopping_classifier.ClassifierEstimate`` (as a dict, with
    ``decisions_made_from``'s keys) the session computed; the recommended rule uses it while it holds
    for ``decision_ids``, the store ids of the decisions these labels come from, and the ``n_total`` records whose
    ``records_digest`` is ``record_set`` (``view_holds``).

    ``rule="recommended"`` follows the relevance-rate rule during the ranked phase;
    ``"certified"`` the heuristics and the random sample. Once a random sample has started,
    both follow the sample (the reviewer chose to draw it).
    """
    if rule not in STOPPING_CHOICES:
        raise ValueError(f"stopping rule {rule!r}: expected one of {', '.join(STOPPING_CHOICES)}")
    ranked = list(ranked_labels)
    sample = list(sample_labels)
    screened = len(ranked) + len(sample)
    found_ranked, found_sample = sum(ranked), sum(sample)
    found = found_ranked + found_sample
    remaining = n_total - screened
    limit = consecutive or consecutive_limit(n_total)
    run = trailing_irrelevant(ranked)
    knee = knee_fires(ranked)
    ratio = knee_ratio(ranked)
    heuristics = {"trailing_irrelevant": run, "consecutive_limit": limit,
                  "consecutive_fired": run >= limit, "knee_ratio": ratio, "knee_fired": knee}
    common: dict[str, Any] = dict(screened=screened, relevant_found=found, remaining=remaining,
                  target_recall=target_recall, confidence=confidence, heuristics=heuristics, rule=rule)
    pct, conf = percent(target_recall), percent(confidence)
    if remaining <= 0:
        return StoppingStatus("stop", 1.0 if found else None,
                              "Every record has been screened.", **common)
    if sample_started or sample:
        urn = n_total - len(ranked)
        p = hypergeometric_p(urn, len(sample), found_sample, found_ranked, target_recall)
        needed = sample_size_needed(urn, found_ranked, target_recall, confidence,
                                    sampled=len(sample), relevant_sample=found_sample)
        estimate = sample_recall_lower(found_ranked, found_sample, len(sample), urn, confidence)
        if p < 1 - confidence:
            text = (f"Stop: {whole(len(sample))} randomly drawn records held {whole(found_sample)} relevant; "
                    f"recall of at least {pct} is reached with {conf} confidence (p = {p:.3f}).")
            verdict = "stop"
        else:
            text = (f"Keep sampling: {whole(len(sample))} of the {whole(urn)} records left after the ranked phase "
                    f"were drawn at random ({whole(found_sample)} relevant); p = {p:.3f} is not yet below "
                    f"{1 - confidence:.2f}. About {whole(needed)} more irrelevant draws would let you stop.")
            if estimate is not None:  # (the estimate shown beside the verdict is this bound: said what it is)
                text += (f" So far the draws vouch for recall of at least "
                         f"{at_least_percent(estimate, target=target_recall)} with {conf} confidence.")
            verdict = "continue"
        return StoppingStatus(verdict, estimate, text, p_value=p, sample_screened=len(sample),
                              sample_relevant=found_sample, sample_needed=needed, **common)
    if rule == "recommended":
        return _assess_rate(ranked, n_total, common, pct, conf, RULE_OF_CHOICE["recommended"], classifier,
                            decision_ids, record_set)
    estimate = _window_estimate(ranked, remaining)
    if found and (run >= limit or knee):
        why = (f"the last {whole(run)} records were all irrelevant" if run >= limit
               else f"the gain curve has flattened (knee slope ratio {ratio:.0f})")
        needed = sample_size_needed(remaining, found, target_recall, confidence)
        text = (f"The ranked phase looks finished: {why}. To know whether {pct} recall is reached, "
                f"screen a random sample of the {whole(remaining)} remaining records: about {whole(needed)} if "
                f"none of them is relevant.")
        return StoppingStatus("sample-needed", estimate, text, sample_needed=needed, **common)
    so_far = (f"Recall so far is roughly {recall_estimate(estimate, target_recall)} (from how often recent records were "
              f"relevant)" if estimate is not None else
              f"Too early to estimate recall (after {MIN_SCREENED_FOR_ESTIMATE} screened)")
    text = (f"Continue: {whole(found)} relevant found in {whole(screened)} screened. {so_far}; a random sample is "
            f"suggested after {whole(limit)} irrelevant in a row (now {whole(run)}) or when the gain curve flattens.")
    return StoppingStatus("continue", estimate, text, **common)


def _assess_rate(
    ranked: list[int], n_total: int, common: dict[str, Any], pct: str, conf: str, rate_rule: str,
    classifier: Mapping[str, Any] | None = None, decision_ids: Sequence[int] = (), record_set: str | None = None,
) -> StoppingStatus:
    """The recommended rule's verdict in the ranked phase, in numbers and plain words.

    ``rate_rule`` is one of ``RATE_RULES``: which estimate of the relevant records left it uses.
    """
    if rate_rule == "relevance_rate_classifier":
        return _assess_with_classifier(ranked, n_total, common, pct, classifier, decision_ids, record_set)
    if rate_rule == "relevance_rate_lomax":
        return _assess_lomax(ranked, n_total, common, pct, conf)
    if rate_rule != "relevance_rate":
        raise ValueError(f"rate rule {rate_rule!r}: expected one of {', '.join(RATE_RULES)}")
    from .stopping_rate import estimate as rate_estimate

    rate = rate_estimate(ranked, n_total, model=RATE_MODEL, confidence=common["confidence"],
                         param_level=RATE_PARAM_LEVEL or common["confidence"])
    stops = rate is not None and rate.recall_lower is not None and rate.recall_lower >= common["target_recall"]
    return _rate_verdict(rate, stops, common, pct, f"{conf} confidence",
                         trend="how often relevant records turned up along the ranking")


def _assess_lomax(ranked: list[int], n_total: int, common: dict[str, Any], pct: str, conf: str) -> StoppingStatus:
    """``relevance_rate_lomax``'s verdict: one probability that covers chance and the trend's uncertainty."""
    from .stopping_rate import lomax_estimate, lomax_stops

    rate = lomax_estimate(ranked, n_total, confidence=common["confidence"])
    stops = rate is not None and lomax_stops(rate, common["target_recall"])
    return _rate_verdict(rate, stops, common, pct, f"{conf} probability",
                         trend="how relevant records have thinned out along the ranking", none_left_words=True,
                         needs="two: it measures the thinning from the first one on")


def _assess_with_classifier(ranked: list[int], n_total: int, common: dict[str, Any], pct: str,
                            classifier: Mapping[str, Any] | None, decision_ids: Sequence[int],
                            record_set: str | None = None) -> StoppingStatus:
    """``relevance_rate_classifier`` (decision 0072): the Lomax verdict at ``trend_level`` (99 % at a confidence of
    95 %, decision 0078), or stop where the classifier's view in force says with ``classifier_confidence`` (80 %) that
    at most the allowed number of relevant records is left, where that number is at least ``FEWEST_ALLOWED``
    (``consulted``) and the trend's own chance had reached ``STOP_GATE_PROBABILITY`` at its check; that verdict states
    its bound and confidence at that level. No view holds the trend's stop back or lowers its level."""
    from .stopping_classifier import (FEWEST_ALLOWED, STOP_GATE_PROBABILITY, classifier_confidence, consulted_at,
                                      fewest_found_consulted, trend_level, view_holds, view_may_stop)
    from .stopping_rate import _poisson_upper

    level_of_trend = trend_level(common["confidence"])
    lomax = _assess_lomax(ranked, n_total, {**common, "confidence": level_of_trend}, pct, percent(level_of_trend))
    if lomax.verdict == "stop":
        return lomax
    holds = view_holds(classifier, decision_ids, target_recall=common["target_recall"], records=n_total,
                       record_set=record_set)
    level = classifier_confidence(common["confidence"])
    # k* from one place for the level the line names and for the verdict: the check's while its view holds
    # (the verdict rests on it until the next check, which comes a grid step on and only past the gate:
    # while the gate is closed a view stands however many decisions follow it), else the count now, which
    # the next check will ask about.
    # (A view holds only where its k* is the target's for its count found: ``view_holds``.)
    found_at_check = int(classifier["found"]) if holds and classifier is not None else common["relevant_found"]
    asked = consulted_at(found_at_check, common["target_recall"])
    lomax = replace(lomax, classifier_level=level if asked else None)
    if not holds:
        return lomax
    assert classifier is not None
    if asked and "probability" not in classifier:  # a check at a closed gate or without a fit asked nothing
        # (``stopping_classifier.closed_gate_check``): the trend alone answers until a check asks.
        return lomax
    if not asked:  # too few may be left for the classifier's count (decision 0072): the trend alone answers
        # The check made no fits there (``stopping_classifier.unasked_check``; a view stored by an older version
        # about fewer than six left is read the same way): nothing of the classifier to tell.
        from_on = fewest_found_consulted(common["target_recall"])
        found_now = common["relevant_found"]
        allowed_then = int(classifier["most_left"])
        # Found past the threshold since the check: the view stands until the next check, which is the
        # one that asks.
        asks = ("" if from_on is None else
                f"; the classifier is asked from {whole(from_on)} relevant found on" if found_now < from_on else
                f"; the classifier is asked at the next check past the gate, now that {whole(found_now)} are found")
        # (said with its noun: "allowed at most 2 to be left: where fewer than 6 may be left" read as a riddle, rrev26a)
        allowed_words = ("no relevant record to be left" if allowed_then == 0 else
                         f"at most {whole(allowed_then)} relevant {'record' if allowed_then == 1 else 'records'} to be "
                         f"left")
        return replace(lomax, explanation=f"{lomax.explanation} At the classifier's last check "
                       f"({whole(int(classifier['found']))} relevant found in {whole(int(classifier['screened']))} "
                       f"screened) the target allowed {allowed_words}; where fewer than {whole(FEWEST_ALLOWED)} "
                       f"relevant records may be left, the rule judges from the trend alone, not from the "
                       f"classifier{asks}.")
    allowed = int(classifier["most_left"])
    expected = float(classifier["expected_remaining"])
    chance = float(classifier["probability"])
    left = f"at most {whole(allowed)} {verb_for(allowed)} left"
    view = (f"The classifier trained on your decisions (after {whole(int(classifier['screened']))} screened, calibrated on "
            f"them by cross-validation) expects {about_phrase(expected)} relevant records among the unscreened; the chance "
            f"that {left} is {_chance_words(chance, short_of=[level])}")
    if chance >= level and view_may_stop(classifier):
        found = common["relevant_found"]
        at_least = at_least_percent(found / (found + allowed), target=common["target_recall"])
        text = (f"Stop (recommended rule): {view}, so recall is at least {at_least} "
                f"with {percent(level)} probability, meeting the {pct} target. This rests on the classifier's scores, "
                f"not on a random sample; the certified rule checks with one.")
        # The bound at the level this stop rests on; the classifier's view is of the records unscreened
        # when it was made: fewer are left now.
        upper = min(int(_poisson_upper(np.array([max(expected, 1e-12)]), level)[0]), common["remaining"])
        return replace(lomax, verdict="stop", explanation=text, estimated_recall=found / (found + expected),
                       expected_remaining=round(expected, 2), upper_remaining=upper, confidence=level,
                       estimate_from="classifier", classifier_level=None)
    # Decision 0063: a view stops the rule only where the trend's own chance had reached the stop gate at its check.
    gate = f"{STOP_GATE_PROBABILITY:.0%}"
    also = (f"the rule also stops once that chance is at least {percent(level)} at a check where the trend's own "
            f"chance is at least {gate}" if chance < level else
            f"that is at least {percent(level)}, but the trend's own chance was below {gate} at that check, so the "
            f"classifier does not stop the rule there; a later check may")
    return replace(lomax, explanation=f"{lomax.explanation} {view}; {also}.")


def _chance_words(chance: float, *, short_of: Sequence[float] = ()) -> str:
    """A view's P(left ≤ k*) as a percentage, never rounded up to a level of ``short_of`` it falls below (the
    classifier's own: 0.798 read "80%" beside "the rule also stops once that chance is at least 80%", as a vetoing
    view's 0.1996 read "only 20%, below 20%", rrev24a); there one decimal, rounded down. Nor up to 100% (0.999 beside
    a level of 99.6% at a confidence of 0.999): 99.9%. Rounded down, it has as many decimals as the level said beside
    it where that has more (the classifier's 99.96% at a confidence of 0.9999: a chance of 0.9997 meeting it read
    "99.9%", audit27)."""
    said = f"{chance:.0%}" if chance >= 0.01 or chance == 0 else f"{chance * 100:.2g}%"
    if any(chance < level <= float(said[:-1]) / 100 for level in short_of) or (said == "100%" and chance < 1):
        said = percent_down(chance, max([1, *map(percent_places, short_of)]))
    return said


def _rate_verdict(rate: RateEstimate | None, stops: bool, common: dict[str, Any], pct: str, level: str, *, trend: str,
                  none_left_words: bool = False, needs: str = "one") -> StoppingStatus:
    """The words and numbers of a rate rule's verdict; ``level`` is e.g. "95% probability";
    ``needs``: how many relevant records the ranking must have turned up before an estimate."""
    found, screened, remaining = common["relevant_found"], common["screened"], common["remaining"]
    if rate is None:
        text = (f"Continue: {whole(found)} relevant found in {whole(screened)} screened; the recommended rule "
                f"estimates the relevant records left once the ranking has turned up at least {needs}.")
        return StoppingStatus("continue", None, text, **common)
    expected, upper = rate.expected_remaining, rate.upper_remaining
    basis = _rate_basis(expected, upper, remaining, level, trend=trend, none_left_words=none_left_words)
    numbers: dict[str, Any] = dict(expected_remaining=round(expected, 2), upper_remaining=upper, estimate_from="trend")
    # (rounded down: "at least 95%" beside "stops when at least 95% holds" for a bound of 0.9497)
    lower = "unknown" if rate.recall_lower is None else at_least_percent(rate.recall_lower,
                                                                         target=common["target_recall"])
    if stops:
        # With a bound of none left, "recall is at least 100%" read as a contradiction of the
        # point estimate (found / (found + a fraction of a record expected)) shown beside it.
        claim = ("so with that probability every relevant record has been found" if upper == 0 else
                 f"so recall is at least {lower}")
        text = (f"Stop (recommended rule): {basis}, {claim}, meeting the "
                f"{pct} target. This rests on the ranking's trend, not on a random sample; the "
                f"certified rule checks with one.")
        return StoppingStatus("stop", rate.estimated_recall, text, **numbers, **common)
    recall_said = recall_estimate(rate.estimated_recall, common["target_recall"])
    text = (f"Continue: {whole(found)} relevant found in {whole(screened)} screened. {basis}: recall is about "
            f"{recall_said}, at least {lower}. The recommended rule stops when at least {pct} holds with {level}.")
    return StoppingStatus("continue", rate.estimated_recall, text, **numbers, **common)


def _rate_basis(expected: float, upper: int, remaining: int, level: str, *, trend: str,
                none_left_words: bool = False) -> str:
    """What a rate rule's estimate says, in words: "Judging by <trend>, about … left among … (at most …)"."""
    about = about_count(expected)
    left = ("next to no relevant records are" if none_left_words and about == "0.0" else
            f"about {about} relevant {'record is' if about == '1.0' else 'records are'}")
    return f"Judging by {trend}, {left} left among the {whole(remaining)} unscreened (at most {whole(upper)} with {level})"


#: Fewest ranked-phase records before the rough recall estimate is shown. With fewer, the
#: richness of "recent" records is a handful of labels and the estimate swings from 0 % to
#: 100 % with each one, which reads as information it is not.
MIN_SCREENED_FOR_ESTIMATE = 50


def _window_estimate(ranked: list[int], remaining: int, window: int = 100) -> float | None:
    """Rough recall: assume the unseen records are as rich as the last ``window`` screened."""
    found = sum(ranked)
    if found == 0 or len(ranked) < MIN_SCREENED_FOR_ESTIMATE:
        return None
    recent = ranked[-window:]
    rate = (sum(recent) + 0.5) / (len(recent) + 1)
    return found / (found + rate * remaining)


def sample_recall_lower(found_ranked: int, found_sample: int, sampled: int, urn: int,
                        confidence: float = CONFIDENCE) -> float | None:
    """The recall the random sample vouches for: its lower bound at ``confidence``, found / (found_ranked + K), where K
    is the most relevant records the urn (the ``urn`` records left after the ranked phase, ``sampled`` of them drawn,
    ``found_sample`` relevant) may hold that the hypergeometric test does not reject (P(X ≤ found_sample) ≥ 1 −
    confidence). The certified rule stops exactly when this reaches the target (``hypergeometric_p``). The sample's
    point estimate read 100 % from its first irrelevant draw, beside "keep sampling" (walk31): a bound says what the
    draws so far show."""
    found = found_ranked + found_sample
    if found == 0 or sampled <= 0:
        return None
    low, high = found_sample, urn - (sampled - found_sample)  # K the draws allow at all
    alpha = 1.0 - confidence
    while low < high:  # the largest K not rejected (the CDF falls as K grows)
        middle = (low + high + 1) // 2
        if float(hypergeom_cdf(found_sample, urn, middle, sampled)) >= alpha:
            low = middle
        else:
            high = middle - 1
    return found / (found_ranked + low)


# -- where each rule would have stopped in a finished simulation -------------------------
def stopping_points(
    order_labels: Sequence[int],
    *,
    n_priors: int = 0,
    seed: int = 0,
    target_recall: float = TARGET_RECALL,
    confidence: float = CONFIDENCE,
    consecutive: int | None = None,
    classifier: Callable[[int | None], int | None] | None = None,
) -> dict[str, Any]:
    """For each rule, the number screened (priors included) when it fires and the recall then.

    ``classifier`` gives ``relevance_rate_classifier``'s stop from where that rule's Lomax part stops, at its
    level (``stopping_classifier.trend_levels``; both priors included; ``review simulate`` passes
    ``stopping_classifier.stop_finder``): it needs the records' features, which the labels alone do not carry.
    Without it that rule's entry is left out.

    The statistical rule starts its random sample where the first heuristic fires and draws
    the sample (seeded) from the records the ranking had not reached.
    """
    labels = np.asarray(order_labels, dtype=np.int64)
    n, total = labels.size, int(labels.sum())
    limit = consecutive or consecutive_limit(n)

    def point(index: int | None, **extra: Any) -> dict[str, Any]:
        if index is None:
            return {"n_screened": None, "recall": None, **extra}
        return {"n_screened": int(index), "recall": float(labels[:index].sum()) / total if total else None, **extra}

    run, consecutive_at = 0, None
    for i in range(n_priors, n):
        run = 0 if labels[i] else run + 1
        if run >= limit and labels[:i].any():
            consecutive_at = i + 1
            break
    knee_at = first_knee(labels, n_priors + 1)  # first_knee starts at KNEE_MIN_SCREENED anyway
    triggers = [t for t in (consecutive_at, knee_at) if t is not None]
    statistical = point(None, sample_start=None, sample_size=None)
    if triggers:
        begin = min(triggers)
        statistical = _simulate_sample(labels, begin, seed, target_recall, confidence)
    from .stopping_rate import first_stop as rate_first_stop
    from .stopping_rate import lomax_first_stops

    found_before = int(labels[:n_priors].sum())
    ranked_at = rate_first_stop(labels[n_priors:], found_before=found_before,
                                target_recall=target_recall, confidence=confidence, model=RATE_MODEL,
                                param_level=RATE_PARAM_LEVEL or confidence)
    # The Lomax rule at the confidence, and for the classifier's rule its Lomax part at its own level
    # (decision 0072), from one walk over the order.
    levels: list[Callable[[np.ndarray], np.ndarray] | None] = [None]
    if classifier is not None:
        from .stopping_classifier import trend_levels

        levels.append(trend_levels(confidence))
    lomax_stop, *part_stop = [None if at is None else n_priors + at for at in lomax_first_stops(
        labels[n_priors:], found_before=found_before, target_recall=target_recall, confidence=confidence,
        levels=levels)]
    with_classifier = {} if classifier is None else {
        "relevance_rate_classifier": point(classifier(part_stop[0]), model="lomax+classifier")}
    return {
        "target_recall": target_recall,
        "confidence": confidence,
        "recommended": RULE_OF_CHOICE["recommended"],
        "certified": RULE_OF_CHOICE["certified"],
        "relevance_rate": point(None if ranked_at is None else n_priors + ranked_at, model=RATE_MODEL),
        "relevance_rate_lomax": point(lomax_stop, model="lomax"),
        **with_classifier,
        "consecutive_irrelevant": point(consecutive_at, limit=limit),
        "knee": point(knee_at),
        "statistical": statistical,
    }


def _simulate_sample(
    labels: np.ndarray, begin: int, seed: int, target_recall: float, confidence: float
) -> dict[str, Any]:
    total = int(labels.sum())
    found_ranked = int(labels[:begin].sum())
    urn = labels[begin:]
    draws = np.random.default_rng([seed, 20200273]).permutation(urn.size)
    n_sampled = first_stop(urn[draws], found_ranked, target_recall, confidence) or urn.size
    found_sample = int(urn[draws[:n_sampled]].sum())
    recall = (found_ranked + found_sample) / total if total else None
    return {"n_screened": begin + n_sampled, "recall": recall, "sample_start": begin,
            "sample_size": n_sampled}
