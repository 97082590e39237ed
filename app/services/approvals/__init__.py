"""Approvals: each brand's flows of stages (flows), deciding at a stage with the rules that make approval
trustworthy (decisions), and the queue of posts waiting on someone (queue)."""

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
