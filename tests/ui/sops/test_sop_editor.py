"""The SOP steps editor's translation (AppTest cannot edit a data editor): template steps to editor
rows and back, reordering by step number, blank rows dropped, bad input left for the service to name."""

from __future__ import annotations

import pandas as pd
import pytest

from app.models.enums import Role, SopObjectType
from app.services.core import ValidationError
from app.services.sops.reads import STEP_COLUMNS
from app.services.sops.templates import StepInput, clean_steps
from app.ui.sops.editor import ANYONE, editor_frame, steps_from_editor, with_added_step

CURRENT = pd.DataFrame(
    [
        (1, "Brief matched", "Compare with the brief.", "Editor", "", True, 24),
        (2, "Alt text", "", "Editor", "variants_have_alt_text", True, 24),
        (3, "Legal", "", "Manager", "legal_stage_approved", False, 48),
        (4, "Anyone's step", "", "", "", True, None),
    ],
    columns=STEP_COLUMNS,
)


def test_round_trip_keeps_every_step_as_it_was() -> None:
    frame = editor_frame(CURRENT)
    assert list(frame["owner role"]) == ["Editor", "Editor", "Manager", ANYONE]
    assert frame["automatic check"].isna().tolist() == [True, False, False, True]
    steps = steps_from_editor(frame)
    assert steps == [
        StepInput("Brief matched", "Compare with the brief.", Role.EDITOR, None, True, 24),
        StepInput("Alt text", "", Role.EDITOR, "variants_have_alt_text", True, 24),
        StepInput("Legal", "", Role.MANAGER, "legal_stage_approved", False, 48),
        StepInput("Anyone's step", "", None, None, True, None),
    ]
    assert clean_steps(steps, SopObjectType.POST) == steps


def test_edits_reorder_add_and_drop_rows() -> None:
    frame = editor_frame(CURRENT)
    frame.loc[0, "step"] = 9  # move the first step last
    frame.loc[3, "title"] = "  Renamed  "
    frame = frame.drop(index=2)  # deleted row
    added = pd.DataFrame(
        [
            {"step": None, "title": "New at the end", "owner role": "Community manager", "required": None},
            {"step": None, "title": None, "required": True},  # an added row left blank
            {"step": 2.5, "title": "Slotted in", "due after (h)": 12.0, "required": False},
        ]
    )
    edited = pd.concat([frame, added], ignore_index=True)
    steps = steps_from_editor(edited)
    assert [s.title for s in steps] == [
        "Alt text",
        "Slotted in",
        "Renamed",
        "Brief matched",
        "New at the end",
    ]
    new = steps[-1]
    assert new.owner_role == Role.COMMUNITY_MANAGER and new.required is True and new.due_offset_hours is None
    assert steps[1].due_offset_hours == 12 and steps[1].required is False


def test_bad_cells_reach_the_service_which_names_them() -> None:
    frame = editor_frame(CURRENT)
    frame.loc[1, "title"] = ""
    with pytest.raises(ValidationError, match="step 2: title is required"):
        clean_steps(steps_from_editor(frame), SopObjectType.POST)
    frame = editor_frame(CURRENT)
    frame["due after (h)"] = frame["due after (h)"].astype(object)
    frame.loc[0, "due after (h)"] = "soon"
    with pytest.raises(ValidationError, match="step 1: due after"):
        clean_steps(steps_from_editor(frame), SopObjectType.POST)
    frame = editor_frame(CURRENT)
    frame.loc[0, "owner role"] = "Boss"
    with pytest.raises(ValidationError, match="owner role"):
        clean_steps(steps_from_editor(frame), SopObjectType.POST)


def test_an_empty_editor_gives_no_steps_and_a_step_can_be_appended() -> None:
    assert steps_from_editor(editor_frame(CURRENT.iloc[0:0])) == []
    extra = StepInput("Extra", owner_role=Role.APPROVER)
    assert with_added_step(CURRENT, extra)[-1] == extra and len(with_added_step(CURRENT, extra)) == 5
