"""Write and server-side clauses are found; the same words inside names and strings are not."""

from __future__ import annotations

import pytest

from graph_olap_platform.wrapper.readonly import write_clause


@pytest.mark.parametrize(
    ("cypher", "clause"),
    [
        ("MATCH (n) SET n.x = 1", "SET"),
        ("create (n:A {id: 1})", "CREATE"),
        ("MATCH (n) DETACH DELETE n", "DETACH"),
        ("MATCH (n) DELETE n", "DELETE"),
        ("MERGE (n:A {id: 1})", "MERGE"),
        ("MATCH (n) REMOVE n.x", "REMOVE"),
        ("LOAD FROM '/etc/passwd' RETURN *", "LOAD"),
        ("COPY Customer FROM 'x.parquet'", "COPY"),
        ("INSTALL algo", "INSTALL"),
        ("DROP TABLE Customer", "DROP"),
        ("MATCH (n) WITH n CREATE (m:B)", "CREATE"),
    ],
)
def test_write_clauses_are_found(cypher: str, clause: str) -> None:
    assert write_clause(cypher) == clause


@pytest.mark.parametrize(
    "cypher",
    [
        "MATCH (n) RETURN n",
        "MATCH (n) WHERE n.name = 'SET' OR n.name = \"create\" RETURN n.set, n.create_date",
        "MATCH (n:`Create`) RETURN n // delete everything",
        "MATCH (n) /* SET */ RETURN n.load ORDER BY n.name",
        "MATCH (n:Set) RETURN {create: n.id, delete: 1}",
        "CALL show_tables() RETURN *",
        "MATCH p = (a)-[:KNOWS*1..3]->(b) RETURN count(p)",
    ],
)
def test_reads_pass(cypher: str) -> None:
    assert write_clause(cypher) is None
