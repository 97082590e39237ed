"""Loading a starter pack into the workspace, part by part in dependency order (severity levels before
their chains), as one admin's change: what it did comes back as a summary per part."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.services.core import Actor, Perm, ValidationError, audit, require
from app.services.org import current_workspace
from app.starters.flows_part import FlowsPart, flow_items
from app.starters.ledger import Item, Part, PartSummary, reconcile
from app.starters.metrics_part import MetricsPart, metric_items
from app.starters.packs import PART_LABELS, Pack
from app.starters.reports_part import RulesPart, check_templates, rule_items
from app.starters.response_part import (
    ChainPart,
    SeverityPart,
    SlaPart,
    chain_items,
    severity_items,
    sla_items,
)
from app.starters.sops_part import SopsPart, sop_items


@dataclass
class LoadSummary:
    pack: str
    version: int
    parts: list[PartSummary] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(p.changed for p in self.parts)

    def lines(self) -> list[str]:
        """One line per part, then its notes."""
        out = []
        for p in self.parts:
            out.append(p.line())
            out.extend(f"  {note}" for note in p.notes)
        return out


def plan_parts(session: Session, pack: Pack) -> list[tuple[str, Part, list[Item], list[str]]]:
    """Each part in load order: (part name, how it reads and writes, its items, notes for the summary)."""
    flows, flow_notes = flow_items(session, pack)
    return [
        ("metrics", MetricsPart(), metric_items(pack), []),
        ("sops", SopsPart(), sop_items(pack), []),
        ("approval_flows", FlowsPart(), flows, flow_notes),
        ("response_times", SlaPart(), sla_items(pack), []),
        ("severity", SeverityPart(), severity_items(pack), []),
        ("notification_chains", ChainPart(), chain_items(pack), []),
        ("recommendation_rules", RulesPart(), rule_items(pack), []),
    ]


def _check_keys(pack: Pack, name: str, items: list[Item]) -> None:
    """Every item of a part has a key, and no two the same (the ledger knows items by it)."""
    seen: set[str] = set()
    for item in items:
        if not item.key or item.key in seen:
            problem = "an item without a key" if not item.key else f"the key {item.key!r} twice"
            raise ValidationError(
                f"starter pack {pack.name!r}: {name} has {problem}", field=name, value=item.key
            )
        seen.add(item.key)


def load_pack(
    session: Session, actor: Actor, pack: Pack, *, progress: Callable[[float, str], None] | None = None
) -> LoadSummary:
    """Load `pack` idempotently (admins only). The caller commits; nothing is written when nothing is new."""
    require(actor, Perm.ADMIN)
    ws = current_workspace(session)
    summary = LoadSummary(pack.name, pack.version)
    plan = plan_parts(session, pack)
    for name, _part, items, _notes in plan:
        _check_keys(pack, name, items)
    total = sum(len(items) for _, _, items, _ in plan) or 1
    done = 0
    for name, part, items, notes in plan:
        part_summary = PartSummary(name, PART_LABELS[name], notes=list(notes))

        def step(_item: str, label: str = part_summary.label) -> None:
            nonlocal done
            done += 1
            if progress:
                progress(min(done / total, 1.0), label)  # one line per part, however many items

        reconcile(
            session, actor, workspace_id=ws.id, pack=pack.name, version=pack.version, part=part,
            items=items, summary=part_summary, progress=step,
        )  # fmt: skip
        summary.parts.append(part_summary)
        if name == "recommendation_rules":
            templates = PartSummary("report_templates", PART_LABELS["report_templates"])
            check_templates(pack, templates)
            summary.parts.insert(len(summary.parts) - 1, templates)
    if summary.changed:
        audit.record(
            session, actor, "load", "starter_pack", pack.name, label=f"{pack.name} v{pack.version}",
            after={p.part: {"created": len(p.created), "updated": len(p.updated)} for p in summary.parts},
        )  # fmt: skip
    session.flush()
    return summary
