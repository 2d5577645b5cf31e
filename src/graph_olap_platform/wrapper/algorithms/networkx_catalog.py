"""The NetworkX catalogue: the runnable functions of ``networkx.algorithms``, by introspection.

Discovery (docs/algorithms.md, "NetworkX") walks the submodules of ``networkx.algorithms`` (tests
and private modules skipped) plus a few graph functions of ``networkx.classes.function`` such as
``density``, and keeps the public functions whose first parameter is the graph. Left out: functions
that need a second graph (isomorphism), that return a new graph (generators, operators,
``k_core``...), that change their input, and those with a required parameter that JSON cannot
carry (a function, a graph). The category is the submodule under ``networkx.algorithms``
(``centrality``, ``community``, ``shortest_paths``...).

A function takes its bare name (``pagerank``, ``louvain_communities``) unless two submodules
define the same name: then the one exported as ``nx.<name>`` keeps it and the others are
``<category>.<name>`` (``approximation.diameter``, ``bipartite.degree_centrality``).

Parameter metadata comes from the signature and the numpydoc "Parameters" section: its type text
("int, optional (default=None)", "iterable of node pairs") becomes the JSON types accepted and,
for parameters that name nodes, how bare primary keys are resolved at run time
(``networkx_runner``). Built once, on first use (about 0.1 s), and shared.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import math
import pkgutil
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Final

from graph_olap_platform.wrapper.algorithms.base import AlgorithmError

__all__ = [
    "ALGORITHM_ALIASES",
    "DEFAULT_TIMEOUT_MS",
    "PARAMETER_ALIASES",
    "NetworkXAlgorithm",
    "Parameter",
    "canonical_name",
    "catalog",
    "check_graph_type",
    "info",
    "is_source_like",
    "resolve",
    "uses_multigraph",
    "validate_parameters",
]

# No stubs exist for NetworkX; importing it through importlib keeps mypy --strict quiet without an
# ignore that would turn "unused" the day someone adds stubs or a mypy override.
nx: Any = importlib.import_module("networkx")

DEFAULT_TIMEOUT_MS: Final = 1_800_000  # the spec's 30-minute algorithm timeout
DOCS_URL: Final = "https://networkx.org/documentation/stable/reference"

ALGORITHM_ALIASES: Final[dict[str, str]] = {
    # The older SDK and docs name NetworkX's local clustering coefficient this way (spec §6.18).
    "clustering_coefficient": "clustering",
}
PARAMETER_ALIASES: Final[dict[str, str]] = {
    # The SDK's native vocabulary, mapped to NetworkX's names where the function takes them.
    "max_iterations": "max_iter",
    "tolerance": "tol",
    "damping_factor": "alpha",
    "damping": "alpha",
    "source_id": "source",
    "target_id": "target",
}
_ALPHA_ALIAS_FUNCTIONS = ("pagerank", "google_matrix")  # alpha is damping only there

# Graph functions outside networkx.algorithms that analysts expect (``density`` and friends).
_CLASS_FUNCTIONS: Final = (
    "density",
    "degree",
    "degree_histogram",
    "number_of_nodes",
    "number_of_edges",
    "number_of_selfloops",
    "nodes_with_selfloops",
    "is_directed",
    "is_empty",
    "is_weighted",
    "is_negatively_weighted",
    "is_path",
    "path_weight",
    "common_neighbors",
    "non_neighbors",
    "all_neighbors",
)
_CLASS_FUNCTIONS_CATEGORY: Final = "functions"

# JSON kinds a parameter may accept. Node kinds say how bare primary keys are resolved.
NODE_KINDS: Final = frozenset({"node", "nodes", "node_or_nodes", "node_pairs", "node_sets"})
UNSETTABLE: Final = frozenset({"graph", "function"})

# Names that always denote nodes, whatever the docstring says (several have none).
_NODE_NAMES: Final = frozenset(
    {"source", "target", "u", "v", "s", "t", "root", "node", "n", "start", "start_with",
     "nodeA", "nodeB", "node1", "node2"}
)  # fmt: skip
_NODES_NAMES: Final = frozenset(
    {"nodes", "nbunch", "nbunch1", "nbunch2", "sources", "targets", "top_nodes", "row_order",
     "center_nodes", "terminal_nodes"}
)  # fmt: skip
_NODE_PAIRS_NAMES: Final = frozenset({"ebunch", "pairs"})
_NODE_SETS_NAMES: Final = frozenset({"communities"})
_SKIPPED_PARAMETERS: Final = frozenset({"backend", "backend_kwargs"})
_IO_PREFIXES: Final = ("read_", "write_", "parse_")  # bipartite's edge-list I/O


@dataclass(frozen=True)
class Parameter:
    """One settable (or, for graphs and functions, reported but unsettable) parameter."""

    name: str
    kinds: tuple[str, ...]  # accepted: integer, number, boolean, string, list, object, any, node...
    required: bool
    default: Any  # JSON-safe: the default itself, or its repr when JSON cannot carry it
    nullable: bool
    description: str

    @property
    def settable(self) -> bool:
        return not UNSETTABLE.intersection(self.kinds)

    @property
    def node_kind(self) -> str | None:
        return next((k for k in self.kinds if k in NODE_KINDS), None)

    @property
    def type(self) -> str:
        return " or ".join(self.kinds)

    def entry(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "default": self.default,
            "description": self.description,
        }


@dataclass(frozen=True)
class NetworkXAlgorithm:
    name: str
    function: Callable[..., Any]
    networkx_function: str  # dotted path of the defining module + name
    category: str
    description: str
    parameters: tuple[Parameter, ...]
    returns: str  # the expected result kind; a run reports what actually came back
    signature: str
    not_implemented_for: tuple[str, ...]  # graph types NetworkX refuses: "directed", ...

    @property
    def supports_write_back(self) -> bool:
        return self.returns in ("node_values", "communities")

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def entry(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": "networkx",
            "category": self.category,
            "description": self.description,
            "parameters": [p.entry() for p in self.parameters if p.settable],
            "returns": self.returns,
            "supports_write_back": self.supports_write_back,
            "default_timeout_ms": DEFAULT_TIMEOUT_MS,
            "implementation": "networkx",
            "not_implemented_for": list(self.not_implemented_for),
        }


# -- public API ----------------------------------------------------------------------------------


def catalog(category: str | None = None, search: str | None = None) -> dict[str, Any]:
    """``{algorithms: [entry], categories: [..], total}``; ``category`` exact, ``search`` a
    case-insensitive substring of the name or description. ``categories`` always lists all."""
    algorithms = list(_registry().algorithms.values())
    if category:
        wanted = category.strip().lower()
        algorithms = [a for a in algorithms if a.category.lower() == wanted]
    if search:
        needle = search.strip().lower()
        algorithms = [
            a for a in algorithms if needle in a.name.lower() or needle in a.description.lower()
        ]
    entries = [a.entry() for a in sorted(algorithms, key=lambda a: (a.category, a.name))]
    return {"algorithms": entries, "categories": _registry().categories, "total": len(entries)}


def info(name: str) -> dict[str, Any]:
    """One catalogue entry with ``networkx_function``, ``documentation_url``, ``extracted_from``
    and an ``example`` start body; 404 ``ALGORITHM_NOT_FOUND`` (with close matches) if unknown."""
    algorithm = resolve(name)
    module = algorithm.networkx_function.rsplit(".", 1)[0]
    # The reference keeps algorithms under algorithms/, the graph functions at its root.
    section = "algorithms/" if module.startswith("networkx.algorithms") else ""
    url = f"{DOCS_URL}/{section}generated/{algorithm.networkx_function}.html"
    return {
        **algorithm.entry(),
        "networkx_function": algorithm.networkx_function,
        "documentation_url": url,
        "extracted_from": {
            "source": "networkx",
            "networkx_version": nx.__version__,
            "signature": algorithm.signature,
        },
        "example": _example(algorithm),
    }


def resolve(name: str) -> NetworkXAlgorithm:
    """The algorithm a request names: its catalogue name, an alias, ``nx.<name>`` or the dotted
    NetworkX path; 404 ``ALGORITHM_NOT_FOUND`` suggesting close names otherwise."""
    registry = _registry()
    key = name.strip()
    key = ALGORITHM_ALIASES.get(key, key)
    for candidate in (key, key.removeprefix("nx."), registry.by_path.get(key, "")):
        if candidate in registry.algorithms:
            return registry.algorithms[candidate]
    close = difflib.get_close_matches(key, list(registry.algorithms), n=5, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise AlgorithmError(
        404,
        "ALGORITHM_NOT_FOUND",
        f"Unknown NetworkX algorithm {name!r}{hint} (GET /networkx/algorithms lists them)",
        {"algorithm": name, "suggestions": close},
    )


def canonical_name(name: str) -> str:
    """The catalogue name for ``name`` (``clustering_coefficient`` -> ``clustering``)."""
    return resolve(name).name


def validate_parameters(
    name: str, parameters: Mapping[str, Any] | None, *, directed: bool | None = None
) -> dict[str, Any]:
    """The parameters to pass, aliases resolved (``max_iterations`` -> ``max_iter``...).

    400 ``VALIDATION_FAILED`` with ``invalid_params`` / ``valid_params`` for an unknown parameter,
    a wrong JSON type, a graph or function parameter, or a missing required one. Node parameters
    stay as given (``_id``s or bare primary keys): the runner resolves them against the graph.
    NetworkX's defaults are not filled in, since some are not JSON (functions, objects).
    With ``directed`` given, a function NetworkX does not implement for that graph is refused.
    """
    algorithm = resolve(name)
    valid = [p.name for p in algorithm.parameters if p.settable]
    out: dict[str, Any] = {}
    problems: list[str] = []
    invalid: list[str] = []
    for raw_name, value in (parameters or {}).items():
        key = _parameter_name(algorithm, str(raw_name))
        param = algorithm.parameter(key)
        if param is None:
            invalid.append(str(raw_name))
            problems.append(f"unknown parameter {raw_name!r}")
            continue
        if not param.settable:
            invalid.append(str(raw_name))
            problems.append(f"{key!r} takes a {param.type}, which a request cannot carry")
            continue
        if key in out:
            invalid.append(str(raw_name))
            problems.append(f"{key!r} given twice (as {raw_name!r} too)")
            continue
        checked = _check_value(param, value)
        if isinstance(checked, _Invalid):
            invalid.append(str(raw_name))
            problems.append(f"{key!r} must be {checked.expected}, got {_json_type(value)}")
            continue
        if checked is _OMIT:
            continue
        out[key] = checked
    for param in algorithm.parameters:
        if param.required and param.settable and param.name not in out:
            invalid.append(param.name)
            problems.append(f"{param.name!r} is required ({param.type})")
    if invalid:
        raise AlgorithmError(
            400,
            "VALIDATION_FAILED",
            f"Invalid parameters for {algorithm.name}: {'; '.join(problems)}. "
            f"Valid parameters: {', '.join(valid) or 'none'}",
            {"invalid_params": invalid, "valid_params": valid},
        )
    if directed is not None:
        check_graph_type(algorithm, directed=directed, multigraph=uses_multigraph(algorithm))
    return out


def uses_multigraph(algorithm: NetworkXAlgorithm) -> bool:
    """Simple graphs unless NetworkX refuses them: most functions refuse multigraphs instead,
    and several that accept them call helpers that do not."""
    return "graph" in algorithm.not_implemented_for


def check_graph_type(algorithm: NetworkXAlgorithm, *, directed: bool, multigraph: bool) -> None:
    """400 ``VALIDATION_FAILED`` when NetworkX would refuse the graph the run would build."""
    facts = {
        "directed": directed,
        "undirected": not directed,
        "multigraph": multigraph,
        "graph": not multigraph,
    }
    for refused in algorithm.not_implemented_for:
        if all(facts[word] for word in refused.split()):
            fix = (
                "run it with directed=false"
                if "directed" in refused.split()
                else "run it with directed=true"
                if "undirected" in refused.split()
                else "it cannot run on this graph"
            )
            raise AlgorithmError(
                400,
                "VALIDATION_FAILED",
                f"{algorithm.name} is not implemented for {refused} graphs: {fix}",
                {"field": "directed", "not_implemented_for": list(algorithm.not_implemented_for)},
            )


# -- value checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Invalid:
    expected: str


def _parameter_name(algorithm: NetworkXAlgorithm, given: str) -> str:
    target = PARAMETER_ALIASES.get(given)
    if target is None or algorithm.parameter(given) is not None:
        return given
    if target == "alpha" and not algorithm.name.startswith(_ALPHA_ALIAS_FUNCTIONS):
        return given
    return target if algorithm.parameter(target) is not None else given


def is_source_like(param: Parameter) -> bool:
    """A parameter that makes the result relative to chosen nodes (distances from ``source``):
    node-keyed dictionaries are then answers (``mapping``), not node properties."""
    return param.node_kind == "node" or param.name in ("sources", "targets")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_node(value: Any) -> bool:
    return isinstance(value, str) or _is_int(value)


_OMIT: Final = object()


def _check_value(param: Parameter, value: Any) -> Any:
    """The value to pass (integral floats become ints), ``_Invalid``, or ``_OMIT`` for a null
    where NetworkX takes no None (the SDK sends ``max_iter=None`` for "the default")."""
    if value is None:
        if param.nullable:
            return None
        return _OMIT if not param.required else _Invalid(_describe(param.kinds))
    for kind in param.kinds:
        if kind == "any":
            return value
        if kind == "integer":
            if _is_int(value):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
        elif (
            (kind == "number" and _is_number(value))
            or (kind == "boolean" and isinstance(value, bool))
            or (kind == "string" and isinstance(value, str))
            or (kind == "list" and isinstance(value, list))
            or (kind == "object" and isinstance(value, dict))
            or (kind == "node" and _is_node(value))
            or (kind == "nodes" and isinstance(value, list) and all(map(_is_node, value)))
            or (kind == "node_or_nodes" and (_is_node(value) or isinstance(value, list)))
            or (
                kind == "node_pairs"
                and isinstance(value, list)
                and all(
                    isinstance(p, list) and len(p) == 2 and all(map(_is_node, p)) for p in value
                )
            )
            or (
                kind == "node_sets"
                and isinstance(value, list)
                and all(isinstance(s, list) and all(map(_is_node, s)) for s in value)
            )
        ):
            return value
    return _Invalid(_describe(param.kinds))


_KIND_WORDS: Final = {
    "node": "a node _id (or a primary key when one label is selected)",
    "nodes": "a list of nodes",
    "node_or_nodes": "a node or a list of nodes",
    "node_pairs": "a list of [node, node] pairs",
    "node_sets": "a list of lists of nodes",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "string": "a string",
    "list": "a list",
    "object": "an object",
}


def _describe(kinds: tuple[str, ...]) -> str:
    return " or ".join(_KIND_WORDS.get(k, k) for k in kinds)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {value!r}"
    if isinstance(value, int | float):
        return f"number {value!r}"
    if isinstance(value, str):
        return f"string {value[:40]!r}"
    return "an array" if isinstance(value, list) else "an object"


# -- discovery ------------------------------------------------------------------------------------


@dataclass
class _Registry:
    algorithms: dict[str, NetworkXAlgorithm]
    by_path: dict[str, str]  # dotted NetworkX path -> catalogue name
    categories: list[str]


_lock = threading.Lock()
_built: _Registry | None = None


def _registry() -> _Registry:
    global _built
    if _built is None:
        with _lock:
            if _built is None:
                _built = _build()
    return _built


def _walk(package: ModuleType) -> list[ModuleType]:
    out: list[ModuleType] = []
    for found in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        last = found.name.rsplit(".", 1)[1]
        if last.startswith("_") or last == "tests":
            continue
        try:
            module = importlib.import_module(found.name)
        except ImportError:  # an optional dependency (a module of a backend) is missing
            continue
        out.append(module)
        if found.ispkg:
            out.extend(_walk(module))
    return out


def _build() -> _Registry:
    # (category, attribute, function); an alias (load_centrality = newman_betweenness_centrality)
    # is listed under both names, as NetworkX documents both.
    found: list[tuple[str, str, Callable[..., Any]]] = []
    for module in _walk(nx.algorithms):
        category = module.__name__.split(".")[2]
        for attr, obj in vars(module).items():
            if (
                attr.startswith("_")
                or not inspect.isfunction(obj)
                or obj.__module__ != module.__name__
            ):
                continue
            found.append((category, attr, obj))
    for attr in _CLASS_FUNCTIONS:
        found.append((_CLASS_FUNCTIONS_CATEGORY, attr, getattr(nx.classes.function, attr)))

    counts: dict[str, int] = {}
    for _, attr, _ in found:
        counts[attr] = counts.get(attr, 0) + 1
    algorithms: dict[str, NetworkXAlgorithm] = {}
    for category, attr, function in found:
        # The function exported as nx.<name> keeps the bare name; other namesakes are qualified.
        bare = counts[attr] == 1 or getattr(nx, attr, None) is function
        name = attr if bare else f"{category}.{attr}"
        algorithm = _describe_function(name, attr, category, function)
        if algorithm is not None and name not in algorithms:
            algorithms[name] = algorithm
    return _Registry(
        algorithms=algorithms,
        by_path={a.networkx_function: a.name for a in algorithms.values()},
        categories=sorted({a.category for a in algorithms.values()}),
    )


def _describe_function(
    name: str, attr: str, category: str, function: Callable[..., Any]
) -> NetworkXAlgorithm | None:
    """The catalogue entry for ``function``, or None when it cannot run on our graph."""
    if (
        getattr(function, "_returns_graph", False)
        or getattr(function, "mutates_input", False)
        or function.__name__.startswith(_IO_PREFIXES)
        or "edgelist" in function.__name__
    ):
        return None
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    params = [p for p in signature.parameters.values() if p.name not in _SKIPPED_PARAMETERS]
    graphs: dict[str, int] = getattr(function, "graphs", None) or {}
    first = params[0].name if params else None
    if first is None or (graphs and graphs.get(first) != 0) or (not graphs and first != "G"):
        return None
    optional_graphs = set(getattr(function, "optional_graphs", None) or ())
    if any(g != first and g not in optional_graphs for g in graphs):
        return None  # needs a second graph (isomorphism, ...)
    doc = inspect.cleandoc(getattr(function, "_orig_doc", None) or function.__doc__ or "")
    sections = _sections(doc)
    documented = _documented_parameters(sections.get("Parameters", []))
    parameters: list[Parameter] = []
    for p in params[1:]:
        if p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        type_text, description = documented.get(p.name, ("", ""))
        graph_param = p.name in graphs
        parameter = _parameter(p, type_text, description, graph_param=graph_param)
        if parameter.required and not parameter.settable:
            return None  # e.g. a required flow function or second graph
        parameters.append(parameter)
    return NetworkXAlgorithm(
        name=name,
        function=function,
        networkx_function=f"{function.__module__}.{attr}",
        category=category,
        description=_summary(doc),
        parameters=tuple(parameters),
        returns=_expected_result(
            name,
            category,
            sections.get("Returns", []),
            source_relative=any(p.required and is_source_like(p) for p in parameters),
        ),
        signature=f"{attr}{_public_signature(signature)}",
        not_implemented_for=_not_implemented_for(function),
    )


def _public_signature(signature: inspect.Signature) -> str:
    kept = [
        p
        for p in signature.parameters.values()
        if p.name not in _SKIPPED_PARAMETERS and p.kind != inspect.Parameter.VAR_KEYWORD
    ]
    return str(signature.replace(parameters=kept))


def _not_implemented_for(function: Callable[..., Any]) -> tuple[str, ...]:
    """The graph types refused by ``@not_implemented_for`` decorators (read from their closures)."""
    refused: list[str] = []
    current: Any = function
    for _ in range(16):  # decorators stack a handful deep at most
        if current is None:
            break
        check = getattr(getattr(current, "__argmap__", None), "_func", None)
        if check is not None and getattr(check, "__name__", "") == "_not_implemented_for":
            cells = dict(
                zip(
                    check.__code__.co_freevars,
                    (c.cell_contents for c in check.__closure__ or ()),
                    strict=True,
                )
            )
            words = []
            if cells.get("dval") is not None:
                words.append("directed" if cells["dval"] else "undirected")
            if cells.get("mval") is not None:
                words.append("multigraph" if cells["mval"] else "graph")
            if words:
                refused.append(" ".join(words))
        current = getattr(current, "__wrapped__", None)
    return tuple(sorted(set(refused)))


# -- docstrings -----------------------------------------------------------------------------------

_RULE = re.compile(r"-{3,}")
_PARAM_LINE = re.compile(r"^([\w*]+(?:\s*,\s*[\w*]+)*)\s*(?::\s*(.*))?$")
_ROLE = re.compile(r":\w+:`~?([^`]+)`")
_TICKS = re.compile(r"`+([^`]+)`+")


def _sections(doc: str) -> dict[str, list[str]]:
    """numpydoc sections: a title underlined with dashes, up to the next title."""
    lines = doc.splitlines()
    out: dict[str, list[str]] = {"": []}
    current = ""
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and lines[i].strip() and _RULE.fullmatch(lines[i + 1].strip()):
            current = lines[i].strip()
            out[current] = []
            i += 2
            continue
        out[current].append(lines[i])
        i += 1
    return out


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", _TICKS.sub(r"\1", _ROLE.sub(r"\1", text))).strip()


def _summary(doc: str) -> str:
    """The docstring's first paragraph."""
    paragraph: list[str] = []
    for line in doc.splitlines():
        if not line.strip():
            if paragraph:
                break
            continue
        paragraph.append(line)
    return _plain(" ".join(paragraph))


