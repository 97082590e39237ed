"""A post as it is being written: the draft of its fields and of one variant per channel, the outcome of a
save, and the rules of when it may be published and which statuses freeze or re-open its copy. The
composer, the bulk importer, the calendar and the Sheets calendar all build and read these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.models.enums import PostStatus, PostType

# A post can be scheduled this close to now at the earliest (the publish job runs every minute).
MIN_LEAD = timedelta(minutes=2)
# Statuses in which the content has been approved: changing it must go back through approval.
APPROVED_STATES = (PostStatus.APPROVED, PostStatus.SCHEDULED)
FROZEN_STATES = (PostStatus.PUBLISHING, PostStatus.PUBLISHED)


@dataclass(frozen=True)
class VariantDraft:
    channel: str  # channel slug
    copy: str
    scheduled_at: datetime | None = None
    asset_ids: tuple[int, ...] = ()
    # Per-asset alt text for this variant (overrides the asset's own).
    alt_texts: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PostDraft:
    title: str
    master_copy: str = ""
    post_type: str = PostType.IMAGE.value
    link_url: str | None = None
    pillar_id: int | None = None
    campaign_id: int | None = None
    brief_id: int | None = None
    variants: tuple[VariantDraft, ...] = ()


@dataclass(frozen=True)
class SaveResult:
    post_id: int
    title: str
    status: str
    version: int
    warnings: tuple[str, ...] = ()
    # Set when the save sent approved content back through approval.
    reapproval: bool = False


def time_problem(when: datetime | None, now: datetime) -> str | None:
    """Why a publish time cannot be used (no zone, past, too close), in the words every writer shows."""
    if when is None:
        return None
    if when.tzinfo is None:
        return "the time has no time zone"
    if when < now + MIN_LEAD:
        return f"{when:%d %b %Y %H:%M} UTC is in the past (or less than {int(MIN_LEAD.total_seconds() // 60)} minutes away)"
    return None
