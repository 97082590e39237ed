"""The SOP library: creating and validating templates, revising them into new versions (old runs keep
their version), retiring them, and brand requirements; who may do it, and the audit rows it leaves."""

from __future__ import annotations

import pytest
from sopkit import (
    CM,
    EDITOR,
    LEAD,
    actor,
    brand_id,
    make_post,
    make_template,
    release_connections,  # noqa: F401 (an autouse fixture)
)
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import (
    AuditLog,
    Campaign,
    Post,
    SopRequirement,
    SopRun,
    SopStep,
    SopTemplate,
    SopTemplateVersion,
)
from app.models.enums import PostType, Role, SopObjectType
from app.services.core import Actor, NotFound, PermissionDenied, ValidationError
from app.services.org import users
from app.services.sops import StepInput
from app.services.sops import reads as sops
from app.services.sops import runs as sop_runs
from app.services.sops import templates as sop_templates
from app.services.sops.gate import required_templates

STEPS = [
    StepInput("Proofread", "Read it aloud once.", Role.EDITOR, None, True, 24),
    StepInput("Alt text", "", Role.EDITOR, "variants_have_alt_text", True, 24),
    StepInput("Manager look", "", Role.MANAGER, None, False, 48),
]


def audit_rows(engine: Engine, object_type: str, action: str) -> list[AuditLog]:
    with read_session(engine) as s:
        return list(
            s.scalars(select(AuditLog).where(AuditLog.object_type == object_type, AuditLog.action == action))
        )


def test_create_makes_version_one_with_its_steps_and_an_audit_row(demo_db: Engine) -> None:
    slug = make_template(demo_db, STEPS, name="Launch post check")
    with read_session(demo_db) as s:
        template = s.scalars(select(SopTemplate).where(SopTemplate.slug == slug)).one()
        steps = sops.template_steps(s, actor(demo_db, EDITOR), slug)
    assert slug == "launch-post-check" and template.current_version == 1 and template.brand_id is None
    assert list(steps["title"]) == ["Proofread", "Alt text", "Manager look"]
    assert list(steps["owner role"]) == ["Editor", "Editor", "Manager"]
    assert list(steps["required"]) == [True, True, False]
    [row] = audit_rows(demo_db, "sop_template", "create")
    assert row.actor == LEAD and [s["title"] for s in row.after["steps"]] == [
        "Proofread",
        "Alt text",
        "Manager look",
    ]
    # Same name again: a new slug, not a clash.
    assert make_template(demo_db, STEPS, name="Launch post check") == "launch-post-check-2"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "  "}, "name is required"),
        ({"steps": []}, "at least one step"),
        ({"steps": [{"title": ""}]}, "step 1: title is required"),
        (
            {"steps": [{"title": "ok"}, {"title": "x", "auto_check": "moon_phase"}]},
            "step 2: 'moon_phase' is not",
        ),
        ({"steps": [{"title": "x", "owner_role": "boss"}]}, "owner role 'boss'"),
        ({"steps": [{"title": "x", "due_offset_hours": -1}]}, "between 0 and 8760"),
        (
            {"applies_to": "report", "steps": [{"title": "x", "auto_check": "links_have_utm"}]},
            "cannot be evaluated",
        ),
        ({"applies_to": "meeting"}, "applies to 'meeting'"),
    ],
)
def test_create_validates(demo_db: Engine, kwargs: dict, message: str) -> None:
    args = {"name": "Checklist", "applies_to": "post", "steps": [{"title": "One step"}]} | kwargs
    with write_session(demo_db) as s, pytest.raises(ValidationError, match=message):
        sop_templates.create_template(s, actor(demo_db, LEAD), **args)


def test_only_managers_create_and_brand_managers_only_for_their_brand(demo_db: Engine) -> None:
    with write_session(demo_db) as s, pytest.raises(PermissionDenied):
        sop_templates.create_template(s, actor(demo_db, EDITOR), name="X", applies_to="post", steps=STEPS)
    system = Actor.system("test:setup")
    with write_session(demo_db) as s:
        users.add_user(s, system, email="bm@sop.test", role="manager", brand="warisan", name="Brand Manager")
    bm = actor(demo_db, "bm@sop.test")
    with write_session(demo_db) as s, pytest.raises(PermissionDenied):
        sop_templates.create_template(s, bm, name="Everyone's", applies_to="post", steps=STEPS)
    with write_session(demo_db) as s:
        t = sop_templates.create_template(
            s, bm, name="Warisan only", applies_to="post", steps=STEPS, brand="warisan"
        )
        assert t.brand_id == brand_id(demo_db, "warisan")
    with write_session(demo_db) as s, pytest.raises(NotFound):
        sop_templates.create_template(s, bm, name="Lumi", applies_to="post", steps=STEPS, brand="lumi")


