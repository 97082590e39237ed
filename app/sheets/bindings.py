"""Connecting worksheets: which spreadsheet (by key) and tab mirror which sheets_schema file for a brand,
as whom the sync acts, its policies, and their sync health. Admins (manage connections) change them;
managers read them. Every change is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import Brand, SheetBinding, SheetProblem, SheetRowState, User
from app.models.sheets import ConflictPolicy, ProblemStatus, RemovedRowPolicy, SyncStatus
from app.services.core import (
    Actor,
    NotFound,
    Perm,
    ValidationError,
    audit,
    clock,
    require,
    require_brands,
    validation,
)
from app.services.org import get_brand, users
from app.sheets.catalog import get_schema, load_schemas

_KEY = re.compile(r"^[A-Za-z0-9_-]{10,200}$")
_URL_KEY = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")


@dataclass(frozen=True)
class BindingInfo:
    id: int
    brand: str
    schema: str
    worksheet: str
    spreadsheet_key: str
    sync_as: str
    conflict_policy: str
    removed_rows: str
    enabled: bool
    last_sync_at: datetime | None
    last_status: str
    last_error: str
    open_problems: int
    last_requests: int


def spreadsheet_key(value: str) -> str:
    """The key itself, or taken from a pasted URL (…/spreadsheets/d/<key>/edit)."""
    value = (value or "").strip()
    found = _URL_KEY.search(value)
    key = found.group(1) if found else value
    if not _KEY.match(key):
        raise ValidationError(
            "the spreadsheet key is the long id in its URL (…/spreadsheets/d/<key>/edit)",
            field="spreadsheet_key",
        )
    return key


def list_bindings(session: Session, actor: Actor, brand_ids: list[int]) -> list[BindingInfo]:
    brand_ids = require_brands(actor, Perm.CONNECTIONS_VIEW, brand_ids)
    if not brand_ids:
        return []
    b = SheetBinding
    open_counts: dict[int, int] = {}
    for binding_id in session.scalars(
        select(SheetProblem.binding_id).where(
            SheetProblem.brand_id.in_(brand_ids), SheetProblem.status == ProblemStatus.OPEN
        )
    ):
        open_counts[binding_id] = open_counts.get(binding_id, 0) + 1
    rows = session.execute(
        select(b, Brand.slug, User.email)
        .join(Brand, Brand.id == b.brand_id)
        .outerjoin(User, User.id == b.sync_as_id)
        .where(b.brand_id.in_(brand_ids))
        .order_by(Brand.slug, b.schema_name)
    )
    return [
        BindingInfo(
            x.id,
            slug,
            x.schema_name,
            x.worksheet_title,
            x.spreadsheet_key,
            email or "",
            x.conflict_policy.value,
            x.removed_rows.value,
            x.enabled,
            x.last_sync_at,
            x.last_status.value,
            x.last_error or "",
            open_counts.get(x.id, 0),
            int((x.last_counts or {}).get("requests", 0)),
        )
        for x, slug, email in rows
    ]


def _sync_person(session: Session, email: str, brand: Brand, perm: Perm) -> User:
    actor = users.load_actor(session, email)
    if actor is None:
        raise ValidationError(f"{email!r} is not an active user", field="sync_as")
    if not actor.can(perm, brand.id):
        raise ValidationError(
            f"{email} ({actor.describe_role(brand.id)} on {brand.slug}) may not {perm.label}: the sync acts with "
            "that person's permissions, so choose someone who may",
            field="sync_as",
        )
    user = session.get(User, actor.user_id)
    assert user is not None
    return user


def connect(
    session: Session,
    actor: Actor,
    *,
    brand: str,
    schema: str,
    spreadsheet: str,
    sync_as: str,
    worksheet_title: str | None = None,
    conflict_policy: str | None = None,
    removed_rows: str | None = None,
) -> SheetBinding:
    """Mirror one worksheet schema for a brand into a tab of a spreadsheet (made on the first sync)."""
    b = get_brand(session, actor, brand)
    require(actor, Perm.CONNECTIONS_MANAGE, b.id, b.slug)
    ws = get_schema(schema)
    if session.scalar(
        select(SheetBinding.id).where(SheetBinding.brand_id == b.id, SheetBinding.schema_name == ws.name)
    ):
        raise ValidationError(
            f"{b.slug} already mirrors {ws.title!r}; change or remove that one", field="schema"
        )
    title = validation.required_text(worksheet_title or ws.worksheet, "worksheet title", 100)
    person = _sync_person(session, sync_as, b, ws.permission)
    binding = SheetBinding(
        brand_id=b.id,
        schema_name=ws.name,
        spreadsheet_key=spreadsheet_key(spreadsheet),
        worksheet_title=title,
        sync_as_id=person.id,
        conflict_policy=validation.choice(
            ConflictPolicy, conflict_policy or ws.conflicts.value, "conflict policy"
        ),
        removed_rows=validation.choice(
            RemovedRowPolicy, removed_rows or ws.removed_rows.value, "removed rows"
        ),
        enabled=True,
        last_status=SyncStatus.NEVER,
        last_counts={},
    )
    session.add(binding)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "sheet_binding",
        binding.id,
        label=f"{ws.title} → {title}",
        brand_id=b.id,
        after={**audit.snapshot(binding), "sync_as": person.email},
    )
    return binding


def _binding(session: Session, actor: Actor, binding_id: int) -> SheetBinding:
    binding = session.get(SheetBinding, binding_id)
    visible = actor.visible_brand_ids()
    if binding is None or (visible is not None and binding.brand_id not in visible):
        raise NotFound(f"no connected worksheet {binding_id}")
    require(actor, Perm.CONNECTIONS_MANAGE, binding.brand_id)
    return binding


def update_binding(session: Session, actor: Actor, binding_id: int, **changes: Any) -> SheetBinding:
    """Change the policies, the sync person, the tab's title or switch the worksheet on or off."""
    binding = _binding(session, actor, binding_id)
    brand = session.get(Brand, binding.brand_id)
    assert brand is not None
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "conflict_policy":
            clean[key] = validation.choice(ConflictPolicy, value, "conflict policy")
        elif key == "removed_rows":
            clean[key] = validation.choice(RemovedRowPolicy, value, "removed rows")
        elif key == "enabled":
            clean[key] = bool(value)
        elif key == "sync_as":
            clean["sync_as_id"] = _sync_person(
                session, str(value), brand, get_schema(binding.schema_name).permission
            ).id
        elif key == "spreadsheet":
            clean["spreadsheet_key"] = spreadsheet_key(str(value))
        else:
            raise ValidationError(f"worksheet setting {key!r} cannot be changed here", field=key)
    if "spreadsheet_key" in clean and clean["spreadsheet_key"] != binding.spreadsheet_key:
        _forget(session, binding)  # another spreadsheet: its first sync is a first export
    audit.update(
        session,
        actor,
        binding,
        clean,
        object_type="sheet_binding",
        label=lambda b: b.worksheet_title,
        brand_id=binding.brand_id,
    )
    return binding


