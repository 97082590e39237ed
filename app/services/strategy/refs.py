"""What a campaign points at, given by id or by name as a form, a command or a sheet cell gives it: its
objective, pillars and channels, each of the same brand. An archived objective or pillar (or an inactive
channel) is refused as a new link but kept where it is already linked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models import Brand, Channel, ContentPillar, Objective
from app.services.core import ValidationError
from app.services.strategy.common import as_list


def _by_id_or_name(session: Session, model: Any, brand: Brand, value: int | str) -> Any:
    """The brand's row with this name (case aside), or with this id."""
    if isinstance(value, int) and not isinstance(value, bool):
        row = session.get(model, value)
        return row if row is not None and row.brand_id == brand.id else None
    text = str(value).strip()
    row = session.scalars(
        select(model).where(model.brand_id == brand.id, func.lower(model.name) == text.lower()).limit(1)
    ).first()
    if row is None and text.isdigit():
        row = session.get(model, int(text))
        row = row if row is not None and row.brand_id == brand.id else None
    return row


def objective_id(session: Session, brand: Brand, value: int | str | None, current: int | None) -> int | None:
    """The id of the brand's objective given by id or name; None or "" for none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    row = _by_id_or_name(session, Objective, brand, value)
    if row is None:
        raise ValidationError(
            f"objective {value!r} is not one of {brand.name}'s", field="objective", value=value
        )
    if row.archived_at is not None and row.id != current:
        raise ValidationError(f"objective {row.name!r} is archived", field="objective", value=value)
    return int(row.id)


def pillar_ids(
    session: Session, brand: Brand, values: Iterable[int | str] | str | None, current: list[int]
) -> list[int]:
    """The ids of the brand's pillars given by id or name, each once, in the order given."""
    ids: list[int] = []
    for value in as_list(values):
        row = _by_id_or_name(session, ContentPillar, brand, value)
        if row is None:
            raise ValidationError(
                f"pillar {value!r} is not one of {brand.name}'s", field="pillars", value=value
            )
        if row.archived_at is not None and row.id not in current:
            raise ValidationError(f"pillar {row.name!r} is archived", field="pillars", value=value)
        if row.id not in ids:
            ids.append(int(row.id))
    return ids


def channel_ids(
    session: Session, brand: Brand, values: Iterable[int | str] | str | None, current: list[int]
) -> list[int]:
    """The ids of the brand's channels given by id, slug or handle, each once, in the order given."""
    ids: list[int] = []
    for value in as_list(values):
        row: Channel | None
        if isinstance(value, int) and not isinstance(value, bool):
            row = session.get(Channel, value)
        else:
            text = str(value).strip()
            row = session.scalars(
                select(Channel)
                .where(
                    Channel.brand_id == brand.id, or_(Channel.slug == text.lower(), Channel.handle == text)
                )
                .limit(1)
            ).first()
            if row is None and text.isdigit():
                row = session.get(Channel, int(text))
        if row is None or row.brand_id != brand.id:
            raise ValidationError(
                f"channel {value!r} is not one of {brand.name}'s", field="channels", value=value
            )
        if not row.active and row.id not in current:
            raise ValidationError(f"channel {row.slug!r} is inactive", field="channels", value=value)
        if row.id not in ids:
            ids.append(int(row.id))
    return ids
