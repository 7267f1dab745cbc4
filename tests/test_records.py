from __future__ import annotations

import pytest

from review.records import MAX_RECORD_ID, parse_record_id


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12), ("#12", 12), (" 12 ", 12), ("0001", 1),
    # leading zeros were counted in the length check: eleven characters were refused, four taken
    ("00000000001", 1), ("#000000000000000002147483647", MAX_RECORD_ID),
    ("2147483648", None), ("0002147483648", None), ("99999999999999999999", None),
    ("\u00b2", None), ("", None), ("1.0", None),
])
def test_a_record_id_is_read_as_the_tui_shows_it(text, expected):
    assert parse_record_id(text) == expected
