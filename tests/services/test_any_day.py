"""The date-sensitive services on the days that break date code: the first and last day of a month, a
quarter and a year, a Monday, 29 February, and midnight in each market's zone (16:00 or 17:00 UTC the
day before). The clock is frozen on each instant and every service is asked what it would show then.

Each instant gets a small world of its own, written straight through the ORM: four brands (one per
market zone), one channel each with daily figures from the start of the year (at least ten weeks)
up to the day before the brand's local today
(impressions a steady 100 a day, so every expected number is exact), KPI targets for the week,
month, quarter and year holding that day, approved posts around the instant and two inbox threads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, insert, select

from app.db import get_engine, read_session, write_session
from app.models import (
    ApprovalFlow,
    ApprovalRequest,
    Brand,
    Channel,
    ChannelDailyMetric,
    InboxMessage,
    KpiTarget,
    Market,
    MetricDefinition,
    Post,
    PostVariant,
    User,
    Workspace,
)
from app.models.enums import (
    Aggregation,
    ApprovalRequestStatus,
    Direction,
    MessageKind,
    PeriodKind,
    Platform,
    PostStatus,
    Role,
)
from app.models.metrics import MetricRollup
from app.services.community import work
from app.services.content import expire_approvals, grid
from app.services.core import Actor, clock, quarter_start
from app.services.measurement import Scope, forecasts, rollup_reads, rollups, targets, targets_table
from app.services.reports import schedules
from app.services.reports.data import period_label
from app.ui.content.calendar_grid import view_range

ZONES = ("Asia/Singapore", "Asia/Kuala_Lumpur", "Asia/Jakarta", "Asia/Shanghai")
# (name, frozen instant in UTC). 04:00 UTC is noon in every market, so the date is the same there and
# in UTC; the midnight cases are 00:00 local, when UTC is still on the day before.
CASES = {
    "first of a month": "2027-05-01T04:00:00+00:00",
    "last of a month": "2027-04-30T04:00:00+00:00",
    "first of a quarter": "2027-04-01T04:00:00+00:00",
    "last of a quarter": "2027-06-30T04:00:00+00:00",
    "first of a year": "2027-01-01T04:00:00+00:00",
    "last of a year": "2026-12-31T04:00:00+00:00",
    "a Monday": "2026-12-07T04:00:00+00:00",
    "29 February": "2028-02-29T04:00:00+00:00",
    "midnight in Singapore and Kuala Lumpur, New Year": "2027-12-31T16:00:00+00:00",
    "midnight in Shanghai, a quarter": "2027-09-30T16:00:00+00:00",
    "midnight in Jakarta, a month": "2027-10-31T17:00:00+00:00",
    "midnight in Jakarta, 29 February": "2028-02-28T17:00:00+00:00",
}
HISTORY_DAYS = 70
DAILY_IMPRESSIONS = 100


@dataclass(frozen=True)
class World:
    engine: Engine
    at: datetime
    admin: Actor
    brands: dict[str, int]  # zone -> brand id
    channels: dict[str, int]  # zone -> channel id
    approvals: dict[str, int]  # "lapsed" / "covers now" / "covers later" -> post id
    inbox: tuple[int, int]  # (overdue, due soon) message ids

    def today(self, zone: str) -> date:
        return self.at.astimezone(ZoneInfo(zone)).date()


def _periods(day: date) -> dict[PeriodKind, tuple[date, date]]:
    monday = day - timedelta(days=day.weekday())
    month = day.replace(day=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    q = quarter_start(day)
    next_q = (q + timedelta(days=95)).replace(day=1)
    return {
        PeriodKind.WEEK: (monday, monday + timedelta(days=6)),
        PeriodKind.MONTH: (month, next_month - timedelta(days=1)),
        PeriodKind.QUARTER: (q, next_q - timedelta(days=1)),
        PeriodKind.YEAR: (date(day.year, 1, 1), date(day.year, 12, 31)),
    }


def _build(engine: Engine, at: datetime) -> World:
    brands: dict[str, int] = {}
    channels: dict[str, int] = {}
    with write_session(engine) as s:
        ws = Workspace(slug="anyday", name="Any day agency")
        s.add(ws)
        s.flush()
        admin = User(workspace_id=ws.id, email="admin@anyday.example", name="Ada Admin", role=Role.ADMIN)
        s.add(admin)
        s.add_all(
            [
                MetricDefinition(key="impressions", name="Impressions"),
                MetricDefinition(key="engagements", name="Engagements"),
                MetricDefinition(key="followers", name="Followers", aggregation=Aggregation.LAST),
            ]
        )
        for i, zone in enumerate(ZONES):
            market = Market(
                workspace_id=ws.id, code=f"m{i}", name=zone, country_code="SG", timezone=zone, currency="SGD"
            )
            s.add(market)
            s.flush()
            brand = Brand(workspace_id=ws.id, slug=f"b{i}", name=f"Brand {i} ({zone})", market_id=market.id)
            s.add(brand)
            s.flush()
            channel = Channel(
                brand_id=brand.id, platform=Platform.INSTAGRAM, handle=f"@b{i}", slug=f"b{i}-ig"
            )
            s.add(channel)
            s.flush()
            brands[zone], channels[zone] = brand.id, channel.id
            today = at.astimezone(ZoneInfo(zone)).date()
            first_day = min(date(today.year, 1, 1), today - timedelta(days=HISTORY_DAYS))
            s.execute(
                insert(ChannelDailyMetric),
                [
                    {
                        "channel_id": channel.id,
                        "brand_id": brand.id,
                        "date": day,
                        "impressions": DAILY_IMPRESSIONS,
                        "engagements": 10 + 5 * (day.weekday() >= 5) + day.day % 3,
                        "followers": 1000 + (day - first_day).days,
                        "updated_at": at,
                    }
                    for day in (first_day + timedelta(days=n) for n in range((today - first_day).days))
                ],
            )
            for kind, (start, end) in _periods(today).items():
                s.add(
                    KpiTarget(
                        brand_id=brand.id,
                        metric_key="impressions",
                        period_kind=kind,
                        period_start=start,
                        period_end=end,
                        # half of what a steady 100 a day gives: every target is on track
                        target_value=Decimal(DAILY_IMPRESSIONS * ((end - start).days + 1) // 2),
                    )
                )
        first = brands[ZONES[0]]
        flow = ApprovalFlow(brand_id=first, name="Sign-off")
        s.add(flow)
        s.flush()
        approvals = {}
        for name, offset in (
            ("lapsed", -timedelta(minutes=1)),
            ("covers now", timedelta(0)),
            ("covers later", timedelta(minutes=1)),
        ):
            post = Post(brand_id=first, title=name, master_copy="Hello", status=PostStatus.APPROVED)
            post.variants.append(
                PostVariant(
                    channel_id=channels[ZONES[0]],
                    brand_id=first,
                    copy="Hello",
                    status=PostStatus.APPROVED,
                    scheduled_at=at + offset,
                )
            )
            s.add(post)
            s.flush()
            s.add(
                ApprovalRequest(
                    post_id=post.id,
                    flow_id=flow.id,
                    status=ApprovalRequestStatus.APPROVED,
                    submitted_by_id=admin.id,
                    submitted_at=at - timedelta(days=1),
                    stage_entered_at=at - timedelta(days=1),
                    expires_at=at + offset,
                )
            )
            approvals[name] = post.id
        inbox = []
        for key, received in (("late", at - timedelta(minutes=90)), ("soon", at - timedelta(minutes=10))):
            msg = InboxMessage(
                brand_id=first,
                channel_id=channels[ZONES[0]],
                external_id=key,
                thread_key=f"instagram:{key}",
                kind=MessageKind.COMMENT,
                direction=Direction.INBOUND,
                author_handle="@fan",
                body=f"Question {key}",
                received_at=received,
                sla_due_at=received + timedelta(minutes=60),
                created_at=received,
            )
            s.add(msg)
            s.flush()
            inbox.append(msg.id)
        admin_actor = Actor(email=admin.email, name=admin.name, user_id=admin.id, workspace_role=Role.ADMIN)
    with write_session(engine) as s:
        rollups.rebuild(s, admin_actor, audit=False)
    return World(engine, at, admin_actor, brands, channels, approvals, (inbox[0], inbox[1]))


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def world(request: pytest.FixtureRequest, databases, empty_template: str) -> Iterator[World]:
    url = databases.new(template=empty_template)
    at = clock.parse_instant(CASES[request.param])
    with clock.frozen(at):
        built = _build(get_engine(url), at)
    yield built
    databases.drop(url)


@pytest.fixture
def frozen(world: World) -> Iterator[datetime]:
    with clock.frozen(world.at) as at:
        yield at


@pytest.mark.parametrize("zone", ZONES)
def test_target_progress_on_the_markets_day(world: World, frozen: datetime, zone: str) -> None:
    today = world.today(zone)
    with read_session(world.engine) as s:
        progress = targets.target_progress(
            s, world.admin, [world.brands[zone]], today, kinds=list(PeriodKind)
        ).set_index("period")
    for kind, (start, end) in _periods(today).items():
        row = progress.loc[kind.value]
        days = (end - start).days + 1
        assert row["actual"] == DAILY_IMPRESSIONS * (today - start).days, kind  # 0 on the first day
        assert row["period elapsed"] == pytest.approx(((today - start).days + 1) / days), kind
        assert row["forecast"] == pytest.approx(DAILY_IMPRESSIONS * (days - 1)), kind
        assert row["status"] == ("met" if today == end else "on track"), kind  # 100 a day is twice the target
        if today == end:
            assert row["period elapsed"] == 1


@pytest.mark.parametrize("zone", ZONES)
def test_targets_table_counts_the_markets_day(world: World, frozen: datetime, zone: str) -> None:
    """The targets table reads the clock itself: its "period elapsed" is the brand's local day."""
    today = world.today(zone)
    with read_session(world.engine) as s:
        table = targets_table.kpi_targets(s, world.admin, [world.brands[zone]], today, today)
    table = table.set_index("period")
    for kind, (start, end) in _periods(today).items():
        row = table.loc[kind.value]
        days = (end - start).days + 1
        assert row["period elapsed"] == pytest.approx(((today - start).days + 1) / days), kind
        # The table's actual is the whole period's rows, which end yesterday here.
        assert row["actual"] == DAILY_IMPRESSIONS * (today - start).days, kind


