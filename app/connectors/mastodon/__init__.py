"""The Mastodon connector (Mastodon.py): publishing, metrics, the inbox and replies, and health checks."""

from app.connectors.mastodon.connector import MastodonConnector

__all__ = ["MastodonConnector"]
