"""Anomaly sensitivity kept per brand and as the workspace default: who may set it, what a brand
falls back to, and that it changes what is flagged."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select

from app.db import read_session, write_session
from app.models import AuditLog, Brand
from app.services.core import Actor, PermissionDenied, ValidationError
from app.services.measurement import Scope, anomalies, anomaly_settings
from app.services.org import load_actor

SYSTEM = Actor.system("test:sensitivity")
MANAGER = "mei.lim@kopi.example"
EDITOR = "farah.aziz@kopi.example"


def _ids(engine: Engine) -> dict[str, int]:
    with read_session(engine) as s:
        return dict(s.execute(select(Brand.slug, Brand.id)).all())


def test_a_brand_setting_overrides_the_workspace_default(demo_db: Engine) -> None:
    ids = _ids(demo_db)
    with read_session(demo_db) as s:
        assert anomaly_settings.sensitivity_for(s, [ids["lumi"]]) == "normal"
    with write_session(demo_db) as s:
        anomaly_settings.set_sensitivity(s, SYSTEM, "low")
        anomaly_settings.set_sensitivity(s, load_actor(s, MANAGER), "high", ids["warisan"])
    with read_session(demo_db) as s:
        assert anomaly_settings.sensitivity_for(s, [ids["warisan"]]) == "high"
        assert anomaly_settings.sensitivity_for(s, [ids["lumi"]]) == "low"
        assert anomaly_settings.sensitivity_for(s, list(ids.values())) == "low"
        assert s.scalar(select(func.count()).where(AuditLog.object_type == "anomaly_setting")) == 2
    with write_session(demo_db) as s:  # the same value again: nothing to record
        anomaly_settings.set_sensitivity(s, SYSTEM, "low")
    with read_session(demo_db) as s:
        assert s.scalar(select(func.count()).where(AuditLog.object_type == "anomaly_setting")) == 2


def test_only_kpi_editors_and_admins_set_it(demo_db: Engine) -> None:
    ids = _ids(demo_db)
    with write_session(demo_db) as s:
        editor, manager = load_actor(s, EDITOR), load_actor(s, MANAGER)
        with pytest.raises(PermissionDenied):
            anomaly_settings.set_sensitivity(s, editor, "high", ids["warisan"])
        with pytest.raises(PermissionDenied):
            anomaly_settings.set_sensitivity(s, manager, "high")  # the workspace default is the admins'
        with pytest.raises(ValidationError, match="sensitivity 'extreme'"):
            anomaly_settings.set_sensitivity(s, SYSTEM, "extreme")


def test_higher_sensitivity_flags_more_days(demo_db: Engine) -> None:
    warisan = _ids(demo_db)["warisan"]
    end = date.today()
    counts = {}
    for level in ("low", "normal", "high"):
        with read_session(demo_db) as s:
            counts[level] = len(
                anomalies.find_anomalies(
                    s,
                    SYSTEM,
                    Scope((warisan,)),
                    end - timedelta(days=89),
                    end,
                    sensitivity=level,
                    limit=500,
                    explain=False,
                )
            )
    assert counts["low"] <= counts["normal"] <= counts["high"] and counts["low"] < counts["high"]
