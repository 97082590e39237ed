"""The app as each role sees it (AppTest on the demo workspace): every page a role may open renders
without an exception and shows its title, forbidden pages are not in the menu, sign-in gates the app
when [auth] is configured, and the shared filters hold across pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from pagekit import assert_page_ok, new_app, shown, signed_in
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from app.db import read_session, write_session
from app.models import AuditLog, User
from app.models.enums import Role
from app.services.core import Actor
from app.services.org import brands, users
from app.ui.shell.navigation import PAGES, pages_for

ROLE_USERS = {role: f"{role.value}@roles.test" for role in Role}
CLIENT = "client@roles.test"


@pytest.fixture(scope="module")
def app_db(module_demo_db: Engine) -> Engine:
    """The demo workspace plus one user per role, and a client approver on one brand only."""
    system = Actor.system("test:setup")
    with write_session(module_demo_db) as s:
        for role, email in ROLE_USERS.items():
            users.add_user(s, system, email=email, role=role.value, name=role.label)
        first = brands.list_brands(s, system)[0]
        users.add_user(s, system, email=CLIENT, role="approver", brand=first.slug, name="Client")
    return module_demo_db


@pytest.fixture
def open_app(app_db: Engine, use_db):  # type: ignore[no-untyped-def]
    use_db(app_db)

    def _open(email: str | None = None, *, logged_in: bool = True) -> AppTest:
        at = new_app()
        if email is not None or not logged_in:
            signed_in(at, email, logged_in=logged_in)
        return at.run()

    return _open


def _actor(engine: Engine, email: str) -> Actor:
    with read_session(engine) as s:
        actor = users.load_actor(s, email)
    assert actor is not None
    return actor


@pytest.mark.parametrize("email", [*ROLE_USERS.values(), CLIENT])
def test_every_allowed_page_renders_for_every_role(open_app, app_db: Engine, email: str) -> None:  # type: ignore[no-untyped-def]
    at = open_app(email)
    allowed = pages_for(_actor(app_db, email))
    assert allowed, "every role sees at least the Overview"
    assert_page_ok(at, allowed[0].title)
    for spec in allowed:
        at.switch_page(spec.path).run()
        assert_page_ok(at, spec.title)
    for spec in PAGES:
        if spec not in allowed:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(spec.path)


def test_viewer_menu_has_no_write_pages(app_db: Engine) -> None:
    titles = [p.title for p in pages_for(_actor(app_db, ROLE_USERS[Role.VIEWER]))]
    assert titles == [
        "Overview",
        "Strategy",
        "Calendar",
        "KPIs",
        "Reports",
        "Quarterly review",
        "Competitors",
    ]
    admin_titles = [p.title for p in pages_for(_actor(app_db, ROLE_USERS[Role.ADMIN]))]
    assert admin_titles == [p.title for p in PAGES]


def test_sign_in_screen_when_auth_is_configured(open_app) -> None:  # type: ignore[no-untyped-def]
    at = open_app(None, logged_in=False)
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric, "no data is shown before sign-in"


def test_unknown_account_is_told_to_ask_an_admin(open_app) -> None:  # type: ignore[no-untyped-def]
    at = open_app("stranger@elsewhere.test")
    assert not at.exception
    assert "no access to this workspace" in at.warning[0].value
    assert [b.label for b in at.button] == ["Sign out"]


def test_an_unverified_email_does_not_pick_up_a_role(open_app, app_db: Engine) -> None:  # type: ignore[no-untyped-def]
    at = new_app()
    signed_in(at, ROLE_USERS[Role.ADMIN])
    at.user["email_verified"] = False
    at.run()
    assert not at.exception
    assert "has not verified that e-mail address" in shown(at.warning[0].value)
    assert not at.metric and "Settings" not in [t.value for t in at.title]


def test_local_mode_runs_as_admin_and_says_so_on_every_page(open_app, app_db: Engine) -> None:  # type: ignore[no-untyped-def]
    at = open_app()
    for spec in PAGES[:3] + PAGES[-1:]:
        at.switch_page(spec.path).run()
        assert_page_ok(at, spec.title)
        assert any("Running as the local admin" in c.value for c in at.caption)
        assert any("demo data" in i.value for i in at.info)
    with read_session(app_db) as s:
        admin = s.scalars(select(User).where(User.email == "admin@localhost")).one()
    assert admin.role == Role.ADMIN


def test_brand_and_period_hold_across_pages(open_app, app_db: Engine) -> None:  # type: ignore[no-untyped-def]
    at = open_app(ROLE_USERS[Role.MANAGER])
    brand_box = at.sidebar.selectbox(key="brand")
    assert brand_box.value == "__all__"
    second = brand_box.options[2]
    with read_session(app_db) as s:
        chosen = next(b for b in brands.list_brands(s, Actor.system("t")) if b.name == second)
    brand_box.select(chosen.slug).run()
    at.sidebar.selectbox(key="period").select("Last 90 days").run()
    at.switch_page("pages/plan/calendar.py").run()
    assert at.sidebar.selectbox(key="brand").value == chosen.slug
    assert at.sidebar.selectbox(key="period").value == "Last 90 days"
    assert any(c.value.startswith(chosen.name) for c in at.caption), "the page header names the brand"
    assert at.query_params.get("brand") == chosen.slug, "the URL carries the brand, so the link can be shared"


def test_a_link_with_brand_opens_on_that_brand(app_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(app_db)
    at = new_app()
    at.query_params["brand"] = "lumi"
    at.run()
    assert at.sidebar.selectbox(key="brand").value == "lumi"
    assert any(c.value.startswith("Lumi") for c in at.caption)


def test_brand_only_user_sees_only_their_brand(open_app) -> None:  # type: ignore[no-untyped-def]
    at = open_app(CLIENT)
    box = at.sidebar.selectbox(key="brand")
    assert len(box.options) == 1 and not box.options[0].startswith("All brands")


def test_admin_adds_a_user_in_settings_and_it_is_audited(open_app, app_db: Engine) -> None:  # type: ignore[no-untyped-def]
    at = open_app(ROLE_USERS[Role.ADMIN])
    at.switch_page("pages/admin/settings.py").run()
    form_inputs = [t for t in at.text_input if t.label == "E-mail"]
    form_inputs[0].input("new.editor@roles.test")
    next(s for s in at.selectbox if s.label == "Role").select("editor")
    next(b for b in at.button if b.label == "Add user").click().run()
    assert_page_ok(at, "Settings")
    assert any("new.editor@roles.test added" in shown(s.value) for s in at.success)
    with read_session(app_db) as s:
        entry = s.scalars(
            select(AuditLog).where(
                AuditLog.object_label == "new.editor@roles.test", AuditLog.action == "create"
            )
        ).one()
    assert entry.actor == ROLE_USERS[Role.ADMIN]


def test_changing_a_brand_role_keeps_the_workspace_role(open_app, app_db: Engine) -> None:  # type: ignore[no-untyped-def]
    viewer = "promote.me@roles.test"
    with write_session(app_db) as s:
        users.add_user(s, Actor.system("test:setup"), email=viewer, role="viewer")
    at = open_app(ROLE_USERS[Role.ADMIN])
    at.switch_page("pages/admin/settings.py").run()
    at.selectbox(key="change_user_pick").select(viewer).run()
    assert next(s for s in at.selectbox if s.label == "Workspace role").value == "viewer", (
        "starts from the user"
    )
    brand = next(s for s in at.selectbox if s.label == "Change the role on brand")
    slug = brand.options[1]
    brand.select(slug)
    next(s for s in at.selectbox if s.label == "to").select("editor")
    next(b for b in at.button if b.label == "Save roles").click().run()
    assert_page_ok(at, "Settings")
    with read_session(app_db) as s:
        info = next(u for u in users.list_users(s, Actor.system("t")) if u.email == viewer)
    assert info.role == "viewer" and info.brand_roles[slug] == "editor"


def test_a_brand_name_with_markdown_is_shown_literally(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    name = "![pixel](http://127.0.0.1:9/p.png) :red[Sale] **now**"
    with write_session(demo_db) as s:
        brands.update_brand(s, Actor.system("test"), "lumi", name=name)
    at = new_app()
    at.query_params["brand"] = "lumi"
    at.run()
    header = next(c.value for c in at.caption if "pixel" in c.value)
    assert header.startswith(r"\!\[pixel\]\(http\:")
    assert r"\:red\[Sale\] \*\*now\*\*" in header


def test_an_unreachable_database_is_one_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://hub:s3cret@127.0.0.1:1/hub")
    at = new_app().run()
    assert not at.exception
    message = shown(at.error[0].value)
    assert message.startswith("Cannot reach the database at postgresql+psycopg://hub:***@127.0.0.1:1/hub")
    assert "s3cret" not in message


def test_a_broken_secrets_file_is_one_clear_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "secrets.toml"
    broken.write_text("[database\nurl = 1\n")
    monkeypatch.setenv("SOCIALOPS_SECRETS_FILE", str(broken))
    at = new_app().run()
    assert not at.exception
    assert shown(at.error[0].value).startswith("SocialOps Hub cannot start:")
    assert "is not valid TOML" in shown(at.error[0].value)