def test_revise_makes_a_new_version_and_old_runs_keep_theirs(demo_db: Engine) -> None:
    slug = make_template(demo_db, STEPS)
    post = make_post(demo_db, "warisan")
    lead, editor = actor(demo_db, LEAD), actor(demo_db, EDITOR)
    with write_session(demo_db) as s:
        old_run = sop_runs.start_run(s, editor, slug, "post", post.id).id
        sop_runs.cancel_run(s, lead, old_run)
        still_open = sop_runs.start_run(s, editor, slug, "post", post.id).id
    revised = [*STEPS[:1], StepInput("Claims checked", "Against the claims list.", Role.APPROVER), STEPS[1]]
    with write_session(demo_db) as s:
        version = sop_templates.revise_template(s, lead, slug, revised, "Claims check after the incident.")
        assert version.number == 2
    with read_session(demo_db) as s:
        template = s.scalars(select(SopTemplate).where(SopTemplate.slug == slug)).one()
        assert template.current_version == 2
        run_steps = s.scalars(
            select(SopStep.title)
            .join(SopRun, SopRun.template_version_id == SopStep.version_id)
            .where(SopRun.id == still_open)
            .order_by(SopStep.position)
        ).all()
        versions = sops.template_versions(s, editor, slug)
        changes = sops.step_changes(s, editor, slug, 2)
        v1 = sops.template_steps(s, editor, slug, 1)
    assert run_steps == ["Proofread", "Alt text", "Manager look"], "the open run stays on version 1"
    assert list(v1["title"]) == ["Proofread", "Alt text", "Manager look"]
    assert list(versions["version"]) == [2, 1] and list(versions["current"]) == [True, False]
    assert (
        versions.iloc[0]["notes"] == "Claims check after the incident."
        and versions.iloc[0]["by"] == "Mei Lim"
    )
    by_title = changes.set_index("title")["change"].to_dict()
    assert by_title == {
        "Proofread": "same",
        "Claims checked": "added",
        "Alt text": "moved",
        "Manager look": "removed",
    }
    # A new run uses version 2 (after the open one is closed).
    with write_session(demo_db) as s:
        with pytest.raises(ValidationError, match="already open"):
            sop_runs.start_run(s, editor, slug, "post", post.id)
        sop_runs.cancel_run(s, lead, still_open)
        new_run = sop_runs.start_run(s, editor, slug, "post", post.id)
        number = s.scalar(
            select(SopTemplateVersion.number).where(SopTemplateVersion.id == new_run.template_version_id)
        )
        assert number == 2 and len(new_run.results) == 3
    [row] = audit_rows(demo_db, "sop_template", "revise")
    assert (
        row.before["version"] == 1 and row.after["version"] == 2 and row.after["notes"].startswith("Claims")
    )


def test_revise_refuses_no_change_missing_notes_and_non_managers(demo_db: Engine) -> None:
    slug = make_template(demo_db, STEPS)
    lead = actor(demo_db, LEAD)
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="same as version 1"):
        sop_templates.revise_template(s, lead, slug, STEPS, "nothing really")
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="notes"):
        sop_templates.revise_template(s, lead, slug, STEPS[:1], " ")
    for email in (EDITOR, CM):
        with write_session(demo_db) as s, pytest.raises(PermissionDenied):
            sop_templates.revise_template(s, actor(demo_db, email), slug, STEPS[:1], "shorter")
    with write_session(demo_db) as s, pytest.raises(NotFound):
        sop_templates.revise_template(s, lead, "no-such-template", STEPS[:1], "x")


def test_deactivated_templates_start_no_runs_until_reactivated(demo_db: Engine) -> None:
    slug = make_template(demo_db, STEPS)
    post = make_post(demo_db, "senja")
    lead, editor = actor(demo_db, LEAD), actor(demo_db, EDITOR)
    with write_session(demo_db) as s:
        sop_templates.deactivate_template(s, lead, slug)
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="inactive"):
        sop_runs.start_run(s, editor, slug, "post", post.id)
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="already inactive"):
        sop_templates.deactivate_template(s, lead, slug)
    with write_session(demo_db) as s, pytest.raises(PermissionDenied):
        sop_templates.reactivate_template(s, editor, slug)
    with write_session(demo_db) as s:
        sop_templates.reactivate_template(s, lead, slug)
        assert sop_runs.start_run(s, editor, slug, "post", post.id).id
    [off] = audit_rows(demo_db, "sop_template", "deactivate")
    [on] = audit_rows(demo_db, "sop_template", "reactivate")
    assert (off.before, off.after, on.before, on.after) == (
        {"active": True},
        {"active": False},
        {"active": False},
        {"active": True},
    )
    assert off.object_id == on.object_id and off.object_label == on.object_label != ""


