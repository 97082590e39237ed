"""The Strategy page's tables as people read them: dates, money, shares, lists and nothing at all."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from app.services.core import ValidationError
from app.ui.strategy import formatting as f
from app.ui.strategy.common import field_named


def test_dates_read_as_people_write_them() -> None:
    assert f.day(date(2027, 1, 1)) == "1 Jan 2027"
    assert f.day(None) == "—"
    assert f.period(date(2027, 1, 1), date(2027, 3, 31)) == "1 Jan – 31 Mar 2027"
    assert f.period(date(2026, 12, 1), date(2027, 1, 31)) == "1 Dec 2026 – 31 Jan 2027"
    assert f.period(date(2027, 1, 1), None) == "from 1 Jan 2027"
    assert f.period(None, None) == "—"


def test_money_numbers_and_shares() -> None:
    assert f.money(Decimal("12000.00"), "sgd") == "SGD 12,000"
    assert f.money(Decimal("12000.5"), "SGD") == "SGD 12,000.50"
    assert f.money(None, "SGD") == "—"
    assert f.number(Decimal("250000.0000")) == "250,000"
    assert f.number(Decimal("4.5000")) == "4.5"
    assert f.share(30) == "30%" and f.share(12.5) == "12.5%" and f.share(None) == "—"


def test_lists_use_names_never_codes_or_enum_values() -> None:
    assert f.platform_names(["instagram", "tiktok"]) == "Instagram, TikTok"
    assert f.market_names(["sg", "xx"], {"sg": "Singapore"}) == "Singapore, XX"
    assert f.names([]) == "—"


def _pillar(name: str, share: int | None, archived: bool = False, brand: str = "Lumi") -> SimpleNamespace:
    return SimpleNamespace(
        brand_name=brand, name=name, target_share_pct=share, description="", archived=archived
    )


def test_pillar_table_and_share_total_leave_archived_out() -> None:
    rows = [_pillar("Science", 40), _pillar("Routines", 30), _pillar("Old", 50, archived=True)]
    assert f.share_total(rows) == {"Lumi": 70.0}
    frame = f.pillars_frame(rows, show_brand=False)
    assert list(frame.columns) == ["Pillar", "Target share", "Description", "Archived"]
    assert frame["Target share"].tolist() == ["40%", "30%", "50%"]
    assert f.pillars_frame(rows[:2], show_brand=True).columns[0] == "Brand"
    assert "Archived" not in f.pillars_frame(rows[:2], show_brand=True).columns


def test_a_refusal_is_told_in_the_forms_words() -> None:
    late = field_named(
        ValidationError("end_date 2027-01-01 is before the start 2027-02-01", field="end_date")
    )
    assert (str(late), late.field) == ("Ends 2027-01-01 is before the start 2027-02-01", "end_date")
    assert str(field_named(ValidationError("Kopi Lab has one already", field="slug"))) == (
        "Slug: Kopi Lab has one already"
    )
    assert str(field_named(ValidationError("budget '-5' must be at least 0", field="budget"))) == (
        "Budget '-5' must be at least 0"
    )
    assert str(field_named(ValidationError("no field here"))) == "no field here"
