"""The calendar out of the hub: CSV with one row per variant, an XLSX that opens in Excel with typed
cells and no formulas, and an ICS file that calendars import (RFC 5545: CRLF, folded at 75 octets,
escaped text, one event per variant with a stable UID)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from bulkfiles import FORMULA_COPY
from openpyxl import load_workbook
from sqlalchemy import Engine, and_, func, or_, select

from app.db import read_session, write_session
from app.models import Brand, Channel, Post, PostVariant
from app.models.enums import PostStatus, Role
from app.services.content.calendar.export import EXPORT_COLUMNS, export_calendar, fold, ics_escape
from app.services.core import Actor, PermissionDenied, ValidationError, csv_records

ADMIN = Actor.system("test:export")
TRICKY = 'Kopi, teh; "tarik"\\ 早安 ☕\nBaris dua'


@pytest.fixture(scope="module")
def period() -> tuple[date, date]:
    return date.today() - timedelta(days=45), date.today() + timedelta(days=30)


def brand_ids(engine: Engine) -> dict[str, int]:
    with read_session(engine) as s:
        return dict(s.execute(select(Brand.slug, Brand.id)).all())


def variants_in(engine: Engine, ids: list[int], start: date, end: date) -> int:
    lo = datetime.combine(start, datetime.min.time(), UTC)
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC)
    v = PostVariant
    with read_session(engine) as s:
        return s.scalar(
            select(func.count())
            .select_from(v)
            .where(
                v.brand_id.in_(ids),
                or_(
                    and_(v.scheduled_at >= lo, v.scheduled_at < hi),
                    and_(v.scheduled_at.is_(None), v.published_at >= lo, v.published_at < hi),
                ),
            )
        )


def unfold(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def add_tricky_post(engine: Engine) -> int:
    """A scheduled X variant whose title and copy hold every character ICS and Excel care about."""
    with write_session(engine) as s:
        brand = s.scalars(select(Brand).where(Brand.slug == "warisan")).one()
        channel = s.scalars(select(Channel).where(Channel.slug == "warisan-x")).one()
        post = Post(
            brand_id=brand.id, title="Tarik, teh; kopi", master_copy=TRICKY, status=PostStatus.SCHEDULED
        )
        post.variants.append(
            PostVariant(
                channel_id=channel.id,
                brand_id=brand.id,
                copy=TRICKY,
                status=PostStatus.SCHEDULED,
                scheduled_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=2),
            )
        )
        other = Post(brand_id=brand.id, title="Formula", master_copy=FORMULA_COPY, status=PostStatus.DRAFT)
        other.variants.append(
            PostVariant(
                channel_id=channel.id,
                brand_id=brand.id,
                copy=FORMULA_COPY,
                status=PostStatus.DRAFT,
                scheduled_at=datetime.now(UTC) + timedelta(days=3),
            )
        )
        s.add_all([post, other])
        s.flush()
        return post.variants[0].id


def test_csv_has_one_row_per_variant_with_utc_and_local_times(module_demo_db: Engine, period) -> None:
    ids = list(brand_ids(module_demo_db).values())
    with read_session(module_demo_db) as s:
        data = export_calendar(s, ADMIN, ids, *period, "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads emoji and non-Latin copy right
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert len(rows) == variants_in(module_demo_db, ids, *period) > 50
    scheduled = next(r for r in rows if r["scheduled_at_utc"] and r["time_zone"] == "Asia/Jakarta")
    utc = datetime.strptime(scheduled["scheduled_at_utc"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    local = datetime.fromisoformat(scheduled["scheduled_at_local"])
    assert local == utc and local.utcoffset() == timedelta(hours=7)
    assert {r["brand"] for r in rows} == {"Lumi Skin Lab", "Warisan Kopitiam", "Kopi Senja"}
    published = next(r for r in rows if r["status"] == "published")
    assert published["permalink"].startswith("https://") and published["published_at_utc"].endswith("Z")


def test_only_the_chosen_statuses_and_brands(module_demo_db: Engine, period) -> None:
    ids = brand_ids(module_demo_db)
    with read_session(module_demo_db) as s:
        data = export_calendar(s, ADMIN, [ids["lumi"]], *period, "csv", statuses=["scheduled"])
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows and {(r["brand"], r["status"]) for r in rows} == {("Lumi Skin Lab", "scheduled")}


def test_csv_writes_formula_looking_text_so_no_spreadsheet_runs_it_and_reads_it_back_whole(
    demo_db: Engine, period
) -> None:
    add_tricky_post(demo_db)
    with write_session(demo_db) as s:
        s.scalars(select(Post).where(Post.title == "Formula")).one().title = "=cmd|' /C calc'!A0"
    with read_session(demo_db) as s:
        data = export_calendar(s, ADMIN, [brand_ids(demo_db)["warisan"]], *period, "csv")
    text = data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    formula = next(r for r in rows if "calc" in r["post"])
    assert formula["post"] == "'=cmd|' /C calc'!A0" and formula["copy"] == "'" + FORMULA_COPY
    starts = ("=", "+", "-", "@", "\t", "\r")
    assert not [c for r in rows for c in r.values() if c.startswith(starts) and not c.lstrip("+-").isdigit()]
    # The hub's own reader (imports) takes the apostrophe off: the text is what was written.
    records, _, _ = csv_records(text)
    header = records[0][1]
    read = [dict(zip(header, cells, strict=True)) for _, cells in records[1:]]
    back = next(r for r in read if "calc" in r["post"])
    assert (back["post"], back["copy"]) == ("=cmd|' /C calc'!A0", FORMULA_COPY)


def test_xlsx_opens_with_typed_cells_and_formula_looking_copy_as_text(demo_db: Engine, period) -> None:
    add_tricky_post(demo_db)
    with read_session(demo_db) as s:
        data = export_calendar(s, ADMIN, [brand_ids(demo_db)["warisan"]], *period, "xlsx")
    ws = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in ws[1]]
    assert tuple(header) == EXPORT_COLUMNS and ws.freeze_panes == "A2" and ws["A1"].font.bold
    col = {name: i for i, name in enumerate(header)}
    rows = list(ws.iter_rows(min_row=2))
    formula = next(r for r in rows if r[col["post"]].value == "Formula")
    assert formula[col["copy"]].value == FORMULA_COPY and formula[col["copy"]].data_type == "s"
    assert isinstance(formula[col["scheduled_at_utc"]].value, datetime)
    assert formula[col["scheduled_at_utc"]].number_format == "yyyy-mm-dd hh:mm"
    assert ws.column_dimensions["L"].width == 60  # copy
    assert not any(c.data_type == "f" for r in rows for c in r)


def test_ics_is_rfc_5545_and_parses_back_to_one_event_per_variant(demo_db: Engine, period) -> None:
    vid = add_tricky_post(demo_db)
    ids = list(brand_ids(demo_db).values())
    with read_session(demo_db) as s:
        data = export_calendar(s, ADMIN, ids, *period, "ics")
        again = export_calendar(s, ADMIN, ids, *period, "ics")
    text = data.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")  # CRLF only
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    lines = unfold(data)
    assert lines[:5] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//SocialOps Hub//Calendar export//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    events: list[dict[str, str]] = []
    for line in lines:
        if line == "BEGIN:VEVENT":
            events.append({})
        elif events and ":" in line and line != "END:VEVENT" and "END:VCALENDAR" not in line:
            key, value = line.split(":", 1)
            events[-1].setdefault(key, value)
    assert len(events) == variants_in(demo_db, ids, *period)
    assert len({e["UID"] for e in events}) == len(events)
    assert {e["UID"] for e in events} == {
        line.split(":", 1)[1] for line in unfold(again) if line.startswith("UID:")
    }
    for e in events:
        assert {"UID", "DTSTAMP", "DTSTART", "DURATION", "SUMMARY"} <= set(e)
        assert e["DTSTART"].endswith("Z") and len(e["DTSTART"]) == 16 and e["DURATION"] == "PT15M"
    tricky = next(e for e in events if e["UID"].startswith(f"post-variant-{vid}@"))
    assert tricky["SUMMARY"] == "[X] Tarik\\, teh\\; kopi"
    assert tricky["DESCRIPTION"] == 'Kopi\\, teh\\; "tarik"\\\\ 早安 ☕\\nBaris dua'
    assert "URL" not in tricky  # not published yet
    published = [e for e in events if "published" in e.get("CATEGORIES", "")]
    assert published and all(e["URL"].startswith("https://") for e in published)


def test_folding_never_splits_a_character() -> None:
    line = "DESCRIPTION:" + "早安☕" * 40
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts) and all(p.startswith(" ") for p in parts[1:])
    assert folded.replace("\r\n ", "") == line
    assert ics_escape("a\r\nb\x07c") == "a\\nbc"


def test_exports_need_view_on_the_brands(module_demo_db: Engine, period) -> None:
    ids = brand_ids(module_demo_db)
    lumi_viewer = Actor(email="client@lumi.test", brand_roles={ids["lumi"]: Role.VIEWER})
    with read_session(module_demo_db) as s:
        data = export_calendar(s, lumi_viewer, list(ids.values()), *period, "csv")
        brands = {r["brand_slug"] for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}
        assert brands == {"lumi"}  # the other brands are left out, not leaked
        with pytest.raises(PermissionDenied):
            export_calendar(s, lumi_viewer, [ids["warisan"]], *period, "ics")
        with pytest.raises(ValidationError, match="format 'pdf'"):
            export_calendar(s, ADMIN, [ids["lumi"]], *period, "pdf")
