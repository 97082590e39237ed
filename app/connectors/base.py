"""The one contract every platform connector meets: publish a variant, read metrics and the inbox, reply,
and say how healthy the connection is. Services and jobs only ever see this Protocol."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Protocol, runtime_checkable

from app.models.enums import ConnectorKind


@dataclass(frozen=True)
class MediaFile:
    """A file to attach, already on local disk (the asset library's storage)."""

    path: Path
    mime_type: str
    alt_text: str = ""


@dataclass(frozen=True)
class Outgoing:
    """One variant as the platform should receive it.

    `idempotency_key` is stable for the variant across retries: a connector sends it where the platform
    accepts one (Mastodon's Idempotency-Key header, a webhook header, a Bluesky record key) and
    `find_published` uses it to tell whether an earlier attempt already went out."""

    text: str
    idempotency_key: str
    media: tuple[MediaFile, ...] = ()
    link: str | None = None
    reply_to: str | None = None  # the platform's id of the post this one answers


@dataclass(frozen=True)
class Published:
    external_id: str
    permalink: str | None
    published_at: datetime | None = None


@dataclass(frozen=True)
class PostMetrics:
    external_id: str
    # Base metric names of the metrics dictionary: impressions, likes, comments, shares, saves, clicks...
    values: dict[str, int]


@dataclass(frozen=True)
class ChannelMetrics:
    day: date
    values: dict[str, int]  # followers, impressions, ...


class InboxKind(StrEnum):
    COMMENT = "comment"
    MENTION = "mention"
    DIRECT_MESSAGE = "direct_message"


@dataclass(frozen=True)
class InboxItem:
    external_id: str
    kind: InboxKind
    author_handle: str
    text: str
    created_at: datetime
    author_name: str = ""
    in_reply_to: str | None = None  # the platform's id of the post or message answered
    permalink: str | None = None


@dataclass(frozen=True)
class InboxPage:
    items: list[InboxItem]
    cursor: str | None  # pass back next time to get only newer items


@dataclass(frozen=True)
class Health:
    ok: bool
    message: str
    account: str | None = None  # who the credentials belong to
    token_expires_at: datetime | None = None
    rate_limit_remaining: int | None = None
    rate_limit_reset_at: datetime | None = None
    details: dict[str, str] = field(default_factory=dict)


class ConnectorError(Exception):
    """A platform refused or failed; `platform_message` is what the platform said, shown to people."""

    def __init__(self, message: str, *, platform_message: str | None = None, status: int | None = None):
        super().__init__(message)
        self.platform_message = platform_message or message
        self.status = status


class TransientError(ConnectorError):
    """Worth retrying later: timeouts, connection errors, 429 and 5xx answers."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object):
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after


class PermanentError(ConnectorError):
    """Retrying will not help: bad credentials, content the platform refuses, a deleted parent post."""


class NotSupported(ConnectorError):
    """The connector cannot do this at all (a manual channel has no metrics API, say)."""


@runtime_checkable
class Connector(Protocol):
    kind: ConnectorKind

    def publish(self, post: Outgoing) -> Published: ...

    def find_published(
        self, idempotency_key: str, since: datetime, *, post: Outgoing | None = None
    ) -> Published | None:
        """The post an earlier attempt with this key published, if it reached the platform.

        `post` is what that attempt sent. Pass it: a platform that does not keep the key on the post
        (Mastodon honours Idempotency-Key on create but never shows it again) is matched on the
        post's text and reply target instead, and without it such a connector cannot tell."""
        ...

    def fetch_post_metrics(self, external_ids: Sequence[str]) -> list[PostMetrics]: ...

    def fetch_channel_metrics(self, since: date) -> list[ChannelMetrics]: ...

    def fetch_inbox(self, cursor: str | None) -> InboxPage: ...

    def send_reply(self, in_reply_to: str, text: str, idempotency_key: str) -> Published: ...

    def check_health(self) -> Health: ...
