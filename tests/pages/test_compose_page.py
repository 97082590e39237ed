"""The composer as an editor uses it: write a post for two channels, see a platform limit live, save,
reopen it by link, and submit it for approval."""

from __future__ import annotations

from datetime import date, time, timedelta

from pagekit import assert_page_ok, new_app, shown, signed_in
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from app.db import read_session
from app.models import Post
from app.models.enums import PostStatus

EDITOR = "farah.aziz@kopi.example"


def open_compose(brand: str = "warisan", post_id: int | None = None) -> AppTest:
    at = signed_in(new_app(), EDITOR)
    at.query_params["brand"] = brand
    at.run()
    at.switch_page("pages/plan/compose.py")
    if post_id is not None:
        at.query_params["post"] = str(post_id)
    return at.run()


def button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def test_write_check_save_reopen_and_submit(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    at = open_compose()
    assert_page_ok(at, "Compose")
    at.text_input(key="c_title").input("Weekend kaya toast promo")
    at.text_area(key="c_master").input("Kaya toast + kopi RM5.90 this weekend only!")
    at.multiselect(key="c_channels").select("warisan-facebook").select("warisan-x").run()
    assert_page_ok(at, "Compose")

    # X's live check: over 280 characters is an error before anything is saved.
    at.text_area(key="c_copy_warisan-x").input("Kaya toast " * 30).run()
    assert any("X: 330 characters, the limit is 280" in shown(e.value) for e in at.error)
    at.text_area(key="c_copy_warisan-x").input("Kaya toast + kopi RM5.90 this weekend ☕ #kayatoast").run()
    assert not any("the limit is 280" in shown(e.value) for e in at.error)

    day = date.today() + timedelta(days=4)
    for slug in ("warisan-facebook", "warisan-x"):
        at.date_input(key=f"c_date_{slug}").set_value(day)
        at.time_input(key=f"c_time_{slug}").set_value(time(9, 30))
    at.run()
    button(at, "Save").click().run()
    assert_page_ok(at, "Compose")
    assert any("Saved as a draft" in shown(s.value) for s in at.success)
    post_id = int(at.query_params["post"])
    with read_session(demo_db) as s:
        post = s.get(Post, post_id)
        assert post.title == "Weekend kaya toast promo" and len(post.variants) == 2
        # 09:30 in Kuala Lumpur is 01:30 UTC
        assert {v.scheduled_at.strftime("%H:%M") for v in post.variants} == {"01:30"}

    reopened = open_compose(post_id=post_id)
    assert reopened.text_input(key="c_title").value == "Weekend kaya toast promo"
    assert reopened.text_area(key="c_copy_warisan-x").value.endswith("#kayatoast")
    button(reopened, "Submit for approval").click().run()
    assert_page_ok(reopened, "Compose")
    with read_session(demo_db) as s:
        assert s.scalars(select(Post.status).where(Post.id == post_id)).one() == PostStatus.IN_REVIEW


def test_a_second_save_is_refused_and_shows_both_versions(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    from app.db import write_session
    from app.services.content import composer, load_post
    from app.services.org import users

    use_db(demo_db)
    with read_session(demo_db) as s:
        post_id = s.scalars(
            select(Post.id).where(Post.status == PostStatus.DRAFT, Post.title.is_not(None)).order_by(Post.id)
        ).first()
        lead = users.load_actor(s, "mei.lim@kopi.example")
        view = load_post(s, lead, post_id)
        brand = s.get(Post, post_id).brand_id
    from app.models import Brand

    with read_session(demo_db) as s:
        slug = s.get(Brand, brand).slug
    at = open_compose(brand=slug, post_id=post_id)  # Farah opens the post...
    with write_session(demo_db) as s:  # ...and Mei saves a new title meanwhile
        composer.update_post(
            s,
            lead,
            post_id,
            view.draft.__class__(**{**view.draft.__dict__, "title": "Mei's title"}),
            view.version,
        )
    at.text_input(key="c_title").input("Farah's title").run()
    button(at, "Save").click().run()
    assert any("changed by someone else" in shown(e.value) for e in at.error)
    table = at.dataframe[-1].value
    row = table[table["field"] == "Title"].iloc[0]
    assert row.iloc[1] == "Mei's title" and row.iloc[2] == "Farah's title"
    with read_session(demo_db) as s:
        assert s.get(Post, post_id).title == "Mei's title"  # nothing overwritten
