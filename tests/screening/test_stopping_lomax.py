"""The Lomax-rate stopping rule (``relevance_rate_lomax``, decision 0014's ``lomax-bayes``) on
constructed rankings whose remaining relevant records are known."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from review.screening import stopping, stopping_rate
from review.screening.stopping_rate import (
    _LogShapeColumns,
    _lomax_cdf,
    _lomax_log_shape,
    _lomax_cdf_cap,
    _lomax_posterior,
    _lomax_rates,
    _lomax_sum,
    _weighed_rows,
    lomax_estimate,
    lomax_first_stop,
    lomax_reaches_levels,
    lomax_stops,
)

N = 600


def lomax_rate(n: int = N, a: float = 0.8, b: float = 20.0, p: float = 4.0) -> np.ndarray:
    """P(relevant at ranked position x) = a·(1 + b·x/(p·n))^(−p): a rate of the rule's own family
    (p = 4 is neither the exponential nor the hyperbolic end); about 31 relevant in 600."""
    x = np.arange(1, n + 1)
    return a * (1 + b * x / (p * n)) ** -p


def draw(rate: np.ndarray, seed: int) -> np.ndarray:
    return (np.random.default_rng(seed).random(rate.size) < rate).astype(int)


def test_keeps_its_promise_and_saves_work_on_a_lomax_ranking() -> None:
    rate = lomax_rate()
    recalls, stops = [], []
    for seed in range(12):
        labels = draw(rate, seed)
        at = lomax_first_stop(labels, target_recall=0.95, confidence=0.95)
        stop = N if at is None else at
        recalls.append(labels[:stop].sum() / labels.sum())
        stops.append(stop)
    # The promise: 95 % recall with 95 % confidence, so at most one miss in 12 draws...
    assert sum(r >= 0.95 for r in recalls) >= 11
    # ...and it stops well before the end: a random order needs about 95 % of the records.
    assert max(stops) <= 0.85 * N and np.mean(stops) <= 0.75 * N


def test_its_bound_covers_the_relevant_records_left() -> None:
    rate = lomax_rate()
    screened = 150
    truth = rate[screened:].sum()  # mean relevant left: 2.6
    covered, expected = [], []
    for seed in range(40):
        labels = draw(rate, seed)
        status = lomax_estimate(labels[:screened], N, confidence=0.95)
        assert status is not None and status.model == "lomax"
        assert status.upper_remaining >= status.expected_remaining
        covered.append(labels[screened:].sum() <= status.upper_remaining)
        expected.append(status.expected_remaining)
    assert np.mean(covered) >= 0.95
    # On the safe side (the tail could be heavier than it is) but not blind to the data.
    assert truth <= np.mean(expected) <= 3 * truth


def test_everything_found_early_stops_after_a_bounded_stretch() -> None:
    labels = np.array([1] * 40 + [0] * 960)
    at = lomax_first_stop(labels)
    # 40 found, at most 2 may be missed: it stops within 100 irrelevant records of the last one.
    assert at is not None and 40 < at <= 140
    status = lomax_estimate(labels[:at], labels.size)
    assert status is not None and lomax_stops(status, 0.95) and status.expected_remaining < 1


def test_a_steady_trickle_never_looks_finished() -> None:
    # A constant rate: the records left are as rich as those screened.
    for seed in range(2):
        labels = (np.random.default_rng(seed).random(N) < 0.05).astype(int)
        at = lomax_first_stop(labels)
        assert at is None or labels[:at].sum() / labels.sum() >= 0.95


def test_the_live_estimate_and_the_simulation_stop_agree() -> None:
    # The session asks lomax_estimate (closed-form sums) after each decision; review simulate uses
    # lomax_first_stop (running sums, carried over chunks of 512 positions): the same rule.
    c, p = _lomax_rates(700)
    n = np.array([1, 37, 512, 700])
    direct = np.array([[((1 + ci * np.arange(1, m + 1)) ** -pi).sum() for m in n] for ci, pi in zip(c[:, 0], p[:, 0])])
    assert np.allclose(_lomax_sum(c, p, n), direct, rtol=1e-9)
    labels = draw(lomax_rate(700, a=0.6, b=12.0, p=2.0), 0)
    at = lomax_first_stop(labels)
    assert at is not None and at > 512  # past the first chunk
    before, after = lomax_estimate(labels[:at - 1], labels.size), lomax_estimate(labels[:at], labels.size)
    assert before is not None and after is not None
    assert not lomax_stops(before, 0.95) and lomax_stops(after, 0.95)


def test_the_cheap_cap_never_undercuts_the_probability() -> None:
    # lomax_first_stop computes the exact probability only where this cap allows a stop.
    labels = draw(lomax_rate(), 3)
    c, p = _lomax_rates(N)
    at = np.array([20, 80, 200, 400, 590])
    masses = _lomax_sum(c, p, np.append(at, N))
    log_shape = -p * np.log1p(c * np.arange(1, N + 1)[None, :])
    log_sum = np.cumsum(log_shape * labels[None, :], axis=1)[:, at - 1]
    post = _lomax_posterior(masses[:, :-1], masses[:, -1:], log_sum, np.cumsum(labels)[at - 1])
    for k in range(6):
        exact, cap = _lomax_cdf(post, np.full(at.size, k)), _lomax_cdf_cap(post, np.full(at.size, k))
        assert np.all(cap >= exact - 1e-12) and np.all((exact >= 0) & (exact <= 1))


def test_nothing_to_estimate_before_a_relevant_record() -> None:
    assert lomax_estimate([0] * 50, 1000) is None
    assert lomax_first_stop([0] * 100) is None


def test_dashboard_words_name_the_rule_its_estimate_and_its_uncertainty() -> None:
    # The recommended choice follows this rule since decision 0016.
    status = stopping.assess([1] * 20 + [0] * 40, [], 2000)
    assert status.rule == "recommended" and status.verdict == "continue"
    assert status.expected_remaining is not None and status.upper_remaining is not None
    assert status.upper_remaining >= status.expected_remaining
    assert "recommended rule" in status.explanation
    # The recommended rule's Lomax part answers at 99 % whatever k* (decision 0078; 98 % under decision 0072, 85 % at
    # k* = 1 under 0059–0068)
    assert f"at most {status.upper_remaining} with 99% probability" in status.explanation
    done = stopping.assess([1] * 40 + [0] * 900, [], 2000)
    assert done.verdict == "stop" and done.estimated_recall > 0.95 and "Stop (recommended rule)" in done.explanation


def test_simulation_reports_it_beside_the_other_rules() -> None:
    order = [1, 0] + [1] * 38 + [0] * 960
    points = stopping.stopping_points(order, n_priors=2, seed=1)
    lomax = points["relevance_rate_lomax"]
    assert lomax["model"] == "lomax" and lomax["recall"] == 1.0
    assert 40 < lomax["n_screened"] < points["statistical"]["n_screened"]
    assert points["recommended"] == "relevance_rate_classifier"  # decision 0025: the Lomax rule or the classifier


def drought_then_lomax(seed: int, drought: int = 200) -> np.ndarray:
    """A drought of irrelevant records (the classifier has not found its feet), then one relevant
    record and a Lomax-rate ranking: the relevant records left at any point are known."""
    return np.concatenate([np.zeros(drought, dtype=int), [1], draw(lomax_rate(), seed)])


def test_the_fit_starts_after_the_first_relevant_record() -> None:
    # Decision 0018: the drought before the first relevant record is not part of the decay. Read
    # as part of it (decision 0016's fit, burn_in=False) it flattens the rate and the rule waits longer.
    recalls, saved = [], []
    for seed in range(8):
        labels = drought_then_lomax(seed)
        at = lomax_first_stop(labels)
        before = lomax_first_stop(labels, burn_in=False)
        assert at is not None and before is not None
        recalls.append(labels[:at].sum() / labels.sum())
        saved.append(before - at)
    assert sum(r >= 0.95 for r in recalls) >= 7  # the promise holds on the ranking after the drought
    assert min(saved) >= 0 and np.mean(saved) > 10
    # The live estimate leaves the same records out: it agrees with the simulation's stop.
    labels = drought_then_lomax(0)
    at = lomax_first_stop(labels)
    assert at is not None
    before, after = lomax_estimate(labels[:at - 1], labels.size), lomax_estimate(labels[:at], labels.size)
    assert before is not None and after is not None and after.screened == at and after.n_total == labels.size
    assert after.found == labels[:at].sum()  # the first relevant record counts as found
    assert not lomax_stops(before, 0.95) and lomax_stops(after, 0.95)


def test_one_relevant_record_is_not_yet_enough_to_estimate() -> None:
    # The first relevant record only starts the fit: nothing to estimate until a second one.
    assert lomax_estimate([0] * 30 + [1] + [0] * 50, 1000) is None
    assert lomax_estimate([0] * 30 + [1] + [0] * 50 + [1], 1000) is not None
    assert lomax_estimate([0] * 30 + [1] + [0] * 50, 1000, burn_in=False) is not None
    status = stopping.assess([0] * 30 + [1] + [0] * 50, [], 1000)
    assert status.verdict == "continue" and "at least two" in status.explanation


# -- the memo of the log-shape columns (_LogShapeColumns) and the pruned CDF: bit-identical --

def fresh_sums(n_total: int, positions: np.ndarray) -> np.ndarray:
    return _lomax_log_shape(*_lomax_rates(n_total), positions).sum(axis=1, keepdims=True)


def session_walk(seed: int) -> list[tuple[np.ndarray, int]]:
    """(ranked labels, n_total) as a session asks them: decisions one by one, an undo of a relevant
    record then a different one relevant (fewer relevant, then another prefix), records added
    (n_total changes), the first relevant record undone (the fit start moves: every position shifts),
    and two orders with the same relative positions but a different fit start (the same n_total)."""
    rng = np.random.default_rng(seed)
    n_total = 2500
    rate = lomax_rate(n_total, a=0.7, b=15.0, p=2.0)
    labels = list((rng.random(900) < rate[:900]).astype(int))
    asks: list[tuple[np.ndarray, int]] = []
    for screened in range(300, 900, 37):
        asks.append((np.array(labels[:screened]), n_total))
    last_hit = max(i for i, y in enumerate(labels) if y)
    undone = labels[:last_hit] + [0]  # the last relevant decision undone (now irrelevant)
    asks.append((np.array(undone), n_total))
    asks.append((np.array(undone + [1]), n_total))  # another position relevant instead
    asks.append((np.array(labels), n_total + 400))  # records imported
    asks.append((np.array(labels), n_total))
    first = labels.index(1)
    moved = labels[:first] + [0] + labels[first + 1:]  # the first relevant undone: the fit starts later
    asks.append((np.array(moved), n_total))
    shifted = [0] * 5 + labels  # the same positions after the fit start, five records later, same n_total
    asks.append((np.array(shifted[:n_total]), n_total))
    asks.append((np.array(labels), n_total))
    return asks


@pytest.mark.parametrize("seed", range(4))
def test_the_memoised_estimate_is_the_fresh_one_bit_for_bit(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    memo = _LogShapeColumns()
    for labels, n_total in session_walk(seed):
        monkeypatch.setattr(stopping_rate, "_RELEVANT_LOG_SHAPES", _LogShapeColumns(max_bytes=0))  # never kept
        fresh = lomax_estimate(labels, n_total)
        monkeypatch.setattr(stopping_rate, "_RELEVANT_LOG_SHAPES", memo)
        kept = lomax_estimate(labels, n_total)
        assert kept == fresh  # the dataclass's floats compared exactly
        fit_start = stopping_rate.lomax_fit_start(labels)
        assert fit_start is not None
        positions = np.flatnonzero(labels[fit_start:]) + 1
        assert np.array_equal(memo.row_sums(n_total - fit_start, positions), fresh_sums(n_total - fit_start, positions))


def test_the_memo_tells_apart_what_the_columns_depend_on() -> None:
    # Each pair shares a memo and differs in one thing; a key that missed it would hand back the
    # first one's sums for the second.
    # (The rates are the memo's own, _lomax_rates(n_total): no caller can hand it another grid.)
    base = np.array([1, 4, 9, 30, 31, 70, 150, 400])
    cases = [
        ((2000, base), (2400, base)),  # another n_total (or fit start): another c
        ((2000, base), (2001, base)),  # n_total one more: c differs in its last digits only
        ((2000, base), (2000, base[:5])),  # an undo: fewer relevant
        ((2000, base), (2000, np.array([1, 4, 9, 30, 32, 70, 150, 400]))),  # same count, one moved
        ((2000, base), (2000, base + 3)),  # the fit start moved: every position shifts
        ((2000, base[:5]), (2000, base[:6])),  # one more relevant: the kept sums no longer hold
    ]
    for first, second in cases:
        memo = _LogShapeColumns()
        assert np.array_equal(memo.row_sums(*first), fresh_sums(*first))
        assert np.array_equal(memo.row_sums(*first), fresh_sums(*first))  # the kept sums
        assert not np.array_equal(fresh_sums(*first), fresh_sums(*second))
        assert np.array_equal(memo.row_sums(*second), fresh_sums(*second))
        assert np.array_equal(memo.row_sums(*first), fresh_sums(*first))


def test_the_memo_stays_within_its_bounds() -> None:
    rows = _lomax_rates(5000)[0].shape[0]
    memo = _LogShapeColumns(max_entries=2, max_bytes=rows * 8 * 600)
    rng = np.random.default_rng(5)
    for n_total in (3000, 3100, 3200, 3000, 3300):
        positions = np.sort(rng.choice(np.arange(1, 3000), 400, replace=False))
        assert np.array_equal(memo.row_sums(n_total, positions), fresh_sums(n_total, positions))
        assert len(memo._entries) <= 2
        assert sum(entry[3].nbytes for entry in memo._entries.values()) <= memo.max_bytes
    many = np.arange(1, 900)  # more columns than the bytes allow: computed afresh, not kept
    assert np.array_equal(memo.row_sums(9000, many), fresh_sums(9000, many))
    assert all(entry[2].size != many.size for entry in memo._entries.values())


def test_the_memo_answers_two_threads_at_once() -> None:
    memo = _LogShapeColumns(max_entries=1)  # both threads contend for the one entry
    rng = np.random.default_rng(9)
    asks = []
    for n_total in (4000, 4500):
        hits = np.flatnonzero(rng.random(3000) < 0.3) + 1
        asks.append([(n_total, hits[:size]) for size in range(50, hits.size, 25)])
    wrong: list[int] = []

    def ask(calls: list[tuple[int, np.ndarray]]) -> None:
        for n_total, positions in calls:
            if not np.array_equal(memo.row_sums(n_total, positions), fresh_sums(n_total, positions)):
                wrong.append(positions.size)

    threads = [threading.Thread(target=ask, args=(calls,)) for calls in asks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def test_the_pruned_cdf_is_the_full_one_bit_for_bit() -> None:
    # With a couple of thousand relevant found, most grid rows' weights are 0: the pruning skips them.
    for seed in range(6):
        labels = (np.random.default_rng(seed).random(6000) < np.linspace(0.6, 0.05, 6000)).astype(int)
        c, p = _lomax_rates(20000)
        relevant_at = np.flatnonzero(labels) + 1
        masses = _lomax_sum(c, p, np.array([labels.size, 20000]))
        post = _lomax_posterior(masses[:, :1], masses[:, 1:], fresh_sums(20000, relevant_at),
                                np.array([relevant_at.size]))
        weighed = _weighed_rows(post)
        assert weighed is not None and weighed.size < post.weight.shape[0]  # some rows are skipped
        skipped = np.setdiff1d(np.arange(post.weight.shape[0]), weighed)
        assert np.all(post.weight[skipped, 0] == 0) and not np.any(np.signbit(post.weight[skipped, 0]))
        for k in (-1, 0, 1, 3, 10, 40, 200, 1000, 13999):
            assert np.array_equal(_lomax_cdf(post, np.array([k]), weighed), _lomax_cdf(post, np.array([k])))


def test_whether_the_rule_reaches_a_level_is_the_estimates_answer() -> None:
    # lomax_reaches_levels (the classifier's gate at every check) reads the CDF at k* alone where lomax_estimate
    # searches for the quantile: the same answer, at the gate's level and the rule's, wherever an estimate
    # exists or not (no relevant record yet, too few to fit, nothing left), after any ranked prefix; the levels
    # asked together, each answered as on its own.
    orders = [draw(lomax_rate(), seed) for seed in range(4)]
    orders += [np.r_[0, 0, 0, np.ones(3, dtype=int), np.zeros(300, dtype=int)], np.zeros(40, dtype=int)]
    answers = {True: 0, False: 0}
    for labels in orders:
        for n_total in (labels.size, labels.size + 400):
            for at in [*range(0, labels.size + 1, 7), labels.size - 1]:  # the last: one left, k* = 1
                for found_before in (0, 1):
                    levels = (0.1, 0.85, 0.95)
                    reached = lomax_reaches_levels(labels[:at], n_total, target_recall=0.95, found_before=found_before,
                                                   levels=levels)
                    for confidence, reaches in zip(levels, reached, strict=True):
                        rate = lomax_estimate(labels[:at], n_total, found_before=found_before, confidence=confidence)
                        expected = rate is not None and lomax_stops(rate, 0.95)
                        assert reaches is expected
                        answers[expected] += 1
    assert min(answers.values()) > 100