def _forget(session: Session, binding: SheetBinding) -> None:
    session.execute(delete(SheetRowState).where(SheetRowState.binding_id == binding.id))
    for problem in session.scalars(
        select(SheetProblem).where(
            SheetProblem.binding_id == binding.id, SheetProblem.status == ProblemStatus.OPEN
        )
    ):
        problem.status, problem.resolved_at, problem.resolution = (
            ProblemStatus.RESOLVED,
            clock.now(),
            "worksheet exported again",
        )
    binding.sheet_id = None


def export_again(session: Session, actor: Actor, binding_id: int) -> SheetBinding:
    """Forget what the sync knew about the tab: the next sync exports into the tab of that title (made
    anew if missing). Rows already there are compared without a baseline, so differences follow the
    conflict policy instead of being overwritten unseen."""
    binding = _binding(session, actor, binding_id)
    _forget(session, binding)
    binding.last_status, binding.last_error = SyncStatus.NEVER, None
    session.flush()
    audit.record(
        session,
        actor,
        "export_again",
        "sheet_binding",
        binding.id,
        label=binding.worksheet_title,
        brand_id=binding.brand_id,
    )
    return binding


def remove_binding(session: Session, actor: Actor, binding_id: int) -> None:
    """Stop mirroring (the spreadsheet itself is left as it is)."""
    binding = _binding(session, actor, binding_id)
    audit.record(
        session,
        actor,
        "delete",
        "sheet_binding",
        binding.id,
        label=binding.worksheet_title,
        brand_id=binding.brand_id,
        before=audit.snapshot(binding),
    )
    session.delete(binding)
    session.flush()


def schema_choices() -> dict[str, str]:
    """Schema name -> title, for pickers."""
    return {name: s.title for name, s in sorted(load_schemas().items())}
