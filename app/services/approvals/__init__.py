"""Approvals: each brand's flows of stages (flows), deciding at a stage with the rules that make approval
trustworthy (decisions), why a viewer cannot decide (blocks), and the queue of posts waiting on someone (queue)."""

from __future__ import annotations

from app.services.approvals import blocks, decisions, flows, queue
from app.services.approvals.blocks import Block, BlockKind, decision_block_reason
from app.services.approvals.flows import FlowView, StageInput

__all__ = [
    "Block",
    "BlockKind",
    "FlowView",
    "StageInput",
    "blocks",
    "decision_block_reason",
    "decisions",
    "flows",
    "queue",
]
