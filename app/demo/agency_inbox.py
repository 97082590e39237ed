"""The synthetic agency's inbox: about one inbound message per brand and day over the last 90 days,
with mixed languages, sentiment, triage status and response times, drawn as numpy columns."""

from __future__ import annotations

from itertools import repeat

import numpy as np

from app.demo.agency_common import CHANNELS_PER_BRAND as CH
from app.demo.agency_common import Organisation, PostContext, optional_times, times
from app.demo.common import Writer
from app.demo.community import SLA
from app.demo.platform_texts import SYN_INBOX
from app.models.enums import Direction, InboxStatus, MessageKind, Priority

INBOX_DAYS = 90
KINDS = (MessageKind.COMMENT, MessageKind.MENTION, MessageKind.DIRECT)
SENTIMENTS = ("positive", "neutral", "negative")
PRIORITIES = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)
STATUSES = (InboxStatus.NEW, InboxStatus.OPEN, InboxStatus.WAITING, InboxStatus.RESOLVED)


def write_inbox(w: Writer, ctx: PostContext, org: Organisation) -> None:
    """About one inbound message per brand and day over the last 90 days."""
    rng, nb = ctx.rng, len(org.brand_ids)
    span = min(INBOX_DAYS, ctx.days)
    per_brand = rng.poisson(span, nb)
    n = int(per_brand.sum())
    if n == 0:
        return
    brand = np.repeat(np.arange(nb), per_brand)
    now_ts = int(ctx.now.timestamp())
    received = now_ts - rng.integers(60, span * 86400, n)
    age = now_ts - received
    ch_local = rng.integers(0, CH, n)
    sentiment = rng.choice(3, n, p=[0.5, 0.35, 0.15])
    kind = rng.choice(3, n, p=[0.6, 0.2, 0.2])
    priority = np.where(
        sentiment == 2,
        np.where(rng.random(n) < 0.15, 3, 2),
        np.where((sentiment == 0) & (rng.random(n) < 0.5), 0, 1),
    )
    fresh = age < 2 * 86400
    u = rng.random(n)
    status = np.where(fresh, np.where(u < 0.6, 0, 1), np.where(u < 0.85, 3, np.where(u < 0.93, 2, 1)))
    answered = status != 0
    first_s = np.minimum(rng.lognormal(np.log(2400), 1.0, n), age * 0.8).astype(np.int64)
    resolved = (status == 3) & answered
    resolve_ts = np.minimum(received + first_s + rng.integers(60, 36000, n), now_ts - 30)
    sla = np.array([SLA[p][0] * 60 for p in PRIORITIES])[priority]
    first_id = w.reserve("inbox_messages", n)
    ids = list(range(first_id, first_id + n))
    channel_ids = (np.asarray(org.first_channel)[brand] + ch_local).tolist()
    plats = [org.platforms[b][c].value for b, c in zip(brand.tolist(), ch_local.tolist(), strict=True)]
    langs, bodies = [], []
    for b, s, x in zip(brand.tolist(), sentiment.tolist(), u.tolist(), strict=True):
        options = ctx.languages[ctx.market_codes[b]]
        lang = options[0] if x < 0.7 or len(options) == 1 else options[1]
        langs.append(lang)
        texts = SYN_INBOX[lang][SENTIMENTS[s]]
        bodies.append(texts[int(x * 1000) % len(texts)])
    received_dt = times(received)
    answered_l, resolved_l = answered.tolist(), resolved.tolist()
    w.insert(
        "inbox_messages",
        (
            "id",
            "brand_id",
            "channel_id",
            "external_id",
            "thread_key",
            "kind",
            "direction",
            "author_handle",
            "author_name",
            "body",
            "language",
            "sentiment",
            "sentiment_score",
            "priority",
            "status",
            "assignee_id",
            "received_at",
            "first_response_at",
            "first_response_seconds",
            "resolved_at",
            "sla_due_at",
            "escalated",
            "created_at",
            "version",
        ),
        zip(
            ids,
            np.asarray(org.brand_ids)[brand].tolist(),
            channel_ids,
            [f"m{i}" for i in ids],
            [f"{p}:m{i}" for p, i in zip(plats, ids, strict=True)],
            [KINDS[k].value for k in kind.tolist()],
            repeat(Direction.INBOUND.value),
            [f"@fan{i % 99991}" for i in ids],
            repeat(""),
            bodies,
            langs,
            [SENTIMENTS[s] for s in sentiment.tolist()],
            np.round(np.array([0.6, 0.0, -0.6])[sentiment] + rng.uniform(-0.3, 0.3, n), 3).tolist(),
            [PRIORITIES[p].value for p in priority.tolist()],
            [STATUSES[s].value for s in status.tolist()],
            [
                org.cms[b % len(org.cms)] if a else None
                for b, a in zip(brand.tolist(), answered_l, strict=True)
            ],
            received_dt,
            optional_times(received + first_s, answered_l),
            [s if a else None for s, a in zip(first_s.tolist(), answered_l, strict=True)],
            optional_times(resolve_ts, resolved_l),
            times(received + sla),
            (priority == 3).tolist(),
            received_dt,
            repeat(1),
        ),
    )
