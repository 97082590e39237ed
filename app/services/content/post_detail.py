"""One post as the composer shows it: its fields and variants ready to edit (as a PostDraft), where it
stands (status, version, approval rounds and decisions, comments, what blocks scheduling), and the
brand's choices (channels, pillars, campaigns, briefs) for the editor's pickers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStage,
    Brand,
    Brief,
    Campaign,
    Channel,
    Comment,
    ContentPillar,
    Post,
    User,
    variant_assets,
)
from app.models.enums import BriefStatus, CampaignStatus, PostStatus
from app.services.content.drafts import PostDraft, VariantDraft
from app.services.content.workflow import schedule_blockers
from app.services.core import Actor, NotFound, Perm, require_brands, visible_row


@dataclass(frozen=True)
class ChannelChoice:
    slug: str
    platform: str
    label: str
    id: int


@dataclass(frozen=True)
class EditorChoices:
    brand_id: int
    brand_slug: str
    brand_name: str
    timezone: str
    channels: list[ChannelChoice]
    pillars: list[tuple[int, str]]
    campaigns: list[tuple[int, str]]
    briefs: list[tuple[int, str]]


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    what: str


@dataclass(frozen=True)
class PostView:
    id: int
    brand_id: int
    status: PostStatus
    version: int
    draft: PostDraft
    variant_ids: dict[str, int]  # channel slug → variant id
    history: list[HistoryEntry]
    schedule_blockers: list[str]


def editor_choices(
    session: Session,
    actor: Actor,
    brand_id: int,
    *,
    keep_pillar: int | None = None,
    keep_campaign: int | None = None,
    keep_brief: int | None = None,
) -> EditorChoices:
    """The brand's active channels and what a post can be linked to: pillars and campaigns not archived
    (campaigns that are active or planned, the active ones first), open briefs. The `keep_*` ids are what
    the post (or brief) being edited already uses: they stay offered even when archived or over, labelled
    so ("Spring (archived)"), so saving it does not drop them."""
    require_brands(actor, Perm.CONTENT_EDIT, [brand_id])
    brand = session.get(Brand, brand_id)
    if brand is None:
        raise NotFound(f"no brand {brand_id}")
    channels = [
        ChannelChoice(c.slug, c.platform.value, f"{c.platform.label} · {c.handle}", c.id)
        for c in session.scalars(
            select(Channel)
            .where(Channel.brand_id == brand_id, Channel.active.is_(True))
            .order_by(Channel.platform)
        )
    ]
    pillars = [
        (p.id, p.name)
        for p in session.scalars(
            select(ContentPillar)
            .where(ContentPillar.brand_id == brand_id, ContentPillar.archived_at.is_(None))
            .order_by(ContentPillar.name)
        )
    ]
    open_campaigns = session.scalars(
        select(Campaign)
        .where(
            Campaign.brand_id == brand_id,
            Campaign.archived_at.is_(None),
            Campaign.status.in_([CampaignStatus.PLANNED, CampaignStatus.ACTIVE]),
        )
        .order_by(Campaign.start_date, Campaign.name)
    ).all()
    campaigns = [
        (c.id, c.name) for c in sorted(open_campaigns, key=lambda c: c.status != CampaignStatus.ACTIVE)
    ]
    briefs = [
        (i, t)
        for i, t in session.execute(
            select(Brief.id, Brief.title).where(
                Brief.brand_id == brand_id, Brief.status.in_([BriefStatus.DRAFT, BriefStatus.ACTIVE])
            )
        )
    ]
    pillar = session.get(ContentPillar, keep_pillar) if keep_pillar else None
    if pillar is not None and pillar.brand_id == brand_id and pillar.id not in dict(pillars):
        pillars.append((pillar.id, f"{pillar.name} (archived)"))
    campaign = session.get(Campaign, keep_campaign) if keep_campaign else None
    if campaign is not None and campaign.brand_id == brand_id and campaign.id not in dict(campaigns):
        state = "archived" if campaign.archived_at else campaign.status.value
        campaigns.append((campaign.id, f"{campaign.name} ({state})"))
    brief = session.get(Brief, keep_brief) if keep_brief else None
    if brief is not None and brief.brand_id == brand_id and brief.id not in dict(briefs):
        briefs.append((brief.id, f"{brief.title} ({brief.status.value})"))
    return EditorChoices(
        brand.id,
        brand.slug,
        brand.name,
        brand.market.timezone,
        channels,
        pillars,
        campaigns,
        briefs,
    )


def load_post(session: Session, actor: Actor, post_id: int) -> PostView:

    post = visible_row(session, actor, Post, post_id, "post", Perm.CONTENT_EDIT)
    slugs = dict(
        session.execute(select(Channel.id, Channel.slug).where(Channel.brand_id == post.brand_id)).all()
    )
    links: dict[int, list[tuple[int, str | None]]] = {}
    for vid, aid, alt in session.execute(
        select(variant_assets.c.variant_id, variant_assets.c.asset_id, variant_assets.c.alt_text)
        .where(variant_assets.c.variant_id.in_([v.id for v in post.variants] or [-1]))
        .order_by(variant_assets.c.position)
    ):
        links.setdefault(vid, []).append((aid, alt))
    variants = tuple(
        VariantDraft(
            channel=slugs[v.channel_id],
            copy=v.copy,
            scheduled_at=v.scheduled_at,
            asset_ids=tuple(a for a, _ in links.get(v.id, [])),
            alt_texts={a: alt for a, alt in links.get(v.id, []) if alt},
        )
        for v in post.variants
    )
    draft = PostDraft(
        title=post.title,
        master_copy=post.master_copy,
        post_type=post.post_type.value,
        link_url=post.link_url,
        pillar_id=post.pillar_id,
        campaign_id=post.campaign_id,
        brief_id=post.brief_id,
        variants=variants,
    )
    blockers = (
        schedule_blockers(session, post) if post.status in (PostStatus.APPROVED, PostStatus.FAILED) else []
    )
    return PostView(
        post.id,
        post.brand_id,
        post.status,
        post.version,
        draft,
        {slugs[v.channel_id]: v.id for v in post.variants},
        _history(session, post),
        blockers,
    )


def _history(session: Session, post: Post) -> list[HistoryEntry]:
    """Submissions, decisions (with their comments) and comments, oldest first."""
    names = {uid: (n or e) for uid, n, e in session.execute(select(User.id, User.name, User.email))}
    out: list[HistoryEntry] = []
    for req in session.scalars(select(ApprovalRequest).where(ApprovalRequest.post_id == post.id)):
        out.append(
            HistoryEntry(
                req.submitted_at,
                names.get(req.submitted_by_id, "someone"),
                f"submitted for approval (round {req.round}): {req.status.value}",
            )
        )
        for d, stage in session.execute(
            select(ApprovalDecision, ApprovalStage.name)
            .join(ApprovalStage, ApprovalStage.id == ApprovalDecision.stage_id)
            .where(ApprovalDecision.request_id == req.id)
        ):
            text = f"{d.decision.value}d at {stage}" + (f": {d.comment}" if d.comment else "")
            out.append(HistoryEntry(d.decided_at, names.get(d.decided_by_id, "someone"), text))
    for c in session.scalars(
        select(Comment).where(Comment.object_type == "post", Comment.object_id == post.id)
    ):
        out.append(HistoryEntry(c.created_at, names.get(c.author_id, "SocialOps Hub"), c.body))
    return sorted(out, key=lambda h: h.at)


def post_choices(
    session: Session, actor: Actor, brand_ids: list[int], limit: int = 300
) -> list[tuple[int, str]]:
    """(id, "title · status") of the brands' posts that can still be worked on, latest first."""
    brand_ids = require_brands(actor, Perm.CONTENT_EDIT, brand_ids)
    rows = session.execute(
        select(Post.id, Post.title, Post.status)
        .where(
            Post.brand_id.in_(brand_ids or [-1]),
            Post.status.not_in([PostStatus.PUBLISHED, PostStatus.ARCHIVED]),
        )
        .order_by(Post.updated_at.desc(), Post.id.desc())
        .limit(limit)
    ).all()
    return [(i, f"{t} · {s.label.lower()}") for i, t, s in rows]
