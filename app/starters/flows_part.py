"""The approval flow presets part: every brand without a flow gets the preset for its kind (regulated
brands the one with a legal stage), made through the approvals domain's flow service."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApprovalFlow, Brand
from app.services.approvals import StageInput, flows
from app.services.core import Actor
from app.starters.ledger import Item
from app.starters.packs import Pack


def _stage(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": str(raw.get("name") or "").strip(),
        "role": raw.get("role") or None,
        "rule": str(raw.get("rule") or "any"),
    }


def flow_items(session: Session, pack: Pack) -> tuple[list[Item], list[str]]:
    """One item per active brand (key `preset@brand`), and notes for the summary."""
    presets = pack.part("approval_flows", "flows")
    if not presets:
        return [], []
    by_kind = {str(p.get("for_brands") or "standard"): p for p in presets}
    brands = session.scalars(select(Brand).where(Brand.active.is_(True)).order_by(Brand.slug)).all()
    if not brands:
        return [], ["No brands yet: load the pack again after adding brands to give each an approval flow."]
    items = []
    for brand in brands:
        preset = by_kind.get("regulated" if brand.regulated else "standard") or by_kind.get("standard")
        if preset is None:
            continue
        content = {
            "brand_id": brand.id,
            "name": str(preset.get("name") or "").strip(),
            "active": True,
            "stages": [_stage(s) for s in preset.get("stages") or []],
        }
        items.append(Item(f"{preset.get('key')}@{brand.slug}", content, f"{content['name']} ({brand.name})"))
    return items, []


def _read(flow: ApprovalFlow) -> dict[str, Any]:
    stages = sorted(flow.stages, key=lambda s: s.position)
    return {
        "brand_id": flow.brand_id,
        "name": flow.name,
        "active": bool(flow.active),
        "stages": [
            {"name": s.name, "role": s.role.value if s.role else None, "rule": s.rule.value} for s in stages
        ],
    }


def _stages(item: Item) -> list[StageInput]:
    return [StageInput(s["name"], s["role"], (), s["rule"]) for s in item.content["stages"]]


class FlowsPart:
    kind = "approval_flow"

    def current(self, session: Session, object_id: int) -> dict[str, Any] | None:
        flow = session.get(ApprovalFlow, object_id)
        return _read(flow) if flow is not None else None

    def existing(self, session: Session, item: Item) -> tuple[int, dict[str, Any]] | None:
        """The brand's own active flow, if it has one (the pack never adds a second)."""
        flow = session.scalars(
            select(ApprovalFlow)
            .where(
                ApprovalFlow.brand_id == item.content["brand_id"],
                ApprovalFlow.campaign_id.is_(None),
                ApprovalFlow.active.is_(True),
            )
            .order_by(ApprovalFlow.id)
        ).first()
        return (flow.id, _read(flow)) if flow is not None else None

    def create(self, session: Session, actor: Actor, item: Item) -> int:
        return flows.save_flow(
            session, actor, brand_id=item.content["brand_id"], name=item.content["name"], stages=_stages(item)
        )

    def update(self, session: Session, actor: Actor, item: Item, object_id: int) -> int:
        return flows.save_flow(
            session, actor, brand_id=item.content["brand_id"], name=item.content["name"],
            stages=_stages(item), flow_id=object_id,
        )  # fmt: skip
