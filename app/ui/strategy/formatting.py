"""The Strategy page's tables as people read them: dates like "1 Jan 2027", money like "SGD 12,000",
shares like "30%", names joined by commas and a dash for nothing (never None, ids or enum values)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from app.models.enums import Platform

NOTHING = "—"


def day(value: date | None) -> str:
    """1 Jan 2027 (no leading zero)."""
    return NOTHING if value is None else f"{value.day} {value:%b %Y}"


def period(start: date | None, end: date | None) -> str:
    """1 Jan – 31 Mar 2027; one side open reads "from 1 Jan 2027" or "until 31 Mar 2027"."""
    if start is None and end is None:
        return NOTHING
    if start is None:
        return f"until {day(end)}"
    if end is None:
        return f"from {day(start)}"
    if start.year == end.year:
        return f"{start.day} {start:%b} – {day(end)}"
    return f"{day(start)} – {day(end)}"


def number(value: Decimal | float | int | None) -> str:
    """12,000 or 12,000.5 (trailing zeros dropped)."""
    if value is None:
        return NOTHING
    dec = Decimal(str(value))
    if dec == dec.to_integral_value():
        return f"{int(dec):,}"
    return f"{dec.normalize():,f}"


def money(amount: Decimal | float | int | None, currency: str | None) -> str:
    """SGD 12,000 or SGD 12,000.50 (cents shown only when there are some)."""
    if amount is None:
        return NOTHING
    dec = Decimal(str(amount))
    text = f"{int(dec):,}" if dec == dec.to_integral_value() else f"{dec:,.2f}"
    return f"{currency.upper()} {text}" if currency else text


def share(pct: float | int | Decimal | None) -> str:
    """30% (one decimal only when it is not whole)."""
    if pct is None:
        return NOTHING
    value = float(pct)
    return f"{value:.0f}%" if value.is_integer() else f"{value:.1f}%"


def names(items: Iterable[str]) -> str:
    joined = ", ".join(str(i) for i in items if str(i).strip())
    return joined or NOTHING


def platform_names(values: Iterable[str]) -> str:
    out = []
    for v in values:
        try:
            out.append(Platform(v).label)
        except ValueError:
            out.append(str(v))
    return names(out)


def market_names(codes: Iterable[str], labels: dict[str, str]) -> str:
    """Market names for codes ("Singapore, Malaysia"); an unknown code shows as itself, upper case."""
    return names(labels.get(c, c.upper()) for c in codes)


def text(value: str | None) -> str:
    return value.strip() if value and value.strip() else NOTHING


def objectives_frame(rows: Sequence[Any], show_brand: bool) -> pd.DataFrame:
    data = [
        {
            "Brand": o.brand_name,
            "Objective": o.name,
            "Kind": o.kind_label,
            "KPI": o.kpi_metric_name or NOTHING,
            "Target": number(o.target_value),
            "Period": period(o.period_start, o.period_end),
            "Description": text(o.description),
            "Archived": "Archived" if o.archived else "",
        }
        for o in rows
    ]
    return _shaped(data, show_brand, rows)


def segments_frame(rows: Sequence[Any], show_brand: bool, market_labels: dict[str, str]) -> pd.DataFrame:
    data = [
        {
            "Brand": s.brand_name,
            "Segment": s.name,
            "Description": text(s.description),
            "Markets": market_names(s.markets, market_labels),
            "Platforms": platform_names(s.platforms),
            "Archived": "Archived" if s.archived else "",
        }
        for s in rows
    ]
    return _shaped(data, show_brand, rows)


def pillars_frame(rows: Sequence[Any], show_brand: bool) -> pd.DataFrame:
    data = [
        {
            "Brand": p.brand_name,
            "Pillar": p.name,
            "Target share": share(p.target_share_pct),
            "Description": text(p.description),
            "Archived": "Archived" if p.archived else "",
        }
        for p in rows
    ]
    return _shaped(data, show_brand, rows)


def campaigns_frame(rows: Sequence[Any], show_brand: bool, market_labels: dict[str, str]) -> pd.DataFrame:
    data = [
        {
            "Brand": c.brand_name,
            "Campaign": c.name,
            "Status": c.status_label,
            "Dates": period(c.start_date, c.end_date),
            "Objective": c.objective_name or NOTHING,
            "Pillars": names(c.pillar_names),
            "Budget": money(c.budget, c.currency),
            "Markets": market_names(c.markets, market_labels),
            "Channels": names(c.channel_names),
            "UTM campaign": text(c.utm_campaign),
            "Archived": "Archived" if c.archived else "",
        }
        for c in rows
    ]
    return _shaped(data, show_brand, rows)


def _shaped(data: list[dict[str, str]], show_brand: bool, rows: Sequence[Any]) -> pd.DataFrame:
    frame = pd.DataFrame(data)
    if frame.empty:
        return frame
    drop = [] if show_brand else ["Brand"]
    if not any(r.archived for r in rows):
        drop.append("Archived")
    return frame.drop(columns=drop)


def share_total(pillars: Sequence[Any]) -> dict[str, float]:
    """Each brand's total target share over its active pillars, by brand name."""
    totals: dict[str, float] = {}
    for p in pillars:
        if p.archived:
            continue
        totals.setdefault(p.brand_name, 0.0)
        totals[p.brand_name] += float(p.target_share_pct or 0)
    return totals
