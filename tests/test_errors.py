"""The one wording of an error in one line (``review.errors.first_line``), used by the TUI's notifications
and by the screening session's refusals."""

from __future__ import annotations

from review.errors import first_line


def test_an_error_says_both_its_lines_and_not_the_sql() -> None:
    ncbi = RuntimeError("Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. "
                        "For PubMed, ESearch can only retrieve the first 9,999 records")
    assert first_line(ncbi) == ("Search Backend failed: Exception: 'retstart' cannot be larger than 9998. "
                                "For PubMed, ESearch can only retrieve the first 9,999 records")
    sql = RuntimeError("(sqlite3.OperationalError) database is locked\n[SQL: UPDATE x SET y=1]\n"
                       "(Background on this error at: https://sqlalche.me/e/20/e3q8)")
    assert first_line(sql) == "(sqlite3.OperationalError) database is locked"
    assert first_line(RuntimeError("  \n ")) == "RuntimeError"
