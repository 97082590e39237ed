"""The campaigns worksheet: one row per active campaign of the brand, with its objective, pillars, dates,
budget, markets, channels and UTM value. Edits, new rows and removed rows (archived) go through
app.services.strategy's campaign functions, so the strategy permission, validation and audit hold."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from app.models import Channel
from app.services.core import ValidationError
from app.services.strategy import CampaignInfo, campaigns
from app.sheets.schema import WorksheetSchema
from app.sheets.sources.base import Record, Source, SyncContext

FIELDS = frozenset(
    {
        "id",
        "slug",
        "name",
        "status",
        "start_date",
        "end_date",
        "objective",
        "pillars",
        "budget",
        "currency",
        "markets",
        "channels",
        "utm_campaign",
        "description",
    }
)
EDITABLE = FIELDS - {"id"}
_SPLIT = re.compile(r"[,;\n]")


class CampaignSource(Source):
    name = "campaigns"
    fields = FIELDS
    writable = True

    def check(self, schema: WorksheetSchema) -> str | None:
        if schema.key_column.field != "id":
            return "the campaigns worksheet's key is the campaign id (field: id)"
        return None

    def load(self, ctx: SyncContext, keys: list[str] | None = None) -> dict[str, Record]:
        rows = campaigns.list_campaigns(ctx.session, ctx.actor, brand=ctx.brand.id)
        if keys is not None:
            wanted = {int(k) for k in keys if k.isdigit()}
            rows = [c for c in rows if c.id in wanted]
        slugs = self._channel_slugs(ctx)
        out: dict[str, Record] = {}
        for c in sorted(rows, key=lambda c: (c.start_date, c.slug)):
            out[str(c.id)] = Record(str(c.id), str(c.version), _values(c, slugs), label=c.name)
        return out

    def update(self, ctx: SyncContext, record: Record, changes: dict[str, Any]) -> None:
        clean = self._to_service(ctx, changes)
        if "slug" in clean:
            raise ValidationError("Slug cannot change on an existing campaign; add a new row instead")
        campaigns.update_campaign(
            ctx.session, ctx.actor, int(record.key), version=int(record.version), **clean
        )

    def create(self, ctx: SyncContext, values: dict[str, Any]) -> str:
        clean = self._to_service(ctx, {k: v for k, v in values.items() if k in EDITABLE})
        info = campaigns.create_campaign(ctx.session, ctx.actor, brand=ctx.brand.id, **clean)
        return str(info.id)

    def archive(self, ctx: SyncContext, record: Record) -> None:
        campaigns.archive_campaign(ctx.session, ctx.actor, int(record.key), archived=True)

    def _channel_slugs(self, ctx: SyncContext) -> dict[int, str]:
        return dict(
            ctx.session.execute(
                select(Channel.id, Channel.slug).where(Channel.brand_id == ctx.brand.id)
            ).all()
        )

    def _to_service(self, ctx: SyncContext, changes: dict[str, Any]) -> dict[str, Any]:
        """A row's typed cells as the campaign services take them: lists from comma-separated cells,
        channels by their slug, empty texts as "not set"."""
        out: dict[str, Any] = {}
        for key, value in changes.items():
            if key in ("pillars", "markets"):
                items = split_list(value)
                out[key] = tuple(i.lower() for i in items) if key == "markets" else tuple(items)
            elif key == "channels":
                out[key] = tuple(split_list(value))  # slugs (or handles), as the service takes them
            elif key in ("description",):
                out[key] = value or ""
            elif key in ("currency", "utm_campaign"):
                out[key] = (value or "").strip() or None
            elif key == "status":
                if value is not None:
                    out[key] = value
            else:
                out[key] = value
        return out


def split_list(value: Any) -> list[str]:
    """The items of a comma-separated cell, in order, without blanks or repeats."""
    if value is None:
        return []
    return list(dict.fromkeys(p.strip() for p in _SPLIT.split(str(value)) if p.strip()))


def _values(c: CampaignInfo, channel_slugs: dict[int, str]) -> dict[str, Any]:
    return {
        "id": c.id,
        "slug": c.slug,
        "name": c.name,
        "status": c.status,
        "start_date": c.start_date,
        "end_date": c.end_date,
        "objective": c.objective_id,
        "pillars": ", ".join(c.pillar_names),
        "budget": c.budget,
        "currency": c.currency,
        "markets": ", ".join(c.markets),
        "channels": ", ".join(channel_slugs.get(i, str(i)) for i in c.channel_ids),
        "utm_campaign": c.utm_campaign,
        "description": c.description,
    }
