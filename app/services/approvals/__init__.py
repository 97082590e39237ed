"""app.services.approvals."""

from __future__ import annotations

from app.services.approvals import decisions, flows, queue
from app.services.approvals.flows import FlowView, StageInput

__all__ = [
    "FlowView",
    "StageInput",
    "decisions",
    "flows",
    "queue",
]
