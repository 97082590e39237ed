"""Tracked links with governed UTM naming: the house defaults, a brand's conventions (managers only,
validated, audited), refusal of values that break the brand's rule, the link's own query kept, the
TrackedLink row and its audit entry, and finding links that lack UTM tags."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from caldata import add_campaign, add_variant, future, make_brand
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import AuditLog, Brand, TrackedLink
from app.models.enums import Role
from app.services.content import utm
from app.services.core import Actor, PermissionDenied, ValidationError


@pytest.fixture
def shop(demo_db: Engine) -> dict:
    with write_session(demo_db) as s:
        brand, ch = make_brand(s, "utmshop")
        spring = add_campaign(s, brand, "Spring Sale", "spring_sale")
        unnamed = add_campaign(s, brand, "Hari Raya Deals 2030")
        post = add_variant(s, brand, ch["instagram"], title="Spring", when=future(), campaign=spring).post
        return {
            "engine": demo_db,
            "brand": brand.id,
            "spring": spring.id,
            "unnamed": unnamed.id,
            "post": post.id,
            "editor": Actor(email="ed@utm.test", brand_roles={brand.id: Role.EDITOR}),
            "manager": Actor(email="boss@utm.test", brand_roles={brand.id: Role.MANAGER}),
        }


def build(shop: dict, **kw) -> utm.TrackedLinkInfo:  # type: ignore[no-untyped-def]
    args = {"brand_id": shop["brand"], "url": "https://shop.example/spring", "platform": "instagram", **kw}
    with write_session(shop["engine"]) as s:
        return utm.build_link(
            s, kw.pop("actor", shop["editor"]), **{k: v for k, v in args.items() if k != "actor"}
        )


def query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def test_house_defaults(shop: dict) -> None:
    link = build(shop, campaign_id=shop["spring"], post_id=shop["post"])
    assert query(link.full_url) == {
        "utm_source": "instagram",
        "utm_medium": "social",
        "utm_campaign": "spring_sale",
        "utm_content": f"{shop['post']}-instagram",
    }
    assert build(shop, campaign_id=shop["unnamed"]).utm_campaign == "hari-raya-deals-2030", "slug of the name"
    assert build(shop, post_id=shop["post"]).utm_campaign == "spring_sale", "the post's campaign"
    no_campaign = build(shop, platform="linkedin", medium="paid_social")
    assert (no_campaign.utm_campaign, no_campaign.utm_medium, no_campaign.utm_source) == (
        "always-on",
        "paid_social",
        "linkedin",
    )
    assert no_campaign.utm_content is None and "utm_content" not in query(no_campaign.full_url)


def test_existing_query_kept_and_utm_replaced(shop: dict) -> None:
    link = build(
        shop,
        url="https://shop.example/p?id=7&ref=&utm_source=facebook&UTM_Medium=email#reviews",
        campaign_id=shop["spring"],
        content="hero-banner",
    )
    q = query(link.full_url)
    assert q["id"] == "7" and q["ref"] == "" and q["utm_source"] == "instagram"
    assert "UTM_Medium" not in q and q["utm_medium"] == "social" and q["utm_content"] == "hero-banner"
    assert link.full_url.endswith("#reviews")
    assert link.base_url == "https://shop.example/p?id=7&ref=#reviews"


def test_the_row_and_the_audit_entry(shop: dict) -> None:
    link = build(shop, campaign_id=shop["spring"], post_id=shop["post"])
    with read_session(shop["engine"]) as s:
        row = s.get(TrackedLink, link.id)
        entry = s.scalars(
            select(AuditLog).where(AuditLog.object_type == "tracked_link", AuditLog.object_id == str(link.id))
        ).one()
    assert (
        row.full_url == link.full_url and row.brand_id == shop["brand"] and row.campaign_id == shop["spring"]
    )
    assert (row.utm_source, row.utm_medium, row.utm_campaign) == ("instagram", "social", "spring_sale")
    assert entry.actor == "ed@utm.test" and entry.after["utm_campaign"] == "spring_sale"


def test_brand_conventions_apply(shop: dict) -> None:
    conv = {
        "source": {"instagram": "ig", "X": "twitter"},
        "medium": "organic-social",
        "campaign_pattern": r"^[a-z]+_[a-z]+$",
        "content": "{platform}-{post_id}",
        "default_campaign": "ever_green",
    }
    with write_session(shop["engine"]) as s:
        saved = utm.set_conventions(s, shop["manager"], "utmshop", conv)
    assert saved.source == {"instagram": "ig", "x": "twitter"}
    with read_session(shop["engine"]) as s:
        assert utm.get_conventions(s, shop["editor"], shop["brand"]) == saved
        entry = s.scalars(select(AuditLog).where(AuditLog.object_type == "brand_utm_conventions")).one()
        assert entry.actor == "boss@utm.test" and entry.after["medium"] == "organic-social"
    link = build(shop, campaign_id=shop["spring"], post_id=shop["post"])
    assert query(link.full_url) == {
        "utm_source": "ig",
        "utm_medium": "organic-social",
        "utm_campaign": "spring_sale",
        "utm_content": f"instagram-{shop['post']}",
    }
    assert build(shop, platform="facebook").utm_source == "facebook", "platforms not listed keep their name"
    assert build(shop).utm_campaign == "ever_green"


def test_a_value_that_breaks_the_pattern_is_refused(shop: dict) -> None:
    with write_session(shop["engine"]) as s:
        utm.set_conventions(
            s,
            shop["manager"],
            "utmshop",
            {"campaign_pattern": r"^utmshop-[a-z0-9-]+$", "default_campaign": "utmshop-evergreen"},
        )
    with pytest.raises(
        ValidationError, match=r"utm_campaign 'spring_sale' breaks Brand utmshop's naming rule"
    ):
        build(shop, campaign_id=shop["spring"])
    with read_session(shop["engine"]) as s:
        assert s.scalars(select(TrackedLink).where(TrackedLink.brand_id == shop["brand"])).all() == []
    with pytest.raises(ValidationError, match="lowercase letters"):
        build(shop, content="Hero Banner")
    with pytest.raises(ValidationError, match="http"):
        build(shop, url="javascript:alert(1)")


@pytest.mark.parametrize(
    ("conventions", "message"),
    [
        ({"campaign_pattern": "(["}, "not a valid regular expression"),
        ({"medium": "Social Media"}, "lowercase letters"),
        ({"source": {"myspace": "ms"}}, "unknown platform"),
        ({"colour": "red"}, "unknown UTM convention"),
        ({"content": "{post_id}-{secret}"}, "allowed: {campaign}, {platform}, {post_id}"),
        ({"campaign_pattern": "^[0-9]+$"}, "default campaign 'always-on' breaks"),
    ],
)
def test_conventions_are_validated(shop: dict, conventions: dict, message: str) -> None:
    with write_session(shop["engine"]) as s, pytest.raises(ValidationError, match=message):
        utm.set_conventions(s, shop["manager"], shop["brand"], conventions)


def test_only_managers_and_admins_set_conventions(shop: dict) -> None:
    with write_session(shop["engine"]) as s, pytest.raises(PermissionDenied, match="manage SOP templates"):
        utm.set_conventions(s, shop["editor"], shop["brand"], {"medium": "social"})
    with write_session(shop["engine"]) as s:
        utm.set_conventions(s, Actor.system("test:admin"), shop["brand"], {"medium": "social"})
    viewer = Actor(email="v@utm.test", brand_roles={shop["brand"]: Role.VIEWER})
    with pytest.raises(PermissionDenied):
        build(shop, actor=viewer)


def test_stored_rules_broken_outside_the_app_fall_back_to_the_house(shop: dict) -> None:
    with write_session(shop["engine"]) as s:
        s.get(Brand, shop["brand"]).utm_conventions = {"campaign_pattern": "(["}
    with read_session(shop["engine"]) as s:
        assert utm.get_conventions(s, shop["editor"], shop["brand"]) == utm.HOUSE
    assert utm.sources_from_text("instagram = ig\n\nX=tw") == {"instagram": "ig", "x": "tw"}
    with pytest.raises(ValidationError, match="line 1"):
        utm.sources_from_text("instagram")


def test_missing_utm() -> None:
    good = "https://a.example/x?utm_source=ig&utm_medium=social&utm_campaign=spring"
    text = f"New drop! {good}. Also see https://b.example/y?utm_source=ig, and (https://c.example/z?utm_campaign=)."
    assert utm.missing_utm(text) == ["https://b.example/y?utm_source=ig", "https://c.example/z?utm_campaign="]
    assert utm.missing_utm(good) == []
    assert utm.missing_utm("no links here") == []
    assert utm.missing_utm("https://a.example/") == ["https://a.example/"]
