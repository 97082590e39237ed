"""Alembic environment: runs migrations on the engine app.db hands over (no alembic.ini needed).

Custom column types are rendered as their plain SQLAlchemy implementation, so migration files never
import application code and stay valid however the models evolve.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import TypeDecorator

from app.db import get_engine
from app.models import Base

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    if type_ == "type" and isinstance(obj, TypeDecorator):
        impl = obj.impl_instance if hasattr(obj, "impl_instance") else obj.impl
        return f"sa.{impl!r}"
    return False


def run_migrations() -> None:
    engine = config.attributes.get("engine") or get_engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_item=render_item,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `python -m app db upgrade`")
run_migrations()
