"""The campaigns worksheet against the local Sheets server: the brand's campaigns exported as people read
them, edits and new rows applied through the strategy services (permission, validation, audit), a refused
edit reported on its row with the reason, and a removed row archiving its campaign."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from conftest import EDITOR, KEY, MANAGER, SYSTEM
from sheetkit import open_problems, person
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import AuditLog
from app.services.core import ValidationError, clock
from app.services.strategy import CampaignInfo, campaigns, pillars
from app.sheets import bindings

TAB = "Campaigns"


def _campaigns(db: Engine, include_archived: bool = False) -> dict[str, CampaignInfo]:
    with read_session(db) as s:
        return {
            str(c.id): c
            for c in campaigns.list_campaigns(
                s, person(db, MANAGER), brand="lumi", include_archived=include_archived
            )
        }


def test_only_strategy_editors_connect_it(db: Engine, fake) -> None:  # type: ignore[no-untyped-def]
    with write_session(db) as s, pytest.raises(ValidationError, match="may not"):
        bindings.connect(s, SYSTEM, brand="lumi", schema="campaigns", spreadsheet=KEY, sync_as=EDITOR)


def test_campaign_rows_go_through_the_strategy_services(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    binding = connect("campaigns", sync_as=MANAGER)
    assert sync(binding).ok
    rows = fake.records(KEY, TAB)
    before = _campaigns(db)
    assert {r["ID"] for r in rows} == set(before) and len(rows) >= 3
    first, second, third = rows[0], rows[1], rows[2]
    assert (
        first["Slug"] == before[first["ID"]].slug
        and first["Starts"] == before[first["ID"]].start_date.isoformat()
    )

    fake.type(KEY, TAB, first["_row"], "Name", "Renamed in the sheet")
    fake.type(KEY, TAB, first["_row"], "Budget", "15000")
    fake.type(KEY, TAB, second["_row"], "Budget", "-100")  # refused by the service
    fake.type(KEY, TAB, third["_row"], "Slug", "new-slug")  # only on a new row
    start = clock.today() + timedelta(days=10)
    with read_session(db) as s:
        pillar = pillars.list_pillars(s, person(db, MANAGER), brand="lumi")[0].name
    added = fake.add_row(
        KEY,
        TAB,
        {
            "Slug": "sheet-launch",
            "Name": "Launched from the sheet",
            "Starts": start.isoformat(),
            "Ends": (start + timedelta(days=30)).isoformat(),
            "Pillars": pillar,
            "Channels": "lumi-facebook, lumi-instagram",
            "Budget": "5000",
        },
    )
    unknown_channel = fake.add_row(
        KEY,
        TAB,
        {
            "Slug": "nowhere",
            "Name": "On a channel that is not there",
            "Starts": start.isoformat(),
            "Ends": start.isoformat(),
            "Channels": "lumi-myspace",
        },
    )
    result = sync(binding)
    assert result.ok and result.counts["applied"] == 1 and result.counts["created"] == 1, result.counts
    assert result.counts["refused"] == 3, result.counts

    after = _campaigns(db)
    renamed = after[first["ID"]]
    assert (renamed.name, renamed.budget) == ("Renamed in the sheet", Decimal("15000"))
    assert after[second["ID"]].budget == before[second["ID"]].budget
    made = next(c for c in after.values() if c.slug == "sheet-launch")
    assert made.pillar_names == (pillar,) and len(made.channel_ids) == 2 and made.currency == "SGD"
    with read_session(db) as s:
        actors = set(
            s.scalars(
                select(AuditLog.actor).where(
                    AuditLog.object_type == "campaign", AuditLog.object_id.in_([first["ID"], str(made.id)])
                )
            )
        )
    assert actors == {f"sheets:{MANAGER}"}

    shown = {r["_row"]: r for r in fake.records(KEY, TAB)}
    assert shown[added]["ID"] == str(made.id) and shown[added]["Currency"] == "SGD"
    assert shown[first["_row"]]["Sync status"] == ""
    assert "budget" in shown[second["_row"]]["Sync status"].lower()
    assert "Slug cannot change" in shown[third["_row"]]["Sync status"]
    assert "lumi-myspace" in shown[unknown_channel]["Sync status"]
    assert len(open_problems(db)) == 3


def test_a_removed_row_archives_its_campaign(db: Engine, fake, connect, sync) -> None:  # type: ignore[no-untyped-def]
    binding = connect("campaigns", sync_as=MANAGER)
    assert sync(binding).ok
    gone = fake.records(KEY, TAB)[-1]
    fake.delete_row(KEY, TAB, gone["_row"])
    result = sync(binding)
    assert result.ok and result.counts["archived"] == 1, result.counts
    assert gone["ID"] not in _campaigns(db)
    assert _campaigns(db, include_archived=True)[gone["ID"]].archived
    assert gone["ID"] not in {r["ID"] for r in fake.records(KEY, TAB)}
    assert sync(binding).ok and not open_problems(db)
