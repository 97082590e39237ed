"""Checking the rows of a bulk file with the composer's rules and grouping them into planned posts:
channel of the brand and switched on, pillar and campaign of the brand, idea or draft, http(s) link,
the platform's rules for the copy and media, the time not in the past, the assets usable then."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Asset, Brand, Campaign, Channel, ContentPillar
from app.models.enums import Platform, PostStatus, PostType
from app.services.content.assets.media import asset_blockers, media_for_assets
from app.services.content.bulk.formats import ParsedFile, RowProblem, SourceRow
from app.services.content.bulk.times import TimeProblem, parse_date_and_time, parse_datetime
from app.services.content.drafts import time_problem
from app.services.core import NUL_REASON, ServiceError, ValidationError, clock, validation
from app.services.platforms import Level, MediaInfo, check_variant

_PLATFORM_NAMES: dict[str, Platform] = {
    **{p.value: p for p in Platform},
    **{p.label.lower(): p for p in Platform},
    "twitter": Platform.X,
}
_SPLIT = re.compile(r"\s*[|;\n]\s*")
NEW_STATUSES = (PostStatus.IDEA, PostStatus.DRAFT)


@dataclass
class PlannedVariant:
    row: int
    channel: Channel
    copy: str
    scheduled_at: datetime | None
    asset_ids: tuple[int, ...] = ()
    alt_texts: dict[int, str] = field(default_factory=dict)
    raw_time: str = ""


@dataclass
class PlannedPost:
    key: str
    rows: list[int] = field(default_factory=list)
    title: str = ""
    master_copy: str = ""
    link: str | None = None
    post_type: PostType = PostType.IMAGE
    status: PostStatus = PostStatus.DRAFT
    pillar_id: int | None = None
    campaign_id: int | None = None
    variants: list[PlannedVariant] = field(default_factory=list)
    refused: bool = False
    channelless_rows: list[int] = field(default_factory=list)
    # Post-level field -> (row, cell text) where it was first given: later rows must agree.
    given: dict[str, tuple[int, str]] = field(default_factory=dict)


def title_from_copy(copy: str, row: int) -> str:
    """A title for formats without one (Hootsuite, Sprout): the copy's first line, cut at a word."""
    line = next((ln.strip() for ln in copy.splitlines() if ln.strip()), "")
    line = re.sub(r"\s+", " ", line)
    if not line:
        return f"Imported post (row {row})"
    if len(line) <= 80:
        return line
    return line[:80].rsplit(" ", 1)[0].rstrip(" ,.;:-") + "…"


def _shown(value: str) -> str:
    return value if len(value) <= 80 else value[:77] + "..."


