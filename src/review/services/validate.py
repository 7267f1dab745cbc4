"""Validate service: the programme's own data, content validity, pilot agreement, evaluation.

The stage's entry points already have the service's shape (``review.validate.service``); this
module names them for the shells, which import nothing below the services.
"""

from __future__ import annotations

from ..validate.run import PLAN_FILE, VALIDATE_DIR, result_json
from ..validate.service import Analysis, analyse, planned_analyses, run_planned, write_demo

__all__ = ["PLAN_FILE", "VALIDATE_DIR", "Analysis", "analyse", "planned_analyses", "result_json", "run_planned", "write_demo"]
