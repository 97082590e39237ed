"""Why a viewer cannot decide on a waiting post: their own post (approvals need another person), not
their stage, an earlier stage not done, already decided, or a role that does not approve. The reason is
None exactly when `decide` would accept the decision."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from test_approval_decisions import EDITOR, LEAD, LEGAL, LUMI_CLIENT, WARISAN_APPROVER, actor, decide, submit

from app.db import read_session, write_session
from app.models import Brand
from app.services.approvals import BlockKind, blocks, decision_block_reason
from app.services.approvals import decisions as approval_decisions
from app.services.core import NotFound, PermissionDenied, ValidationError

SENJA_CLIENT = "sari.dewi@kopi.example"  # approver on senja: decides its second stage, "Client approval"
ADMIN = "admin@kopi.example"


def reason(engine: Engine, email: str, request_id: int) -> blocks.Block | None:
    with read_session(engine) as s:
        return decision_block_reason(s, actor(engine, email), request_id)


def test_your_own_post_needs_another_person(demo_db: Engine) -> None:
    rid = submit(demo_db, "warisan", LEAD, title="Mei's own post")
    block = reason(demo_db, LEAD, rid)
    assert block is not None and block.kind == BlockKind.SELF
    assert block.reason == "you submitted it; approvals need another person"
    assert (block.post, block.stage) == ("Mei's own post", "Content check")
    assert reason(demo_db, WARISAN_APPROVER, rid) is None  # someone else may


def test_not_your_stage_and_the_stage_before_yours(demo_db: Engine) -> None:
    senja = submit(demo_db, "senja", EDITOR)
    early = reason(demo_db, SENJA_CLIENT, senja)
    assert early is not None and early.kind == BlockKind.EARLIER_STAGE
    assert early.reason == (
        "the stage before yours is not done: it is at 'Agency review', yours is 'Client approval'"
    )
    decide(demo_db, LEAD, senja, "approve")
    assert reason(demo_db, SENJA_CLIENT, senja) is None

    warisan = submit(demo_db, "warisan", EDITOR)
    decide(demo_db, WARISAN_APPROVER, warisan, "approve")
    later = reason(demo_db, WARISAN_APPROVER, warisan)
    assert later is not None and later.kind == BlockKind.NOT_THEIR_STAGE
    assert "not an approver of stage 'Final sign-off' (managers and above decide it)" in later.reason

    lumi = submit(demo_db, "lumi", EDITOR)
    decide(demo_db, LUMI_CLIENT, lumi, "approve")
    decide(demo_db, LEAD, lumi, "approve")
    named = reason(demo_db, LUMI_CLIENT, lumi)
    assert named is not None and named.reason == "stage 'Legal review' is decided by Priya Nair"
    assert reason(demo_db, LEGAL, lumi) is None


def test_already_decided_and_no_approving_role(demo_db: Engine) -> None:
    rid = submit(demo_db, "warisan", EDITOR)
    editor = reason(demo_db, EDITOR, rid)
    # The author is an editor: their role is the first reason, as it is the first check of `decide`.
    assert editor is not None and editor.kind == BlockKind.NO_PERMISSION
    assert editor.reason == "your role on Warisan Kopitiam (editor) does not approve content"
    viewer = reason(demo_db, "jon.lee@kopi.example", rid)
    assert viewer is not None and viewer.kind == BlockKind.NO_PERMISSION
    assert "(viewer) does not approve content" in viewer.reason
    decide(demo_db, WARISAN_APPROVER, rid, "approve")
    decide(demo_db, LEAD, rid, "approve")
    done = reason(demo_db, ADMIN, rid)
    assert done is not None and done.kind == BlockKind.ALREADY_DECIDED
    assert done.reason == "it is already decided (the post is approved)"


def test_a_brand_you_cannot_see_is_not_found(demo_db: Engine) -> None:
    rid = submit(demo_db, "lumi", EDITOR)
    with pytest.raises(NotFound):
        reason(demo_db, WARISAN_APPROVER, rid)


def test_the_reason_is_none_exactly_when_decide_accepts(demo_db: Engine) -> None:
    """Every person × a few requests at different stages: the read and the rule never disagree."""
    requests = [
        submit(demo_db, "warisan", EDITOR, title="W1"),
        submit(demo_db, "warisan", LEAD, title="W2"),
        submit(demo_db, "senja", EDITOR, title="S1"),
        submit(demo_db, "lumi", LUMI_CLIENT, title="L1"),
    ]
    decide(demo_db, WARISAN_APPROVER, requests[0], "approve")
    people = [EDITOR, LEAD, LEGAL, LUMI_CLIENT, WARISAN_APPROVER, SENJA_CLIENT, ADMIN, "jon.lee@kopi.example"]
    checked = 0
    for email in people:
        who = actor(demo_db, email)
        for rid in requests:
            with write_session(demo_db) as s:
                try:
                    block = decision_block_reason(s, who, rid)
                except NotFound:
                    continue
                try:
                    with s.begin_nested() as nested:
                        approval_decisions.decide(s, who, rid, "approve")
                        nested.rollback()
                    accepted = True
                except (PermissionDenied, ValidationError):
                    accepted = False
                assert (block is None) == accepted, (email, rid, block)
                checked += 1
                s.rollback()
    assert checked >= 20


def test_blocked_lists_the_waiting_posts_you_cannot_decide(demo_db: Engine) -> None:
    own = submit(demo_db, "warisan", LEAD, title="Lead's own")
    theirs = submit(demo_db, "warisan", EDITOR, title="Farah's")
    with read_session(demo_db) as s:
        warisan = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
        lead = {b.request_id: b for b in blocks.blocked(s, actor(demo_db, LEAD), [warisan])}
        mine = {d.request_id for d in approval_decisions.decidable(s, actor(demo_db, LEAD), [warisan])}
    assert lead[own].kind == BlockKind.SELF
    assert theirs not in lead and theirs in mine
    assert not set(lead) & mine, "a post is either decidable or blocked, never both"
