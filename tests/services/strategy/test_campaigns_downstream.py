"""A campaign created through the strategy services drives what hangs off campaigns further down: the
utm_campaign value of its posts' tracked links (its own value, its slug by default, an edit used by the
next link), its own approval flow, and an SOP requirement for its posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import ApprovalRequest, Brand, Post
from app.models.enums import Role, SopObjectType
from app.services.approvals import StageInput, flows
from app.services.content import PostDraft, VariantDraft, composer, utm, workflow
from app.services.core import Actor, clock
from app.services.org import users
from app.services.sops import StepInput, blockers_for_post, details
from app.services.sops import templates as sop_templates
from app.services.strategy import campaigns

ADMIN = Actor.system("test:admin")
EDITOR = "farah.aziz@kopi.example"  # editor on every brand
LEAD = "mei.lim@kopi.example"  # manager


def _actor(engine: Engine, email: str) -> Actor:
    with read_session(engine) as s:
        a = users.load_actor(s, email)
    assert a is not None
    return a


def _campaign(engine: Engine, slug: str, **kw) -> campaigns.CampaignInfo:  # type: ignore[no-untyped-def]
    today = clock.today()
    with write_session(engine) as s:
        return campaigns.create_campaign(
            s, _actor(engine, LEAD), brand="warisan", slug=slug, name=slug.replace("-", " ").title(),
            start_date=today, end_date=today + timedelta(days=30), **kw,
        )  # fmt: skip


def _post(engine: Engine, campaign_id: int) -> int:
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    d = PostDraft(
        title="Raya rendang", master_copy="Rendang is back for Raya!", post_type="text", campaign_id=campaign_id,
        variants=(VariantDraft(channel="warisan-facebook", copy="Rendang is back for Raya!", scheduled_at=when),),
    )  # fmt: skip
    with write_session(engine) as s:
        return composer.create_post(s, _actor(engine, EDITOR), "warisan", d).post_id


def _utm_campaign(engine: Engine, post_id: int) -> str:
    with write_session(engine) as s:
        brand_id = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
        link = utm.build_link(
            s, _actor(engine, EDITOR), brand_id=brand_id, url="https://warisan.example/raya?x=1",
            platform="facebook", post_id=post_id,
        )  # fmt: skip
    query = dict(parse_qsl(urlsplit(link.full_url).query))
    assert query["utm_campaign"] == link.utm_campaign and query["x"] == "1"
    return link.utm_campaign


def test_a_posts_tracked_links_carry_its_campaigns_utm_value(demo_db: Engine) -> None:
    own = _campaign(demo_db, "raya-rendang", utm_campaign="raya_2030_my")
    by_slug = _campaign(demo_db, "merdeka-kopi")
    assert by_slug.utm_campaign == "merdeka-kopi"
    post = _post(demo_db, own.id)
    assert _utm_campaign(demo_db, post) == "raya_2030_my"
    assert _utm_campaign(demo_db, _post(demo_db, by_slug.id)) == "merdeka-kopi"
    with write_session(demo_db) as s:
        campaigns.update_campaign(s, ADMIN, own.id, version=own.version, utm_campaign="raya-2030-b")
    assert _utm_campaign(demo_db, post) == "raya-2030-b"


def test_a_strategy_campaign_drives_its_own_approval_flow(demo_db: Engine) -> None:
    camp = _campaign(demo_db, "raya-legal")
    lead = _actor(demo_db, LEAD)
    with read_session(demo_db) as s:
        brand_id = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
    with write_session(demo_db) as s:
        flow_id = flows.save_flow(
            s, lead, brand_id=brand_id, name="Raya: legal then manager", campaign_id=camp.id,
            stages=[StageInput("Legal", role=Role.MANAGER.value), StageInput("Manager", role=Role.MANAGER.value)],
        )  # fmt: skip
    in_campaign = _post(demo_db, camp.id)
    elsewhere = _post(demo_db, _campaign(demo_db, "no-flow").id)
    with write_session(demo_db) as s:
        for post_id in (in_campaign, elsewhere):
            workflow.submit(s, _actor(demo_db, EDITOR), post_id)
    with read_session(demo_db) as s:
        used = dict(s.execute(select(ApprovalRequest.post_id, ApprovalRequest.flow_id)).all())
        assert [f.name for f in flows.list_flows(s, lead, brand_id) if f.id == flow_id] == [
            "Raya: legal then manager"
        ]
    assert used[in_campaign] == flow_id
    assert used[elsewhere] != flow_id


def test_a_strategy_campaign_drives_an_sop_requirement(demo_db: Engine) -> None:
    camp = _campaign(demo_db, "raya-checked")
    lead = _actor(demo_db, LEAD)
    with write_session(demo_db) as s:
        slug = sop_templates.create_template(
            s, lead, name="Raya sign-off", applies_to="post",
            steps=[StepInput("Halal check", "Menu claims checked.", Role.EDITOR, None, True, 24)],
        ).slug  # fmt: skip
        sop_templates.set_requirement(s, lead, "warisan", slug, campaign=camp.slug)
    in_campaign = _post(demo_db, camp.id)
    elsewhere = _post(demo_db, _campaign(demo_db, "raya-unchecked").id)
    with read_session(demo_db) as s:
        blocked = blockers_for_post(s, s.get(Post, in_campaign))
        free = blockers_for_post(s, s.get(Post, elsewhere))
    assert any("Raya sign-off" in b for b in blocked), blocked
    assert not any("Raya sign-off" in b for b in free)


def test_sop_pickers_offer_strategy_campaigns_until_archived(demo_db: Engine) -> None:
    camp = _campaign(demo_db, "raya-picker")
    lead = _actor(demo_db, LEAD)
    with read_session(demo_db) as s:
        brand_id = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
        assert camp.id in details.run_targets(s, lead, brand_id, SopObjectType.CAMPAIGN)
    with write_session(demo_db) as s:
        campaigns.archive_campaign(s, lead, camp.id)
    with read_session(demo_db) as s:
        assert camp.id not in details.run_targets(s, lead, brand_id, SopObjectType.CAMPAIGN)
