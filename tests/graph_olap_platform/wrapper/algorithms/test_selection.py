"""Start requests resolved against a mapping: aliases, lifting, defaults, validation errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph_olap_platform.wrapper.algorithms.base import AlgorithmError
from graph_olap_platform.wrapper.algorithms.native_catalog import catalog, lookup
from graph_olap_platform.wrapper.algorithms.native_runner import prepare
from graph_olap_platform.wrapper.algorithms.selection import (
    check_result_property,
    parse_start_body,
    resolve_selection,
)
from graph_olap_platform.wrapper.mapping import InstanceMapping, from_payload
from tests.graph_olap_platform.wrapper.snapshot import MAPPING


@pytest.fixture(scope="module")
def mapping(tmp_path_factory: pytest.TempPathFactory) -> InstanceMapping:
    """Customer, Product; PURCHASED and VIEWED (Customer->Product), KNOWS (Customer->Customer)."""
    return from_payload(MAPPING, snapshot_path=tmp_path_factory.mktemp("snapshot"))


def selected(mapping: InstanceMapping, body: dict[str, Any]) -> tuple[list[str], list[str]]:
    selection = resolve_selection(mapping, parse_start_body(body), directed_default=True)
    return selection.labels, selection.rel_types


def failure(call: Any, *args: Any) -> AlgorithmError:
    with pytest.raises(AlgorithmError) as error:
        call(*args)
    return error.value


def test_defaults(mapping: InstanceMapping) -> None:
    everything = (["Customer", "Product"], ["PURCHASED", "KNOWS", "VIEWED"])
    assert selected(mapping, {}) == everything
    assert selected(mapping, {"node_label": "Customer"}) == (["Customer"], ["KNOWS"])
    assert selected(mapping, {"node_label": "Product"}) == (["Product"], [])
    # Types without labels: the types' endpoints.
    assert selected(mapping, {"edge_type": "KNOWS"}) == (["Customer"], ["KNOWS"])
    assert selected(mapping, {"edge_types": ["VIEWED"]}) == (["Customer", "Product"], ["VIEWED"])
    # A type reaching outside the selected labels has no relationship there: left out.
    assert selected(mapping, {"node_label": "Product", "edge_type": "PURCHASED"}) == (
        ["Product"],
        [],
    )
    assert selected(mapping, {"node_label": "Customer", "edge_type": ["KNOWS", "VIEWED"]}) == (
        ["Customer"],
        ["KNOWS"],
    )


def test_aliases_and_lifting(mapping: InstanceMapping) -> None:
    body = parse_start_body(
        {
            "params": {
                "node_labels": ["Product", "Customer"],
                "relationship_types": "KNOWS",
                "property_name": "rank",
                "directed": False,
                "damping_factor": 0.9,
            },
            "node_label": ["Customer", "Product"],  # the same list, given twice: fine
            "write_back": True,
        }
    )
    assert body.node_labels == ["Customer", "Product"] and body.edge_types == ["KNOWS"]
    assert body.result_property == "rank" and body.directed is False
    assert body.parameters == {"damping_factor": 0.9}  # selectors lifted out
    # Labels come back in mapping order, whatever order they were asked in.
    assert selected(mapping, {"node_labels": ["Product", "Customer"]})[0] == ["Customer", "Product"]
    # Unknown top-level keys are parameters.
    assert parse_start_body({"source_id": "Customer_C0001"}).parameters == {
        "source_id": "Customer_C0001"
    }


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"node_label": "Customer", "parameters": {"node_label": "Product"}}, "node_labels",
         "disagree"),
        ({"node_label": 3}, "node_label", "name"),
        ({"parameters": [1]}, "parameters", "object"),
        ({"params": {"a": 1}, "parameters": {"a": 2}}, "parameters", "not both"),
        ({"directed": "yes"}, "directed", "true or false"),
        ({"write_back": 1}, "write_back", "true or false"),
        ({"timeout_ms": "5"}, "timeout_ms", "integer"),
        ({"x": 1, "parameters": {"x": 2}}, "x", "twice"),
    ],
)  # fmt: skip
def test_malformed_bodies(body: dict[str, Any], field: str, words: str) -> None:
    error = failure(parse_start_body, body)
    assert error.code == "VALIDATION_FAILED" and error.details["field"] == field
    assert words in error.message
    assert failure(parse_start_body, [1]).details["field"] == "body"


def test_unknown_labels_types_and_weights_name_the_valid_ones(mapping: InstanceMapping) -> None:
    label = failure(selected, mapping, {"node_label": ["Customer", "Persn"]})
    assert label.code == "VALIDATION_FAILED" and "'Persn'" in label.message
    assert "Customer, Product" in label.message
    assert label.details == {
        "field": "node_label", "invalid": ["Persn"], "valid": ["Customer", "Product"]
    }  # fmt: skip
    rel = failure(selected, mapping, {"edge_type": "LIKES"})
    assert rel.details["field"] == "edge_type" and "PURCHASED, KNOWS, VIEWED" in rel.message

    weight = failure(selected, mapping, {"edge_type": "PURCHASED", "weight_property": "amout"})
    assert weight.details["field"] == "weight_property" and "amount" in weight.message
    # The default types include KNOWS, which has no amount: name the type.
    mixed = failure(selected, mapping, {"weight_property": "amount"})
    assert "KNOWS" in mixed.message and "edge_type" in mixed.message
    text = failure(selected, mapping, {"edge_type": "PURCHASED", "weight_property": "purchase_id"})
    assert "not a number" in text.message
    none = failure(selected, mapping, {"node_label": "Product", "weight_property": "amount"})
    assert "none is selected" in none.message


def test_weight_must_be_on_every_selected_type(mapping: InstanceMapping) -> None:
    error = failure(
        selected, mapping, {"edge_type": ["PURCHASED", "VIEWED"], "weight_property": "amount"}
    )
    assert error.details["edge_type"] == "VIEWED"
    selection = resolve_selection(
        mapping,
        parse_start_body({"edge_type": "VIEWED", "weight_property": "seconds"}),
        directed_default=False,
    )
    assert selection.weight_property == "seconds" and selection.directed is False


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("customer_id", "primary key of Customer"),
        ("NAME", "a property of Customer"),
        ("price", "a property of Product"),
        ("", "required"),
        (None, "required"),
        ("_id", "starting with a letter"),
        ("1st", "starting with a letter"),
        ("page rank", "letters, digits or underscores"),
        ("p" * 65, "1-64"),
    ],
)
def test_result_property_names(mapping: InstanceMapping, name: str | None, words: str) -> None:
    error = failure(check_result_property, mapping, ["Customer", "Product"], name)
    assert error.code == "VALIDATION_FAILED" and error.details["field"] == "result_property"
    assert words in error.message


def test_result_property_collisions_only_count_selected_labels(mapping: InstanceMapping) -> None:
    assert check_result_property(mapping, ["Customer"], "price") == "price"
    assert check_result_property(mapping, ["Customer"], "p" * 64) == "p" * 64


def test_prepare_a_native_request(mapping: InstanceMapping) -> None:
    request = prepare(
        "connected_components",
        {"node_label": "Customer", "result_property": "component", "timeout_ms": 60_000},
        mapping,
    )
    assert (request.algorithm, request.algorithm_type) == ("wcc", "native")
    assert request.selection.labels == ["Customer"] and request.selection.rel_types == ["KNOWS"]
    assert (request.result_property, request.write_back, request.timeout_ms) == (
        "component", True, 60_000
    )  # fmt: skip
    pagerank = prepare("pagerank", {"property_name": "pr", "params": {"tolerance": 1e-8}}, mapping)
    assert pagerank.parameters == {"damping_factor": 0.85, "max_iterations": 100, "tolerance": 1e-8}
    assert pagerank.timeout_ms == lookup("pagerank").default_timeout_ms
    assert pagerank.selection.directed is True
    returned = prepare("degree", {"write_back": False, "parameters": {"direction": "in"}}, mapping)
    assert returned.result_property is None and returned.write_back is False
    path = prepare("shortest_path", {"source_id": "Customer_C0001", "target_id": "C0002"}, mapping)
    assert path.parameters == {"source_id": "Customer_C0001", "target_id": "C0002"}
    assert path.write_back is False and path.result_property is None


@pytest.mark.parametrize(
    ("name", "body", "invalid"),
    [
        ("pagerank", {"parameters": {"dampening": 0.8}}, ["dampening"]),
        ("pagerank", {"parameters": {"damping_factor": "high"}}, ["damping_factor"]),
        ("pagerank", {"parameters": {"damping_factor": 1.0}}, ["damping_factor"]),
        ("pagerank", {"parameters": {"max_iterations": True}}, ["max_iterations"]),
        ("pagerank", {"parameters": {"tolerance": 0, "x": 1}}, ["x", "tolerance"]),
        ("degree", {"parameters": {"direction": "sideways"}}, ["direction"]),
        ("louvain", {"parameters": {"resolution": -1}}, ["resolution"]),
        ("wcc", {"parameters": {"max_iterations": 10}}, ["max_iterations"]),
        ("shortest_path", {"source_id": "Customer_C0001"}, ["target_id"]),
        ("shortest_path", {"source_id": True, "target_id": "x"}, ["source_id"]),
    ],
)
def test_parameter_errors_list_invalid_and_valid_names(
    mapping: InstanceMapping, name: str, body: dict[str, Any], invalid: list[str]
) -> None:
    error = failure(prepare, name, {"result_property": "out", **body}, mapping)
    assert (error.status_code, error.code) == (400, "VALIDATION_FAILED")
    assert error.details["invalid_params"] == invalid
    assert error.details["valid_params"] == [p.name for p in lookup(name).parameters]
    for bad in invalid:
        assert bad in error.message
    if name == "pagerank" and invalid == ["dampening"]:
        assert "damping_factor" in error.message  # the valid names are listed


def test_other_start_errors(mapping: InstanceMapping) -> None:
    unknown = failure(prepare, "page_rank_typo", {}, mapping)
    assert (unknown.status_code, unknown.code) == (404, "ALGORITHM_NOT_FOUND")
    assert "pagerank" in unknown.message and "wcc" in unknown.details["available"]
    weighted = failure(
        prepare, "wcc", {"edge_type": "VIEWED", "weight_property": "seconds"}, mapping
    )
    assert weighted.details["field"] == "weight_property" and "takes no" in weighted.message
    subgraph = failure(prepare, "wcc", {"subgraph_query": "MATCH (n) RETURN n"}, mapping)
    assert subgraph.details["field"] == "subgraph_query"
    missing = failure(prepare, "pagerank", {}, mapping)
    assert missing.details["field"] == "result_property"
    taken = failure(prepare, "pagerank", {"result_property": "name"}, mapping)
    assert "'name'" in taken.message
    for timeout in (999, 7_200_001):
        slow = failure(prepare, "wcc", {"result_property": "c", "timeout_ms": timeout}, mapping)
        assert slow.details["field"] == "timeout_ms"


def test_catalogue_entries() -> None:
    everything = catalog()
    names = [a["name"] for a in everything["algorithms"]]
    assert names == [
        "pagerank", "wcc", "scc", "louvain", "label_propagation", "kcore", "triangle_count",
        "betweenness", "degree", "shortest_path",
    ]  # fmt: skip
    assert everything["total"] == 10 and "community" in everything["categories"]
    pagerank = everything["algorithms"][0]
    assert pagerank["type"] == "native" and pagerank["returns"] == "node_values"
    assert pagerank["supports_write_back"] is True and pagerank["implementation"] == "scipy"
    assert {p["name"]: p["default"] for p in pagerank["parameters"]} == {
        "damping_factor": 0.85, "max_iterations": 100, "tolerance": 1e-6
    }  # fmt: skip
    assert set(pagerank["parameters"][0]) >= {"name", "type", "required", "default", "description"}
    community = catalog("community")
    assert {a["name"] for a in community["algorithms"]} == {
        "wcc", "scc", "louvain", "label_propagation"
    }  # fmt: skip
    assert lookup("cdlp").name == "label_propagation" and lookup("SCC").name == "scc"
    assert catalog("nothing")["total"] == 0


def test_the_mapping_fixture_path(mapping: InstanceMapping) -> None:
    assert isinstance(mapping.snapshot_path, Path)
