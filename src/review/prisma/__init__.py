"""PRISMA 2020: flow counts from the decision log, the full-text stage, and the flow diagram."""

from __future__ import annotations

from .counts import IdentityCheck, PrismaCounts, compute_counts, prisma_counts
from .outputs import DEFAULT_OUT, PrismaOutputs, write_outputs

__all__ = ["DEFAULT_OUT", "IdentityCheck", "PrismaCounts", "PrismaOutputs", "compute_counts",
           "prisma_counts", "write_outputs"]
