"""``review validate``: after the review, the programme's own data, content validity, pilot agreement
and evaluation of the instrument. One pure module per analysis; :mod:`.service` is what shells call."""

from __future__ import annotations

from .run import KINDS, run_analysis

__all__ = ["KINDS", "run_analysis"]
