"""What each platform accepts, and the check of one variant against it: characters (counted the way
the platform counts), hashtags, media count and types, alt text, links. The composer runs it live,
and every save (composer, bulk import, sheet sync, reschedule) runs it again: errors block, warnings
inform."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.models.enums import AssetKind, Platform

URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
HASHTAG_RE = re.compile(r"(?<![\w#])#(\w+)", re.UNICODE)


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class RuleIssue:
    level: Level
    field: str  # "copy", "media", "alt_text", "link"
    message: str


@dataclass(frozen=True)
class MediaInfo:
    """What the rules need to know of one attached asset."""

    kind: AssetKind
    alt_text: str = ""
    filename: str = ""


@dataclass(frozen=True)
class PlatformRules:
    platform: Platform
    max_chars: int
    # Every link counts as this many characters (X and Mastodon shorten them); None: as written.
    url_chars: int | None = None
    # Bluesky counts graphemes (what a reader sees as one character), not code points.
    count_graphemes: bool = False
    max_hashtags: int | None = None
    max_media: int = 10
    media_kinds: frozenset[AssetKind] = frozenset({AssetKind.IMAGE, AssetKind.VIDEO})
    needs_media: bool = False
    # Images need alt text: required where the platform and accessibility policy make it matter.
    alt_text_required: bool = True
    # False: links in the caption are not clickable (Instagram, TikTok) - warn, suggest link in bio.
    links_clickable: bool = True
    note: str = ""


_IMG = AssetKind.IMAGE
_VID = AssetKind.VIDEO
_DOC = AssetKind.DOCUMENT

RULES: dict[Platform, PlatformRules] = {
    Platform.X: PlatformRules(
        Platform.X, 280, url_chars=23, max_hashtags=3, max_media=4, note="Links count as 23 characters."
    ),
    Platform.BLUESKY: PlatformRules(
        Platform.BLUESKY,
        300,
        count_graphemes=True,
        max_media=4,
        media_kinds=frozenset({_IMG, _VID}),
        note="300 graphemes.",
    ),
    Platform.MASTODON: PlatformRules(
        Platform.MASTODON, 500, url_chars=23, max_media=4, note="Links count as 23 characters."
    ),
    Platform.THREADS: PlatformRules(
        Platform.THREADS, 500, max_hashtags=1, max_media=10, note="One topic tag per post."
    ),
    Platform.LINKEDIN: PlatformRules(
        Platform.LINKEDIN, 3000, max_hashtags=5, max_media=20, media_kinds=frozenset({_IMG, _VID, _DOC})
    ),
    Platform.FACEBOOK: PlatformRules(Platform.FACEBOOK, 63206, max_hashtags=10, max_media=10),
    Platform.INSTAGRAM: PlatformRules(
        Platform.INSTAGRAM,
        2200,
        max_hashtags=30,
        max_media=10,
        needs_media=True,
        links_clickable=False,
        note="Links in captions are not clickable.",
    ),
    Platform.TIKTOK: PlatformRules(
        Platform.TIKTOK,
        2200,
        max_media=35,
        media_kinds=frozenset({_VID, _IMG}),
        needs_media=True,
        links_clickable=False,
        alt_text_required=False,
        note="Video, or a photo carousel.",
    ),
    Platform.YOUTUBE: PlatformRules(
        Platform.YOUTUBE,
        5000,
        max_hashtags=15,
        max_media=1,
        media_kinds=frozenset({_VID}),
        needs_media=True,
        alt_text_required=False,
        note="Description of one video.",
    ),
    Platform.PINTEREST: PlatformRules(
        Platform.PINTEREST,
        500,
        max_hashtags=20,
        max_media=1,
        needs_media=True,
        note="One image or video per Pin.",
    ),
}


def count_chars(platform: Platform, text: str) -> int:
    """Characters as the platform counts them."""
    rules = RULES[platform]
    if rules.url_chars is not None:
        text = URL_RE.sub("x" * rules.url_chars, text)
    if rules.count_graphemes:
        return _graphemes(text)
    return len(text)


def _graphemes(text: str) -> int:
    # Close enough to Unicode grapheme clusters for limits: combining marks, variation selectors,
    # zero-width joiners (and what they join) and skin-tone modifiers add nothing.
    count = 0
    join_next = False
    for ch in text:
        if join_next:
            join_next = False
            continue
        if ch == "\u200d":
            join_next = True
            continue
        if unicodedata.combining(ch) or "\ufe00" <= ch <= "\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff":
            continue
        count += 1
    return count


def hashtags(text: str) -> list[str]:
    return HASHTAG_RE.findall(text)


def check_variant(
    platform: Platform | str, copy: str, media: Sequence[MediaInfo] = (), link_url: str | None = None
) -> list[RuleIssue]:
    """Everything wrong (errors) or worth knowing (warnings) about this copy and media on `platform`."""
    rules = RULES[Platform(platform)]
    name = rules.platform.label
    issues: list[RuleIssue] = []
    copy = copy or ""
    used = count_chars(rules.platform, copy)
    if not copy.strip() and not media:
        issues.append(RuleIssue(Level.ERROR, "copy", f"{name}: write some copy or attach media"))
    if used > rules.max_chars:
        issues.append(
            RuleIssue(
                Level.ERROR,
                "copy",
                f"{name}: {used:,} characters, the limit is {rules.max_chars:,} "
                f"({used - rules.max_chars:,} too many)",
            )
        )
    tags = hashtags(copy)
    if rules.max_hashtags is not None and len(tags) > rules.max_hashtags:
        issues.append(
            RuleIssue(Level.ERROR, "copy", f"{name}: {len(tags)} hashtags, at most {rules.max_hashtags}")
        )
    if len(media) > rules.max_media:
        issues.append(
            RuleIssue(Level.ERROR, "media", f"{name}: {len(media)} media, at most {rules.max_media}")
        )
    if rules.needs_media and not media:
        issues.append(RuleIssue(Level.ERROR, "media", f"{name}: needs an image or a video"))
    for m in media:
        if m.kind not in rules.media_kinds:
            allowed = ", ".join(sorted(k.value for k in rules.media_kinds))
            issues.append(
                RuleIssue(
                    Level.ERROR,
                    "media",
                    f"{name}: {m.filename or m.kind.value} is a {m.kind.value}; {name} takes {allowed}",
                )
            )
        if m.kind == AssetKind.IMAGE and rules.alt_text_required and not (m.alt_text or "").strip():
            issues.append(
                RuleIssue(
                    Level.ERROR,
                    "alt_text",
                    f"{name}: image {m.filename or ''} needs alt text".replace("  ", " "),
                )
            )
    links = URL_RE.findall(copy) + ([link_url] if link_url else [])
    if links and not rules.links_clickable:
        issues.append(
            RuleIssue(
                Level.WARNING, "link", f"{name}: links are not clickable here; point to the link in bio"
            )
        )
    if used > rules.max_chars * 0.9 and used <= rules.max_chars:
        issues.append(RuleIssue(Level.WARNING, "copy", f"{name}: {rules.max_chars - used} characters left"))
    return issues


def errors(issues: Sequence[RuleIssue]) -> list[RuleIssue]:
    return [i for i in issues if i.level == Level.ERROR]
