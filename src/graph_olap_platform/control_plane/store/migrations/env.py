"""Alembic environment: runs migrations on the engine handed over by ``Store.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from graph_olap_platform.control_plane.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _sqlite_foreign_keys(connection: Connection, value: int | None = None) -> int:
    """Read (and with ``value`` set) SQLite's ``foreign_keys`` pragma.

    The pragma is a no-op inside a transaction, so it goes straight to the driver connection,
    which is in autocommit mode until SQLAlchemy begins one.
    """
    driver = connection.connection.driver_connection
    assert driver is not None
    if value is not None:
        driver.execute(f"PRAGMA foreign_keys={int(value)}")
    return int(driver.execute("PRAGMA foreign_keys").fetchone()[0])


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_engine(
        config.get_main_option("sqlalchemy.url") or ""
    )
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        # Batch migrations rebuild SQLite tables (copy, drop, rename). With foreign keys on,
        # dropping a parent table deletes its rows first and so cascades into its children;
        # SQLite's documented procedure turns them off for the change (migrations that
        # rebuild tables run PRAGMA foreign_key_check before they commit).
        enforced = _sqlite_foreign_keys(connection) if sqlite else 0
        if sqlite and _sqlite_foreign_keys(connection, 0):
            raise RuntimeError("could not turn SQLite foreign keys off for the migration")
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=sqlite,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if sqlite:
                connection.rollback()
                _sqlite_foreign_keys(connection, enforced)


if context.is_offline_mode():
    raise SystemExit("graph-olap migrations run online only")
run_migrations_online()
