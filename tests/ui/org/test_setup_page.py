"""The admins' Setup page (AppTest, local mode on a clean workspace): an admin lands on it first, it
shows each first-run step with what it holds and the link to where it is done, and its Load button
loads the agency pack and shows the summary (a second load: everything already there)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "pages"))

from pagekit import assert_page_ok, new_app

from app.db import read_session, write_session
from app.models import SopTemplate, StarterItem
from app.services.core import Actor
from app.services.org import brands, markets, reset_database

ADMIN = Actor.system("test:admin")


@pytest.fixture
def clean(empty_db: Engine, use_db) -> Engine:  # type: ignore[no-untyped-def]
    reset_database(empty_db, ADMIN, workspace_name="Clean Agency")
    use_db(empty_db)
    return empty_db


def _summary(at) -> dict[str, dict[str, int]]:  # type: ignore[no-untyped-def]
    frame = at.dataframe[-1].value
    return {row["part"]: row for row in frame.to_dict("records")}


def test_an_admin_on_a_clean_workspace_lands_on_setup_and_loads_the_agency_pack(clean: Engine) -> None:
    at = new_app().run()
    assert_page_ok(at, "Setup")
    text = " ".join(m.value for m in at.markdown)
    assert "Markets** · none yet" in text and "Workspace** · done" in text
    assert "Not loaded yet." in [c.value for c in at.caption]
    load = next(b for b in at.button if b.label.startswith("Load "))
    load.click().run()
    assert_page_ok(at, "Setup")
    summary = _summary(at)
    assert summary["SOP library"]["created"] == 11 and summary["Metrics dictionary"]["created"] == 28
    with read_session(clean) as s:
        assert s.scalar(select(func.count()).select_from(SopTemplate)) == 11
        loaded = s.scalar(select(func.count()).select_from(StarterItem))
    next(b for b in at.button if b.label.startswith("Load ")).click().run()
    again = _summary(at)
    assert again["SOP library"]["created"] == 0 and again["SOP library"]["already there"] == 11
    with read_session(clean) as s:
        assert s.scalar(select(func.count()).select_from(StarterItem)) == loaded


def test_with_a_brand_the_admin_lands_on_the_overview_and_setup_counts_it(clean: Engine) -> None:
    with write_session(clean) as s:
        markets.create_market(
            s, ADMIN, code="MY", name="Malaysia", country_code="MY", languages="ms,en",
            timezone="Asia/Kuala_Lumpur", currency="MYR",
        )  # fmt: skip
        brands.create_brand(s, ADMIN, slug="teh", name="Teh Tarik House", market="MY")
    at = new_app().run()
    assert "Setup" not in [t.value for t in at.title]
    at.switch_page("pages/admin/setup.py").run()
    assert_page_ok(at, "Setup")
    text = " ".join(m.value for m in at.markdown)
    assert "Markets** · 1 so far" in text and "Brands** · 1 so far" in text
