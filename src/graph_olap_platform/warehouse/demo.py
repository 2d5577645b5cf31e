"""The demo warehouse: a small retail dataset and a social graph, generated without downloads.

Everything lives in schema ``analytics`` of one DuckDB file, shaped so that the examples of the
documentation run verbatim::

    customers(customer_id, name, city, segment, signup_date)        3 000 rows   C0001…
    products(product_id, name, category, price)                       300 rows   P001…
    suppliers(supplier_id, name, country)                              40 rows   S01…
    purchases(purchase_id, customer_id, product_id, amount,
              purchase_date)                                        30 000 rows   T000001…
    supplies(supplier_id, product_id, unit_cost)                   1-3 per product
    people(person_id, name, age)                                      200 rows   U001…
    knows(src, dst, since)                                            800 rows

Ids are strings; money is ``DOUBLE``; dates fall in 2023-2025 (``knows.since`` reaches back to
2015). Purchases happen on or after the customer's sign-up, favour some customers and products
over others, and every foreign key refers to an existing row. ``knows`` has no self loops and
at most one edge per pair of people (in either direction); people cluster into communities.

The data depend only on the seed: two builds hold identical rows. Builds go to a temporary
file that is renamed into place, so a reader never sees a half-built warehouse.
"""

from __future__ import annotations

import contextlib
import os
import random
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

__all__ = [
    "DEMO_ROW_COUNTS",
    "DEMO_SCHEMA",
    "create_demo_warehouse",
    "ensure_demo_warehouse",
    "load_demo_postgres",
]

DEMO_SCHEMA = "analytics"
SEED = 20240501
CUSTOMERS = 3000
PRODUCTS = 300
SUPPLIERS = 40
PURCHASES = 30000
PEOPLE = 200
KNOWS = 800
# supplies has between one and three rows per product, fixed by the seed
DEMO_ROW_COUNTS = {
    "customers": CUSTOMERS,
    "products": PRODUCTS,
    "suppliers": SUPPLIERS,
    "purchases": PURCHASES,
    "people": PEOPLE,
    "knows": KNOWS,
}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


START = date(2023, 1, 1)
END = date(2025, 12, 31)

