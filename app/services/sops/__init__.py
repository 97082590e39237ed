"""SOP checklists: the template library and its versions, runs on posts, campaigns, briefs, incidents,
brands and reports, automatic checks, and the gate between a post and the schedule.

It sits below content in the domain order (the house plan lists it after approvals): it is a process
engine every later domain uses, it reads their rows through the models only, and the post workflow asks
its gate before scheduling."""

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