def _documented_parameters(lines: list[str]) -> dict[str, tuple[str, str]]:
    """``{name: (type text, first paragraph of the description)}``; ``u, v : node`` gives both."""
    out: dict[str, tuple[str, list[str]]] = {}
    current: list[str] = []
    for line in lines:
        if line.strip() and not line[0].isspace():
            match = _PARAM_LINE.match(line.strip())
            if match:
                current = [n.strip().lstrip("*") for n in match.group(1).split(",")]
                for n in current:
                    out[n] = (match.group(2) or "", [])
                continue
        for n in current:
            out[n][1].append(line.strip())
    result: dict[str, tuple[str, str]] = {}
    for n, (type_text, description) in out.items():
        text = "\n".join(description).strip().split("\n\n", 1)[0]
        result[n] = (type_text.strip(), _plain(text))
    return result


def _strip_default(type_text: str) -> str:
    text = re.sub(r"\(?\s*default\s*(?:is|=|:)?[^)]*\)?", " ", type_text, flags=re.IGNORECASE)
    return text.replace("optional", " ").lower()


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z_]+", text))


def _parameter(
    p: inspect.Parameter, type_text: str, description: str, *, graph_param: bool
) -> Parameter:
    required = p.default is inspect.Parameter.empty
    default = None if required else _json_default(p.default)
    text = _strip_default(type_text)
    kinds = _kinds(p.name, text, p.default, graph_param=graph_param)
    nullable = (
        (not required and p.default is None)
        or "none" in _words(text)
        or "if none" in description.lower()
    )
    return Parameter(
        name=p.name,
        kinds=kinds,
        required=required,
        default=default,
        nullable=nullable,
        description=description,
    )


