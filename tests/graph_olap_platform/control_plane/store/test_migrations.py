"""Alembic migrations build the schema from empty on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from graph_olap_platform.control_plane.store.db import Store, alembic_config
from graph_olap_platform.control_plane.store.tables import Base
from tests.support.postgres import PostgresServer

EXPECTED_TABLES = {
    "users",
    "api_keys",
    "mappings",
    "mapping_versions",
    "snapshots",
    "instances",
    "export_jobs",
    "instance_events",
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres")
        url = server.create_database().replace("postgresql://", "postgresql+psycopg://")
    else:
        url = f"sqlite:///{tmp_path / 'store.db'}"
    store = Store(url)
    request.addfinalizer(store.dispose)
    return store


def test_upgrade_from_empty_matches_the_models(empty_store: Store) -> None:
    assert not inspect(empty_store.engine).get_table_names()
    empty_store.migrate()
    assert set(inspect(empty_store.engine).get_table_names()) >= EXPECTED_TABLES
    with empty_store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == [], f"models and migrations disagree: {differences}"


def test_downgrade_to_base_and_up_again(empty_store: Store) -> None:
    empty_store.migrate()
    command.downgrade(alembic_config(empty_store.engine), "base")
    assert set(inspect(empty_store.engine).get_table_names()) <= {"alembic_version"}
    empty_store.migrate()
    assert set(inspect(empty_store.engine).get_table_names()) >= EXPECTED_TABLES


def test_migrate_is_idempotent(empty_store: Store) -> None:
    empty_store.migrate()
    empty_store.migrate()
    with empty_store.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == "0002"


def test_sqlite_store_runs_in_wal_mode(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with store.engine.connect() as connection:
            mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
            foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
        assert (mode, synchronous, foreign_keys) == ("wal", 2, 1)  # 2 = FULL
    finally:
        store.dispose()
