"""Importing the analytics exports in tests/fixtures/exports (one per platform, with the awkward cases:
BOM, UTF-16 with tabs, `sep=`, description rows, totals rows, thousands separators, text percentages,
day-first and month-first dates, renamed columns) into the demo workspace: the right rows land, the same
file twice changes nothing, refused cells are reported by row and column with nothing written, post rows
find their variant by id or link (the rest are reported), and the rollups see the new days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from app.db import read_session, write_session
from app.models import (
    AuditLog,
    Brand,
    Channel,
    ChannelDailyMetric,
    Conversion,
    PostMetricSnapshot,
    PostVariant,
)
from app.models.enums import PostStatus, Role
from app.models.metrics import RollupDirtyDay
from app.services.core import Actor, PermissionDenied, ValidationError
from app.services.measurement import import_metrics, rollup_reads, rollups

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "exports"
ADMIN = Actor.system("test:metric-import")
M = ChannelDailyMetric


def _run(engine: Engine, name: str, brand: str = "warisan", **kw):  # type: ignore[no-untyped-def]
    with write_session(engine) as s:
        return import_metrics(s, ADMIN, brand, (FIXTURES / name).read_bytes(), name, **kw)


def _days(engine: Engine, slug: str) -> dict[date, dict]:
    with read_session(engine) as s:
        rows = s.execute(
            select(M)
            .join(Channel, Channel.id == M.channel_id)
            .where(Channel.slug == slug, M.source.like("export:%"))
        ).scalars()
        return {r.date: {"impressions": r.impressions, "reach": r.reach, "followers": r.followers,
                         "video_views": r.video_views, "likes": r.likes, "clicks": r.clicks,
                         "engagements": r.engagements, "saves": r.saves, "comments": r.comments} for r in rows}  # fmt: skip


def _state(engine: Engine) -> tuple:
    """Everything an import may touch, to compare before and after."""
    with read_session(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(M)),
            s.scalar(select(func.max(M.updated_at))),
            s.scalar(select(func.count()).select_from(PostMetricSnapshot)),
            s.scalar(select(func.count()).select_from(Conversion)),
            s.scalar(select(func.count()).select_from(AuditLog)),
            s.scalar(select(func.count()).select_from(Channel)),
            s.scalar(select(func.count()).select_from(RollupDirtyDay)),
        )


@pytest.mark.parametrize(
    ("name", "slug", "expected"),
    [
        # day-first (13/01 settles it), a Total row skipped, "5.6%" ratio column not stored
        ("meta_facebook_daily.csv", "warisan-facebook", {date(2025, 1, 13): {"reach": 10_200, "impressions": 14_900, "followers": 120_400, "clicks": 61}}),
        # the older name: Impressions (before Views), thousands separators
        ("meta_instagram_daily_2024.csv", "warisan-instagram", {date(2024, 11, 3): {"impressions": 6_003, "reach": 4_410, "followers": 35_040, "engagements": 502}}),
        # a workbook with a description row above the header; LinkedIn's month-first dates
        ("linkedin_metrics.xlsx", "warisan-linkedin", {date(2025, 2, 3): {"impressions": 1_410, "reach": 990, "clicks": 41, "likes": 52}}),
        ("x_account_overview.csv", "warisan-x", {date(2025, 3, 1): {"impressions": 4_210, "likes": 95, "saves": 7, "comments": 9}}),
        ("tiktok_overview.csv", "warisan-tiktok", {date(2025, 2, 11): {"video_views": 22_915, "likes": 1_730, "comments": 61}}),
    ],
)  # fmt: skip
def test_daily_exports_land_as_channel_days_and_twice_changes_nothing(
    demo_db: Engine, name: str, slug: str, expected: dict
) -> None:
    report = _run(demo_db, name)
    assert not report.problems, report.problems
    assert report.kind == "daily" and report.channel == slug and report.new == len(_days(demo_db, slug))
    days = _days(demo_db, slug)
    for day, values in expected.items():
        assert {k: days[day][k] for k in values} == values
    before = _state(demo_db)
    again = _run(demo_db, name)
    assert (again.new, again.changed, again.unchanged) == (0, 0, report.new)
    assert not again.written and _state(demo_db) == before
    assert "Nothing to change" in again.summary()


def test_a_daily_export_is_rolled_up_at_once(demo_db: Engine) -> None:
    _run(demo_db, "tiktok_overview.csv")
    with read_session(demo_db) as s:
        assert s.scalar(select(func.count()).select_from(RollupDirtyDay)) == 0  # nothing left for the job
        brand = s.scalar(select(Brand.id).where(Brand.slug == "warisan"))
        frame = rollup_reads.rollup_frame(
            s, ADMIN, [brand], date(2025, 2, 1), date(2025, 2, 28), grain="month", by="platform"
        )
    assert frame.loc[frame["platform"] == "tiktok", "video_views"].item() == 18_240 + 22_915
    with write_session(demo_db) as s:
        table = rollup_reads.rollup_frame(
            s, ADMIN, [brand], date(2025, 1, 1), date(2025, 12, 31), grain="week"
        )
        rollups.rebuild(s, ADMIN, [brand])
        rebuilt = rollup_reads.rollup_frame(
            s, ADMIN, [brand], date(2025, 1, 1), date(2025, 12, 31), grain="week"
        )
    pd.testing.assert_frame_equal(table, rebuilt)


def test_a_changed_export_updates_only_what_changed(demo_db: Engine) -> None:
    _run(demo_db, "tiktok_overview.csv")
    changed = (FIXTURES / "tiktok_overview.csv").read_bytes().replace(b'"22,915"', b'"23,001"')
    with write_session(demo_db) as s:
        report = import_metrics(s, ADMIN, "warisan", changed, "tiktok_overview (1).csv")
    assert (report.new, report.changed, report.unchanged) == (0, 1, 1)
    assert _days(demo_db, "warisan-tiktok")[date(2025, 2, 11)]["video_views"] == 23_001


def _link_variant(
    engine: Engine, slug: str, *, external_id: str | None = None, permalink: str | None = None
) -> int:
    """Point one published demo variant of the channel at a post of the fixture."""
    with write_session(engine) as s:
        v = s.scalars(
            select(PostVariant)
            .join(Channel, Channel.id == PostVariant.channel_id)
            .where(Channel.slug == slug, PostVariant.status == PostStatus.PUBLISHED)
            .order_by(PostVariant.id)
        ).first()
        v.external_id, v.permalink = external_id, permalink
        return v.id


def _snapshot(engine: Engine, variant_id: int) -> PostMetricSnapshot:
    with read_session(engine) as s:
        return s.scalars(
            select(PostMetricSnapshot).where(
                PostMetricSnapshot.variant_id == variant_id, PostMetricSnapshot.source.like("export:%")
            )
        ).one()


def test_post_rows_find_their_variant_by_id_or_link_and_the_rest_are_reported(demo_db: Engine) -> None:
    by_id = _link_variant(demo_db, "warisan-facebook", external_id="120000000000001_900000000000001")
    report = _run(demo_db, "meta_facebook_posts_2024.csv")
    assert not report.problems and report.new == 1
    assert [row for row, _ in report.unmatched] == [3, 4]
    snap = _snapshot(demo_db, by_id)
    assert (snap.impressions, snap.reach, snap.likes, snap.engagements, snap.clicks) == (
        12_480,
        9_731,
        380,
        412,
        95,
    )
    # Fixed by the file: midnight after its newest date (publish times read month-first, as Meta writes them).
    assert snap.captured_at == datetime(2024, 3, 17, tzinfo=UTC)
    assert any("Impressions" in n and "older name" in n for n in report.notes)
    with read_session(demo_db) as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.object_type == "metric_import")).one()
    assert [row for row, _ in entry.after["unmatched"]] == [3, 4]
    before = _state(demo_db)
    assert _run(demo_db, "meta_facebook_posts_2024.csv").unchanged == 1 and _state(demo_db) == before


@pytest.mark.parametrize(
    ("name", "slug", "link", "values"),
    [
        ("meta_facebook_posts_2025_utf16.csv", "warisan-facebook",
         "https://facebook.com/WarisanKopitiamMY/posts/900000000000010/", {"impressions": 15_230, "reach": 11_000}),
        ("meta_instagram_posts.csv", "warisan-instagram",
         "https://instagram.com/reel/DAkLmNoPqRs", {"impressions": 88_120, "saves": 880, "likes": 4_870}),
        ("linkedin_content.csv", "warisan-linkedin",
         "https://www.linkedin.com/feed/update/urn:li:activity:7100000000000000002", {"impressions": 2_105, "shares": 8}),
        ("x_tweet_activity.csv", "warisan-x",
         "https://x.com/WarisanKopitiam/status/1850000000000000002", {"impressions": 2_900, "clicks": 12, "shares": 4}),
        ("youtube_table_data.csv", "warisan-youtube", "https://youtu.be/aBcDeFgHiJk", {"video_views": 5_620, "impressions": 83_400}),
    ],
)  # fmt: skip
def test_post_exports_of_every_platform(
    demo_db: Engine, name: str, slug: str, link: str, values: dict
) -> None:
    vid = _link_variant(demo_db, slug, permalink=link)
    report = _run(demo_db, name)
    assert not report.problems, report.problems
    assert report.kind == "post" and report.new == 1
    snap = _snapshot(demo_db, vid)
    assert {k: getattr(snap, k) for k in values} == values


def test_conversions_from_ga4_and_a_crm(demo_db: Engine) -> None:
    ga4 = _run(demo_db, "ga4_transactions.csv")
    crm = _run(demo_db, "crm_deals.csv")
    assert (ga4.new, crm.new) == (3, 2) and ga4.channel is None
    with read_session(demo_db) as s:
        rows = {
            c.external_id: c
            for c in s.scalars(select(Conversion).where(Conversion.external_id.in_(["T-1001", "D-77"])))
        }
    assert rows["T-1001"].value == Decimal("1234.50") and rows["T-1001"].utm_content == "reel-1"
    assert rows["T-1001"].kind == "purchase" and rows["T-1001"].source == "ga4"
    # GA4's compact date, placed at midnight in the brand's market (Kuala Lumpur, UTC+8).
    assert rows["T-1001"].occurred_at == datetime(2025, 3, 2, 16, 0, tzinfo=UTC)
    assert rows["D-77"].value == Decimal("1234.50") and rows["D-77"].occurred_at.date() == date(2025, 3, 14)
    before = _state(demo_db)
    assert _run(demo_db, "ga4_transactions.csv").unchanged == 3 and _state(demo_db) == before


def test_refused_cells_are_listed_and_nothing_is_written(demo_db: Engine) -> None:
    before = _state(demo_db)
    report = _run(demo_db, "tiktok_overview_bad.csv")
    found = {(p.row, p.column, p.value): p.reason for p in report.problems}
    assert found == {
        (2, "Likes", "lots"): "not a number",
        (3, "Date", "2025-02-30"): found[(3, "Date", "2025-02-30")],
        (4, "Video Views", "12%"): "a percentage where a count was expected",
        (5, "Video Views", "1.5"): "not a whole number",
    }
    assert "not a real date" in found[(3, "Date", "2025-02-30")]
    assert report.refused_rows == [2, 3, 4, 5] and not report.written
    assert _state(demo_db) == before


def test_without_a_channel_on_the_platform_one_is_created_with_a_note(demo_db: Engine) -> None:
    dry = _run(demo_db, "x_account_overview.csv", brand="lumi", dry_run=True)
    assert dry.channel_created and dry.new == 2 and not dry.written
    report = _run(demo_db, "x_account_overview.csv", brand="lumi")
    assert report.channel == "lumi-x" and any("created one" in n for n in report.notes)
    assert len(_days(demo_db, "lumi-x")) == 2


def test_the_channel_must_fit_the_file_and_the_file_must_be_an_export(demo_db: Engine) -> None:
    with pytest.raises(ValidationError, match="is on Instagram, the file is a TikTok export"):
        _run(demo_db, "tiktok_overview.csv", channel="warisan-instagram")
    with pytest.raises(ValidationError, match="not recognised as a tiktok export"):
        _run(demo_db, "x_account_overview.csv", platform="tiktok")
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="not recognised"):
        import_metrics(s, ADMIN, "warisan", b"Name,Email\nA,a@example.com\n", "people.csv")


def test_importing_needs_kpi_rights_on_the_brand(demo_db: Engine) -> None:
    with read_session(demo_db) as s:
        warisan = s.scalar(select(Brand.id).where(Brand.slug == "warisan"))
    editor = Actor(email="ed@example.com", workspace_role=None, brand_roles={warisan: Role.EDITOR})
    with pytest.raises(PermissionDenied), write_session(demo_db) as s:
        import_metrics(s, editor, "warisan", (FIXTURES / "tiktok_overview.csv").read_bytes(), "t.csv")