def _kinds(name: str, text: str, default: Any, *, graph_param: bool) -> tuple[str, ...]:
    """The JSON kinds a parameter accepts, from its name, documented type and default."""
    words = _words(text)
    if graph_param or (words & {"graph", "digraph", "graphs"} and "node" not in text):
        return ("graph",)
    # Node-valued parameters: names first (several are undocumented), then the type text.
    if name in _NODE_PAIRS_NAMES or "pairs of nodes" in text or "node pairs" in text:
        return ("node_pairs",)
    if name in _NODE_SETS_NAMES or re.search(r"(iterable|list) of sets? of nodes", text):
        return ("node_sets",)
    if words & {"string", "str"} and "node" not in text and name in ("source", "target"):
        return ("string",)  # assortativity's source="in"|"out"
    if name in _NODES_NAMES:
        return ("node_or_nodes",) if "node," in text or "node or" in text else ("nodes",)
    if name in _NODE_NAMES and (not text.strip() or "node" in text):
        return ("node",)
    if re.search(r"\bnode (or|\|) (set|list|iterable)|\bset \| node\b|node, (list|iterable)", text):
        return ("node_or_nodes",)
    if re.search(r"(list|iterable|container|collection|set) of nodes", text):
        return ("nodes",)
    if re.search(r"^\s*node\b", text) and "nodes" not in words:
        return ("node",)
    kinds: list[str] = []
    if words & {"bool", "boolean"}:
        kinds.append("boolean")
    if words & {"float", "real", "number", "numeric", "scalar"}:
        kinds.append("number")
    elif words & {"int", "integer", "random_state"}:
        kinds.append("integer")
    if words & {"str", "string", "key"} or re.search(r"[\"'][\w+-]+[\"']", text):
        kinds.append("string")
    if words & {"list", "tuple", "iterable", "container", "collection", "set", "sequence"}:
        kinds.append("list")
    if words & {"dict", "dictionary", "mapping"}:
        kinds.append("object")
    if not kinds and words & {"function", "callable", "class"}:
        return ("function",)
    if not kinds and name in ("weight", "distance"):
        kinds.append("string")  # an edge attribute name, even where undocumented (degree)
    if not kinds:
        kinds = list(_kinds_from_default(default))
    return tuple(kinds)


