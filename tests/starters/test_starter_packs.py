"""Starter packs: the agency pack loads on a clean workspace, loading twice changes nothing (no row, no
audit entry), a newer version adds what is new and updates only what the team left untouched (an edited
or deleted item is left alone), every brand gets the approval flow preset of its kind, and the pack's
dictionary holds every metric key the code reads."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, func, select

from app.db import read_session, write_session
from app.demo.dictionary import METRICS as DEMO_METRICS
from app.models import (
    CHANNEL_BASE_METRICS,
    POST_BASE_METRICS,
    ApprovalFlow,
    AuditLog,
    MetricDefinition,
    NotificationChain,
    ReportRule,
    SeverityLevel,
    SlaPolicy,
    SopTemplate,
    StarterItem,
)
from app.models.enums import Role
from app.services.core import Actor, PermissionDenied, ValidationError
from app.services.measurement import KPI_LABELS, dictionary, targets
from app.services.org import brands, markets, reset_database
from app.services.reports import TEMPLATES
from app.services.sops import templates
from app.starters import STARTERS_DIR, content_hash, get_pack, load_pack, read_pack
from app.starters.load import plan_parts

ADMIN = Actor.system("test:admin")


@pytest.fixture
def clean(empty_db: Engine) -> Engine:
    reset_database(empty_db, ADMIN, workspace_name="Clean Agency")
    return empty_db


def _load(engine: Engine, pack=None):  # type: ignore[no-untyped-def]
    with write_session(engine) as s:
        return load_pack(s, ADMIN, pack or get_pack("agency"))


def _count(engine: Engine, model) -> int:  # type: ignore[no-untyped-def]
    with read_session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _add_brands(engine: Engine) -> None:
    with write_session(engine) as s:
        markets.create_market(
            s, ADMIN, code="SG", name="Singapore", country_code="SG", languages="en",
            timezone="Asia/Singapore", currency="SGD",
        )  # fmt: skip
        brands.create_brand(s, ADMIN, slug="kopi", name="Kopi Co", market="SG")
        brands.create_brand(s, ADMIN, slug="clinic", name="Skin Clinic", market="SG", regulated=True)


def test_a_clean_workspace_gets_every_part(clean: Engine) -> None:
    pack = get_pack("agency")
    summary = _load(clean, pack)
    created = {p.part: len(p.created) for p in summary.parts}
    assert created["metrics"] == len(pack.part("metrics", "metrics")) >= 22
    assert created["sops"] == 11
    assert created["response_times"] == 4 and created["severity"] == 4 and created["notification_chains"] == 4
    assert created["recommendation_rules"] == 7
    assert _count(clean, SopTemplate) == 11 and _count(clean, SlaPolicy) == 4
    assert _count(clean, SeverityLevel) == 4 and _count(clean, NotificationChain) == 4
    assert _count(clean, ReportRule) == 7
    # No brand yet: no flow, and the summary says to load again after adding brands.
    flows = next(p for p in summary.parts if p.part == "approval_flows")
    assert not flows.created and "No brands yet" in flows.notes[0]
    with read_session(clean) as s:
        actions = set(s.scalars(select(AuditLog.object_type)))
    assert {
        "metric_definition",
        "metric_source_mapping",
        "sop_template",
        "sla_policy",
        "starter_pack",
    } <= actions


def test_each_item_reads_back_as_loaded(clean: Engine) -> None:
    """The hash the ledger keeps is the hash of the row as it reads back: otherwise an untouched item
    would look edited by the team, or be rewritten on every load."""
    pack = get_pack("agency")
    _add_brands(clean)
    _load(clean, pack)
    with read_session(clean) as s:
        for name, part, items, _ in plan_parts(s, pack):
            for item in items:
                rec = s.scalars(
                    select(StarterItem).where(StarterItem.kind == part.kind, StarterItem.key == item.key)
                ).one()
                assert rec.content_hash == content_hash(item.content), (name, item.key)
                assert content_hash(part.current(s, rec.object_id)) == rec.content_hash, (name, item.key)


def test_loading_twice_changes_nothing(clean: Engine) -> None:
    _add_brands(clean)
    _load(clean)
    counts = {
        m: _count(clean, m) for m in (AuditLog, StarterItem, MetricDefinition, SopTemplate, ApprovalFlow)
    }
    summary = _load(clean)
    assert not summary.changed
    for p in summary.parts:
        assert not (p.created or p.updated or p.kept_edited or p.kept_deleted), p.line()
    assert {m: _count(clean, m) for m in counts} == counts


def test_every_brand_gets_the_flow_of_its_kind(clean: Engine) -> None:
    _add_brands(clean)
    _load(clean)
    with read_session(clean) as s:
        flows = {f.name: [st.name for st in f.stages] for f in s.scalars(select(ApprovalFlow))}
    assert flows == {
        "Agency then client": ["Agency review", "Client approval"],
        "Regulated (agency, legal, client)": ["Agency review", "Legal", "Client approval"],
    }


def _upgraded_copy(tmp_path: Path) -> Path:
    """The agency pack as version 2: one new metric, and two SOPs with a changed last step."""
    target = tmp_path / "agency"
    shutil.copytree(STARTERS_DIR / "agency", target)
    meta = yaml.safe_load((target / "pack.yaml").read_text())
    meta["version"] = 2
    (target / "pack.yaml").write_text(yaml.safe_dump(meta))
    metrics = yaml.safe_load((target / "metrics.yaml").read_text())
    metrics["metrics"].append(
        {"key": "reply_rate", "name": "Reply rate", "unit": "percent", "formula": "comments / posts_published",
         "relevance": "engagement", "indicator": "leading", "aggregation": "avg"}
    )  # fmt: skip
    for m in metrics["metrics"]:
        if m["key"] in ("comment_rate", "save_rate", "virality_rate"):
            m["description"] = "Changed in version 2."
    (target / "metrics.yaml").write_text(yaml.safe_dump(metrics))
    sops = yaml.safe_load((target / "sops.yaml").read_text())
    for sop in sops["sops"]:
        if sop["key"] in ("content-brief", "escalation"):
            sop["steps"][-1]["instructions"] += " Version 2 wording."
    (target / "sops.yaml").write_text(yaml.safe_dump(sops))
    return target


def test_a_newer_version_adds_and_updates_but_leaves_what_the_team_changed(
    clean: Engine, tmp_path: Path
) -> None:
    _load(clean)
    with write_session(clean) as s:  # the team edits one SOP and deletes one metric
        steps = [
            {"title": "Our own first step", "owner_role": Role.COMMUNITY_MANAGER},
            *[{"title": st.title, "instructions": st.instructions} for st in _steps(s, "escalation")],
        ]
        templates.revise_template(s, ADMIN, "escalation", steps, "Our agency's way.")
        dictionary.delete_metric(s, ADMIN, "comment_rate")
        dictionary.save_metric(
            s, ADMIN, dictionary.MetricInput("save_rate", "Saves per reach (ours)", unit="percent",
                                             formula="saves / reach", objective="retention", aggregation="avg"),
        )  # fmt: skip
    v2 = read_pack(_upgraded_copy(tmp_path))
    summary = _load(clean, v2)
    metrics = next(p for p in summary.parts if p.part == "metrics")
    sops = next(p for p in summary.parts if p.part == "sops")
    assert metrics.created == ["Reply rate"] and metrics.kept_deleted == ["Comment rate"]
    assert metrics.updated == ["Virality rate"] and metrics.kept_edited == ["Save rate"]
    assert sops.updated == ["Content brief"] and sops.kept_edited == ["Escalation"]
    assert "1 deleted by the team (not re-created)" in metrics.line()
    with read_session(clean) as s:
        brief = s.scalars(select(SopTemplate).where(SopTemplate.slug == "content-brief")).one()
        assert brief.current_version == 2
        assert _steps(s, "content-brief")[-1].instructions.endswith("Version 2 wording.")
        assert _steps(s, "escalation")[0].title == "Our own first step"
        keys = set(s.scalars(select(MetricDefinition.key)))
        assert "reply_rate" in keys and "comment_rate" not in keys
        by_key = {m.key: m for m in s.scalars(select(MetricDefinition))}
        assert by_key["virality_rate"].description == "Changed in version 2."
        assert by_key["save_rate"].name == "Saves per reach (ours)" and by_key["save_rate"].description == ""
        versions = set(s.scalars(select(StarterItem.pack_version).where(StarterItem.key == "content-brief")))
        assert versions == {2}
    again = _load(clean, v2)  # and version 2 twice changes nothing more
    assert not again.changed


def _steps(session, slug: str):  # type: ignore[no-untyped-def]
    template = session.scalars(select(SopTemplate).where(SopTemplate.slug == slug)).one()
    return sorted(templates.current_version(session, template).steps, key=lambda st: st.position)


def test_only_an_admin_loads_a_pack(clean: Engine) -> None:
    manager = Actor(email="m@example.com", workspace_role=Role.MANAGER)
    with write_session(clean) as s, pytest.raises(PermissionDenied):
        load_pack(s, manager, get_pack("agency"))
    assert _count(clean, StarterItem) == 0


def test_the_dictionary_holds_every_metric_the_code_reads(clean: Engine) -> None:
    """After the agency pack, a KPI target can name any metric the importers, dashboards, KPI progress
    and reports compute."""
    _load(clean)
    _add_brands(clean)
    referenced = (
        set(CHANNEL_BASE_METRICS) | set(POST_BASE_METRICS) | set(KPI_LABELS) | {m.key for m in DEMO_METRICS}
        | {"first_response_seconds", "negative_share", "share_of_voice"}
    )  # fmt: skip
    with write_session(clean) as s:
        for key in sorted(referenced):
            targets.create_target(
                s, ADMIN, "kopi", metric_key=key, period_kind="quarter", period_start=date(2027, 1, 1),
                target_value=1,
            )  # fmt: skip


def test_the_pack_agrees_with_the_code() -> None:
    """The demo's dictionary is a subset of the pack (same formulas), and the report templates the pack
    lists are the ones the hub renders."""
    pack = get_pack("agency")
    by_key = {m["key"]: m for m in pack.part("metrics", "metrics")}
    for m in DEMO_METRICS:
        assert m.key in by_key and (by_key[m.key].get("formula") or None) == m.formula, m.key
    listed = {t["key"]: tuple(t["sections"]) for t in pack.part("report_templates", "templates")}
    assert listed == {k: t.sections for k, t in TEMPLATES.items()}
    assert pack.holds()["SOP library"] == 11


def test_a_demo_workspace_keeps_its_own_rows(demo_db: Engine) -> None:
    """On the demo, what the demo already made (the dictionary, its SOPs, its severity levels) is
    adopted when equal or left alone when different; nothing is duplicated."""
    before = _count(demo_db, SeverityLevel), _count(demo_db, MetricDefinition)
    summary = _load(demo_db)
    assert _count(demo_db, SeverityLevel) == before[0]
    severity = next(p for p in summary.parts if p.part == "severity")
    assert not severity.created
    assert not _load(demo_db).changed


def test_a_pack_with_a_repeated_key_loads_nothing(clean: Engine, tmp_path: Path) -> None:
    target = tmp_path / "agency"
    shutil.copytree(STARTERS_DIR / "agency", target)
    sops = yaml.safe_load((target / "sops.yaml").read_text())
    sops["sops"][1]["key"] = sops["sops"][0]["key"]
    (target / "sops.yaml").write_text(yaml.safe_dump(sops))
    with (
        write_session(clean) as s,
        pytest.raises(ValidationError, match="sops has the key 'content-calendar-upkeep' twice"),
    ):
        load_pack(s, ADMIN, read_pack(target))
    assert _count(clean, StarterItem) == 0 and _count(clean, MetricDefinition) == 0
