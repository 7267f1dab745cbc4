"""English runs inside Dutch outputs: marked where the text is made, ``lang="en"`` in HTML, dropped elsewhere."""

from __future__ import annotations

import html

#: Around a run of English inside Dutch text (a publication's citation, a field shown as extracted):
#: ``render.to_html`` and :func:`html_text` make it ``<span lang="en">`` so that a screen reader pronounces it in
#: English, and :func:`plain_text` drops the marks for Markdown and the terminal. Private-use characters,
#: which no citation or extraction holds.
ENGLISH_OPEN, ENGLISH_CLOSE = "\ue000", "\ue001"


def english_run(text: str) -> str:
    """``text`` marked as English (see ``ENGLISH_OPEN``); '' stays ''."""
    return f"{ENGLISH_OPEN}{text}{ENGLISH_CLOSE}" if text else text


def plain_text(text: str) -> str:
    """``text`` without the English marks (Markdown, the terminal)."""
    return text.replace(ENGLISH_OPEN, "").replace(ENGLISH_CLOSE, "")


def spans_for_english(escaped: str) -> str:
    """HTML with the English marks as ``<span lang="en">`` (its text already escaped)."""
    return escaped.replace(ENGLISH_OPEN, '<span lang="en">').replace(ENGLISH_CLOSE, "</span>")


def html_text(text: str) -> str:
    """``text`` escaped for HTML, its English runs as ``<span lang="en">``."""
    return spans_for_english(html.escape(text))
