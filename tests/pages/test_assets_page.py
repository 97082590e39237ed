"""The Assets page (AppTest): it renders for an editor, a manager and an admin; files uploaded through
the uploader are added, recognised as duplicates or refused with the reason; filters narrow the
library; the edit form saves metadata; archive hides an asset."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pagekit import assert_page_ok, new_app, shown, signed_in
from PIL import Image
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from app.db import read_session
from app.models import Asset, AuditLog

PAGE = "pages/plan/assets.py"
ADMIN = "admin@kopi.example"
MANAGER = "mei.lim@kopi.example"
EDITOR = "farah.aziz@kopi.example"


def png_bytes(seed: int) -> bytes:
    img = Image.new("RGB", (500, 300), "#54A24B")
    img.putpixel((seed, 0), (seed, 0, 0))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOCIALOPS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def open_as(email: str, brand: str | None = None) -> AppTest:
    at = signed_in(new_app(), email)
    if brand:
        at.session_state["brand"] = brand
    at.run()
    return at.switch_page(PAGE).run()


@pytest.mark.parametrize("email", [EDITOR, MANAGER, ADMIN])
def test_the_page_renders_for_people_who_edit_content(module_demo_db: Engine, use_db, email: str) -> None:  # type: ignore[no-untyped-def]
    use_db(module_demo_db)
    at = open_as(email)
    assert_page_ok(at, "Assets")
    assert any(h.value.startswith("Library: 21 assets") for h in at.subheader)  # 6 images + 1 clip per brand
    assert at.file_uploader(key="asset_upload_0").accept_multiple_files
    assert ".png" in at.file_uploader(key="asset_upload_0").allowed_type
    # Titles are user text: shown with st.text, so nothing in them is read as Markdown.
    assert any("Barrier Repair Cream hero" in t.value for t in at.text)


def test_uploading_reports_each_file_and_adds_to_the_library(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = open_as(EDITOR, brand="warisan")
    pdf = b"%PDF-1.7\n%%EOF\n"
    at.file_uploader(key="asset_upload_0").set_value(
        [
            ("Kaya toast.png", png_bytes(1), "image/png"),
            ("again.png", png_bytes(1), "image/png"),
            ("menu.png", pdf, "image/png"),
        ]
    )
    at.text_input(key="asset_upload_tags").set_value("Breakfast, menu")
    at.run()
    at.button(key="asset_upload_go").click().run()
    assert_page_ok(at, "Assets")
    assert any("1 added, 1 already in the library, 1 refused." in w.value for w in at.warning)
    outcomes = at.dataframe[0].value
    assert list(outcomes["result"]) == ["added", "already in the library", "refused"]
    assert "content is a PDF document" in outcomes["detail"].iloc[2]
    # The uploader starts empty for the next batch.
    assert at.file_uploader(key="asset_upload_1").value in (None, [])
    with read_session(demo_db) as s:
        row = s.scalars(select(Asset).where(Asset.filename == "Kaya toast.png")).one()
        assert row.extra["thumbnail"].startswith("warisan/thumbs/")
    assert any(t.value.startswith(f"#{row.id} Kaya toast.png") for t in at.text)


def test_filters_edit_and_archive(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = open_as(MANAGER, brand="lumi")
    assert_page_ok(at, "Assets")
    at.text_input(key="asset_text").set_value("barrier").run()
    assert any(h.value == "Library: 1 assets" for h in at.subheader)
    pick = at.selectbox(key="asset_pick")
    asset_id = pick.value
    with read_session(demo_db) as s:
        version = s.get(Asset, asset_id).version  # type: ignore[union-attr]

    form = f"asset_edit_{asset_id}_{version}"
    fields = {t.label: t for t in at.text_input if form in t.form_id}
    fields["Title"].set_value("Barrier cream hero, v2")
    fields["Tags"].set_value("Hero, product shot, *bold*")
    next(b for b in at.button if form in b.form_id and b.label == "Save").click().run()
    assert_page_ok(at, "Assets")
    assert any(shown(s.value) == "Saved 'Barrier cream hero, v2'." for s in at.success)
    with read_session(demo_db) as s:
        row = s.get(Asset, asset_id)
        log = s.scalars(
            select(AuditLog).where(AuditLog.action == "update", AuditLog.object_type == "asset")
        ).one()
    assert row is not None and row.title == "Barrier cream hero, v2"
    assert log.after["tags"] == ["*bold*", "hero", "product shot"]

    at.button(key="asset_archive").click().run()
    assert_page_ok(at, "Assets")
    assert any(h.value == "Library: 0 assets" for h in at.subheader)
    at.toggle(key="asset_archived").set_value(True).run()
    assert any(h.value == "Library: 1 assets" for h in at.subheader)
    assert any("archived" in t.value for t in at.text)
    # Used by posts: deleting is offered only as archiving.
    assert at.button(key="asset_delete").disabled


def test_rights_filter_shows_the_expired_assets(module_demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(module_demo_db)
    at = open_as(ADMIN)
    at.selectbox(key="asset_rights").set_value("expired").run()
    assert_page_ok(at, "Assets")
    assert any(h.value == "Library: 2 assets" for h in at.subheader)
    assert sum("rights expired" in t.value for t in at.text) >= 2


def test_an_unused_asset_can_be_deleted(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = open_as(EDITOR, brand="senja")
    at.file_uploader(key="asset_upload_0").set_value(("spare.png", png_bytes(2), "image/png"))
    at.run()
    at.button(key="asset_upload_go").click().run()
    with read_session(demo_db) as s:
        spare = s.scalars(select(Asset).where(Asset.filename == "spare.png")).one()
    at.selectbox(key="asset_pick").set_value(spare.id).run()
    assert not at.button(key="asset_delete").disabled
    at.button(key="asset_delete").click().run()
    assert_page_ok(at, "Assets")
    assert any(shown(s.value) == "Deleted 'spare.png'." for s in at.success)
    assert at.selectbox(key="asset_pick").value != spare.id
    with read_session(demo_db) as s:
        assert s.get(Asset, spare.id) is None
