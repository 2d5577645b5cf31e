"""Graph algorithms end to end: the demo graph on every engine, checked against NetworkX.

Everything is real: the control plane, DuckDB, one wrapper process per engine. The reference
graphs are built from the warehouse tables directly (DuckDB), not from the engines, so an
extraction bug cannot hide behind a matching comparison.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import duckdb
import networkx as nx
import pytest

from graph_olap import GraphOLAPClient
from graph_olap.exceptions import (
    AlgorithmFailedError,
    AlgorithmNotFoundError,
    ResourceLockedError,
    ValidationError,
)
from graph_olap.instance.connection import InstanceConnection
from tests.integration.demo import EDGES, NODES
from tests.support.platform import PlatformProcess

ENGINES = ["ladybug", "ryugraph", "falkordb"]
OWNER = "analyst.algo"
COLLEAGUE = "ops.user"  # ops may run algorithms on anyone's instance
REL = 1e-4


def _client(platform: PlatformProcess, username: str = OWNER) -> GraphOLAPClient:
    return GraphOLAPClient(platform.url, username=username, max_retries=0, timeout=60)


@pytest.fixture(scope="module")
def instances(demo_platform: PlatformProcess) -> Iterator[dict[str, InstanceConnection]]:
    client = _client(demo_platform)
    mapping = client.mappings.create(
        name="Demo graph for algorithms", node_definitions=NODES, edge_definitions=EDGES
    )
    started: dict[str, tuple[int, InstanceConnection]] = {}
    try:
        for engine in ENGINES:
            instance = client.instances.create_from_mapping_and_wait(
                mapping.id,
                f"algorithms on {engine}",
                wrapper_type=engine,
                timeout=180,
                show_progress=False,
            )
            started[engine] = (instance.id, client.instances.connect(instance.id))
        yield {engine: conn for engine, (_, conn) in started.items()}
    finally:
        for instance_id, conn in started.values():
            conn.close()
            client.instances.terminate(instance_id)
        client.close()


@pytest.fixture(scope="module")
def warehouse(demo_platform: PlatformProcess) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(demo_platform.data_dir / "warehouse.duckdb"), read_only=True) as db:
        yield db


@pytest.fixture(scope="module")
def knows(warehouse: duckdb.DuckDBPyConnection) -> nx.MultiDiGraph:
    """Person -KNOWS-> Person, keyed by the engines' ``_id``s."""
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(f"Person_{row[0]}" for row in warehouse.sql(
        "SELECT person_id FROM analytics.people").fetchall())  # fmt: skip
    graph.add_edges_from(
        (f"Person_{src}", f"Person_{dst}")
        for src, dst in warehouse.sql("SELECT src, dst FROM analytics.knows").fetchall()
    )
    return graph


@pytest.fixture(scope="module")
def purchases(warehouse: duckdb.DuckDBPyConnection) -> nx.MultiDiGraph:
    """Customer -PURCHASED-> Product with its parallel edges (repeat purchases)."""
    graph = nx.MultiDiGraph()
    for label, table, key in (
        ("Customer", "customers", "customer_id"),
        ("Product", "products", "product_id"),
    ):
        graph.add_nodes_from(
            f"{label}_{row[0]}"
            for row in warehouse.sql(f"SELECT {key} FROM analytics.{table}").fetchall()
        )
    graph.add_edges_from(
        (f"Customer_{c}", f"Product_{p}")
        for c, p in warehouse.sql(
            "SELECT customer_id, product_id FROM analytics.purchases"
        ).fetchall()
    )
    return graph


def written(conn: InstanceConnection, label: str, key: str, prop: str) -> dict[str, Any]:
    rows = conn.query(f"MATCH (n:{label}) RETURN n.{key} AS k, n.{prop} AS v").rows
    return {f"{label}_{k}": v for k, v in rows}


def assert_close(actual: dict[str, Any], expected: dict[str, float], what: str) -> None:
    assert actual.keys() == expected.keys(), what
    worst = max(
        abs(actual[n] - v) / max(abs(v), 1e-12) if abs(v) > 1e-9 else abs(actual[n])
        for n, v in expected.items()
    )
    assert worst <= REL, f"{what}: worst relative difference {worst:.2e}"


def partition(values: dict[str, Any]) -> set[frozenset[str]]:
    groups: dict[Any, set[str]] = {}
    for node, group in values.items():
        groups.setdefault(group, set()).add(node)
    return {frozenset(g) for g in groups.values()}


def simple_undirected(graph: nx.MultiDiGraph) -> nx.Graph:
    simple = nx.Graph(graph.to_undirected())
    simple.remove_edges_from(nx.selfloop_edges(simple))
    return simple


