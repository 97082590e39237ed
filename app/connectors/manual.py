"""The manual connector, for platforms without API access: nothing is sent anywhere. The publish job puts
a due variant in the "ready to post" queue instead, a person posts it by hand and records the permalink
(app.services.publishing_manual); metrics come from the platform's export files."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from app.connectors.base import (
    ChannelMetrics,
    Health,
    InboxPage,
    NotSupported,
    Outgoing,
    PostMetrics,
    Published,
)
from app.models.enums import ConnectorKind


class ManualConnector:
    kind = ConnectorKind.MANUAL
    # The publish job reads this rather than the kind, so another connector could queue for a person too.
    queues_for_person = True

    def __init__(
        self,
        *,
        base_url: str | None = None,
        credential: str | None = None,
        handle: str = "",
        settings: dict[str, Any] | None = None,
    ) -> None:
        # base_url, if set, is the channel's profile page, shown next to the queue item.
        self.base_url = base_url
        self.handle = handle
        self.settings = dict(settings or {})

    def _person(self, what: str) -> NotSupported:
        return NotSupported(f"{self.handle or 'this channel'} is posted by a person: {what}")

    def publish(self, post: Outgoing) -> Published:
        raise self._person("it goes to the Ready to post queue, and the permalink is recorded there")

    def find_published(self, idempotency_key: str, since: datetime) -> Published | None:
        # Nothing was ever sent, so an earlier attempt cannot have published anything.
        return None

    def fetch_post_metrics(self, external_ids: Sequence[str]) -> list[PostMetrics]:
        raise self._person("its numbers come from the platform's export files")

    def fetch_channel_metrics(self, since: date) -> list[ChannelMetrics]:
        raise self._person("its numbers come from the platform's export files")

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        raise self._person("there is no inbox to read without an API")

    def send_reply(self, in_reply_to: str, text: str, idempotency_key: str) -> Published:
        raise self._person("reply on the platform itself")

    def check_health(self) -> Health:
        return Health(
            ok=True, message="posted by hand from the Ready to post queue", account=self.handle or None
        )
