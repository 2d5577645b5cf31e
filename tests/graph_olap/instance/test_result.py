"""``QueryResult``: decoding of wire values (spec §1.4), row access and conversions. Pure data."""

from __future__ import annotations

import csv
import dataclasses
import json
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from graph_olap import QueryResult

ALICE = {"_id": "Person_p1", "_label": "Person", "name": "Alice", "born": "1990-04-01"}
BOB = {"_id": "Person_p2", "_label": "Person", "name": "Bob", "born": "1985-12-24"}
CAROL = {"_id": "Person_p3", "_label": "Person", "name": "Carol"}
KNOWS_AB = {
    "_id": "KNOWS_0",
    "_type": "KNOWS",
    "_start": "Person_p1",
    "_end": "Person_p2",
    "since": "2020-01-15T08:00:00Z",
}
KNOWS_AB_AGAIN = {**KNOWS_AB, "_id": "KNOWS_1", "since": "2021-06-01T00:00:00Z"}
KNOWS_BC = {"_id": "KNOWS_2", "_type": "KNOWS", "_start": "Person_p2", "_end": "Person_p3"}


def result(
    columns: list[str],
    types: list[str] | None,
    rows: list[list[Any]],
    *,
    coerce: bool = True,
    **extra: Any,
) -> QueryResult:
    body: dict[str, Any] = {
        "columns": columns,
        "rows": rows,
        "row_count": len(rows),
        "execution_time_ms": 2.25,
        **extra,
    }
    if types is not None:
        body["column_types"] = types
    return QueryResult.from_response(body, coerce_types=coerce)


def one(type_name: str, value: Any) -> Any:
    return result(["v"], [type_name], [[value]]).scalar()


# -- decoding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "wire", "expected"),
    [
        ("STRING", "2025-01-15", "2025-01-15"),  # typed columns are trusted: no guessing
        ("UUID", "0b1c...", "0b1c..."),
        ("INT64", 42, 42),
        ("DOUBLE", 1.5, 1.5),
        ("BOOL", True, True),
        ("DATE", "2025-01-15", date(2025, 1, 15)),
        ("TIMESTAMP", "2025-01-15T10:30:00Z", datetime(2025, 1, 15, 10, 30, tzinfo=UTC)),
        (
            "TIMESTAMP",
            "2025-01-15T10:30:00.123456789Z",
            datetime(2025, 1, 15, 10, 30, 0, 123456, tzinfo=UTC),
        ),
        ("TIMESTAMP", "2025-01-15T10:30:00", datetime(2025, 1, 15, 10, 30)),  # naive stays naive
        (
            "TIMESTAMP_TZ",
            "2025-01-15T10:30:00+02:00",
            datetime(2025, 1, 15, 10, 30, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("TIMESTAMP_MS", "2025-01-15 10:30:00", datetime(2025, 1, 15, 10, 30)),
        ("INTERVAL", "P1DT2H", timedelta(days=1, hours=2)),
        ("INTERVAL", "PT0.5S", timedelta(milliseconds=500)),
        ("INTERVAL", "-PT5M", timedelta(minutes=-5)),
        ("INTERVAL", "P2W", timedelta(days=14)),
        ("BLOB", "aGVsbG8=", b"hello"),
        ("BLOB", "", b""),
        ("INT64[]", [1, 2], [1, 2]),
        ("DATE[]", ["2025-01-01", None], [date(2025, 1, 1), None]),
        ("LIST<DATE>", ["2025-01-01"], [date(2025, 1, 1)]),
        ("DATE[2]", ["2025-01-01", "2025-01-02"], [date(2025, 1, 1), date(2025, 1, 2)]),
        ("DATE[][]", [["2025-01-01"], []], [[date(2025, 1, 1)], []]),
        ("MAP(STRING, INT64)", {"a": 1}, {"a": 1}),
        ("STRUCT(a DATE)", {"a": "2025-01-01"}, {"a": "2025-01-01"}),  # no types inside: kept
        ("DECIMAL(18,2)", "12.50", "12.50"),
    ],
)
def test_values_are_decoded_by_column_type(type_name: str, wire: Any, expected: Any) -> None:
    value = one(type_name, wire)

    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("type_name", "wire"),
    [
        ("DATE", "not a date"),
        ("DATE", 20250115),
        ("TIMESTAMP", "yesterday"),
        ("INTERVAL", "one day"),
        ("BLOB", "not base64!"),
        ("DATE[]", "not a list"),
        ("NODE", "not an object"),
    ],
)
def test_values_that_do_not_parse_are_kept_as_sent(type_name: str, wire: Any) -> None:
    assert one(type_name, wire) == wire


