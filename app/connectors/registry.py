"""Which connector talks to a channel: `connector_for(account, channel)` builds it from the channel's
connector account (kind, base URL, credential NAME, settings). Client libraries load only when used."""

from __future__ import annotations

import importlib

from app.connectors.base import Connector, NotSupported
from app.connectors.credentials import resolve_credential
from app.models import Channel, ConnectorAccount
from app.models.enums import ConnectorKind

# kind -> (module, class). Every class takes the same keyword constructor:
# (*, base_url: str | None, credential: str | None, handle: str, settings: dict), where settings are
# the connector account's settings plus "platform" and "channel" (the channel's slug).
CONNECTORS: dict[ConnectorKind, tuple[str, str]] = {
    ConnectorKind.MASTODON: ("app.connectors.mastodon", "MastodonConnector"),
    ConnectorKind.BLUESKY: ("app.connectors.bluesky", "BlueskyConnector"),
    ConnectorKind.WEBHOOK: ("app.connectors.webhook", "WebhookConnector"),
    ConnectorKind.MANUAL: ("app.connectors.manual", "ManualConnector"),
}


def connector_for(account: ConnectorAccount, channel: Channel) -> Connector:
    """A ready connector for `channel`; NotSupported for kinds without one (export files), and
    CredentialMissing (a PermanentError) when the credential the channel names is not set."""
    kind = ConnectorKind(account.kind)
    target = CONNECTORS.get(kind)
    if target is None:
        raise NotSupported(
            f"channel {channel.slug} uses the {kind.value!r} connector, which has no API client "
            f"(its numbers come from platform export files); pick one of "
            f"{', '.join(k.value for k in CONNECTORS)} to publish or check it"
        )
    module_name, class_name = target
    # A credential is resolved only when the channel names one: manual channels have none, and a
    # connector that needs one says so itself.
    credential = resolve_credential(account.credential_env) if account.credential_env else None
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls(
        base_url=account.base_url,
        credential=credential,
        handle=channel.handle,
        # The channel's platform and slug ride along (a webhook tells its flow where the post goes);
        # the account's own settings win if they set them.
        settings={"platform": channel.platform.value, "channel": channel.slug, **(account.settings or {})},
    )