def _kinds_from_default(default: Any) -> tuple[str, ...]:
    if isinstance(default, bool):
        return ("boolean",)
    if isinstance(default, int):
        return ("integer",)
    if isinstance(default, float):
        return ("number",)
    if isinstance(default, str):
        return ("string",)
    if callable(default):
        return ("function",)
    return ("any",)


def _json_default(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, tuple | list) and all(
        v is None or isinstance(v, bool | int | float | str) for v in value
    ):
        return list(value)
    return getattr(value, "__name__", None) or repr(value)


# What a function returns, guessed from its name and "Returns" section; the run decides for real.
_SCALAR_TYPE = re.compile(
    r"^(\w+\s*:\s*)?(bool|boolean|float|int|integer|number|numeric|real)\b", re.IGNORECASE
)
_SETS = re.compile(r"\b(generator|list|iterable|iterator|tuple) of (frozen)?sets\b", re.IGNORECASE)
_NESTED = re.compile(r"dict(ionary)?( of|,) (dict|list)|dictionar(y|ies) of", re.IGNORECASE)


# Functions whose docstrings have no usable "Returns" section.
_KNOWN_RESULTS: Final = {"degree": "node_values", "density": "scalar"}


def _expected_result(name: str, category: str, returns: list[str], source_relative: bool) -> str:
    bare = name.rsplit(".", 1)[-1]
    lines = [line.strip() for line in returns if line.strip()]
    head = lines[0] if lines else ""
    more = " ".join(lines[:3])
    if category == "link_prediction":
        return "edge_predictions"
    if bare.endswith(("_communities", "_components")) and not bare.startswith("number_"):
        return "communities"
    if bare in _KNOWN_RESULTS:
        return _KNOWN_RESULTS[bare]
    if bare.startswith(("is_", "has_", "number_")) or (
        _SCALAR_TYPE.search(head) and not re.search(r"dict|list", head, re.IGNORECASE)
    ):
        return "scalar"
    if _SETS.search(head):
        return "communities"
    if re.search(r"tuple|pair", head, re.IGNORECASE):
        return "unknown"
    if _NESTED.search(head):
        return "mapping"
    if re.search(r"\bdict", head, re.IGNORECASE):
        keyed_by_node = re.search(r"\bnodes?\b", more, re.IGNORECASE)
        return "node_values" if keyed_by_node and not source_relative else "mapping"
    if re.search(r"\blist\b", head, re.IGNORECASE) and "path" in bare:
        return "path"
    return "unknown"


