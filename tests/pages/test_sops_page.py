"""The SOPs page (AppTest): it renders for every role that sees it (what a role may not do is greyed
out, not hidden), a manager revises a template from it, an editor ticks a checklist step, and a
checklist is started on a post of the selected brand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pagekit import assert_page_ok, new_app, shown, signed_in
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from app.db import dispose_engine, read_session
from app.models import SopRun, SopStep, SopStepResult, SopTemplate, SopTemplateVersion, User
from app.models.enums import Role, SopObjectType, SopRunStatus, StepStatus
from app.services.org import users
from app.ui.shell.navigation import pages_for

PAGE = "pages/plan/sops.py"
LEAD = "mei.lim@kopi.example"
EDITOR = "farah.aziz@kopi.example"
ROLES = {
    "admin@kopi.example": "admin",
    LEAD: "manager",
    EDITOR: "editor",
    "rachel.ng@kopi.example": "approver on one brand",
    "weiling.chua@kopi.example": "community manager",
    "grace.teo@kopi.example": "client approver",
}


@pytest.fixture(autouse=True)
def release_connections(request: pytest.FixtureRequest) -> Iterator[None]:
    """Close a test's private database's pooled connections when the test ends (a PostgreSQL run of
    the whole suite otherwise runs out of server connections)."""
    engine = request.getfixturevalue("demo_db") if "demo_db" in request.fixturenames else None
    yield
    if engine is not None:
        dispose_engine(engine.url.render_as_string(hide_password=False))


def open_as(email: str, brand: str | None = None) -> AppTest:
    at = signed_in(new_app(), email)
    if brand:
        at.session_state["brand"] = brand
    at.run()
    return at.switch_page(PAGE).run()


def button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


@pytest.mark.parametrize("email", ROLES, ids=ROLES.values())
def test_page_renders_for_every_role_that_sees_it(module_demo_db: Engine, use_db, email: str) -> None:  # type: ignore[no-untyped-def]
    use_db(module_demo_db)
    at = open_as(email)
    assert_page_ok(at, "SOPs")
    is_manager = email in (LEAD, "admin@kopi.example")
    assert button(at, "Save as version 2").disabled is not is_manager
    assert button(at, "Create template").disabled is not is_manager
    assert [t.label.split(" (")[0] for t in at.tabs] == ["Library", "Runs", "Overdue", "History"]


def test_viewers_do_not_get_the_page(module_demo_db: Engine) -> None:
    with read_session(module_demo_db) as s:
        viewer = users.load_actor(s, "jon.lee@kopi.example")
    assert viewer is not None and viewer.workspace_role == Role.VIEWER
    assert PAGE not in [p.path for p in pages_for(viewer)]


def current_version(engine: Engine, slug: str) -> tuple[int, list[str]]:
    with read_session(engine) as s:
        template = s.scalars(select(SopTemplate).where(SopTemplate.slug == slug)).one()
        titles = s.scalars(
            select(SopStep.title)
            .join(SopTemplateVersion, SopTemplateVersion.id == SopStep.version_id)
            .where(
                SopTemplateVersion.template_id == template.id,
                SopTemplateVersion.number == template.current_version,
            )
            .order_by(SopStep.position)
        ).all()
        return template.current_version, list(titles)


def test_a_manager_revises_a_template(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = open_as(LEAD)
    at.selectbox(key="sop_template").set_value("crisis-response").run()
    before, titles = current_version(demo_db, "crisis-response")
    assert before == 1

    # Saving the editor unchanged is refused, and says why.
    at.text_input(key="sop_revise_notes").input("no real change")
    button(at, "Save as version 2").click().run()
    assert any("same as version 1" in shown(e.value) for e in at.error)
    assert current_version(demo_db, "crisis-response")[0] == 1

    at.text_input(key="sop_add_title").input("Brief the client's spokesperson")
    at.selectbox(key="sop_add_role").set_value(Role.MANAGER.value)
    at.text_input(key="sop_add_notes").input("Spokesperson briefing added after the review.")
    button(at, "Add step as a new version").click().run()
    assert_page_ok(at, "SOPs")
    assert any("version 2 saved" in shown(s.value) for s in at.success)
    after, new_titles = current_version(demo_db, "crisis-response")
    assert after == 2 and new_titles == [*titles, "Brief the client's spokesperson"]
    # The library now offers both versions, with what changed.
    assert at.selectbox(key="sop_version").options == ["Version 2", "Version 1"]


def pending_step(engine: Engine, owner: Role) -> tuple[int, int]:
    """(run id, step id) of a pending manual step owned by `owner` on an open demo run."""
    with read_session(engine) as s:
        return s.execute(
            select(SopRun.id, SopStep.id)
            .join(SopStepResult, SopStepResult.run_id == SopRun.id)
            .join(SopStep, SopStep.id == SopStepResult.step_id)
            .where(
                SopRun.status == SopRunStatus.OPEN,
                SopStepResult.status == StepStatus.PENDING,
                SopStep.owner_role == owner,
                SopStep.auto_check.is_(None),
            )
            .order_by(SopRun.id, SopStep.position)
        ).first()


def test_an_editor_ticks_a_step_and_may_not_tick_another_roles(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    run_id, step_id = pending_step(demo_db, Role.EDITOR)
    at = open_as(EDITOR)
    at.selectbox(key="sop_run").set_value(run_id).run()
    at.selectbox(key="sop_step").set_value(step_id).run()
    at.text_input(key="sop_tick_note").input("Checked against the brief.")
    save = button(at, "Save step")
    assert not save.disabled
    save.click().run()
    assert_page_ok(at, "SOPs")
    with read_session(demo_db) as s:
        result = s.scalars(
            select(SopStepResult).where(SopStepResult.run_id == run_id, SopStepResult.step_id == step_id)
        ).one()
        farah = s.scalars(select(User.id).where(User.email == EDITOR)).one()
    assert result.status == StepStatus.DONE and result.done_by_id == farah
    assert result.note == "Checked against the brief."

    cm_run, cm_step = pending_step(demo_db, Role.COMMUNITY_MANAGER)
    at.selectbox(key="sop_run").set_value(cm_run).run()
    at.selectbox(key="sop_step").set_value(cm_step).run()
    save = button(at, "Save step")
    assert save.disabled and "community manager role" in save.help, "another role's step is greyed out"


def test_a_checklist_is_started_on_a_post_of_the_selected_brand(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = open_as(LEAD, brand="warisan")
    at.selectbox(key="sop_start_kind").set_value(SopObjectType.POST).run()
    assert at.selectbox(key="sop_start_template").value == "content-approval"
    post_id = at.selectbox(key="sop_start_object").value
    button(at, "Start checklist").click().run()
    assert_page_ok(at, "SOPs")
    with read_session(demo_db) as s:
        runs = s.scalars(
            select(SopRun).where(SopRun.object_type == SopObjectType.POST, SopRun.object_id == post_id)
        ).all()
    assert [r.status for r in runs][-1] == SopRunStatus.OPEN


def test_a_manager_cancels_a_run_and_the_page_moves_on(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = open_as(LEAD)
    run_id = at.selectbox(key="sop_run").value
    button(at, "Cancel this checklist").click().run()
    assert_page_ok(at, "SOPs")
    assert any(shown(s.value).startswith("Cancelled:") for s in at.success)
    with read_session(demo_db) as s:
        assert s.get(SopRun, run_id).status == SopRunStatus.CANCELLED
    assert at.selectbox(key="sop_run").value != run_id
