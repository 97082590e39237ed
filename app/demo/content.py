"""Demo content: briefs, ~100 posts per brand over the last 180 and next 30 days in every status, and
their per-channel variants with copy adapted to each platform, local posting times and publish results."""

from __future__ import annotations

import re
import string
from datetime import date, datetime, timedelta

from app.demo import approvals
from app.demo.campaign_phrases import ANGLES, CAMPAIGN_TOPICS, CTAS
from app.demo.catalog import VIRAL_BRAND, VIRAL_DAYS_AGO
from app.demo.common import local_time, uuid_from
from app.demo.people import BRAND_EDITOR
from app.demo.phrases import TOPICS, Topic
from app.demo.platform_texts import FAILURES
from app.demo.state import BrandRow, CampaignRow, ChannelRow, DemoState, PostRow, VariantRow
from app.models.enums import BriefStatus, CampaignStatus, Platform, PostStatus, PostType
from app.services.core import validation

PAST_DAYS = 180
FUTURE_DAYS = 30

# Where each kind of post can go.
SUITS: dict[PostType, tuple[Platform, ...]] = {
    PostType.VIDEO: (Platform.YOUTUBE, Platform.TIKTOK, Platform.FACEBOOK, Platform.INSTAGRAM),
    PostType.REEL: (Platform.TIKTOK, Platform.INSTAGRAM, Platform.FACEBOOK, Platform.YOUTUBE),
    PostType.STORY: (Platform.INSTAGRAM, Platform.FACEBOOK),
    PostType.IMAGE: (
        Platform.INSTAGRAM,
        Platform.FACEBOOK,
        Platform.THREADS,
        Platform.X,
        Platform.LINKEDIN,
        Platform.BLUESKY,
        Platform.MASTODON,
    ),
    PostType.CAROUSEL: (Platform.INSTAGRAM, Platform.FACEBOOK, Platform.LINKEDIN, Platform.THREADS),
    PostType.TEXT: (
        Platform.X,
        Platform.THREADS,
        Platform.LINKEDIN,
        Platform.FACEBOOK,
        Platform.MASTODON,
        Platform.BLUESKY,
    ),
    PostType.LINK: (
        Platform.FACEBOOK,
        Platform.LINKEDIN,
        Platform.X,
        Platform.BLUESKY,
        Platform.MASTODON,
        Platform.THREADS,
    ),
}

# Local posting slots: LinkedIn in office hours, TikTok and Instagram in the evening.
SLOTS: dict[Platform, tuple[int, ...]] = {
    Platform.LINKEDIN: (9, 10, 12),
    Platform.X: (8, 12, 18),
    Platform.FACEBOOK: (12, 13, 20),
    Platform.INSTAGRAM: (19, 20, 21),
    Platform.TIKTOK: (19, 20, 21, 22),
    Platform.YOUTUBE: (17, 18, 19),
    Platform.THREADS: (12, 20, 21),
    Platform.BLUESKY: (9, 12, 17),
    Platform.MASTODON: (9, 12, 17),
    Platform.PINTEREST: (20, 21),
}
COPY_LIMITS = {Platform.X: 280, Platform.BLUESKY: 300, Platform.MASTODON: 500}


def build(st: DemoState) -> None:
    for brand in st.brands.values():
        _briefs(st, brand)
        approvals.write_flow(st, brand)
        _posts(st, brand)
    approvals.write_requests(st)
    approvals.write_notes(st)


