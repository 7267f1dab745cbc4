"""Extraction: study forms as TOML files, the harmonised factor list, QUIPS, extractor comparison.

The API a front end (CLI or TUI form screen) needs: :func:`load_form`, :func:`load_factors`,
:func:`load_study` / :func:`validate_study_data` (one-line problems), :func:`save_study`,
:func:`compare_studies` and :func:`summarise` (QUIPS consensus and collapsed rating).
"""

from __future__ import annotations

from .compare import FieldDifference, compare_studies
from .factors import FactorList, load_factors
from .forms import (
    Form, load_form, load_studies, load_study, save_study, study_files, study_from_data, study_to_data,
    validate_folder, validate_study_data,
)
from .model import QUIPS_DOMAINS, QUIPS_RATINGS, Estimate, ExpertRating, Factor, Study
from .quips import CollapseRule, QuipsSummary, summarise

__all__ = [
    "CollapseRule", "Estimate", "ExpertRating", "Factor", "FactorList", "FieldDifference", "Form",
    "QUIPS_DOMAINS", "QUIPS_RATINGS", "QuipsSummary", "Study", "compare_studies", "load_factors", "load_form",
    "load_studies", "load_study", "save_study", "study_files", "study_from_data", "study_to_data", "summarise",
    "validate_folder", "validate_study_data",
]
