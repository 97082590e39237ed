"""The automatic checks an SOP step can name (`SopStep.auto_check`): a registry of key → check, each
looking at the run's object (a post, or the posts of a campaign or brief) and saying what it found."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    ApprovalDecision,
    ApprovalFlow,
    ApprovalRequest,
    ApprovalStage,
    Asset,
    Brief,
    Channel,
    Post,
    PostVariant,
    User,
    variant_assets,
)
from app.models.enums import ApprovalRequestStatus, AssetKind, Decision, PostStatus, SopObjectType
from app.services.core import clock

UTM_PARAMS = ("utm_source", "utm_medium", "utm_campaign")
# Trailing punctuation belongs to the sentence, not the link ("see https://x.y/a.").
_URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"
# Objects whose checks look at posts: the post itself, or the posts a campaign or brief produced.
_POSTS_OF = frozenset({SopObjectType.POST, SopObjectType.CAMPAIGN, SopObjectType.BRIEF})
_SHOW = 3  # how many problems a result names before "and N more"


@dataclass(frozen=True)
class CheckOutcome:
    passed: bool
    text: str  # what was found, in words, for the step's auto_result


@dataclass(frozen=True)
class AutoCheck:
    key: str
    label: str
    description: str
    applies_to: frozenset[SopObjectType]
    check_post: Callable[[Session, Post], CheckOutcome]


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _listing(items: Sequence[str]) -> str:
    shown = "; ".join(items[:_SHOW])
    return shown + (f"; and {len(items) - _SHOW} more" if len(items) > _SHOW else "")


def _platforms(session: Session, variants: Sequence[PostVariant]) -> dict[int, str]:
    """variant id → platform name, as people call the variant ("Instagram")."""
    ids = {v.channel_id for v in variants}
    names = {
        cid: platform.label
        for cid, platform in session.execute(select(Channel.id, Channel.platform).where(Channel.id.in_(ids)))
    }
    return {v.id: names.get(v.channel_id, f"channel {v.channel_id}") for v in variants}


def _media(session: Session, variant_ids: Sequence[int]) -> dict[int, list[tuple[Asset, str | None]]]:
    """variant id → [(asset, the link's own alt text)], in the variant's order."""
    out: dict[int, list[tuple[Asset, str | None]]] = {}
    if not variant_ids:
        return out
    va = variant_assets
    for vid, asset, alt in session.execute(
        select(va.c.variant_id, Asset, va.c.alt_text)
        .join(Asset, Asset.id == va.c.asset_id)
        .where(va.c.variant_id.in_(list(variant_ids)))
        .order_by(va.c.variant_id, va.c.position)
    ):
        out.setdefault(vid, []).append((asset, alt))
    return out


def _asset_name(asset: Asset) -> str:
    return asset.title or asset.filename


def variants_have_alt_text(session: Session, post: Post) -> CheckOutcome:
    """Every image on every variant has alt text; the link's alt text overrides the asset's."""
    names = _platforms(session, post.variants)
    media = _media(session, [v.id for v in post.variants])
    with_images = 0
    missing: list[str] = []
    for v in post.variants:
        images = [(a, alt) for a, alt in media.get(v.id, []) if a.kind == AssetKind.IMAGE]
        if not images:
            continue
        with_images += 1
        lacking = [_asset_name(a) for a, alt in images if not ((alt or "").strip() or a.alt_text.strip())]
        if lacking:
            missing.append(f"{names[v.id]} ({', '.join(lacking)})")
    if not with_images:
        return CheckOutcome(True, "No images on any variant: nothing needs alt text.")
    if not missing:
        return CheckOutcome(True, f"Every image has alt text ({_n(with_images, 'variant')} with images).")
    ok = with_images - len(missing)
    return CheckOutcome(
        False, f"{ok} of {with_images} variants have alt text: missing on {_listing(missing)}"
    )


def _links(text: str) -> list[str]:
    return [m.rstrip(_TRAILING) for m in _URL_RE.findall(text or "")]


def missing_utm(url: str) -> list[str]:
    """The UTM parameters `url` lacks (absent or empty)."""
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    return [p for p in UTM_PARAMS if not any(v.strip() for v in query.get(p, []))]


def links_have_utm(session: Session, post: Post) -> CheckOutcome:
    """Every http(s) link in each variant's copy, and the post's link, carries the three UTM tags."""
    names = _platforms(session, post.variants)
    found: list[tuple[str, str]] = []
    for v in post.variants:
        found += [(names[v.id], url) for url in dict.fromkeys(_links(v.copy))]
    if post.link_url and post.link_url.strip():
        found.append(("the post's link", post.link_url.strip()))
    if not found:
        return CheckOutcome(True, "No links in this post.")
    bad = [f"{url} on {where} lacks {', '.join(m)}" for where, url in found if (m := missing_utm(url))]
    tags = "utm_source, utm_medium and utm_campaign"
    if not bad:
        return CheckOutcome(True, f"All links carry {tags} ({_n(len(found), 'link')} checked).")
    return CheckOutcome(False, f"{len(found) - len(bad)} of {len(found)} links carry {tags}: {_listing(bad)}")


def _flow_for(session: Session, post: Post) -> ApprovalFlow | None:
    """The flow a submission of this post would use: its campaign's flow, else the brand's."""
    flows = session.scalars(
        select(ApprovalFlow).where(ApprovalFlow.brand_id == post.brand_id, ApprovalFlow.active.is_(True))
    ).all()
    for_campaign = [f for f in flows if post.campaign_id is not None and f.campaign_id == post.campaign_id]
    general = [f for f in flows if f.campaign_id is None]
    return (for_campaign or general or [None])[0]


def _legal_stages(session: Session, flow_id: int) -> list[ApprovalStage]:
    stages = session.scalars(
        select(ApprovalStage).where(ApprovalStage.flow_id == flow_id).order_by(ApprovalStage.position)
    ).all()
    return [s for s in stages if "legal" in s.name.casefold()]


def legal_stage_approved(session: Session, post: Post) -> CheckOutcome:
    """The post's latest approval round went through every stage named "legal" with an approval;
    a flow without such a stage passes, and says so."""
    req = session.scalars(
        select(ApprovalRequest)
        .where(ApprovalRequest.post_id == post.id)
        .order_by(ApprovalRequest.round.desc())
    ).first()
    flow = session.get(ApprovalFlow, req.flow_id) if req else _flow_for(session, post)
    if flow is None:
        return CheckOutcome(True, "The brand has no approval flow, so there is no legal stage to pass.")
    legal = _legal_stages(session, flow.id)
    if not legal:
        return CheckOutcome(True, f"Not required: the approval flow {flow.name!r} has no legal stage.")
    stage_names = ", ".join(repr(s.name) for s in legal)
    if req is None:
        return CheckOutcome(
            False, f"Not submitted for approval yet; the flow has a legal stage ({stage_names})."
        )
    if req.status in (ApprovalRequestStatus.REJECTED, ApprovalRequestStatus.CANCELLED):
        return CheckOutcome(
            False, f"Approval round {req.round} was {req.status.value}: legal has not approved this version."
        )
    approvers: dict[int, list[str]] = {}
    for stage_id, name, email in session.execute(
        select(ApprovalDecision.stage_id, User.name, User.email)
        .outerjoin(User, User.id == ApprovalDecision.decided_by_id)
        .where(
            ApprovalDecision.request_id == req.id,
            ApprovalDecision.stage_id.in_([s.id for s in legal]),
            ApprovalDecision.decision == Decision.APPROVE,
        )
        .order_by(ApprovalDecision.decided_at)
    ):
        approvers.setdefault(stage_id, []).append((name or "").strip() or email or "someone")
    passed, waiting = [], []
    for stage in legal:
        # An all-must-approve stage holds one approval while it still waits on others: it counts once
        # the round has moved past it (or the whole request is approved).
        moved_on = req.status == ApprovalRequestStatus.APPROVED or req.current_position > stage.position
        who = approvers.get(stage.id, [])
        if who and moved_on:
            passed.append(f"{stage.name} approved by {', '.join(who)} (round {req.round})")
        else:
            so_far = f"; approved so far by {', '.join(who)}" if who else ""
            waiting.append(f"{stage.name!r} has not approved round {req.round} yet{so_far}")
    if waiting:
        return CheckOutcome(False, _listing(waiting) + ".")
    return CheckOutcome(True, _listing(passed) + ".")


def brief_attached(session: Session, post: Post) -> CheckOutcome:
    if post.brief_id is None:
        return CheckOutcome(False, "No brief is attached to this post.")
    title = session.scalar(select(Brief.title).where(Brief.id == post.brief_id))
    return CheckOutcome(True, f"Brief {title!r} is attached.")


def assets_rights_valid(session: Session, post: Post) -> CheckOutcome:
    """No attached asset's rights run out before its variant goes out (or before now, if unscheduled)."""
    names = _platforms(session, post.variants)
    media = _media(session, [v.id for v in post.variants])
    now = clock.now()
    checked: set[int] = set()
    bad: list[str] = []
    for v in post.variants:
        when = v.scheduled_at or now
        for asset, _ in media.get(v.id, []):
            checked.add(asset.id)
            expires = asset.rights_expire_at
            if expires is not None and expires < when:
                going = (
                    f"goes out {v.scheduled_at:%d %b %Y %H:%M} UTC" if v.scheduled_at else "is not scheduled"
                )
                bad.append(
                    f"Rights of {_asset_name(asset)!r} expire{'d' if expires < now else ''} "
                    f"{expires:%d %b %Y}, and {names[v.id]} {going}"
                )
    if not checked:
        return CheckOutcome(True, "No assets attached: no rights to check.")
    if not bad:
        return CheckOutcome(
            True, f"The rights of every attached asset ({len(checked)}) cover the scheduled times."
        )
    return CheckOutcome(False, _listing(bad) + ".")


CHECKS: dict[str, AutoCheck] = {
    c.key: c
    for c in (
        AutoCheck(
            "variants_have_alt_text",
            "Alt text on every image",
            "Every image attached to every variant has alt text.",
            _POSTS_OF,
            variants_have_alt_text,
        ),
        AutoCheck(
            "links_have_utm",
            "Links carry UTM tags",
            "Every link in the variants' copy and the post's link has utm_source, utm_medium and utm_campaign.",
            _POSTS_OF,
            links_have_utm,
        ),
        AutoCheck(
            "legal_stage_approved",
            "Legal stage approved",
            "The latest approval round passed every stage named 'legal' (passes when the flow has none).",
            _POSTS_OF,
            legal_stage_approved,
        ),
        AutoCheck(
            "brief_attached",
            "Brief attached",
            "The post was written from a brief.",
            frozenset({SopObjectType.POST, SopObjectType.CAMPAIGN}),
            brief_attached,
        ),
        AutoCheck(
            "assets_rights_valid",
            "Asset rights valid",
            "No attached asset's rights expire before its variant is scheduled.",
            _POSTS_OF,
            assets_rights_valid,
        ),
    )
}


def posts_of(session: Session, object_type: SopObjectType, object_id: int) -> list[Post]:
    """The posts a check looks at for this object (archived posts of a campaign or brief are left out)."""
    if object_type == SopObjectType.POST:
        post = session.get(Post, object_id)
        return [post] if post else []
    column = Post.campaign_id if object_type == SopObjectType.CAMPAIGN else Post.brief_id
    return list(
        session.scalars(
            select(Post).where(column == object_id, Post.status != PostStatus.ARCHIVED).order_by(Post.id)
        )
    )


def evaluate(session: Session, key: str, object_type: SopObjectType | str, object_id: int) -> CheckOutcome:
    """Run the check `key` against one object now."""
    check = CHECKS.get(key)
    if check is None:
        return CheckOutcome(False, f"Unknown automatic check {key!r}: ask a manager to fix the template.")
    kind = SopObjectType(object_type)
    if kind not in check.applies_to:
        # Failing rather than passing: a check that cannot look at anything has not shown anything.
        return CheckOutcome(False, f"{check.label!r} looks at posts and cannot be checked on a {kind.value}.")
    posts = posts_of(session, kind, object_id)
    if kind == SopObjectType.POST:
        if not posts:
            return CheckOutcome(False, f"Post #{object_id} no longer exists.")
        return check.check_post(session, posts[0])
    if not posts:
        return CheckOutcome(True, f"The {kind.value} has no posts yet: nothing to check.")
    outcomes = [(p, check.check_post(session, p)) for p in posts]
    failed = [f"{p.title!r}: {o.text}" for p, o in outcomes if not o.passed]
    if not failed:
        return CheckOutcome(True, f"All posts of the {kind.value} pass ({_n(len(posts), 'post')} checked).")
    return CheckOutcome(False, f"{len(failed)} of {len(posts)} posts fail. {_listing(failed)}")


def check_labels() -> dict[str, str]:
    """key → label, for choosing a check in a form."""
    return {key: c.label for key, c in CHECKS.items()}
