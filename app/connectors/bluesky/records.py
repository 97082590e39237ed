"""The AT Protocol shapes the Bluesky connector and its repository walk share: the collections we read and
write, post URIs, record times, and records as plain JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from atproto import models

from app.connectors.base import PermanentError

POST = "app.bsky.feed.post"
LIKE = "app.bsky.feed.like"
REPOST = "app.bsky.feed.repost"
FOLLOW = "app.bsky.graph.follow"


def split_uri(uri: str) -> tuple[str, str, str]:
    """'at://did/collection/rkey' -> (did, collection, rkey); PermanentError naming the value otherwise."""
    parts = uri.removeprefix("at://").split("/") if uri.startswith("at://") else []
    if len(parts) != 3 or not all(parts):
        raise PermanentError(f"not a Bluesky post id (expected at://did/{POST}/rkey): {uri!r}")
    return parts[0], parts[1], parts[2]


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def as_dict(value: Any) -> dict[str, Any]:
    """A record as plain JSON (the atproto models are pydantic; raw answers are dicts)."""
    if isinstance(value, dict):
        return value
    return models.get_model_as_dict(value) if value is not None else {}
