"""The read services behind the feature pages, on the demo workspace: each returns rows, shows a user
only the brands they belong to, and refuses a user without the permission. Plus the behaviour a user
would notice in the numbers: totals that must agree between pages, unsafe asset paths never opened,
workspace-wide job runs kept from brand-only users."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from app.db import read_session, write_session
from app.models import Asset, Brand, Incident
from app.models.enums import Role, SopRunStatus
from app.services import ops
from app.services.approvals import queue as approvals
from app.services.community import inbox
from app.services.content import briefs, posts
from app.services.content import media as assets
from app.services.content.calendar import listing as calendar
from app.services.core import Actor, NotFound, PermissionDenied
from app.services.crisis import incidents as crisis
from app.services.measurement import benchmarks as competitors
from app.services.measurement import overview
from app.services.measurement import targets_table as metrics
from app.services.reports import produce as reports
from app.services.sops import reads as sops

ADMIN = Actor(email="admin@reads.test", workspace_role=Role.ADMIN)
NOBODY = Actor(email="nobody@reads.test")  # signed in, but no role anywhere
Call = Callable[[Session, Actor, Sequence[int], date, date], object]


@dataclass(frozen=True)
class Read:
    name: str
    call: Call
    # A workspace role that lacks the permission this read needs.
    lacking: Role | None
    # False for workspace-wide reads (dictionary, severity levels, jobs): no brand to scope by.
    per_brand: bool = True


READS: tuple[Read, ...] = (
    Read("calendar.list_variants", lambda s, a, b, lo, hi: calendar.list_variants(s, a, b, lo, hi), None),
    Read(
        "calendar.variants_per_day", lambda s, a, b, lo, hi: calendar.variants_per_day(s, a, b, lo, hi), None
    ),
    Read("posts.list_posts", lambda s, a, b, lo, hi: posts.list_posts(s, a, b, None), Role.APPROVER),
    Read("approvals.approval_queue", lambda s, a, b, lo, hi: approvals.approval_queue(s, a, b), Role.VIEWER),
    Read("approvals.approval_flows", lambda s, a, b, lo, hi: approvals.approval_flows(s, a, b), Role.VIEWER),
    Read("briefs.list_briefs", lambda s, a, b, lo, hi: briefs.list_briefs(s, a, b, lo, hi), Role.VIEWER),
    Read("assets.list_assets", lambda s, a, b, lo, hi: assets.list_assets(s, a, b), Role.COMMUNITY_MANAGER),
    Read("sops.list_templates", lambda s, a, b, lo, hi: sops.list_templates(s, a, b), Role.VIEWER),
    Read("sops.list_runs", lambda s, a, b, lo, hi: sops.list_runs(s, a, b, None), Role.VIEWER),
    Read("sops.overdue_steps", lambda s, a, b, lo, hi: sops.overdue_steps(s, a, b), Role.VIEWER),
    Read("inbox.list_messages", lambda s, a, b, lo, hi: inbox.list_messages(s, a, b, lo, hi), Role.EDITOR),
    Read(
        "inbox.sentiment_by_day", lambda s, a, b, lo, hi: inbox.sentiment_by_day(s, a, b, lo, hi), Role.EDITOR
    ),
    Read(
        "inbox.response_time_summary",
        lambda s, a, b, lo, hi: inbox.response_time_summary(s, a, b, lo, hi),
        Role.APPROVER,
    ),
    Read(
        "crisis.list_incidents", lambda s, a, b, lo, hi: crisis.list_incidents(s, a, b, lo, hi), Role.EDITOR
    ),
    Read("crisis.severity_levels", lambda s, a, b, lo, hi: crisis.severity_levels(s, a), Role.EDITOR, False),
    Read(
        "crisis.notification_chains", lambda s, a, b, lo, hi: crisis.notification_chains(s, a, b), Role.EDITOR
    ),
    Read("metrics.metric_dictionary", lambda s, a, b, lo, hi: metrics.metric_dictionary(s, a), None, False),
    Read("metrics.source_mappings", lambda s, a, b, lo, hi: metrics.source_mappings(s, a), None, False),
    Read("metrics.kpi_targets", lambda s, a, b, lo, hi: metrics.kpi_targets(s, a, b, lo, hi), None),
    Read("reports.monthly_summary", lambda s, a, b, lo, hi: reports.monthly_summary(s, a, b, lo, hi), None),
    Read(
        "competitors.competitor_overview",
        lambda s, a, b, lo, hi: competitors.competitor_overview(s, a, b, lo, hi),
        None,
    ),
    Read(
        "competitors.competitor_series",
        lambda s, a, b, lo, hi: competitors.competitor_series(s, a, b, lo, hi),
        None,
    ),
    Read("ops.connector_health", lambda s, a, b, lo, hi: ops.connector_health(s, a, b), Role.EDITOR),
    Read(
        "ops.recent_job_runs",
        lambda s, a, b, lo, hi: ops.recent_job_runs(s, a, hours=24 * 30),
        Role.EDITOR,
        False,
    ),
    Read("ops.job_summary", lambda s, a, b, lo, hi: ops.job_summary(s, a), Role.EDITOR, False),
)
BY_NAME = {r.name: r for r in READS}


def _rows(result: object) -> int:
    return len(result) if isinstance(result, pd.DataFrame | list) else 0


@pytest.fixture(scope="module")
def db(module_demo_db: Engine) -> Engine:
    return module_demo_db


@pytest.fixture(scope="module")
def period(demo_today: date) -> tuple[date, date]:
    """The last 90 days and the next 30: history for the numbers, the schedule for the calendar."""
    return demo_today - timedelta(days=89), demo_today + timedelta(days=30)


@pytest.fixture(scope="module")
def brand_ids(db: Engine) -> dict[str, int]:
    with read_session(db) as s:
        return dict(s.execute(select(Brand.name, Brand.id).order_by(Brand.id)).all())


def _read(db: Engine, read: Read, actor: Actor, ids: Sequence[int], period: tuple[date, date]) -> object:
    with read_session(db) as s:
        return read.call(s, actor, list(ids), *period)


@pytest.mark.parametrize("read", READS, ids=lambda r: r.name)
def test_returns_rows_on_the_demo_workspace(
    db: Engine, read: Read, brand_ids: dict[str, int], period
) -> None:  # type: ignore[no-untyped-def]
    assert _rows(_read(db, read, ADMIN, brand_ids.values(), period)) > 0


@pytest.mark.parametrize("read", [r for r in READS if r.per_brand], ids=lambda r: r.name)
def test_a_member_of_one_brand_sees_only_that_brand(
    db: Engine, read: Read, brand_ids: dict[str, int], period: tuple[date, date]
) -> None:
    everything = _read(db, read, ADMIN, brand_ids.values(), period)
    # The brand with the most rows here, so the member has something to see.
    has_brand = isinstance(everything, pd.DataFrame) and "brand" in everything
    counts = everything["brand"].value_counts() if has_brand else pd.Series(dtype=int)
    name = next((b for b in counts.index if b in brand_ids), next(iter(brand_ids)))
    member = Actor(email="member@reads.test", brand_roles={brand_ids[name]: Role.MANAGER})
    mine = _read(db, read, member, brand_ids.values(), period)
    alone = _read(db, read, ADMIN, [brand_ids[name]], period)
    if isinstance(mine, list):  # KPI tiles: the member's numbers are that brand's numbers
        assert [k.value for k in mine] == [k.value for k in alone]  # type: ignore[union-attr]
        return
    assert isinstance(mine, pd.DataFrame) and isinstance(alone, pd.DataFrame)
    assert len(mine) > 0
    assert len(mine) == len(alone)
    if has_brand:
        assert set(mine["brand"]) <= {name, "all brands"}
        if len(set(everything["brand"]) & set(brand_ids)) > 1:  # type: ignore[index]
            assert len(mine) < len(everything)  # type: ignore[arg-type]


@pytest.mark.parametrize("read", READS, ids=lambda r: r.name)
def test_refuses_a_user_without_the_permission(
    db: Engine, read: Read, brand_ids: dict[str, int], period: tuple[date, date]
) -> None:
    with pytest.raises(PermissionDenied):
        _read(db, read, NOBODY, brand_ids.values(), period)
    if read.lacking is not None:
        with pytest.raises(PermissionDenied):
            _read(
                db,
                read,
                Actor(email="lacking@reads.test", workspace_role=read.lacking),
                brand_ids.values(),
                period,
            )


def test_a_brand_the_user_may_not_see_is_left_out_not_leaked(
    db: Engine, brand_ids: dict[str, int], period
) -> None:  # type: ignore[no-untyped-def]
    first, second, *_ = brand_ids.values()
    member = Actor(email="member@reads.test", brand_roles={first: Role.VIEWER})
    with read_session(db) as s:
        assert calendar.list_variants(s, member, [first, second], *period)["brand"].nunique() <= 1
        with pytest.raises(PermissionDenied):
            calendar.list_variants(s, member, [second], *period)


def test_calendar_chart_counts_what_the_list_shows(db: Engine, brand_ids: dict[str, int], period) -> None:  # type: ignore[no-untyped-def]
    with read_session(db) as s:
        listed = calendar.list_variants(s, ADMIN, list(brand_ids.values()), *period)
        per_day = calendar.variants_per_day(s, ADMIN, list(brand_ids.values()), *period)
        published = calendar.list_variants(
            s, ADMIN, list(brand_ids.values()), *period, statuses=["published"]
        )
    assert int(per_day["variants"].sum()) == len(listed)
    assert set(published["status"]) == {"published"}
    assert listed["time"].is_monotonic_increasing


def test_monthly_report_adds_up_to_the_overview_totals(
    db: Engine, brand_ids: dict[str, int], demo_today
) -> None:  # type: ignore[no-untyped-def]
    start, end = demo_today - timedelta(days=89), demo_today
    ids = list(brand_ids.values())
    with read_session(db) as s:
        monthly = reports.monthly_summary(s, ADMIN, ids, start, end)
        kpis = {k.key: k.value for k in overview.headline_kpis(s, ADMIN, ids, start, end)}
    assert monthly["month"].dt.day.eq(1).all()
    assert int(monthly["impressions"].sum()) == kpis["impressions"]
    assert int(monthly["engagements"].sum()) == kpis["engagements"]
    assert int(monthly["posts published"].sum()) == kpis["published"]
    assert monthly["engagement rate"].between(0, 1).all()


def test_sentiment_chart_counts_every_inbound_message(
    db: Engine, brand_ids: dict[str, int], demo_today
) -> None:  # type: ignore[no-untyped-def]
    start, end = demo_today - timedelta(days=13), demo_today
    ids = list(brand_ids.values())
    with read_session(db) as s:
        by_day = inbox.sentiment_by_day(s, ADMIN, ids, start, end)
        listed = inbox.list_messages(s, ADMIN, ids, start, end, limit=100_000)
        negative = inbox.list_messages(s, ADMIN, ids, start, end, sentiments=["negative"], limit=100_000)
    assert int(by_day["messages"].sum()) == len(listed)
    assert len(negative) == int(by_day.loc[by_day["sentiment"] == "negative", "messages"].sum())
    assert by_day["day"].between(pd.Timestamp(start), pd.Timestamp(end)).all()


def test_response_times_and_sla_share_are_sensible(db: Engine, brand_ids: dict[str, int], demo_today) -> None:  # type: ignore[no-untyped-def]
    with read_session(db) as s:
        kpis = {
            k.key: k.value
            for k in inbox.response_time_summary(
                s, ADMIN, list(brand_ids.values()), demo_today - timedelta(days=29), demo_today
            )
        }
    assert kpis["first_response"] is not None and kpis["first_response"] > 0
    assert kpis["first_response_p90"] >= kpis["first_response"]
    assert kpis["within_sla"] is not None and 0 <= kpis["within_sla"] <= 1


def test_kpi_targets_carry_actuals_and_progress(db: Engine, brand_ids: dict[str, int], period) -> None:  # type: ignore[no-untyped-def]
    with read_session(db) as s:
        targets = metrics.kpi_targets(s, ADMIN, list(brand_ids.values()), *period)
    computable = targets[targets["key"].isin(["impressions", "engagements", "followers", "engagement_rate"])]
    assert not computable.empty
    assert computable["actual"].notna().all()
    assert computable["% of target"].notna().all()
    rates = targets[targets["key"] == "engagement_rate"]
    assert rates["actual"].between(0, 1).all()
    assert targets["period elapsed"].between(0, 1).all()


def test_metric_dictionary_and_source_mappings(db: Engine) -> None:
    viewer = Actor(email="v@reads.test", workspace_role=Role.VIEWER)
    with read_session(db) as s:
        dictionary = metrics.metric_dictionary(s, viewer)
        ig = metrics.source_mappings(s, viewer, "impressions")
    assert "engagements / impressions" in set(dictionary["formula"])
    assert set(ig["metric"]) == {"impressions"}
    assert ig["deprecated"].any(), "renamed platform fields keep their deprecated row"


def test_approval_queue_says_who_it_waits_on_and_for_how_long(db: Engine, brand_ids: dict[str, int]) -> None:
    with read_session(db) as s:
        queue = approvals.approval_queue(s, ADMIN, list(brand_ids.values()))
        flows = approvals.approval_flows(s, ADMIN, list(brand_ids.values()))
    assert (queue["hours waiting"] >= 0).all()
    assert queue["hours waiting"].is_monotonic_decreasing
    assert queue["waits on"].str.len().gt(0).all()
    for _, stages in flows.groupby(["brand", "flow"]):
        assert list(stages["step"]) == sorted(stages["step"])


def test_an_approver_without_edit_rights_still_sees_the_queue(db: Engine, brand_ids: dict[str, int]) -> None:
    approver = Actor(email="a@reads.test", workspace_role=Role.APPROVER)
    with read_session(db) as s:
        assert not approvals.approval_queue(s, approver, list(brand_ids.values())).empty
        with pytest.raises(PermissionDenied):
            posts.list_posts(s, approver, list(brand_ids.values()))


def test_briefs_count_the_posts_they_produced(db: Engine, brand_ids: dict[str, int], period) -> None:  # type: ignore[no-untyped-def]
    with read_session(db) as s:
        df = briefs.list_briefs(s, ADMIN, list(brand_ids.values()))
    assert df["posts"].sum() > 0
    assert (df["published"] <= df["posts"]).all()


def test_asset_paths_stay_inside_the_assets_folder(tmp_path: Path) -> None:
    root = tmp_path / "assets"
    (root / "lumi").mkdir(parents=True)
    (root / "lumi" / "a.png").write_bytes(b"x")
    (tmp_path / "secret.txt").write_text("no")
    (root / "lumi" / "link.png").symlink_to(tmp_path / "secret.txt")
    assert assets.resolve_asset_path("lumi/a.png", root) == (root / "lumi" / "a.png").resolve()
    for bad in ("../secret.txt", "lumi/../../secret.txt", "/etc/passwd", "", "lumi/link.png", ".", "a\x00b"):
        assert assets.resolve_asset_path(bad, root) is None, bad


def test_demo_assets_point_at_files_and_unsafe_rows_are_not_opened(
    demo_db: Engine, brand_ids: dict[str, int]
) -> None:
    ids = list(brand_ids.values())
    with read_session(demo_db) as s:
        before = assets.list_assets(s, ADMIN, ids)
    present = [p for p in before["path"].dropna() if Path(p).is_file()]
    assert present, "the demo writes its asset files under the data folder"
    assert all(Path(p).is_relative_to(assets.assets_root()) for p in before["path"].dropna())
    with write_session(demo_db) as s:
        victim = s.scalars(select(Asset.id).order_by(Asset.id).limit(1)).one()
        s.execute(update(Asset).where(Asset.id == victim).values(storage_path="../../../../etc/passwd"))
    with read_session(demo_db) as s:
        after = assets.list_assets(s, ADMIN, ids, limit=10_000)
    assert after["path"].isna().sum() == before["path"].isna().sum() + 1


def test_sop_templates_steps_runs_and_overdue(db: Engine, brand_ids: dict[str, int], period) -> None:  # type: ignore[no-untyped-def]
    editor = Actor(email="e@reads.test", workspace_role=Role.EDITOR)
    ids = list(brand_ids.values())
    with read_session(db) as s:
        templates = sops.list_templates(s, editor, ids)
        slug = templates.sort_values("versions").iloc[-1]["slug"]
        current = sops.template_steps(s, editor, slug)
        first = sops.template_steps(s, editor, slug, version=1)
        open_runs = sops.list_runs(s, editor, ids, [SopRunStatus.OPEN])
        history = sops.list_runs(s, editor, ids, [SopRunStatus.COMPLETE], *period)
        overdue = sops.overdue_steps(s, editor, ids)
        with pytest.raises(NotFound):
            sops.template_steps(s, editor, "no-such-template")
        with pytest.raises(PermissionDenied):
            sops.template_steps(s, Actor(email="v@reads.test", workspace_role=Role.VIEWER), slug)
    row = templates.set_index("slug").loc[slug]
    assert len(current) == row["steps"]
    if row["versions"] > 1:
        assert list(current["title"]) != list(first["title"])
    assert list(current["step"]) == sorted(current["step"])
    assert set(open_runs["status"]) == {"open"}
    assert ((open_runs["done"] <= open_runs["total"]) & (open_runs["total"] > 0)).all()
    assert set(history["status"]) <= {"complete"}
    assert (overdue["hours overdue"] > 0).all()


def test_brand_templates_are_listed_only_for_their_brand(db: Engine, brand_ids: dict[str, int]) -> None:
    name, bid = next(iter(brand_ids.items()))
    member = Actor(email="m@reads.test", brand_roles={bid: Role.EDITOR})
    with read_session(db) as s:
        templates = sops.list_templates(s, member, list(brand_ids.values()))
    assert not templates.empty
    assert set(templates["brand"]) <= {"all brands", name}


def test_incident_timeline_is_only_for_the_incident_brand(
    db: Engine, brand_ids: dict[str, int], period
) -> None:  # type: ignore[no-untyped-def]
    cm = Actor(email="cm@reads.test", workspace_role=Role.COMMUNITY_MANAGER)
    with read_session(db) as s:
        incidents = crisis.list_incidents(s, cm, list(brand_ids.values()), *period)
        first = incidents.iloc[0]
        timeline = crisis.incident_timeline(s, cm, int(first["id"]))
        own = s.scalar(select(Incident.brand_id).where(Incident.id == int(first["id"])))
        other = next(b for b in brand_ids.values() if b != own)
        outsider = Actor(email="o@reads.test", brand_roles={other: Role.COMMUNITY_MANAGER})
        with pytest.raises((NotFound, PermissionDenied)):
            crisis.incident_timeline(s, outsider, int(first["id"]))
        viewer_here = Actor(email="v@reads.test", brand_roles={own: Role.VIEWER})
        with pytest.raises(PermissionDenied):
            crisis.incident_timeline(s, viewer_here, int(first["id"]))
        with pytest.raises(NotFound):
            crisis.incident_timeline(s, cm, 10_000_000)
    assert not timeline.empty
    assert timeline["at"].is_monotonic_increasing


def test_competitor_share_of_voice_and_weekly_series(db: Engine, brand_ids: dict[str, int], period) -> None:  # type: ignore[no-untyped-def]
    with read_session(db) as s:
        bench = competitors.competitor_overview(s, ADMIN, list(brand_ids.values()), *period)
        series = competitors.competitor_series(s, ADMIN, list(brand_ids.values()), *period)
    sov = bench["share of voice"].dropna()
    assert not sov.empty and sov.between(0, 1).all()
    # Competitors alone never take the whole conversation from a brand that is mentioned itself.
    assert (bench.groupby(["brand", "platform"])["share of voice"].sum() <= 1 + 1e-9).all()
    assert series["week"].dt.day_of_week.eq(0).all(), "weeks start on Monday on both stores"
    assert not series.duplicated(["week", "competitor", "platform"]).any()


def test_job_runs_are_for_workspace_level_roles_only(db: Engine, brand_ids: dict[str, int]) -> None:
    brand_manager = Actor(email="bm@reads.test", brand_roles={next(iter(brand_ids.values())): Role.MANAGER})
    manager = Actor(email="m@reads.test", workspace_role=Role.MANAGER)
    with read_session(db) as s:
        assert not ops.connector_health(s, brand_manager, list(brand_ids.values())).empty
        with pytest.raises(PermissionDenied):
            ops.recent_job_runs(s, brand_manager)
        with pytest.raises(PermissionDenied):
            ops.job_summary(s, brand_manager)
        summary = ops.job_summary(s, manager)
        runs = ops.recent_job_runs(s, manager, hours=24 * 30)
    assert summary["job"].is_unique
    assert set(runs["job"]) <= set(summary["job"])
    assert (runs["duration (s)"].dropna() >= 0).all()
    assert set(runs["status"]) <= {"ok", "failed", "running"}
