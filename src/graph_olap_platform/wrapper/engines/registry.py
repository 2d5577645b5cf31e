"""Engine names → engine classes, imported lazily (an engine module may load a native library)."""

from __future__ import annotations

import importlib
from typing import cast

from graph_olap_platform.wrapper.engines.base import Engine

ENGINES: dict[str, tuple[str, str]] = {
    "ladybug": ("graph_olap_platform.wrapper.engines.ladybug", "LadybugEngine"),
    "ryugraph": ("graph_olap_platform.wrapper.engines.ryugraph", "RyugraphEngine"),
    "falkordb": ("graph_olap_platform.wrapper.engines.falkordb", "FalkorDBEngine"),
}


def create_engine(name: str) -> Engine:
    """A new, unopened engine of the given wrapper type."""
    try:
        module_name, class_name = ENGINES[name]
    except KeyError:
        known = ", ".join(sorted(ENGINES))
        raise ValueError(f"Unknown engine {name!r}; expected one of {known}") from None
    module = importlib.import_module(module_name)
    engine_class = getattr(module, class_name, None)
    if engine_class is None:  # tolerate another class name: the one whose `name` matches
        for value in vars(module).values():
            if isinstance(value, type) and getattr(value, "name", None) == name:
                engine_class = value
                break
    if engine_class is None:
        raise ValueError(f"{module_name} defines no engine class for {name!r}")
    return cast(Engine, engine_class())
