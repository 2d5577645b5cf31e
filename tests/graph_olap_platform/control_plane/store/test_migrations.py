"""Alembic migrations build the schema from empty on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Integer, Table, delete, inspect
from sqlalchemy.exc import IntegrityError

from graph_olap_platform.control_plane.store.db import Store, alembic_config
from graph_olap_platform.control_plane.store.tables import (
    ApiKey,
    Base,
    ExportJobRow,
    InstanceEventRow,
    InstanceRow,
    MappingRow,
    MappingVersionRow,
    SnapshotRow,
    User,
)
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
        assert MigrationContext.configure(connection).get_current_revision() == "0003"


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


# -- 0003: ids of deleted rows are never reused -------------------------------------------------


def _integer_id_tables() -> list[Table]:
    """The tables whose (single) primary key is an integer id."""
    tables = []
    for table in Base.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        if len(key) == 1 and isinstance(key[0].type, Integer):
            tables.append(table)
    return tables


def test_every_integer_id_table_is_sqlite_autoincrement(tmp_path: Path) -> None:
    tables = {table.name for table in _integer_id_tables()}
    assert tables >= {"api_keys", "mappings", "snapshots", "instances", "export_jobs"}
    assert all(table.dialect_options["sqlite"]["autoincrement"] for table in _integer_id_tables())
    store = Store(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        store.migrate()
        with store.engine.connect() as connection:
            ddl = dict(connection.exec_driver_sql("SELECT name, sql FROM sqlite_master").all())
        for name in tables:
            assert "PRIMARY KEY AUTOINCREMENT" in ddl[name], ddl[name]
    finally:
        store.dispose()


def _fill(store: Store) -> None:
    """Rows in every table; mapping 2 is deleted again, so the ids have a gap."""
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    with store.session(write=True) as session:
        session.add(User(username="ann", role="analyst", created_at=now, updated_at=now))
        session.flush()
        session.add(ApiKey(username="ann", prefix="gok_1", key_hash="a" * 64))
        session.flush()
        mappings = []
        for number in range(1, 4):
            mapping = MappingRow(owner_username="ann", name=f"m{number}", created_at=now)
            mapping.versions.append(
                MappingVersionRow(
                    version=1,
                    node_definitions=[{"label": f"L{number}"}],
                    edge_definitions=[],
                    created_by="ann",
                )
            )
            session.add(mapping)
            session.flush()
            mappings.append(mapping)
        session.delete(mappings[1])
        session.flush()
        snapshot = SnapshotRow(
            mapping_id=mappings[2].id,
            mapping_version=1,
            owner_username="ann",
            name="s",
            node_counts={"L3": 7},
            status="ready",
        )
        session.add(snapshot)
        session.flush()
        session.add(
            ExportJobRow(
                snapshot_id=snapshot.id,
                job_type="node",
                entity_name="L3",
                sql="SELECT 1",
                column_names=["id"],
                gcs_path="/x",
            )
        )
        instance = InstanceRow(
            snapshot_id=snapshot.id,
            owner_username="ann",
            wrapper_type="ryugraph",
            name="i",
            url_slug="0f6c3f8e-2b1e-4d3c-9a55-0c0ffee00001",
            status="running",
        )
        session.add(instance)
        session.flush()
        session.add(InstanceEventRow(instance_id=instance.id, event_type="cpu_updated"))


def _contents(store: Store) -> dict[str, list[Any]]:
    """Every row of every table (ordered by primary key), plus the schema as reflected."""
    inspector = inspect(store.engine)
    contents: dict[str, list[Any]] = {}
    with store.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            key = ", ".join(column.name for column in table.primary_key.columns)
            rows = connection.exec_driver_sql(f"SELECT * FROM {table.name} ORDER BY {key}").all()
            contents[table.name] = [tuple(row) for row in rows]
            name = table.name
            contents[f"{name} schema"] = [
                [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)],
                inspector.get_pk_constraint(table.name)["constrained_columns"],
                sorted(repr(sorted(fk.items())) for fk in inspector.get_foreign_keys(table.name)),
                sorted(repr(sorted(ix.items())) for ix in inspector.get_indexes(table.name)),
                sorted(
                    repr(sorted(uc["column_names"]))
                    for uc in inspector.get_unique_constraints(table.name)
                ),
            ]
    return contents


def test_upgrade_from_0002_keeps_every_row_and_never_reuses_ids(empty_store: Store) -> None:
    config = alembic_config(empty_store.engine)
    command.upgrade(config, "0002")
    _fill(empty_store)
    before = _contents(empty_store)
    assert [row[0] for row in before["mappings"]] == [1, 3]
    assert len(before["mapping_versions"]) == 2

    empty_store.migrate()

    assert _contents(empty_store) == before
    with empty_store.engine.connect() as connection:
        if empty_store.dialect == "sqlite":
            ddl = dict(connection.exec_driver_sql("SELECT name, sql FROM sqlite_master").all())
            for table in _integer_id_tables():
                assert "PRIMARY KEY AUTOINCREMENT" in ddl[table.name], ddl[table.name]
            # The server's connections enforce foreign keys again after the migration.
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    # Numbering continues after the current max; deleting the newest does not free its id.
    with empty_store.session(write=True) as session:
        fourth = MappingRow(owner_username="ann", name="m4")
        session.add(fourth)
        session.flush()
        assert fourth.id == 4
        session.delete(fourth)
    with empty_store.session(write=True) as session:
        fifth = MappingRow(owner_username="ann", name="m5")
        session.add(fifth)
        session.flush()
        assert fifth.id == 5
    # Foreign keys and their cascades survived the rebuild.
    orphan = MappingVersionRow(
        mapping_id=999, version=1, node_definitions=[], edge_definitions=[], created_by="ann"
    )
    with pytest.raises(IntegrityError), empty_store.session(write=True) as session:
        session.add(orphan)
    with empty_store.session(write=True) as session:
        session.execute(delete(InstanceRow))
    with empty_store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM instance_events").scalar() == 0


def test_downgrade_from_0003_keeps_every_row(empty_store: Store) -> None:
    config = alembic_config(empty_store.engine)
    command.upgrade(config, "0002")
    _fill(empty_store)
    before = _contents(empty_store)
    empty_store.migrate()

    command.downgrade(config, "0002")

    assert _contents(empty_store) == before
    if empty_store.dialect == "sqlite":
        with empty_store.engine.connect() as connection:
            ddl = dict(connection.exec_driver_sql("SELECT name, sql FROM sqlite_master").all())
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        for table in _integer_id_tables():
            assert "AUTOINCREMENT" not in ddl[table.name], ddl[table.name]
