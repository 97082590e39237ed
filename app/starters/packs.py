"""Reading starter packs: the versioned YAML data under `starters/<name>/` (a `pack.yaml` naming the pack,
its title, version and description, and one file per part), checked for shape before anything loads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.services.core import ValidationError

# The repository's `starters/` folder: packs are data shipped with the code, not a setting.
STARTERS_DIR = Path(__file__).resolve().parents[2] / "starters"

PART_LABELS: dict[str, str] = {
    "metrics": "Metrics dictionary",
    "sops": "SOP library",
    "approval_flows": "Approval flow presets",
    "response_times": "Response-time policies",
    "severity": "Severity matrix",
    "notification_chains": "Communication chain",
    "report_templates": "Report templates (built into the hub)",
    "recommendation_rules": "Recommendation rules",
}


@dataclass(frozen=True)
class Pack:
    name: str
    title: str
    version: int
    description: str
    directory: Path
    parts: dict[str, Any] = field(default_factory=dict)  # part name -> the part's parsed YAML

    def part(self, name: str, list_key: str) -> list[dict[str, Any]]:
        """The list `list_key` of the part `name` ([] when the pack has no such part)."""
        data = self.parts.get(name) or {}
        items = data.get(list_key) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValidationError(
                f"starter pack {self.name!r}: {name}.{list_key} must be a list of mappings", field=name
            )
        return items

    def holds(self) -> dict[str, int]:
        """What the pack holds, part label → number of items (for the setup page and `--list-starters`)."""
        counts = {
            "Metrics dictionary": len(self.part("metrics", "metrics")),
            "SOP library": len(self.part("sops", "sops")),
            "Approval flow presets": len(self.part("approval_flows", "flows")),
            "Response-time policies": len(self.part("response_times", "policies")),
            "Severity matrix": len(self.part("severity", "levels")),
            "Report templates": len(self.part("report_templates", "templates")),
            "Recommendation rules": len(self.part("recommendation_rules", "rules")),
        }
        return {label: n for label, n in counts.items() if n}


def _read_yaml(path: Path, pack: str) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValidationError(
            f"starter pack {pack!r}: cannot read {path.name}: {exc}", field="pack"
        ) from None


def read_pack(directory: Path) -> Pack:
    """The pack in `directory` (its pack.yaml and every part file it names)."""
    meta = _read_yaml(directory / "pack.yaml", directory.name)
    if not isinstance(meta, dict):
        raise ValidationError(f"starter pack {directory.name!r}: pack.yaml is not a mapping", field="pack")
    name = str(meta.get("name") or directory.name)
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValidationError(
            f"starter pack {name!r}: version {version!r} must be a whole number from 1", field="version"
        )
    parts_meta = meta.get("parts") or {}
    unknown = sorted(set(parts_meta) - set(PART_LABELS))
    if unknown:
        raise ValidationError(f"starter pack {name!r}: unknown part(s) {', '.join(unknown)}", field="parts")
    parts = {part: _read_yaml(directory / str(file), name) or {} for part, file in parts_meta.items()}
    return Pack(
        name=name,
        title=str(meta.get("title") or name),
        version=version,
        description=" ".join(str(meta.get("description") or "").split()),
        directory=directory,
        parts=parts,
    )


def list_packs(root: Path | None = None) -> list[Pack]:
    """Every pack under `root` (the repository's starters/ folder by default), by name."""
    base = root or STARTERS_DIR
    if not base.is_dir():
        return []
    return sorted((read_pack(d) for d in base.iterdir() if (d / "pack.yaml").is_file()), key=lambda p: p.name)


def get_pack(name: str, root: Path | None = None) -> Pack:
    """The pack called `name`; a ValidationError naming the packs there are otherwise."""
    packs = {p.name: p for p in list_packs(root)}
    wanted = (name or "").strip()
    if wanted not in packs:
        known = ", ".join(packs) or "none"
        raise ValidationError(f"no starter pack {wanted!r} (there are: {known})", field="starter", value=name)
    return packs[wanted]


def metric_sources(root: Path | None = None) -> dict[str, str]:
    """metric key → where its number comes from, as the packs document it (the dictionary has no column
    for it): what `dictionary list` prints beside each metric."""
    sources: dict[str, str] = {}
    for pack in list_packs(root):
        for raw in pack.part("metrics", "metrics"):
            if raw.get("key") and raw.get("source"):
                sources.setdefault(str(raw["key"]), " ".join(str(raw["source"]).split()))
    return sources