def required_slugs(engine: Engine, post_id: int) -> set[str]:
    with read_session(engine) as s:
        return {t.slug for t in required_templates(s, s.get(Post, post_id))}


def test_requirements_match_by_post_type_campaign_or_every_post(demo_db: Engine) -> None:
    lead = actor(demo_db, LEAD)
    every = make_template(demo_db, STEPS, name="Every post")
    videos = make_template(demo_db, STEPS, name="Video posts")
    launch = make_template(demo_db, STEPS, name="Launch campaign")
    both = make_template(demo_db, STEPS, name="Launch videos")
    with read_session(demo_db) as s:
        campaign = s.scalars(select(Campaign).where(Campaign.slug == "kopi-o-classics")).one()
    with write_session(demo_db) as s:
        sop_templates.set_requirement(s, lead, "warisan", every)
        sop_templates.set_requirement(s, lead, "warisan", videos, post_type="video")
        sop_templates.set_requirement(s, lead, "warisan", launch, campaign="kopi-o-classics")
        sop_templates.set_requirement(
            s, lead, "warisan", both, post_type=PostType.VIDEO, campaign=campaign.id
        )
    plain_image = make_post(demo_db, "warisan", post_type=PostType.IMAGE)
    video = make_post(demo_db, "warisan", post_type=PostType.VIDEO)
    launch_image = make_post(demo_db, "warisan", campaign_id=campaign.id)
    launch_video = make_post(demo_db, "warisan", post_type=PostType.VIDEO, campaign_id=campaign.id)
    elsewhere = make_post(demo_db, "senja", post_type=PostType.VIDEO)
    assert required_slugs(demo_db, plain_image.id) == {every}
    assert required_slugs(demo_db, video.id) == {every, videos}
    assert required_slugs(demo_db, launch_image.id) == {every, launch}
    assert required_slugs(demo_db, launch_video.id) == {every, videos, launch, both}
    assert required_slugs(demo_db, elsewhere.id) == set()
    # A retired template is no longer demanded.
    with write_session(demo_db) as s:
        sop_templates.deactivate_template(s, lead, videos)
    assert required_slugs(demo_db, video.id) == {every}
    assert len(audit_rows(demo_db, "sop_requirement", "create")) == 4


def test_requirement_rules_permissions_and_removal(demo_db: Engine) -> None:
    lead, editor = actor(demo_db, LEAD), actor(demo_db, EDITOR)
    slug = make_template(demo_db, STEPS)
    with write_session(demo_db) as s, pytest.raises(PermissionDenied):
        sop_templates.set_requirement(s, editor, "warisan", slug)
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="only post checklists"):
        sop_templates.set_requirement(s, lead, "warisan", "crisis-response")
    with write_session(demo_db) as s, pytest.raises(NotFound, match="campaign"):
        sop_templates.set_requirement(s, lead, "warisan", slug, campaign="barrier-repair-launch")
    with write_session(demo_db) as s:
        req_id = sop_templates.set_requirement(s, lead, "warisan", slug, post_type="image").id
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="already requires"):
        sop_templates.set_requirement(s, lead, "warisan", slug, post_type="image")
    with write_session(demo_db) as s, pytest.raises(PermissionDenied):
        sop_templates.remove_requirement(s, editor, req_id)
    with write_session(demo_db) as s:
        sop_templates.remove_requirement(s, lead, req_id)
    with read_session(demo_db) as s:
        assert s.get(SopRequirement, req_id) is None
    [row] = audit_rows(demo_db, "sop_requirement", "delete")
    assert row.before["post_type"] == "image" and "image posts" in row.object_label


def test_brand_templates_only_run_and_gate_on_their_brand(demo_db: Engine) -> None:
    lead, editor = actor(demo_db, LEAD), actor(demo_db, EDITOR)
    slug = make_template(demo_db, STEPS, name="Senja house rules", brand="senja")
    other = make_post(demo_db, "warisan")
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="another brand"):
        sop_runs.start_run(s, editor, slug, SopObjectType.POST, other.id)
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="another brand"):
        sop_templates.set_requirement(s, lead, "warisan", slug)
