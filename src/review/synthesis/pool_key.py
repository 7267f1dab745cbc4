"""What must agree before estimates are pooled: one list for the synthesis and ``review meta``."""

from __future__ import annotations

#: (estimate field / CSV column, what the note calls it, why two values are not pooled), in key order.
POOL_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("measure", "measure", "mixed measures are not pooled"),
    ("contrast", "contrast", "estimates of different contrasts (e.g. per unit and dichotomised) are not pooled"),
    ("reference", "reference", "estimates against different reference categories are not pooled"),
    ("estimate_type", "adjustment", "adjusted and crude estimates are not pooled"),
)

#: The pooling key stated, as synthesis.csv's notes say it (besides one per cohort and the whole sample).
POOL_KEY = "same " + ", ".join(label for _, label, _ in POOL_FIELDS[:-1]) + f" and {POOL_FIELDS[-1][1]}"
