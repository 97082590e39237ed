"""The steps of an SOP template as a table people edit (st.data_editor), and the edited table back as
steps for `sop_templates.revise_template`. Pure functions: AppTest cannot edit a data editor, so the
translation is tested on its own."""

from __future__ import annotations

import pandas as pd

from app.models.enums import Role
from app.services.sops import CHECKS, StepInput

ANYONE = "anyone"
EDITOR_COLUMNS = [
    "step",
    "title",
    "instructions",
    "owner role",
    "automatic check",
    "required",
    "due after (h)",
]
ROLE_OPTIONS = [ANYONE, *(r.label for r in Role)]
CHECK_OPTIONS = list(CHECKS)
_ROLE_BY_LABEL = {r.label.casefold(): r for r in Role} | {r.value: r for r in Role}


def _blank(value: object) -> bool:
    """None, NaN, pd.NA, NaT or whitespace: what an emptied editor cell holds."""
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return True
    except (TypeError, ValueError):  # list-like values are not cells we make
        return False
    return str(value).strip() == ""


def editor_frame(steps: pd.DataFrame) -> pd.DataFrame:
    """`sops.template_steps` output as the editor shows it: roles by label ("anyone" for no role),
    checks by key, blank checks and hours as missing values."""
    if steps.empty:
        return pd.DataFrame(columns=EDITOR_COLUMNS)
    df = steps[EDITOR_COLUMNS].copy()
    df["owner role"] = df["owner role"].map(lambda r: r if r else ANYONE)
    df["automatic check"] = df["automatic check"].map(lambda c: c or None)
    df["due after (h)"] = pd.to_numeric(df["due after (h)"], errors="coerce").astype("Int64")
    df["required"] = df["required"].astype(bool)
    return df.reset_index(drop=True)


def _role(value: object) -> Role | str | None:
    if _blank(value) or str(value).strip().casefold() == ANYONE:
        return None
    # Unknown text goes through as typed, so the service names it in its refusal.
    return _ROLE_BY_LABEL.get(str(value).strip().casefold(), str(value).strip())


def _number(value: object) -> float | None:
    if _blank(value):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _hours(value: object) -> int | None:
    if _blank(value):
        return None
    number = _number(value)
    if number is None:
        # Text that is not a number goes through as typed, so the service names it in its refusal.
        return value  # type: ignore[return-value]
    return int(number)


def steps_from_editor(edited: pd.DataFrame) -> list[StepInput]:
    """The edited rows in the order of their step numbers (rows without a number go last, in the order
    they were added); rows left entirely blank are dropped. Values are checked by the service."""
    rows = edited.reindex(columns=EDITOR_COLUMNS).reset_index(drop=True)
    # A ticked checkbox or a step number alone does not make a row count as filled in.
    content = [c for c in EDITOR_COLUMNS if c not in ("required", "step")]
    filled = [i for i in range(len(rows)) if not all(_blank(rows.at[i, c]) for c in content)]
    numbers = {i: _number(rows.at[i, "step"]) for i in filled}
    order = sorted(filled, key=lambda i: (numbers[i] is None, numbers[i] or 0.0, i))
    steps = []
    for i in order:
        row = rows.loc[i]
        required = row["required"]
        steps.append(
            StepInput(
                title="" if _blank(row["title"]) else str(row["title"]).strip(),
                instructions="" if _blank(row["instructions"]) else str(row["instructions"]).strip(),
                owner_role=_role(row["owner role"]),  # type: ignore[arg-type]
                auto_check=None if _blank(row["automatic check"]) else str(row["automatic check"]).strip(),
                required=True if _blank(required) else bool(required),
                due_offset_hours=_hours(row["due after (h)"]),
            )
        )
    return steps


def with_added_step(current: pd.DataFrame, step: StepInput) -> list[StepInput]:
    """The current version's steps (as `sops.template_steps` returns them) plus one at the end."""
    return [*steps_from_editor(editor_frame(current)), step]
