"""audit.update, the one way an edit is applied and logged: one entry with before → after of only the
fields that changed, read back from the database so the values are known to be JSON-safe; nothing at
all when nothing changed; the label read after the change; changes made elsewhere and context."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import AuditLog, Brief
from app.models.enums import BriefStatus
from app.services.core import Actor, audit
from app.services.org import brands, markets
from app.services.org.workspace import create_workspace

EDITOR = Actor.system("editor@audit.test")


@pytest.fixture
def brief_id(empty_db: Engine, system_actor: Actor) -> int:
    """A draft brief of a brand, and no audit entry about it yet."""
    with write_session(empty_db) as s:
        create_workspace(s, system_actor, name="Acme", slug="acme")
        markets.create_market(
            s,
            system_actor,
            code="sg",
            name="Singapore",
            country_code="SG",
            languages="en",
            timezone="Asia/Singapore",
            currency="SGD",
        )
        brand = brands.create_brand(s, system_actor, slug="lumi", name="Lumi", market="sg")
        brief = Brief(brand_id=brand.id, title="Spring launch", audience="New parents")
        s.add(brief)
        s.flush()
        return brief.id


def _entries(engine: Engine) -> list[AuditLog]:
    with read_session(engine) as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.object_type == "brief").order_by(AuditLog.id)))


def _update(engine: Engine, brief_id: int, changes: dict[str, Any], **kw: Any) -> bool:
    with write_session(engine) as s:
        brief = s.get(Brief, brief_id)
        assert brief is not None
        return audit.update(
            s,
            EDITOR,
            brief,
            changes,
            object_type="brief",
            label=lambda b: b.title,
            brand_id=brief.brand_id,
            **kw,
        )


def test_a_change_writes_one_entry_with_only_the_changed_fields_as_json(
    empty_db: Engine, brief_id: int
) -> None:
    with read_session(empty_db) as s:
        version = s.get(Brief, brief_id).version  # type: ignore[union-attr]
    # Title and audience are given as they already are: not logged.
    same = {"title": "Spring launch", "audience": "New parents"}
    assert _update(empty_db, brief_id, {**same, "due_date": date(2031, 5, 1), "status": BriefStatus.ACTIVE})
    [entry] = _entries(empty_db)
    assert (entry.action, entry.object_type, entry.object_id, entry.object_label, entry.actor) == (
        "update",
        "brief",
        str(brief_id),
        "Spring launch",
        "editor@audit.test",
    )
    assert entry.brand_id is not None
    # Dates as ISO text and enums as their values: what the JSON column gave back.
    assert entry.before == {"due_date": None, "status": "draft"}
    assert entry.after == {"due_date": "2031-05-01", "status": "active"}
    with read_session(empty_db) as s:
        brief = s.get(Brief, brief_id)
        assert brief is not None
        assert (brief.due_date, brief.status, brief.version) == (
            date(2031, 5, 1),
            BriefStatus.ACTIVE,
            version + 1,
        )


def test_no_change_writes_nothing_and_leaves_the_version(empty_db: Engine, brief_id: int) -> None:
    with read_session(empty_db) as s:
        version = s.get(Brief, brief_id).version  # type: ignore[union-attr]
    assert _update(empty_db, brief_id, {"title": "Spring launch", "status": BriefStatus.DRAFT}) is False
    assert _update(empty_db, brief_id, {}) is False
    # Context alone is not a change.
    assert _update(empty_db, brief_id, {"status": BriefStatus.DRAFT}, context={"reason": "why not"}) is False
    assert _entries(empty_db) == []
    with read_session(empty_db) as s:
        assert s.get(Brief, brief_id).version == version  # type: ignore[union-attr]


def test_a_renamed_row_is_logged_under_its_new_name(empty_db: Engine, brief_id: int) -> None:
    _update(empty_db, brief_id, {"title": "Summer launch"})
    [entry] = _entries(empty_db)
    assert entry.object_label == "Summer launch"
    assert entry.before == {"title": "Spring launch"} and entry.after == {"title": "Summer launch"}


def test_changes_made_elsewhere_count_and_context_is_added_to_after(empty_db: Engine, brief_id: int) -> None:
    # Only changes made elsewhere (another table): still one entry, after the object's own fields.
    assert _update(empty_db, brief_id, {}, also_changed=({"tags": ["a"]}, {"tags": ["a", "b"]})) is True
    assert _update(
        empty_db,
        brief_id,
        {"status": BriefStatus.ACTIVE},
        action="activate",
        also_changed=({"owner": None}, {"owner": "mei"}),
        context={"at": datetime(2031, 5, 1, 9, 30, tzinfo=UTC), "budget": Decimal("1.50")},
    )
    first, second = _entries(empty_db)
    assert (first.action, first.before, first.after) == ("update", {"tags": ["a"]}, {"tags": ["a", "b"]})
    assert second.action == "activate"
    assert second.before == {"status": "draft", "owner": None}
    assert second.after == {
        "status": "active",
        "owner": "mei",
        "at": "2031-05-01T09:30:00+00:00",
        "budget": "1.50",
    }
    assert list(second.after) == ["status", "owner", "at", "budget"]
