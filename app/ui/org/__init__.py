"""The Settings page's sections: people and roles, brands, markets, channels, the audit log and the
workspace; and the Setup page's first-run steps and starter packs."""

from __future__ import annotations

from app.ui.org import admin_forms, setup

__all__ = [
    "admin_forms",
    "setup",
]
