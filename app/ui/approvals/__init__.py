"""The Approvals page's pieces: the approval-flow editor, and the posts the viewer cannot decide with why."""

from __future__ import annotations

from app.ui.approvals.blocked import SELF_HINT_LOCAL, blocked_list
from app.ui.approvals.flow_editor import flow_editor

__all__ = [
    "SELF_HINT_LOCAL",
    "blocked_list",
    "flow_editor",
]
