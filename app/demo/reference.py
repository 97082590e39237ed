"""Writes the rows both data sets share: workspace, markets, people, the metrics dictionary with its
source mappings, severity levels and SOP templates with their versions and steps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import text

from app.demo.catalog import MarketSpec
from app.demo.common import Writer
from app.demo.dictionary import METRICS, SEVERITY_LEVELS, SOURCE_MAPPINGS
from app.demo.people import PersonSpec
from app.demo.sop_catalog import SOPS, StepSpec
from app.models.enums import ConnectorKind, Platform


@dataclass
class SopIds:
    template: dict[str, int] = field(default_factory=dict)  # slug -> template id
    version: dict[tuple[str, int], int] = field(default_factory=dict)  # (slug, number) -> version id
    steps: dict[int, list[tuple[int, StepSpec]]] = field(default_factory=dict)  # version id -> steps


def write_workspace(w: Writer, *, slug: str, name: str, timezone: str) -> int:
    return w.add(
        "workspaces", slug=slug, name=name, is_demo=True, publishing_paused=False, default_timezone=timezone
    )


def write_markets(w: Writer, workspace_id: int, markets: Sequence[MarketSpec]) -> dict[str, int]:
    return {
        m.code: w.add(
            "markets",
            workspace_id=workspace_id,
            code=m.code,
            name=m.name,
            country_code=m.country_code,
            languages=list(m.languages),
            timezone=m.timezone,
            currency=m.currency,
            date_format=m.date_format,
        )
        for m in markets
    }


def write_people(
    w: Writer, workspace_id: int, people: Sequence[PersonSpec], brand_ids: dict[str, int], last_seen: datetime
) -> dict[str, int]:
    ids: dict[str, int] = {}
    for n, p in enumerate(people):
        uid = w.add(
            "users",
            workspace_id=workspace_id,
            email=p.email,
            name=p.name,
            role=p.role,
            active=True,
            last_seen_at=last_seen - timedelta(minutes=37 * n + 5),
        )
        ids[p.key] = uid
        for brand_slug, role in p.memberships:
            w.add("memberships", user_id=uid, brand_id=brand_ids[brand_slug], role=role)
    return ids


def write_metrics_dictionary(w: Writer) -> None:
    """The dictionary is global (keys are unique across workspaces): add only the keys not there yet."""
    existing = set(w.conn.execute(text("SELECT key FROM metric_definitions")).scalars())
    for m in METRICS:
        if m.key in existing:
            continue
        w.add(
            "metric_definitions",
            key=m.key,
            name=m.name,
            description=m.description,
            unit=m.unit,
            formula=m.formula,
            objective=m.objective,
            indicator=m.indicator,
            aggregation=m.aggregation,
            higher_is_better=m.higher_is_better,
        )
    known = {
        tuple(r)
        for r in w.conn.execute(text("SELECT metric_key, platform, source_field FROM metric_source_mappings"))
    }
    for key, platform, source_field, valid_from, valid_to, deprecated, note in SOURCE_MAPPINGS:
        if (key, platform.value, source_field) in known:
            continue
        w.add(
            "metric_source_mappings",
            metric_key=key,
            platform=platform,
            source_field=source_field,
            valid_from=valid_from,
            valid_to=valid_to,
            deprecated=deprecated,
            note=note,
        )


def write_severity_levels(w: Writer, workspace_id: int) -> dict[int, int]:
    return {
        s.level: w.add(
            "severity_levels",
            workspace_id=workspace_id,
            level=s.level,
            name=s.name,
            description=s.description,
            criteria=s.criteria,
            response_minutes=s.response_minutes,
            pause_publishing=s.pause_publishing,
        )
        for s in SEVERITY_LEVELS
    }


def write_sop_templates(
    w: Writer, workspace_id: int, created_by: int | None, first: datetime, later: datetime | None
) -> SopIds:
    """Every template with version 1 made at `first`; templates with a second version get it at
    `later` (None: only version 1 is written, as the synthetic agency does)."""
    ids = SopIds()
    for sop in SOPS:
        versions = sop.versions if later is not None else sop.versions[:1]
        tid = w.add(
            "sop_templates",
            workspace_id=workspace_id,
            brand_id=None,
            slug=sop.slug,
            name=sop.name,
            description=sop.description,
            applies_to=sop.applies_to,
            current_version=len(versions),
            active=True,
            created_at=first,
        )
        ids.template[sop.slug] = tid
        for number, (notes, steps) in enumerate(versions, start=1):
            made = first if number == 1 or later is None else later
            vid = w.add(
                "sop_template_versions",
                template_id=tid,
                number=number,
                notes=notes,
                created_by_id=created_by,
                created_at=made,
            )
            ids.version[(sop.slug, number)] = vid
            ids.steps[vid] = [
                (
                    w.add(
                        "sop_steps",
                        version_id=vid,
                        position=pos,
                        title=s.title,
                        instructions=s.instructions,
                        owner_role=s.owner_role,
                        auto_check=s.auto_check,
                        required=s.required,
                        due_offset_hours=s.due_offset_hours,
                    ),
                    s,
                )
                for pos, s in enumerate(steps, start=1)
            ]
    return ids


def connector_kind(platform: Platform) -> ConnectorKind:
    """Open protocols get a real client; everything else is published and measured by hand or export."""
    return {Platform.MASTODON: ConnectorKind.MASTODON, Platform.BLUESKY: ConnectorKind.BLUESKY}.get(
        platform, ConnectorKind.MANUAL
    )


CONNECTOR_BASE_URL = {Platform.MASTODON: "https://mastodon.social", Platform.BLUESKY: "https://bsky.social"}
