"""Ryugraph (the Kuzu fork the original design names): in-memory, loaded in chunks."""

from __future__ import annotations

from graph_olap_platform.wrapper.engines.kuzu_family import KuzuFamilyEngine


class RyugraphEngine(KuzuFamilyEngine):
    """An in-memory database loaded with COPYs of at most 80 000 rows.

    Ryugraph 25.9.2 collapses when one COPY brings many rows into a table with DOUBLE/FLOAT
    properties: on disk beyond ~90 K rows (no setting helps), and in memory too when the *first*
    COPY into an empty relationship table exceeds ~25 K rows (80 K rows: 4 s instead of 0.03 s;
    measured on this project's machines). So the first chunk is small and the rest 80 K rows.
    Ryugraph has no ``query_as_arrow``/CSR export: ``graph_view`` reads offset pairs as Arrow
    (1 M edges: 0.3 s). Its ``LOAD FROM`` takes Arrow tables but not pandas frames with Arrow
    strings (an assertion in its numpy bridge), so write-back sends Arrow.
    """

    name = "ryugraph"
    module_name = "ryugraph"
    in_memory = True
    first_chunk_rows = 20_000
    chunk_rows = 80_000
