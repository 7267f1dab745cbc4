"""A note typed for the record on screen is in view at 24 rows, however long the record."""
from __future__ import annotations

import pytest

from review.records import Record
from review.workspace import Workspace
from tui_workspace import async_test, open_screening, screen_lines, settle

#: An abstract of about 40 lines at 80 columns, as a long structured abstract is.
LONG_ABSTRACT = " ".join(f"RESULTS: Finding {i} held among the employees followed after their return to work, "
                         "across subgroups defined by age and sex." for i in range(20))


@pytest.mark.parametrize("width", (60, 80))
@async_test
async def test_a_typed_note_is_in_view_at_24_rows(fresh_ws: Workspace, width: int) -> None:
    """The note was drawn after the abstract, keywords and MeSH: at 24 rows it was below the fold ("↓ 13 more
    lines" on the demo), and the reviewer could not see what the next key would store with the decision."""
    fresh_ws.store.add_batch([Record(title="A long record", abstract=LONG_ABSTRACT, authors=["Long A"], year=2020,
                                     pmid="30000001")],
                             file_name="long.ris", file_sha256="c" * 64, source_name="Embase", format="ris",
                             encoding="utf-8")
    [long_record] = [r for r in fresh_ws.store.records() if r.pmid == "30000001"]
    async with open_screening(fresh_ws, size=(width, 24)) as (app, pilot, screen):
        await pilot.press("slash", *f"#{long_record.id}", "enter", "enter")  # (search: the record opens)
        await settle(pilot)
        assert screen.current is not None and screen.current.id == long_record.id
        await pilot.press("n", *"recurrence defined?", "enter")
        await settle(pilot)
        drawn = screen_lines(app)
        assert any("recurrence defined?" in line for line in drawn), drawn
        await pilot.press("i")  # ... and it goes with the decision, as typed
        await settle(pilot)
        [decision] = [d for d in fresh_ws.store.decisions(reviewer="alice") if d.record_id == long_record.id]
        assert decision.note == "recurrence defined?"
