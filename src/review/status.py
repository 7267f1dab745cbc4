"""What a workspace holds per stage, as plain lines for ``review status``.

Stages add their own lines through ``STATUS_PROVIDERS`` so this module stays small.
"""

from __future__ import annotations

from collections.abc import Callable

from .workspace import Workspace

#: Functions returning extra status lines for one stage; stages append to this list.
STATUS_PROVIDERS: list[Callable[[Workspace], list[str]]] = []


def workspace_status(workspace: Workspace) -> list[str]:
    store = workspace.store
    lines = [f"workspace  {workspace.root}", f"title      {workspace.config.title}"]
    batches = store.batches()
    lines.append(f"sources    {store.count_records()} records in {len(batches)} import batches")
    for source, n in sorted(store.counts_by_source().items()):
        lines.append(f"  {source:<20} {n}")
    current = store.current_decisions()
    labels: dict[str, int] = {}
    for decision in current.values():
        labels[decision.label] = labels.get(decision.label, 0) + 1
    screened = len({record_id for record_id, _ in current})
    summary = ", ".join(f"{n} {label}" for label, n in sorted(labels.items())) or "none yet"
    lines.append(f"screening  {screened} records screened ({summary})")
    for provider in STATUS_PROVIDERS:
        lines.extend(provider(workspace))
    return lines
