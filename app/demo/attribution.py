"""Demo attribution and tests: governed tracked links on campaign posts, GA4 and CRM conversions with
their touchpoint paths, and two A/B experiments (one concluded, one running)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from app.demo.state import DemoState, PostRow, VariantRow
from app.models.enums import ExperimentStatus, PostStatus, TouchpointKind

# (conversion kind, source, value in SGD-equivalent, share of conversions)
CONVERSION_KINDS = (
    ("purchase", "ga4", 42.0, 0.55),
    ("sign_up", "ga4", 0.0, 0.3),
    ("lead", "crm", 120.0, 0.15),
)
FX = {"SGD": 1.0, "MYR": 3.4, "IDR": 11_500.0}


def build(st: DemoState) -> None:
    links = _tracked_links(st)
    _conversions(st, links)
    _experiments(st)


def _tracked_links(st: DemoState) -> list[tuple[int, PostRow, VariantRow, dict[str, str]]]:
    out = []
    live = (PostStatus.PUBLISHED, PostStatus.SCHEDULED, PostStatus.APPROVED, PostStatus.PUBLISHING)
    for post in st.posts:
        if post.campaign is None or post.status not in live:
            continue
        base = f"{post.brand.spec.website}/{post.campaign.spec.slug}"
        for v in post.variants:
            # Boosted posts are tagged paid_social so paid and organic stay apart in GA4.
            utm = {
                "utm_source": v.channel.platform.value,
                "utm_medium": "paid_social" if st.rng.random() < 0.2 else "social",
                "utm_campaign": post.campaign.utm,
                "utm_content": f"{v.channel.slug}-{post.id}",
            }
            lid = st.w.add(
                "tracked_links",
                brand_id=post.brand.id,
                campaign_id=post.campaign.id,
                variant_id=v.id,
                base_url=base,
                utm_source=utm["utm_source"],
                utm_medium=utm["utm_medium"],
                utm_campaign=utm["utm_campaign"],
                utm_content=utm["utm_content"],
                utm_term=None,
                full_url=f"{base}?{urlencode(utm)}",
                created_at=min(post.created_at + timedelta(hours=2), st.now),
            )
            out.append((lid, post, v, utm))
    return out


def _conversions(st: DemoState, links: list[tuple[int, PostRow, VariantRow, dict[str, str]]]) -> None:
    rng, w = st.rng, st.w
    published = [item for item in links if item[2].published_at is not None]
    kinds = [k for k, *_ in CONVERSION_KINDS]
    weights = [k[3] for k in CONVERSION_KINDS]
    for n in range(min(180, len(published) * 3)):
        lid, post, v, utm = rng.choice(published)
        assert v.published_at is not None
        kind_i = kinds.index(rng.choices(kinds, weights)[0])
        kind, source, value, _ = CONVERSION_KINDS[kind_i]
        click = v.published_at + timedelta(minutes=rng.randrange(5, 60 * 72))
        occurred = click + timedelta(minutes=rng.randrange(2, 60 * 48))
        if occurred >= st.now:
            continue
        currency = post.brand.spec.market.currency
        amount = None if value == 0 else Decimal(str(round(value * FX[currency] * rng.uniform(0.5, 2.2), 2)))
        cid = w.add(
            "conversions",
            brand_id=post.brand.id,
            external_id=f"{source.upper()}-{n + 1:05d}-{rng.getrandbits(32):08x}",
            source=source,
            kind=kind,
            occurred_at=occurred,
            value=amount,
            currency=currency if amount is not None else None,
            tracked_link_id=lid,
            utm_source=utm["utm_source"],
            utm_medium=utm["utm_medium"],
            utm_campaign=utm["utm_campaign"],
            utm_content=utm["utm_content"],
            created_at=occurred + timedelta(hours=6),
        )
        visitor = f"v_{rng.getrandbits(48):012x}"
        path = [(TouchpointKind.IMPRESSION, click - timedelta(minutes=rng.randrange(1, 240)))]
        if rng.random() < 0.4:
            path.append((TouchpointKind.ENGAGEMENT, click - timedelta(minutes=1)))
        path += [(TouchpointKind.CLICK, click), (TouchpointKind.VISIT, click + timedelta(seconds=4))]
        for kind_tp, at in path:
            w.add(
                "touchpoints",
                brand_id=post.brand.id,
                conversion_id=cid,
                channel_id=v.channel.id,
                variant_id=v.id,
                tracked_link_id=lid if kind_tp != TouchpointKind.IMPRESSION else None,
                kind=kind_tp,
                occurred_at=max(at, v.published_at),
                visitor_key=visitor,
            )


def _experiments(st: DemoState) -> None:
    """Concluded: carousel vs reel for Kopi Senja. Running: morning vs evening slot for Lumi."""
    senja = [
        p
        for p in st.posts
        if p.brand.slug == "senja"
        and p.status == PostStatus.PUBLISHED
        and st.today - timedelta(days=75) <= p.day <= st.today - timedelta(days=35)
    ]
    if len(senja) >= 2:
        a, b = senja[0], senja[-1]
        st.w.add(
            "experiments",
            brand_id=st.brands["senja"].id,
            name="Carousel vs Reel for the farmer stories",
            hypothesis="A Reel of the same farmer story earns a higher engagement rate than a carousel.",
            metric_key="engagement_rate",
            status=ExperimentStatus.CONCLUDED,
            start_date=a.day,
            end_date=b.day + timedelta(days=7),
            arms=[{"name": "A: carousel", "post_id": a.id}, {"name": "B: reel", "post_id": b.id}],
            conclusion="Reel won: engagement rate 4.9% vs 3.6% (two-proportion z-test, p = 0.031). "
            "Farmer stories move to Reels; carousels stay for the menu.",
            p_value=0.031,
            created_at=st.now - timedelta(days=80),
        )
    lumi = [
        p
        for p in st.posts
        if p.brand.slug == "lumi" and p.status in (PostStatus.SCHEDULED, PostStatus.APPROVED)
    ]
    if len(lumi) >= 2:
        st.w.add(
            "experiments",
            brand_id=st.brands["lumi"].id,
            name="Morning vs evening slot for routine posts",
            hypothesis="Routine posts at 08:00 get more clicks per impression than at 20:00 (commute reading).",
            metric_key="click_through_rate",
            status=ExperimentStatus.RUNNING,
            start_date=st.today - timedelta(days=5),
            end_date=st.today + timedelta(days=9),
            arms=[{"name": "A: 08:00", "post_id": lumi[0].id}, {"name": "B: 20:00", "post_id": lumi[1].id}],
            conclusion="",
            p_value=None,
            created_at=st.now - timedelta(days=6),
        )
