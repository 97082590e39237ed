"""The SOP library part: each checklist template, created and revised through the SOPs domain's template
service (a revision is a new version; open runs keep theirs). The pack's key is the template's slug."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import SopTemplate
from app.services.core import Actor, audit
from app.services.org import current_workspace
from app.services.sops import templates
from app.starters.ledger import Item
from app.starters.packs import Pack


def _step(raw: dict[str, Any]) -> dict[str, Any]:
    hours = raw.get("due_offset_hours")
    return {
        "title": str(raw.get("title") or "").strip(),
        "instructions": " ".join(str(raw.get("instructions") or "").split()),
        "owner_role": raw.get("owner_role") or None,
        "auto_check": raw.get("auto_check") or None,
        "required": bool(raw.get("required", True)),
        "due_offset_hours": int(hours) if hours not in (None, "") else None,
    }


def sop_items(pack: Pack) -> list[Item]:
    items = []
    for raw in pack.part("sops", "sops"):
        content = {
            "name": str(raw.get("name") or "").strip(),
            "description": " ".join(str(raw.get("description") or "").split()),
            "applies_to": str(raw.get("applies_to") or "post"),
            "active": True,
            "steps": [_step(s) for s in raw.get("steps") or []],
        }
        items.append(Item(str(raw.get("key") or "").strip(), content, content["name"]))
    return items


def _read(session: Session, template: SopTemplate) -> dict[str, Any]:
    version = templates.current_version(session, template)
    steps = [
        {
            "title": s.title,
            "instructions": s.instructions,
            "owner_role": s.owner_role.value if s.owner_role else None,
            "auto_check": s.auto_check,
            "required": bool(s.required),
            "due_offset_hours": s.due_offset_hours,
        }
        for s in sorted(version.steps, key=lambda s: s.position)
    ]
    return {
        "name": template.name,
        "description": template.description,
        "applies_to": template.applies_to.value,
        "active": bool(template.active),
        "steps": steps,
    }


class SopsPart:
    kind = "sop"

    def current(self, session: Session, object_id: int) -> dict[str, Any] | None:
        template = session.get(SopTemplate, object_id)
        return _read(session, template) if template is not None else None

    def existing(self, session: Session, item: Item) -> tuple[int, dict[str, Any]] | None:
        ws = current_workspace(session)
        template = session.scalars(
            select(SopTemplate).where(SopTemplate.workspace_id == ws.id, SopTemplate.slug == item.key)
        ).one_or_none()
        return (template.id, _read(session, template)) if template is not None else None

    def create(self, session: Session, actor: Actor, item: Item) -> int:
        c = item.content
        template = templates.create_template(
            session, actor, name=c["name"], applies_to=c["applies_to"], steps=c["steps"],
            description=c["description"],
        )  # fmt: skip
        return template.id

    def update(self, session: Session, actor: Actor, item: Item, object_id: int) -> int:
        template = session.get(SopTemplate, object_id)
        assert template is not None  # the ledger only updates rows it found
        c = item.content
        if _read(session, template)["steps"] != c["steps"]:
            templates.revise_template(
                session, actor, template.slug, c["steps"], f"Starter pack update: {c['name']} revised."
            )
        audit.update(
            session,
            actor,
            template,
            {"name": c["name"], "description": c["description"]},
            object_type="sop_template",
            label=lambda t: t.name,
        )
        return template.id
