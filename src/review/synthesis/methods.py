"""The pooling methods of :func:`review.synthesis.meta.pool`: one list for the pool, ``review meta --method`` and
review.toml's ``[synthesis] method``, whose check (:mod:`review.synthesis.settings`) loads no numpy or scipy."""

from __future__ import annotations

METHODS: tuple[str, ...] = ("FE", "DL", "REML", "ML", "PM")
