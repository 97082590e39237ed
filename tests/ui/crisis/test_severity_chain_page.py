"""The "Severity & chain" part of the Crisis page (AppTest on the demo workspace): levels and chains in
words (no raw ids, "at once", "after 15 min", people by name and role); a manager adds a level and sees
a taken level number refused naming the field; a community manager edits a chain but gets no level
form; the steps editor's rows become the service's steps (AppTest cannot type into a data editor)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "pages"))

from pagekit import assert_page_ok, open_as, shown

from app.db import read_session, write_session
from app.models import AuditLog, NotificationChain, SeverityLevel
from app.services.core import Actor, ValidationError
from app.services.crisis import chains
from app.ui.crisis import STEP_COLUMNS, step_values

MANAGER = "mei.lim@kopi.example"
CM = "weiling.chua@kopi.example"
PAGE = "pages/community/crisis.py"


def _frame(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _levels(engine: Engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(SeverityLevel)) or 0


def test_a_manager_reads_the_matrix_in_words_and_adds_a_level(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = open_as(MANAGER, PAGE, "lumi")
    assert_page_ok(at, "Crisis")
    levels = _frame(at, "respond within")
    assert set(levels["publishing"]) <= {"paused", "goes on"}
    assert all(" · " in v for v in levels["level"])
    chain = _frame(at, "who")
    assert not chain.isna().any().any() and "id" not in chain.columns
    assert all(w == "at once" or w.startswith("after ") for w in chain["when"])
    before = _levels(demo_db)
    taken = int(levels["level"].iloc[0].split(" · ")[0])

    at.number_input(key="sev_add_level").set_value(taken)
    at.text_input(key="sev_add_name").set_value("Watch")
    next(b for b in at.button if b.label == "Add level").click().run()
    errors = [shown(e.value) for e in at.error]
    assert any(e.startswith(f"level {taken} is already") for e in errors), errors
    assert _levels(demo_db) == before

    at.number_input(key="sev_add_level").set_value(9)
    at.number_input(key="sev_add_minutes").set_value(90)
    next(b for b in at.button if b.label == "Add level").click().run()
    assert_page_ok(at, "Crisis")
    assert not at.error, [e.value for e in at.error]
    assert _levels(demo_db) == before + 1
    assert "9 · Watch" in set(_frame(at, "respond within")["level"])
    assert "1 h 30 min" in set(_frame(at, "respond within")["respond within"])


def test_a_community_manager_renames_a_chain_but_sets_no_level(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = open_as(CM, PAGE, "lumi")
    assert_page_ok(at, "Crisis")
    assert "Add level" not in [b.label for b in at.button]
    assert "Managers and admins of the workspace set the severity levels." in [c.value for c in at.caption]
    chain_id = int(at.selectbox(key="chain_edit_pick").value)
    at.text_input(key=f"chain_edit_{chain_id}_name").set_value("Renamed on the page")
    next(b for b in at.button if b.label == "Save chain").click().run()
    assert_page_ok(at, "Crisis")
    assert not at.error, [e.value for e in at.error]
    with read_session(demo_db) as s:
        assert s.get(NotificationChain, chain_id).name == "Renamed on the page"  # type: ignore[union-attr]
        entry = s.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert entry is not None and entry.object_type == "notification_chain" and entry.actor == CM
    assert "Renamed on the page" in set(_frame(at, "who")["chain"])


def test_a_stale_chain_is_refused_on_the_page(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = open_as(MANAGER, PAGE, "lumi")
    chain_id = int(at.selectbox(key="chain_edit_pick").value)
    with write_session(demo_db) as s:
        row = s.get(NotificationChain, chain_id)
        chains.update_chain(s, Actor.system("t"), chain_id, version=row.version, name="Changed elsewhere")
    next(b for b in at.button if b.label == "Save chain").click().run()
    assert any("changed by someone else" in shown(e.value) for e in at.error)


PEOPLE = {"Mei Lim (manager)": 2}


def test_editor_rows_become_steps_in_order_and_blank_rows_are_dropped() -> None:
    frame = pd.DataFrame(
        [
            ["Mei Lim (manager)", None, "Phone call", 0],
            ["", "Client legal counsel", "E-mail", 15.0],
            [None, None, None, None],  # an added row left blank
            ["", "Account manager", "In the hub", float("nan")],
        ],
        columns=STEP_COLUMNS,
    )
    assert step_values(frame, PEOPLE) == [
        {"user": 2, "contact": "", "via": "phone", "after_minutes": 0},
        {"user": None, "contact": "Client legal counsel", "via": "email", "after_minutes": 15.0},
        {"user": None, "contact": "Account manager", "via": "in_app", "after_minutes": 0},
    ]


def test_a_bad_row_reaches_the_service_which_names_the_field(demo_db: Engine) -> None:
    frame = pd.DataFrame([["", "Account manager", "E-mail", -5]], columns=STEP_COLUMNS)
    steps = step_values(frame, PEOPLE)
    with write_session(demo_db) as s:
        chain = s.scalars(select(NotificationChain).order_by(NotificationChain.id)).first()
        assert chain is not None
        with pytest.raises(ValidationError, match="after_minutes -5") as err:
            chains.update_chain(s, Actor.system("t"), chain.id, version=chain.version, steps=steps)
    assert err.value.field == "after_minutes"
