"""A small workspace for the strategy services: two markets, two brands with a channel each, two metrics
of the dictionary, and one objective, segment, pillar and campaign of the first brand."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from sqlalchemy import Engine

from app.db import get_engine, write_session
from app.models.enums import Role
from app.services.core import Actor
from app.services.measurement import dictionary
from app.services.org import brands, channels, markets
from app.services.org.workspace import create_workspace
from app.services.strategy import campaigns, objectives, pillars, segments
from tests.services.writekit import module_store

START = date(2027, 1, 4)
END = date(2027, 3, 28)


def build(engine: Engine) -> dict[str, int]:
    """The workspace; returns the ids of the first brand's strategy rows."""
    admin = Actor.system("test:strategy")
    with write_session(engine) as s:
        create_workspace(s, admin, name="Acme", slug="acme")
        for code, name, country, tz, currency in (
            ("sg", "Singapore", "SG", "Asia/Singapore", "SGD"),
            ("my", "Malaysia", "MY", "Asia/Kuala_Lumpur", "MYR"),
        ):
            markets.create_market(
                s,
                admin,
                code=code,
                name=name,
                country_code=country,
                languages="en",
                timezone=tz,
                currency=currency,
            )
        brands.create_brand(s, admin, slug="lumi", name="Lumi Skincare", market="sg")
        brands.create_brand(s, admin, slug="teh", name="Teh Tarik House", market="my")
        channels.create_channel(s, admin, brand="lumi", platform="instagram", handle="@lumiskin")
        channels.create_channel(s, admin, brand="teh", platform="instagram", handle="@tehtarik")
        dictionary.save_metric(s, admin, dictionary.MetricInput(key="reach", name="Reach"))
        dictionary.save_metric(
            s,
            admin,
            dictionary.MetricInput(
                key="engagement_rate", name="Engagement rate", unit="percent", formula="engagements / reach"
            ),
        )
        o = objectives.create_objective(
            s,
            admin,
            brand="lumi",
            name="Be known in Singapore",
            kind="awareness",
            kpi_metric="reach",
            target_value=50000,
        )
        g = segments.create_segment(
            s, admin, brand="lumi", name="Young professionals", markets=["sg"], platforms=["instagram"]
        )
        p = pillars.create_pillar(s, admin, brand="lumi", name="Skin science", target_share_pct=40)
        c = campaigns.create_campaign(
            s,
            admin,
            brand="lumi",
            slug="spring-glow",
            name="Spring glow",
            start_date=START,
            end_date=END,
            objective=o.id,
        )
    return {"objective": o.id, "segment": g.id, "pillar": p.id, "campaign": c.id}


@pytest.fixture
def strategy_db(databases, empty_template: str) -> Iterator[tuple[Engine, dict[str, int]]]:  # type: ignore[no-untyped-def]
    """A private copy for a test that writes (dropped afterwards)."""
    url = databases.new(template=empty_template)
    engine = get_engine(url)
    ids = build(engine)
    yield engine, ids
    databases.drop(url)


@pytest.fixture(scope="module")
def shared_strategy_db(databases, empty_template: str) -> Iterator[tuple[Engine, dict[str, int]]]:  # type: ignore[no-untyped-def]
    """One copy for a module whose tests roll back what they write."""
    yield from module_store(databases, empty_template, build)


@pytest.fixture
def as_role() -> Callable[..., Actor]:
    """Someone with a role on the whole workspace, or (brand_id given) on one brand only."""

    def make(role: Role, brand_id: int | None = None) -> Actor:
        if brand_id is None:
            return Actor(email=f"{role.value}@acme.test", name=role.label, workspace_role=role)
        return Actor(email=f"{role.value}@lumi.test", name=role.label, brand_roles={brand_id: role})

    return make
