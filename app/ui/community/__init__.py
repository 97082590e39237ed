"""Working the inbox on screen: the queue, the thread as a conversation, triage and replies; and the
response-time policies with their forms."""

from __future__ import annotations

from app.ui.community.inbox_work import inbox_work_section
from app.ui.community.policies import policy_frame, response_time_policies

__all__ = [
    "inbox_work_section",
    "policy_frame",
    "response_time_policies",
]