# Two zones are enough here (16:00 and 17:00 UTC midnights); a model fit is the slowest step of the file.
@pytest.mark.parametrize("zone", ["Asia/Singapore", "Asia/Jakarta"])
def test_forecast_starts_the_day_after_the_last_day(world: World, frozen: datetime, zone: str) -> None:
    last_day = world.today(zone) - timedelta(days=1)
    with read_session(world.engine) as s:
        fc = forecasts.forecast_kpi(
            s, world.admin, Scope((world.brands[zone],)), "engagements", last_day, history_days=35
        )
    assert fc is not None
    dates = [d.date() for d in fc.forecast["date"]]
    assert dates[0] == last_day + timedelta(days=1) and len(dates) == 28
    assert dates == [last_day + timedelta(days=i) for i in range(1, 29)]
    assert fc.forecast.drop(columns="date").notna().all().all()


@pytest.mark.parametrize("zone", ZONES)
def test_rollups_start_weeks_on_monday_and_months_on_the_first(
    world: World, frozen: datetime, zone: str
) -> None:
    yesterday = world.today(zone) - timedelta(days=1)
    with read_session(world.engine) as s:
        rows = s.execute(
            select(MetricRollup.grain, MetricRollup.period_start, MetricRollup.impressions).where(
                MetricRollup.channel_id == world.channels[zone]
            )
        ).all()
        month = yesterday.replace(day=1)
        totals = rollup_reads.period_totals(s, world.admin, [world.brands[zone]], month, yesterday)
    weeks = {start for grain, start, _ in rows if grain == "week"}
    months = {start for grain, start, _ in rows if grain == "month"}
    assert weeks and all(w.weekday() == 0 for w in weeks)
    assert months and all(m.day == 1 for m in months)
    assert yesterday - timedelta(days=yesterday.weekday()) in weeks
    assert month in months
    assert float(totals["impressions"].sum()) == DAILY_IMPRESSIONS * ((yesterday - month).days + 1)


