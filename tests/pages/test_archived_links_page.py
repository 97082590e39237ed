"""A post and a brief whose pillar and campaign were archived since: the composer and the brief form
still show them, marked "(archived)", and saving keeps them; a new post is not offered them. An
approval flow of an archived campaign still names it in the flow editor."""

from __future__ import annotations

from datetime import timedelta

from pagekit import assert_page_ok, new_app, shown, signed_in
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import Brand, Brief, Post
from app.services.approvals import StageInput, flows
from app.services.content import BriefFields, PostDraft, briefs, composer
from app.services.core import Actor, clock
from app.services.org import users
from app.services.strategy import campaigns, pillars

EDITOR = "farah.aziz@kopi.example"
ADMIN = Actor.system("test:admin")


def _archived_links(engine: Engine) -> tuple[int, int, int, int]:
    """A post and a brief in a pillar and a campaign that are then archived."""
    today = clock.today()
    with read_session(engine) as s:
        editor = users.load_actor(s, EDITOR)
    with write_session(engine) as s:
        brand_id = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
        pillar = pillars.create_pillar(s, ADMIN, brand="warisan", name="Old recipes")
        camp = campaigns.create_campaign(
            s, ADMIN, brand="warisan", slug="raya-old", name="Raya old", start_date=today,
            end_date=today + timedelta(days=20),
        )  # fmt: skip
        post = composer.create_post(
            s, editor, "warisan",
            PostDraft(title="Rendang", master_copy="Rendang!", pillar_id=pillar.id, campaign_id=camp.id),
        )  # fmt: skip
        brief_id = briefs.create_brief(
            s, editor, brand_id, BriefFields(title="Raya brief", campaign_id=camp.id, pillar_id=pillar.id)
        )
    with write_session(engine) as s:
        campaigns.archive_campaign(s, ADMIN, camp.id)
        pillars.archive_pillar(s, ADMIN, pillar.id)
    return pillar.id, camp.id, post.post_id, brief_id


def test_the_composer_keeps_an_archived_pillar_and_campaign(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    pillar_id, camp_id, post_id, _ = _archived_links(demo_db)
    at = signed_in(new_app(), EDITOR)
    at.query_params["brand"] = "warisan"
    at.run()
    at.switch_page("pages/plan/compose.py").run()
    assert_page_ok(at, "Compose")
    assert "Old recipes" not in " ".join(at.selectbox(key="c_pillar").options)
    assert "Raya old" not in " ".join(at.selectbox(key="c_campaign").options)

    at.query_params["post"] = str(post_id)
    at.run()
    assert_page_ok(at, "Compose")
    assert at.selectbox(key="c_pillar").value == pillar_id
    assert "Old recipes (archived)" in at.selectbox(key="c_pillar").options
    assert "Raya old (archived)" in at.selectbox(key="c_campaign").options
    at.text_input(key="c_title").input("Rendang for Raya").run()
    next(b for b in at.button if b.label == "Save").click().run()
    assert_page_ok(at, "Compose")
    assert any("Saved" in shown(s.value) for s in at.success)
    with read_session(demo_db) as s:
        post = s.get(Post, post_id)
        assert (post.title, post.pillar_id, post.campaign_id) == ("Rendang for Raya", pillar_id, camp_id)


def test_the_brief_form_keeps_an_archived_campaign(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    pillar_id, camp_id, _, brief_id = _archived_links(demo_db)
    at = signed_in(new_app(), EDITOR)
    at.query_params["brand"] = "warisan"
    at.run()
    at.switch_page("pages/plan/briefs.py").run()
    at.selectbox(key="brief_pick").select(brief_id).run()
    assert_page_ok(at, "Briefs")
    boxes = {b.label: b for b in at.selectbox}
    assert boxes["Campaign"].value == camp_id and "Raya old (archived)" in boxes["Campaign"].options
    assert boxes["Content pillar"].value == pillar_id
    next(b for b in at.button if b.label == "Save brief").click().run()
    assert_page_ok(at, "Briefs")
    with read_session(demo_db) as s:
        brief = s.get(Brief, brief_id)
        assert (brief.campaign_id, brief.pillar_id, brief.version) == (camp_id, pillar_id, 2)  # saved


def test_a_flow_keeps_its_archived_campaign(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    _, camp_id, _, _ = _archived_links(demo_db)
    with read_session(demo_db) as s:
        lead = users.load_actor(s, "mei.lim@kopi.example")
        brand_id = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
    with write_session(demo_db) as s:
        flow_id = flows.save_flow(
            s,
            lead,
            brand_id=brand_id,
            name="Raya flow",
            campaign_id=camp_id,
            stages=[StageInput("Check", "manager")],
        )
    at = signed_in(new_app(), "mei.lim@kopi.example")
    at.query_params["brand"] = "warisan"
    at.run()
    at.switch_page("pages/plan/approvals.py").run()
    at.selectbox(key=f"flow_pick_{brand_id}").select(flow_id).run()
    assert_page_ok(at, "Approvals")
    applies = next(b for b in at.selectbox if b.label == "Applies to")
    assert applies.value == camp_id and "Raya old (archived)" in applies.options
