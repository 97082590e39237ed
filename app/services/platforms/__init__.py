"""The platforms: what each accepts (characters, media, alt text, links) and how each channel's connection
is doing (checks through its connector, and what syncs learned about it)."""

from __future__ import annotations

from app.services.platforms import connections, rules
from app.services.platforms.outcomes import error_text, note_failure, note_headroom, note_success
from app.services.platforms.rules import (
    RULES,
    Level,
    MediaInfo,
    RuleIssue,
    check_variant,
    count_chars,
    errors,
)

__all__ = [
    "RULES",
    "Level",
    "MediaInfo",
    "RuleIssue",
    "check_variant",
    "connections",
    "count_chars",
    "error_text",
    "errors",
    "note_failure",
    "note_headroom",
    "note_success",
    "rules",
]
