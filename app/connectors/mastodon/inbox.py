"""The Mastodon inbox: mentions (from notifications), replies to our posts (from notifications, and from
the threads of our recent posts, since a reply need not mention us) and direct messages, since a cursor.

The cursor is "n:<last notification id>,r:<last reply id>": Mastodon ids grow with time, so each fetch
asks only for what is newer than the last one seen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mastodon import Mastodon

from app.connectors.base import InboxItem, InboxKind, InboxPage
from app.connectors.mastodon.text import plain_text

# The connector's call(what, fn, *args, **kwargs): fn's platform errors come back as ConnectorErrors.
Call = Callable[..., Any]

RECENT_POSTS_SCANNED = 20  # own posts whose threads are read for replies that do not mention us
NOTIFICATION_PAGES = 5  # pages of 80 per fetch; the rest comes next time, from the cursor on


def parse_cursor(cursor: str | None) -> tuple[int | None, int | None]:
    notif = reply = None
    for part in (cursor or "").split(","):
        key, _, value = part.partition(":")
        if value.strip().isdigit():
            if key.strip() == "n":
                notif = int(value)
            elif key.strip() == "r":
                reply = int(value)
    return notif, reply


def make_cursor(notif: int | None, reply: int | None) -> str | None:
    parts = [f"n:{notif}" if notif is not None else "", f"r:{reply}" if reply is not None else ""]
    return ",".join(p for p in parts if p) or None


def _item(status: Any, kind: InboxKind) -> InboxItem:
    return InboxItem(
        external_id=str(status.id),
        kind=kind,
        author_handle=f"@{status.account.acct}",
        author_name=status.account.display_name or "",
        text=plain_text(status.content),
        created_at=status.created_at,
        in_reply_to=str(status.in_reply_to_id) if status.in_reply_to_id else None,
        permalink=status.url or status.uri,
    )


def _kind(status: Any, me_id: str) -> InboxKind:
    if status.visibility == "direct":
        return InboxKind.DIRECT_MESSAGE
    if status.in_reply_to_account_id is not None and str(status.in_reply_to_account_id) == me_id:
        return InboxKind.COMMENT
    return InboxKind.MENTION


def read_inbox(api: Mastodon, me: Any, call: Call, cursor: str | None) -> InboxPage:
    """The inbox after `cursor`, read with `api` as the signed-in account `me`; every request goes through
    `call`."""
    me_id = str(me.id)
    last_notif, last_reply = parse_cursor(cursor)
    found: dict[str, InboxItem] = {}

    # Mentions, replies that mention us, and direct messages all arrive as "mention" notifications.
    # With a cursor, walk forward from it (min_id); the first time, take the newest page only.
    newest_notif = last_notif
    if last_notif is None:
        pages = [call("reading notifications", api.notifications, types=["mention"], limit=40)]
        newest_notif = 0  # from now on, walk forward from here even if there was nothing yet
    else:
        pages = []
        min_id: int = last_notif
        for _ in range(NOTIFICATION_PAGES):
            page = call(
                "reading notifications", api.notifications, types=["mention"], min_id=min_id, limit=80
            )
            if not page:
                break
            pages.append(page)
            min_id = max(int(n.id) for n in page)
    for page in pages:
        for n in page:
            newest_notif = max(newest_notif or 0, int(n.id))
            if n.type == "mention" and n.status is not None and str(n.status.account.id) != me_id:
                found[str(n.status.id)] = _item(n.status, _kind(n.status, me_id))

    # Replies that do not mention us only show in the threads of our posts.
    newest_reply = last_reply
    own = call("listing recent posts", api.account_statuses, me.id, limit=RECENT_POSTS_SCANNED)
    for status in own or []:
        if not status.replies_count:
            continue
        context = call(f"reading replies to {status.id}", api.status_context, status.id)
        for reply in context.descendants:
            rid = int(reply.id)
            if (
                str(reply.account.id) != me_id
                and reply.in_reply_to_account_id is not None
                and str(reply.in_reply_to_account_id) == me_id
                and (last_reply is None or rid > last_reply)
            ):
                newest_reply = max(newest_reply or 0, rid)
                found.setdefault(str(reply.id), _item(reply, _kind(reply, me_id)))

    items = sorted(found.values(), key=lambda i: (i.created_at, int(i.external_id)))
    # A reply taken from the notifications must not come back through the thread walk next time.
    comment_ids = [int(i.external_id) for i in items if i.kind is InboxKind.COMMENT]
    if comment_ids:
        newest_reply = max([newest_reply or 0, *comment_ids])
    return InboxPage(items=items, cursor=make_cursor(newest_notif, newest_reply) or cursor)
