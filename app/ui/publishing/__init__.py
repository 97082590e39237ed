"""Publishing controls: the pause switches, the paused banner and a post's publishing panel."""

from __future__ import annotations

from app.ui.publishing.controls import pause_banner, pause_switches, publish_panel

__all__ = [
    "pause_banner",
    "pause_switches",
    "publish_panel",
]