FIRST_NAMES = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony "
    "Sandra Mark Ashley Steven Emily Paul Michelle Andrew Amanda Joshua Melissa Kevin Deborah "
    "Brian Stephanie George Rebecca Timothy Laura Ryan Sharon Jacob Cynthia Nicholas Kathleen "
    "Olivia Liam Emma Noah Sophia Lucas Mia Mateo Chloe Hannah Wei Mei Arjun Priya Kenji Yuki "
    "Omar Fatima Carlos Lucia Pierre Camille Hans Greta Sven Ingrid Dmitri Anya Kwame Amara"
)
LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Chen Wang Patel "
    "Singh Kim Tanaka Sato Muller Schmidt Dubois Moreau Rossi Bianchi Silva Santos Novak Kowalski "
    "Johansson Larsen Okafor Mensah Haddad Cohen Murphy Kelly"
)
CITIES = (
    ("New York", 9),
    ("Los Angeles", 6),
    ("Chicago", 5),
    ("Houston", 4),
    ("Phoenix", 3),
    ("Philadelphia", 3),
    ("San Antonio", 2),
    ("San Diego", 2),
    ("Dallas", 3),
    ("Austin", 3),
    ("Seattle", 3),
    ("Denver", 2),
    ("Boston", 3),
    ("Atlanta", 3),
    ("Miami", 3),
    ("Portland", 2),
    ("Toronto", 4),
    ("Vancouver", 2),
    ("Mexico City", 3),
    ("London", 6),
    ("Manchester", 2),
    ("Dublin", 2),
    ("Paris", 4),
    ("Berlin", 3),
    ("Munich", 2),
    ("Amsterdam", 2),
    ("Madrid", 3),
    ("Barcelona", 2),
    ("Rome", 2),
    ("Milan", 2),
    ("Stockholm", 1),
    ("Copenhagen", 1),
    ("Warsaw", 1),
    ("Zurich", 1),
    ("Tokyo", 4),
    ("Singapore", 3),
    ("Hong Kong", 2),
    ("Sydney", 3),
    ("Melbourne", 2),
    ("Mumbai", 3),
    ("Bangalore", 2),
    ("Sao Paulo", 3),
)
SEGMENTS = (("Consumer", 60), ("Small Business", 25), ("Corporate", 15))
# category -> (price range, product nouns)
CATEGORIES: dict[str, tuple[tuple[float, float], tuple[str, ...]]] = {
    "Electronics": (
        (19.0, 1499.0),
        (
            "Wireless Headphones",
            "Bluetooth Speaker",
            "4K Monitor",
            "Mechanical Keyboard",
            "Wireless Mouse",
            "USB-C Hub",
            "Smartwatch",
            "Tablet",
            "Laptop",
            "Webcam",
            "Portable SSD",
            "Noise-Cancelling Earbuds",
        ),
    ),
    "Home & Kitchen": (
        (9.0, 399.0),
        (
            "Espresso Machine",
            "Chef's Knife",
            "Cast Iron Skillet",
            "Blender",
            "Air Fryer",
            "Cookware Set",
            "Kettle",
            "Toaster",
            "Food Storage Set",
            "Cutting Board",
        ),
    ),
    "Office Supplies": (
        (2.0, 249.0),
        (
            "Notebook Pack",
            "Gel Pens",
            "Desk Organizer",
            "Stapler",
            "Printer Paper",
            "Office Chair",
            "Desk Lamp",
            "Whiteboard",
            "Label Maker",
            "Filing Cabinet",
        ),
    ),
    "Sports & Outdoors": (
        (8.0, 599.0),
        (
            "Yoga Mat",
            "Running Shoes",
            "Camping Tent",
            "Water Bottle",
            "Hiking Backpack",
            "Dumbbell Set",
            "Bicycle Helmet",
            "Sleeping Bag",
            "Tennis Racket",
            "Fitness Tracker",
        ),
    ),
    "Books": (
        (6.0, 59.0),
        (
            "Data Science Handbook",
            "Graph Theory Primer",
            "Mystery Novel",
            "Cookbook",
            "Travel Guide",
            "History of Science",
            "Poetry Collection",
            "Business Strategy",
            "Children's Atlas",
            "Photography Guide",
        ),
    ),
    "Beauty": (
        (4.0, 129.0),
        (
            "Moisturizer",
            "Shampoo",
            "Sunscreen",
            "Face Serum",
            "Hair Dryer",
            "Lip Balm",
            "Perfume",
            "Electric Toothbrush",
        ),
    ),
    "Grocery": (
        (2.0, 49.0),
        (
            "Arabica Coffee Beans",
            "Green Tea",
            "Olive Oil",
            "Dark Chocolate",
            "Granola",
            "Honey",
            "Pasta",
            "Mixed Nuts",
        ),
    ),
    "Toys & Games": (
        (7.0, 199.0),
        (
            "Board Game",
            "Puzzle",
            "Building Blocks",
            "Remote Control Car",
            "Plush Bear",
            "Card Game",
            "Science Kit",
            "Art Set",
        ),
    ),
}
BRANDS = _words(
    "Acme Nimbus Vertex Orbit Lumen Apex Cedar Harbor Summit Pioneer Zenith Aurora Atlas Nova "
    "Willow Granite Pacific Northwind Evergreen Crest"
)
SUPPLIER_PREFIXES = _words(
    "Global Pacific Atlantic Northern Southern Eastern Western United Premier Allied Continental "
    "Golden Silver Blue Redwood Harbor"
)
SUPPLIER_SUFFIXES = (
    "Trading Co",
    "Supply Ltd",
    "Industries",
    "Wholesale",
    "Distributors",
    "Manufacturing",
    "Logistics",
    "Imports",
    "Partners",
    "Group",
)
COUNTRIES = (
    "United States",
    "China",
    "Germany",
    "Japan",
    "Mexico",
    "Vietnam",
    "India",
    "Italy",
    "South Korea",
    "Canada",
    "United Kingdom",
    "Taiwan",
    "Poland",
    "Brazil",
    "Netherlands",
)
COMMUNITIES = 8


def create_demo_warehouse(path: str | Path, *, overwrite: bool = False) -> Path:
    """Build the demo warehouse at ``path``; FileExistsError if it exists and not ``overwrite``."""
    target = Path(path)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} already exists")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        _build(temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
        Path(f"{temporary}.wal").unlink(missing_ok=True)
    return target


def ensure_demo_warehouse(path: str | Path) -> Path:
    """The demo warehouse at ``path``, built only if no file is there yet."""
    target = Path(path)
    if not target.exists():
        # FileExistsError: another process built it first, with the same data
        with contextlib.suppress(FileExistsError):
            create_demo_warehouse(target)
    return target


