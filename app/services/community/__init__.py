"""The community inbox: the read model of a period's messages and response times (inbox), bringing new
comments, mentions and messages in from the platforms (sync), and working threads (work/)."""

from __future__ import annotations

from app.services.community import inbox, work
from app.services.community.sync import ChannelSync, channels_to_sync, sync_inbox
from app.services.community.work import MessageView

__all__ = [
    "ChannelSync",
    "MessageView",
    "channels_to_sync",
    "inbox",
    "sync_inbox",
    "work",
]
