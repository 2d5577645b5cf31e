"""Reading wrapper answers: flat bodies, tolerating the Ryugraph router's ``data`` envelope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["unwrap"]


def unwrap(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """The answer itself: ``body``, or ``body["data"]`` for a ``{"data", "meta"}`` envelope.

    Wrapper answers are flat (spec §6, item 1); older wrappers wrapped them in ``data``.
    """
    data = body.get("data")
    if isinstance(data, Mapping) and set(body) <= {"data", "meta"}:
        return data
    return body
