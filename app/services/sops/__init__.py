"""app.services.sops."""

from __future__ import annotations

from app.services.sops import details, reads, runs, templates
from app.services.sops.checks import CHECKS, check_labels
from app.services.sops.gate import blockers_for_post
from app.services.sops.templates import StepInput

__all__ = [
    "CHECKS",
    "StepInput",
    "blockers_for_post",
    "check_labels",
    "details",
    "reads",
    "runs",
    "templates",
]
