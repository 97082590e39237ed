"""The SOPs page's completions chart: one bar slot per week from the first to the last, gaps included."""

from __future__ import annotations

import pandas as pd

from app.services.sops.details import completions_per_week as weekly
from app.ui.sops.charts import completions_per_week


def test_weeks_start_on_monday_and_empty_weeks_keep_their_slot() -> None:
    history = pd.DataFrame(
        {
            "template": ["A", "A", "B"],
            "completed": pd.to_datetime(
                ["2026-10-28 10:00", "2026-11-01 23:00", "2026-11-18 08:00"], utc=True
            ),
        }
    )
    counts = weekly(history)
    assert list(counts["completed"]) == [2, 1]
    assert [d.strftime("%a %d %b") for d in counts["week"]] == ["Mon 26 Oct", "Mon 16 Nov"]
    x = completions_per_week(counts).to_dict()["encoding"]["x"]
    assert x["scale"]["domain"] == ["26 Oct 2026", "02 Nov 2026", "09 Nov 2026", "16 Nov 2026"]
    assert weekly(history.iloc[0:0]).empty
