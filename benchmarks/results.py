"""What a benchmark measured, in one shape: our figure, the naive baseline measured in the same run,
and the ratio. Benchmarks print their figures and also `record` them, so `python -m benchmarks` can
write them all to benchmarks/RESULTS.md."""

from __future__ import annotations

from dataclasses import dataclass

RECORDED: list[Figure] = []


@dataclass(frozen=True)
class Figure:
    benchmark: str  # e.g. "post import"
    case: str  # what was measured, with its size
    ours: float
    baseline: float | None  # None: a figure with no naive counterpart (e.g. a whole build)
    unit: str  # "rows/s" (higher is better) or "ms" (lower is better)
    ours_label: str = "ours"
    baseline_label: str = "naive"

    @property
    def higher_is_better(self) -> bool:
        return self.unit.endswith("/s")

    @property
    def ratio(self) -> float | None:
        """How many times better ours is than the baseline (>1 = faster)."""
        if self.baseline is None:
            return None
        if self.higher_is_better:
            return self.ours / self.baseline if self.baseline else float("inf")
        return self.baseline / self.ours if self.ours else float("inf")


def record(figure: Figure) -> Figure:
    RECORDED.append(figure)
    return figure
