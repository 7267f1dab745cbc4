"""Content validity against Polit, Beck & Owen (2007) and a hand-worked scale."""

from __future__ import annotations

import pytest

from review.errors import ValidationError
from review.validate.cvi import chance_agreement, content_validity, modified_kappa

#: Polit, Beck & Owen (2007), Table 4: experts N, saying relevant A -> I-CVI, pc, k*, evaluation.
POLIT_TABLE = [
    (3, 3, 1.00, 0.125, 1.00, "excellent"), (3, 2, 0.67, 0.375, 0.47, "fair"),
    (4, 3, 0.75, 0.250, 0.67, "good"), (5, 4, 0.80, 0.156, 0.76, "excellent"),
    (6, 5, 0.83, 0.094, 0.82, "excellent"), (6, 4, 0.67, 0.234, 0.56, "fair"),
    (7, 6, 0.86, 0.055, 0.85, "excellent"), (7, 5, 0.71, 0.164, 0.66, "good"),
    (8, 6, 0.75, 0.109, 0.72, "good"), (9, 7, 0.78, 0.070, 0.76, "excellent"),
]


@pytest.mark.parametrize(("n", "a", "i_cvi", "pc", "kappa", "label"), POLIT_TABLE)
def test_modified_kappa_equals_polit_beck_owen(write_csv, n, a, i_cvi, pc, kappa, label) -> None:
    assert round(chance_agreement(n, a), 3) == pc
    assert round(modified_kappa(n, a), 2) == kappa
    rows = [("item", "expert", "rating")] + [("q", f"e{i}", 4 if i < a else 1) for i in range(n)]
    item = content_validity(write_csv("r.csv", rows)).items[0]
    assert (round(item.i_cvi, 2), item.adequacy) == (i_cvi, label)


def test_scale_indices_and_items_to_revise(write_csv) -> None:
    # 4 items x 5 experts; relevant (3/4) counts per item: 5, 5, 4, 2 -> I-CVI 1, 1, .8, .4
    ratings = {"a": [4, 4, 3, 4, 3], "b": [3, 4, 4, 4, 4], "c": [4, 2, 4, 3, 4], "d": [1, 2, 3, 4, 2]}
    rows = [("item", "expert", "rating")] + [(i, f"e{j}", r) for i, rs in ratings.items() for j, r in enumerate(rs)]
    result = content_validity(write_csv("r.csv", rows))
    assert result.s_cvi_ave == pytest.approx((1 + 1 + 0.8 + 0.4) / 4)
    assert result.s_cvi_ua == pytest.approx(2 / 4)
    assert [i.item for i in result.to_revise] == ["d"]  # .8 >= .78 stays
    data = result.to_json()
    assert {"item", "i_cvi", "kappa_star"} <= set(data["items"][0]) and {"s_cvi_ave", "s_cvi_ua"} <= set(data)


def test_an_item_an_expert_skipped_is_not_universal_agreement(write_csv) -> None:
    from review.validate.report import cvi_lines

    # 5 experts; 'b' is rated 4 by the four who rated it (e4 skipped it): its I-CVI is 4/4 = 1, but
    # "rated relevant by all the experts" (Polit, Beck & Owen 2007) is unknown, so S-CVI/UA is 1/3, not 2/3
    ratings = {"a": [4, 4, 3, 4, 3], "b": [4, 4, 4, 3], "c": [4, 2, 4, 3, 4]}
    rows = [("item", "expert", "rating")] + [(i, f"e{j}", r) for i, rs in ratings.items() for j, r in enumerate(rs)]
    result = content_validity(write_csv("r.csv", rows))
    assert result.items[1].i_cvi == 1.0 and result.items[1].n_experts == 4
    assert result.s_cvi_ave == pytest.approx((1 + 1 + 0.8) / 3)
    assert result.s_cvi_ua == pytest.approx(1 / 3) and result.skipped == ["b"]
    assert result.to_json()["skipped"] == ["b"]
    assert "skipped by some expert: 1 of 3 items (b)" in "\n".join(cvi_lines(result))


def test_rating_out_of_range_names_file_row_column(write_csv) -> None:
    path = write_csv("r.csv", [("item", "expert", "rating"), ("q", "e1", 4), ("q", "e2", 5)])
    with pytest.raises(ValidationError, match=r"r\.csv:line 3: column 'rating': rating '5' out of range 1-4"):
        content_validity(path)


def test_a_rating_between_two_points_is_not_called_out_of_range(write_csv) -> None:
    """2.5 lies inside 1-4: 'out of range' sent the reader looking for a 0 or a 5."""
    path = write_csv("r.csv", [("item", "expert", "rating"), ("q", "e1", 4), ("q", "e2", 2.5)])
    with pytest.raises(ValidationError, match=r"r\.csv:line 3: column 'rating': rating '2\.5' is not a whole point "
                                              r"of the 1-4 scale$"):
        content_validity(path)


def test_one_expert_is_refused(write_csv) -> None:
    path = write_csv("r.csv", [("item", "expert", "rating"), ("q", "e1", 4), ("p", "e1", 3)])
    with pytest.raises(ValidationError, match=r"column 'expert': fewer than 2 experts"):
        content_validity(path)
    rows = [("item", "expert", "rating")] + [("q", f"e{i}", 4) for i in range(3)] + [("p", "e0", 4)]
    with pytest.raises(ValidationError, match=r"r\.csv:line 5: column 'item': item 'p' is rated by one expert only"):
        content_validity(write_csv("r.csv", rows))


def test_fewer_than_three_experts_are_computed_with_a_note(write_csv) -> None:
    from review.validate.report import cvi_lines

    # a 3-expert file in which e2 skipped item p: p is rated by two, q by three
    rows = [("item", "expert", "rating")] + [("q", f"e{i}", 4) for i in range(3)] + [("p", "e0", 4), ("p", "e1", 2)]
    result = content_validity(write_csv("r.csv", rows))
    p, q = result.items[1], result.items[0]
    assert (p.item, p.n_experts, p.i_cvi) == ("p", 2, 0.5) and p.note == "fewer than 3 experts (Lynn 1986): rough"
    assert q.note == "" and result.to_json()["items"][1]["note"] == p.note
    text = "\n".join(cvi_lines(result))
    assert "fewer than 3 experts (Lynn 1986): rough: 1 of 2 items (p)" in text
    pilot = content_validity(write_csv("pilot.csv", [("item", "expert", "rating"), ("q", "a", 4), ("q", "b", 3)]))
    assert pilot.experts == ["a", "b"] and pilot.items[0].i_cvi == 1.0 and pilot.items[0].note


def test_same_expert_twice_on_an_item(write_csv) -> None:
    path = write_csv("r.csv", [("item", "expert", "rating"), ("q", "e1", 4), ("q", "e2", 3), ("q", "e1", 2)])
    with pytest.raises(ValidationError, match=r"line 4: column 'expert': 'e1' already rated 'q' \(line 2\)"):
        content_validity(path)
