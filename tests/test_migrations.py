"""The Alembic migrations and the models describe the same schema, and upgrades keep data."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text

from app.db import current_revision, get_engine, head_revision, known_revisions, read_session, upgrade
from app.models import Base, Brand, Campaign, Market, Workspace


def test_models_and_migrations_agree(empty_db: Engine) -> None:
    with empty_db.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models differ from the migrations; run `python -m app db revision -m ...`: {diff}"


def test_upgrade_creates_every_table(empty_db: Engine) -> None:
    assert current_revision(empty_db) == head_revision()
    assert set(Base.metadata.tables) <= set(inspect(empty_db).get_table_names())


def _first_revision() -> str:
    from alembic.script import ScriptDirectory

    from app.db import MIGRATIONS_DIR

    return next(
        r.revision for r in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions() if r.down_revision is None
    )


def test_upgrade_from_first_migration_keeps_data(databases) -> None:  # type: ignore[no-untyped-def]
    engine = get_engine(databases.new())
    first = _first_revision()
    upgrade(engine, first)
    assert current_revision(engine) == first
    now = datetime.now(UTC)
    # Raw SQL on purpose: the rows are written the way the first schema knew them.
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO workspaces (id, slug, name, is_demo, publishing_paused, default_timezone, created_at, version)"
                " VALUES (1, 'acme', 'Acme', false, false, 'UTC', :now, 1)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO markets (id, workspace_id, code, name, country_code, languages, timezone, currency,"
                " date_format, created_at, version) VALUES (1, 1, 'sg', 'Singapore', 'SG', '[\"en\"]',"
                " 'Asia/Singapore', 'SGD', '%d/%m/%Y', :now, 1)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO brands (id, workspace_id, slug, name, market_id, regulated, color, active,"
                " publishing_paused, created_at, version) VALUES (1, 1, 'lumi', 'Lumi', 1, true, '#112233', true,"
                " false, :now, 1)"
            ),
            {"now": now},
        )
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with read_session(engine) as s:
        brand = s.scalars(select(Brand)).one()
        assert (brand.slug, brand.name, brand.regulated) == ("lumi", "Lumi", True)
        assert s.get(Market, 1).languages == ["en"]
        assert s.get(Workspace, 1).created_at.tzinfo is not None


def test_revisions_form_one_line() -> None:
    from alembic.script import ScriptDirectory

    from app.db import MIGRATIONS_DIR

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    assert len(script.get_heads()) == 1, "two migration heads: merge them"
    assert head_revision() in known_revisions()


def test_strategy_layer_downgrades_and_upgrades_again_keeping_campaigns(databases) -> None:  # type: ignore[no-untyped-def]
    """0009 adds and drops its columns in place: a campaign keeps its objective and its posts both ways
    (on SQLite a copied table would run ON DELETE SET NULL on everything pointing at it)."""
    from alembic import command

    from app.db import alembic_config

    engine = get_engine(databases.new())
    upgrade(engine, "0008")
    now = datetime.now(UTC)
    rows = [
        "INSERT INTO workspaces (id, slug, name, is_demo, publishing_paused, default_timezone, created_at,"
        " version) VALUES (1, 'acme', 'Acme', false, false, 'UTC', :now, 1)",
        "INSERT INTO markets (id, workspace_id, code, name, country_code, languages, timezone, currency,"
        " date_format, created_at, version) VALUES (1, 1, 'sg', 'Singapore', 'SG', '[\"en\"]',"
        " 'Asia/Singapore', 'SGD', '%d/%m/%Y', :now, 1)",
        "INSERT INTO brands (id, workspace_id, slug, name, market_id, regulated, color, active,"
        " publishing_paused, utm_conventions, created_at, version) VALUES (1, 1, 'lumi', 'Lumi', 1, false,"
        " '#112233', true, false, '{}', :now, 1)",
        "INSERT INTO objectives (id, brand_id, name, kind, description, created_at, version)"
        " VALUES (1, 1, 'Be known', 'awareness', '', :now, 1)",
        "INSERT INTO campaigns (id, brand_id, objective_id, slug, name, description, status, start_date,"
        " end_date, created_at, version) VALUES (1, 1, 1, 'launch', 'Launch', '', 'planned', '2027-01-04',"
        " '2027-02-28', :now, 1)",
    ]
    with engine.begin() as conn:
        for sql in rows:
            conn.execute(text(sql), {"now": now})
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT objective_id FROM campaigns")).scalar_one() == 1
        assert {"audience_segments", "campaign_pillars"} <= set(inspect(conn).get_table_names())
    with read_session(engine) as s:
        campaign = s.scalars(select(Campaign)).one()
        assert (campaign.markets, campaign.channel_ids, campaign.archived_at) == ([], [], None)
    command.downgrade(alembic_config(engine), "0008")
    assert current_revision(engine) == "0008"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT objective_id FROM campaigns")).scalar_one() == 1
        names = set(inspect(conn).get_table_names())
        assert "audience_segments" not in names and "campaign_pillars" not in names
        assert "kpi_metric_key" not in {c["name"] for c in inspect(conn).get_columns("objectives")}
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []
