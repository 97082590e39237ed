"""The SOPs page: the template library and its editor, checklist runs, and their charts."""

from __future__ import annotations

from app.ui.sops import charts, panels

__all__ = [
    "charts",
    "panels",
]
