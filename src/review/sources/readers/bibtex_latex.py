"""LaTeX in BibTeX field values decoded as bibtexparser's ``LatexDecodingMiddleware`` does, at a fraction of its cost.

That middleware hands every value to pylatexenc, which reads it token by token, about 10 µs a
character: 95 % of a BibTeX import's time went there (5,000 entries with abstracts: 15 s of
CPU). Most text holds no LaTeX, and most LaTeX in exports is a small braced group (``{\\"u}``,
``{COVID}``), an escaped sign (``\\%``, ``\\&``) or inline math (``$p<0.05$``). Such a value is
decoded piecewise: plain text as it is, escaped signs as the sign, each group or math by pylatexenc
alone. Any other value (a macro outside a group, a comment, a stray brace) goes to pylatexenc
whole, as before. tests/sources/test_bibtex_latex.py holds the result to the middleware's."""

from __future__ import annotations

import re
from typing import Any

from bibtexparser.middlewares import LatexDecodingMiddleware
from pylatexenc import latexwalker

__all__ = ["FastLatexDecoding"]

#: What pylatexenc reads as other than plain characters: macros, groups, math, comments and its
#: specials (``~``, ``&``, ````` ``, ``''``, ``--``, ``!` ``/``?` ``). A value without any is its own text.
_LATEX = re.compile(r"[\\{}$%&~`]|--|''")
#: The pieces decoded apart: an escaped sign pylatexenc turns into the sign (``\\%``); a braced group
#: with no group, math or comment inside (an escaped character counts as one; a backslash may not
#: escape its closing brace, so ``{a\\}`` is not one); inline math with no macro, group or comment.
#: So is a font macro of one argument written with it in such a group (``\\textit{Homo sapiens}``).
_FLAT_GROUP = r"\{(?:[^{}$%\\]|\\[^{}])*\}"
_PIECE = re.compile(r"\\(?P<sign>[%&_#$])"
                    r"|\\(?:emph|textit|textbf|textsl|textsc|textup|textmd|textrm|textsf|texttt|underline)" + _FLAT_GROUP
                    + "|" + _FLAT_GROUP + r"|\$[^${}%\\]+\$")
#: Values up to this long are remembered (journal names, author lists, pages repeat across a file).
_CACHED_CHARS = 300
_CACHE_ENTRIES = 20_000  # at most about 15 MB


class FastLatexDecoding(LatexDecodingMiddleware):
    """bibtexparser's LaTeX decoding (its default decoder), same result, plain parts not tokenised."""

    def __init__(self) -> None:
        super().__init__(allow_inplace_modification=True)
        # Built once: pylatexenc builds this (0.2 ms) for every value it is given otherwise.
        self._walker_context = latexwalker.get_default_latex_context_db()
        self._cache: dict[str, str] = {}

    def _transform_python_value_string(self, python_string: str) -> tuple[str, str]:
        try:
            return self.decode(python_string), ""
        except Exception as err:  # as the middleware it replaces: the value kept, the error reported
            return python_string, str(err)

    def decode(self, value: str) -> str:
        """``value`` as pylatexenc's text, with bibtexparser's settings."""
        if not _LATEX.search(value):
            return value
        cached = self._cache.get(value)
        if cached is not None:
            return cached
        text = self._piecewise(value)
        if text is None:
            text = self._pylatexenc(value)
        if len(value) <= _CACHED_CHARS and len(self._cache) < _CACHE_ENTRIES:
            self._cache[value] = text
        return text

    def _piecewise(self, value: str) -> str | None:
        """Plain text kept, escaped signs, groups and math decoded apart; None when ``value`` has other LaTeX."""
        if value[:1] == "{" and value[-1:] == "}":
            # One group around it all (Web of Science writes {{...}}): its text is what is inside, decoded
            # so (a brace inside that is no piece's fails the inner, so these two braces are a pair).
            inner = self._piecewise(value[1:-1])
            if inner is not None:
                return inner
        pieces: list[str] = []
        end = 0
        for piece in _PIECE.finditer(value):
            between = value[end:piece.start()]
            if _LATEX.search(between):
                return None
            pieces.append(between)
            if piece.group("sign"):
                pieces.append(piece.group("sign"))
            else:
                pieces.append(self._decoded_piece(piece.group()))
            end = piece.end()
        if _LATEX.search(value, end):
            return None
        pieces.append(value[end:])
        return "".join(pieces)

    def _decoded_piece(self, piece: str) -> str:
        text = self._cache.get(piece)
        if text is None:
            text = self._pylatexenc(piece)
            if len(self._cache) < _CACHE_ENTRIES:
                self._cache[piece] = text
        return text

    def _pylatexenc(self, value: str) -> str:
        decoder: Any = self._decoder
        return str(decoder.latex_to_text(value, latex_context=self._walker_context))
