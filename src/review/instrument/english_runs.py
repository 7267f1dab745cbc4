"""English runs inside Dutch outputs: marked where the text is made, ``lang="en"`` in HTML, dropped elsewhere."""

from __future__ import annotations

import html
import re

#: Around a run of English inside Dutch text (a publication's citation, a field shown as extracted):
#: ``render.to_html`` and :func:`html_text` make it ``<span lang="en">`` so that a screen reader pronounces it in
#: English, and :func:`plain_text` drops the marks for Markdown and the terminal. Private-use characters, which
#: no citation or extraction should hold; one that does anyway is dropped (:func:`english_run` takes them out of
#: its text, :func:`spans_for_english` makes spans of whole pairs only), so it can never close an element early.
ENGLISH_OPEN, ENGLISH_CLOSE = "\ue000", "\ue001"
_MARKED_RUN = re.compile(f"{ENGLISH_OPEN}([^{ENGLISH_OPEN}{ENGLISH_CLOSE}]*){ENGLISH_CLOSE}")


def english_run(text: str) -> str:
    """``text`` marked as English (see ``ENGLISH_OPEN``), any mark it held itself taken out; '' stays ''."""
    text = plain_text(text)
    return f"{ENGLISH_OPEN}{text}{ENGLISH_CLOSE}" if text else text


def plain_text(text: str) -> str:
    """``text`` without the English marks (Markdown, the terminal)."""
    return text.replace(ENGLISH_OPEN, "").replace(ENGLISH_CLOSE, "")


def spans_for_english(escaped: str) -> str:
    """HTML with each pair of English marks as ``<span lang="en">`` (its text already escaped); a mark
    without its partner (from a source text, not from :func:`english_run`) is dropped."""
    return plain_text(_MARKED_RUN.sub(r'<span lang="en">\1</span>', escaped))


def html_text(text: str) -> str:
    """``text`` escaped for HTML, its English runs as ``<span lang="en">``."""
    return spans_for_english(html.escape(text))
