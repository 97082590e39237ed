"""The product's pages, who may see each, and the per-role `st.navigation` menu built from them."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from app.services.core import Actor, Perm


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    section: str
    # The page is listed when the actor holds any of these on at least one brand.
    needs_any: tuple[Perm, ...]
    url_path: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home/overview.py", "Overview", ":material/dashboard:", "", (Perm.VIEW,), "overview"),
    PageSpec(
        "pages/plan/strategy.py",
        "Strategy",
        ":material/flag:",
        "Plan & publish",
        (Perm.VIEW,),
        "strategy",
    ),
    PageSpec(
        "pages/plan/calendar.py",
        "Calendar",
        ":material/calendar_month:",
        "Plan & publish",
        (Perm.VIEW,),
        "calendar",
    ),
    PageSpec(
        "pages/plan/compose.py",
        "Compose",
        ":material/edit_note:",
        "Plan & publish",
        (Perm.CONTENT_EDIT,),
        "compose",
    ),
    PageSpec(
        "pages/plan/approvals.py",
        "Approvals",
        ":material/fact_check:",
        "Plan & publish",
        (Perm.CONTENT_APPROVE, Perm.CONTENT_EDIT),
        "approvals",
    ),
    PageSpec(
        "pages/plan/ready_to_post.py",
        "Ready to post",
        ":material/outbox:",
        "Plan & publish",
        (Perm.CONTENT_EDIT,),
        "ready-to-post",
    ),
    PageSpec(
        "pages/plan/briefs.py",
        "Briefs",
        ":material/description:",
        "Plan & publish",
        (Perm.CONTENT_EDIT,),
        "briefs",
    ),
    PageSpec(
        "pages/plan/bulk.py",
        "Import & export",
        ":material/upload_file:",
        "Plan & publish",
        (Perm.CONTENT_EDIT,),
        "import-export",
    ),
    PageSpec(
        "pages/plan/assets.py",
        "Assets",
        ":material/perm_media:",
        "Plan & publish",
        (Perm.CONTENT_EDIT,),
        "assets",
    ),
    PageSpec("pages/plan/sops.py", "SOPs", ":material/checklist:", "Plan & publish", (Perm.SOP_RUN,), "sops"),
    PageSpec(
        "pages/community/inbox.py", "Inbox", ":material/inbox:", "Community", (Perm.INBOX_WORK,), "inbox"
    ),
    PageSpec(
        "pages/community/crisis.py",
        "Crisis",
        ":material/emergency:",
        "Community",
        (Perm.CRISIS_MANAGE,),
        "crisis",
    ),
    PageSpec("pages/measure/kpis.py", "KPIs", ":material/monitoring:", "Measure", (Perm.VIEW,), "kpis"),
    PageSpec(
        "pages/measure/reports.py", "Reports", ":material/summarize:", "Measure", (Perm.VIEW,), "reports"
    ),
    PageSpec(
        "pages/measure/review.py",
        "Quarterly review",
        ":material/slideshow:",
        "Measure",
        (Perm.VIEW,),
        "quarterly-review",
    ),
    PageSpec(
        "pages/measure/competitors.py",
        "Competitors",
        ":material/leaderboard:",
        "Measure",
        (Perm.VIEW,),
        "competitors",
    ),
    PageSpec(
        "pages/admin/jobs.py",
        "Jobs & connections",
        ":material/sync_alt:",
        "Admin",
        (Perm.CONNECTIONS_VIEW,),
        "jobs",
    ),
    PageSpec("pages/admin/setup.py", "Setup", ":material/rocket_launch:", "Admin", (Perm.ADMIN,), "setup"),
    PageSpec(
        "pages/admin/settings.py", "Settings", ":material/settings:", "Admin", (Perm.ADMIN,), "settings"
    ),
)


def pages_for(actor: Actor) -> list[PageSpec]:
    """The pages this actor may open, in menu order. Services check permissions again on every call."""
    return [p for p in PAGES if any(actor.can_anywhere(perm) for perm in p.needs_any)]


def needs_setup(actor: Actor, *, is_demo: bool, brands: int) -> bool:
    """An admin on a workspace with no brand yet (a clean start) opens on Setup instead of the Overview."""
    return actor.can(Perm.ADMIN) and not is_demo and brands == 0


def build_navigation(actor: Actor, *, setup_first: bool = False) -> st.navigation:  # type: ignore[valid-type]
    specs = pages_for(actor)
    first = specs[0] if specs else None
    if setup_first:
        first = next((s for s in specs if s.url_path == "setup"), first)
    sections: dict[str, list[st.Page]] = {}
    for spec in specs:
        page = st.Page(
            spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=spec is first
        )
        sections.setdefault(spec.section, []).append(page)
    return st.navigation(sections, position="sidebar", expanded=True)
