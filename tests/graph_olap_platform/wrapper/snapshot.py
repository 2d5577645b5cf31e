"""A small deterministic snapshot directory (Parquet + manifest.json) for wrapper tests.

Customers and Products with a PURCHASED relationship, a KNOWS relationship between customers (for
multi-hop paths), and VIEWED: more than 100 000 rows with a DOUBLE property, which is what makes
Ryugraph's single large COPY collapse (the wrapper must load it in chunks).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CUSTOMERS = 300
PRODUCTS = 40
PURCHASES = 3_000
KNOWS = 900
VIEWS = 120_000

CITIES = ["London", "Paris", "Berlin", "Madrid", "Rome", "Vienna"]
SEGMENTS = ["consumer", "corporate", "home office"]
CATEGORIES = ["books", "games", "garden", "kitchen", "music"]

MAPPING: dict[str, Any] = {
    "mapping_id": 3,
    "mapping_version": 2,
    "snapshot_id": 7,
    "owner_username": "alice.smith",
    "node_definitions": [
        {
            "label": "Customer",
            "primary_key": {"name": "customer_id", "type": "STRING"},
            "properties": [
                {"name": "name", "type": "STRING"},
                {"name": "city", "type": "STRING"},
                {"name": "segment", "type": "STRING"},
                {"name": "signup_date", "type": "DATE"},
                {"name": "vip", "type": "BOOL"},
                {"name": "tags", "type": "LIST"},
            ],
        },
        {
            "label": "Product",
            "primary_key": {"name": "product_id", "type": "STRING"},
            "properties": [
                {"name": "name", "type": "STRING"},
                {"name": "category", "type": "STRING"},
                {"name": "price", "type": "DOUBLE"},
                {"name": "stock", "type": "INT64"},
            ],
        },
    ],
    "edge_definitions": [
        {
            "type": "PURCHASED",
            "from_node": "Customer",
            "to_node": "Product",
            "from_key": "customer_id",
            "to_key": "product_id",
            "properties": [
                {"name": "purchase_id", "type": "STRING"},
                {"name": "amount", "type": "DOUBLE"},
                {"name": "quantity", "type": "INT64"},
                {"name": "purchased_at", "type": "TIMESTAMP"},
            ],
        },
        {
            "type": "KNOWS",
            "from_node": "Customer",
            "to_node": "Customer",
            "from_key": "src",
            "to_key": "dst",
            "properties": [{"name": "since", "type": "INT64"}],
        },
        {
            "type": "VIEWED",
            "from_node": "Customer",
            "to_node": "Product",
            "from_key": "customer_id",
            "to_key": "product_id",
            "properties": [{"name": "seconds", "type": "DOUBLE"}],
        },
    ],
}


@dataclass
class Snapshot:
    path: Path
    mapping_file: Path
    tables: dict[str, pa.Table]

    def rows(self, name: str) -> int:
        return self.tables[name].num_rows


def customer_id(i: int) -> str:
    return f"C{i:04d}"


def product_id(i: int) -> str:
    return f"P{i:03d}"


def build_tables(views: int = VIEWS) -> dict[str, pa.Table]:
    rng = np.random.default_rng(42)
    start = date(2023, 1, 1)
    customers = pa.table(
        {
            "customer_id": [customer_id(i) for i in range(CUSTOMERS)],
            "name": [f"Customer {i}" for i in range(CUSTOMERS)],
            "city": [CITIES[i % len(CITIES)] for i in range(CUSTOMERS)],
            "segment": [SEGMENTS[i % len(SEGMENTS)] for i in range(CUSTOMERS)],
            "signup_date": [start + timedelta(days=i) for i in range(CUSTOMERS)],
            "vip": [i % 7 == 0 for i in range(CUSTOMERS)],
            "tags": [[SEGMENTS[i % 3], CITIES[i % 6].lower()] for i in range(CUSTOMERS)],
        }
    )
    products = pa.table(
        {
            "product_id": [product_id(i) for i in range(PRODUCTS)],
            "name": [f"Product {i}" for i in range(PRODUCTS)],
            "category": [CATEGORIES[i % len(CATEGORIES)] for i in range(PRODUCTS)],
            # Decimal prices, as PostgreSQL NUMERIC or DuckDB DECIMAL export them.
            "price": pa.array([round(5 + (i * 37 % 100) + 0.99, 2) for i in range(PRODUCTS)]).cast(
                pa.decimal128(10, 2)
            ),
            "stock": pa.array([i * 3 for i in range(PRODUCTS)], pa.int32()),
        }
    )
    base = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    purchases = pa.table(
        {
            "customer_id": [customer_id(int(i)) for i in rng.integers(0, CUSTOMERS, PURCHASES)],
            "product_id": [product_id(int(i)) for i in rng.integers(0, PRODUCTS, PURCHASES)],
            "purchase_id": [f"T{i:05d}" for i in range(PURCHASES)],
            "amount": np.round(rng.uniform(1, 500, PURCHASES), 2),
            "quantity": rng.integers(1, 10, PURCHASES),
            # Nanosecond timestamps, as pandas writes them.
            "purchased_at": pa.array(
                [base + timedelta(minutes=17 * i) for i in range(PURCHASES)],
                pa.timestamp("ns", tz="UTC"),
            ),
        }
    )
    pairs = sorted(
        {
            (int(a), int(b))
            for a, b in zip(
                rng.integers(0, CUSTOMERS, KNOWS), rng.integers(0, CUSTOMERS, KNOWS), strict=True
            )
            if a != b
        }
    )
    # Columns out of definition order: engines copy by position, the wrapper must reorder.
    knows = pa.table(
        {
            "since": [2000 + (a * b) % 24 for a, b in pairs],
            "dst": [customer_id(b) for _, b in pairs],
            "src": [customer_id(a) for a, _ in pairs],
        }
    )
    viewed = pa.table(
        {
            "customer_id": [customer_id(int(i)) for i in rng.integers(0, CUSTOMERS, views)],
            "product_id": [product_id(int(i)) for i in rng.integers(0, PRODUCTS, views)],
            "seconds": rng.uniform(0.5, 600.0, views),
        }
    )
    return {
        "Customer": customers,
        "Product": products,
        "PURCHASED": purchases,
        "KNOWS": knows,
        "VIEWED": viewed,
    }


def write_snapshot(root: Path, *, views: int = VIEWS) -> Snapshot:
    """Write the snapshot under ``root`` (nodes/, edges/, manifest.json) and a mapping file."""
    tables = build_tables(views)
    (root / "nodes").mkdir(parents=True, exist_ok=True)
    (root / "edges").mkdir(parents=True, exist_ok=True)
    entries: dict[str, list[dict[str, Any]]] = {"nodes": [], "edges": []}
    edge_defs = {e["type"]: e for e in MAPPING["edge_definitions"]}
    for name, table in tables.items():
        kind = "edges" if name in edge_defs else "nodes"
        file = f"{kind}/{name}.parquet"
        pq.write_table(table, root / file)
        entry: dict[str, Any] = {
            ("type" if kind == "edges" else "label"): name,
            "file": file,
            "row_count": table.num_rows,
            "size_bytes": (root / file).stat().st_size,
            "sha256": hashlib.sha256((root / file).read_bytes()).hexdigest(),
            "columns": [{"name": f.name, "type": str(f.type)} for f in table.schema],
        }
        if kind == "edges":
            entry["from_node"] = edge_defs[name]["from_node"]
            entry["to_node"] = edge_defs[name]["to_node"]
        entries[kind].append(entry)
    manifest = {
        "format": 1,
        "snapshot_id": 7,
        "mapping_id": 3,
        "mapping_version": 2,
        "created_at": "2026-01-01T00:00:00Z",
        **entries,
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2))
    mapping_file = root.parent / f"{root.name}-mapping.json"
    mapping_file.write_text(json.dumps(MAPPING, indent=2))
    return Snapshot(path=root, mapping_file=mapping_file, tables=tables)
