"""app.services.community."""

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
