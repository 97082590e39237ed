"""The community inbox as a read model: inbound messages of a period with their triage state, sentiment
per day, and how fast the team answered against the response-time (SLA) policies."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.models import Brand, Channel, InboxMessage, SlaPolicy, User
from app.models.enums import Direction, InboxStatus, Priority, Sentiment
from app.services.core import Actor, Kpi, Perm, previous_range, require_brands, time_bucket, utc_bounds
from app.services.org import current_workspace

MESSAGE_COLUMNS = [
    "received",
    "brand",
    "platform",
    "kind",
    "author",
    "language",
    "sentiment",
    "priority",
    "status",
    "assignee",
    "first response (min)",
    "body",
]


def _inbound(brand_ids: Sequence[int], start: date, end: date) -> list:
    """Inbound messages received in the period: a range scan on the (brand, received_at) index."""
    lo, hi = utc_bounds(start, end)
    m = InboxMessage
    return [
        m.brand_id.in_(brand_ids),
        m.received_at >= lo,
        m.received_at < hi,
        m.direction == Direction.INBOUND,
    ]


def list_messages(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    start: date,
    end: date,
    statuses: Iterable[InboxStatus | str] | None = None,
    sentiments: Iterable[Sentiment | str] | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """The newest inbound messages first. `body` is what a member of the public wrote: show it as text."""
    brand_ids = require_brands(actor, Perm.INBOX_WORK, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=MESSAGE_COLUMNS)
    m = InboxMessage
    assignee = aliased(User)
    stmt = (
        select(
            m.received_at,
            Brand.name,
            Channel.platform,
            m.kind,
            m.author_name,
            m.author_handle,
            m.language,
            m.sentiment,
            m.priority,
            m.status,
            assignee.name,
            assignee.email,
            m.first_response_seconds,
            m.body,
        )
        .join(Brand, Brand.id == m.brand_id)
        .join(Channel, Channel.id == m.channel_id)
        .outerjoin(assignee, assignee.id == m.assignee_id)
        .where(*_inbound(brand_ids, start, end))
        .order_by(m.received_at.desc(), m.id.desc())
        .limit(limit)
    )
    if statuses:
        stmt = stmt.where(m.status.in_([InboxStatus(s) for s in statuses]))
    if sentiments:
        stmt = stmt.where(m.sentiment.in_([Sentiment(s) for s in sentiments]))
    data = [
        (
            at,
            brand,
            plat.value,
            kind.value,
            f"{name} ({handle})" if name and name != handle else handle,
            lang or "",
            sent.value if sent else "unknown",
            prio.value,
            status.value,
            (a_name or "").strip() or (a_email or ""),
            round(secs / 60, 1) if secs is not None else None,
            body,
        )
        for at, brand, plat, kind, name, handle, lang, sent, prio, status, a_name, a_email, secs, body in session.execute(
            stmt
        )
    ]
    return pd.DataFrame(data, columns=MESSAGE_COLUMNS)


def sentiment_by_day(
    session: Session, actor: Actor, brand_ids: Sequence[int], start: date, end: date
) -> pd.DataFrame:
    """day, sentiment, messages: inbound messages per UTC day and sentiment ("unknown" when not scored)."""
    brand_ids = require_brands(actor, Perm.INBOX_WORK, brand_ids)
    empty = pd.DataFrame(columns=["day", "sentiment", "messages"])
    if not brand_ids:
        return empty
    m = InboxMessage
    day = time_bucket(session, m.received_at, "day").label("day")
    rows = [
        (d, s.value if s else "unknown", n)
        for d, s, n in session.execute(
            select(day, m.sentiment, func.count())
            .where(*_inbound(brand_ids, start, end))
            .group_by(day, m.sentiment)
            .order_by(day)
        )
    ]
    if not rows:
        return empty
    df = pd.DataFrame(rows, columns=["day", "sentiment", "messages"])
    df["day"] = pd.to_datetime(df["day"])
    return df


def _sla_minutes(session: Session, brand_ids: Sequence[int]) -> dict[tuple[int, Priority], int]:
    """(brand, priority) → first-response target in minutes; a brand's own policy beats the workspace's."""
    ws = current_workspace(session)
    policies = session.execute(
        select(SlaPolicy.brand_id, SlaPolicy.priority, SlaPolicy.first_response_minutes).where(
            SlaPolicy.workspace_id == ws.id
        )
    ).all()
    default = {prio: mins for b, prio, mins in policies if b is None}
    targets: dict[tuple[int, Priority], int] = {}
    for brand_id in brand_ids:
        for prio in Priority:
            if prio in default:
                targets[(brand_id, prio)] = default[prio]
    for b, prio, mins in policies:
        if b in brand_ids:
            targets[(b, prio)] = mins
    return targets


def _response_stats(
    session: Session,
    brand_ids: Sequence[int],
    start: date,
    end: date,
    targets: dict[tuple[int, Priority], int],
) -> dict[str, float | None]:
    m = InboxMessage
    # Only the messages that opened a thread carry triage fields (replies in a thread do not).
    rows = session.execute(
        select(m.brand_id, m.priority, m.first_response_seconds).where(
            *_inbound(brand_ids, start, end), m.first_response_seconds.is_not(None)
        )
    ).all()
    if not rows:
        return {"median": None, "p90": None, "within_sla": None, "answered": 0.0}
    df = pd.DataFrame(rows, columns=["brand_id", "priority", "seconds"])
    df["target"] = [targets.get((b, p)) for b, p in zip(df["brand_id"], df["priority"], strict=True)]
    with_target = df.dropna(subset=["target"])
    within = (
        float((with_target["seconds"] <= with_target["target"] * 60).mean())
        if not with_target.empty
        else None
    )
    minutes = df["seconds"] / 60
    return {
        "median": float(minutes.median()),
        "p90": float(minutes.quantile(0.9)),
        "within_sla": within,
        "answered": float(len(df)),
    }


def response_time_summary(
    session: Session, actor: Actor, brand_ids: Sequence[int], start: date, end: date
) -> list[Kpi]:
    """Median and 90th-percentile first response (minutes) and the share answered within the SLA target
    for the message's priority, against the previous period of the same length."""
    brand_ids = require_brands(actor, Perm.INBOX_WORK, brand_ids)
    if not brand_ids:
        return []
    targets = _sla_minutes(session, brand_ids)
    now = _response_stats(session, brand_ids, start, end, targets)
    before = _response_stats(session, brand_ids, *previous_range(start, end), targets)
    return [
        Kpi(
            "first_response",
            "Median first response",
            now["median"],
            before["median"],
            "minutes",
            "Lower is better",
        ),
        Kpi(
            "first_response_p90",
            "90% answered within",
            now["p90"],
            before["p90"],
            "minutes",
            "Lower is better",
        ),
        Kpi(
            "within_sla",
            "Answered within SLA",
            now["within_sla"],
            before["within_sla"],
            "percent",
            "Share of answered messages whose first response met the SLA target for their priority",
        ),
        Kpi("answered", "Messages answered", now["answered"], before["answered"]),
    ]
