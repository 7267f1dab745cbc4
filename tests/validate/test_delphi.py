from __future__ import annotations

import pytest

from review.errors import ValidationError
from review.validate.delphi import DelphiRule, delphi_round


def _rows(ratings: dict[str, list[int]], comments: dict[str, str] | None = None) -> list[tuple[object, ...]]:
    comments = comments or {}
    rows: list[tuple[object, ...]] = [("item", "expert", "rating", "comment")]
    for item, values in ratings.items():
        for j, value in enumerate(values):
            rows.append((item, f"e{j}", value, comments.get(f"{item}:{j}", "")))
    return rows


def test_consensus_rule_and_rounds(write_csv) -> None:
    # 8 experts: keep needs 6 of 8 (75 %) rating 4-5; drop 6 of 8 rating 1-2
    first = write_csv("r1.csv", _rows({"keep": [5, 4, 4, 5, 4, 4, 2, 3], "drop": [1, 2, 1, 2, 2, 1, 4, 3],
                                       "open": [5, 4, 4, 5, 4, 3, 3, 2]}, {"open:5": "unclear wording"}))
    result = delphi_round(first)
    verdicts = {i.item: i.verdict for i in result.items}
    assert verdicts == {"keep": "keep", "drop": "drop", "open": "next round"}
    assert [i.item for i in result.carried] == ["open"]
    assert result.items[2].comments == ["e5: unclear wording"]
    second = write_csv("r2.csv", _rows({"open": [5, 4, 4, 5, 4, 4, 3, 4]}))
    compared = delphi_round(second, previous=first)
    item = compared.items[0]
    assert (item.agree, item.previous_agree, item.verdict, item.previous_verdict) == (7 / 8, 5 / 8, "keep", "next round")


def test_stricter_rule_changes_the_verdict(write_csv) -> None:
    path = write_csv("r.csv", _rows({"q": [5, 4, 4, 5, 4, 4, 2, 3]}))
    assert delphi_round(path, rule=DelphiRule(consensus=0.8)).items[0].verdict == "next round"


def test_rating_outside_the_scale(write_csv) -> None:
    path = write_csv("r.csv", _rows({"q": [5, 4, 7]}))
    with pytest.raises(ValidationError, match=r"line 4: column 'rating': rating '7' out of range 1-5"):
        delphi_round(path)
