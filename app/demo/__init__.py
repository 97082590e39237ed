"""Demo data: the realistic "Kopi Digital Agency" workspace a newcomer sees on first start, and the
agency-scale synthetic data set (thousands of brands, millions of metric rows) for load and speed tests."""

from sqlalchemy import Engine

from app.demo.agency import build_agency
from app.demo.common import DemoSummary
from app.demo.workspace import seed_demo_workspace
from app.services.core import Actor
from app.services.org import Progress

__all__ = ["DemoSummary", "build_agency", "seed_demo_workspace", "seed_first_start"]


def seed_first_start(engine: Engine, actor: Actor, progress: Progress) -> DemoSummary:
    """The demo workspace as `org.prepare_database` seeds a new database (its `Seeder` shape)."""
    return seed_demo_workspace(engine, actor=actor, progress=progress)
