"""LadybugDB (the maintained Kuzu fork): an on-disk database loaded with one COPY per table."""

from __future__ import annotations

from graph_olap_platform.wrapper.engines.kuzu_family import KuzuFamilyEngine


class LadybugEngine(KuzuFamilyEngine):
    """One ``COPY`` per table into an on-disk database in the work directory.

    Measured: appending in many small COPYs is far slower than one COPY, so no chunking.
    """

    name = "ladybug"
    module_name = "ladybug"
    in_memory = False
    chunk_rows = None
    csr_export = True
