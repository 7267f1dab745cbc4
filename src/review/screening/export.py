"""Every screening decision as CSV or JSON rows, undos as their own rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from ..atomic import write_text_atomic
from ..records import Decision
from ..csvcells import neutralise_cell
from ..timestamps import iso_utc
from .engines import stored_engine

EXPORT_FORMATS: tuple[str, ...] = ("csv", "json")

#: Output columns, in order (a stable interface; see docs/interfaces.md).
DECISION_COLUMNS: tuple[str, ...] = (
    "decision_id", "record_id", "reviewer", "stage", "label", "reasons", "note", "created_at",
    "model_rank", "undoes_id", "phase", "model", "query", "seed", "n_labelled",
    # Added after the stable ones: who settled a conflict (reviewer is ``consensus`` on those rows).
    "resolved_by",
    # Added 2026-12-07, for a methods section and a rerun: the engine version that ranked the queue (empty while a
    # fallback order served it), whether the record was picked by id rather than taken from the queue (the
    # recommended stopping rule leaves those out, decision 0071), and what ordered the queue.
    "engine", "chosen", "queue_order",
    # Added 2026-12-07 (schema 4): the TUI's blind mode at the decision (true/false; empty: not recorded, an undo
    # or a decision made before review recorded it).
    "blind",
)

#: ``phase`` of a decision drawn in the certified rule's random sample (``session.PHASE_SAMPLE``), and its
#: ``queue_order``.
SAMPLE_PHASE = "sample"
SAMPLE_ORDER = "random_sample"


def decision_row(decision: Decision) -> dict[str, Any]:
    info = decision.model_info or {}
    created = decision.created_at
    return {
        "decision_id": decision.id,
        "record_id": decision.record_id,
        "reviewer": decision.reviewer,
        "stage": decision.stage,
        "label": decision.label,
        "reasons": list(decision.reasons),
        "note": decision.note,
        "created_at": iso_utc(created) if isinstance(created, datetime) else created,
        "model_rank": decision.model_rank,
        "undoes_id": decision.undoes_id,
        "phase": info.get("phase"),
        "model": info.get("model"),
        "query": info.get("query"),
        "seed": info.get("seed"),
        "n_labelled": info.get("n_labelled"),
        "resolved_by": info.get("resolved_by"),
        **queue_columns(info),
        "blind": decision.blind,
    }


def queue_columns(info: dict[str, Any]) -> dict[str, Any]:
    """``engine``, ``chosen`` and ``queue_order`` of a reviewer's decision; empty on undo and ``consensus`` rows,
    which no queue served (a reviewer's decision always records its ``phase``)."""
    if "phase" not in info:
        return {"engine": None, "chosen": None, "queue_order": None}
    order = SAMPLE_ORDER if info.get("phase") == SAMPLE_PHASE else str(info.get("fallback") or "model")
    return {"engine": stored_engine(info), "chosen": bool(info.get("chosen")), "queue_order": order}


def render_decisions(decisions: list[Decision], format_: str) -> str:
    rows = [decision_row(d) for d in decisions]
    if format_ == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if format_ != "csv":
        raise ValueError(f"format {format_!r}: expected one of {', '.join(EXPORT_FORMATS)}")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=DECISION_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {k: "" if row[k] is None else row[k] for k in DECISION_COLUMNS}
        cells["reasons"] = "; ".join(row["reasons"])
        for flag in ("chosen", "blind"):
            if isinstance(row[flag], bool):
                cells[flag] = "true" if row[flag] else "false"
        # Reasons, notes and queries are typed by people: a leading '=' must not run in a spreadsheet.
        writer.writerow({k: neutralise_cell(v) if isinstance(v, str) else v for k, v in cells.items()})
    return buffer.getvalue()


def export_decisions(decisions: list[Decision], out: Path, format_: str) -> int:
    """Write ``decisions`` to ``out`` atomically; returns the number of rows."""
    write_text_atomic(Path(out), render_decisions(decisions, format_))
    return len(decisions)
