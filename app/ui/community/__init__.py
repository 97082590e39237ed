"""Working the inbox on screen: the queue, the thread as a conversation, triage and replies."""

from __future__ import annotations

from app.ui.community.inbox_work import inbox_work_section

__all__ = [
    "inbox_work_section",
]
