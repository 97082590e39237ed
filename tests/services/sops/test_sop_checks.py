"""The automatic checks, each passing and failing on real posts, variants, assets linked through
variant_assets, and approval requests with decisions; and what they say where they cannot apply."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sopkit import (
    LEGAL,
    attach,
    brand_id,
    legal_position,
    make_asset,
    make_post,
    release_connections,  # noqa: F401 (an autouse fixture)
    request_approval,
)
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import Brief, Campaign
from app.models.enums import ApprovalRequestStatus, AssetKind, SopObjectType
from app.services.sops.checks import CHECKS, evaluate, missing_utm


def check(
    engine: Engine, key: str, post_id: int, kind: SopObjectType = SopObjectType.POST
) -> tuple[bool, str]:
    with read_session(engine) as s:
        outcome = evaluate(s, key, kind, post_id)
    return outcome.passed, outcome.text


def test_alt_text_names_the_variants_missing_it(demo_db: Engine) -> None:
    post = make_post(demo_db, "warisan", ["A", "B", "C"])
    described = make_asset(demo_db, "warisan", "nasi.jpg", alt_text="Nasi lemak on a banana leaf")
    bare = make_asset(demo_db, "warisan", "kopi.jpg")
    video = make_asset(demo_db, "warisan", "clip.mp4", kind=AssetKind.VIDEO)
    attach(demo_db, post.variant_ids[0], bare)
    attach(demo_db, post.variant_ids[0], described, position=1)
    attach(demo_db, post.variant_ids[1], described)
    # The link's own alt text stands in for the asset's missing one.
    attach(demo_db, post.variant_ids[2], bare, alt_text="Kopi in a glass, cropped square")
    attach(demo_db, post.variant_ids[2], video, position=1)
    passed, text = check(demo_db, "variants_have_alt_text", post.id)
    assert not passed
    assert text == f"2 of 3 variants have alt text: missing on {post.platforms[0]} (kopi.jpg)"
    fixed = make_post(demo_db, "warisan", ["A", "B"])
    attach(demo_db, fixed.variant_ids[0], described)
    attach(demo_db, fixed.variant_ids[1], bare, alt_text="Kopi in a glass")
    assert check(demo_db, "variants_have_alt_text", fixed.id) == (
        True,
        "Every image has alt text (2 variants with images).",
    )
    no_images = make_post(demo_db, "warisan", ["Text only"])
    attach(demo_db, no_images.variant_ids[0], video)
    assert check(demo_db, "variants_have_alt_text", no_images.id)[0] is True


def test_links_need_all_three_utm_tags_in_copy_and_the_post_link(demo_db: Engine) -> None:
    tagged = "https://warisan.example/menu?utm_source=facebook&utm_medium=social&utm_campaign=kopi-o"
    post = make_post(
        demo_db,
        "warisan",
        [f"Our menu: {tagged}.", "See https://warisan.example/a?utm_source=ig&utm_medium=social!"],
        link_url="https://warisan.example/landing",
    )
    passed, text = check(demo_db, "links_have_utm", post.id)
    assert not passed
    assert text.startswith("1 of 3 links carry utm_source, utm_medium and utm_campaign: ")
    assert (
        f"https://warisan.example/a?utm_source=ig&utm_medium=social on {post.platforms[1]} lacks utm_campaign"
        in text
    )
    assert (
        "https://warisan.example/landing on the post's link lacks utm_source, utm_medium, utm_campaign"
        in text
    )
    good = make_post(demo_db, "warisan", [f"Menu ({tagged})", "No link here"], link_url=tagged)
    assert check(demo_db, "links_have_utm", good.id) == (
        True,
        "All links carry utm_source, utm_medium and utm_campaign (2 links checked).",
    )
    assert check(demo_db, "links_have_utm", make_post(demo_db, "warisan", ["Plain"]).id) == (
        True,
        "No links in this post.",
    )
    assert missing_utm("https://x.example/?utm_source=&utm_medium=a&utm_campaign=b") == ["utm_source"]


def test_legal_stage_must_have_approved_the_latest_round(demo_db: Engine) -> None:
    legal = legal_position(demo_db, "lumi")
    waiting = make_post(demo_db, "lumi")
    request_approval(demo_db, waiting.id, at_position=legal, approved_at=range(1, legal))
    passed, text = check(demo_db, "legal_stage_approved", waiting.id)
    assert not passed and text == "'Legal review' has not approved round 1 yet."

    approved = make_post(demo_db, "lumi")
    request_approval(demo_db, approved.id, at_position=legal + 1, approved_at=range(1, legal + 1))
    assert check(demo_db, "legal_stage_approved", approved.id) == (
        True,
        "Legal review approved by Priya Nair (round 1).",
    )

    # Round 1 was approved at legal, round 2 (after an edit) not yet: the latest round counts.
    resubmitted = make_post(demo_db, "lumi")
    request_approval(
        demo_db,
        resubmitted.id,
        at_position=legal + 1,
        approved_at=[legal],
        status=ApprovalRequestStatus.APPROVED,
    )
    request_approval(demo_db, resubmitted.id, at_position=1, round=2)
    assert (
        check(demo_db, "legal_stage_approved", resubmitted.id)[1]
        == "'Legal review' has not approved round 2 yet."
    )

    rejected = make_post(demo_db, "lumi")
    request_approval(demo_db, rejected.id, at_position=legal, status=ApprovalRequestStatus.REJECTED)
    assert "was rejected" in check(demo_db, "legal_stage_approved", rejected.id)[1]

    never_submitted = make_post(demo_db, "lumi")
    passed, text = check(demo_db, "legal_stage_approved", never_submitted.id)
    assert not passed and text.startswith("Not submitted for approval yet")

    # Warisan's flow has no legal stage: passes, and says why.
    plain = make_post(demo_db, "warisan")
    request_approval(demo_db, plain.id, at_position=1, decider=LEGAL)
    passed, text = check(demo_db, "legal_stage_approved", plain.id)
    assert passed and text == "Not required: the approval flow 'Standard two-step' has no legal stage."
    assert check(demo_db, "legal_stage_approved", make_post(demo_db, "senja").id)[0] is True


def test_brief_attached(demo_db: Engine) -> None:
    with read_session(demo_db) as s:
        brief = s.scalars(select(Brief).where(Brief.brand_id == brand_id(demo_db, "lumi"))).first()
    with_brief = make_post(demo_db, "lumi", brief_id=brief.id)
    assert check(demo_db, "brief_attached", with_brief.id) == (True, f"Brief {brief.title!r} is attached.")
    assert check(demo_db, "brief_attached", make_post(demo_db, "lumi").id) == (
        False,
        "No brief is attached to this post.",
    )


def test_asset_rights_must_outlast_the_scheduled_time(demo_db: Engine) -> None:
    when = datetime(2031, 3, 10, 9, 0, tzinfo=UTC)
    post = make_post(demo_db, "senja", ["A", "B"], scheduled_at=when)
    short = make_asset(demo_db, "senja", "farmer.jpg", rights_expire_at=when - timedelta(days=2))
    long = make_asset(demo_db, "senja", "beans.jpg", rights_expire_at=when + timedelta(days=30))
    attach(demo_db, post.variant_ids[0], long)
    attach(demo_db, post.variant_ids[1], short)
    passed, text = check(demo_db, "assets_rights_valid", post.id)
    assert not passed
    assert (
        text
        == f"Rights of 'farmer.jpg' expire 08 Mar 2031, and {post.platforms[1]} goes out 10 Mar 2031 09:00 UTC."
    )
    fine = make_post(demo_db, "senja", ["A"], scheduled_at=when)
    attach(demo_db, fine.variant_ids[0], long)
    assert check(demo_db, "assets_rights_valid", fine.id) == (
        True,
        "The rights of every attached asset (1) cover the scheduled times.",
    )
    # Unscheduled: judged against now, so rights that already ran out fail.
    lapsed = make_asset(demo_db, "senja", "old.jpg", rights_expire_at=datetime.now(UTC) - timedelta(days=1))
    unscheduled = make_post(demo_db, "senja", ["A"], scheduled_at=None)
    attach(demo_db, unscheduled.variant_ids[0], lapsed)
    passed, text = check(demo_db, "assets_rights_valid", unscheduled.id)
    assert not passed and "expired" in text and "is not scheduled" in text


def test_campaign_checks_look_at_the_campaigns_posts(demo_db: Engine) -> None:
    with write_session(demo_db) as s:
        campaign = Campaign(
            brand_id=brand_id(demo_db, "senja"),
            slug="sop-check-test",
            name="SOP check test",
            start_date=date.today(),
            end_date=date.today() + timedelta(days=30),
        )
        s.add(campaign)
        s.flush()
        campaign_id = campaign.id
    assert check(demo_db, "links_have_utm", campaign_id, SopObjectType.CAMPAIGN) == (
        True,
        "The campaign has no posts yet: nothing to check.",
    )
    make_post(demo_db, "senja", ["No links"], title="Farmer story", campaign_id=campaign_id)
    assert check(demo_db, "links_have_utm", campaign_id, SopObjectType.CAMPAIGN) == (
        True,
        "All posts of the campaign pass (1 post checked).",
    )
    make_post(
        demo_db, "senja", ["Read https://senja.example/flores"], title="Bad link", campaign_id=campaign_id
    )
    passed, text = check(demo_db, "links_have_utm", campaign_id, SopObjectType.CAMPAIGN)
    assert not passed and text.startswith("1 of 2 posts fail. 'Bad link': 0 of 1 links carry")
    assert check(demo_db, "brief_attached", campaign_id, SopObjectType.CAMPAIGN)[0] is False


@pytest.mark.parametrize("key", sorted(CHECKS))
def test_checks_that_cannot_apply_say_so_and_fail(demo_db: Engine, key: str) -> None:
    passed, text = check(demo_db, key, 202601, SopObjectType.REPORT)
    assert not passed and "cannot be checked on a report" in text


def test_unknown_check_and_missing_post(demo_db: Engine) -> None:
    assert check(demo_db, "moon_phase", 1)[0] is False
    assert check(demo_db, "links_have_utm", 999_999) == (False, "Post #999999 no longer exists.")
