"""The flow editor's table ↔ stages translation (AppTest cannot type into a data editor)."""

from __future__ import annotations

from app.services.approvals import StageInput
from app.ui.approvals.flow_editor import rows_to_stages, stages_frame


def test_rows_become_stages_in_order_and_blank_rows_are_dropped() -> None:
    rows = [
        {"stage": " Content check ", "role": "Approver", "approvers": "", "rule": "any"},
        {"stage": "", "role": "", "approvers": "", "rule": "any"},
        {
            "stage": "Legal",
            "role": "",
            "approvers": "Priya.Nair@kopi.example; legal2@kopi.example",
            "rule": "ALL",
        },
    ]
    assert rows_to_stages(rows) == [
        StageInput("Content check", "approver", (), "any"),
        StageInput("Legal", None, ("priya.nair@kopi.example", "legal2@kopi.example"), "all"),
    ]


def test_a_flow_round_trips_through_the_table() -> None:
    stages = [StageInput("Check", "approver"), StageInput("Client", None, ("a@x.test", "b@x.test"), "all")]
    assert rows_to_stages(stages_frame(stages).to_dict("records")) == stages


def test_a_new_flow_starts_with_one_editable_stage() -> None:
    frame = stages_frame([])
    assert list(frame.columns) == ["stage", "role", "approvers", "rule"] and len(frame) == 1
