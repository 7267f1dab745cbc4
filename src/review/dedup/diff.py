"""Word-level differences between two field values, for side-by-side review screens."""

from __future__ import annotations

import difflib
import re

_TOKEN = re.compile(r"\S+\s*")


def word_diff(left: str, right: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Both texts as ``(chunk, differs)`` runs; comparison ignores case and punctuation."""
    a = _TOKEN.findall(left or "")
    b = _TOKEN.findall(right or "")
    key_a = [re.sub(r"\W", "", w.casefold()) for w in a]
    key_b = [re.sub(r"\W", "", w.casefold()) for w in b]
    matcher = difflib.SequenceMatcher(a=key_a, b=key_b, autojunk=False)
    out_a: list[tuple[str, bool]] = []
    out_b: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        same = tag == "equal"
        if i2 > i1:
            out_a.append(("".join(a[i1:i2]), not same))
        if j2 > j1:
            out_b.append(("".join(b[j1:j2]), not same))
    return out_a, out_b