def test_nulls_stay_none_in_every_type() -> None:
    types = ["DATE", "TIMESTAMP", "INTERVAL", "BLOB", "NODE", "REL", "INT64[]", "ANY"]

    decoded = result([f"c{i}" for i in range(len(types))], types, [[None] * len(types)])

    assert decoded.rows == [[None] * len(types)]


def test_node_properties_that_look_like_iso_dates_are_parsed() -> None:
    node = one(
        "NODE",
        {
            "_id": "Customer_2024-01-01",
            "_label": "Customer",
            "signup": "2024-03-05",
            "seen": "2024-03-05T10:00:00Z",
            "seen_local": "2024-03-05 10:00:00.5",
            "name": "Ann",
            "code": "2024-13-45",  # looks like a date but is not a calendar date
            "note": "2024-03-05 was a Tuesday",
            "clock": "10:00",
            "minute": "2024-03-05T10:00",  # no seconds: too loose to guess
            "year": "2024",
            "count": 3,
            "tags": ["2024-03-05"],  # lists inside nodes are left alone
        },
    )

    assert node == {
        "_id": "Customer_2024-01-01",  # tags are never touched
        "_label": "Customer",
        "signup": date(2024, 3, 5),
        "seen": datetime(2024, 3, 5, 10, 0, tzinfo=UTC),
        "seen_local": datetime(2024, 3, 5, 10, 0, 0, 500000),
        "name": "Ann",
        "code": "2024-13-45",
        "note": "2024-03-05 was a Tuesday",
        "clock": "10:00",
        "minute": "2024-03-05T10:00",
        "year": "2024",
        "count": 3,
        "tags": ["2024-03-05"],
    }


def test_relationships_and_paths_are_decoded() -> None:
    decoded = result(
        ["r", "p"], ["REL", "RECURSIVE_REL"], [[KNOWS_AB, [ALICE, KNOWS_AB, BOB]]]
    ).first()

    assert decoded is not None
    assert decoded["r"]["since"] == datetime(2020, 1, 15, 8, tzinfo=UTC)
    assert decoded["r"]["_start"] == "Person_p1"
    assert [item["_id"] for item in decoded["p"]] == ["Person_p1", "KNOWS_0", "Person_p2"]
    assert decoded["p"][0]["born"] == date(1990, 4, 1)
    assert decoded["p"][1]["since"].year == 2020


def test_kuzu_style_recursive_rel_objects_are_decoded() -> None:
    path = one("RECURSIVE_REL", {"_nodes": [ALICE, BOB], "_rels": [KNOWS_AB]})

    assert path["_nodes"][1]["born"] == date(1985, 12, 24)
    assert path["_rels"][0]["since"].month == 1


def test_untyped_columns_decode_only_tagged_entities() -> None:
    decoded = result(
        ["a", "b", "c", "d"],
        None,  # no column_types at all
        [["2025-01-15", ALICE, [ALICE, KNOWS_AB], {"k": BOB, "d": "2025-01-15"}]],
    )

    assert decoded.column_types == ["ANY", "ANY", "ANY", "ANY"]
    a, b, c, d = decoded.rows[0]
    assert a == "2025-01-15"  # a bare string in an untyped column is not guessed
    assert b["born"] == date(1990, 4, 1)
    assert c[1]["since"].day == 15
    assert d == {"k": {**BOB, "born": date(1985, 12, 24)}, "d": "2025-01-15"}


def test_short_column_types_are_padded_with_any() -> None:
    decoded = result(["d", "x"], ["DATE"], [["2025-01-15", "2025-01-15"]])

    assert decoded.column_types == ["DATE", "ANY"]
    assert decoded.rows == [[date(2025, 1, 15), "2025-01-15"]]


def test_coerce_types_false_keeps_every_value() -> None:
    rows = [["2025-01-15", "aGVsbG8=", ALICE]]

    decoded = result(["d", "b", "n"], ["DATE", "BLOB", "NODE"], rows, coerce=False)

    assert decoded.rows == rows


def test_data_envelope_and_defaults() -> None:
    decoded = QueryResult.from_response(
        {"data": {"columns": ["n"], "column_types": ["INT64"], "rows": [[1], [2]]}, "meta": {}}
    )

    assert decoded.rows == [[1], [2]]
    assert decoded.row_count == 2  # counted when the answer omits it
    assert decoded.execution_time_ms == 0.0
    assert decoded.truncated is False


# -- access -------------------------------------------------------------------------------


@pytest.fixture
def people() -> QueryResult:
    return result(
        ["name", "age"],
        ["STRING", "INT64"],
        [["Alice", 34], ["Bob", 39], ["Carol", None]],
        truncated=True,
    )