@pytest.mark.parametrize("zone", ZONES)
def test_report_periods_are_the_last_complete_ones(world: World, frozen: datetime, zone: str) -> None:
    today = world.today(zone)
    for cadence in ("daily", "weekly", "monthly", "quarterly"):
        start, end = schedules.last_complete_period(cadence, today)
        assert start <= end < today, cadence
        assert (
            end + timedelta(days=1)
            == {
                "daily": today,
                "weekly": today - timedelta(days=today.weekday()),
                "monthly": today.replace(day=1),
                "quarterly": quarter_start(today),
            }[cadence]
        ), cadence
    start, end = schedules.last_complete_period("quarterly", today)
    assert period_label(start, end).startswith(f"{start.year}-Q{(start.month - 1) // 3 + 1} (")
    start, end = schedules.last_complete_period("monthly", today)
    assert start.day == 1 and (end + timedelta(days=1)).day == 1
    assert period_label(start, end) == f"{start:%d %b %Y} – {end:%d %b %Y}"


def test_an_approval_lapses_only_once_its_last_time_has_passed(world: World, frozen: datetime) -> None:
    with write_session(world.engine) as s:
        moved = expire_approvals(s, world.admin)
    assert [m.post_id for m in moved] == [world.approvals["lapsed"]]
    with read_session(world.engine) as s:
        status = {name: s.get(Post, pid).status for name, pid in world.approvals.items()}
    assert status == {
        "lapsed": PostStatus.DRAFT,
        "covers now": PostStatus.APPROVED,
        "covers later": PostStatus.APPROVED,
    }


