"""What the commands' listings print for a pandas table (issue 14, finding 5: `sheets problems` printed
row numbers as `58.0` and a missing one as `nan`): whole numbers as whole numbers, a missing value as
nothing (null in JSON), in the aligned listing and in --json alike."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from app.cli.common import print_rows


def _frame() -> pd.DataFrame:
    # A column with a gap is float64 in pandas: 58 becomes 58.0 and the gap NaN.
    return pd.DataFrame(
        {
            "problem": [1, 2],
            "row": [58, None],
            "share": [0.25, 1.5],
            "seen": [pd.Timestamp("2026-12-08 09:30"), pd.NaT],
            "note": ["refused", None],
        }
    )


def test_a_listing_prints_whole_numbers_and_blanks(capsys) -> None:  # type: ignore[no-untyped-def]
    frame = _frame()
    assert frame["row"].dtype == np.float64
    print_rows(frame.to_dict("records"), list(frame.columns), as_json=False)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["PROBLEM", "ROW", "SHARE", "SEEN", "NOTE"]
    assert lines[1].split() == ["1", "58", "0.25", "2026-12-08T09:30:00", "refused"]
    assert lines[2].split() == ["2", "1.5"]
    assert "58.0" not in out and "nan" not in out.lower() and "NaT" not in out


def test_json_gives_numbers_and_nulls(capsys) -> None:  # type: ignore[no-untyped-def]
    frame = _frame()
    print_rows(frame.to_dict("records"), list(frame.columns), as_json=True)
    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {
        "problem": 1,
        "row": 58,
        "share": 0.25,
        "seen": "2026-12-08 09:30:00",
        "note": "refused",
    }
    assert rows[1] == {"problem": 2, "row": None, "share": 1.5, "seen": None, "note": None}
