"""Demo SOP usage: the regulated brand's checklist requirements, and runs of every template (open,
complete, one overdue still on content approval version 1) with a result for every step."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from app.demo.common import month_start
from app.demo.people import BRAND_APPROVER, BRAND_CM, BRAND_EDITOR
from app.demo.sop_catalog import StepSpec
from app.demo.state import BrandRow, DemoState, PostRow
from app.models.enums import PostStatus, PostType, Role, SopObjectType, SopRunStatus, StepStatus

V2_DAYS_AGO = 6  # matches the date reference.write_sop_templates gives version 2
OPEN_POST = (PostStatus.IN_REVIEW, PostStatus.APPROVED)
DONE_POST = (PostStatus.SCHEDULED, PostStatus.PUBLISHING, PostStatus.PUBLISHED)


def build(st: DemoState) -> None:
    lumi = st.brands["lumi"]
    for post_type in (PostType.VIDEO, PostType.IMAGE):
        st.w.add(
            "sop_requirements",
            brand_id=lumi.id,
            template_id=st.sops.template["content-approval"],
            post_type=post_type,
            campaign_id=None,
            created_at=st.now - timedelta(days=150),
        )
    _content_runs(st)
    _incident_run(st)
    for brand in st.brands.values():
        _reporting_runs(st, brand)
        _community_runs(st, brand)


def _who(st: DemoState, brand: BrandRow, role: Role | None) -> int:
    keys = {
        Role.EDITOR: BRAND_EDITOR[brand.slug],
        Role.COMMUNITY_MANAGER: BRAND_CM[brand.slug],
        Role.APPROVER: BRAND_APPROVER[brand.slug],
    }
    return st.people[keys.get(role, "lead") if role else "lead"]


def _run(
    st: DemoState,
    brand: BrandRow,
    slug: str,
    object_type: SopObjectType,
    object_id: int,
    started: datetime,
    done_steps: int | None,
    post: PostRow | None = None,
    due_hours: int = 72,
) -> None:
    """A run on the template version current at `started`; `done_steps` None means complete."""
    v2_at = st.now - timedelta(days=V2_DAYS_AGO)
    number = 2 if (slug, 2) in st.sops.version and started >= v2_at else 1
    vid = st.sops.version[(slug, number)]
    steps = st.sops.steps[vid]
    complete = done_steps is None
    finished = started + timedelta(hours=st.rng.uniform(4, due_hours * 0.9))
    if complete and finished >= st.now:
        finished = st.now - timedelta(minutes=st.rng.randrange(10, 120))
    rid = st.w.add(
        "sop_runs",
        template_version_id=vid,
        brand_id=brand.id,
        object_type=object_type,
        object_id=object_id,
        status=SopRunStatus.COMPLETE if complete else SopRunStatus.OPEN,
        started_by_id=_who(st, brand, steps[0][1].owner_role),
        started_at=started,
        due_at=started + timedelta(hours=due_hours),
        completed_at=finished if complete else None,
        created_at=started,
    )
    span = (finished if complete else st.now) - started
    for pos, (step_id, spec) in enumerate(steps, start=1):
        done = complete or pos <= (done_steps or 0)
        status, note, auto = _result(st, brand, spec, post, done)
        at = started + span * (pos / (len(steps) + 1)) if status != StepStatus.PENDING else None
        st.w.add(
            "sop_step_results",
            run_id=rid,
            step_id=step_id,
            status=status,
            done_by_id=_who(st, brand, spec.owner_role) if at else None,
            done_at=at,
            note=note,
            auto_result=auto,
        )


def _result(
    st: DemoState, brand: BrandRow, spec: StepSpec, post: PostRow | None, done: bool
) -> tuple[StepStatus, str, str | None]:
    if spec.auto_check == "legal_stage_approved" and not brand.spec.regulated:
        return StepStatus.SKIPPED, "", "Not required: the brand is not regulated."
    if not done:
        return StepStatus.PENDING, "", None
    auto = None
    if spec.auto_check == "links_have_utm":
        auto = (
            "No links in this post."
            if post is None or post.campaign is None
            else (
                f"All {len(post.variants)} links carry utm_source, utm_medium and utm_campaign={post.campaign.utm}."
            )
        )
    elif spec.auto_check == "variants_have_alt_text":
        auto = "Every image on every variant has alt text."
    elif spec.auto_check == "legal_stage_approved":
        auto = "Legal review approved by Priya Nair."
    note = st.rng.choice(("", "", "", "Done.", "Checked with the client on WhatsApp.", "OK"))
    return StepStatus.DONE, note, auto


def _content_runs(st: DemoState) -> None:
    """Required for the regulated brand, used by choice on the others' campaign posts."""
    overdue_done = False
    candidates = [
        p
        for p in st.posts
        if (p.brand.slug == "lumi" or p.campaign is not None)
        and (p.status in OPEN_POST or (p.status in DONE_POST and p.day >= st.today - timedelta(days=40)))
    ]
    for post in candidates:
        started = max(post.created_at, st.now - timedelta(days=5, hours=st.rng.randrange(0, 20)))
        if post.status in OPEN_POST:
            if not overdue_done:
                # Started before version 2 existed, stuck on the legal step: overdue and still on v1.
                _run(
                    st,
                    post.brand,
                    "content-approval",
                    SopObjectType.POST,
                    post.id,
                    st.now - timedelta(days=V2_DAYS_AGO + 2),
                    3,
                    post,
                    due_hours=72,
                )
                overdue_done = True
                continue
            _run(
                st,
                post.brand,
                "content-approval",
                SopObjectType.POST,
                post.id,
                started,
                st.rng.randrange(1, 4),
                post,
            )
        else:
            first = post.first_time or st.now
            started = min(started, first - timedelta(days=2))
            _run(st, post.brand, "content-approval", SopObjectType.POST, post.id, started, None, post)


def _incident_run(st: DemoState) -> None:
    assert st.incident_opened is not None, "the crisis room is built before the checklists"
    started = st.incident_opened + timedelta(minutes=3)
    _run(
        st,
        st.brands["lumi"],
        "crisis-response",
        SopObjectType.INCIDENT,
        st.incident_id,
        started,
        None,
        due_hours=120,
    )


def _reporting_runs(st: DemoState, brand: BrandRow) -> None:
    """One run per monthly report, started on the 1st of the next month (complete once five days old);
    reports have no table, so the run's object id is the reported month as yyyymm."""
    for k in range(-4, 0):
        month = month_start(st.today, k)
        started = datetime.combine(month_start(month, 1), time(2, 0), UTC)
        if started >= st.now:
            continue
        done = None if started + timedelta(days=5) < st.now else 2
        object_id = month.year * 100 + month.month
        _run(st, brand, "monthly-reporting", SopObjectType.REPORT, object_id, started, done, due_hours=120)


def _community_runs(st: DemoState, brand: BrandRow) -> None:
    yesterday = st.now - timedelta(hours=24)
    _run(
        st,
        brand,
        "community-response",
        SopObjectType.BRAND,
        brand.id,
        yesterday - timedelta(hours=1),
        None,
        due_hours=24,
    )
    _run(
        st,
        brand,
        "community-response",
        SopObjectType.BRAND,
        brand.id,
        st.now - timedelta(minutes=50),
        1,
        due_hours=24,
    )
