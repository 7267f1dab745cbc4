"""The figure formats every plot of ours is drawn in (forest plots, recall curves), and the one
wording of the refusal. No matplotlib here: a command checks its --plot path at start-up, before
anything is pooled or written, without paying for the plotting library."""

from __future__ import annotations

from pathlib import Path

__all__ = ["PLOT_FORMATS", "check_plot_path", "plot_format_problem"]

#: Suffixes matplotlib draws for us, chosen by the output path.
PLOT_FORMATS: tuple[str, ...] = (".png", ".svg")


def plot_format_problem(path: Path) -> str | None:
    """``"PATH: plot format must be one of .png, .svg"`` for a path we cannot draw, else None."""
    if Path(path).suffix.lower() in PLOT_FORMATS:
        return None
    return f"{path}: plot format must be one of {', '.join(PLOT_FORMATS)}"


def check_plot_path(path: Path) -> None:
    """Refuse (``ReviewError``, one line) a plot path of a kind we cannot draw: the commands call it
    before anything is computed or written."""
    from .errors import ReviewError

    problem = plot_format_problem(path)
    if problem is not None:
        raise ReviewError(problem)
