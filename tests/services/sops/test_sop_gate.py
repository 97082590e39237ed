"""The gate scheduling code calls: `blockers_for_post` names every required checklist that has not
been started, is not complete (with the open steps), or was completed but fails an automatic check now."""

from __future__ import annotations

from sopkit import (
    EDITOR,
    LEAD,
    actor,
    attach,
    make_asset,
    make_post,
    make_template,
    release_connections,  # noqa: F401 (an autouse fixture)
)
from sqlalchemy import Engine, select, update

from app.db import read_session, write_session
from app.models import Asset, Post, SopRequirement, SopRun, SopStep, SopStepResult, SopTemplate
from app.models.enums import PostType, Role, SopRunStatus
from app.services.sops import StepInput, blockers_for_post
from app.services.sops import runs as sop_runs
from app.services.sops import templates as sop_templates

STEPS = [
    StepInput("Proofread copy", "", Role.EDITOR),
    StepInput("Alt text on every image", "", Role.EDITOR, "variants_have_alt_text"),
    StepInput("Manager review", "", Role.MANAGER),
    StepInput("Optional extra", "", None, None, False),
]


def blockers(engine: Engine, post_id: int) -> list[str]:
    with read_session(engine) as s:
        return blockers_for_post(s, s.get(Post, post_id))


def tick(engine: Engine, email: str, run_id: int, title: str) -> None:
    with write_session(engine) as s:
        step_id = s.scalar(
            select(SopStep.id)
            .join(SopStepResult, SopStepResult.step_id == SopStep.id)
            .where(SopStepResult.run_id == run_id, SopStep.title == title)
        )
        sop_runs.complete_step(s, actor(engine, email), run_id, step_id, "done")


def test_the_gate_from_not_started_to_clear_and_back(demo_db: Engine) -> None:
    lead, editor = actor(demo_db, LEAD), actor(demo_db, EDITOR)
    slug = make_template(demo_db, STEPS, name="Content approval plus")
    post = make_post(demo_db, "warisan", ["One", "Two"], post_type=PostType.IMAGE)
    image = make_asset(demo_db, "warisan", "teh.jpg")
    attach(demo_db, post.variant_ids[0], image)
    assert blockers(demo_db, post.id) == [], "nothing is required of warisan posts yet"

    with write_session(demo_db) as s:
        sop_templates.set_requirement(s, lead, "warisan", slug, post_type="image")
    assert blockers(demo_db, post.id) == [
        "Checklist 'Content approval plus' has not been started for this post"
    ]
    video = make_post(demo_db, "warisan", post_type=PostType.VIDEO)
    assert blockers(demo_db, video.id) == [], "the requirement is for image posts"

    with write_session(demo_db) as s:
        run_id = sop_runs.start_run(s, editor, slug, "post", post.id).id
    assert blockers(demo_db, post.id) == [
        "Checklist 'Content approval plus' is not complete: 3 of 3 steps open "
        "(Proofread copy, Alt text on every image, Manager review)"
    ]
    tick(demo_db, EDITOR, run_id, "Proofread copy")
    tick(demo_db, LEAD, run_id, "Manager review")
    assert blockers(demo_db, post.id) == [
        "Checklist 'Content approval plus' is not complete: 1 of 3 steps open (Alt text on every image)"
    ]

    # Alt text added, but nobody re-checked yet: the gate sees that the steps pass and says what to do.
    with write_session(demo_db) as s:
        s.execute(update(Asset).where(Asset.id == image).values(alt_text="Teh tarik being pulled"))
    [message] = blockers(demo_db, post.id)
    assert message.startswith("Checklist 'Content approval plus' is not complete: its steps pass now")
    assert "Re-check" in message
    with write_session(demo_db) as s:
        sop_runs.evaluate_checks(s, run_id)
    assert blockers(demo_db, post.id) == [], "complete, and the check still passes"

    # The picture loses its alt text after completion: the gate re-evaluates and blocks again.
    with write_session(demo_db) as s:
        s.execute(update(Asset).where(Asset.id == image).values(alt_text=""))
    assert blockers(demo_db, post.id) == [
        "Checklist 'Content approval plus' was completed, but 'Alt text on every image' fails now: "
        f"0 of 1 variants have alt text: missing on {post.platforms[0]} (teh.jpg)"
    ]
    with read_session(demo_db) as s:
        assert s.get(SopRun, run_id).status == SopRunStatus.COMPLETE, "the gate writes nothing"


def test_cancelled_runs_do_not_count_and_every_requirement_is_reported(demo_db: Engine) -> None:
    lead, editor = actor(demo_db, LEAD), actor(demo_db, EDITOR)
    first = make_template(demo_db, STEPS[:1], name="First list")
    second = make_template(demo_db, STEPS[2:3], name="Second list")
    with write_session(demo_db) as s:
        sop_templates.set_requirement(s, lead, "senja", first)
        sop_templates.set_requirement(s, lead, "senja", second, post_type="video")
    post = make_post(demo_db, "senja", post_type=PostType.VIDEO)
    with write_session(demo_db) as s:
        run = sop_runs.start_run(s, editor, first, "post", post.id)
        sop_runs.cancel_run(s, editor, run.id)
    assert blockers(demo_db, post.id) == [
        "Checklist 'First list' has not been started for this post",
        "Checklist 'Second list' has not been started for this post",
    ]
    with write_session(demo_db) as s:
        run_id = sop_runs.start_run(s, editor, first, "post", post.id).id
    tick(demo_db, EDITOR, run_id, "Proofread copy")
    assert blockers(demo_db, post.id) == ["Checklist 'Second list' has not been started for this post"]


def test_the_demo_requirement_blocks_lumi_posts_without_a_complete_run(demo_db: Engine) -> None:
    """The demo brand requires content approval of its image and video posts: not started, then started
    and open. The test starts the run itself, so it does not depend on which runs the demo happened to
    leave open on the day it was built."""
    post = make_post(demo_db, "lumi", post_type=PostType.VIDEO)
    assert blockers(demo_db, post.id) == ["Checklist 'Content approval' has not been started for this post"]
    assert blockers(demo_db, make_post(demo_db, "lumi", post_type=PostType.TEXT).id) == []
    with read_session(demo_db) as s:
        slug = s.scalars(
            select(SopTemplate.slug)
            .join(SopRequirement, SopRequirement.template_id == SopTemplate.id)
            .where(
                SopRequirement.brand_id == s.get(Post, post.id).brand_id,
                SopRequirement.post_type == PostType.VIDEO,
            )
        ).one()
    with write_session(demo_db) as s:
        run = sop_runs.start_run(s, actor(demo_db, EDITOR), slug, "post", post.id)
        assert run.status == SopRunStatus.OPEN
    found = blockers(demo_db, post.id)
    assert len(found) == 1 and found[0].startswith("Checklist 'Content approval' is not complete: ")
