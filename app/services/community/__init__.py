"""The community inbox: the read model of a period's messages and response times (inbox), bringing new
comments, mentions and messages in from the platforms (sync), working threads (work/), and the
response-time policies per priority (policies)."""

from __future__ import annotations

from app.services.community import inbox, policies, work
from app.services.community.policies import PolicyInfo
from app.services.community.sync import ChannelSync, channels_to_sync, sync_inbox
from app.services.community.work import MessageView

__all__ = [
    "ChannelSync",
    "MessageView",
    "PolicyInfo",
    "channels_to_sync",
    "inbox",
    "policies",
    "sync_inbox",
    "work",
]
