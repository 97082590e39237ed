"""Bluesky reads without an AppView: the inbox (replies to our posts, posts mentioning us) and the counts
(likes, reposts, replies, followers) come from walking the repositories the PDS hosts
(`com.atproto.sync.listRepos` + `com.atproto.repo.listRecords`), since a bare PDS answers 502 for
notifications, threads and counts. That sees everyone on the same PDS (a self-hosted or community server),
bounded by the connector's `max_repos`/`max_pages`; people on other servers are not seen.

The inbox cursor is "<createdAt>|<uri>" of the last item handed out: items come oldest first, and a fetch
returns only what sorts after the cursor (createdAt is the author's clock, as in the apps).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

import httpx
from atproto import Client
from atproto.exceptions import AtProtocolError

from app.connectors.base import (
    ChannelMetrics,
    ConnectorError,
    InboxItem,
    InboxKind,
    InboxPage,
    PermanentError,
    PostMetrics,
)
from app.connectors.bluesky.records import FOLLOW, LIKE, POST, REPOST, as_dict, parse_time, split_uri

INBOX_PAGE = 50  # items per read_inbox answer; the cursor pages through the rest


class Pds(Protocol):
    """What the walk needs from the connector: its client, its limits and cache, and its calls, which sign
    in once and turn the platform's errors into ConnectorErrors."""

    client: Client
    max_repos: int
    max_pages: int
    inbox_lookback: timedelta
    handles: dict[str, tuple[str, str]]  # (handle, display name) by DID

    def call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any: ...

    def login(self) -> str: ...

    def get_record(self, uri: str) -> tuple[str, dict[str, Any]] | None: ...

    def permalink(self, uri: str, handle: str | None = None) -> str: ...


def parse_cursor(cursor: str | None) -> tuple[datetime | None, str]:
    if not cursor:
        return None, ""
    stamp, _, uri = cursor.partition("|")
    when = parse_time(stamp)
    if when is None:
        raise PermanentError(f"not a Bluesky inbox cursor (expected 'createdAt|uri'): {cursor!r}")
    return when, uri


def repos(conn: Pds) -> Iterator[str]:
    """DIDs of the active repositories on the PDS, at most `max_repos`."""
    cursor = None
    seen = 0
    while seen < conn.max_repos:
        params: dict[str, Any] = {"limit": min(1000, conn.max_repos - seen)}
        if cursor:
            params["cursor"] = cursor
        out = conn.call("listing repositories", conn.client.com.atproto.sync.list_repos, params)
        for repo in out.repos:
            if repo.active is False:
                continue
            seen += 1
            yield repo.did
        cursor = out.cursor
        if not cursor or not out.repos:
            return


def records(
    conn: Pds, did: str, collection: str, newer_than: datetime | None = None
) -> Iterator[tuple[str, dict]]:
    """(uri, record) of one repository's collection, newest first; stops after a page wholly older than
    `newer_than` (apps make time-ordered record keys) or after `max_pages` pages."""
    cursor = None
    for _ in range(conn.max_pages):
        params: dict[str, Any] = {"repo": did, "collection": collection, "limit": 100}
        if cursor:
            params["cursor"] = cursor
        out = conn.call(f"listing {collection} of {did}", conn.client.com.atproto.repo.list_records, params)
        fresh = False
        for rec in out.records:
            value = as_dict(rec.value)
            created = parse_time(value.get("createdAt"))
            if newer_than is None or (created and created > newer_than):
                fresh = True
            yield str(rec.uri), value
        cursor = out.cursor
        if not cursor or not out.records or (newer_than is not None and not fresh):
            return


def who(conn: Pds, did: str) -> tuple[str, str]:
    """(handle, display name) of an account on the PDS, cached on the connector."""
    if did not in conn.handles:
        handle, name = did, ""
        try:
            handle = conn.client.com.atproto.repo.describe_repo({"repo": did}).handle
            found = conn.get_record(f"at://{did}/app.bsky.actor.profile/self")
            name = str((found[1] if found else {}).get("displayName") or "")
        except (AtProtocolError, httpx.HTTPError, ConnectorError):
            pass  # a name is nice to have; the item is still worth showing
        conn.handles[did] = (handle, name)
    return conn.handles[did]


