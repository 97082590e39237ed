"""Connectors: one module per platform behind the Protocol in `app.connectors.base`."""