# -- generation ---------------------------------------------------------------------------------

_DDL = f"""
CREATE SCHEMA {DEMO_SCHEMA};
CREATE TABLE {DEMO_SCHEMA}.customers (
    customer_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, city VARCHAR NOT NULL,
    segment VARCHAR NOT NULL, signup_date DATE NOT NULL);
CREATE TABLE {DEMO_SCHEMA}.products (
    product_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, category VARCHAR NOT NULL,
    price DOUBLE NOT NULL);
CREATE TABLE {DEMO_SCHEMA}.suppliers (
    supplier_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, country VARCHAR NOT NULL);
CREATE TABLE {DEMO_SCHEMA}.purchases (
    purchase_id VARCHAR PRIMARY KEY, customer_id VARCHAR NOT NULL, product_id VARCHAR NOT NULL,
    amount DOUBLE NOT NULL, purchase_date DATE NOT NULL);
CREATE TABLE {DEMO_SCHEMA}.supplies (
    supplier_id VARCHAR NOT NULL, product_id VARCHAR NOT NULL, unit_cost DOUBLE NOT NULL);
CREATE TABLE {DEMO_SCHEMA}.people (
    person_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, age INTEGER NOT NULL);
CREATE TABLE {DEMO_SCHEMA}.knows (src VARCHAR NOT NULL, dst VARCHAR NOT NULL, since DATE NOT NULL);
"""


def load_demo_postgres(url: str, *, schema: str = DEMO_SCHEMA) -> dict[str, int]:
    """Load the same demo tables into a PostgreSQL database (a new ``schema``); row counts.

    For running the platform, its tests and examples with PostgreSQL as the warehouse.
    """
    import psycopg
    from psycopg import sql

    from graph_olap_platform.warehouse.postgres import normalise_url

    tables = generate(random.Random(SEED))
    counts: dict[str, int] = {}
    with psycopg.connect(normalise_url(url)) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        for name, table in tables.items():
            target = sql.Identifier(schema, name)
            columns = sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(field.name), sql.SQL(_pg_type(field.type)))
                for field in table.schema
            )
            connection.execute(sql.SQL("CREATE TABLE {} ({})").format(target, columns))
            with connection.cursor().copy(sql.SQL("COPY {} FROM STDIN").format(target)) as copy:
                for row in zip(*(column.to_pylist() for column in table.columns), strict=True):
                    copy.write_row(row)
            counts[name] = table.num_rows
    return counts


def _pg_type(kind: pa.DataType) -> str:
    if pa.types.is_string(kind):
        return "text"
    if pa.types.is_date32(kind):
        return "date"
    if pa.types.is_floating(kind):
        return "double precision"
    return "integer"  # people.age, the only integer column


def _build(path: Path) -> None:
    tables = generate(random.Random(SEED))
    connection = duckdb.connect(str(path))
    try:
        connection.execute(_DDL)
        for name, table in tables.items():
            connection.register("_rows", table)
            connection.execute(f"INSERT INTO {DEMO_SCHEMA}.{name} SELECT * FROM _rows")
            connection.unregister("_rows")
        connection.execute("CHECKPOINT")
    finally:
        connection.close()


def generate(rng: random.Random) -> dict[str, pa.Table]:
    """The demo tables as Arrow tables, in dependency order."""
    customers = _customers(rng)
    products = _products(rng)
    suppliers = _suppliers(rng)
    purchases = _purchases(rng, customers, products)
    supplies = _supplies(rng, products, suppliers)
    people = _people(rng)
    knows = _knows(rng, people)
    return {
        "customers": _table(customers, ["customer_id", "name", "city", "segment", "signup_date"]),
        "products": _table(products, ["product_id", "name", "category", "price"]),
        "suppliers": _table(suppliers, ["supplier_id", "name", "country"]),
        "purchases": _table(
            purchases, ["purchase_id", "customer_id", "product_id", "amount", "purchase_date"]
        ),
        "supplies": _table(supplies, ["supplier_id", "product_id", "unit_cost"]),
        "people": _table(people, ["person_id", "name", "age"]),
        "knows": _table(knows, ["src", "dst", "since"]),
    }


Row = tuple[Any, ...]