def _briefs(st: DemoState, brand: BrandRow) -> None:
    spec = brand.spec
    for camp in brand.campaigns:
        status = {
            CampaignStatus.COMPLETED: BriefStatus.DONE,
            CampaignStatus.ACTIVE: BriefStatus.ACTIVE,
        }.get(camp.status, BriefStatus.DRAFT)
        camp.brief_id = st.w.add(
            "briefs",
            brand_id=brand.id,
            campaign_id=camp.id,
            pillar_id=brand.pillar_ids[camp.spec.pillar],
            title=f"{camp.spec.name}: social brief",
            audience=_AUDIENCE[spec.slug],
            objective=f"{camp.spec.objective.value.capitalize()}: {camp.spec.description}",
            key_messages=camp.spec.description + " " + _KEY_MESSAGE[spec.slug],
            technical_specs="Instagram 4:5 and 9:16, TikTok 9:16 under 45 s with captions burned in, "
            "Facebook 1:1, X copy under 250 characters, alt text on every image.",
            success_metrics=f"Reach and engagement rate above the monthly KPI targets; tracked clicks with "
            f"utm_campaign={camp.utm}.",
            due_date=camp.start - timedelta(days=7),
            status=status,
            owner_id=st.people[BRAND_EDITOR[spec.slug]],
            created_at=min(
                st.now, datetime.combine(camp.start, datetime.min.time(), st.now.tzinfo) - timedelta(days=21)
            ),
        )
    pillar = spec.pillars[0]
    st.w.add(
        "briefs",
        brand_id=brand.id,
        campaign_id=None,
        pillar_id=brand.pillar_ids[0],
        title=f"Always-on: {pillar.name}",
        audience=_AUDIENCE[spec.slug],
        objective="Engagement: steady, saveable content between campaigns.",
        key_messages=pillar.description,
        technical_specs="Carousels of 5-7 slides, Reels under 30 s, one idea per post.",
        success_metrics="Saves and shares per post above the 90-day median.",
        due_date=st.today + timedelta(days=10),
        status=BriefStatus.ACTIVE,
        owner_id=st.people[BRAND_EDITOR[spec.slug]],
        created_at=st.now - timedelta(days=150),
    )


_AUDIENCE = {
    "lumi": "Singapore women and men 25-40 with sensitive or reactive skin; office workers; English first.",
    "warisan": "Malaysian families and office workers 25-55 in Klang Valley, Penang and Johor; Malay and English.",
    "senja": "Indonesian students and young professionals 18-30 in Jakarta, Bandung and Surabaya.",
}
_KEY_MESSAGE = {
    "lumi": "Gentle, fragrance-free, formulated for humid weather. No medical claims.",
    "warisan": "Same recipes since 1968; good value; halal-certified kitchens.",
    "senja": "Kopi enak, harga bersahabat, pesan di app tanpa antre.",
}


def _plan(st: DemoState) -> list[tuple[int, PostStatus]]:
    """Posting days (relative to today) and statuses: the past is mostly published, with a few failed
    and archived posts; the future runs from scheduled (soon) to drafts and ideas (later)."""
    rng = st.rng
    past, future = [], []
    for d in range(-PAST_DAYS, FUTURE_DAYS + 1):
        weekday = (st.today + timedelta(days=d)).weekday()
        if d != 0 and rng.random() < (0.5 if weekday < 5 else 0.32):
            (past if d < 0 else future).append(d)
    statuses = {d: PostStatus.PUBLISHED for d in past}
    for d in rng.sample([d for d in past if d < -90], 3):
        statuses[d] = PostStatus.ARCHIVED
    for d in rng.sample([d for d in past if -60 <= d <= -2], 2):
        statuses[d] = PostStatus.FAILED
    cut = (
        (0.35, PostStatus.SCHEDULED),
        (0.5, PostStatus.APPROVED),
        (0.68, PostStatus.IN_REVIEW),
        (0.85, PostStatus.DRAFT),
        (1.01, PostStatus.IDEA),
    )
    for i, d in enumerate(future):
        statuses[d] = next(s for limit, s in cut if i / len(future) < limit)
    return sorted(statuses.items())


def _posts(st: DemoState, brand: BrandRow) -> None:
    plan = _plan(st)
    if brand.slug in ("lumi", "senja"):
        plan.append((0, PostStatus.PUBLISHING))  # caught mid-publish by the job runner
    used: set[str] = set()
    if brand.slug == VIRAL_BRAND:
        # Written first so it gets the topic's plain title; follow-ups on the hit get variants of it.
        topic = next(t for t in TOPICS[brand.slug] if "2 meter" in t.title)
        day = st.today - timedelta(days=VIRAL_DAYS_AGO)
        st.viral_post = _post(st, brand, day, PostStatus.PUBLISHED, topic, None, used, viral=True)
    for d, status in plan:
        day = st.today + timedelta(days=d)
        camp = next((c for c in brand.campaigns if c.start <= day <= c.end), None)
        if camp is not None and st.rng.random() < 0.5:
            topic = st.rng.choice(CAMPAIGN_TOPICS[camp.spec.slug])
        else:
            topic, camp = st.rng.choice(TOPICS[brand.slug]), None
        _post(st, brand, day, status, topic, camp, used)


def _title(st: DemoState, topic: Topic, used: set[str]) -> str:
    if topic.title not in used:
        used.add(topic.title)
        return topic.title
    for angle in st.rng.sample(ANGLES[topic.lang], len(ANGLES[topic.lang])):
        title = f"{topic.title}: {angle}"
        if title not in used:
            used.add(title)
            return title
    return f"{topic.title} ({len(used)})"