# -- the native set on every engine ---------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_native_algorithms_agree_with_networkx(
    engine: str,
    instances: dict[str, InstanceConnection],
    knows: nx.MultiDiGraph,
    purchases: nx.MultiDiGraph,
) -> None:
    conn = instances[engine]
    algo = conn.algo
    person = {"node_label": "Person", "edge_type": "KNOWS", "show_progress": False}

    run = algo.pagerank(property_name="pr", **person)
    assert run.status == "completed" and run.nodes_updated == knows.number_of_nodes()
    assert_close(
        written(conn, "Person", "person_id", "pr"),
        nx.pagerank(knows, alpha=0.85, max_iter=100, tol=1e-6),
        f"{engine} pagerank",
    )

    # Repeat purchases are parallel edges: they weigh in, as in NetworkX's multigraph PageRank.
    run = algo.run(
        "pagerank", ["Customer", "Product"], "pr_shop", edge_type="PURCHASED", show_progress=False
    )
    expected = nx.pagerank(purchases, alpha=0.85, max_iter=100, tol=1e-6)
    actual = written(conn, "Customer", "customer_id", "pr_shop") | written(
        conn, "Product", "product_id", "pr_shop"
    )
    assert_close(actual, expected, f"{engine} pagerank on a two-label multigraph")

    algo.wcc(property_name="wcc", **person)
    assert partition(written(conn, "Person", "person_id", "wcc")) == {
        frozenset(c) for c in nx.weakly_connected_components(knows)
    }
    algo.scc(property_name="scc", **person)
    assert partition(written(conn, "Person", "person_id", "scc")) == {
        frozenset(c) for c in nx.strongly_connected_components(knows)
    }

    simple = simple_undirected(knows)
    algo.kcore(property_name="core", **person)
    assert written(conn, "Person", "person_id", "core") == nx.core_number(simple)
    algo.triangle_count(property_name="triangles", **person)
    assert written(conn, "Person", "person_id", "triangles") == nx.triangles(simple)
    algo.degree(property_name="deg", **person)
    assert written(conn, "Person", "person_id", "deg") == dict(knows.degree())
    algo.betweenness(property_name="btw", **person)
    assert_close(
        written(conn, "Person", "person_id", "btw"),
        nx.betweenness_centrality(nx.DiGraph(knows), normalized=True),
        f"{engine} betweenness",
    )

    run = algo.louvain(property_name="community", **person)
    ours = partition(written(conn, "Person", "person_id", "community"))
    theirs = nx.community.louvain_communities(simple, seed=7)
    q_ours = nx.community.modularity(simple, ours)
    q_theirs = nx.community.modularity(simple, theirs)
    assert q_ours >= 0.95 * q_theirs, (engine, q_ours, q_theirs)

    algo.label_propagation(property_name="lpa", **person)
    lpa = partition(written(conn, "Person", "person_id", "lpa"))
    assert set().union(*lpa) == set(knows.nodes)
    assert nx.community.modularity(simple, lpa) > 0.3  # eight planted communities

    # Results are ordinary properties for the next query.
    top = conn.query(
        "MATCH (p:Person) RETURN p.person_id AS id, p.pr AS pr, p.community AS c "
        "ORDER BY pr DESC LIMIT 3"
    )
    assert top.row_count == 3 and top.rows[0][1] >= top.rows[2][1]


@pytest.mark.parametrize("engine", ENGINES)
def test_shortest_path_is_synchronous(
    engine: str, instances: dict[str, InstanceConnection], knows: nx.MultiDiGraph
) -> None:
    source, target = "Person_U001", "Person_U150"
    expected = nx.shortest_path_length(knows, source, target)
    path = instances[engine].algo.shortest_path(source, target, node_label="Person")
    assert path["hop_count"] == expected
    assert path["path"][0] == source and path["path"][-1] == target
    assert len(path["path"]) == expected + 1


# -- NetworkX --------------------------------------------------------------------------------------

