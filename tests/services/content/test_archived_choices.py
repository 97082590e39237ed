"""Archived pillars and campaigns leave the pickers (composer, briefs, calendar and dashboard filters,
bulk import) but a post or brief that already has one keeps it, shown "(archived)", and can be saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bulkfiles import template_csv, template_row
from sqlalchemy import Engine

from app.db import read_session, write_session
from app.models import Brand, Campaign, Post
from app.services.content import BriefFields, PostDraft, briefs, composer, editor_choices
from app.services.content.bulk.imports import import_posts
from app.services.content.calendar import grid
from app.services.core import Actor, ValidationError, clock
from app.services.measurement.dashboards import views
from app.services.org import users
from app.services.strategy import campaigns, pillars

EDITOR = "farah.aziz@kopi.example"  # editor on every brand
ADMIN = Actor.system("test:admin")


def _actor(engine: Engine, email: str) -> Actor:
    with read_session(engine) as s:
        a = users.load_actor(s, email)
    assert a is not None
    return a


def _setup(engine: Engine) -> tuple[int, int, int, int]:
    """Warisan gets a pillar and a campaign that will be archived, and a campaign that is over."""
    today = clock.today()
    with write_session(engine) as s:
        brand_id = s.query(Brand.id).filter(Brand.slug == "warisan").scalar()
        pillar = pillars.create_pillar(s, ADMIN, brand="warisan", name="Old recipes")
        camp = campaigns.create_campaign(
            s, ADMIN, brand="warisan", slug="raya-old", name="Raya old", start_date=today,
            end_date=today + timedelta(days=20), pillars=[pillar.id],
        )  # fmt: skip
        over = campaigns.create_campaign(
            s, ADMIN, brand="warisan", slug="merdeka-past", name="Merdeka past",
            start_date=today - timedelta(days=60), end_date=today - timedelta(days=30), status="completed",
        )  # fmt: skip
    return brand_id, pillar.id, camp.id, over.id


def _archive(engine: Engine, pillar_id: int, campaign_id: int) -> None:
    with write_session(engine) as s:
        campaigns.archive_campaign(s, ADMIN, campaign_id)
        pillars.archive_pillar(s, ADMIN, pillar_id)


def test_archived_ones_leave_every_picker_but_past_campaigns_stay_in_filters(demo_db: Engine) -> None:
    brand_id, pillar_id, camp_id, over_id = _setup(demo_db)
    editor = _actor(demo_db, EDITOR)
    with read_session(demo_db) as s:
        before = editor_choices(s, editor, brand_id)
        assert pillar_id in dict(before.pillars) and camp_id in dict(before.campaigns)
        # A new post is offered active campaigns first, then planned ones; not those that are over.
        assert over_id not in dict(before.campaigns)
        statuses = [s.get(Campaign, i).status.value for i, _ in before.campaigns]
        assert statuses == sorted(statuses)  # "active" < "planned"
    _archive(demo_db, pillar_id, camp_id)
    with read_session(demo_db) as s:
        after = editor_choices(s, editor, brand_id)
        assert pillar_id not in dict(after.pillars) and camp_id not in dict(after.campaigns)
        filters = grid.filter_choices(s, editor, [brand_id])
        assert camp_id not in filters.campaigns and pillar_id not in filters.pillars
        assert over_id in filters.campaigns  # history: a campaign that is over is still a filter
        options = views.filter_options(s, editor, [brand_id])
        assert camp_id not in {c[0] for c in options.campaigns}
        assert over_id in {c[0] for c in options.campaigns}
        assert pillar_id not in dict(options.pillars)


def test_a_post_keeps_its_archived_pillar_and_campaign(demo_db: Engine) -> None:
    brand_id, pillar_id, camp_id, over_id = _setup(demo_db)
    editor = _actor(demo_db, EDITOR)
    d = PostDraft(
        title="Rendang for Raya", master_copy="Rendang!", post_type="text",
        pillar_id=pillar_id, campaign_id=camp_id,
    )  # fmt: skip
    with write_session(demo_db) as s:
        saved = composer.create_post(s, editor, "warisan", d)
    _archive(demo_db, pillar_id, camp_id)
    with read_session(demo_db) as s:
        kept = editor_choices(s, editor, brand_id, keep_pillar=pillar_id, keep_campaign=camp_id)
        assert dict(kept.pillars)[pillar_id] == "Old recipes (archived)"
        assert dict(kept.campaigns)[camp_id] == "Raya old (archived)"
        ended = editor_choices(s, editor, brand_id, keep_campaign=over_id)
        assert dict(ended.campaigns)[over_id] == "Merdeka past (completed)"
        # Another brand's pillar is never offered, even asked to keep it.
        other = s.query(Brand.id).filter(Brand.slug != "warisan").limit(1).scalar()
        assert pillar_id not in dict(editor_choices(s, editor, other, keep_pillar=pillar_id).pillars)
    with write_session(demo_db) as s:
        # Saving the post with them keeps them...
        composer.update_post(s, editor, saved.post_id, PostDraft(**{**d.__dict__, "title": "Rendang!"}), 1)
    with read_session(demo_db) as s:
        post = s.get(Post, saved.post_id)
        assert (post.title, post.pillar_id, post.campaign_id) == ("Rendang!", pillar_id, camp_id)
    # ...but a new post cannot take them.
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="'Raya old' is archived") as err:
        composer.create_post(s, editor, "warisan", PostDraft(**{**d.__dict__, "pillar_id": None}))
    assert err.value.field == "campaign_id"
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="'Old recipes' is archived"):
        composer.create_post(s, editor, "warisan", PostDraft(**{**d.__dict__, "campaign_id": None}))


def test_a_brief_keeps_its_archived_campaign(demo_db: Engine) -> None:
    brand_id, pillar_id, camp_id, _ = _setup(demo_db)
    editor = _actor(demo_db, EDITOR)
    fields = BriefFields(title="Raya brief", campaign_id=camp_id, pillar_id=pillar_id)
    with write_session(demo_db) as s:
        brief_id = briefs.create_brief(s, editor, brand_id, fields)
    _archive(demo_db, pillar_id, camp_id)
    with write_session(demo_db) as s:
        briefs.update_brief(
            s, editor, brief_id, BriefFields(**{**fields.__dict__, "audience": "Families"}), 1
        )
    with read_session(demo_db) as s:
        detail = briefs.get_brief(s, editor, brief_id)
    assert (detail.fields.audience, detail.fields.campaign_id, detail.fields.pillar_id) == (
        "Families", camp_id, pillar_id,
    )  # fmt: skip
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="'Raya old' is archived"):
        briefs.create_brief(s, editor, brand_id, fields)


def test_bulk_import_says_a_name_is_archived(demo_db: Engine) -> None:
    _, pillar_id, camp_id, _ = _setup(demo_db)
    _archive(demo_db, pillar_id, camp_id)
    rows = [
        template_row(channel="warisan-x", copy="Jumpa!", title="One", pillar="old recipes"),
        template_row(channel="warisan-x", copy="Jumpa!", title="Two", campaign="raya-old"),
        template_row(channel="warisan-x", copy="Jumpa!", title="Three", campaign="Merdeka past"),
    ]
    with write_session(demo_db) as s:
        report = import_posts(
            s, _actor(demo_db, EDITOR), "warisan", template_csv(rows), "p.csv", dry_run=True
        )
    reasons = {(p.row, p.column): p.reason for p in report.problems}
    assert reasons == {
        (2, "pillar"): "pillar 'old recipes' is archived",
        (3, "campaign"): "campaign 'raya-old' is archived",
    }
