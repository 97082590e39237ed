"""Sync problems: each sync records the rows it could not settle (one open problem per row and kind,
updated while it lasts, resolved when the sheet settles it), and people list them and decide flagged
conflicts and removed rows. Deciding is checked against the worksheet's own permission and audited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Brand, SheetBinding, SheetProblem, SheetRowState
from app.models.sheets import ProblemKind, ProblemStatus
from app.services.core import Actor, NotFound, Perm, ValidationError, audit, clock, require, require_brands
from app.sheets.catalog import get_schema
from app.sheets.reconcile import ProblemDraft

PROBLEM_COLUMNS = [
    "id",
    "brand",
    "worksheet",
    "row",
    "record",
    "problem",
    "message",
    "sheet values",
    "database values",
    "since",
    "status",
]
# What a person may decide, by kind of problem.
DECISIONS: dict[ProblemKind, dict[str, str]] = {
    ProblemKind.CONFLICT: {"database": "Keep the database's values", "sheet": "Use the sheet's values"},
    ProblemKind.REMOVED: {
        "restore": "Put the row back on the sheet",
        "leave": "Leave it off the sheet",
        "archive": "Archive the record",
    },
    ProblemKind.REFUSED: {"database": "Put the app's values back in the row (what was typed stays here)"},
    ProblemKind.OVERWRITTEN: {},
}


def settle(
    session: Session,
    binding: SheetBinding,
    raised: Sequence[ProblemDraft],
    keep_open: set[str],
    now: datetime,
) -> dict[str, int]:
    """Record this sync's problems: an open one is updated, a new one opened, an overwritten edit kept as
    history; open problems this sync did not raise again were settled in the sheet and are resolved."""
    open_rows = {
        (p.identity, p.kind): p
        for p in session.scalars(
            select(SheetProblem).where(
                SheetProblem.binding_id == binding.id, SheetProblem.status == ProblemStatus.OPEN
            )
        )
    }
    seen: set[tuple[str, ProblemKind]] = set()
    opened = 0
    for draft in raised:
        done = draft.kind == ProblemKind.OVERWRITTEN
        current = open_rows.get((draft.identity, draft.kind))
        if current is not None and not done:
            current.message, current.sheet_values, current.db_values = (
                draft.message,
                draft.sheet_values,
                draft.db_values,
            )
            current.row_number, current.seen_at = draft.row_number, now
        else:
            opened += 0 if done else 1
            session.add(
                SheetProblem(
                    binding_id=binding.id,
                    brand_id=binding.brand_id,
                    identity=draft.identity,
                    record_key=draft.record_key,
                    row_number=draft.row_number,
                    kind=draft.kind,
                    message=draft.message,
                    sheet_values=draft.sheet_values,
                    db_values=draft.db_values,
                    status=ProblemStatus.RESOLVED if done else ProblemStatus.OPEN,
                    opened_at=now,
                    seen_at=now,
                    resolved_at=now if done else None,
                    resolved_by="sync" if done else None,
                    resolution="the database's values were kept (conflict policy)" if done else None,
                )
            )
        seen.add((draft.identity, draft.kind))
    resolved = 0
    for (identity, kind), problem in open_rows.items():
        if (identity, kind) in seen or (kind == ProblemKind.REMOVED and identity in keep_open):
            continue
        problem.status, problem.resolved_at, problem.resolved_by = ProblemStatus.RESOLVED, now, "sync"
        problem.resolution = "settled in the sheet"
        resolved += 1
    return {"problems_opened": opened, "problems_resolved": resolved}


def list_problems(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    *,
    include_resolved: bool = False,
    limit: int = 500,
) -> pd.DataFrame:
    """Open sync problems of the brands (newest first); with include_resolved, the recent history too."""
    brand_ids = require_brands(actor, Perm.CONNECTIONS_VIEW, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    p = SheetProblem
    stmt = (
        select(p, Brand.name, SheetBinding.schema_name, SheetBinding.worksheet_title)
        .join(Brand, Brand.id == p.brand_id)
        .join(SheetBinding, SheetBinding.id == p.binding_id)
        .where(p.brand_id.in_(brand_ids))
        .order_by(p.status, p.seen_at.desc(), p.id.desc())
        .limit(limit)
    )
    if not include_resolved:
        stmt = stmt.where(p.status == ProblemStatus.OPEN)
    rows = [
        (
            prob.id,
            brand,
            title,
            prob.row_number,
            prob.record_key or "",
            prob.kind.label,
            prob.message,
            _compact(prob.sheet_values),
            _compact(prob.db_values),
            prob.opened_at,
            prob.status.value if prob.status == ProblemStatus.OPEN else f"resolved: {prob.resolution or ''}",
        )
        for prob, brand, _schema, title in session.execute(stmt)
    ]
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)


def _compact(values: dict | None) -> str:
    return "; ".join(f"{k}: {v}" for k, v in (values or {}).items())


def get_problem(session: Session, actor: Actor, problem_id: int) -> SheetProblem:
    problem = session.get(SheetProblem, problem_id)
    visible = actor.visible_brand_ids()
    if problem is None or (visible is not None and problem.brand_id not in visible):
        raise NotFound(f"no sync problem {problem_id}")
    return problem


def decide(session: Session, actor: Actor, problem_id: int, decision: str) -> SheetProblem:
    """A person settles a problem; the next sync carries it out (as the worksheet's sync person)."""
    problem = get_problem(session, actor, problem_id)
    binding = session.get(SheetBinding, problem.binding_id)
    assert binding is not None
    schema = get_schema(binding.schema_name)
    brand = session.get(Brand, binding.brand_id)
    # Deciding what lands in the database takes the right to change that data on the brand.
    require(actor, schema.permission, binding.brand_id, brand.slug if brand else None)
    allowed = DECISIONS[problem.kind]
    if decision not in allowed:
        raise ValidationError(
            f"a {problem.kind.label.lower()} is settled with {', '.join(allowed) or 'nothing'}, not {decision!r}",
            field="decision",
        )
    if problem.status != ProblemStatus.OPEN:
        raise ValidationError("this problem is settled already")
    state = None
    if problem.record_key:
        state = session.scalars(
            select(SheetRowState).where(
                SheetRowState.binding_id == binding.id, SheetRowState.record_key == problem.record_key
            )
        ).first()
    if decision in ("database", "sheet", "restore", "archive"):
        if state is None:
            raise ValidationError(
                "this row has no record in the app (a new row, or one no longer in the worksheet): "
                "fix or delete it in the sheet"
            )
        state.resolution = decision
    if decision == "leave" and state is not None:
        state.removed, state.resolution = True, None
    problem.status, problem.resolved_at = ProblemStatus.RESOLVED, clock.now()
    problem.resolved_by, problem.resolution = actor.email, allowed[decision]
    session.flush()
    audit.record(
        session,
        actor,
        "resolve",
        "sheet_problem",
        problem.id,
        label=f"{schema.title}: {problem.kind.label} ({problem.record_key or 'new row'})",
        brand_id=binding.brand_id,
        before={"status": ProblemStatus.OPEN.value, "sheet_values": problem.sheet_values},
        after={"status": ProblemStatus.RESOLVED.value, "decision": decision},
    )
    return problem
