"""Content: posts and their drafts, the composer, briefs, the post status workflow (submit, schedule,
expire), the calendar (calendar/), bulk import (bulk/), the asset library (assets/), tracked links,
the feed preview and the best time to post."""

from __future__ import annotations

from app.services.content import best_time, briefs, composer, feed_preview, post_detail, utm, workflow
from app.services.content.assets import media
from app.services.content.assets.media import AssetInfo, UploadOutcome, human_size, usable_assets
from app.services.content.assets.storage import resolve_asset_path
from app.services.content.briefs import BriefFields
from app.services.content.bulk import imports
from app.services.content.bulk.formats import (
    DATE_ORDERS,
    FORMAT_LABELS,
    FORMATS,
    TEMPLATE_COLUMNS,
    RowProblem,
    template_csv,
    template_xlsx,
)
from app.services.content.bulk.imports import import_posts
from app.services.content.calendar import export, grid, post
from app.services.content.calendar.grid import CalendarEvent
from app.services.content.drafts import FROZEN_STATES, PostDraft, SaveResult, VariantDraft
from app.services.content.post_detail import EditorChoices, PostView, editor_choices, load_post
from app.services.content.workflow import expire_approvals

__all__ = [
    "DATE_ORDERS",
    "FORMATS",
    "FORMAT_LABELS",
    "FROZEN_STATES",
    "TEMPLATE_COLUMNS",
    "AssetInfo",
    "BriefFields",
    "CalendarEvent",
    "EditorChoices",
    "PostDraft",
    "PostView",
    "RowProblem",
    "SaveResult",
    "UploadOutcome",
    "VariantDraft",
    "best_time",
    "briefs",
    "composer",
    "editor_choices",
    "expire_approvals",
    "export",
    "feed_preview",
    "grid",
    "human_size",
    "import_posts",
    "imports",
    "load_post",
    "media",
    "post",
    "post_detail",
    "resolve_asset_path",
    "template_csv",
    "template_xlsx",
    "usable_assets",
    "utm",
    "workflow",
]
