"""Demo approval flows (a four-stage flow with a named legal reviewer for the regulated brand), the
approval requests and decisions of posts under review or approved, and one rejected-then-resubmitted post."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.demo.people import BRAND_EDITOR
from app.demo.state import BrandRow, DemoState, PostRow
from app.models.enums import ApprovalRequestStatus, ApprovalRule, Decision, PostStatus, Role

# brand -> stages: (name, role or None for named approvers, rule, person key who decides)
FLOWS: dict[str, tuple[tuple[str, Role | None, ApprovalRule, str], ...]] = {
    "lumi": (
        ("Subject-matter check", Role.APPROVER, ApprovalRule.ANY, "client_lumi"),
        ("Brand compliance", Role.MANAGER, ApprovalRule.ANY, "lead"),
        ("Legal review", None, ApprovalRule.ALL, "legal"),
        ("Final sign-off", Role.MANAGER, ApprovalRule.ANY, "admin"),
    ),
    "warisan": (
        ("Content check", Role.APPROVER, ApprovalRule.ANY, "approver"),
        ("Final sign-off", Role.MANAGER, ApprovalRule.ANY, "lead"),
    ),
    "senja": (
        ("Agency review", Role.MANAGER, ApprovalRule.ANY, "lead"),
        ("Client approval", Role.APPROVER, ApprovalRule.ANY, "client_senja"),
    ),
}
FLOW_NAMES = {
    "lumi": "Regulated content (HSA cosmetics)",
    "warisan": "Standard two-step",
    "senja": "Agency + client",
}
REJECTION = (
    "Rejected at legal review: 'clinically proven to heal eczema' is a medical claim, which cosmetics may not "
    "make under the HSA cosmetic advertising guidelines. Please use 'helps soothe dry, irritated skin' (on the "
    "approved claims list) and remove the before/after photo."
)
RESUBMIT_NOTE = "Claim rephrased to the approved wording and the before/after photo removed. Resubmitted."
APPROVE_NOTES = ("", "", "", "Looks good.", "OK from our side.", "Approved, nice visuals.", "Fine, thanks!")


def write_flow(st: DemoState, brand: BrandRow) -> None:
    w = st.w
    brand.flow_id = w.add(
        "approval_flows",
        brand_id=brand.id,
        campaign_id=None,
        name=FLOW_NAMES[brand.slug],
        active=True,
        created_at=st.now - timedelta(days=195),
    )
    for pos, (name, role, rule, decider) in enumerate(FLOWS[brand.slug], start=1):
        sid = w.add("approval_stages", flow_id=brand.flow_id, position=pos, name=name, role=role, rule=rule)
        if role is None:
            w.add("approval_stage_approvers", stage_id=sid, user_id=st.people[decider])
        brand.stages.append((sid, decider))


def write_requests(st: DemoState) -> None:
    rng, now = st.rng, st.now
    resubmitted = False
    for post in st.posts:
        first = post.first_time
        if post.status == PostStatus.IN_REVIEW:
            if post.brand.slug == "lumi" and not resubmitted:
                _rejected_then_resubmitted(st, post)
                resubmitted = True
                continue
            submitted = now - timedelta(hours=rng.randrange(3, 60))
            _request(st, post, 1, submitted, rng.randrange(1, len(post.brand.stages) + 1), None)
        elif post.status in (PostStatus.APPROVED, PostStatus.SCHEDULED, PostStatus.PUBLISHING) or (
            post.status in (PostStatus.PUBLISHED, PostStatus.FAILED)
            and first is not None
            and first > now - timedelta(days=45)
        ):
            assert first is not None
            submitted = min(first, now) - timedelta(days=rng.randrange(3, 7), hours=rng.randrange(0, 12))
            _request(st, post, 1, submitted, None, None)


def _request(
    st: DemoState,
    post: PostRow,
    round_: int,
    submitted: datetime,
    pending_at: int | None,
    reject_at: int | None,
) -> datetime:
    """One round through the flow. `pending_at`: the stage it waits at (earlier stages approved);
    `reject_at`: the stage that rejected it; neither: approved at every stage. Returns the last
    decision time."""
    rng, w = st.rng, st.w
    stages = post.brand.stages
    editor = st.people[BRAND_EDITOR[post.brand.slug]]
    rid = w.new_id("approval_requests")
    at = submitted
    decisions = []
    stop = pending_at or reject_at or len(stages) + 1
    for pos, (sid, decider) in enumerate(stages, start=1):
        if pos > stop or (pending_at is not None and pos == pending_at):
            break
        at = min(st.now - timedelta(minutes=5), at + timedelta(hours=rng.uniform(1.5, 20)))
        reject = pos == reject_at
        decisions.append(
            dict(
                request_id=rid,
                stage_id=sid,
                decided_by_id=st.people[decider],
                decision=Decision.REJECT if reject else Decision.APPROVE,
                comment=REJECTION if reject else rng.choice(APPROVE_NOTES),
                decided_at=at,
            )
        )
    if reject_at:
        status, position, completed = ApprovalRequestStatus.REJECTED, reject_at, at
    elif pending_at:
        status, position, completed = ApprovalRequestStatus.PENDING, pending_at, None
    else:
        status, position, completed = ApprovalRequestStatus.APPROVED, len(stages), at
    w.add(
        "approval_requests",
        id=rid,
        post_id=post.id,
        flow_id=post.brand.flow_id,
        round=round_,
        status=status,
        current_position=position,
        submitted_by_id=editor,
        submitted_at=submitted,
        stage_entered_at=at,
        completed_at=completed,
        expires_at=post.last_time,  # an approval covers every time it was given
        created_at=submitted,
    )
    for d in decisions:
        w.add("approval_decisions", **d)
    return at


def _rejected_then_resubmitted(st: DemoState, post: PostRow) -> None:
    """Round 1 rejected at the legal stage with a comment; round 2 waits at legal again."""
    w, now = st.w, st.now
    legal_pos = next(i for i, (_, who) in enumerate(post.brand.stages, start=1) if who == "legal")
    rejected_at = _request(st, post, 1, now - timedelta(days=4), None, legal_pos)
    resubmitted = rejected_at + timedelta(hours=20)
    _request(st, post, 2, resubmitted, legal_pos, None)
    w.add(
        "comments",
        brand_id=post.brand.id,
        object_type="post",
        object_id=post.id,
        author_id=st.people["legal"],
        body=REJECTION,
        created_at=rejected_at,
    )
    w.add(
        "comments",
        brand_id=post.brand.id,
        object_type="post",
        object_id=post.id,
        author_id=st.people["lead"],
        body=RESUBMIT_NOTE,
        created_at=resubmitted,
    )


EDITOR_NOTES = (
    "Swapped the hero image for the 4:5 crop; the 1:1 cut off the product name.",
    "Client asked for the price to be in the first line.",
    "Can we get a version with burned-in captions for TikTok?",
    "Moved to the evening slot: last three evening posts did 30% better.",
    "Checked the hashtags, removed one that is used by a competitor campaign.",
)


def write_notes(st: DemoState) -> None:
    """A few everyday comments on drafts and posts under review."""
    candidates = [
        p for p in st.posts if p.status in (PostStatus.DRAFT, PostStatus.IN_REVIEW, PostStatus.APPROVED)
    ]
    for n, post in enumerate(st.rng.sample(candidates, min(8, len(candidates)))):
        st.w.add(
            "comments",
            brand_id=post.brand.id,
            object_type="post",
            object_id=post.id,
            author_id=st.people[("lead", "editor_my", "editor_id", "admin")[n % 4]],
            body=EDITOR_NOTES[n % len(EDITOR_NOTES)],
            created_at=st.now - timedelta(hours=st.rng.randrange(2, 72)),
        )
