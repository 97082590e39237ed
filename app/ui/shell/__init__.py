"""The app shell: first start, sign-in, acting as someone in local mode, the per-role navigation, the sidebar filters, the banners on every
page, notifications, and running a page so a failure reads as a message."""

from __future__ import annotations

from app.ui.shell import health_banner
from app.ui.shell.acting import act_as_picker, acting_actor, acting_banner, person_changed
from app.ui.shell.auth import current_actor
from app.ui.shell.banners import show_banners
from app.ui.shell.bootstrap import ensure_database, load_settings
from app.ui.shell.errors import database_unavailable_stops_here, run_page
from app.ui.shell.filters import brand_switcher, period_picker, restart_brand_choice
from app.ui.shell.health_banner import show_health_banner
from app.ui.shell.navigation import build_navigation, needs_setup
from app.ui.shell.notifications import notifications_sidebar

__all__ = [
    "act_as_picker",
    "acting_actor",
    "acting_banner",
    "brand_switcher",
    "build_navigation",
    "current_actor",
    "database_unavailable_stops_here",
    "ensure_database",
    "health_banner",
    "load_settings",
    "needs_setup",
    "notifications_sidebar",
    "period_picker",
    "person_changed",
    "restart_brand_choice",
    "run_page",
    "show_banners",
    "show_health_banner",
]
