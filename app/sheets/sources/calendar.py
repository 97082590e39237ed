"""The content calendar worksheet: one row per post variant (a post on one channel) of the brand's period.
Edits go through the composer (copy, title, time: the same checks and re-approval as the app) and the
status flow (a sheet can submit, schedule or archive, never approve); new rows become posts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import Channel, Post, PostVariant, User, variant_assets
from app.models.enums import PostStatus
from app.services.content import PostDraft, VariantDraft, composer, workflow
from app.services.core import NotFound, ValidationError
from app.sheets.schema import WorksheetSchema
from app.sheets.sources.base import Record, Source, SyncContext

CONTENT_FIELDS = frozenset({"title", "copy", "post_type", "campaign", "pillar", "link_url"})
FIELDS = CONTENT_FIELDS | {"id", "scheduled_at", "channel", "status", "owner", "published_at"}
REASON = "changed in Google Sheets"


class CalendarSource(Source):
    name = "calendar"
    fields = frozenset(FIELDS)
    writable = True

    def check(self, schema: WorksheetSchema) -> str | None:
        if schema.key_column.field != "id":
            return "the calendar's key is the variant id (field: id)"
        if schema.allow_add and not any(c.field == "channel" for c in schema.columns):
            return "rows can be added only with a channel column"
        return None

    def load(self, ctx: SyncContext, keys: list[str] | None = None) -> dict[str, Record]:
        v, p = PostVariant, Post
        owner = aliased(User)
        stmt = (
            select(
                v.id,
                v.version,
                p.version,
                v.scheduled_at,
                v.channel_id,
                p.title,
                v.copy,
                p.post_type,
                v.status,
                p.campaign_id,
                p.pillar_id,
                p.link_url,
                func.coalesce(func.nullif(owner.name, ""), owner.email),
                v.published_at,
                p.id,
            )
            .join(p, p.id == v.post_id)
            .outerjoin(owner, owner.id == p.owner_id)
            .where(v.brand_id == ctx.brand.id)
        )
        span = ctx.utc_range
        if span is not None:
            lo, hi = span
            stmt = stmt.where(
                or_(
                    and_(v.scheduled_at >= lo, v.scheduled_at < hi),
                    and_(v.scheduled_at.is_(None), v.published_at >= lo, v.published_at < hi),
                    # Ideas and drafts without a time yet belong on the planning sheet.
                    and_(v.scheduled_at.is_(None), v.published_at.is_(None)),
                )
            )
        if keys is not None:
            stmt = stmt.where(v.id.in_([int(k) for k in keys if k.isdigit()]))
        out: dict[str, Record] = {}
        for row in ctx.session.execute(stmt.order_by(func.coalesce(v.scheduled_at, v.published_at), v.id)):
            (
                vid,
                vver,
                pver,
                when,
                channel,
                title,
                copy,
                ptype,
                status,
                camp,
                pillar,
                link,
                own,
                pub,
                pid,
            ) = row
            values = {
                "id": vid,
                "scheduled_at": when,
                "channel": channel,
                "title": title,
                "copy": copy,
                "post_type": ptype.value,
                "status": status.value,
                "campaign": camp,
                "pillar": pillar,
                "link_url": link,
                "owner": own,
                "published_at": pub,
            }
            out[str(vid)] = Record(str(vid), f"{pver}.{vver}", values, label=title, ref={"post_id": pid})
        return out

    def update(self, ctx: SyncContext, record: Record, changes: dict[str, Any]) -> None:
        s, actor = ctx.session, ctx.actor
        variant = s.get(PostVariant, int(record.key))
        if variant is None:
            raise NotFound(f"post variant {record.key} no longer exists")
        post = variant.post
        content = CONTENT_FIELDS & changes.keys()
        if "scheduled_at" in changes and changes["scheduled_at"] is not None and not content:
            # A new time alone is the calendar's drag and drop: re-approval only past what approval covered.
            composer.reschedule_variant(s, actor, variant.id, changes["scheduled_at"], variant.version)
        elif content or "scheduled_at" in changes:
            draft = _draft(s, post, variant, changes)
            composer.update_post(s, actor, post.id, draft, expected_version=post.version)
        if "status" in changes and changes["status"] is not None:
            s.refresh(post)
            target = PostStatus(changes["status"])
            if target != post.status:
                workflow.move(s, actor, post.id, target, reason=REASON)

    def create(self, ctx: SyncContext, values: dict[str, Any]) -> str:
        s = ctx.session
        channel = s.get(Channel, values["channel"]) if values.get("channel") is not None else None
        if channel is None:
            raise ValidationError("a new row needs its channel", field="channel")
        copy = values.get("copy") or ""
        draft = PostDraft(
            title=values.get("title") or "",
            master_copy=copy,
            post_type=values.get("post_type") or "image",
            link_url=values.get("link_url"),
            pillar_id=values.get("pillar"),
            campaign_id=values.get("campaign"),
            variants=(VariantDraft(channel.slug, copy, values.get("scheduled_at")),),
        )
        wanted = PostStatus(values.get("status") or PostStatus.DRAFT)
        first = wanted if wanted in (PostStatus.IDEA, PostStatus.DRAFT) else PostStatus.DRAFT
        saved = composer.create_post(s, ctx.actor, ctx.brand.id, draft, status=first)
        if wanted != first:
            # Submitting or scheduling a new post takes the same checks as in the app (never approval).
            workflow.move(s, ctx.actor, saved.post_id, wanted, reason=REASON)
        vid = s.scalar(select(PostVariant.id).where(PostVariant.post_id == saved.post_id))
        return str(vid)

    def archive(self, ctx: SyncContext, record: Record) -> None:
        workflow.move(
            ctx.session,
            ctx.actor,
            record.ref["post_id"],
            PostStatus.ARCHIVED,
            reason="row removed in Google Sheets",
        )


def _draft(s: Session, post: Post, variant: PostVariant, changes: dict[str, Any]) -> PostDraft:
    """The post as it is, with this row's changes: other variants (and every variant's media) unchanged."""
    media: dict[int, list[tuple[int, str | None]]] = {}
    for vid, aid, alt in s.execute(
        select(variant_assets.c.variant_id, variant_assets.c.asset_id, variant_assets.c.alt_text)
        .where(variant_assets.c.variant_id.in_([v.id for v in post.variants]))
        .order_by(variant_assets.c.variant_id, variant_assets.c.position)
    ):
        media.setdefault(vid, []).append((aid, alt))
    slugs = dict(
        s.execute(
            select(Channel.id, Channel.slug).where(Channel.id.in_([v.channel_id for v in post.variants]))
        ).all()
    )
    variants = []
    for v in post.variants:
        mine = v.id == variant.id
        items = media.get(v.id, [])
        variants.append(
            VariantDraft(
                channel=slugs[v.channel_id],
                copy=(changes.get("copy") or "") if mine and "copy" in changes else v.copy,
                scheduled_at=changes["scheduled_at"]
                if mine and "scheduled_at" in changes
                else v.scheduled_at,
                asset_ids=tuple(a for a, _ in items),
                alt_texts={a: alt for a, alt in items if alt is not None},
            )
        )

    def pick(name: str, current: Any) -> Any:
        return changes.get(name, current)

    return PostDraft(
        title=pick("title", post.title) or "",
        master_copy=post.master_copy,
        post_type=pick("post_type", post.post_type.value) or post.post_type.value,
        link_url=pick("link_url", post.link_url),
        pillar_id=pick("pillar", post.pillar_id),
        campaign_id=pick("campaign", post.campaign_id),
        brief_id=post.brief_id,
        variants=tuple(variants),
    )
