"""The approval-flow editor of the Approvals page."""

from __future__ import annotations

from app.ui.approvals.flow_editor import flow_editor

__all__ = [
    "flow_editor",
]
