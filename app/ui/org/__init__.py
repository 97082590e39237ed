"""The Settings page's sections: people and roles, brands, markets, channels, the audit log and the
workspace."""

from __future__ import annotations

from app.ui.org import admin_forms

__all__ = [
    "admin_forms",
]
