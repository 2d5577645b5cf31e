"""Ryugraph (the Kuzu fork the original design names): in-memory, loaded in chunks."""

from __future__ import annotations

from graph_olap_platform.wrapper.engines.kuzu_family import KuzuFamilyEngine


class RyugraphEngine(KuzuFamilyEngine):
    """An in-memory database loaded with COPYs of at most 80 000 rows.

    Ryugraph 25.9.2 collapses when one COPY brings many rows into a table with DOUBLE/FLOAT
    properties: on disk beyond ~90 K rows (no setting helps), and in memory too when the *first*
    COPY into an empty relationship table exceeds ~25 K rows (80 K rows: 4 s instead of 0.03 s;
    measured on this project's machines). So the first chunk is small and the rest 80 K rows.
    """

    name = "ryugraph"
    module_name = "ryugraph"
    in_memory = True
    first_chunk_rows = 20_000
    chunk_rows = 80_000
