"""The end-to-end flow with PostgreSQL as the warehouse.

A real PostgreSQL server (started by the test set-up) holds the demo tables, loaded with
``load_demo_postgres``; the platform runs with ``GRAPH_OLAP_WAREHOUSE_URL`` pointing at it. The
demo mapping validates against PostgreSQL's types unchanged (``text``, ``date``, ``double
precision`` and ``integer`` fit the declared ``STRING``, ``DATE``, ``DOUBLE`` and ``INT64`` exactly
as DuckDB's ``VARCHAR``, ``DATE``, ``DOUBLE`` and ``INTEGER`` do), snapshots are exported from
PostgreSQL and instances are queried like those on the embedded DuckDB warehouse.

The expected answers are computed with SQL twice: on PostgreSQL and on a freshly built DuckDB
demo warehouse, so the graphs answer what the same queries answer on a DuckDB-warehouse instance.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import duckdb
import psycopg
import pytest

from graph_olap import GraphOLAPClient
from graph_olap.exceptions import InstanceFailedError
from graph_olap.instance.connection import InstanceConnection
from graph_olap.models import Instance
from graph_olap_platform.warehouse.demo import create_demo_warehouse, load_demo_postgres
from tests.integration.conftest import FAST_JOBS
from tests.integration.demo import EDGES, NODES, SHARED_QUERIES, TABLES, same_values
from tests.support.platform import PlatformProcess
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.postgres

ENGINES = ["ladybug", "falkordb"]
OWNER = "analyst.postgres"

# The SQL that answers each shared Cypher query, with the same parameters ($name).
EQUIVALENT_SQL = {
    "MATCH (c:Customer) RETURN count(c) AS n": "SELECT count(*) FROM analytics.customers",
    "MATCH (p:Product) WHERE p.price > $min RETURN count(p) AS n": (
        "SELECT count(*) FROM analytics.products WHERE price > $min"
    ),
    "MATCH (c:Customer) WHERE c.city = $city RETURN c.customer_id AS id, c.name AS name "
    "ORDER BY id LIMIT 20": (
        "SELECT customer_id, name FROM analytics.customers WHERE city = $city "
        "ORDER BY customer_id LIMIT 20"
    ),
    "MATCH (c:Customer {customer_id: $id})-[r:PURCHASED]->(p:Product) "
    "RETURN p.product_id AS product, r.amount AS amount ORDER BY product, amount": (
        "SELECT product_id, amount FROM analytics.purchases WHERE customer_id = $id "
        "ORDER BY product_id, amount"
    ),
    "MATCH (c:Customer)-[:PURCHASED]->(:Product)<-[:SUPPLIES]-(s:Supplier) "
    "WHERE c.customer_id = $id RETURN DISTINCT s.supplier_id AS supplier ORDER BY supplier": (
        "SELECT DISTINCT s.supplier_id FROM analytics.purchases p "
        "JOIN analytics.supplies s ON s.product_id = p.product_id "
        "WHERE p.customer_id = $id ORDER BY s.supplier_id"
    ),
    # knows has no self loops and one edge per pair, so a 3-hop walk never repeats an edge.
    "MATCH (a:Person {person_id: $id})-[:KNOWS]->(:Person)-[:KNOWS]->(:Person)"
    "-[:KNOWS]->(d:Person) RETURN count(DISTINCT d) AS reach": (
        "SELECT count(DISTINCT k3.dst) FROM analytics.knows k1 "
        "JOIN analytics.knows k2 ON k2.src = k1.dst JOIN analytics.knows k3 ON k3.src = k2.dst "
        "WHERE k1.src = $id"
    ),
    "MATCH (p:Product)<-[r:PURCHASED]-(:Customer) RETURN p.category AS category, "
    "count(r) AS purchases, sum(r.amount) AS revenue ORDER BY category": (
        "SELECT p.category, count(*), sum(u.amount) FROM analytics.purchases u "
        "JOIN analytics.products p ON p.product_id = u.product_id "
        "GROUP BY p.category ORDER BY p.category"
    ),
    "MATCH (c:Customer) WHERE c.name = $name RETURN count(c) AS n": (
        "SELECT count(*) FROM analytics.customers WHERE name = $name"
    ),
    "MATCH (s:Supplier) RETURN s.country AS country, count(s) AS n ORDER BY country": (
        "SELECT country, count(*) FROM analytics.suppliers GROUP BY country ORDER BY country"
    ),
}


def _postgres_sql(sql: str) -> str:
    return re.sub(r"\$(\w+)", r"%(\1)s", sql)


def _rows(connection: Any, sql: str, parameters: dict[str, Any]) -> list[list[Any]]:
    return [list(row) for row in connection.execute(sql, parameters).fetchall()]


def _client(platform: PlatformProcess, username: str = OWNER) -> GraphOLAPClient:
    return GraphOLAPClient(platform.url, username=username, max_retries=0, timeout=60)


@pytest.fixture(scope="module")
def warehouse_url(postgres: PostgresServer) -> str:
    """A database of its own on the session's server, holding the demo tables."""
    url = postgres.create_database()
    load_demo_postgres(url)
    return url


