"""What the strategy services share: listing a model's rows with their brands, the brand a write goes
to (and the right to write there), loading a row the actor may see, recording a creation, archiving,
and the checks of markets, platforms, amounts and date ranges, each failure naming its field."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Brand, Market
from app.models.enums import Platform
from app.services.core import (
    Actor,
    Perm,
    ValidationError,
    audit,
    clock,
    require,
    require_anywhere,
    validation,
    visible_row,
)
from app.services.org import brand_field, current_workspace, find_brand, visible_brands_clause


class StrategyRow(Protocol):
    """A strategy row: a brand's, versioned, and archivable."""

    id: Any
    brand_id: int
    version: int
    archived_at: Any


R = TypeVar("R", bound=StrategyRow)


def require_view(actor: Actor) -> None:
    """Reading the strategy needs the right to view some brand (the rows are then limited to those)."""
    require_anywhere(actor, Perm.VIEW)


def brand_scope(session: Session, actor: Actor, brand: Brand | str | int | None) -> Any:
    """A WHERE clause on Brand.id: the one brand asked for (NotFound when unseen) or every visible one."""
    require_view(actor)
    if brand is None:
        return visible_brands_clause(actor)
    return Brand.id == find_brand(session, actor, brand).id


def list_rows(
    session: Session,
    actor: Actor,
    model: type[R],
    brand: Brand | str | int | None,
    include_archived: bool,
    *order_by: Any,
) -> list[tuple[R, Brand]]:
    """The rows of one brand or of every brand the actor sees, each with its brand, by brand name and
    then `order_by`; archived rows only when asked for."""
    m: Any = model
    stmt = (
        select(m, Brand)
        .join(Brand, Brand.id == m.brand_id)
        .where(brand_scope(session, actor, brand))
        .order_by(Brand.name, *order_by)
    )
    if not include_archived:
        stmt = stmt.where(m.archived_at.is_(None))
    return [(row, b) for row, b in session.execute(stmt)]


def brand_of(session: Session, row: StrategyRow) -> Brand:
    """The brand a row belongs to."""
    brand = session.get(Brand, row.brand_id)
    assert brand is not None
    return brand


def brand_for_write(session: Session, actor: Actor, brand: Brand | str | int) -> Brand:
    """The brand a new row goes to, once the actor may edit that brand's strategy."""
    row = brand_field(session, actor, brand)
    if row is None:
        raise ValidationError("brand is required", field="brand")
    require(actor, Perm.STRATEGY_EDIT, row.id, row.slug)
    return row


def load(session: Session, actor: Actor, model: type[R], row_id: int, what: str) -> R:
    """The row with this id if the actor may see its brand (otherwise NotFound, not a hint it exists)."""
    return visible_row(session, actor, model, row_id, what)


def load_for_write(session: Session, actor: Actor, model: type[R], row_id: int, what: str) -> tuple[R, Brand]:
    """The row and its brand, once the actor may edit that brand's strategy."""
    row = load(session, actor, model, row_id, what)
    brand = session.get(Brand, row.brand_id)
    require(actor, Perm.STRATEGY_EDIT, row.brand_id, brand.slug if brand else None)
    assert brand is not None
    return row, brand


def record_create(
    session: Session,
    actor: Actor,
    row: StrategyRow,
    *,
    object_type: str,
    label: str,
    also: dict[str, Any] | None = None,
) -> None:
    """Add a new row, flush it (for its id and defaults) and audit its creation: the row as created,
    with `also` (what is kept outside its columns) added to the record."""
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        object_type,
        row.id,
        label=label,
        brand_id=row.brand_id,
        after={**audit.snapshot(row), **(also or {})},
    )


def unknown_fields(changes: dict[str, Any], editable: Iterable[str], what: str) -> None:
    unknown = sorted(set(changes) - set(editable))
    if unknown:
        raise ValidationError(
            f"{what} field {', '.join(repr(u) for u in unknown)} cannot be changed here",
            field=unknown[0],
        )


def set_archived(
    session: Session, actor: Actor, row: R, archived: bool, *, object_type: str, label: str
) -> bool:
    """Archive (gone from pickers, kept where it is already used) or restore; audited, nothing when
    the row is already so."""
    if bool(row.archived_at) == bool(archived):
        return False
    return audit.update(
        session,
        actor,
        row,
        {"archived_at": clock.now() if archived else None},
        object_type=object_type,
        label=lambda _r: label,
        brand_id=row.brand_id,
        action="archive" if archived else "restore",
    )


def text(value: str | None, field: str) -> str:
    """Free text as typed (trimmed), refusing a NUL character."""
    return validation.no_nul(value, field).strip()


def as_list(values: Iterable[Any] | str | None) -> list[Any]:
    """A list from a list, or from one comma-separated string (as a form or a cell holds it)."""
    if values is None:
        return []
    if isinstance(values, str):
        return [v.strip() for v in values.split(",") if v.strip()]
    return [v.strip() if isinstance(v, str) else v for v in values if v not in (None, "")]


def market_codes(session: Session, values: Iterable[str] | str | None, field: str = "markets") -> list[str]:
    """Known market codes of the workspace, lowercase, each once, in the order given."""
    codes: list[str] = []
    wanted = [str(v).strip().lower() for v in as_list(values)]
    if not wanted:
        return codes
    ws = current_workspace(session)
    known = set(session.scalars(select(Market.code).where(Market.workspace_id == ws.id)))
    for code in wanted:
        if code not in known:
            listed = ", ".join(sorted(known)) or "none yet"
            raise ValidationError(f"{field}: no market {code!r} (known: {listed})", field=field, value=code)
        if code not in codes:
            codes.append(code)
    return codes


def platform_values(values: Iterable[str] | str | None, field: str = "platforms") -> list[str]:
    """Platform values, each once, in the order given."""
    out: list[str] = []
    for value in as_list(values):
        plat = validation.choice(Platform, value, field).value
        if plat not in out:
            out.append(plat)
    return out


def amount(
    value: Any, field: str, *, places: int, digits: int, minimum: Decimal | None = None
) -> Decimal | None:
    """A number for a Numeric(digits, places) column, or None for an empty value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{field} {value!r} is not a number", field=field, value=value) from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** (digits - places):
        raise ValidationError(f"{field} {value!r} is not a usable number", field=field, value=value)
    if minimum is not None and number < minimum:
        raise ValidationError(f"{field} {value!r} must be at least {minimum}", field=field, value=value)
    return number.quantize(Decimal(1).scaleb(-places))


def day(value: date | str | None, field: str) -> date | None:
    """A date, or an ISO text of one (YYYY-MM-DD), or None."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(
            f"{field} {value!r} is not a date (YYYY-MM-DD)", field=field, value=value
        ) from None


def date_range(start: date | None, end: date | None, end_field: str) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationError(
            f"{end_field} {end.isoformat()} is before the start {start.isoformat()}",
            field=end_field,
            value=end,
        )


def name_taken(session: Session, model: Any, brand_id: int, name: str, row_id: int | None) -> bool:
    """Whether another row of the brand has this name (case and spacing aside)."""
    clash = session.scalar(
        select(model.id).where(
            model.brand_id == brand_id,
            func.lower(model.name) == name.lower(),
            model.id != (row_id or -1),
        )
    )
    return clash is not None