def test_rows_as_dicts(people: QueryResult) -> None:
    expected = [
        {"name": "Alice", "age": 34},
        {"name": "Bob", "age": 39},
        {"name": "Carol", "age": None},
    ]

    assert len(people) == 3 and bool(people)
    assert list(people) == expected
    assert people.to_dicts() == expected
    assert people.to_list_of_dicts() == expected
    assert people[0] == expected[0]
    assert people[-1] == expected[2]
    assert people[1:] == expected[1:]
    assert people.first() == expected[0]
    assert people.column("age") == [34, 39, None]
    with pytest.raises(IndexError):
        people[3]
    with pytest.raises(KeyError, match="No column 'nope'"):
        people.column("nope")


def test_empty_result() -> None:
    empty = result(["n"], ["INT64"], [])

    assert len(empty) == 0 and not empty
    assert list(empty) == []
    assert empty.first() is None
    assert empty.scalar() is None


def test_scalar() -> None:
    assert result(["n"], ["INT64"], [[7]]).scalar() == 7
    assert result(["n"], ["INT64"], [[None]]).scalar() is None
    with pytest.raises(ValueError, match="exactly one row, the query returned 2"):
        result(["n"], ["INT64"], [[1], [2]]).scalar()
    with pytest.raises(ValueError, match=r"exactly one column, the query returned 2 \(a, b\)"):
        result(["a", "b"], None, [[1, 2]]).scalar()
    with pytest.raises(ValueError, match="exactly one column"):
        result(["a", "b"], None, []).scalar()


def test_is_frozen(people: QueryResult) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        people.rows = []  # type: ignore[misc]


def test_repr(people: QueryResult) -> None:
    assert repr(people) == (
        "QueryResult(columns=['name', 'age'], row_count=3, execution_time_ms=2.25, truncated=True)"
    )
    assert "truncated" not in repr(result(["n"], None, []))


# -- conversions --------------------------------------------------------------------------


@pytest.fixture
def typed() -> QueryResult:
    return result(
        ["name", "age", "born", "seen", "wait", "raw", "person"],
        ["STRING", "INT64", "DATE", "TIMESTAMP", "INTERVAL", "BLOB", "NODE"],
        [
            ["Alice", 34, "1990-04-01", "2025-01-15T10:30:00Z", "PT1H30M", "aGVsbG8=", ALICE],
            ["Bob", None, None, None, None, None, CAROL],
        ],
    )


def test_to_pandas(typed: QueryResult) -> None:
    frame = typed.to_pandas()

    assert list(frame.columns) == typed.columns
    assert frame["name"].tolist() == ["Alice", "Bob"]
    assert frame["age"].iloc[0] == 34
    assert frame["born"].iloc[0] == date(1990, 4, 1)
    assert frame["seen"].iloc[0] == datetime(2025, 1, 15, 10, 30, tzinfo=UTC)
    assert frame["wait"].iloc[0] == timedelta(hours=1, minutes=30)
    assert frame["person"].iloc[0]["name"] == "Alice"


def test_to_pandas_of_no_rows_keeps_columns() -> None:
    frame = result(["a", "b"], None, []).to_pandas()

    assert list(frame.columns) == ["a", "b"] and len(frame) == 0


def test_to_polars(typed: QueryResult) -> None:
    import polars as pl

    frame = typed.to_polars()

    assert frame.columns == typed.columns
    assert frame.schema["age"] == pl.Int64
    assert frame.schema["born"] == pl.Date
    assert frame.schema["seen"] == pl.Datetime("us", "UTC")
    assert frame.schema["wait"] == pl.Duration("us")
    assert frame.schema["raw"] == pl.Binary
    assert isinstance(frame.schema["person"], pl.Struct)  # nodes with different keys merge
    assert frame["person"].struct.field("name").to_list() == ["Alice", "Carol"]
    assert frame["born"].to_list() == [date(1990, 4, 1), None]


def test_to_polars_mixed_values_do_not_fail() -> None:
    frame = result(["x"], ["ANY"], [[1], ["two"], [{"a": 1}]]).to_polars()

    assert frame.height == 3


def test_to_json(typed: QueryResult, tmp_path: Path) -> None:
    path = tmp_path / "rows.json"

    text = typed.to_json(path)

    rows = json.loads(text)
    assert json.loads(path.read_text(encoding="utf-8")) == rows
    assert text.startswith('[\n  {\n    "name": "Alice"')  # indent=2 by default
    assert rows[0] == {
        "name": "Alice",
        "age": 34,
        "born": "1990-04-01",
        "seen": "2025-01-15T10:30:00Z",
        "wait": "PT1H30M",
        "raw": "aGVsbG8=",
        "person": {**ALICE},
    }
    assert rows[1]["age"] is None
    assert "\n" not in typed.to_json(indent=None)


