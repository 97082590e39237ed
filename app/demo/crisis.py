"""The demo crisis room: notification chains per severity, and one resolved incident on the regulated
brand (~70 days ago) with its four-day timeline, post-mortem and the inbox spike it caused."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from app.demo.common import local_time
from app.demo.community import handle, reply, sla_due
from app.demo.inbox_phrases import (
    FIRST_NAMES,
    INCIDENT_MESSAGES,
    INCIDENT_POSTMORTEM,
    INCIDENT_SUMMARY,
    INCIDENT_TIMELINE,
    INCIDENT_TITLE,
)
from app.demo.state import BrandRow, DemoState
from app.models.enums import (
    Direction,
    InboxStatus,
    IncidentStatus,
    MessageKind,
    NotifyVia,
    Platform,
    Priority,
    Sentiment,
)

INCIDENT_DAYS_AGO = 70
INCIDENT_BRAND = "lumi"
INCIDENT_MESSAGE_COUNT = 32

# (brand or None for the workspace default, severity level, name, steps: (person key or None, contact,
#  via, after minutes))
CHAINS = (
    (
        None,
        3,
        "High: agency chain",
        (
            ("cm_sg", "", NotifyVia.IN_APP, 0),
            ("lead", "+65 8123 4567", NotifyVia.PHONE, 0),
            ("admin", "", NotifyVia.EMAIL, 15),
        ),
    ),
    (
        None,
        4,
        "Critical: agency chain",
        (
            ("lead", "+65 8123 4567", NotifyVia.PHONE, 0),
            ("admin", "+65 9876 5432", NotifyVia.PHONE, 0),
            (None, "https://hooks.kopi.example/crisis", NotifyVia.WEBHOOK, 0),
        ),
    ),
    (
        "lumi",
        3,
        "Lumi: health and safety",
        (
            ("cm_sg", "", NotifyVia.IN_APP, 0),
            ("lead", "+65 8123 4567", NotifyVia.PHONE, 0),
            ("legal", "", NotifyVia.EMAIL, 10),
            (None, "crisis@lumiskinlab.example.sg", NotifyVia.EMAIL, 15),
            ("admin", "", NotifyVia.EMAIL, 30),
        ),
    ),
)


def build(st: DemoState, tags: dict[str, int]) -> None:
    w = st.w
    for brand_slug, level, name, steps in CHAINS:
        chain = w.add(
            "notification_chains",
            workspace_id=st.workspace_id,
            brand_id=st.brands[brand_slug].id if brand_slug else None,
            severity_id=st.severity[level],
            name=name,
            created_at=st.now - timedelta(days=190),
        )
        for pos, (who, contact, via, after) in enumerate(steps, start=1):
            w.add(
                "notification_steps",
                chain_id=chain,
                position=pos,
                user_id=st.people[who] if who else None,
                contact=contact,
                via=via,
                after_minutes=after,
            )
    brand = st.brands[INCIDENT_BRAND]
    opened = st.incident_opened = _opened(st, brand)
    st.incident_id = w.add(
        "incidents",
        brand_id=brand.id,
        severity_id=st.severity[3],
        title=INCIDENT_TITLE,
        summary=INCIDENT_SUMMARY,
        status=IncidentStatus.RESOLVED,
        opened_by_id=st.people["cm_sg"],
        opened_at=opened,
        resolved_at=opened + timedelta(minutes=INCIDENT_TIMELINE[-1][0]),
        postmortem=INCIDENT_POSTMORTEM,
        created_at=opened,
    )
    for minutes, kind, who, body in INCIDENT_TIMELINE:
        w.add(
            "incident_events",
            incident_id=st.incident_id,
            at=opened + timedelta(minutes=minutes),
            author_id=st.people[who],
            kind=kind,
            body=body,
        )
    _incident_messages(st, tags)


def _opened(st: DemoState, brand: BrandRow) -> datetime:
    day = st.today - timedelta(days=INCIDENT_DAYS_AGO)
    return local_time(day, 10, 20, brand.spec.market.timezone)


def _incident_messages(st: DemoState, tags: dict[str, int]) -> None:
    """The spike: mostly negative messages in the first three days, answered fast, all linked to the
    incident so the crisis room can show them."""
    rng, brand = st.rng, st.brands[INCIDENT_BRAND]
    opened = _opened(st, brand)
    cm = st.people["cm_sg"]
    channels = [
        c for c in brand.channels if c.platform in (Platform.INSTAGRAM, Platform.FACEBOOK, Platform.TIKTOK)
    ]
    for n in range(INCIDENT_MESSAGE_COUNT):
        ch = channels[0] if n < 12 else rng.choice(channels)
        # Most messages come in the first hours; the tail runs over three days.
        received = opened + timedelta(minutes=-25 + 60 * 72 * (n / INCIDENT_MESSAGE_COUNT) ** 2.2)
        body = INCIDENT_MESSAGES[n % len(INCIDENT_MESSAGES)]
        lang = "zh" if any("\u4e00" <= c <= "\u9fff" for c in body) else "en"
        sentiment = Sentiment.NEUTRAL if n % 5 == 1 else Sentiment.NEGATIVE
        priority = Priority.URGENT if n < 10 else Priority.HIGH
        first_s = int(min(rng.lognormvariate(math.log(1500), 0.7), 6 * 3600))
        first_at = received + timedelta(seconds=first_s)
        ext = f"inc{n:03d}{rng.getrandbits(40):010x}"
        mid = st.w.add(
            "inbox_messages",
            brand_id=brand.id,
            channel_id=ch.id,
            external_id=ext,
            thread_key=f"{ch.platform.value}:{ext}",
            parent_id=None,
            variant_id=None,
            kind=MessageKind.COMMENT if n % 4 else MessageKind.DIRECT,
            direction=Direction.INBOUND,
            author_handle=handle(rng, lang),
            author_name=rng.choice(FIRST_NAMES[lang]),
            body=body,
            language=lang,
            sentiment=sentiment,
            sentiment_score=round(rng.uniform(-0.95, -0.5) if sentiment == Sentiment.NEGATIVE else 0.0, 3),
            priority=priority,
            status=InboxStatus.RESOLVED,
            assignee_id=cm,
            received_at=received,
            first_response_at=first_at,
            first_response_seconds=first_s,
            resolved_at=first_at + timedelta(hours=rng.uniform(1, 30)),
            sla_due_at=sla_due(brand, priority, received),
            escalated=n < 10,
            incident_id=st.incident_id,
            created_at=received,
        )
        st.w.add("message_tags", message_id=mid, tag_id=tags["complaint"])
        if "react" in body or "itchy" in body or "过敏" in body:
            st.w.add("message_tags", message_id=mid, tag_id=tags["allergy"])
        if n % 2 == 0:
            kind = MessageKind.COMMENT if n % 4 else MessageKind.DIRECT
            reply(
                st, brand, ch.id, ext, mid, kind, lang, Sentiment.NEGATIVE, first_at, cm, None, st.incident_id
            )
