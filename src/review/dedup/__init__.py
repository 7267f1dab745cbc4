"""Deduplication: normalise, block, score, decide (duplicate / borderline / distinct), cluster.

``engine.deduplicate(records)`` works on plain records (CSV benchmark mode; it brings numpy
and rapidfuzz); ``run.run_dedup(workspace)`` does the same for a workspace and records the
outcome in its store; ``decisions`` turns the stored pair log into clusters and the borderline
pairs a reviewer answers. Import the module you need: this package imports nothing, so
reading the clusters never loads the engine.
"""
