"""The community side of a report: inbound messages per priority against the SLA's first-response
target, and the incidents opened in the period. Written here because no shared service returns them
per priority and period yet; both are indexed range reads on (brand, time)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import InboxMessage, Incident, SeverityLevel, SlaPolicy
from app.models.enums import Direction
from app.services.core import utc_bounds

COMMUNITY_COLUMNS = [
    "priority",
    "messages",
    "answered",
    "median first response (min)",
    "SLA target (min)",
    "within SLA",
]
INCIDENT_COLUMNS = ["incident", "severity", "status", "opened", "resolved", "hours open"]
_PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


def sla_targets(session: Session, brand_id: int) -> dict[str, int]:
    """Minutes to first response per priority: the brand's own policy over the workspace default."""
    rows = session.execute(
        select(SlaPolicy.brand_id, SlaPolicy.priority, SlaPolicy.first_response_minutes).where(
            (SlaPolicy.brand_id == brand_id) | SlaPolicy.brand_id.is_(None)
        )
    ).all()
    out: dict[str, int] = {}
    for _brand, prio, minutes in sorted(rows, key=lambda r: r[0] is not None):  # brand rows win
        out[str(prio.value if hasattr(prio, "value") else prio)] = int(minutes)
    return out


def response_by_priority(session: Session, brand_id: int, start: date, end: date) -> pd.DataFrame:
    """One row per priority with inbound messages in the period: how many were answered, the median
    first response and the share answered within the SLA's first-response minutes."""
    lo, hi = utc_bounds(start, end)
    m = InboxMessage
    rows = session.execute(
        select(m.priority, m.first_response_seconds).where(
            m.brand_id == brand_id,
            m.received_at >= lo,
            m.received_at < hi,
            m.direction == Direction.INBOUND,
        )
    ).all()
    if not rows:
        return pd.DataFrame(columns=COMMUNITY_COLUMNS)
    df = pd.DataFrame([(p.value, s) for p, s in rows], columns=["priority", "seconds"])
    df["seconds"] = pd.to_numeric(df["seconds"], errors="coerce")
    targets = sla_targets(session, brand_id)
    out = []
    for prio, g in df.groupby("priority"):
        answered = g["seconds"].dropna()
        target = targets.get(str(prio))
        within = None
        if target is not None and len(g):
            # An unanswered message has missed its SLA as far as a report can tell.
            within = float((answered <= target * 60).sum()) / len(g)
        out.append(
            (
                str(prio),
                len(g),
                len(answered),
                float(answered.median()) / 60 if len(answered) else None,
                target,
                within,
            )
        )
    frame = pd.DataFrame(out, columns=COMMUNITY_COLUMNS)
    return frame.sort_values("priority", key=lambda s: s.map(_PRIORITY_ORDER)).reset_index(drop=True)


def overall_within_sla(frame: pd.DataFrame) -> float | None:
    """The share of all inbound messages answered within their priority's SLA (messages without an SLA
    target left out)."""
    known = frame.dropna(subset=["within SLA"])
    if known.empty or not known["messages"].sum():
        return None
    return float((known["within SLA"] * known["messages"]).sum() / known["messages"].sum())


def incidents_in(session: Session, brand_id: int, start: date, end: date) -> pd.DataFrame:
    """The incidents opened in the period, most severe first."""
    lo, hi = utc_bounds(start, end)
    rows = session.execute(
        select(Incident.title, SeverityLevel.name, SeverityLevel.level, Incident.status, Incident.opened_at)
        .add_columns(Incident.resolved_at)
        .join(SeverityLevel, SeverityLevel.id == Incident.severity_id)
        .where(Incident.brand_id == brand_id, Incident.opened_at >= lo, Incident.opened_at < hi)
        .order_by(SeverityLevel.level, Incident.opened_at)
    ).all()
    data = [
        (
            title,
            sev,
            status.value,
            opened,
            resolved,
            round((resolved - opened).total_seconds() / 3600, 1) if resolved else None,
        )
        for title, sev, _level, status, opened, resolved in rows
    ]
    return pd.DataFrame(data, columns=INCIDENT_COLUMNS)