# (algorithm, parameters, result type); run on the KNOWS graph unless it needs an undirected one.
PAIRS = [["U001", "U002"], ["U001", "U003"]]
NETWORKX_CASES: list[tuple[str, dict[str, Any], str, bool]] = [
    ("degree_centrality", {}, "node_values", True),
    ("in_degree_centrality", {}, "node_values", True),
    ("out_degree_centrality", {}, "node_values", True),
    ("closeness_centrality", {}, "node_values", True),
    ("betweenness_centrality", {"normalized": True}, "node_values", True),
    ("harmonic_centrality", {}, "node_values", True),
    ("eigenvector_centrality", {"max_iter": 1000}, "node_values", False),
    ("katz_centrality_numpy", {}, "node_values", True),
    ("pagerank", {"alpha": 0.9}, "node_values", True),
    ("hits", {}, "unknown", True),
    ("load_centrality", {}, "node_values", True),
    ("average_neighbor_degree", {}, "node_values", True),
    ("clustering", {}, "node_values", False),
    ("square_clustering", {}, "node_values", False),
    ("triangles", {}, "node_values", False),
    ("core_number", {}, "node_values", False),
    ("onion_layers", {}, "node_values", False),
    ("eccentricity", {}, "node_values", False),
    ("constraint", {}, "node_values", False),
    ("effective_size", {}, "node_values", False),
    ("louvain_communities", {"seed": 3}, "communities", False),
    ("label_propagation_communities", {}, "communities", False),
    ("greedy_modularity_communities", {}, "communities", False),
    ("asyn_lpa_communities", {"seed": 3}, "communities", False),
    ("connected_components", {}, "communities", False),
    ("weakly_connected_components", {}, "communities", True),
    ("strongly_connected_components", {}, "communities", True),
    ("k_clique_communities", {"k": 3}, "communities", False),
    ("number_connected_components", {}, "scalar", False),
    ("is_connected", {}, "scalar", False),
    ("average_clustering", {}, "scalar", False),
    ("transitivity", {}, "scalar", False),
    ("density", {}, "scalar", True),
    ("degree_assortativity_coefficient", {}, "scalar", True),
    ("diameter", {}, "scalar", False),
    ("is_directed_acyclic_graph", {}, "scalar", True),
    ("shortest_path", {"source": "Person_U001", "target": "Person_U150"}, "path", True),
    ("dijkstra_path", {"source": "Person_U001", "target": "Person_U150"}, "path", True),
    ("bidirectional_shortest_path", {"source": "U001", "target": "U150"}, "path", True),
    ("jaccard_coefficient", {"ebunch": PAIRS}, "edge_predictions", False),
    ("adamic_adar_index", {"ebunch": [["U001", "U002"]]}, "edge_predictions", False),
    ("resource_allocation_index", {"ebunch": [["U001", "U002"]]}, "edge_predictions", False),
    ("preferential_attachment", {"ebunch": [["U001", "U002"]]}, "edge_predictions", False),
    ("single_source_shortest_path_length", {"source": "U001"}, "mapping", True),
]  # fmt: skip


def test_networkx_breadth(instances: dict[str, InstanceConnection], knows: nx.MultiDiGraph) -> None:
    assert len(NETWORKX_CASES) >= 40
    conn = instances["ladybug"]
    kinds: set[str] = set()
    for name, params, kind, directed in NETWORKX_CASES:
        prop = f"nx_{name}"[:60] if kind in ("node_values", "communities") else None
        run = conn.networkx.run(
            name,
            "Person",
            prop,
            edge_type="KNOWS",
            params=params,
            directed=directed,
            show_progress=False,
        )
        assert run.status == "completed", (name, run.error)
        assert run.result is not None and run.result["type"] == kind, (name, run.result)
        kinds.add(kind)
        if kind == "node_values" and name == "closeness_centrality":
            assert_close(
                written(conn, "Person", "person_id", prop or ""),
                nx.closeness_centrality(nx.DiGraph(knows)),
                "networkx closeness",
            )
    assert kinds >= {"node_values", "communities", "path", "scalar", "edge_predictions", "mapping"}


def test_networkx_on_falkordb_and_a_subgraph(instances: dict[str, InstanceConnection]) -> None:
    conn = instances["falkordb"]
    run = conn.networkx.run(
        "degree_centrality",
        property_name="young_degree",
        subgraph_query="MATCH (a:Person)-[r:KNOWS]->(b:Person) WHERE a.age < 30 RETURN a, r, b",
        show_progress=False,
    )
    assert run.status == "completed" and run.nodes_updated > 0
    young = conn.query(
        "MATCH (p:Person) WHERE p.young_degree IS NOT NULL RETURN count(p) AS n"
    ).scalar()
    assert young == run.nodes_updated


# -- lock ------------------------------------------------------------------------------------------


