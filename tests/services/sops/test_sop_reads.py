"""The SOP reads the page shows, on the demo workspace: they refuse users without the checklist right,
show a brand-only user their brand alone, and agree with the runs behind them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.db import read_session
from app.models import Brand, SopRun
from app.models.enums import Role, SopObjectType, SopRunStatus
from app.services.core import Actor, NotFound, PermissionDenied
from app.services.sops import details as sop_details
from app.services.sops import reads as sops

VIEWER = Actor(email="v@sopreads.test", workspace_role=Role.VIEWER)
EDITOR = Actor(email="e@sopreads.test", workspace_role=Role.EDITOR)


@pytest.fixture(scope="module")
def brands(module_demo_db: Engine) -> dict[str, int]:
    with read_session(module_demo_db) as s:
        return dict(s.execute(select(Brand.slug, Brand.id)).all())


def _reads(brand_ids: list[int]) -> dict[str, Callable[[Session, Actor], object]]:
    return {
        "completion_history": lambda s, a: sop_details.completion_history(s, a, brand_ids),
        "list_requirements": lambda s, a: sop_details.list_requirements(s, a, brand_ids),
        "template_versions": lambda s, a: sops.template_versions(s, a, "content-approval"),
        "step_changes": lambda s, a: sops.step_changes(s, a, "content-approval", 2),
        "startable_templates": lambda s, a: sop_details.startable_templates(s, a, brand_ids[0], "post"),
        "run_targets": lambda s, a: sop_details.run_targets(s, a, brand_ids[0], "post"),
    }


def test_reads_refuse_viewers_and_answer_editors(module_demo_db: Engine, brands: dict[str, int]) -> None:
    ids = sorted(brands.values())
    with read_session(module_demo_db) as s:
        for name, read in _reads(ids).items():
            with pytest.raises(PermissionDenied):
                read(s, VIEWER)
            result = read(s, EDITOR)
            assert len(result) > 0, name  # type: ignore[arg-type]


def test_history_is_complete_runs_with_who_and_when(module_demo_db: Engine, brands: dict[str, int]) -> None:
    ids = sorted(brands.values())
    with read_session(module_demo_db) as s:
        history = sop_details.completion_history(
            s, EDITOR, ids, date.today() - timedelta(days=89), date.today()
        )
        complete = s.scalars(select(SopRun).where(SopRun.status == SopRunStatus.COMPLETE)).all()
    assert len(history) == len(
        [r for r in complete if r.completed_at.date() >= date.today() - timedelta(days=89)]
    )
    assert (history["completed"] >= history["started"]).all()
    assert (history["completed by"] != "").all() and (history["hours taken"] >= 0).all()
    weekly = sop_details.completions_per_week(history)
    assert weekly["completed"].sum() == len(history)
    assert (pd.to_datetime(weekly["week"]).dt.day_of_week == 0).all(), "weeks start on Monday"


def test_brand_only_users_see_their_brand_alone(module_demo_db: Engine, brands: dict[str, int]) -> None:
    lumi, warisan = brands["lumi"], brands["warisan"]
    member = Actor(email="m@sopreads.test", brand_roles={warisan: Role.EDITOR})
    with read_session(module_demo_db) as s:
        reqs = sop_details.list_requirements(s, member, sorted(brands.values()))
        lumi_run = s.scalars(select(SopRun.id).where(SopRun.brand_id == lumi)).first()
        with pytest.raises(NotFound):
            sop_details.run_detail(s, member, lumi_run)
        with pytest.raises(PermissionDenied):
            sop_details.run_targets(s, member, lumi, SopObjectType.POST)
        history = sop_details.completion_history(s, member, sorted(brands.values()))
    assert reqs.empty, "only lumi has requirements in the demo"
    assert set(history["brand"]) <= {"Warisan Kopitiam"}


def test_requirements_and_targets_of_the_demo(module_demo_db: Engine, brands: dict[str, int]) -> None:
    with read_session(module_demo_db) as s:
        reqs = sop_details.list_requirements(s, EDITOR, [brands["lumi"]])
        reports = sop_details.run_targets(s, EDITOR, brands["lumi"], "report")
        own = sop_details.run_targets(s, EDITOR, brands["lumi"], "brand")
    assert sorted(reqs["post type"]) == ["image", "video"]
    assert set(reqs["applies to"]) == {"image posts", "video posts"}
    assert len(reports) == 12
    first = next(iter(reports))
    assert 1 <= first % 100 <= 12 and reports[first].startswith("Report ")
    assert list(own) == [brands["lumi"]]
