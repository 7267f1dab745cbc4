"""Recall curve of a simulation (matplotlib, headless), with the stopping points marked."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


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
    markers = {"relevance_rate": "D", "relevance_rate_lomax": "P", "relevance_rate_classifier": "*",
               "consecutive_irrelevant": "s", "knee": "^", "statistical": "o"}
    for rule, point in (stopping or {}).items():
        if isinstance(point, dict) and point.get("n_screened") is not None and rule in markers:
            ax.plot(point["n_screened"] - n_priors, point["recall"], markers[rule], label=f"stop: {rule}")
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