_EXAMPLE_VALUES: Final[dict[str, Any]] = {
    "node": "<Label>_<key>",
    "nodes": ["<Label>_<key>"],
    "node_or_nodes": "<Label>_<key>",
    "node_pairs": [["<Label>_<key>", "<Label>_<key>"]],
    "node_sets": [["<Label>_<key>"]],
    "integer": 2,
    "number": 1.0,
    "boolean": True,
    "string": "weight",
    "list": [],
    "object": {},
    "any": None,
}


def _example(algorithm: NetworkXAlgorithm) -> dict[str, Any]:
    """A start body for ``POST /networkx/{name}`` with the required parameters filled in."""
    params = {
        p.name: _EXAMPLE_VALUES.get(p.kinds[0], None)
        for p in algorithm.parameters
        if p.required and p.settable
    }
    directed = "directed" not in " ".join(algorithm.not_implemented_for).split() and (
        "undirected" in algorithm.not_implemented_for
    )
    body: dict[str, Any] = {"node_label": "<Label>", "edge_type": "<TYPE>"}
    if algorithm.supports_write_back:
        body["result_property"] = algorithm.name.rsplit(".", 1)[-1][:64]
    body.update(
        {
            "parameters": params,
            "write_back": algorithm.supports_write_back,
            "directed": directed,
            "timeout_ms": DEFAULT_TIMEOUT_MS,
        }
    )
    return body
