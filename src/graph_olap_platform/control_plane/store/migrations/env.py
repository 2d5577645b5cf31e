"""Alembic environment: runs migrations on the engine handed over by ``Store.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from graph_olap_platform.control_plane.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_engine(
        config.get_main_option("sqlalchemy.url") or ""
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("graph-olap migrations run online only")
run_migrations_online()
