"""A headline figure: one KPI of a period next to the same figure of the period before. The Overview,
the inbox, reports and insights all speak in these, so the tile, the sentence and the slide agree."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: float | None
    previous: float | None
    unit: str = "count"  # count | percent | minutes
    help: str = ""

    @property
    def change(self) -> float | None:
        """Relative change against the previous period (0.12 = +12%), None when not comparable."""
        if self.value is None or not self.previous:
            return None
        return (self.value - self.previous) / abs(self.previous)
