"""Recall curve of a simulation (matplotlib, headless), with the stopping points marked."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


#: The marker each stopping rule is drawn with.
MARKERS = {"relevance_rate": "D", "relevance_rate_lomax": "P", "relevance_rate_classifier": "*",
           "consecutive_irrelevant": "s", "knee": "^", "statistical": "o"}


def stop_marks(order_labels: Sequence[int], n_priors: int,
               stopping: dict[str, Any] | None) -> list[tuple[str, str, int, float]]:
    """Each rule's stop as the curve shows it: (rule, legend label, records screened, recall), both priors excluded.

    A stop's ``n_screened`` and ``recall`` count the priors (docs/interfaces.md); drawn as they are, a stop sat off
    the curve, which leaves them out (0.8125 above 0.80 with one relevant prior: walk24). The legend names the rule
    the review calls recommended or certified beside its own name."""
    labels = np.asarray(order_labels[n_priors:], dtype=np.int64)
    found = np.concatenate([[0], np.cumsum(labels)]) / max(int(labels.sum()), 1)
    roles = {str((stopping or {}).get(role)): role for role in ("recommended", "certified")}
    marks = []
    for rule, point in (stopping or {}).items():
        if isinstance(point, dict) and point.get("n_screened") is not None and rule in MARKERS:
            screened = min(max(int(point["n_screened"]) - n_priors, 0), labels.size)
            label = f"stop: {rule}" + (f" ({roles[rule]})" if rule in roles else "")
            marks.append((rule, label, screened, float(found[screened])))
    return marks


def recall_plot(order_labels: Sequence[int], out: Path, *, n_priors: int = 0,
                stopping: dict[str, Any] | None = None, title: str = "") -> None:
    """Write the recall curve (priors excluded) as PNG or SVG, chosen by ``out``'s suffix."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = np.asarray(order_labels[n_priors:], dtype=np.int64)
    total = max(int(labels.sum()), 1)
    x = np.arange(1, labels.size + 1)
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    ax.plot(x, np.cumsum(labels) / total, label="model", color="#1f77b4")
    ax.plot([0, labels.size], [0, 1], linestyle=":", color="grey", label="random")
    for rule, label, screened, recall in stop_marks(order_labels, n_priors, stopping):
        ax.plot(screened, recall, MARKERS[rule], label=label)
    ax.set_xlabel("records screened (priors excluded)")
    ax.set_ylabel("recall")
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format=out.suffix.lower().lstrip("."))
    plt.close(fig)