@pytest.fixture(scope="module")
def pg_platform(warehouse_url: str) -> Iterator[PlatformProcess]:
    server = PlatformProcess(
        dev=True, extra_env={**FAST_JOBS, "GRAPH_OLAP_WAREHOUSE_URL": warehouse_url}
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def warehouse_counts(warehouse_url: str) -> dict[str, int]:
    with psycopg.connect(warehouse_url) as db:
        return {
            name: _rows(db, f"SELECT count(*) FROM analytics.{table}", {})[0][0]
            for name, table in TABLES.items()
        }


Progress = list[tuple[str, int, int]]


@pytest.fixture(scope="module")
def progress() -> dict[str, Progress]:
    """What each engine's ``on_progress`` callback saw while its instance started."""
    return {}


@pytest.fixture(scope="module")
def running(
    pg_platform: PlatformProcess, progress: dict[str, Progress]
) -> Iterator[dict[str, tuple[Instance, InstanceConnection]]]:
    client = _client(pg_platform)
    # Checked against PostgreSQL: a column type that did not fit would raise ValidationError.
    mapping = client.mappings.create(
        name="Demo graph on PostgreSQL", node_definitions=NODES, edge_definitions=EDGES
    )
    started: dict[str, tuple[Instance, InstanceConnection]] = {}
    try:
        for engine in ENGINES:
            seen = progress.setdefault(engine, [])
            instance = client.instances.create_from_mapping_and_wait(
                mapping.id,
                f"postgres demo on {engine}",
                wrapper_type=engine,
                timeout=180,
                on_progress=lambda *state, seen=seen: seen.append(state),
                show_progress=False,
            )
            started[engine] = (instance, client.instances.connect(instance.id))
        yield started
    finally:
        for instance, connection in started.values():
            connection.close()
            client.instances.terminate(instance.id)
        client.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_instances_run_with_every_postgres_row(
    running: dict[str, tuple[Instance, InstanceConnection]],
    pg_platform: PlatformProcess,
    warehouse_counts: dict[str, int],
    engine: str,
) -> None:
    instance, connection = running[engine]
    assert instance.status == "running" and instance.wrapper_type == engine
    assert warehouse_counts["Customer"] == 3000 and warehouse_counts["PURCHASED"] == 30000
    schema = connection.get_schema()
    counts = {t.label: t.node_count for t in schema.node_tables}
    counts |= {t.type: t.edge_count for t in schema.edge_tables}
    assert counts == warehouse_counts
    for label in ("Customer", "Product", "Supplier", "Person"):
        cypher = f"MATCH (n:{label}) RETURN count(n)"
        assert connection.query_scalar(cypher) == warehouse_counts[label]
    for kind in ("PURCHASED", "SUPPLIES", "KNOWS"):
        cypher = f"MATCH ()-[r:{kind}]->() RETURN count(r)"
        assert connection.query_scalar(cypher) == warehouse_counts[kind]
    with _client(pg_platform) as client:
        snapshot = client.snapshots.get(instance.snapshot_id or 0)
    assert snapshot.status == "ready"
    assert {**(snapshot.node_counts or {}), **(snapshot.edge_counts or {})} == warehouse_counts


@pytest.mark.parametrize("engine", ENGINES)
def test_progress_counts_up_to_a_total_known_from_the_start(
    running: dict[str, tuple[Instance, InstanceConnection]],
    progress: dict[str, Progress],
    engine: str,
) -> None:
    seen = progress[engine]
    # One export per definition, then the wrapper's start, its schema and one load per definition.
    total = 2 * (len(NODES) + len(EDGES)) + 2
    assert seen[0][0] == "exporting" and seen[-1] == ("ready", total, total)
    assert {state_total for _phase, _completed, state_total in seen} == {total}
    completed = [state_completed for _phase, state_completed, _total in seen]
    assert completed == sorted(completed)


@pytest.fixture(scope="module")
def sql_answers(
    warehouse_url: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[list[Any]]]:
    """Each shared query's answer by SQL on PostgreSQL, checked against the DuckDB demo."""
    duckdb_path = create_demo_warehouse(tmp_path_factory.mktemp("duckdb") / "demo.duckdb")
    answers: dict[str, list[list[Any]]] = {}
    with psycopg.connect(warehouse_url) as pg, duckdb.connect(str(duckdb_path)) as duck:
        for cypher, sql in EQUIVALENT_SQL.items():
            parameters = dict(next(p for c, p in SHARED_QUERIES if c == cypher))
            on_postgres = _rows(pg, _postgres_sql(sql), parameters)
            on_duckdb = _rows(duck, sql, parameters)
            assert same_values(on_postgres, on_duckdb), f"the warehouses differ on {sql}"
            answers[cypher] = on_postgres
    return answers


def test_every_shared_query_has_its_sql() -> None:
    assert set(EQUIVALENT_SQL) == {cypher for cypher, _ in SHARED_QUERIES}


@pytest.mark.parametrize("engine", ENGINES)
def test_shared_queries_answer_what_sql_answers(
    running: dict[str, tuple[Instance, InstanceConnection]],
    sql_answers: dict[str, list[list[Any]]],
    engine: str,
) -> None:
    _instance, connection = running[engine]
    for cypher, parameters in SHARED_QUERIES:
        rows = connection.query(cypher, parameters).rows
        expected = sql_answers[cypher]
        assert expected, f"no rows for {cypher}"
        assert same_values(rows, expected), f"{engine} on {cypher}:\n{rows}\n{expected}"


# One node or relationship per property type: Cypher and SQL must give equal values of one type.
TYPED_VALUES = [
    (
        "MATCH (c:Customer {customer_id: $id}) RETURN c.name, c.signup_date",
        "SELECT name, signup_date FROM analytics.customers WHERE customer_id = $id",
        {"id": "C0042"},
    ),
    (
        "MATCH (p:Person {person_id: $id}) RETURN p.name, p.age",
        "SELECT name, age FROM analytics.people WHERE person_id = $id",
        {"id": "U007"},
    ),
    (
        "MATCH (c:Customer {customer_id: $id})-[r:PURCHASED]->(p:Product) "
        "RETURN p.price, r.amount, r.purchase_date ORDER BY r.purchase_date, r.amount LIMIT 3",
        "SELECT p.price, u.amount, u.purchase_date FROM analytics.purchases u "
        "JOIN analytics.products p ON p.product_id = u.product_id WHERE u.customer_id = $id "
        "ORDER BY u.purchase_date, u.amount LIMIT 3",
        {"id": "C0001"},
    ),
]


@pytest.mark.parametrize("engine", ENGINES)
def test_property_values_keep_their_postgres_types(
    running: dict[str, tuple[Instance, InstanceConnection]], warehouse_url: str, engine: str
) -> None:
    _instance, connection = running[engine]
    with psycopg.connect(warehouse_url) as db:
        for cypher, sql, parameters in TYPED_VALUES:
            expected = _rows(db, _postgres_sql(sql), parameters)
            rows = connection.query(cypher, parameters).rows
            assert expected and rows == expected, f"{engine} on {cypher}"
            kinds = [[type(value) for value in row] for row in rows]
            assert kinds == [[type(value) for value in row] for row in expected]


def test_a_snapshot_that_failed_in_postgres_succeeds_on_retry(
    pg_platform: PlatformProcess, warehouse_url: str
) -> None:
    # A table of its own, so dropping it disturbs no other test.
    table = f"analytics.vendors_{uuid.uuid4().hex[:8]}"
    vendor = {
        "label": "Vendor",
        "sql": f"SELECT supplier_id, name, country FROM {table}",
        "primary_key": {"name": "supplier_id", "type": "STRING"},
        "properties": [{"name": "name", "type": "STRING"}, {"name": "country", "type": "STRING"}],
    }
    product = next(node for node in NODES if node["label"] == "Product")
    with psycopg.connect(warehouse_url, autocommit=True) as db:
        db.execute(f"CREATE TABLE {table} AS SELECT * FROM analytics.suppliers")
    with _client(pg_platform, "analyst.postgres.retry") as client:
        # The table exists now, so the mapping's SQL validates against PostgreSQL...
        mapping = client.mappings.create(
            name="vendors", node_definitions=[product, vendor], edge_definitions=[]
        )
        # ...and it is gone before any export exists, so the export fails without a race.
        with psycopg.connect(warehouse_url, autocommit=True) as db:
            db.execute(f"DROP TABLE {table}")
        with pytest.raises(InstanceFailedError) as caught:
            client.instances.create_from_mapping_and_wait(
                mapping.id, "vendors", wrapper_type="ladybug", timeout=60, show_progress=False
            )
        assert caught.value.error_code == "DATA_LOAD_ERROR"
        assert "Vendor" in str(caught.value)
        failed = client.instances.get(caught.value.instance_id or 0)
        assert failed.status == "failed" and failed.error_code == "DATA_LOAD_ERROR"
        snapshot = client.snapshots.get(failed.snapshot_id or failed.pending_snapshot_id or 0)
        assert snapshot.status == "failed"
        message = snapshot.error_message or ""
        assert "node definition 'Vendor'" in message
        assert f'relation "{table}" does not exist' in message  # PostgreSQL's own words
        steps = {step.name: step for step in client.snapshots.get_progress(snapshot.id).steps}
        assert steps["export Product"].status == "completed"
        assert steps["export Product"].row_count == 300
        assert steps["export Vendor"].status == "failed"

        with psycopg.connect(warehouse_url, autocommit=True) as db:
            db.execute(f"CREATE TABLE {table} AS SELECT * FROM analytics.suppliers")
        retried = client.snapshots.retry(snapshot.id)
        assert retried.status == "pending" and retried.error_message is None
        ready = client.snapshots.wait_until_ready(snapshot.id, timeout=60, show_progress=False)
        assert ready.status == "ready" and ready.error_message is None
        assert ready.node_counts == {"Product": 300, "Vendor": 40}

        # The retried snapshot serves a new instance.
        instance = client.instances.create_and_wait(
            snapshot.id, "vendors again", wrapper_type="ladybug", timeout=120, show_progress=False
        )
        with client.instances.connect(instance.id) as connection:
            assert connection.query_scalar("MATCH (v:Vendor) RETURN count(v)") == 40
        client.instances.terminate(instance.id)
        client.instances.terminate(failed.id)
    with psycopg.connect(warehouse_url, autocommit=True) as db:
        db.execute(f"DROP TABLE {table}")
