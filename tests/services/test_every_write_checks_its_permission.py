"""Every write service, called by every role: a role whose permissions cover it gets past the check,
any other role gets PermissionDenied — whatever a page showed. Each call runs in a transaction that is
rolled back, so the shared demo copy is never changed."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.models import ApprovalRequest, Brand, InboxMessage, Post
from app.models.enums import ApprovalRequestStatus, Direction, Role
from app.services.approvals import StageInput
from app.services.approvals import decisions as approval_decisions
from app.services.approvals import flows as approval_flows
from app.services.community import policies as response_policies
from app.services.community import work as inbox_work
from app.services.content import PostDraft, VariantDraft, briefs, composer, utm, workflow
from app.services.content import imports as post_import
from app.services.content import media as assets
from app.services.core import ROLE_PERMISSIONS, Actor, Perm, PermissionDenied, ServiceError
from app.services.crisis import chains as crisis_chains
from app.services.crisis import severity as crisis_severity
from app.services.measurement import dictionary as metrics_dictionary
from app.services.measurement import targets as kpi_targets
from app.services.ops import job_runs
from app.services.org import brands, channels, markets, users
from app.services.publishing import pause as publishing_pause
from app.services.reports import rules as report_rules
from app.services.reports import schedules as report_schedules
from app.services.sops import runs as sop_runs
from app.services.sops import templates as sop_templates
from app.services.strategy import campaigns, objectives, pillars, segments
from app.sheets import bindings

SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=4)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "#336699").save(out, "PNG")
    return out.getvalue()


def _ids(s: Session) -> dict[str, int]:
    warisan = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
    draft = s.scalars(select(Post.id).where(Post.brand_id == warisan, Post.status == "draft")).first()
    pending = s.scalars(
        select(ApprovalRequest.id)
        .join(Post, Post.id == ApprovalRequest.post_id)
        .where(
            Post.brand_id == warisan,
            ApprovalRequest.status == ApprovalRequestStatus.PENDING,
            ApprovalRequest.current_position == 1,
        )
    ).first()
    thread = s.scalars(
        select(InboxMessage.id).where(
            InboxMessage.brand_id == warisan,
            InboxMessage.direction == Direction.INBOUND,
            InboxMessage.parent_id.is_(None),
        )
    ).first()
    return {"warisan": warisan, "draft": draft, "pending": pending, "thread": thread}


CSV = (
    f"channel,scheduled_at,title,copy\nwarisan-facebook,{SOON.isoformat()},Bulk one,Teh tarik pagi ini!\n"
).encode()

# (what, the permission it needs, the call)
WRITES: list[tuple[str, Perm, Callable[[Session, Actor, dict[str, int]], object]]] = [
    (
        "create a market",
        Perm.ADMIN,
        lambda s, a, i: markets.create_market(
            s,
            a,
            code="th",
            name="Thailand",
            country_code="TH",
            languages="th",
            timezone="Asia/Bangkok",
            currency="THB",
        ),
    ),
    (
        "create a brand",
        Perm.ADMIN,
        lambda s, a, i: brands.create_brand(s, a, slug="x-brand", name="X", market="sg"),
    ),
    ("edit a brand", Perm.ADMIN, lambda s, a, i: brands.update_brand(s, a, "warisan", industry="Food")),
    (
        "add a channel",
        Perm.ADMIN,
        lambda s, a, i: channels.create_channel(
            s, a, brand="warisan", platform="pinterest", handle="@warisan"
        ),
    ),
    ("add a user", Perm.ADMIN, lambda s, a, i: users.add_user(s, a, email="new@kopi.example", role="viewer")),
    (
        "write a post",
        Perm.CONTENT_EDIT,
        lambda s, a, i: composer.create_post(
            s,
            a,
            "warisan",
            PostDraft(
                title="Perm test",
                post_type="text",
                variants=(VariantDraft(channel="warisan-facebook", copy="Hello", scheduled_at=SOON),),
            ),
        ),
    ),
    ("submit a post", Perm.CONTENT_EDIT, lambda s, a, i: workflow.submit(s, a, i["draft"])),
    (
        "write a brief",
        Perm.CONTENT_EDIT,
        lambda s, a, i: briefs.create_brief(s, a, i["warisan"], briefs.BriefFields(title="Perm brief")),
    ),
    (
        "upload an asset",
        Perm.CONTENT_EDIT,
        lambda s, a, i: assets.add_asset(
            s, a, brand="warisan", filename="perm.png", data=_png(), alt_text="A blue square"
        ),
    ),
    (
        "import posts",
        Perm.CONTENT_EDIT,
        lambda s, a, i: post_import.import_posts(s, a, "warisan", CSV, "perm.csv"),
    ),
    (
        "build a tracked link",
        Perm.CONTENT_EDIT,
        lambda s, a, i: utm.build_link(
            s, a, brand_id=i["warisan"], url="https://warisan.example/menu", platform="facebook"
        ),
    ),
    (
        "approve at a stage",
        Perm.CONTENT_APPROVE,
        lambda s, a, i: approval_decisions.decide(s, a, i["pending"], "approve"),
    ),
    (
        "set up an approval flow",
        Perm.FLOWS_MANAGE,
        lambda s, a, i: approval_flows.save_flow(
            s, a, brand_id=i["warisan"], name="Perm flow", stages=[StageInput("Check", role="approver")]
        ),
    ),
    (
        "create an SOP template",
        Perm.SOP_MANAGE,
        lambda s, a, i: sop_templates.create_template(
            s, a, name="Perm SOP", applies_to="post", steps=[{"title": "Check the copy"}]
        ),
    ),
    (
        "set UTM conventions",
        Perm.SOP_MANAGE,
        lambda s, a, i: utm.set_conventions(s, a, "warisan", {"medium": "social"}),
    ),
    (
        "start a checklist",
        Perm.SOP_RUN,
        lambda s, a, i: sop_runs.start_run(s, a, "content-approval", "post", i["draft"]),
    ),
    (
        "pause publishing for everyone",
        Perm.PUBLISHING_PAUSE,
        lambda s, a, i: publishing_pause.set_workspace_pause(s, a, True, "perm test"),
    ),
    (
        "pause a brand's publishing",
        Perm.PUBLISHING_PAUSE,
        lambda s, a, i: publishing_pause.set_brand_pause(s, a, i["warisan"], True, "perm test"),
    ),
    (
        "mirror a worksheet to Google Sheets",
        Perm.CONNECTIONS_MANAGE,
        lambda s, a, i: bindings.connect(
            s,
            a,
            brand="warisan",
            schema="content_calendar",
            spreadsheet="1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
            sync_as="admin@kopi.example",
        ),
    ),
    (
        "record killed job runs as interrupted",
        Perm.CONNECTIONS_MANAGE,
        lambda s, a, i: job_runs.mark_interrupted(s, a, ["publish_due"], {"publish_due": timedelta(hours=6)}),
    ),
    (
        "triage an inbox thread",
        Perm.INBOX_WORK,
        lambda s, a, i: inbox_work.triage(s, a, i["thread"], status="spam", priority="high"),
    ),
    (
        "set a KPI target",
        Perm.KPI_EDIT,
        lambda s, a, i: kpi_targets.create_target(
            s,
            a,
            "warisan",
            metric_key="impressions",
            period_kind="month",
            period_start=SOON.date().replace(day=1),
            target_value=1000,
        ),
    ),
    (
        "define a metric in the dictionary",
        Perm.KPI_EDIT,
        lambda s, a, i: metrics_dictionary.save_metric(
            s,
            a,
            metrics_dictionary.MetricInput(key="perm_metric", name="Perm metric", formula="likes / reach"),
        ),
    ),
    (
        "schedule a report",
        Perm.REPORTS_MANAGE,
        lambda s, a, i: report_schedules.create_schedule(
            s,
            a,
            "warisan",
            report_schedules.ScheduleInput(
                audience="Client",
                template="executive",
                cadence="monthly",
                delivery="email",
                recipients=["client@warisan.example"],
            ),
        ),
    ),
    ("edit the recommendation rules", Perm.REPORTS_MANAGE, lambda s, a, i: report_rules.save_rules(s, a, [])),
    (
        "set an objective",
        Perm.STRATEGY_EDIT,
        lambda s, a, i: objectives.create_objective(
            s, a, brand="warisan", name="Perm goal", kind="awareness"
        ),
    ),
    (
        "describe an audience segment",
        Perm.STRATEGY_EDIT,
        lambda s, a, i: segments.create_segment(s, a, brand="warisan", name="Perm segment"),
    ),
    (
        "add a content pillar",
        Perm.STRATEGY_EDIT,
        lambda s, a, i: pillars.create_pillar(s, a, brand="warisan", name="Perm pillar"),
    ),
    (
        "plan a campaign",
        Perm.STRATEGY_EDIT,
        lambda s, a, i: campaigns.create_campaign(
            s,
            a,
            brand="warisan",
            slug="perm-campaign",
            name="Perm campaign",
            start_date=SOON.date(),
            end_date=SOON.date(),
        ),
    ),
    (
        "set a brand's response-time policy",
        Perm.POLICIES_MANAGE,
        lambda s, a, i: response_policies.create_policy(
            s, a, brand="warisan", priority="urgent", first_response_minutes=20
        ),
    ),
    (
        "add a severity level",
        Perm.POLICIES_MANAGE,
        lambda s, a, i: crisis_severity.create_level(s, a, level=9, name="Perm level", response_minutes=60),
    ),
    (
        "add a notification chain",
        Perm.CRISIS_MANAGE,
        lambda s, a, i: crisis_chains.create_chain(
            s,
            a,
            brand="warisan",
            severity="level:1",
            name="Perm chain",
            steps=[{"contact": "Account manager", "via": "email", "after_minutes": 0}],
        ),
    ),
]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize(("what", "perm", "call"), WRITES, ids=[w[0] for w in WRITES])
def test_write_is_allowed_exactly_for_the_roles_that_hold_its_permission(
    module_demo_db: Engine, role: Role, what: str, perm: Perm, call: Callable
) -> None:
    actor = Actor(email=f"{role.value}@roles.test", name=role.label, workspace_role=role)
    allowed = perm in ROLE_PERMISSIONS[role]
    with Session(module_demo_db) as s:
        ids = _ids(s)
        try:
            call(s, actor, ids)
            s.flush()
        except PermissionDenied:
            assert not allowed, f"{role.value} was refused '{what}' although the role holds {perm.value}"
        except ServiceError as exc:
            # Past the permission check, a rule of the service itself may still refuse (that is fine).
            assert allowed, f"{role.value} reached the rules of '{what}' without {perm.value}: {exc}"
        else:
            assert allowed, f"{role.value} could '{what}' without {perm.value}"
        finally:
            s.rollback()
