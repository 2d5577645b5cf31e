"""SQLite: never reuse the id of a deleted row (AUTOINCREMENT on every integer primary key).

Without ``AUTOINCREMENT`` SQLite hands out ``max(rowid) + 1``, so deleting the newest mapping,
snapshot or instance gave its id to the next one created, and a client still holding the old id
silently addressed a different resource. SQLite cannot add ``AUTOINCREMENT`` to an existing
table, so each table is rebuilt (Alembic batch mode, ``recreate="always"``): rows, ids, indexes,
unique and foreign-key constraints are carried over, and the copy leaves ``sqlite_sequence`` at
the current max id, so numbering continues after it. (An id deleted above the current max
before this migration left no trace, so it cannot be protected.)

``env.py`` turns SQLite's foreign keys off around migrations (dropping a parent table would
otherwise cascade-delete its children); this migration checks them before it commits.

PostgreSQL identity/serial columns never reuse ids: there this migration does nothing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table with an integer primary key, parents before children.
TABLES = ("api_keys", "mappings", "snapshots", "instances", "export_jobs", "instance_events")


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)


def _rebuild(*, autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass
    violations = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if violations:
        raise RuntimeError(f"foreign keys broken by the table rebuild: {violations}")
