"""Wire-value helpers: ISO intervals both ways and encoding decoded values back to JSON."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from graph_olap.instance.values import (
    encode_value,
    format_interval,
    is_node,
    is_relationship,
    parse_interval,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(0), "PT0S"),
        (timedelta(seconds=5), "PT5S"),
        (timedelta(minutes=90), "PT1H30M"),
        (timedelta(days=1, hours=2), "P1DT2H"),
        (timedelta(days=3), "P3D"),
        (timedelta(milliseconds=1500), "PT1.5S"),
        (timedelta(microseconds=1), "PT0.000001S"),
        (timedelta(minutes=-5), "-PT5M"),
        (-timedelta(days=1, seconds=1), "-P1DT1S"),
    ],
)
def test_intervals_round_trip(value: timedelta, text: str) -> None:
    assert format_interval(value) == text
    assert parse_interval(text) == value


def test_parse_interval_accepts_a_plus_sign_and_rejects_nonsense() -> None:
    assert parse_interval("+PT1M") == timedelta(minutes=1)
    with pytest.raises(ValueError):
        parse_interval("soon")


def test_encode_value_gives_the_wire_form() -> None:
    value = {
        "d": date(2025, 1, 15),
        "utc": datetime(2025, 1, 15, 10, 30, tzinfo=UTC),
        "offset": datetime(2025, 1, 15, 10, 30, tzinfo=timezone(timedelta(hours=1))),
        "naive": datetime(2025, 1, 15, 10, 30),
        "iv": timedelta(hours=2),
        "blob": b"hello",
        "items": (1, [date(2025, 1, 1)]),
        1: "int key",
        "plain": None,
    }

    encoded = encode_value(value)

    assert encoded == {
        "d": "2025-01-15",
        "utc": "2025-01-15T10:30:00Z",
        "offset": "2025-01-15T10:30:00+01:00",
        "naive": "2025-01-15T10:30:00",
        "iv": "PT2H",
        "blob": "aGVsbG8=",
        "items": [1, ["2025-01-01"]],
        "1": "int key",
        "plain": None,
    }
    json.dumps(encoded)


def test_entity_tags() -> None:
    node = {"_id": "A_1", "_label": "A"}
    rel = {"_id": "R_1", "_type": "R", "_start": "A_1", "_end": "A_2"}

    assert is_node(node) and not is_relationship(node)
    assert is_relationship(rel) and not is_node(rel)
    assert not is_node({"_label": "A"}) and not is_relationship({"_type": "R"})
    assert not is_node("A_1")
