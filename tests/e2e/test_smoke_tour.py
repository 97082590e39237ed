"""The smoke tour and the role journey, in Chromium against `streamlit run`. For every role, its demo
person signs in through the identity provider (oidc-provider-mock); the sidebar lists exactly the pages
the app's navigation gives that role, including the ones this role must have and none it must not (the
ROLE_CASES below, written from the roles' descriptions, not from the menu code); every page the sidebar
lists is opened from it and must settle within PAGE_LIMIT_S with no exception box and no error alert;
then the URL of a page outside the role's menu, typed in, runs the role's first page and never shows
that page. The pages come from the sidebar itself, so a page added to the navigation is toured without
touching this file. One app server and one provider serve every role.

It also photographs the product tour (docs/tour/README.md): every page as the admin sees it on one brand,
and a few pages as another role sees them. `SOCIALOPS_TOUR=1 python -m pytest tests/e2e/test_smoke_tour.py`
rewrites docs/tour/*.png (then commit them); otherwise the images go to tests/.artifacts/e2e/tour/, so a
CI run never dirties the repository."""

from __future__ import annotations

import os
import re
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from e2ekit import (
    ADMIN,
    APPROVER,
    ARTIFACTS,
    COMMUNITY_MANAGER,
    EDITOR,
    MANAGER,
    REPO,
    VIEWER,
    Person,
    RunningApp,
)
from playwright.sync_api import BrowserContext, expect
from sqlalchemy import create_engine
from streamlit_ui import (
    assert_no_error,
    choose,
    expect_page,
    open_page,
    problems,
    record_headings,
    seen_headings,
    select_options,
    sidebar_pages,
    sign_in,
    tour_screenshot,
    visit_from_sidebar,
)

from app.db import read_session
from app.services.core import Actor
from app.services.org import load_actor
from app.ui.shell.errors import UNEXPECTED_ERROR_PREFIX
from app.ui.shell.navigation import PAGES, pages_for

pytestmark = pytest.mark.slow

PAGE_LIMIT_S = 15.0  # click → run over; generous (a shared 2-core box), the real figures are printed


@dataclass(frozen=True)
class RoleCase:
    person: Person
    sees: tuple[str, ...]  # pages the menu must list
    not_sees: tuple[str, ...] = ()  # pages it must not list
    typed: tuple[str, ...] = ()  # url paths of pages outside the menu, typed in: the page must not show
    brands: tuple[str, ...] | None = None  # the brand switcher's options, when not every brand


ROLE_CASES: dict[str, RoleCase] = {
    "viewer": RoleCase(
        VIEWER,
        sees=("Overview", "Calendar", "KPIs", "Reports", "Competitors"),
        not_sees=("Compose", "Approvals", "SOPs", "Inbox", "Crisis", "Jobs & connections", "Settings"),
        typed=("compose", "settings"),
    ),
    "editor": RoleCase(
        EDITOR,
        sees=("Calendar", "Compose", "Approvals", "Briefs", "Import & export", "Assets", "SOPs"),
        not_sees=("Inbox", "Crisis", "Jobs & connections", "Settings"),
        typed=("inbox",),
    ),
    "approver": RoleCase(  # on one brand only
        APPROVER,
        sees=("Overview", "Calendar", "Approvals", "SOPs"),
        not_sees=("Compose", "Briefs", "Assets", "Inbox", "Settings"),
        typed=("compose",),
        brands=("Warisan Kopitiam",),
    ),
    "community-manager": RoleCase(
        COMMUNITY_MANAGER,
        sees=("Overview", "Inbox", "Crisis", "SOPs"),
        not_sees=("Compose", "Approvals", "Jobs & connections", "Settings"),
        typed=("approvals",),
    ),
    "manager": RoleCase(
        MANAGER,
        sees=("Compose", "Approvals", "Inbox", "Crisis", "KPIs", "Jobs & connections"),
        not_sees=("Settings",),
        typed=("settings",),
    ),
    "admin": RoleCase(ADMIN, sees=("Jobs & connections", "Settings")),
}
TOUR_ROLE = "admin"  # sees every page
TOUR_BRAND = "Lumi Skin Lab"
# A few pages as a narrower role sees them: the short menu of a viewer, an approver's one-brand queue,
# a community manager's inbox.
ROLE_SHOTS = {("viewer", "overview"), ("approver", "approvals"), ("community-manager", "inbox")}
# Error alerts the demo workspace may raise (its jobs have not run since it was made, so they turn late
# if the tour runs long after): the health banner admins get on every page, and the Jobs & connections
# page, whose job is to show failures. Any other error alert, and every exception box, fails the tour.
DESIGNED_ALERTS = re.compile(r"connection\(s\) need attention|job\(s\) need attention")
REPORTS_FAILURES = {"jobs"}  # url paths
VIEWPORT = (1440, 900)
DOCS_TOUR = REPO / "docs" / "tour"
TOUR_ENV = "SOCIALOPS_TOUR"


def tour_image(url_path: str, role: str = TOUR_ROLE) -> str:
    """The tour's file name of a page's screenshot: compose.png, or viewer-overview.png for a role's."""
    return f"{url_path}.png" if role == TOUR_ROLE else f"{role}-{url_path}.png"


