"""The seeded field-corruption generator: each drift kind, and what ``drift`` touches."""

from __future__ import annotations

import random

import pytest

from review.dedup.drift import (
    AUTHORS_SWAPPED, KINDS, PAGES_GARBLED, SINGLE_PAGE, SUBTITLE, change_subtitle, drift, garble_pages,
    malformed_volume, single_page, swap_author_names, unrelated_pages,
)
from review.dedup.names import last_name
from review.dedup.normalise import parse_pages

from .helpers import record


def test_garbled_pages_keep_only_a_cut_off_last_page() -> None:
    rng = random.Random(1)
    for _ in range(20):
        garbled = garble_pages("965-971", rng)
        assert garbled is not None
        letters, _, digits = garbled.partition("-")
        assert letters.isalpha() and "971".endswith(digits)
    assert garble_pages("e1234", rng) is None  # nothing to garble in a single locator


def test_single_page_is_one_end_of_the_range() -> None:
    rng = random.Random(2)
    seen = {single_page("487-488", rng) for _ in range(20)}
    assert seen == {"487", "488"}
    assert single_page("1234-45", rng) in {"1234", "1245"}  # the abbreviated end is expanded
    assert single_page("488", rng) is None


def test_unrelated_pages_replace_a_present_field_only() -> None:
    rng = random.Random(3)
    assert unrelated_pages("", rng) is None
    new = unrelated_pages("19-26", rng)
    assert new and parse_pages(new).start


def test_malformed_volume_has_no_number() -> None:
    rng = random.Random(4)
    values = {malformed_volume("54", rng) for _ in range(30)}
    assert "" in values and any(v.startswith("(") for v in values if v)
    assert not any(ch.isdigit() for v in values for ch in v)
    assert malformed_volume("", rng) is None


def test_swapped_author_names_put_the_given_name_first() -> None:
    rng = random.Random(5)
    swapped = swap_author_names(["Wu, Ching-yi", "Tashiro Y.", "Lee"], rng)
    assert swapped == ["Ching-yi, Wu", "Y., Tashiro", "Lee"]
    assert swap_author_names(["Lee"], rng) is None  # nothing to swap


def test_subtitle_is_dropped_or_added() -> None:
    rng = random.Random(6)
    assert change_subtitle("Liraglutide and foam cells in mice: an experimental study", rng) == \
        "Liraglutide and foam cells in mice"
    added = change_subtitle("Liraglutide and foam cells in mice.", rng)
    assert added and added.startswith("Liraglutide and foam cells in mice: ")


def test_drift_is_seeded_and_touches_one_member_per_group() -> None:
    records = [record(external_id=f"r{i}") for i in range(9)]
    groups = ["a", "a", "a", "b", "b", "c", "d", "e", "e"]
    rates = {kind: 1.0 for kind in KINDS}
    one = drift(records, groups, seed=11, rates=rates)
    two = drift(records, groups, seed=11, rates=rates)
    assert one.applied == two.applied and [r.pages for r in one.records] == [r.pages for r in two.records]
    assert sorted(groups[i] for i in one.applied) == ["a", "b", "e"]  # singletons c, d untouched
    for i, kinds in one.applied.items():
        assert sum(k in (PAGES_GARBLED, SINGLE_PAGE, "pages_unrelated") for k in kinds) == 1
        assert AUTHORS_SWAPPED in kinds and SUBTITLE in kinds
        assert one.records[i] is not records[i] and one.records[i].external_id == records[i].external_id
    untouched = [i for i in range(9) if i not in one.applied]
    assert all(one.records[i] is records[i] for i in untouched)
    assert drift(records, groups, seed=11, rates={k: 0.0 for k in KINDS}).applied == {}


def test_drift_rejects_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="unknown drift kinds"):
        drift([record()], ["a"], seed=1, rates={"typo": 0.5})


def test_swapped_initials_are_read_back_as_the_last_name() -> None:
    # What the generator writes from "Tashiro Y." normalises to the same last name again.
    assert last_name("Y., Tashiro") == last_name("Tashiro Y.") == "tashiro"
