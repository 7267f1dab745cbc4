"""Evidence synthesis: meta-analysis, evidence levels per factor, GRADE, and the synthesis table."""

from __future__ import annotations

from .evidence_csv import load_synthesis, synthesis_rows

__all__ = ["load_synthesis", "synthesis_rows"]