@pytest.fixture(scope="module")
def tour_folder() -> Path:
    """docs/tour/ with SOCIALOPS_TOUR=1 (emptied of its images, so a removed page leaves none behind),
    else tests/.artifacts/e2e/tour/."""
    if os.environ.get(TOUR_ENV) == "1":
        for old in DOCS_TOUR.glob("*.png"):
            old.unlink()
        return DOCS_TOUR
    folder = ARTIFACTS / "tour"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def designed(problem: str, url_path: str) -> bool:
    if problem.startswith("exception:") or UNEXPECTED_ERROR_PREFIX in problem:
        return False
    return url_path in REPORTS_FAILURES or DESIGNED_ALERTS.search(problem) is not None


def load(database_url: str, email: str) -> Actor:
    engine = create_engine(database_url)
    try:
        with read_session(engine) as s:
            actor = load_actor(s, email)
    finally:
        engine.dispose()
    assert actor is not None, f"{email} is not an active demo user"
    return actor


@pytest.mark.parametrize("role", list(ROLE_CASES))
def test_the_role_signs_in_to_its_pages_and_each_opens_cleanly_and_quickly(
    role: str,
    shared_app: RunningApp,
    new_context: Callable[..., BrowserContext],
    page_times: list[tuple[str, str, float]],
    tour_folder: Path,
) -> None:
    started = clock.monotonic()
    case = ROLE_CASES[role]
    expected = pages_for(load(shared_app.database_url, case.person.email))
    by_title = {spec.title: spec for spec in PAGES}

    context = new_context(role, VIEWPORT)
    record_headings(context)
    page = sign_in(context, shared_app.url, case.person.sub)
    menu = sidebar_pages(page)
    assert menu == [spec.title for spec in expected], f"{role}'s menu"
    assert set(case.sees) <= set(menu), f"{role}'s menu lacks {set(case.sees) - set(menu)}"
    assert not set(case.not_sees) & set(menu), f"{role}'s menu has {set(case.not_sees) & set(menu)}"
    expect(page.get_by_test_id("stSidebar")).to_contain_text(case.person.name)
    expect_page(page, menu[0])  # the first page of the menu is the one a sign-in lands on
    if case.brands is not None:
        assert select_options(page, "Brand") == list(case.brands)
    if role == TOUR_ROLE:
        # One brand, so its pages show their full selves (the others see All brands, or their one brand).
        choose(page, "stSelectbox", "Brand", TOUR_BRAND)

    # Every page, in menu order; slowness and failures are collected, so one run names them all.
    slow: list[str] = []
    failed: list[str] = []
    for title in menu:
        seconds = visit_from_sidebar(page, title, check=False)
        page_times.append((role, title, seconds))
        if seconds > PAGE_LIMIT_S:
            slow.append(f"{title} {seconds:.1f} s")
        url_path = by_title[title].url_path
        failed += [f"{title}: {problem}" for problem in problems(page) if not designed(problem, url_path)]
        if role == TOUR_ROLE or (role, url_path) in ROLE_SHOTS:
            # The first page shows the notices above every page; the others start at their title.
            tour_screenshot(page, tour_folder / tour_image(url_path, role), from_title=title != menu[0])
    assert not failed, f"{role}: " + "\n".join(failed)
    assert not slow, f"{role}: pages slower than {PAGE_LIMIT_S:.0f} s: {', '.join(slow)}"

    # A page outside the menu, by its URL: Streamlit says "Page not found" and runs the role's first
    # page; the typed page's title never shows, not even for a moment.
    url_paths = {spec.url_path: spec.title for spec in PAGES}
    for url_path in case.typed:
        assert url_paths[url_path] not in menu
        open_page(page, f"{shared_app.url}/{url_path}", dismiss=False)
        expect_page(page, menu[0])
        assert url_paths[url_path] not in seen_headings(page), f"{role} saw /{url_path}"
        assert_no_error(page)

    timings = sorted((t for t in page_times if t[0] == role), key=lambda t: -t[2])[:3]
    print(
        f"\n{role}: {len(menu)} pages and {len(case.typed)} typed URL(s) in "
        f"{clock.monotonic() - started:.1f} s (sign-in included); slowest "
        + ", ".join(f"{title} {s:.1f} s" for _, title, s in timings)
    )


def test_the_tour_shows_every_page() -> None:
    """docs/tour/README.md has a section per page of the navigation with its image, in menu order, and
    every image it shows is committed."""
    readme = (DOCS_TOUR / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"\]\(([a-z-]+\.png)\)", readme)
    wanted = [tour_image(spec.url_path) for spec in PAGES]
    missing_sections = [spec.title for spec in PAGES if tour_image(spec.url_path) not in shown]
    assert not missing_sections, (
        f"docs/tour/README.md has no section for {missing_sections}: write one, and make its image with "
        f"{TOUR_ENV}=1 python -m pytest tests/e2e/test_smoke_tour.py"
    )
    assert [name for name in shown if name in wanted] == wanted, "sections out of menu order"
    missing = [name for name in shown if not (DOCS_TOUR / name).is_file()]
    assert not missing, f"make {missing} with {TOUR_ENV}=1 python -m pytest tests/e2e/test_smoke_tour.py"
