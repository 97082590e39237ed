"""Working the community inbox: the queue of threads waiting on the team, one thread as a conversation,
triage (claim, assign, status, priority, sentiment) and replying from the hub through the channel's
connector. Only people who work the inbox on the brand (INBOX_WORK) may; every change is audited and a
save made against an older version of the message is refused, naming both versions.

A reply is sent outside any database transaction (a slow platform never holds SQLite's write lock) and
recorded after the platform accepted it: the outbound message, the thread's first response time when it
had none, and the status the person chose (waiting on the customer, or resolved)."""

from __future__ import annotations

from app.services.community.work.queue import WAITING_ON_US, QueueItem, due_text, work_queue
from app.services.community.work.replies import (
    SAME_REPLY_WINDOW,
    ReplyFailed,
    ReplySent,
    note_response,
    reply,
    reply_text,
)
from app.services.community.work.threads import (
    REPLYING,
    MessageView,
    ThreadEntry,
    assignees,
    message_view,
    thread_opener,
)
from app.services.community.work.triage import claim, triage

__all__ = [
    "REPLYING",
    "SAME_REPLY_WINDOW",
    "WAITING_ON_US",
    "MessageView",
    "QueueItem",
    "ReplyFailed",
    "ReplySent",
    "ThreadEntry",
    "assignees",
    "claim",
    "due_text",
    "message_view",
    "note_response",
    "reply",
    "reply_text",
    "thread_opener",
    "triage",
    "work_queue",
]
