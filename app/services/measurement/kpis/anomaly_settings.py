"""How sensitive anomaly detection is: a workspace default and, where a brand needs its own (a noisy
TikTok-led brand, a steady B2B one), a brand setting. Managers set their brand's; admins the default.
Unset, it is "normal"."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AnomalySetting, Brand
from app.services.core import Actor, NotFound, Perm, ValidationError, audit, clock, require
from app.services.measurement.kpis.anomalies import DEFAULT_SENSITIVITY, SENSITIVITY
from app.services.org import current_workspace


def _row(session: Session, workspace_id: int, brand_id: int | None) -> AnomalySetting | None:
    s = AnomalySetting
    brand = s.brand_id.is_(None) if brand_id is None else s.brand_id == brand_id
    return session.scalars(select(s).where(s.workspace_id == workspace_id, brand)).first()


def sensitivity_for(session: Session, brand_ids: Sequence[int]) -> str:
    """The sensitivity to use for these brands: one brand's own setting if it has one, else the
    workspace default, else "normal". Several brands use the workspace default."""
    ws = current_workspace(session)
    if len(brand_ids) == 1:
        own = _row(session, ws.id, brand_ids[0])
        if own is not None:
            return own.sensitivity
    default = _row(session, ws.id, None)
    return default.sensitivity if default is not None else DEFAULT_SENSITIVITY


def set_sensitivity(session: Session, actor: Actor, sensitivity: str, brand_id: int | None = None) -> str:
    """Store the sensitivity for a brand (KPI editors of that brand) or, without a brand, the workspace
    default (admins). Returns the value stored."""
    if sensitivity not in SENSITIVITY:
        raise ValidationError(
            f"sensitivity {sensitivity!r} is not one of: {', '.join(SENSITIVITY)}",
            field="sensitivity",
            value=sensitivity,
        )
    ws = current_workspace(session)
    label = "workspace default"
    if brand_id is None:
        require(actor, Perm.ADMIN)
    else:
        brand = session.get(Brand, brand_id)
        if brand is None or brand.workspace_id != ws.id:
            raise NotFound(f"no brand {brand_id}")
        require(actor, Perm.KPI_EDIT, brand.id, brand.slug)
        label = brand.name
    row = _row(session, ws.id, brand_id)
    before = None if row is None else {"sensitivity": row.sensitivity}
    if row is None:
        row = AnomalySetting(workspace_id=ws.id, brand_id=brand_id, sensitivity=sensitivity)
        session.add(row)
    elif row.sensitivity == sensitivity:
        return sensitivity
    row.sensitivity = sensitivity
    row.updated_at = clock.now()
    row.updated_by = actor.email
    session.flush()
    audit.record(
        session,
        actor,
        "update" if before else "create",
        "anomaly_setting",
        row.id,
        label=f"anomaly sensitivity, {label}",
        brand_id=brand_id,
        before=before,
        after={"sensitivity": sensitivity},
    )
    return sensitivity