def test_to_csv_flattens_nested_values(typed: QueryResult, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"

    typed.to_csv(path)

    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == typed.columns
    assert rows[0]["name"] == "Alice"
    assert rows[0]["born"] == "1990-04-01"
    assert rows[0]["wait"] == "PT1H30M"
    assert rows[0]["raw"] == "aGVsbG8="
    assert json.loads(rows[0]["person"]) == ALICE
    assert rows[1]["age"] == ""


def test_to_csv_passes_options_to_polars(people: QueryResult, tmp_path: Path) -> None:
    path = tmp_path / "rows.tsv"

    people.to_csv(path, separator="\t", include_header=False)

    assert path.read_text().splitlines()[0] == "Alice\t34"


def test_to_parquet_round_trips(typed: QueryResult, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "rows.parquet"

    typed.to_parquet(path)

    table = pq.read_table(path)
    assert table.column_names == typed.columns
    assert table.column("born").to_pylist() == [date(1990, 4, 1), None]
    assert table.column("person").to_pylist()[0]["name"] == "Alice"


def test_to_parquet_keeps_untypable_values_as_json(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    mixed = result(["x"], ["ANY"], [[1], [{"a": [1, "b"]}]])
    path = tmp_path / "mixed.parquet"

    mixed.to_parquet(path)

    assert pq.read_table(path).num_rows == 2


def test_to_networkx_builds_nodes_edges_and_paths() -> None:
    graph_result = result(
        ["a", "r", "p", "people"],
        ["NODE", "REL", "RECURSIVE_REL", "NODE[]"],
        [
            [ALICE, KNOWS_AB, [ALICE, KNOWS_AB, BOB, KNOWS_BC, CAROL], [BOB]],
            [ALICE, KNOWS_AB_AGAIN, [], []],
        ],
    )

    graph = graph_result.to_networkx()

    assert graph.is_directed() and graph.is_multigraph()
    assert set(graph.nodes) == {"Person_p1", "Person_p2", "Person_p3"}
    assert graph.nodes["Person_p1"] == {
        "label": "Person",
        "name": "Alice",
        "born": date(1990, 4, 1),
    }
    # Parallel relationships are kept, keyed by their _id; the repeated one only once.
    assert sorted(graph["Person_p1"]["Person_p2"]) == ["KNOWS_0", "KNOWS_1"]
    assert graph.edges["Person_p1", "Person_p2", "KNOWS_0"] == {
        "type": "KNOWS",
        "since": datetime(2020, 1, 15, 8, tzinfo=UTC),
    }
    assert graph.has_edge("Person_p2", "Person_p3")
    assert not graph.has_edge("Person_p2", "Person_p1")
    assert graph.number_of_edges() == 3


def test_to_networkx_undirected_and_simple() -> None:
    graph_result = result(["r"], ["REL"], [[KNOWS_AB], [KNOWS_AB_AGAIN]])

    undirected = graph_result.to_networkx(directed=False)
    simple = graph_result.to_networkx(multigraph=False)

    assert not undirected.is_directed() and undirected.has_edge("Person_p2", "Person_p1")
    assert undirected.number_of_edges() == 2
    assert not simple.is_multigraph() and simple.number_of_edges() == 1
    assert simple.edges["Person_p1", "Person_p2"]["since"].year == 2021  # the last one wins


def test_to_networkx_ignores_plain_values() -> None:
    graph = result(["n", "s"], ["INT64", "STRING"], [[1, "x"]]).to_networkx()

    assert graph.number_of_nodes() == 0


@pytest.mark.parametrize(
    ("module", "call"),
    [
        ("pandas", lambda r, p: r.to_pandas()),
        ("polars", lambda r, p: r.to_polars()),
        ("polars", lambda r, p: r.to_csv(p / "x.csv")),
        ("polars", lambda r, p: r.to_parquet(p / "x.parquet")),
        ("networkx", lambda r, p: r.to_networkx()),
    ],
)
def test_missing_optional_library_names_the_extra(
    people: QueryResult,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    module: str,
    call: Any,
) -> None:
    monkeypatch.setitem(sys.modules, module, None)

    with pytest.raises(ImportError, match=rf"needs {module}.*pip install 'graph-olap\[analysis\]'"):
        call(people, tmp_path)


def test_duplicate_columns_cannot_become_a_dataframe() -> None:
    with pytest.raises(ValueError, match="unique"):
        result(["a", "a"], None, [[1, 2]]).to_polars()
