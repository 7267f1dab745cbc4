"""`review simulate --plot`: each stop is drawn on the curve it marks."""
from __future__ import annotations

from review.screening.plot import recall_plot, stop_marks


def test_a_stop_is_drawn_on_the_curve_that_leaves_the_priors_out(tmp_path) -> None:
    """walk24: cohen2006_antihistamines seed 1 drew consecutive_irrelevant's stop at recall 0.8125 (13 of 16, the
    relevant prior counted) above the curve's 0.80 (12 of 15) at the same x; the legend named the recommended rule
    only by its internal name."""
    order = [1, 0] + [1] * 12 + [0] * 108 + [1] * 3 + [0] * 10  # two priors, then 15 relevant among 133
    stopping = {"recommended": "relevance_rate_classifier", "certified": "statistical",
                "consecutive_irrelevant": {"n_screened": 122, "recall": 13 / 16},
                "relevance_rate_classifier": {"n_screened": 125, "recall": 1.0},
                "knee": {"n_screened": None, "recall": None}}
    marks = {rule: (label, x, y) for rule, label, x, y in stop_marks(order, 2, stopping)}
    assert marks["consecutive_irrelevant"] == ("stop: consecutive_irrelevant", 120, 12 / 15)
    assert marks["relevance_rate_classifier"] == ("stop: relevance_rate_classifier (recommended)", 123, 1.0)
    assert "knee" not in marks  # it never stopped
    recall_plot(order, tmp_path / "curve.svg", n_priors=2, stopping=stopping)
    drawn = (tmp_path / "curve.svg").read_text(encoding="utf-8")
    assert "relevance_rate_classifier (recommended)" in drawn
