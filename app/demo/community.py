"""Demo community inbox: ~500 messages over 60 days in English, Chinese, Malay and Indonesian with
believable sentiment, triage and response times, team replies in the same threads, tags, reply
templates, routing rules and response-time (SLA) policies."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from random import Random
from typing import TypeVar

from app.demo.inbox_phrases import FIRST_NAMES, INBOUND, OUTLETS, PRODUCTS, REPLIES, REPLY_TEMPLATES
from app.demo.people import BRAND_CM
from app.demo.state import BrandRow, DemoState, VariantRow
from app.models.enums import Direction, InboxStatus, MessageKind, Platform, Priority, Sentiment, TagScope

DAYS = 60
MESSAGES = {"lumi": 120, "warisan": 130, "senja": 140}
LANGUAGES = {
    "lumi": (("en", 0.72), ("zh", 0.28)),
    "warisan": (("ms", 0.6), ("en", 0.4)),
    "senja": (("id", 0.93), ("en", 0.07)),
}
T = TypeVar("T")
SENTIMENT = ((Sentiment.POSITIVE, 0.5), (Sentiment.NEUTRAL, 0.35), (Sentiment.NEGATIVE, 0.15))
URGENT_WORDS = ("rash", "refund", "过敏", "lalat", "kotor", "hilang")
INBOX_TAGS = ("complaint", "product question", "praise", "delivery", "allergy", "store experience", "spam")
POST_TAGS = ("evergreen", "promo", "ugc repost")
# Workspace default response targets (minutes): first response, resolution.
SLA = {
    Priority.URGENT: (30, 240),
    Priority.HIGH: (60, 480),
    Priority.NORMAL: (240, 1440),
    Priority.LOW: (1440, None),
}
SLA_LUMI = {Priority.URGENT: (15, 180), Priority.HIGH: (30, 360)}  # regulated brand: faster on complaints


def build(st: DemoState) -> dict[str, int]:
    """Writes the inbox and its rules; returns the inbox tag ids (the crisis room tags its messages)."""
    tags = _tags(st)
    _templates_rules_sla(st, tags)
    for brand in st.brands.values():
        _messages(st, brand, tags)
    return tags


def _tags(st: DemoState) -> dict[str, int]:
    tags = {
        name: st.w.add(
            "tags",
            workspace_id=st.workspace_id,
            scope=TagScope.INBOX,
            name=name,
            color="#E45756" if name in ("complaint", "allergy") else "#BAB0AC",
        )
        for name in INBOX_TAGS
    }
    for name in POST_TAGS:
        st.w.add("tags", workspace_id=st.workspace_id, scope=TagScope.POST, name=name, color="#4C78A8")
    return tags


def _templates_rules_sla(st: DemoState, tags: dict[str, int]) -> None:
    w = st.w
    for name, lang, body, use_for, brand in REPLY_TEMPLATES:
        w.add(
            "reply_templates",
            workspace_id=st.workspace_id,
            brand_id=st.brands[brand].id if brand else None,
            name=name,
            language=lang,
            body=body,
            use_for=use_for,
        )
    rules = (
        (
            "Health complaints are urgent",
            None,
            {
                "keywords": ["allergy", "rash", "reaction", "过敏", "alahan", "gatal", "ruam", "iritasi"],
                "sentiment": "negative",
            },
            None,
            Priority.URGENT,
            "allergy",
            True,
            True,
        ),
        (
            "Food hygiene (Warisan)",
            "warisan",
            {"keywords": ["lalat", "kotor", "basi", "food poisoning", "keracunan"]},
            None,
            Priority.URGENT,
            "complaint",
            True,
            False,
        ),
        (
            "Refunds and lost orders",
            None,
            {"keywords": ["refund", "order", "delivery", "pesanan", "退款", "订单"], "sentiment": "negative"},
            None,
            Priority.HIGH,
            "delivery",
            False,
            False,
        ),
        ("Indonesian inbox to Putri", None, {"language": "id"}, "cm_id", None, None, False, False),
        (
            "Chinese and English SG inbox to Wei Ling",
            "lumi",
            {"language": ["zh", "en"]},
            "cm_sg",
            None,
            None,
            False,
            False,
        ),
        (
            "Spam",
            None,
            {"keywords": ["crypto", "giveaway winner", "DM for promo", "followers murah"]},
            None,
            Priority.LOW,
            "spam",
            False,
            True,
        ),
    )
    for pos, (name, brand, cond, assign, prio, tag, escalate, stop) in enumerate(rules, start=1):
        w.add(
            "routing_rules",
            workspace_id=st.workspace_id,
            brand_id=st.brands[brand].id if brand else None,
            name=name,
            position=pos * 10,
            conditions=cond,
            assign_to_id=st.people[assign] if assign else None,
            set_priority=prio,
            add_tag_id=tags[tag] if tag else None,
            escalate=escalate,
            stop_processing=stop,
            active=True,
        )
    for prio, (first, resolve) in SLA.items():
        w.add(
            "sla_policies",
            workspace_id=st.workspace_id,
            brand_id=None,
            priority=prio,
            first_response_minutes=first,
            resolution_minutes=resolve,
            business_hours_only=prio == Priority.LOW,
        )
    for prio, (first, resolve) in SLA_LUMI.items():
        w.add(
            "sla_policies",
            workspace_id=st.workspace_id,
            brand_id=st.brands["lumi"].id,
            priority=prio,
            first_response_minutes=first,
            resolution_minutes=resolve,
            business_hours_only=False,
        )


def sla_due(brand: BrandRow, priority: Priority, received: datetime) -> datetime:
    minutes = (SLA_LUMI if brand.slug == "lumi" else {}).get(priority, SLA[priority])[0]
    return received + timedelta(minutes=minutes)


def _pick(rng: Random, table: tuple[tuple[T, float], ...]) -> T:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def _messages(st: DemoState, brand: BrandRow, tags: dict[str, int]) -> None:
    rng, now = st.rng, st.now
    weights = [math.sqrt(c.spec.followers) for c in brand.channels]
    published = {
        c.id: [v for _, v in st.published(brand.slug) if v.channel.id == c.id] for c in brand.channels
    }
    cm = st.people[BRAND_CM[brand.slug]]
    for n in range(MESSAGES[brand.slug]):
        ch = rng.choices(brand.channels, weights)[0]
        received = now - timedelta(days=rng.uniform(0, DAYS), minutes=rng.randrange(1, 30))
        lang = _pick(rng, LANGUAGES[brand.slug])
        sentiment = _pick(rng, SENTIMENT)
        body = rng.choice(INBOUND[lang][sentiment.value]).format(
            product=rng.choice(PRODUCTS[brand.slug]), outlet=rng.choice(OUTLETS[brand.slug])
        )
        kind = _kind(rng, ch.platform)
        variant = _recent_variant(published[ch.id], received) if kind == MessageKind.COMMENT else None
        priority = _priority(rng, sentiment, body, kind)
        age = now - received
        fresh = age < timedelta(days=2)
        status = (
            rng.choice((InboxStatus.NEW, InboxStatus.NEW, InboxStatus.OPEN))
            if fresh
            else rng.choices((InboxStatus.RESOLVED, InboxStatus.WAITING, InboxStatus.OPEN), (88, 7, 5))[0]
        )
        first_s = None
        if status != InboxStatus.NEW:
            median = 900 if priority == Priority.URGENT else 2400  # long tail: lognormal
            first_s = int(min(rng.lognormvariate(math.log(median), 1.0), 3 * 86400))
            if received + timedelta(seconds=first_s) >= now:
                first_s = int(age.total_seconds() * rng.uniform(0.2, 0.8))
        first_at = received + timedelta(seconds=first_s) if first_s is not None else None
        resolved_at = None
        if status == InboxStatus.RESOLVED and first_at is not None:
            resolved_at = min(now - timedelta(minutes=1), first_at + timedelta(minutes=rng.randrange(1, 600)))
        ext = f"{ch.platform.value[:2]}{n:04d}{rng.getrandbits(40):010x}"
        score = {
            Sentiment.POSITIVE: rng.uniform(0.35, 0.95),
            Sentiment.NEUTRAL: rng.uniform(-0.15, 0.2),
            Sentiment.NEGATIVE: rng.uniform(-0.95, -0.35),
        }[sentiment]
        mid = st.w.add(
            "inbox_messages",
            brand_id=brand.id,
            channel_id=ch.id,
            external_id=ext,
            thread_key=f"{ch.platform.value}:{ext}",
            parent_id=None,
            variant_id=variant.id if variant else None,
            kind=kind,
            direction=Direction.INBOUND,
            author_handle=handle(rng, lang),
            author_name=rng.choice(FIRST_NAMES[lang]),
            body=body,
            language=lang,
            sentiment=sentiment,
            sentiment_score=round(score, 3),
            priority=priority,
            status=status,
            assignee_id=cm if status != InboxStatus.NEW else None,
            received_at=received,
            first_response_at=first_at,
            first_response_seconds=first_s,
            resolved_at=resolved_at,
            sla_due_at=sla_due(brand, priority, received),
            escalated=priority == Priority.URGENT,
            incident_id=None,
            created_at=received + timedelta(seconds=rng.randrange(20, 200)),
        )
        _tag(st, mid, sentiment, body, tags)
        if first_at is not None and rng.random() < 0.4:
            reply(st, brand, ch.id, ext, mid, kind, lang, sentiment, first_at, cm, variant)


def _kind(rng: Random, platform: Platform) -> MessageKind:
    if platform == Platform.FACEBOOK and rng.random() < 0.1:
        return MessageKind.REVIEW
    mentions = platform in (
        Platform.X,
        Platform.INSTAGRAM,
        Platform.THREADS,
        Platform.BLUESKY,
        Platform.MASTODON,
    )
    return rng.choices(
        (MessageKind.COMMENT, MessageKind.MENTION, MessageKind.DIRECT), (60, 22 if mentions else 0, 20)
    )[0]


def _priority(rng: Random, sentiment: Sentiment, body: str, kind: MessageKind) -> Priority:
    if sentiment == Sentiment.NEGATIVE:
        return Priority.URGENT if any(w in body.lower() for w in URGENT_WORDS) else Priority.HIGH
    if sentiment == Sentiment.POSITIVE and kind != MessageKind.DIRECT:
        return Priority.LOW if rng.random() < 0.6 else Priority.NORMAL
    return Priority.NORMAL


def _recent_variant(variants: list[VariantRow], received: datetime) -> VariantRow | None:
    """Comments land on a post of the last week, newest first."""
    for v in reversed(variants):
        if v.published_at is not None and received - timedelta(days=7) < v.published_at < received:
            return v
    return None


def handle(rng: Random, lang: str) -> str:
    stem = {"en": "sg", "zh": "user", "ms": "my", "id": "id"}[lang]
    return (
        f"@{rng.choice(('anak', 'kopi', 'skin', 'foodie', 'daily', 'real'))}{stem}{rng.randrange(10, 9999)}"
    )


def _tag(st: DemoState, mid: int, sentiment: Sentiment, body: str, tags: dict[str, int]) -> None:
    lowered = body.lower()
    names = []
    if sentiment == Sentiment.NEGATIVE:
        names.append("complaint")
        if any(w in lowered for w in ("rash", "过敏", "allergic", "itchy")):
            names.append("allergy")
        if any(w in lowered for w in ("order", "refund", "pesanan", "订单", "arrived")):
            names.append("delivery")
        if any(w in lowered for w in ("staff", "waited", "tunggu", "antrean", "meja", "rude")):
            names.append("store experience")
    elif sentiment == Sentiment.NEUTRAL and ("?" in body or "？" in body):
        names.append("product question")
    elif sentiment == Sentiment.POSITIVE and st.rng.random() < 0.3:
        names.append("praise")
    for name in names:
        st.w.add("message_tags", message_id=mid, tag_id=tags[name])


def reply(
    st: DemoState,
    brand: BrandRow,
    channel_id: int,
    ext: str,
    parent_id: int,
    kind: MessageKind,
    lang: str,
    sentiment: Sentiment,
    at: datetime,
    cm: int,
    variant: VariantRow | None,
    incident_id: int | None = None,
) -> None:
    """The team's first answer, in the customer's thread and language."""
    ch = next(c for c in brand.channels if c.id == channel_id)
    body = REPLIES[lang][{Sentiment.POSITIVE: 0, Sentiment.NEUTRAL: 1, Sentiment.NEGATIVE: 2}[sentiment]]
    st.w.add(
        "inbox_messages",
        brand_id=brand.id,
        channel_id=channel_id,
        external_id=f"r{ext}",
        thread_key=f"{ch.platform.value}:{ext}",
        parent_id=parent_id,
        variant_id=variant.id if variant else None,
        kind=kind,
        direction=Direction.OUTBOUND,
        author_handle=ch.spec.handle,
        author_name=brand.spec.name,
        body=body,
        language=lang,
        sentiment=None,
        sentiment_score=None,
        priority=Priority.NORMAL,
        status=InboxStatus.RESOLVED,
        assignee_id=cm,
        received_at=at,
        first_response_at=None,
        first_response_seconds=None,
        resolved_at=None,
        sla_due_at=None,
        escalated=False,
        incident_id=incident_id,
        created_at=at,
    )
