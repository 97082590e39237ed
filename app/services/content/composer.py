"""Writing posts: master copy plus one adapted variant per channel, checked against each platform's
rules live (`check_draft`) and again on every save; creating, editing (editing approved copy sends it
back through approval) and rescheduling a variant with the same checks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.models import (
    Asset,
    Brand,
    Brief,
    Campaign,
    Channel,
    ContentPillar,
    Post,
    PostVariant,
    variant_assets,
)
from app.models.enums import PostStatus, PostType
from app.services.content.assets.media import asset_blockers, media_for_assets
from app.services.content.drafts import (
    APPROVED_STATES,
    FROZEN_STATES,
    PostDraft,
    SaveResult,
    time_problem,
)
from app.services.content.workflow import approval_covers, restart_approval
from app.services.core import (
    Actor,
    Conflict,
    NotFound,
    Perm,
    ValidationError,
    audit,
    clock,
    conflict_on_stale,
    require,
    validation,
)
from app.services.org import find_brand
from app.services.platforms import Level, RuleIssue, check_variant, errors


def _channel_map(session: Session, brand_id: int, slugs: Sequence[str]) -> dict[str, Channel]:
    found = {
        c.slug: c
        for c in session.scalars(
            select(Channel).where(Channel.brand_id == brand_id, Channel.slug.in_(list(slugs)))
        )
    }
    for slug in slugs:
        if slug not in found:
            raise ValidationError(
                f"channel {slug!r} is not a channel of this brand", field="channel", value=slug
            )
        if not found[slug].active:
            raise ValidationError(f"channel {slug!r} is switched off", field="channel", value=slug)
    return found


def check_draft(
    session: Session, brand_id: int, draft: PostDraft, now: datetime | None = None
) -> dict[str, list[RuleIssue]]:
    """Per channel slug: what the platform rules, the assets' rights and the time say about the draft.
    The composer shows this live; saving refuses any error in it."""
    now = now or clock.now()
    channels = _channel_map(session, brand_id, [v.channel for v in draft.variants])
    wanted = {a for v in draft.variants for a in v.asset_ids}
    owners = (
        dict(session.execute(select(Asset.id, Asset.brand_id).where(Asset.id.in_(wanted))).all())
        if wanted
        else {}
    )
    out: dict[str, list[RuleIssue]] = {}
    for v in draft.variants:
        ch = channels[v.channel]
        foreign = [a for a in v.asset_ids if owners.get(a) != brand_id]
        if foreign:
            # Never attach (or even describe) another brand's files.
            out[v.channel] = [
                RuleIssue(Level.ERROR, "media", f"asset #{a} is not in this brand's library") for a in foreign
            ]
            continue
        media = media_for_assets(session, list(v.asset_ids), v.alt_texts)
        issues = list(check_variant(ch.platform, v.copy, media, draft.link_url))
        problem = time_problem(v.scheduled_at, now)
        if problem:
            issues.append(RuleIssue(Level.ERROR, "time", f"{ch.platform.label}: {problem}"))
        if v.asset_ids and v.scheduled_at:
            for reason in asset_blockers(session, list(v.asset_ids), v.scheduled_at):
                issues.append(RuleIssue(Level.ERROR, "media", f"{ch.platform.label}: {reason}"))
        out[v.channel] = issues
    return out


def _validate(
    session: Session, brand: Brand, draft: PostDraft, post: Post | None = None
) -> tuple[str, PostType, list[str]]:
    """Check a draft; a pillar or campaign archived since `post` took it may stay, a new link may not."""
    title = validation.required_text(draft.title, "title")
    validation.no_nul(draft.master_copy, "master copy")
    validation.no_nul(draft.link_url, "link")
    for v in draft.variants:
        validation.no_nul(v.copy, f"{v.channel} copy")
    post_type = validation.choice(PostType, draft.post_type, "post type")
    if draft.link_url and not draft.link_url.strip().lower().startswith(("http://", "https://")):
        raise ValidationError(
            f"link {draft.link_url!r} must start with http:// or https://", field="link_url"
        )
    seen: set[str] = set()
    for v in draft.variants:
        if v.channel in seen:
            raise ValidationError(f"two variants for channel {v.channel!r}", field="channel", value=v.channel)
        seen.add(v.channel)
    for key, model in (("pillar_id", ContentPillar), ("campaign_id", Campaign), ("brief_id", Brief)):
        ref = getattr(draft, key)
        if ref is not None:
            row = session.get(model, ref)
            if row is None or row.brand_id != brand.id:
                raise ValidationError(
                    f"{key.removesuffix('_id')} {ref} is not one of {brand.name}'s", field=key
                )
            kept = post is not None and getattr(post, key) == ref
            if getattr(row, "archived_at", None) is not None and not kept:
                raise ValidationError(
                    f"{key.removesuffix('_id')} {row.name!r} is archived", field=key, value=row.name
                )
    problems = check_draft(session, brand.id, draft)
    blocking = [f"{slug}: {i.message}" for slug, issues in problems.items() for i in errors(issues)]
    if blocking:
        raise ValidationError("cannot save: " + "; ".join(blocking), field="variants")
    warnings = [i.message for issues in problems.values() for i in issues if i not in errors(issues)]
    return title, post_type, warnings


def _write_variants(session: Session, post: Post, draft: PostDraft) -> None:
    """Replace the post's variants with the draft's (keeping existing rows per channel, so their ids,
    history and idempotency keys survive an edit)."""
    channels = _channel_map(session, post.brand_id, [v.channel for v in draft.variants])
    existing = {v.channel_id: v for v in post.variants}
    keep: set[int] = set()
    for vd in draft.variants:
        ch = channels[vd.channel]
        variant = existing.get(ch.id)
        if variant is None:
            variant = PostVariant(channel_id=ch.id, brand_id=post.brand_id, status=post.status)
            post.variants.append(variant)
        elif variant.status in FROZEN_STATES:
            raise ValidationError(f"the {ch.platform.label} variant has gone out already and cannot change")
        variant.copy = vd.copy
        variant.scheduled_at = vd.scheduled_at
        session.flush()
        keep.add(variant.id)
        session.execute(delete(variant_assets).where(variant_assets.c.variant_id == variant.id))
        if vd.asset_ids:
            session.execute(
                insert(variant_assets),
                [
                    {"variant_id": variant.id, "asset_id": a, "position": i, "alt_text": vd.alt_texts.get(a)}
                    for i, a in enumerate(vd.asset_ids)
                ],
            )
    for variant in list(post.variants):
        if variant.id not in keep:
            if variant.status in FROZEN_STATES:
                raise ValidationError("a variant that has gone out cannot be removed")
            post.variants.remove(variant)


def _content(post: Post, session: Session) -> dict[str, object]:
    """What approval covers: what goes out (each variant's copy, media and time, and the link); the
    title and master copy are internal."""
    media = {
        vid: [a for a, _ in rows]
        for vid, rows in _group(
            session.execute(
                select(
                    variant_assets.c.variant_id, variant_assets.c.asset_id, variant_assets.c.alt_text
                ).where(variant_assets.c.variant_id.in_([v.id for v in post.variants] or [-1]))
            ).all()
        ).items()
    }
    return {
        "link_url": post.link_url,
        "variants": sorted(
            (
                v.channel_id,
                v.copy,
                v.scheduled_at.isoformat() if v.scheduled_at else None,
                media.get(v.id, []),
            )
            for v in post.variants
        ),
    }


def _group(rows: Sequence[tuple]) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {}
    for vid, *rest in rows:
        out.setdefault(vid, []).append(tuple(rest))
    return out


def create_post(
    session: Session,
    actor: Actor,
    brand: str | int,
    draft: PostDraft,
    status: PostStatus | str = PostStatus.DRAFT,
) -> SaveResult:
    """A new idea or draft. Ideas may have no variants yet."""
    b = find_brand(session, actor, brand)
    require(actor, Perm.CONTENT_EDIT, b.id, brand_label=b.slug)
    status = PostStatus(status)
    if status not in (PostStatus.IDEA, PostStatus.DRAFT):
        raise ValidationError(
            "a new post starts as an idea or a draft; submit it for approval next", field="status"
        )
    title, post_type, warnings = _validate(session, b, draft)
    post = Post(
        brand_id=b.id,
        title=title,
        master_copy=draft.master_copy or "",
        link_url=(draft.link_url or "").strip() or None,
        post_type=post_type,
        status=status,
        pillar_id=draft.pillar_id,
        campaign_id=draft.campaign_id,
        brief_id=draft.brief_id,
        owner_id=actor.user_id,
        created_by_id=actor.user_id,
    )
    session.add(post)
    session.flush()
    _write_variants(session, post, draft)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "post",
        post.id,
        label=post.title,
        brand_id=b.id,
        after={**audit.snapshot(post), "content": audit.jsonable(_content(post, session))},
    )
    return SaveResult(post.id, post.title, post.status.value, post.version, tuple(warnings))


@conflict_on_stale
def update_post(
    session: Session, actor: Actor, post_id: int, draft: PostDraft, expected_version: int
) -> SaveResult:
    """Save an edit. `expected_version` is the version the editor started from: if someone saved in
    between, nothing is overwritten (Conflict). Editing content that was approved starts a new
    approval round."""
    post = _post(session, actor, post_id)
    require(actor, Perm.CONTENT_EDIT, post.brand_id)
    if post.version != expected_version:
        raise Conflict(
            f"{post.title!r} was changed by someone else (now version {post.version}, you edited version "
            f"{expected_version}); reload to see their changes"
        )
    if post.status in FROZEN_STATES or post.status == PostStatus.ARCHIVED:
        raise ValidationError(f"{post.title!r} is {post.status.label.lower()} and cannot be edited")
    brand = session.get(Brand, post.brand_id)
    title, post_type, warnings = _validate(session, brand, draft, post)
    before = _content(post, session)
    before_fields = audit.snapshot(
        post, ["title", "master_copy", "link_url", "post_type", "pillar_id", "campaign_id", "brief_id"]
    )
    post.title, post.master_copy = title, draft.master_copy or ""
    post.link_url = (draft.link_url or "").strip() or None
    post.post_type, post.pillar_id, post.campaign_id, post.brief_id = (
        post_type,
        draft.pillar_id,
        draft.campaign_id,
        draft.brief_id,
    )
    _write_variants(session, post, draft)
    session.flush()
    after = _content(post, session)
    reapproval = False
    if post.status in (*APPROVED_STATES, PostStatus.IN_REVIEW) and after != before:
        restart_approval(session, actor, post, reason="content edited after submission")
        reapproval = True
    post.updated_at = clock.now()
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "post",
        post.id,
        label=post.title,
        brand_id=post.brand_id,
        before={**before_fields, "content": audit.jsonable(before)},
        after={
            **audit.snapshot(post, list(before_fields)),
            "content": audit.jsonable(after),
            "status": post.status.value,
        },
    )
    return SaveResult(post.id, post.title, post.status.value, post.version, tuple(warnings), reapproval)


@conflict_on_stale
def reschedule_variant(
    session: Session, actor: Actor, variant_id: int, new_time: datetime, expected_version: int | None = None
) -> SaveResult:
    """Move one variant (the calendar's drag and drop) with the composer's checks. A move beyond what
    the approval covered (its expiry) sends the post back through approval."""
    variant = session.get(PostVariant, variant_id)
    if variant is None:
        raise NotFound(f"no post variant {variant_id}")
    post = _post(session, actor, variant.post_id)
    require(actor, Perm.CONTENT_EDIT, post.brand_id)
    if expected_version is not None and variant.version != expected_version:
        raise Conflict("this post was moved or edited by someone else meanwhile; reload the calendar")
    if variant.status in FROZEN_STATES or post.status == PostStatus.ARCHIVED:
        raise ValidationError(f"{post.title!r} is {variant.status.label.lower()} and cannot be moved")
    channel = session.get(Channel, variant.channel_id)
    problem = time_problem(new_time, clock.now())
    if problem:
        raise ValidationError(f"cannot move {post.title!r}: {problem}", field="scheduled_at")
    asset_ids = list(
        session.scalars(select(variant_assets.c.asset_id).where(variant_assets.c.variant_id == variant.id))
    )
    blockers = asset_blockers(session, asset_ids, new_time)
    if blockers:
        raise ValidationError(f"cannot move {post.title!r} to {new_time:%d %b %H:%M}: " + "; ".join(blockers))
    before = {"scheduled_at": audit.jsonable(variant.scheduled_at)}
    variant.scheduled_at = new_time
    # The post's version moves too: an editor who opened the post before this move would otherwise
    # save its old time back without a conflict (the load test caught edits undoing calendar moves).
    post.updated_at = clock.now()
    reapproval = False
    if post.status in APPROVED_STATES and not approval_covers(session, post, new_time):
        restart_approval(
            session, actor, post, reason=f"moved to {new_time:%d %b %Y %H:%M} UTC, past its approval"
        )
        reapproval = True
    session.flush()
    audit.record(
        session,
        actor,
        "reschedule",
        "post_variant",
        variant.id,
        label=f"{post.title} on {channel.platform.label}",
        brand_id=post.brand_id,
        before=before,
        after={"scheduled_at": new_time.isoformat(), "status": post.status.value},
    )
    return SaveResult(post.id, post.title, post.status.value, variant.version, (), reapproval)


def _post(session: Session, actor: Actor, post_id: int) -> Post:
    post = session.get(Post, post_id)
    visible = actor.visible_brand_ids()
    if post is None or (visible is not None and post.brand_id not in visible):
        raise NotFound(f"no post {post_id}")
    return post