def _table(rows: list[Row], names: list[str]) -> pa.Table:
    columns = list(zip(*rows, strict=True))
    return pa.table({name: list(values) for name, values in zip(names, columns, strict=True)})


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _customers(rng: random.Random) -> list[Row]:
    cities = [name for name, _ in CITIES]
    city_weights = [weight for _, weight in CITIES]
    segments = [name for name, _ in SEGMENTS]
    segment_weights = [weight for _, weight in SEGMENTS]
    last_signup = date(2025, 6, 30)
    return [
        (
            f"C{index:04d}",
            _person_name(rng),
            rng.choices(cities, city_weights)[0],
            rng.choices(segments, segment_weights)[0],
            _day(rng, START, last_signup),
        )
        for index in range(1, CUSTOMERS + 1)
    ]


def _products(rng: random.Random) -> list[Row]:
    names = [(category, noun) for category, (_, nouns) in CATEGORIES.items() for noun in nouns]
    rows: list[Row] = []
    seen: set[str] = set()
    for index in range(1, PRODUCTS + 1):
        while True:
            category, noun = rng.choice(names)
            name = f"{rng.choice(BRANDS)} {noun}"
            if name not in seen:
                break
        seen.add(name)
        low, high = CATEGORIES[category][0]
        # prices cluster towards the cheap end of the category's range, ending in .99 / .49
        price = low + (high - low) * rng.random() ** 2
        price = float(int(price)) + rng.choice((0.99, 0.49, 0.99, 0.95))
        rows.append((f"P{index:03d}", name, category, round(price, 2)))
    return rows


def _suppliers(rng: random.Random) -> list[Row]:
    names = rng.sample(
        [f"{prefix} {suffix}" for prefix in SUPPLIER_PREFIXES for suffix in SUPPLIER_SUFFIXES],
        SUPPLIERS,
    )
    return [
        (f"S{index:02d}", name, rng.choice(COUNTRIES)) for index, name in enumerate(names, start=1)
    ]


def _purchases(rng: random.Random, customers: list[Row], products: list[Row]) -> list[Row]:
    # Some customers and products are far more active than others (a heavy-tailed weight).
    customer_weights = [rng.lognormvariate(0.0, 0.9) for _ in customers]
    product_weights = [rng.lognormvariate(0.0, 1.1) for _ in products]
    buyers = rng.choices(customers, customer_weights, k=PURCHASES)
    items = rng.choices(products, product_weights, k=PURCHASES)
    rows: list[Row] = []
    for customer, product in zip(buyers, items, strict=True):
        quantity = rng.choices((1, 2, 3, 4, 5), (60, 20, 10, 6, 4))[0]
        discount = rng.choice((1.0, 1.0, 1.0, 0.9, 0.85))
        amount = round(product[3] * quantity * discount, 2)
        rows.append((customer[0], product[0], amount, _day(rng, customer[4], END)))
    rows.sort(key=lambda row: (row[3], row[0], row[1]))  # ids follow time, like an order log
    return [(f"T{index:06d}", *row) for index, row in enumerate(rows, start=1)]


def _supplies(rng: random.Random, products: list[Row], suppliers: list[Row]) -> list[Row]:
    rows: list[Row] = []
    for product in products:
        count = rng.choices((1, 2, 3), (45, 35, 20))[0]
        for supplier in rng.sample(suppliers, count):
            unit_cost = round(product[3] * rng.uniform(0.35, 0.75), 2)
            rows.append((supplier[0], product[0], unit_cost))
    return rows


def _people(rng: random.Random) -> list[Row]:
    ages = [max(18, min(80, round(rng.gauss(38, 13)))) for _ in range(PEOPLE)]
    return [(f"U{index:03d}", _person_name(rng), age) for index, age in enumerate(ages, start=1)]


def _knows(rng: random.Random, people: list[Row]) -> list[Row]:
    ids = [person[0] for person in people]
    community = {person_id: rng.randrange(COMMUNITIES) for person_id in ids}
    members: dict[int, list[str]] = {}
    for person_id in ids:
        members.setdefault(community[person_id], []).append(person_id)
    pairs: set[frozenset[str]] = set()
    rows: list[Row] = []
    while len(rows) < KNOWS:
        src = rng.choice(ids)
        # most friendships stay inside a community
        group = members[community[src]]
        dst = rng.choice(group) if rng.random() < 0.85 and len(group) > 1 else rng.choice(ids)
        pair = frozenset((src, dst))
        if src == dst or pair in pairs:
            continue
        pairs.add(pair)
        rows.append((src, dst, _day(rng, date(2015, 1, 1), END)))
    return rows
