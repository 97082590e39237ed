"""The Bluesky connector (atproto): publishing exactly once by record key, replies, health checks, and the
inbox and counts read from the PDS's repositories."""

from app.connectors.bluesky.connector import BlueskyConnector, record_key, split_credential

__all__ = ["BlueskyConnector", "record_key", "split_credential"]
