"""The System Usability Scale (Brooke 1996): a 0-100 score per respondent, the mean with a t CI,
and Bangor, Kortum & Miller's (2009) adjective and acceptability ratings.

Brooke's instruction to respondents is to mark the centre point of an item they cannot answer,
so a blank answer is scored as that centre (3), named per respondent and counted; a respondent
with more than ``MAX_BLANK_ANSWERS`` blanks is refused (an abandoned form, not an item or two
one could not answer).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from scipy import stats

from .table import cell_error, composed, read_table

QUESTIONS: tuple[str, ...] = tuple(f"q{i}" for i in range(1, 11))
#: The ends of the scale: every answer 1 on the odd items and 5 on the even ones scores 0, the reverse 100.
SUS_MIN, SUS_MAX = 0.0, 100.0
#: What a respondent who cannot answer an item is asked to mark (Brooke 1996): a blank is scored so.
CENTRE_ANSWER = 3
#: Blank answers per respondent scored as the centre; more is refused. Each blank moves that
#: respondent's score by at most 5 points (an item spans 0-10 of the 100), so two by at most 10,
#: half the distance between Bangor et al.'s "ok" and "good"; a third blank reads as an abandoned form.
MAX_BLANK_ANSWERS = 2
#: Mean SUS score of each adjective in Bangor et al. (2009, Table 3); a score gets the adjective
#: whose mean is nearest.
ADJECTIVE_MEANS: tuple[tuple[str, float], ...] = (
    ("worst imaginable", 12.5), ("awful", 20.3), ("poor", 35.7), ("ok", 50.9), ("good", 71.4),
    ("excellent", 85.5), ("best imaginable", 90.9),
)


def adjective(score: float) -> str:
    return min(ADJECTIVE_MEANS, key=lambda pair: abs(pair[1] - score))[0]


def acceptability(score: float) -> str:
    """Bangor et al.'s acceptability ranges: below 50 not acceptable, 50-70 marginal, above 70 acceptable."""
    return "not acceptable" if score < 50 else "marginal" if score <= 70 else "acceptable"


def sus_score(answers: list[int]) -> float:
    """Brooke's scoring: odd items contribute answer-1, even items 5-answer; the sum times 2.5."""
    return 2.5 * sum((a - 1) if i % 2 == 0 else (5 - a) for i, a in enumerate(answers))


@dataclass(slots=True)
class Respondent:
    respondent: str
    sus: float
    centred: list[str] = field(default_factory=list)  # blank answers scored as the centre point (3)


@dataclass(slots=True)
class SusResult:
    path: str
    respondents: list[Respondent]
    mean: float
    mean_ci: tuple[float, float] | None
    sd: float | None
    adjective: str
    acceptability: str
    level: float
    #: The t interval reached past the scale (0-100) and was cut at its end (:func:`_on_the_scale`).
    mean_ci_clamped: bool = False

    @property
    def centred_answers(self) -> int:
        """Blank answers scored as the centre point, over every respondent."""
        return sum(len(r.centred) for r in self.respondents)

    def to_json(self) -> dict[str, Any]:
        return {"kind": "sus", "file": self.path, "respondents": [asdict(r) for r in self.respondents],
                "mean": self.mean, "mean_ci": self.mean_ci, "sd": self.sd, "adjective": self.adjective,
                "acceptability": self.acceptability, "level": self.level,
                "centred_answers": self.centred_answers, "max_blank_answers": MAX_BLANK_ANSWERS,
                "mean_ci_clamped": self.mean_ci_clamped}


def usability(path: Path | str, *, respondent: str = "respondent", level: float = 0.95) -> SusResult:
    """SUS per respondent from ``respondent, q1 ... q10`` (answers 1-5)."""
    table = read_table(path)
    table.require(respondent, *QUESTIONS)
    seen: dict[str, int] = {}
    rows: list[Respondent] = []
    for i in range(len(table)):
        name = table.text(i, respondent)
        if composed(name) in seen:  # (one name in two Unicode forms too, as client ids)
            raise cell_error(table.path, table.where(i), respondent,
                             f"{name!r} already answered (line {seen[composed(name)]})")
        seen[composed(name)] = table.where(i)
        blank = [q for q in QUESTIONS if not table.text(i, q, required=False)]
        if len(blank) > MAX_BLANK_ANSWERS:
            raise cell_error(table.path, table.where(i), blank[0],
                             f"{name!r} left {len(blank)} of {len(QUESTIONS)} answers blank ({', '.join(blank)}); "
                             f"at most {MAX_BLANK_ANSWERS} are scored as the centre point {CENTRE_ANSWER} (Brooke "
                             "1996): complete the form or leave the row out")
        answers = [CENTRE_ANSWER if q in blank else table.integer_in(i, q, 1, 5) for q in QUESTIONS]
        rows.append(Respondent(name, sus_score(answers), blank))
    scores = [r.sus for r in rows]
    mean = sum(scores) / len(scores)
    sd = ci = None
    if len(scores) > 1:
        sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / (len(scores) - 1))
        half = float(stats.t.ppf(1 - (1 - level) / 2, len(scores) - 1)) * sd / math.sqrt(len(scores))
        ci = _on_the_scale(mean - half, mean + half)
    clamped = ci is not None and ci != (mean - half, mean + half)
    return SusResult(str(path), rows, mean, ci, sd, adjective(mean), acceptability(mean), level, clamped)


def _on_the_scale(low: float, high: float) -> tuple[float, float]:
    """The mean's t interval cut at the scale's ends, 0 and 100.

    The true mean lies on the scale, so an interval that covers it still does once cut: the coverage is
    the t interval's, only the impossible part goes. A bounded interval (the logit of score/100) would
    change every interval and has no value for a mean of 100, where all answered the best."""
    return max(low, SUS_MIN), min(high, SUS_MAX)