class RowChecker:
    """Feed it rows with `add`, then `finish` gives the planned posts; problems and warnings collect
    as it goes. Reads the brand's channels, pillars, campaigns and assets once."""

    def __init__(
        self,
        session: Session,
        brand: Brand,
        tz: ZoneInfo,
        parsed: ParsedFile,
        channel: str | None,
        date_order: str,
    ) -> None:
        self.session, self.brand, self.tz, self.parsed, self.date_order = (
            session,
            brand,
            tz,
            parsed,
            date_order,
        )
        self.now = clock.now()
        self.channels = list(
            session.scalars(select(Channel).where(Channel.brand_id == brand.id).order_by(Channel.id))
        )
        # Archived pillars and campaigns are known (to say so) but take no new posts: id None.
        self.pillars = {
            p.name.strip().lower(): None if p.archived_at else p.id
            for p in session.scalars(select(ContentPillar).where(ContentPillar.brand_id == brand.id))
        }
        self.campaigns: dict[str, int | None] = {}
        for c in session.scalars(select(Campaign).where(Campaign.brand_id == brand.id)):
            for name in (c.slug.lower(), c.name.strip().lower()):
                self.campaigns[name] = None if c.archived_at else c.id
        self._assets: tuple[dict[int, str], dict[str, list[int]]] | None = None
        self._media_cache: dict[tuple, list[MediaInfo] | str] = {}
        self._blocker_cache: dict[tuple, list[str]] = {}
        self.posts: dict[str, PlannedPost] = {}
        self.problems: list[RowProblem] = []
        self.warnings: list[RowProblem] = []
        self.default_channel: Channel | None = None
        if (channel or "").strip():
            found, reason = self.resolve_channel(channel or "")
            if found is None:
                raise ValidationError(reason or "unknown channel", field="channel", value=channel)
            self.default_channel = found

    # --- lookups ------------------------------------------------------------------------------------

    def resolve_channel(self, value: str) -> tuple[Channel | None, str | None]:
        key = value.strip().lower()
        slugs = ", ".join(c.slug for c in self.channels if c.active) or "none"
        for ch in self.channels:
            if ch.slug == key:
                return (ch, None) if ch.active else (None, f"channel {key!r} is switched off")
        platform = _PLATFORM_NAMES.get(key)
        if platform is not None:
            active = [c for c in self.channels if c.platform == platform and c.active]
            if len(active) == 1:
                return active[0], None
            if active:
                names = ", ".join(c.slug for c in active)
                return (
                    None,
                    f"{self.brand.name} has {len(active)} {platform.label} channels ({names}): give the slug",
                )
            return None, f"{self.brand.name} has no {platform.label} channel switched on"
        return None, f"channel {value!r} is not a channel of this brand (its channels: {slugs})"

    def _asset_maps(self) -> tuple[dict[int, str], dict[str, list[int]]]:
        if self._assets is None:
            by_id: dict[int, str] = {}
            by_name: dict[str, list[int]] = {}
            for aid, name in self.session.execute(
                select(Asset.id, Asset.filename).where(Asset.brand_id == self.brand.id)
            ):
                by_id[aid] = name
                by_name.setdefault(name.strip().lower(), []).append(aid)
            self._assets = (by_id, by_name)
        return self._assets

    def _media_refs(self, text: str) -> tuple[tuple[int, ...], str | None]:
        by_id, by_name = self._asset_maps()
        ids: list[int] = []
        for ref in (r for r in _SPLIT.split(text) if r):
            if re.fullmatch(r"#?\d+", ref):
                aid = int(ref.lstrip("#"))
                if aid not in by_id:
                    return (), f"asset #{aid} is not in {self.brand.name}'s library"
                ids.append(aid)
                continue
            found = by_name.get(ref.lower(), [])
            if not found:
                return (), f"no asset called {ref!r} in {self.brand.name}'s library"
            if len(found) > 1:
                return (), f"{len(found)} assets are called {ref!r}: give the id instead (e.g. #{found[0]})"
            ids.append(found[0])
        return tuple(ids), None

    # --- rows ---------------------------------------------------------------------------------------

    def _problem(self, row: int, column: str, value: str, reason: str, *, warning: bool = False) -> None:
        entry = RowProblem(row, self.parsed.column(column), _shown(value), reason)
        (self.warnings if warning else self.problems).append(entry)

    def add(self, src: SourceRow) -> None:
        v, n, fmt = src.values, src.row, self.parsed.format
        before = len(self.problems)
        for column, value in v.items():
            if "\x00" in (value or ""):
                # Refused here, on both stores: PostgreSQL cannot store NUL in text at all.
                self._problem(n, column, value, f"the cell {NUL_REASON}")
        if len(self.problems) > before:
            return
        copy = v.get("copy", "")
        when: datetime | None = None
        raw_time = v.get("scheduled_at", "")
        if fmt == "sprout":
            raw_time = f"{v.get('date', '')} {v.get('time', '')}".strip()
            when, col, reason = parse_date_and_time(
                v.get("date", ""), v.get("time", ""), self.tz, self.date_order
            )
            if reason:
                self._problem(n, col or "date", v.get(col or "date", ""), reason)
        elif raw_time or fmt == "hootsuite":
            try:
                when = parse_datetime(raw_time, self.tz, self.date_order)
            except TimeProblem as exc:
                self._problem(n, "scheduled_at", raw_time, str(exc))
            if when and fmt == "hootsuite" and when.astimezone(self.tz).minute % 5:
                self._problem(
                    n, "scheduled_at", raw_time, "Hootsuite takes times on 5-minute steps only; kept as written",
                    warning=True,
                )  # fmt: skip
        key = v.get("post_key") or v.get("title") or f"\x00row{n}"
        post = self.posts.get(key)
        if post is None:
            post = self.posts[key] = PlannedPost(key)
        post.rows.append(n)
        self._post_fields(post, src)
        channel = self.default_channel if fmt in ("hootsuite", "sprout") else None
        if fmt == "template":
            text = v.get("channel", "")
            if text:
                channel, reason = self.resolve_channel(text)
                if reason:
                    self._problem(n, "channel", text, reason)
            else:
                channel = self.default_channel
        asset_ids: tuple[int, ...] = ()
        alts: dict[int, str] = {}
        if v.get("media"):
            asset_ids, reason = self._media_refs(v["media"])
            if reason:
                self._problem(n, "media", v["media"], reason)
            alt_list = [a for a in _SPLIT.split(v.get("alt_text", "")) if a] if v.get("alt_text") else []
            if len(alt_list) == 1:
                alts = dict.fromkeys(asset_ids, alt_list[0])
            elif len(alt_list) == len(asset_ids):
                alts = dict(zip(asset_ids, alt_list, strict=True))
            elif alt_list:
                self._problem(
                    n,
                    "alt_text",
                    v["alt_text"],
                    f"give one alt text, or one per media item ({len(asset_ids)})",
                )
        if channel is not None:
            twin = next((x for x in post.variants if x.channel.id == channel.id), None)
            if twin is not None:
                self._problem(
                    n,
                    "channel",
                    channel.slug,
                    f"two variants for channel {channel.slug!r} (rows {twin.row} and {n})",
                )
            else:
                post.variants.append(PlannedVariant(n, channel, copy, when, asset_ids, alts, raw_time))
        elif not (fmt == "template" and v.get("channel")):
            post.channelless_rows.append(n)
        if len(self.problems) > before:
            post.refused = True

    def _post_fields(self, post: PlannedPost, src: SourceRow) -> None:
        """Post-level cells: the first non-empty value counts, a different one later is refused."""
        v, n = src.values, src.row
        for column in ("title", "master_copy", "link", "post_type", "pillar", "campaign", "status"):
            value = v.get(column, "")
            if not value:
                continue
            if column in post.given:
                first_row, first = post.given[column]
                if value != first:
                    self._problem(
                        n, column, value, f"differs from row {first_row} of the same post ({_shown(first)!r})"
                    )
                continue
            post.given[column] = (n, value)
            try:
                self._set_field(post, column, value)
            except ServiceError as exc:
                self._problem(n, column, value, str(exc))
        if "master_copy" not in post.given and not post.master_copy:
            post.master_copy = v.get("copy", "")

    def _set_field(self, post: PlannedPost, column: str, value: str) -> None:
        if column == "title":
            post.title = validation.required_text(value, "title")
        elif column == "master_copy":
            post.master_copy = value
        elif column == "link":
            if not value.lower().startswith(("http://", "https://")):
                raise ValidationError(f"link {value!r} must start with http:// or https://")
            post.link = value
        elif column == "post_type":
            post.post_type = validation.choice(PostType, value, "post type")
        elif column == "status":
            status = validation.choice(PostStatus, value, "status")
            if status not in NEW_STATUSES:
                raise ValidationError("a new post starts as an idea or a draft; submit it for approval next")
            post.status = status
        elif column in ("pillar", "campaign"):
            table = self.pillars if column == "pillar" else self.campaigns
            if (found := table.get(key := value.strip().lower())) is None:
                why = "is archived" if key in table else f"is not one of {self.brand.name}'s"
                raise ValidationError(f"{column} {value!r} {why}")
            setattr(post, f"{column}_id", found)

    # --- posts --------------------------------------------------------------------------------------

    def finish(self) -> list[PlannedPost]:
        """Post-level checks and the platform rules on every variant; returns every planned post."""
        self._clear_asset_sets()
        for post in self.posts.values():
            before = len(self.problems)
            if not post.title:
                first = post.variants[0] if post.variants else None
                post.title = title_from_copy(first.copy if first else post.master_copy, post.rows[0])
            if post.status != PostStatus.IDEA:
                for n in post.channelless_rows:
                    self._problem(n, "channel", "", "a channel is required (only ideas may have none)")
            for v in post.variants:
                self._check_variant(post, v)
            if len(self.problems) > before:
                post.refused = True
        self.problems.sort(key=lambda p: (p.row, p.column))
        self.warnings.sort(key=lambda p: (p.row, p.column))
        return list(self.posts.values())

    def _clear_asset_sets(self) -> None:
        """Asset sets that nothing blocks at any of their rows' times, found with two calls per set
        instead of one per row (1.4 ms each): asset_blockers' reasons either hold whatever the time
        (archived, UGC without permission) or start at a moment and hold from then on (rights expiry),
        so a set clear at both its earliest and its latest time is clear in between. A set blocked at
        either end is checked row by row, so the outcome is exactly the per-row check's."""
        times: dict[tuple[int, ...], list[datetime]] = {}
        for post in self.posts.values():
            for v in post.variants:
                if v.asset_ids and v.scheduled_at:
                    times.setdefault(v.asset_ids, []).append(v.scheduled_at)
        self._clear: set[tuple[int, ...]] = set()
        for ids, when in times.items():
            ends = {min(when), max(when)}
            if not any(asset_blockers(self.session, list(ids), at) for at in ends):
                self._clear.add(ids)

    def _media(self, v: PlannedVariant) -> list[MediaInfo] | str:
        key = (v.asset_ids, tuple(sorted(v.alt_texts.items())))
        if key not in self._media_cache:
            try:
                self._media_cache[key] = media_for_assets(self.session, list(v.asset_ids), v.alt_texts)
            except ServiceError as exc:
                self._media_cache[key] = str(exc)
        return self._media_cache[key]

    def _check_variant(self, post: PlannedPost, v: PlannedVariant) -> None:
        label = v.channel.platform.label
        media = self._media(v) if v.asset_ids else []
        if isinstance(media, str):
            self._problem(v.row, "media", ",".join(map(str, v.asset_ids)), media)
            media = []
        for issue in check_variant(v.channel.platform, v.copy, media, post.link):
            column = {"alt_text": "alt_text" if "alt_text" in self.parsed.column_names else "media"}.get(
                issue.field, issue.field if issue.field in self.parsed.column_names else "copy"
            )
            value = v.copy if column == "copy" else ""
            self._problem(v.row, column, value, issue.message, warning=issue.level == Level.WARNING)
        time_column = "date" if self.parsed.format == "sprout" else "scheduled_at"
        problem = time_problem(v.scheduled_at, self.now)
        if problem:
            self._problem(v.row, time_column, v.raw_time, f"{label}: {problem}")
        if v.asset_ids and v.scheduled_at and v.asset_ids not in self._clear:
            key = (v.asset_ids, v.scheduled_at)
            if key not in self._blocker_cache:
                self._blocker_cache[key] = asset_blockers(self.session, list(v.asset_ids), v.scheduled_at)
            for reason in self._blocker_cache[key]:
                self._problem(v.row, "media", "", f"{label}: {reason}")

    def sibling_notes(self, posts: list[PlannedPost]) -> list[RowProblem]:
        """For valid-only imports: the rows left out only because another row of their post was refused."""
        with_problems = {p.row for p in self.problems}
        notes = []
        for post in posts:
            if not post.refused:
                continue
            culprit = (
                min(r for r in post.rows if r in with_problems) if with_problems & set(post.rows) else None
            )
            for n in post.rows:
                if n not in with_problems and culprit is not None:
                    key = "" if post.key.startswith("\x00") else post.key
                    notes.append(
                        RowProblem(
                            n,
                            self.parsed.column("post_key"),
                            key,
                            f"not imported: row {culprit} of the same post was refused",
                        )
                    )
        return notes