def _post(
    st: DemoState,
    brand: BrandRow,
    day: date,
    status: PostStatus,
    topic: Topic,
    camp: CampaignRow | None,
    used: set[str],
    viral: bool = False,
) -> PostRow:
    rng, spec = st.rng, brand.spec
    post_type = PostType.REEL if viral else rng.choice(topic.types)
    title = _title(st, topic, used)
    cta = rng.choice(CTAS[topic.lang])
    link = None
    if camp is not None:
        link = f"{spec.website}/{camp.spec.slug}"
    elif post_type == PostType.LINK:
        link = f"{spec.website}/{validation.slugify(topic.title)}"
    master = f"{topic.copy} {cta}" + (f"\n{link}" if link else "")
    if status == PostStatus.IDEA:
        master = f"Idea: {topic.copy}"
    day_start = datetime.combine(day, datetime.min.time(), st.now.tzinfo)
    created = min(
        st.now - timedelta(hours=3),
        day_start - timedelta(days=rng.randrange(3, 14), hours=rng.randrange(0, 9)),
    )
    editor = st.people[BRAND_EDITOR[spec.slug]]
    post = PostRow(
        id=st.w.new_id("posts"),
        brand=brand,
        status=status,
        post_type=post_type,
        title=title,
        lang=topic.lang,
        day=day,
        campaign=camp,
        created_at=created,
    )
    channels = _channels(st, brand, post_type, viral, 1 if status == PostStatus.IDEA else None)
    for n, ch in enumerate(channels):
        post.variants.append(_variant(st, post, ch, n, title, master, link))
    updated = max(v.published_at or v.scheduled_at or created for v in post.variants)
    st.w.add(
        "posts",
        id=post.id,
        brand_id=brand.id,
        brief_id=camp.brief_id if camp else None,
        campaign_id=camp.id if camp else None,
        pillar_id=brand.pillar_ids[topic.pillar],
        title=title,
        master_copy=master,
        link_url=link,
        post_type=post_type,
        status=status,
        owner_id=editor,
        created_by_id=editor if rng.random() < 0.8 else st.people["lead"],
        updated_at=min(st.now, updated),
        created_at=created,
        version=1 if status in (PostStatus.IDEA, PostStatus.DRAFT) else rng.randrange(2, 6),
    )
    st.posts.append(post)
    return post


def _channels(
    st: DemoState, brand: BrandRow, post_type: PostType, viral: bool, only: int | None
) -> list[ChannelRow]:
    fits = [c for c in brand.channels if c.platform in SUITS[post_type]] or brand.channels[:1]
    if viral:
        return [
            c
            for c in brand.channels
            if c.platform in (Platform.TIKTOK, Platform.INSTAGRAM, Platform.FACEBOOK)
        ]
    k = only or st.rng.choices((1, 2, 3, 4), weights=(3, 4, 3, 1))[0]
    return sorted(st.rng.sample(fits, min(k, len(fits))), key=lambda c: c.id)


def _variant(
    st: DemoState, post: PostRow, ch: ChannelRow, n: int, title: str, master: str, link: str | None
) -> VariantRow:
    rng, tz = st.rng, post.brand.spec.market.timezone
    status = post.status
    if status == PostStatus.FAILED and n > 0:
        status = PostStatus.PUBLISHED  # a partial failure: the other channels went out
    if status == PostStatus.PUBLISHING and n > 0:
        status = PostStatus.SCHEDULED
    scheduled: datetime | None = None
    if status != PostStatus.IDEA:
        scheduled = local_time(post.day, rng.choice(SLOTS[ch.platform]), rng.choice((0, 15, 30, 45)), tz)
    if status == PostStatus.PUBLISHING:
        scheduled = st.now - timedelta(minutes=2)
    elif status == PostStatus.SCHEDULED and post.status == PostStatus.PUBLISHING:
        scheduled = st.now + timedelta(hours=rng.randrange(2, 12))
    published = (
        scheduled + timedelta(seconds=rng.randrange(2, 90)) if status == PostStatus.PUBLISHED else None
    )
    external_id = permalink = None
    if published is not None:
        external_id, permalink = _external_ref(st, ch)
    keyed = status in (PostStatus.PUBLISHED, PostStatus.FAILED, PostStatus.SCHEDULED, PostStatus.PUBLISHING)
    claimed = status in (PostStatus.PUBLISHED, PostStatus.FAILED, PostStatus.PUBLISHING)
    vid = st.w.add(
        "post_variants",
        post_id=post.id,
        channel_id=ch.id,
        brand_id=post.brand.id,
        copy=""
        if status == PostStatus.IDEA
        else adapt_copy(ch.platform, title, master, post.brand.spec.hashtags, link),
        status=status,
        scheduled_at=scheduled,
        published_at=published,
        external_id=external_id,
        permalink=permalink,
        idempotency_key=uuid_from(rng) if keyed else None,
        attempts={PostStatus.FAILED: 3, PostStatus.PUBLISHED: 1, PostStatus.PUBLISHING: 1}.get(status, 0),
        claimed_by="runner@ops-1" if claimed else None,
        claimed_at=(scheduled if status != PostStatus.PUBLISHING else st.now - timedelta(minutes=1))
        if claimed
        else None,
        last_error=FAILURES[ch.platform] if status == PostStatus.FAILED else None,
        created_at=post.created_at,
        version=1 if status in (PostStatus.IDEA, PostStatus.DRAFT) else 2 + int(published is not None),
    )
    return VariantRow(vid, ch, status, scheduled, published)


