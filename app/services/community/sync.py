"""Bringing comments, mentions and direct messages from the platforms into the inbox: per channel, fetch
what is new since the stored cursor, add each message once (keyed on the platform's id), thread replies
under what they answer, advance the cursor, and keep the connection's health up to date.

The platform is called outside any database transaction (a slow server never holds SQLite's write
lock), and each page of messages commits together with the cursor that follows it, so a crash never
skips messages and a re-run never duplicates one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.connectors.base import (
    Connector,
    InboxItem,
    InboxKind,
    InboxPage,
    NotSupported,
    PermanentError,
)
from app.connectors.registry import connector_for
from app.db import read_session, write_session
from app.models import Channel, ConnectorAccount, InboxMessage, PostVariant, SlaPolicy
from app.models.enums import Direction, InboxStatus, MessageKind, Priority
from app.services.community.work import note_response, thread_opener
from app.services.core import Actor, Perm, audit, clock, require
from app.services.org import current_workspace
from app.services.platforms import error_text, note_failure, note_headroom, note_success

MAX_PAGES = 1  # per channel and run: connectors page internally; a backlog drains over the next runs
KINDS = {
    InboxKind.COMMENT: MessageKind.COMMENT,
    InboxKind.MENTION: MessageKind.MENTION,
    InboxKind.DIRECT_MESSAGE: MessageKind.DIRECT,
}


@dataclass
class ChannelSync:
    """What one channel's sync did: `skipped` says why nothing was asked (no inbox API), `error` why it
    stopped (in the platform's words)."""

    channel: str
    fetched: int = 0
    added: int = 0
    pages: int = 0
    skipped: str | None = None
    error: str | None = None
    # True when the error came from the platform and is kept on the connection (its health shows it);
    # False for a failure on our side (storing), which the job run itself must report.
    on_connection: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


def channels_to_sync(session: Session, brand_ids: Sequence[int] | None = None) -> list[int]:
    """Active channels that have a connector account, in a stable order."""
    stmt = (
        select(Channel.id)
        .join(ConnectorAccount, ConnectorAccount.channel_id == Channel.id)
        .where(Channel.active.is_(True))
        .order_by(Channel.brand_id, Channel.id)
    )
    if brand_ids is not None:
        stmt = stmt.where(Channel.brand_id.in_(brand_ids))
    return list(session.scalars(stmt))


def _same_handle(a: str, b: str) -> bool:
    def norm(h: str) -> str:
        return h.strip().lstrip("@").split("@")[0].lower()

    return bool(a) and norm(a) == norm(b)


def _first_response_minutes(session: Session, brand_id: int) -> int | None:
    """The response-time target of a normal-priority message: the brand's policy, else the workspace's."""
    ws = current_workspace(session)
    rows = dict(
        session.execute(
            select(SlaPolicy.brand_id, SlaPolicy.first_response_minutes).where(
                SlaPolicy.workspace_id == ws.id,
                SlaPolicy.priority == Priority.NORMAL,
                (SlaPolicy.brand_id == brand_id) | SlaPolicy.brand_id.is_(None),
            )
        ).all()
    )
    return rows.get(brand_id, rows.get(None))


def _clean(text: str | None) -> str:
    # PostgreSQL cannot store NUL characters; one in a stranger's message must not block the channel.
    return (text or "").replace("\x00", "")


def _insert_once(session: Session, values: dict) -> int | None:
    """Insert unless the channel already holds this platform id (a re-run, an overlapping page, or another
    runner got there first); the new row's id, or None."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(InboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["channel_id", "external_id"])
        .returning(InboxMessage.id)
    )
    return session.scalar(stmt)


def _store_page(session: Session, channel: Channel, items: Sequence[InboxItem]) -> int:
    """Add the page's new messages oldest first (so a reply finds its parent from the same page)."""
    m = InboxMessage
    known = set(
        session.scalars(
            select(m.external_id).where(
                m.channel_id == channel.id, m.external_id.in_([i.external_id for i in items])
            )
        )
    )
    sla = _first_response_minutes(session, channel.brand_id)
    added = 0
    for item in sorted(items, key=lambda i: (i.created_at, i.external_id)):
        if item.external_id in known:
            continue
        received = item.created_at if item.created_at.tzinfo else item.created_at.replace(tzinfo=UTC)
        outbound = _same_handle(item.author_handle, channel.handle)
        parent = variant_id = None
        if item.in_reply_to:
            parent = session.scalars(
                select(m).where(m.channel_id == channel.id, m.external_id == item.in_reply_to)
            ).first()
            if parent is None:
                variant_id = session.scalar(
                    select(PostVariant.id).where(
                        PostVariant.channel_id == channel.id, PostVariant.external_id == item.in_reply_to
                    )
                )
        opens_thread = parent is None
        new_id = _insert_once(
            session,
            {
                "brand_id": channel.brand_id,
                "channel_id": channel.id,
                "external_id": item.external_id,
                "thread_key": parent.thread_key if parent else f"{channel.platform.value}:{item.external_id}",
                "parent_id": parent.id if parent else None,
                "variant_id": parent.variant_id if parent else variant_id,
                "kind": KINDS.get(item.kind, MessageKind.COMMENT),
                "direction": Direction.OUTBOUND if outbound else Direction.INBOUND,
                "author_handle": _clean(item.author_handle)[:200],
                "author_name": _clean(item.author_name)[:200],
                "body": _clean(item.text),
                "status": InboxStatus.RESOLVED if outbound else InboxStatus.NEW,
                "received_at": received,
                "sla_due_at": received + timedelta(minutes=sla)
                if sla and opens_thread and not outbound
                else None,
                "created_at": clock.now(),
                "version": 1,
            },
        )
        if new_id is None:
            continue
        added += 1
        known.add(item.external_id)
        if parent is not None:
            opener = thread_opener(session, parent)
            if outbound:
                # The team answered on the platform itself: that is the thread's response too.
                note_response(opener, received)
            elif opener.status in (InboxStatus.RESOLVED, InboxStatus.WAITING):
                # A customer wrote again in a thread the team had closed or was waiting on.
                opener.status = InboxStatus.OPEN
                opener.resolved_at = None
    return added


def _account(session: Session, channel_id: int) -> ConnectorAccount:
    return session.scalars(select(ConnectorAccount).where(ConnectorAccount.channel_id == channel_id)).one()


def _record_failure(engine: Engine, actor: Actor, channel_id: int, exc: BaseException) -> str:
    with write_session(engine) as s:
        brand_id = s.get(Channel, channel_id).brand_id
        return note_failure(s, actor, _account(s, channel_id), brand_id, exc, clock.now())


def sync_channel(engine: Engine, actor: Actor, channel_id: int, max_pages: int = MAX_PAGES) -> ChannelSync:
    """Fetch and store one channel's new inbox items. A platform error is recorded on the connection and
    returned in the result, never raised, so the other channels still sync."""
    with read_session(engine) as s:
        channel = s.get(Channel, channel_id)
        if channel is None:
            raise ValueError(f"no channel with id {channel_id}")
        require(actor, Perm.INBOX_WORK, channel.brand_id)
        result = ChannelSync(channel.slug)
        account = _account(s, channel_id)
        cursor = account.inbox_cursor
        try:
            connector: Connector = connector_for(account, channel)
        except NotSupported as exc:
            result.skipped = error_text(exc)
            return result
        except Exception as exc:
            connector, failure = None, exc  # recorded below, outside this read transaction
    if connector is None:
        result.error, result.on_connection = _record_failure(engine, actor, channel_id, failure), True
        return result
    checked = False
    for _ in range(max_pages):
        try:
            page: InboxPage = connector.fetch_inbox(cursor)
        except NotSupported as exc:
            result.skipped = error_text(exc)
            break
        except Exception as exc:
            result.error, result.on_connection = _record_failure(engine, actor, channel_id, exc), True
            break
        if not checked:
            if not _checked(engine, actor, channel_id, connector, result):
                break  # nothing is stored from a connection that is not who the channel says it is
            checked = True
        with write_session(engine) as s:
            channel = s.get(Channel, channel_id)
            account = _account(s, channel_id)
            added = _store_page(s, channel, page.items) if page.items else 0
            if page.cursor:
                account.inbox_cursor = page.cursor
            note_success(s, actor, account, channel.brand_id, clock.now())
            if added:
                audit.record(
                    s,
                    actor,
                    "inbox.synced",
                    "channel",
                    channel_id,
                    label=channel.slug,
                    brand_id=channel.brand_id,
                    after={"added": added, "cursor": account.inbox_cursor},
                )
        result.pages += 1
        result.fetched += len(page.items)
        result.added += added
        if not page.items or not page.cursor or page.cursor == cursor:
            break
        cursor = page.cursor
    return result


def _checked(
    engine: Engine, actor: Actor, channel_id: int, connector: Connector, result: ChannelSync
) -> bool:
    """The health check, once per sync and only for a connector that has an inbox (a webhook's check
    pings the receiver): it keeps token expiry and the rate-limit headroom left after our calls current
    on the health page, and stops a token that signs in as another account from filling this channel's
    inbox with someone else's messages. False when the sync must stop (the failure is recorded)."""
    try:
        health = connector.check_health()
    except NotSupported:
        return True
    except Exception as exc:
        result.error, result.on_connection = _record_failure(engine, actor, channel_id, exc), True
        return False
    with write_session(engine) as s:
        account = _account(s, channel_id)
        note_headroom(account, health)
        if not health.ok:
            brand_id = s.get(Channel, channel_id).brand_id
            result.error = note_failure(
                s, actor, account, brand_id, PermanentError(health.message), clock.now()
            )
            result.on_connection = True
    return health.ok


def sync_inbox(engine: Engine, actor: Actor, brand_ids: Sequence[int] | None = None) -> list[ChannelSync]:
    """Every active connected channel (of the given brands), one after the other."""
    with read_session(engine) as s:
        ids = channels_to_sync(s, brand_ids)
        slugs = dict(s.execute(select(Channel.id, Channel.slug).where(Channel.id.in_(ids))).all())
    channels = {cid: slugs[cid] for cid in ids}
    results = []
    for cid, slug in channels.items():
        try:
            results.append(sync_channel(engine, actor, cid))
        except Exception as exc:  # storing failed (not the platform): say so, and go on with the others
            results.append(ChannelSync(slug, error=error_text(exc)))
    return results
