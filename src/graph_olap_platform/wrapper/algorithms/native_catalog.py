"""The native algorithms' catalogue: names, parameters, defaults, what each returns.

Defaults are the spec's values where it gives them (PageRank 0.85 / 100 / 1e-6, Louvain
resolution 1.0, label propagation 100 iterations); the choices the spec leaves open are in the
"Native algorithms" table of docs/algorithms.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph_olap_platform.wrapper.algorithms.base import AlgorithmError, ResultKind
from graph_olap_platform.wrapper.algorithms.parameters import ParamSpec

MINUTE_MS = 60_000
DEFAULT_TIMEOUT_MS = 30 * MINUTE_MS
MIN_TIMEOUT_MS = 1_000
MAX_TIMEOUT_MS = 120 * MINUTE_MS
DEFAULT_SEED = 42


@dataclass(frozen=True)
class NativeAlgorithm:
    name: str
    category: str
    description: str
    returns: ResultKind
    implementation: str  # scipy | igraph (FalkorDB may answer first: Engine.native_algorithm)
    parameters: tuple[ParamSpec, ...] = ()
    value_type: str | None = None  # the property type written back: DOUBLE or INT64
    weighted: bool = False  # accepts weight_property
    honours_directed: bool = False  # False: the algorithm's own direction semantics apply
    default_timeout_ms: int = DEFAULT_TIMEOUT_MS
    aliases: tuple[str, ...] = ()

    @property
    def writes_property(self) -> bool:
        return self.returns in ("node_values", "communities")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": "native",
            "category": self.category,
            "description": self.description,
            "parameters": [p.to_json() for p in self.parameters],
            "returns": self.returns,
            "property_type": self.value_type,
            "supports_write_back": self.writes_property,
            "supports_weight": self.weighted,
            "directed": self.honours_directed,
            "default_timeout_ms": self.default_timeout_ms,
            "implementation": self.implementation,
            "aliases": list(self.aliases),
        }


def _seed(what: str) -> ParamSpec:
    return ParamSpec(
        "seed", "int", f"Random seed of {what}; fixed so that a re-run gives the same result",
        DEFAULT_SEED, minimum=0, maximum=2**31 - 1,
    )  # fmt: skip


ALGORITHMS: tuple[NativeAlgorithm, ...] = (
    NativeAlgorithm(
        "pagerank", "centrality",
        "PageRank by power iteration with NetworkX's semantics: parallel edges add weight, "
        "dangling nodes spread their rank uniformly, stop when the L1 change < N * tolerance",
        "node_values", "scipy",
        (
            ParamSpec("damping_factor", "float", "Probability of following an edge", 0.85,
                      minimum=0.0, maximum=1.0, exclusive_minimum=True, exclusive_maximum=True),
            ParamSpec("max_iterations", "int", "Power iterations at most", 100,
                      minimum=1, maximum=100_000),
            ParamSpec("tolerance", "float", "Convergence threshold (per node, L1)", 1e-6,
                      minimum=0.0, maximum=1.0, exclusive_minimum=True),
        ),
        value_type="DOUBLE", weighted=True, honours_directed=True,
    ),
    NativeAlgorithm(
        "wcc", "community",
        "Weakly connected components (edges read in both directions); ids 0..k-1 in the "
        "order of each component's first node",
        "communities", "scipy", value_type="INT64",
        aliases=("connected_components",),
    ),
    NativeAlgorithm(
        "scc", "community",
        "Strongly connected components; ids 0..k-1 in the order of each component's first node",
        "communities", "scipy", value_type="INT64",
        aliases=("scc_kosaraju",),
    ),
    NativeAlgorithm(
        "louvain", "community",
        "Louvain modularity communities (igraph multilevel) on the undirected graph, parallel "
        "edges summed as weights",
        "communities", "igraph",
        (
            ParamSpec("resolution", "float", "Modularity resolution (higher: smaller communities)",
                      1.0, minimum=0.0, exclusive_minimum=True, maximum=1000.0),
            _seed("the node order"),
        ),
        value_type="INT64", weighted=True,
    ),
    NativeAlgorithm(
        "label_propagation", "community",
        "Label propagation communities (igraph, asynchronous, random order and tie breaks from "
        "the seed) on the undirected graph, parallel edges summed as weights",
        "communities", "igraph",
        (
            ParamSpec("max_iterations", "int",
                      "Accepted for the spec's API; igraph propagates until every node holds a "
                      "dominant label (no iteration cap)", 100, minimum=1, maximum=100_000),
            _seed("the update order and tie breaks"),
        ),
        value_type="INT64", weighted=True, aliases=("cdlp",),
    ),
    NativeAlgorithm(
        "kcore", "structure",
        "Core number of every node on the undirected simple graph (self loops ignored)",
        "node_values", "igraph", value_type="INT64",
    ),
    NativeAlgorithm(
        "triangle_count", "structure",
        "Triangles through every node on the undirected simple graph",
        "node_values", "igraph", value_type="INT64",
    ),
    NativeAlgorithm(
        "betweenness", "centrality",
        "Betweenness centrality on the simple graph (parallel edges merged, shortest weight "
        "kept), normalised like NetworkX's",
        "node_values", "igraph",
        (ParamSpec("normalized", "bool", "Divide by the number of node pairs", True),),
        value_type="DOUBLE", weighted=True, honours_directed=True,
        default_timeout_ms=60 * MINUTE_MS,
    ),
    NativeAlgorithm(
        "degree", "centrality",
        "Number of relationships at every node (parallel edges counted; a self loop counts "
        "once in and once out)",
        "node_values", "scipy",
        (ParamSpec("direction", "string", "Which relationships to count", "both",
                   choices=("both", "in", "out")),),
        value_type="INT64",
    ),
    NativeAlgorithm(
        "shortest_path", "path_finding",
        "The shortest path between two nodes (fewest hops, or least total weight with "
        "weight_property); answered synchronously",
        "path", "igraph",
        (
            ParamSpec("source_id", "node_id",
                      "Start node: its _id (Customer_C001) or, with one label, its key",
                      required=True),
            ParamSpec("target_id", "node_id", "End node, like source_id", required=True),
        ),
        weighted=True, honours_directed=True, default_timeout_ms=5 * MINUTE_MS,
    ),
)  # fmt: skip

_BY_NAME: dict[str, NativeAlgorithm] = {a.name: a for a in ALGORITHMS}
_BY_NAME.update({alias: a for a in ALGORITHMS for alias in a.aliases})
CATEGORIES = sorted({a.category for a in ALGORITHMS})


def lookup(name: str) -> NativeAlgorithm:
    """The algorithm called ``name`` (or one of its aliases); 404 ``ALGORITHM_NOT_FOUND``."""
    algorithm = _BY_NAME.get(name) or _BY_NAME.get(name.lower())
    if algorithm is None:
        known = [a.name for a in ALGORITHMS]
        raise AlgorithmError(
            404,
            "ALGORITHM_NOT_FOUND",
            f"Unknown native algorithm {name!r}; known: {', '.join(known)} "
            "(NetworkX algorithms are under /networkx)",
            {"algorithm": name, "available": known, "aliases": sorted(set(_BY_NAME) - set(known))},
        )
    return algorithm


def catalog(category: str | None = None) -> dict[str, Any]:
    """``GET /algo/algorithms``: ``{algorithms, categories, total}``."""
    entries = [a.to_json() for a in ALGORITHMS if category in (None, "", a.category)]
    return {"algorithms": entries, "categories": CATEGORIES, "total": len(entries)}