def adapt_copy(platform: Platform, title: str, master: str, hashtags: str, link: str | None) -> str:
    """The master copy fitted to the platform: short with one hashtag where characters are counted,
    hashtags in a block on visual platforms, no hashtag wall on LinkedIn."""
    body = master.split("\n")[0]
    if platform in COPY_LIMITS:
        tail = (f" {link}" if link else "") + " " + hashtags.split()[0]
        room = COPY_LIMITS[platform] - len(tail)
        text = f"{title}. {body}"
        return (text if len(text) <= room else text[: room - 1].rstrip() + "…") + tail
    if platform == Platform.THREADS:  # one topic tag per post: the body's own tags go
        plain_body = re.sub(r"\s*#\w+", "", body).strip()
        return f"{plain_body}\n\n{hashtags.split()[0]}"
    if platform in (Platform.INSTAGRAM, Platform.TIKTOK):
        return f"{body}\n\n{hashtags}"
    if platform == Platform.LINKEDIN:
        return f"{title}\n\n{body}" + (f"\n\n{link}" if link else "")
    return master + ("" if link else f"\n{hashtags.split()[0]}")


_B62 = string.ascii_letters + string.digits + "_-"


def _external_ref(st: DemoState, ch: ChannelRow) -> tuple[str, str]:
    """An id and link shaped like the platform's own, so the demo's links look real."""
    r, handle = st.rng, ch.spec.handle.lstrip("@")

    def digits(n: int, prefix: str) -> str:
        return prefix + "".join(r.choice(string.digits) for _ in range(n - len(prefix)))

    def code(n: int, alphabet: str = _B62) -> str:
        return "".join(r.choice(alphabet) for _ in range(n))

    p = ch.platform
    if p == Platform.FACEBOOK:
        pid = f"{digits(15, '10')}_{digits(16, '8')}"
        return pid, f"https://www.facebook.com/{handle}/posts/{pid.split('_')[1]}"
    if p == Platform.INSTAGRAM:
        return digits(17, "179"), f"https://www.instagram.com/p/{code(11)}/"
    if p == Platform.TIKTOK:
        vid = digits(19, "73")
        return vid, f"https://www.tiktok.com/@{handle}/video/{vid}"
    if p == Platform.X:
        tid = digits(19, "18")
        return tid, f"https://x.com/{handle}/status/{tid}"
    if p == Platform.YOUTUBE:
        yid = code(11)
        return yid, f"https://www.youtube.com/watch?v={yid}"
    if p == Platform.LINKEDIN:
        urn = f"urn:li:share:{digits(19, '72')}"
        return urn, f"https://www.linkedin.com/feed/update/{urn}/"
    if p == Platform.THREADS:
        return digits(19, "31"), f"https://www.threads.net/@{handle}/post/{code(11)}"
    if p == Platform.MASTODON:
        mid = digits(18, "11")
        user, _, host = handle.partition("@")
        return mid, f"https://{host or 'mastodon.social'}/@{user}/{mid}"
    rkey = "3l" + code(11, "234567abcdefghijklmnopqrstuvwxyz")
    did = "did:plc:" + code(24, "234567abcdefghijklmnopqrstuvwxyz")
    return f"at://{did}/app.bsky.feed.post/{rkey}", f"https://bsky.app/profile/{handle}/post/{rkey}"