def read_inbox(conn: Pds, cursor: str | None) -> InboxPage:
    """Replies to our posts and posts mentioning us, oldest first, after `cursor`, or within the last
    `inbox_lookback_days` when there is none."""
    me = conn.login()
    after_time, after_uri = parse_cursor(cursor)
    # The platform's real clock: connectors sit below the product clock (app.services.core.clock).
    floor = after_time or datetime.now(UTC) - conn.inbox_lookback
    found: list[InboxItem] = []
    for did in repos(conn):
        if did == me:
            continue
        for uri, record in records(conn, did, POST, newer_than=floor):
            created = parse_time(record.get("createdAt"))
            if created is None or (created, uri) <= (floor, after_uri):
                continue
            item = _inbox_item(conn, me, did, uri, record, created)
            if item:
                found.append(item)
    found.sort(key=lambda i: (i.created_at, i.external_id))
    page = found[:INBOX_PAGE]
    if not page:
        return InboxPage(items=[], cursor=cursor)
    last = page[-1]
    return InboxPage(items=page, cursor=f"{last.created_at.isoformat()}|{last.external_id}")


def _inbox_item(conn: Pds, me: str, did: str, uri: str, record: dict, created: datetime) -> InboxItem | None:
    parent = ((record.get("reply") or {}).get("parent") or {}).get("uri") or ""
    mentions = any(
        feature.get("did") == me
        for facet in record.get("facets") or []
        for feature in facet.get("features") or []
        if str(feature.get("$type", "")).endswith("#mention")
    )
    if parent.startswith(f"at://{me}/"):
        kind = InboxKind.COMMENT
    elif mentions:
        kind = InboxKind.MENTION
    else:
        return None
    handle, name = who(conn, did)
    return InboxItem(
        external_id=uri,
        kind=kind,
        author_handle=handle,
        author_name=name,
        text=str(record.get("text") or ""),
        created_at=created,
        in_reply_to=parent or None,
        permalink=conn.permalink(uri, handle),
    )


def read_post_metrics(conn: Pds, external_ids: Sequence[str]) -> list[PostMetrics]:
    """Likes, reposts (shares) and replies (comments) of our posts. Impressions are not public on
    Bluesky, so they are not reported."""
    for uri in external_ids:
        split_uri(uri)
    wanted = set(external_ids)
    if not wanted:
        return []
    counts = {uri: {"likes": 0, "shares": 0, "comments": 0} for uri in wanted}
    conn.login()
    for did in repos(conn):
        for collection, metric in ((LIKE, "likes"), (REPOST, "shares")):
            for _, record in records(conn, did, collection):
                subject = (record.get("subject") or {}).get("uri")
                if subject in wanted:
                    counts[subject][metric] += 1
        for _, record in records(conn, did, POST):
            parent = ((record.get("reply") or {}).get("parent") or {}).get("uri")
            if parent in wanted:
                counts[parent]["comments"] += 1
    return [PostMetrics(external_id=uri, values=dict(counts[uri])) for uri in external_ids]


def read_channel_metrics(conn: Pds, since: date) -> list[ChannelMetrics]:
    """Today's followers (follow records naming us), follows and posts of the account."""
    today = datetime.now(UTC).date()
    if since > today:
        return []
    me = conn.login()
    followers = 0
    for did in repos(conn):
        followers += sum(1 for _, r in records(conn, did, FOLLOW) if r.get("subject") == me)
    following = sum(1 for _ in records(conn, me, FOLLOW))
    posts = sum(1 for _ in records(conn, me, POST))
    values = {"followers": followers, "following": following, "posts": posts}
    return [ChannelMetrics(day=today, values=values)]
