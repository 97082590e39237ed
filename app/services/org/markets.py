"""Markets: countries or regions with their languages, time zone, currency and date format."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Brand, Market
from app.services.core import Actor, NotFound, Perm, ValidationError, audit, require, validation
from app.services.org.workspace import current_workspace


@dataclass(frozen=True)
class MarketInfo:
    code: str
    name: str
    country_code: str
    languages: list[str]
    timezone: str
    currency: str
    date_format: str
    brands: int
    id: int


def _info(m: Market, brands: int) -> MarketInfo:
    return MarketInfo(
        m.code, m.name, m.country_code, list(m.languages), m.timezone, m.currency, m.date_format, brands, m.id
    )


def list_markets(session: Session, actor: Actor) -> list[MarketInfo]:
    if not actor.can_anywhere(Perm.VIEW):
        require(actor, Perm.VIEW)
    ws = current_workspace(session)
    counts = dict(session.execute(select(Brand.market_id, func.count()).group_by(Brand.market_id)).all())
    markets = session.scalars(select(Market).where(Market.workspace_id == ws.id).order_by(Market.code))
    return [_info(m, counts.get(m.id, 0)) for m in markets]


def get_market(session: Session, code: str) -> Market:
    ws = current_workspace(session)
    market = session.scalars(
        select(Market).where(Market.workspace_id == ws.id, Market.code == code.strip().lower())
    ).first()
    if market is None:
        known = ", ".join(session.scalars(select(Market.code).order_by(Market.code))) or "none yet"
        raise NotFound(f"no market {code!r} (known: {known})")
    return market


def create_market(
    session: Session,
    actor: Actor,
    *,
    code: str,
    name: str,
    country_code: str,
    languages: list[str] | str,
    timezone: str,
    currency: str,
    date_format: str = "%d/%m/%Y",
) -> MarketInfo:
    require(actor, Perm.ADMIN)
    ws = current_workspace(session)
    market = Market(
        workspace_id=ws.id,
        code=validation.slug(code, "market code"),
        name=validation.required_text(name, "market name", 120),
        country_code=validation.code(country_code, 2, "country code"),
        languages=validation.languages(languages),
        timezone=validation.timezone(timezone),
        currency=validation.code(currency, 3, "currency"),
        date_format=_date_format(date_format),
    )
    if session.scalars(
        select(Market.id).where(Market.workspace_id == ws.id, Market.code == market.code)
    ).first():
        raise ValidationError(f"market code {market.code!r} already exists", field="code", value=market.code)
    session.add(market)
    session.flush()
    audit.record(
        session, actor, "create", "market", market.id, label=market.name, after=audit.snapshot(market)
    )
    return _info(market, 0)


def update_market(session: Session, actor: Actor, code: str, **changes: object) -> MarketInfo:
    require(actor, Perm.ADMIN)
    market = get_market(session, code)
    clean: dict[str, object] = {}
    for key, value in changes.items():
        if key == "name":
            clean[key] = validation.required_text(str(value), "market name", 120)
        elif key == "languages":
            clean[key] = validation.languages(value)  # type: ignore[arg-type]
        elif key == "timezone":
            clean[key] = validation.timezone(str(value))
        elif key == "currency":
            clean[key] = validation.code(str(value), 3, "currency")
        elif key == "country_code":
            clean[key] = validation.code(str(value), 2, "country code")
        elif key == "date_format":
            clean[key] = _date_format(str(value))
        else:
            raise ValidationError(f"market field {key!r} cannot be changed here", field=key)
    audit.update(session, actor, market, clean, object_type="market", label=lambda m: m.name)
    brands = session.scalar(select(func.count()).select_from(Brand).where(Brand.market_id == market.id)) or 0
    return _info(market, brands)


def _date_format(value: str) -> str:
    value = value.strip()
    if value not in ("%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d"):
        raise ValidationError(
            f"date format {value!r} is not one of %d/%m/%Y, %m/%d/%Y, %Y-%m-%d, %d.%m.%Y, %d-%m-%Y, %Y/%m/%d",
            field="date_format",
            value=value,
        )
    return value
