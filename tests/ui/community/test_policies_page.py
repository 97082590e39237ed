"""Response-time policies on the Inbox page (AppTest on the demo workspace): everyone reads them in words
("1 h", "business hours only"); a manager adds one for a brand, sees a bad value refused next to the
form naming the field, and a stale copy refused; a community manager gets no form."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "pages"))

from pagekit import assert_page_ok, open_as, shown

from app.db import read_session, write_session
from app.models import AuditLog, Brand, SlaPolicy
from app.services.community import policies
from app.services.core import Actor

MANAGER = "mei.lim@kopi.example"
CM = "weiling.chua@kopi.example"
PAGE = "pages/community/inbox.py"


def _policy_table(at: AppTest):  # type: ignore[no-untyped-def]
    return next(d.value for d in at.dataframe if "first response within" in d.value.columns)


def _count(engine: Engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(SlaPolicy)) or 0


def test_a_manager_adds_a_policy_and_a_bad_value_is_named(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = open_as(MANAGER, PAGE, "lumi")
    assert_page_ok(at, "Inbox")
    frame = _policy_table(at)
    assert "All brands" in set(frame["applies to"])
    assert not frame.isna().any().any()
    assert set(frame["priority"]) <= {"Urgent", "High", "Normal", "Low"}
    assert all(("h" in v or "min" in v or "d" in v) for v in frame["first response within"])
    before = _count(demo_db)

    with read_session(demo_db) as s:
        lumi_id, lumi = s.execute(select(Brand.id, Brand.name).where(Brand.slug == "lumi")).one()
    at.selectbox(key="sla_add_brand").set_value(lumi_id)
    at.number_input(key="sla_add_first").set_value(0)
    next(b for b in at.button if b.label == "Add policy").click().run()
    errors = [shown(e.value) for e in at.error]
    assert any("first_response_minutes" in e and "above 0" in e for e in errors), errors
    assert _count(demo_db) == before

    with read_session(demo_db) as s:
        taken = {(p.brand_name, p.priority.value) for p in policies.list_policies(s, Actor.system("t"))}
    free = next(p for p in ("urgent", "high", "normal", "low") if (lumi, p) not in taken)
    at.selectbox(key="sla_add_priority").set_value(free)
    at.number_input(key="sla_add_first").set_value(90)
    next(b for b in at.button if b.label == "Add policy").click().run()
    assert_page_ok(at, "Inbox")
    assert not at.error, [e.value for e in at.error]
    assert _count(demo_db) == before + 1
    assert any("1 h 30 min" in v for v in _policy_table(at)["first response within"])
    with read_session(demo_db) as s:
        entry = s.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert entry is not None and entry.object_type == "sla_policy" and entry.actor == MANAGER


def test_a_stale_copy_is_refused_on_the_page(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = open_as(MANAGER, PAGE, "lumi")
    pick = at.selectbox(key="sla_edit_pick")
    policy_id = int(pick.value)
    with write_session(demo_db) as s:
        row = s.get(SlaPolicy, policy_id)
        policies.update_policy(
            s, Actor.system("t"), policy_id, version=row.version,
            first_response_minutes=row.first_response_minutes + 5,
        )  # fmt: skip
    next(b for b in at.button if b.label == "Save policy").click().run()
    errors = [shown(e.value) for e in at.error]
    assert any("changed by someone else" in e for e in errors), errors


def test_a_community_manager_reads_the_policies_without_forms(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = open_as(CM, PAGE, "lumi")
    assert_page_ok(at, "Inbox")
    assert not _policy_table(at).empty
    assert "Add policy" not in [b.label for b in at.button]
    assert "Managers and admins set these policies." in [c.value for c in at.caption]