def test_lock_with_two_clients(
    demo_platform: PlatformProcess, instances: dict[str, InstanceConnection]
) -> None:
    owner = instances["ryugraph"]
    assert owner.instance_id is not None
    with _client(demo_platform, COLLEAGUE) as colleague_client:
        colleague = colleague_client.instances.connect(owner.instance_id)
        # NetworkX betweenness on the whole demo graph runs for minutes in pure Python.
        slow = owner.networkx.run(
            "betweenness_centrality", property_name="slow_btw", wait=False, show_progress=False
        )
        deadline = time.monotonic() + 10
        while not owner.get_lock().locked and time.monotonic() < deadline:
            time.sleep(0.05)
        lock = colleague.get_lock()
        assert (
            lock.locked and lock.holder_name == OWNER and lock.algorithm == "betweenness_centrality"
        )

        with pytest.raises(ResourceLockedError) as locked:
            colleague.algo.pagerank(node_label="Person", property_name="pr2", show_progress=False)
        assert locked.value.holder_name == OWNER
        assert locked.value.algorithm == "betweenness_centrality"
        assert OWNER in str(locked.value)

        # Queries are never blocked, from either client.
        assert colleague.query("MATCH (p:Person) RETURN count(p)").scalar() == 200
        assert owner.query("MATCH (p:Person) RETURN count(p)").scalar() == 200

        owner.algo.cancel(slow.execution_id)
        assert owner.algo.status(slow.execution_id).status == "cancelled"
        assert not colleague.get_lock().locked
        # Nothing of the cancelled run was written: no property was added to any label.
        assert all(
            "slow_btw" not in props for props in owner.get_schema().algorithm_properties.values()
        )

        # Released after a failure too: purchases only go from customers to products, so
        # there is no directed cycle to find.
        with pytest.raises(AlgorithmFailedError, match="cycle"):
            colleague.networkx.run(
                "find_cycle",
                ["Customer", "Product"],
                edge_type="PURCHASED",
                directed=True,
                show_progress=False,
            )
        assert not owner.get_lock().locked
        run = colleague.algo.degree(node_label="Person", property_name="deg2", show_progress=False)
        assert run.status == "completed"
        colleague.close()


def test_a_wait_can_be_interrupted(instances: dict[str, InstanceConnection]) -> None:
    """Ctrl-C during a wait cancels the execution on the server and frees the lock."""
    conn = instances["ladybug"]
    calls = 0

    def interrupt(_execution: Any) -> None:
        nonlocal calls
        calls += 1
        if calls >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        conn.networkx.run(
            "betweenness_centrality", property_name="interrupted", on_progress=interrupt,
            show_progress=False,
        )  # fmt: skip
    deadline = time.monotonic() + 5
    while conn.get_lock().locked and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not conn.get_lock().locked
    latest = conn.algo.executions(limit=1)[0]
    assert latest.algorithm == "betweenness_centrality" and latest.status == "cancelled"


# -- bad input -------------------------------------------------------------------------------------


def test_bad_input_is_refused_and_writes_nothing(instances: dict[str, InstanceConnection]) -> None:
    conn = instances["ladybug"]
    names_before = conn.query("MATCH (p:Person) RETURN p.name ORDER BY p.person_id").rows

    with pytest.raises(AlgorithmNotFoundError, match="pagerank"):
        conn.algo.run("page_rank_typo", "Person", "x", show_progress=False)
    with pytest.raises(AlgorithmNotFoundError):
        conn.networkx.run("no_such_function", "Person", "x", show_progress=False)
    with pytest.raises(ValidationError, match="dampening") as unknown:
        conn.algo.run("pagerank", "Person", "x", params={"dampening": 0.8}, show_progress=False)
    assert "damping_factor" in str(unknown.value)  # the valid names are listed
    with pytest.raises(ValidationError, match="damping_factor"):
        conn.algo.run(
            "pagerank", "Person", "x", params={"damping_factor": "high"}, show_progress=False
        )
    with pytest.raises(ValidationError, match="Persn"):
        conn.algo.pagerank(node_label="Persn", property_name="x", show_progress=False)
    with pytest.raises(ValidationError, match="weight"):
        conn.algo.run(
            "pagerank", "Person", "x", weight_property="no_such_property", show_progress=False
        )
    with pytest.raises(ValidationError, match="name"):
        conn.algo.pagerank(node_label="Person", property_name="name", show_progress=False)
    with pytest.raises(ValidationError):
        conn.networkx.run(
            "closeness_centrality", "Person", "x", params={"bogus": 1}, show_progress=False
        )

    assert conn.query("MATCH (p:Person) RETURN p.name ORDER BY p.person_id").rows == names_before
    assert not conn.get_lock().locked
    schema = conn.get_schema()
    assert all("x" not in props for props in schema.algorithm_properties.values())
    person = next(table for table in schema.node_tables if table.label == "Person")
    assert "x" not in person.properties and "x" not in person.algorithm_properties


def test_concurrent_starts_get_one_lock(instances: dict[str, InstanceConnection]) -> None:
    """Two threads start at once: exactly one runs, the other gets RESOURCE_LOCKED."""
    conn = instances["falkordb"]
    outcomes: list[str] = []

    def start(prop: str) -> None:
        try:
            conn.networkx.run(
                "closeness_centrality", "Customer", prop, wait=False, show_progress=False
            )
            outcomes.append("started")
        except ResourceLockedError:
            outcomes.append("locked")

    threads = [threading.Thread(target=start, args=(f"race_{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["locked", "started"]
    for execution in conn.algo.executions(limit=5):
        if execution.status in ("pending", "running"):
            conn.algo.cancel(execution.execution_id)
