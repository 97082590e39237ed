"""Briefs as an editor writes them: the standard fields, saved with the brand, then turned into posts
linked back to the brief."""

from __future__ import annotations

from pagekit import assert_page_ok, new_app, shown, signed_in
from sqlalchemy import Engine, select

from app.db import read_session
from app.models import Brief, Post
from app.models.enums import PostStatus


def test_write_a_brief_and_turn_it_into_posts(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = signed_in(new_app(), "farah.aziz@kopi.example")
    at.query_params["brand"] = "warisan"
    at.run()
    at.switch_page("pages/plan/briefs.py").run()
    assert_page_ok(at, "Briefs")
    fields = {t.label: t for t in at.text_area}
    next(t for t in at.text_input if t.label == "Title").input("Hari Raya breakfast push")
    fields["Audience"].input("Office workers in KL, 25-40, Malay and English")
    fields["Key messages"].input("Breakfast set RM9.90 all Raya week; open from 7am")
    fields["Success metrics"].input("Engagement rate above 4%; 300 link clicks")
    next(b for b in at.button if b.label == "Save brief").click().run()
    assert_page_ok(at, "Briefs")
    assert any("Hari Raya breakfast push" in shown(s.value) for s in at.success)
    with read_session(demo_db) as s:
        brief = s.scalars(select(Brief).where(Brief.title == "Hari Raya breakfast push")).one()
    assert brief.audience.startswith("Office workers") and brief.brand_id is not None

    at.selectbox(key="brief_pick").select(brief.id).run()
    next(t for t in at.text_area if t.label == "New posts, one title per line").input(
        "Teaser\nRaya morning carousel"
    )
    next(b for b in at.button if b.label == "Create the posts").click().run()
    assert_page_ok(at, "Briefs")
    with read_session(demo_db) as s:
        posts = s.scalars(select(Post).where(Post.brief_id == brief.id).order_by(Post.id)).all()
        assert [(p.title, p.status) for p in posts] == [
            ("Teaser", PostStatus.IDEA),
            ("Raya morning carousel", PostStatus.IDEA),
        ]
        assert posts[0].master_copy == "Breakfast set RM9.90 all Raya week; open from 7am"
        assert s.get(Brief, brief.id).status.value == "active"
