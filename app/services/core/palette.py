"""The colours a status and a platform have everywhere (charts, the calendar grid), so "failed" is the
same red on every page. Plain data, usable by services and the UI alike."""

from __future__ import annotations

STATUS_COLORS: dict[str, str] = {
    "idea": "#BAB0AC",
    "draft": "#9D755D",
    "in_review": "#F58518",
    "approved": "#72B7B2",
    "scheduled": "#4C78A8",
    "publishing": "#B279A2",
    "published": "#54A24B",
    "failed": "#E45756",
    "archived": "#D3D3D3",
}
PLATFORM_COLORS: dict[str, str] = {
    "facebook": "#1877F2",
    "instagram": "#E1306C",
    "linkedin": "#0A66C2",
    "x": "#444444",
    "tiktok": "#25F4EE",
    "youtube": "#FF0000",
    "threads": "#7F7F7F",
    "pinterest": "#BD081C",
    "mastodon": "#6364FF",
    "bluesky": "#1185FE",
}