def test_the_inbox_response_clock(world: World, frozen: datetime) -> None:
    late, soon = world.inbox
    with read_session(world.engine) as s:
        queue = work.work_queue(s, world.admin, [world.brands[ZONES[0]]])
        due = {m.id: m.sla_due_at for m in s.scalars(select(InboxMessage))}
    assert [q.id for q in queue] == [late, soon], "the overdue thread leads"
    assert work.due_text(due[late], clock.now()) == " · overdue 30 min"
    assert work.due_text(due[soon], clock.now()) == " · due in 50 min"


@pytest.mark.parametrize("zone", ZONES)
def test_calendar_weeks_start_on_monday_in_the_markets_zone(
    world: World, frozen: datetime, zone: str
) -> None:
    today = clock.today(zone)
    start, end = view_range("week", today)
    assert start.weekday() == 0 and start <= today <= end == start + timedelta(days=6)
    first, last = view_range("month", today)
    month_end = _periods(today)[PeriodKind.MONTH][1]
    assert first.weekday() == 0 and first <= today.replace(day=1) and month_end <= last
    lo, hi = grid.time_bounds(start, end, zone)
    local_midnight = datetime.combine(start, datetime.min.time(), ZoneInfo(zone))
    assert lo == local_midnight.astimezone(UTC) and hi - lo == timedelta(days=7)
    with read_session(world.engine) as s:
        assert grid.grid_timezone(s, world.admin, [world.brands[zone]]) == zone
        brand = s.get(Brand, world.brands[zone])
        assert brand is not None and s.get(Channel, world.channels[zone]) is not None
